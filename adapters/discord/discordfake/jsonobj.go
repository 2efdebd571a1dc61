package discordfake

import (
	"fmt"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// The payloads are ordered JSON objects (jsonobj.Object, shared with
// slackfake), so that those built from the recorded Discord fixtures keep the
// fixtures' key order and the bytes on the wire look like Discord's.

// marshal encodes v without HTML escaping (Discord sends "<@123>" literally).
func marshal(v any) []byte {
	b, err := jsonobj.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("discordfake: encode JSON: %v", err))
	}
	return b
}
