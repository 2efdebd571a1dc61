package intake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// harnessDriver plays the scenario on the bot core with the console's
// platform name.
type harnessDriver struct{ h *bottest.Harness }

func (d harnessDriver) Say(actor, text string)    { d.h.Say(actor, text) }
func (d harnessDriver) Click(actor, label string) { d.h.Pick(actor, label) }
func (d harnessDriver) Settle() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.h.Bot.Flush(ctx, d.h.Platform); err != nil {
		d.h.T.Fatal(err)
	}
}
func (d harnessDriver) Messages(actor string) []string {
	var out []string
	for _, m := range d.h.Rec.Messages(bottest.DM(actor)) {
		out = append(out, m.Text)
	}
	return out
}

var fiveOnConsole = intaketest.Five{Leader: "pl-ingrid",
	Group: [5]string{"ext-nav-jonas", "ext-ffo", "ext-bymisjon", "ext-utleierforening", "ext-husbanken"}}

func steeringGroupOf(five intaketest.Five) func(*store.PlanSpec) {
	return func(spec *store.PlanSpec) { spec.Groups[store.RoleSteeringGroup] = five.Group[:] }
}

func TestInvitationScenario(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, steeringGroupOf(fiveOnConsole))
		intaketest.Invitations(t, s, p, harnessDriver{h}, fiveOnConsole)
	})
}

func TestInviteRefusesBadInputAndChangesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		ctx := context.Background()
		cases := map[string]struct{ user, text, want string }{
			"not a leader":     {"ext-ffo", "inviter referansegruppe", "Bare prosjektleder og prosjektgruppen kan invitere"},
			"unknown actor":    {"pl-ingrid", "inviter ext-nobody", "Jeg fant ingen aktør, organisasjon eller gruppe som heter «ext-nobody»"},
			"unknown group":    {"pl-ingrid", "inviter fotballgruppa", "fant ingen aktør, organisasjon eller gruppe"},
			"date in the past": {"pl-ingrid", "inviter referansegruppe innen 1.1.2020", "Svarfristen 1. januar 2020 har allerede vært"},
			"not a date":       {"pl-ingrid", "inviter referansegruppe innen snart", "«snart» er ikke en dato"},
			"unknown strategy": {"pl-ingrid", "inviter referansegruppe strategi S99", "ingen strategi som heter «S99»"},
			"no target":        {"pl-ingrid", "inviter", "Skriv hvem du vil invitere"},
		}
		for name, c := range cases {
			// As the platforms' /dugnad sends it: an explicit command.
			word, args, _ := strings.Cut(c.text, " ")
			if got := h.Command(c.user, word, args); !strings.Contains(got.Text, c.want) {
				t.Errorf("%s: reply %q lacks %q", name, got.Text, c.want)
			}
		}
		// Typed by an actor who is not a leader, it is just words.
		if got := h.Say("ext-ffo", "inviter referansegruppe"); strings.Contains(got.Text, "Bare prosjektleder") {
			t.Errorf("an actor's words were taken as a leader's command: %q", got.Text)
		}
		if invs, _ := s.Invitations(ctx, p.ID); len(invs) != 0 {
			t.Errorf("bad invite commands made %d invitations", len(invs))
		}
		if msgs, _ := s.OutboxMessages(ctx, bot.Console); countCorrelated(msgs) != 0 {
			t.Error("bad invite commands queued invitations")
		}
	})
}

func countCorrelated(msgs []store.OutboxMessage) int {
	n := 0
	for _, m := range msgs {
		if m.Correlation != "" {
			n++
		}
	}
	return n
}

func TestInviteEachActorOnceAndNamesTheUnreachable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := storetest.LoadExample(t, s, nil)
		// From Slack: actors are invited where the plan can reach them.
		h := bottest.NewHarness(t, s, intake.New(nil), bot.Slack, "T0FJORDVIK")
		// The first reply to the leader is the answer to the command.
		say := func(text string, want ...string) {
			t.Helper()
			n := len(h.Rec.Messages(bottest.DM("U0INGRID")))
			h.Say("U0INGRID", text)
			contains(t, h.Rec.Messages(bottest.DM("U0INGRID"))[n], want...)
		}
		say("inviter Fjordvik eldreråd", "Jeg sender 0 invitasjoner.", "1 kan ikke nås i chat", "Gunvor Lie")
		say("inviter NAV strategi S3", "Jeg sender 2 invitasjoner.")
		say("inviter referansegruppe", "Jeg sender 6 invitasjoner.", "1 var allerede invitert")
		say("inviter alle", "Jeg sender 7 invitasjoner.")
		say("inviter alle", "Det er ingen å invitere")
		invs, _ := s.Invitations(ctx, p.ID)
		seen := map[int64]int{}
		for _, inv := range invs {
			seen[inv.ActorID]++
		}
		actors, _ := s.Actors(ctx, p.ID)
		if len(invs) != len(actors)-1 { // everyone but the leader
			t.Errorf("%d invitations for %d actors", len(invs), len(actors))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("actor %d has %d invitations", id, n)
			}
		}
		// Invitations went to the preferred platform's direct messages.
		kjetil, _ := s.ActorByKey(ctx, p.ID, "ext-boligstiftelse")
		marte, _ := s.ActorByKey(ctx, p.ID, "pg-marte")
		for _, c := range []struct {
			a        store.Actor
			platform string
		}{{kjetil, bot.Slack}, {marte, bot.Discord}} {
			inv, _ := s.InvitationByActor(ctx, c.a.ID)
			if inv.Platform != c.platform {
				t.Errorf("%s invited on %q, want %s (preferred)", c.a.Key, inv.Platform, c.platform)
			}
		}
		jonas, _ := s.ActorByKey(ctx, p.ID, "ext-nav-jonas")
		if inv, _ := s.InvitationByActor(ctx, jonas.ID); inv.StrategyKey != "S3" {
			t.Errorf("NAV's invitation is about %q, want S3", inv.StrategyKey)
		}
	})
}

// TestRemindersGoOnceFromSeveralProcesses runs the reminder job from two
// processes' stores on one database at the same moment.
func TestRemindersGoOnceFromSeveralProcesses(t *testing.T) {
	t.Parallel()
	storetest.EachBackend(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		one, two := storetest.Open(t, b.URL), storetest.Open(t, b.URL)
		h, p := setup(t, one, nil)
		due := time.Now().In(p.Location()).AddDate(0, 0, 5)
		h.Say("pl-ingrid", "inviter referansegruppe innen "+due.Format("2.1.2006"))
		now := time.Now().AddDate(0, 0, 5)
		counts := make(chan int, 2)
		for _, st := range []*store.Store{one, two} {
			go func() {
				n, err := intake.RemindInvitations(ctx, st, now)
				if err != nil {
					t.Error(err)
				}
				counts <- n
			}()
		}
		total := <-counts + <-counts
		if total != 7 {
			t.Errorf("%d reminders queued for the 7 members of the reference group", total)
		}
		log, _ := one.AuditLog(ctx, store.AuditFilter{PlanID: p.ID, Action: "invitation.remind"})
		if len(log) != 7 {
			t.Errorf("%d reminders audited, want 7", len(log))
		}
	})
}
