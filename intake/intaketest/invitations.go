// Package intaketest holds scenarios of phase 3 that every platform must
// pass: each adapter's tests drive them through their platform's fake.
package intaketest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/store"
)

// Driver plays users on one platform for a scenario. Actors are named by
// their keys in the plan.
type Driver interface {
	// Say sends a direct message from the actor to the bot and waits for
	// the reply.
	Say(actor, text string)
	// Click presses the button starting with label in the last message
	// the actor got, and waits for the reply.
	Click(actor, label string)
	// Messages returns the texts of the messages the actor got, oldest
	// first.
	Messages(actor string) []string
	// Settle waits until every queued message has been delivered.
	Settle()
}

// Five are the actors the invitation scenario invites, as the steering
// group (each test makes them reachable on its platform); Leader invites.
type Five struct {
	Leader string
	Group  [5]string
}

// Invitations runs the scenario of the invitations issue: the leader
// invites a group of five with an answer-by date; two start (and do not
// finish), one finishes, one declines, one does nothing; the reminder goes
// to exactly the two who started and the one who never did, once; the
// leader's status shows each.
func Invitations(t *testing.T, st *store.Store, plan store.Plan, d Driver, five Five) {
	t.Helper()
	ctx := context.Background()
	loc := plan.Location()
	due := time.Now().In(loc).AddDate(0, 0, 10)
	finisher, started1, started2, decliner, silent := five.Group[0], five.Group[1], five.Group[2], five.Group[3], five.Group[4]

	d.Say(five.Leader, "inviter styringsgruppe innen "+due.Format("2.1.2006"))
	d.Settle()
	leaderSaw := strings.Join(d.Messages(five.Leader), "\n")
	for _, want := range []string{"Jeg sender 5 invitasjoner.", "Alle invitasjonene er sendt (5)."} {
		if !strings.Contains(leaderSaw, want) {
			t.Fatalf("the leader was not told %q:\n%s", want, leaderSaw)
		}
	}
	for _, a := range five.Group {
		got := d.Messages(a)
		if len(got) != 1 || !strings.Contains(got[0], "inviterer deg til å gi innspill") || !strings.Contains(got[0], "innen "+longDate(due)) {
			t.Fatalf("%s got %q, want exactly one invitation naming the date", a, got)
		}
	}

	// The finisher starts, agrees, answers one strategy, submits and is done.
	d.Click(finisher, "Start nå")
	d.Click(finisher, "Ja, jeg vil være med")
	strategy := firstStrategyButton(t, d, finisher)
	d.Click(finisher, strategy)
	d.Say(finisher, "Flere møteplasser mellom utleiere og NAV")
	d.Click(finisher, "Vet ikke")
	d.Click(finisher, "Vet ikke")
	for q := 2; q <= 7; q++ {
		d.Click(finisher, "Hopp over")
	}
	d.Click(finisher, "Send inn")
	d.Click(finisher, "Ferdig for nå")

	// Two start and stop half-way.
	d.Click(started1, "Start nå")
	d.Click(started1, "Ja, jeg vil være med")
	d.Click(started2, "Start nå")
	d.Click(started2, "Ja, jeg vil være med")
	d.Click(started2, firstStrategyButton(t, d, started2))
	d.Say(started2, "Et svar jeg vil tenke mer på")
	d.Say(started2, "stopp")

	// One declines.
	d.Click(decliner, "Nei takk")
	if last := lastOf(d, decliner); !strings.Contains(last, "ingen flere påminnelser") {
		t.Fatalf("the decliner was told %q", last)
	}
	d.Settle()

	before := map[string]int{}
	for _, a := range five.Group {
		before[a] = len(d.Messages(a))
	}
	now := time.Now().Add(9*24*time.Hour + 12*time.Hour)
	n, err := intake.RemindInvitations(ctx, st, now)
	if err != nil || n != 3 {
		t.Fatalf("reminders queued: %d, %v; want 3", n, err)
	}
	if again, err := intake.RemindInvitations(ctx, st, now.Add(time.Hour)); err != nil || again != 0 {
		t.Fatalf("a second round queued %d, %v; each reminder goes once", again, err)
	}
	d.Settle()
	for a, want := range map[string]string{started1: "du har begynt", started2: "du har begynt", silent: "Vil du begynne nå?"} {
		got := d.Messages(a)
		if len(got) != before[a]+1 || !strings.Contains(got[len(got)-1], "påminnelse") || !strings.Contains(got[len(got)-1], want) {
			t.Errorf("%s: %d new messages, last %q; want one reminder saying %q", a, len(got)-before[a], lastOf(d, a), want)
		}
	}
	for _, a := range []string{finisher, decliner} {
		if got := len(d.Messages(a)); got != before[a] {
			t.Errorf("%s got a reminder", a)
		}
	}

	// Where things stand.
	status := sayAndRead(d, five.Leader, "status")
	names := map[string]string{}
	actors, _ := st.Actors(ctx, plan.ID)
	for _, a := range actors {
		names[a.Key] = a.Name
	}
	for a, want := range map[string]string{finisher: "ferdig", started1: "begynt", started2: "begynt", decliner: "takket nei", silent: "invitert"} {
		if !statusLine(status, names[a], want) {
			t.Errorf("status does not show %s as %q:\n%s", a, want, status)
		}
	}
	if !strings.Contains(status, "invitert: 1 · begynt: 2 · ferdig: 1 · takket nei: 1") {
		t.Errorf("status counts are off:\n%s", status)
	}
	own := sayAndRead(d, started2, "status")
	if !strings.Contains(own, "Ikke besvart ennå") || !strings.Contains(own, "1 svar som ikke er sendt inn") || !strings.Contains(own, "Svarfristen er "+longDate(due)) {
		t.Errorf("an actor's own status:\n%s", own)
	}
}

func statusLine(status, name, want string) bool {
	for _, line := range strings.Split(status, "\n") {
		if strings.HasPrefix(line, "• "+name+" (") && strings.Contains(line, ": "+want) {
			return true
		}
	}
	return false
}

// sayAndRead sends text and returns everything the bot answered (a long
// answer may come as several messages where a platform limits their size).
func sayAndRead(d Driver, actor, text string) string {
	n := len(d.Messages(actor))
	d.Say(actor, text)
	d.Settle()
	return strings.Join(d.Messages(actor)[n:], "\n")
}

func lastOf(d Driver, actor string) string {
	m := d.Messages(actor)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// firstStrategyButton checks that the actor is asked for a strategy and
// returns a label prefix that picks the first one offered ("S1 – …").
func firstStrategyButton(t *testing.T, d Driver, actor string) string {
	t.Helper()
	last := lastOf(d, actor)
	if !strings.Contains(last, "Hvilken strategi") {
		t.Fatalf("%s is not being asked for a strategy:\n%s", actor, last)
	}
	return "S"
}

var months = []string{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"}

func longDate(t time.Time) string {
	return strconv.Itoa(t.Day()) + ". " + months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}
