package intake_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// hearingDriver plays the hearing on the bot core, as the console does.
type hearingDriver struct {
	channelDriver
	harnessDriver
}

func newHearingDriver(h *bottest.Harness) hearingDriver {
	return hearingDriver{channelDriver{h}, harnessDriver{h}}
}

func (d hearingDriver) Settle() { d.channelDriver.Settle() }
func (d hearingDriver) Click(actor, channel string, p intaketest.Posted, label string) {
	d.channelDriver.Click(actor, channel, p, label)
}
func (d hearingDriver) Channel(key string) string { return store.ConsoleChannel(planKey, key) }
func (d hearingDriver) React(actor, channel, ref, emoji string, remove, _ bool) {
	kind := bot.KindReactionAdded
	if remove {
		kind = bot.KindReactionRemoved
	}
	ev := d.channelDriver.h.InChannel(actor, channel, "", kind)
	ev.MessageRef, ev.Emoji = ref, emoji
	d.channelDriver.h.Send(ev)
}
func (d hearingDriver) Lossy() bool                         { return false }
func (d hearingDriver) JobEnv(now time.Time) bot.JobEnv     { return d.channelDriver.h.Bot.JobEnv(now) }
func (d hearingDriver) Say(actor, text string)              { d.harnessDriver.Say(actor, text) }
func (d hearingDriver) Messages(actor string) []string      { return d.harnessDriver.Messages(actor) }
func (d hearingDriver) Posts(ch string) []intaketest.Posted { return d.channelDriver.Posts(ch) }

var consoleCast = intaketest.HearingCast{Leader: "pl-ingrid", Members: [3]string{"ext-nav-jonas", "ext-ffo", "ext-bymisjon"},
	NonMember: "pg-espen", Steering: [2]string{"sg-bjorn", "sg-hilde"}}

func TestHearingScenario(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		intaketest.Hearing(t, s, p, newHearingDriver(h), consoleCast)
	})
}

// openOne opens a hearing on the measures as the leader and returns it.
func openOne(t *testing.T, h *bottest.Harness, deadline time.Time) store.Hearing {
	t.Helper()
	reply := h.Say("pl-ingrid", "høring åpne alle frist "+deadline.Format("2.1.2006 kl. 15.04"))
	if !strings.Contains(reply.Text, "er åpnet") {
		t.Fatalf("opening was answered %q", reply.Text)
	}
	hs, err := h.Store.OpenHearings(context.Background())
	if err != nil || len(hs) != 1 {
		t.Fatalf("open hearings: %v, %v", hs, err)
	}
	return hs[0]
}

func TestHearingBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		ctx := context.Background()
		future := time.Now().AddDate(0, 1, 0).Format("2.1.2006")
		// No measures at all.
		if got := h.Say("pl-ingrid", "høring åpne alle frist "+future).Text; !strings.Contains(got, "ingen tiltaksutkast") {
			t.Errorf("opening with no measures: %q", got)
		}
		ids := intaketest.MakeMeasures(t, s, p, 2)
		var unclear store.Measure
		err := s.InTx(ctx, func(tx *store.Tx) error {
			st, err := tx.StrategyByKey(ctx, p.ID, "S2")
			if err != nil {
				return err
			}
			unclear, err = tx.CreateMeasure(ctx, store.System, store.Measure{PlanID: p.ID, StrategyID: st.ID, Text: "Styrke samarbeidet om bolig"}, nil, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct{ who, text, want string }{
			"a non-leader":          {"pg-espen", "høring åpne alle frist " + future, "Bare prosjektlederen"},
			"a member of the group": {"ext-ffo", "høring åpne alle frist " + future, ""},
			"a deadline passed":     {"pl-ingrid", "høring åpne S1 frist 1.1.2020", "Fristen 1. januar 2020 kl. 23.59 har allerede vært"},
			"no deadline":           {"pl-ingrid", "høring åpne S1", "trenger en frist"},
			"a bad time":            {"pl-ingrid", "høring åpne S1 frist " + future + " kl. 25.00", "ikke et klokkeslett"},
			"a channel not in the plan": {"pl-ingrid", "høring åpne S1 frist " + future + " kanal festkomite",
				"Planen har ingen kanal «festkomite». Høringen holdes i referansegruppens kanal: referansegruppe"},
			"an unknown strategy": {"pl-ingrid", "høring åpne S99 frist " + future, "ingen strategi som heter «S99»"},
			"an unknown measure":  {"pl-ingrid", "høring åpne 999 frist " + future, "ikke noe tiltak 999"},
			"a measure hard to check": {"pl-ingrid", "høring åpne alle frist " + future,
				fmt.Sprintf("Tiltak %d er vanskelige å sjekke", unclear.ID)},
			"approving a draft":   {"sg-bjorn", fmt.Sprintf("godkjenn %d", ids[0]), "er ikke hørt ennå"},
			"approving as no one": {"ext-ffo", fmt.Sprintf("godkjenn %d", ids[0]), ""},
			"anchoring a draft":   {"pl-ingrid", fmt.Sprintf("forankre %d", ids[0]), "bare godkjente tiltak kan forankres"},
			"closing with none":   {"pl-ingrid", "høring lukk", "Ingen høring er åpen"},
		} {
			before := len(h.Rec.Messages(bottest.DM(c.who)))
			got := h.Say(c.who, c.text).Text
			if c.want == "" {
				// Not theirs: the words are an answer in their dialog, not a command.
				if strings.Contains(got, "er åpnet") || strings.Contains(got, "godkjent") {
					t.Errorf("%s: %q", name, got)
				}
			} else if !strings.Contains(got, c.want) {
				t.Errorf("%s: %q, want %q", name, got, c.want)
			}
			_ = before
		}
		if hs, _ := s.Hearings(ctx, p.ID); len(hs) != 0 {
			t.Fatalf("bad input opened %d hearings", len(hs))
		}
		for _, id := range append(ids, unclear.ID) {
			m, _ := s.MeasureByID(ctx, id)
			if m.Status != store.StatusDraft {
				t.Errorf("measure %d is %s after bad input", id, m.Status)
			}
		}
	})
}

func TestHearingCloseEarlyAndOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		intaketest.MakeMeasures(t, s, p, 2)
		hr := openOne(t, h, time.Now().Add(72*time.Hour))
		before := len(h.Rec.Messages(bottest.DM("pl-ingrid")))
		h.Say("pl-ingrid", "høring lukk")
		if got := h.Rec.Messages(bottest.DM("pl-ingrid"))[before]; !strings.Contains(got.Text, fmt.Sprintf("Høring %d lukkes nå", hr.ID)) {
			t.Fatalf("closing early: %q", got.Text)
		}
		// The bot's own job closes it (the command asked it to run now).
		waitClosed(t, s, hr.ID)
		h.Send(h.InChannel("pl-ingrid", store.ConsoleChannel(planKey, "referansegruppe"), "", bot.KindMessage)) // let the posts settle
		if got := h.Say("pl-ingrid", "høring lukk").Text; !strings.Contains(got, "Ingen høring er åpen") {
			t.Errorf("closing again: %q", got)
		}
		summaries := 0
		for _, m := range h.Rec.Messages(store.ConsoleChannel(planKey, "referansegruppe")) {
			if strings.Contains(m.Text, "ble lukket") {
				summaries++
			}
		}
		if summaries != 1 {
			t.Errorf("%d summaries posted, want 1", summaries)
		}
		status := h.Say("pl-ingrid", "høring").Text
		if !strings.Contains(status, fmt.Sprintf("Høring %d i #referansegruppe – lukket", hr.ID)) {
			t.Errorf("status after close:\n%s", status)
		}
	})
}

// slowReactor is an adapter whose platform is slow to read, so that two
// processes closing one hearing overlap.
type slowReactor struct{ *bottest.Recorder }

func (slowReactor) AddReaction(context.Context, string, string, string) error { return nil }
func (slowReactor) Reactions(context.Context, string, string) ([]bot.Reaction, error) {
	time.Sleep(30 * time.Millisecond)
	return nil, nil
}

// TestTwoProcessesRemindAndCloseOnce runs the reminder and closing jobs of
// two bot processes at once on one database.
func TestTwoProcessesRemindAndCloseOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h, p := setup(t, s, nil)
		ctx := context.Background()
		intaketest.MakeMeasures(t, s, p, 3)
		hr := openOne(t, h, time.Now().Add(72*time.Hour))
		envs := []bot.JobEnv{}
		for i := range 2 {
			rec := slowReactor{bottest.NewRecorder(bot.Console)}
			envs = append(envs, bot.JobEnv{Store: s, Worker: fmt.Sprintf("process-%d", i), Adapter: func(string) bot.Adapter { return rec }})
		}
		run := func(job func(context.Context, bot.JobEnv) (int, error), now time.Time) int {
			var wg sync.WaitGroup
			counts := make([]int, len(envs)*3)
			for i := range counts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					env := envs[i%len(envs)]
					env.Now = now
					n, err := job(ctx, env)
					if err != nil {
						t.Error(err)
					}
					counts[i] = n
				}()
			}
			wg.Wait()
			total, runs := 0, 0
			for _, n := range counts {
				total += n
				if n > 0 {
					runs++
				}
			}
			if runs > 1 {
				t.Errorf("%d runs did the work", runs)
			}
			return total
		}
		members, _ := s.Members(ctx, p.ID, store.RoleReferenceGroup)
		if n := run(intake.RemindHearings, hr.Deadline.Add(-time.Hour)); n != len(members) {
			t.Errorf("reminders queued: %d, want one per member (%d)", n, len(members))
		}
		if n := run(intake.CloseHearings, hr.Deadline.Add(time.Minute)); n == 0 {
			t.Error("nobody closed the hearing")
		}
		closed, err := s.HearingByID(ctx, hr.ID)
		if err != nil || closed.Status != "closed" {
			t.Fatalf("hearing: %+v, %v", closed, err)
		}
		audit, err := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		closes, reminds := 0, 0
		for _, e := range audit {
			switch e.Action {
			case "hearing.close":
				closes++
			case "hearing.remind":
				reminds++
			}
		}
		if closes != 1 || reminds != 1 {
			t.Errorf("audited %d closes and %d reminders, want 1 each", closes, reminds)
		}
	})
}

// A deadline that passes while no bot runs closes the hearing when one
// starts again, once, however many start.
func TestDeadlineWhileDownClosesOnNextStartOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h1, p := setup(t, s, nil)
		ctx := context.Background()
		intaketest.MakeMeasures(t, s, p, 2)
		hr := openOne(t, h1, time.Now().Add(72*time.Hour))
		// While "down": the deadline passes.
		err := s.InTx(ctx, func(tx *store.Tx) error {
			return tx.MoveHearingDeadline(ctx, store.System, hr, time.Now().Add(-time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		recs := []*bottest.Recorder{h1.Rec}
		for range 2 {
			h := bottest.NewHarness(t, s, intake.New(nil), bot.Console, planKey) // its jobs run as it starts
			recs = append(recs, h.Rec)
			waitClosed(t, s, hr.ID)
			if err := h.Bot.Flush(ctx, bot.Console); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(100 * time.Millisecond) // the last bot's first round of jobs is over
		summaries := 0
		for _, r := range recs {
			for _, m := range r.Messages(store.ConsoleChannel(planKey, "referansegruppe")) {
				if strings.Contains(m.Text, "ble lukket") {
					summaries++
				}
			}
		}
		if summaries != 1 {
			t.Errorf("%d results posted, want 1", summaries)
		}
		closes, err := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID, Action: "hearing.close"})
		if err != nil || len(closes) != 1 {
			t.Errorf("audited closes: %d, %v", len(closes), err)
		}
	})
}

// waitClosed waits until the bot's own jobs have closed the hearing.
func waitClosed(t *testing.T, s *store.Store, id int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := s.HearingByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == "closed" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the hearing did not close")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
