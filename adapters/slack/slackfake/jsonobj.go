package slackfake

import (
	"fmt"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// The payloads are ordered JSON objects (jsonobj.Object, shared with
// discordfake), so that those built from the recorded Slack fixtures keep the
// fixtures' key order and the bytes on the wire look like Slack's.

// marshal encodes v without HTML escaping (Slack sends "<@U1>" literally).
func marshal(v any) []byte {
	b, err := jsonobj.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackfake: encode JSON: %v", err))
	}
	return b
}
