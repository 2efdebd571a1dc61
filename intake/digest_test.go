package intake_test

import (
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func TestDigestInChat(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		intaketest.ScriptPhase3(t, s, p)

		reply := h.Say("pl-ingrid", "digest md")
		if reply.File == nil || !strings.HasSuffix(reply.File.Name, ".md") || !strings.HasPrefix(string(reply.File.Data), "# Sammendrag av tiltaksarbeidet") {
			t.Fatalf("the digest came as %+v", reply.File)
		}
		for _, want := range []string{"Sammendrag av tiltaksarbeidet: Temaplan", "9 innspill (2 ikke brukt i noe tiltak), 6 tiltak", "Strategier uten tiltak: S1, S7, S8, S9, S10", "første sammendrag"} {
			if !strings.Contains(reply.Text, want) {
				t.Errorf("the summary lacks %q:\n%s", want, reply.Text)
			}
		}
		// HTML by default; the next one says what changed since.
		reply = h.Say("pl-ingrid", "sammendrag")
		if reply.File == nil || reply.File.MIME != "text/html; charset=utf-8" || !strings.Contains(reply.Text, "Endret siden forrige sammendrag") {
			t.Errorf("the second digest: %q, %+v", reply.Text, reply.File)
		}
		if reply := h.Say("pg-espen", "digest xlsx S5"); reply.File == nil || !strings.HasSuffix(reply.File.Name, ".xlsx") || !strings.Contains(reply.Text, "strategi S5") {
			t.Errorf("the project group's digest: %q", reply.Text)
		}
		for who, want := range map[string]string{"ext-ffo": "Bare prosjektleder og prosjektgruppen", "sg-bjorn": "Bare prosjektleder og prosjektgruppen"} {
			if reply := h.Say(who, "digest"); reply.File != nil || !strings.Contains(reply.Text, want) {
				t.Errorf("%s asked for the digest and got %q (file: %v)", who, reply.Text, reply.File != nil)
			}
		}
		for text, want := range map[string]string{"digest S99": "Bruk: digest", "digest status kanskje": "«kanskje» er ikke en status", "digest siden igår": "«igår» er ikke en dato"} {
			if reply := h.Say("pl-ingrid", text); reply.File != nil || !strings.Contains(reply.Text, want) {
				t.Errorf("%q: %q", text, reply.Text)
			}
		}
		// Asked in a channel, it comes privately.
		before := len(h.Rec.Messages(bottest.DM("pl-ingrid")))
		ch := store.ConsoleChannel(planKey, "prosjektgruppe")
		ev := h.InChannel("pl-ingrid", ch, "", "command")
		ev.Command, ev.Text = "digest", "json"
		h.Send(ev)
		dms := h.Rec.Messages(bottest.DM("pl-ingrid"))[before:]
		if len(dms) != 1 || dms[0].File == nil || !strings.HasSuffix(dms[0].File.Name, ".json") {
			t.Errorf("the digest asked for in a channel: %d private messages", len(dms))
		}
		if got := h.Rec.Messages(ch); len(got) == 0 || !strings.Contains(got[len(got)-1].Text, "sendt deg i en direktemelding") {
			t.Errorf("the channel was not told where the digest went")
		}
	})
}
