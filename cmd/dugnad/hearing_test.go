package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var postNumber = regexp.MustCompile(`\[(\d+)\]`)

// numberOf is the number the console shows a channel message with.
func numberOf(t *testing.T, line string) string {
	t.Helper()
	m := postNumber.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no message number in %q", line)
	}
	return m[1]
}

// waitAll reads lines until each of wants has appeared, in any order, and
// returns the line each appeared in.
func (s *session) waitAll(wants ...string) map[string]string {
	s.t.Helper()
	got := map[string]string{}
	for len(got) < len(wants) {
		l := s.next()
		for _, w := range wants {
			if _, ok := got[w]; !ok && strings.Contains(l, w) {
				got[w] = l
			}
		}
	}
	return got
}

// A hearing in the terminal: the leader makes a measure and opens a
// hearing; a member votes and comments; someone outside the group reacts
// and is told why it does not count; the process is killed and restarted
// with the hearing open, and nothing is lost; the leader closes it early;
// the steering group approves and the leader anchors.
func TestHearingOnTheConsole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	deadline := time.Now().AddDate(0, 0, 7).Format("2.1.2006")

	s := startSession(t, "first run", dir, cleanEnv(), "--as", "pl-ingrid")
	s.waitFor("— Du er nå Ingrid")
	s.send("tiltak ny S1 Boligkontoret oppretter 20 nye utleieboliger for unge mellom 18 og 25 år")
	s.waitFor("Tiltak 1 er opprettet som utkast.")
	s.send("tiltak 1 ansvar Boligkontoret")
	s.waitFor("Ansvar: Boligkontoret")
	s.send("tiltak 1 frist 31.12.2027")
	s.waitFor("Frist: 31. desember 2027")
	s.send("høring åpne alle frist " + deadline + " kl. 12.00")
	// The reply and the channel's posts come in their own order.
	got := s.waitAll("Høring 1 er åpnet i #referansegruppe med 1 tiltak.", "Tiltak 1 · S1")
	post := numberOf(t, got["Tiltak 1 · S1"])
	s.waitFor("[" + post + "] + 👍")

	s.send("/som ext-nav-jonas")
	s.waitFor("— Du er nå Jonas Berg")
	s.send("/reager " + post + " 👍")
	s.send("/svar " + post + " Bra, men husk universell utforming.")
	s.send("/som pg-espen")
	s.waitFor("— Du er nå Espen")
	s.send("/reager " + post + " 👎")
	s.waitFor("telles ikke som stemme")
	s.kill()

	s = startSession(t, "after the restart", dir, cleanEnv(), "--as", "pl-ingrid")
	s.waitFor("— Du er nå Ingrid")
	s.send("høring")
	s.waitFor("Høring 1 i #referansegruppe – åpen")
	s.waitFor("• Tiltak 1 (S1): 👍 1 · 👎 0 · 🤔 0 – 1 av 7 har stemt, 1 kommentarer")
	s.send("høring lukk")
	s.waitAll("Høring 1 lukkes nå", "Resultat for tiltak 1: 👍 1 · 👎 0 · 🤔 0 (1 av 7 i referansegruppen stemte).", "🔒 Høring 1 ble lukket")
	s.send("/som sg-bjorn")
	s.waitFor("— Du er nå Bjørn")
	s.send("godkjenn 1")
	s.waitFor("✅ Tiltak 1 er godkjent.")
	s.send("/som pl-ingrid")
	s.waitFor("— Du er nå Ingrid")
	s.send("forankre alle")
	s.waitFor("⚓ Forankret: tiltak 1.")
	if code := s.finish(); code != 0 {
		s.fail("exit code %d", code)
	}
	out := strings.Join(s.seen, "\n")
	if strings.Count(out, "🔒 Høring 1 ble lukket") != 1 {
		t.Errorf("the result was posted %d times", strings.Count(out, "🔒 Høring 1 ble lukket"))
	}
}
