package bot

import (
	"reflect"
	"testing"
	"time"
)

// An event comes out of the inbox as it went in, bytes JSON would replace
// included.
func TestInboxPayloadKeepsTheEventExactly(t *testing.T) {
	at := time.Date(2027, 3, 1, 9, 30, 0, 0, time.UTC)
	for name, text := range map[string]string{
		"plain":                 "Flere utleieboliger i sentrum",
		"invalid UTF-8":         "boliger \xff\xfe i sentrum",
		"NUL":                   "før\x00etter",
		"a real U+FFFD":         "ukjent tegn: \ufffd",
		"an escape typed as is": `skrev \ufffd selv`,
	} {
		ev := Event{ID: "ev-1", Platform: Slack, Channel: "D1", DM: true, User: "U1", Kind: KindMessage, Text: text, At: at,
			Origin: &Message{Platform: Slack, Channel: "D1", Text: "spørsmålet", Choices: []Choice{{ID: "a", Label: "Ja"}}}}
		payload, err := encodeEvent(ev)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := decodeEvent(payload)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, ev) {
			t.Errorf("%s: came back as %+v", name, got)
		}
		// JSON when it keeps the text; a typed "\ufffd" may go either way.
		switch name {
		case "invalid UTF-8":
			if payload[0] != 'g' {
				t.Errorf("%s: stored as %q, want gob", name, payload[0])
			}
		case "plain", "NUL", "a real U+FFFD":
			if payload[0] != 'j' {
				t.Errorf("%s: stored as %q, want JSON", name, payload[0])
			}
		}
	}
}
