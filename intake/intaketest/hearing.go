package intaketest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/lint"
	"github.com/kommune-dugnad/dugnad/store"
)

// HearingDriver plays the hearing on a platform: channels and threads, the
// actors' direct messages, reactions, and the bot's scheduled work.
type HearingDriver interface {
	ChannelDriver
	// Say sends a direct message from the actor to the bot and waits for
	// the reply; Messages are the texts the actor got privately.
	Say(actor, text string)
	Messages(actor string) []string
	// React adds (remove: takes away) the actor's reaction on a message.
	// emoji is the character ("👍"); a driver names it as its platform
	// does. With deliver false the platform shows the change but the bot
	// is not told: an event lost on the way.
	React(actor, channel, ref, emoji string, remove, deliver bool)
	// Lossy reports whether the platform keeps reactions of its own, so
	// that an undelivered reaction can be read back at close.
	Lossy() bool
	// JobEnv is what the bot's scheduled work gets when it runs at now.
	JobEnv(now time.Time) bot.JobEnv
}

// HearingCast are the people of the hearing scenario: the project leader,
// three reference-group members, someone outside the group, and two of the
// steering group. Each must be reachable on the driver's platform.
type HearingCast struct {
	Leader    string
	Members   [3]string
	NonMember string
	Steering  [2]string
}

// MakeMeasures creates n checkable measure drafts under strategy S1, as
// the project group would, and returns their IDs.
func MakeMeasures(t testing.TB, st *store.Store, plan store.Plan, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	texts := []string{
		"Boligkontoret oppretter 20 nye utleieboliger for unge mellom 18 og 25 år",
		"NAV og boligkontoret innfører ett felles kontaktpunkt for startlån med svar innen 14 dager",
		"Kommunen ansetter to nye bo-oppfølgere i Helse og omsorg",
		"Boligkontoret kjøper 10 boliger til personer med rusutfordringer",
	}
	var ids []int64
	err := st.InTx(ctx, func(tx *store.Tx) error {
		s, err := tx.StrategyByKey(ctx, plan.ID, "S1")
		if err != nil {
			return err
		}
		for i := range n {
			m := store.Measure{PlanID: plan.ID, StrategyID: s.ID, Text: texts[i%len(texts)], Responsible: "Boligkontoret", Deadline: "2027-12-31"}
			if !lint.Check(lint.Measure{Text: m.Text, Responsible: m.Responsible, Deadline: m.Deadline}).Checkable() {
				return fmt.Errorf("scenario measure %q is not checkable", m.Text)
			}
			made, err := tx.CreateMeasure(ctx, store.System, m, nil, nil)
			if err != nil {
				return err
			}
			ids = append(ids, made.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// Hearing runs the hearing issue's scenario: the leader opens a hearing on
// three measures; members vote (with a change, a withdrawal and an emoji
// that is no vote), someone outside the group reacts and is told once why
// it does not count, people comment in the threads; the reminder goes once
// to those who have not voted on everything; at the deadline the hearing
// closes (on a lossy platform, with some vote events never delivered, the
// tally is what the platform shows for members), posts its result and
// hands the measures to the steering group, which approves one by button
// or command and returns one with a reason; the leader anchors the approved
// one.
func Hearing(t *testing.T, st *store.Store, plan store.Plan, d HearingDriver, cast HearingCast) {
	t.Helper()
	ctx := context.Background()
	ids := MakeMeasures(t, st, plan, 3)
	m1, m2, m3 := ids[0], ids[1], ids[2]
	ref := d.Channel("referansegruppe")
	loc := plan.Location()
	deadline := time.Now().In(loc).AddDate(0, 0, 5)
	deadline = time.Date(deadline.Year(), deadline.Month(), deadline.Day(), 12, 0, 0, 0, loc)

	d.Say(cast.Leader, "høring åpne alle frist "+deadline.Format("2.1.2006")+" kl. 12.00")
	d.Settle()
	if got := lastText(d.Messages(cast.Leader)); !strings.Contains(got, "Høring") || !strings.Contains(got, "er åpnet i #referansegruppe med 3 tiltak") ||
		!strings.Contains(got, longDate(deadline)+" kl. 12.00") {
		t.Fatalf("the leader was told %q", got)
	}
	posts := map[int64]Posted{}
	for _, p := range d.Posts(ref) {
		for _, id := range ids {
			if p.Thread == "" && strings.HasPrefix(p.Text, fmt.Sprintf("Tiltak %d · S1", id)) {
				posts[id] = p
			}
		}
	}
	if len(posts) != 3 {
		t.Fatalf("want one post per measure in the reference channel, got %d:\n%v", len(posts), d.Posts(ref))
	}
	if intro := lastPosted(t, d, ref, "Høring om tiltak"); !strings.Contains(intro.Text, "👍 støtter, 👎 mot, 🤔 usikker") || !strings.Contains(intro.Text, "kl. 12.00") {
		t.Errorf("the introduction:\n%s", intro.Text)
	}
	if p := posts[m2]; !strings.Contains(p.Text, "Ansvar: Boligkontoret") || !strings.Contains(p.Text, "31. desember 2027") || !strings.Contains(p.Text, "Bygger på 0 innspill") {
		t.Errorf("a measure's post:\n%s", p.Text)
	}
	for _, id := range ids {
		if m := measure(t, st, id); m.Status != store.StatusOnHearing {
			t.Fatalf("measure %d is %s, want on hearing", id, m.Status)
		}
	}

	a, b, c := cast.Members[0], cast.Members[1], cast.Members[2]
	react := func(who string, id int64, emoji string) {
		d.React(who, ref, posts[id].Ref, emoji, false, true)
		d.Settle()
	}
	unreact := func(who string, id int64, emoji string) {
		d.React(who, ref, posts[id].Ref, emoji, true, true)
		d.Settle()
	}
	// A changes their mind on m1, and A's party emoji is no vote; B votes
	// on m1 and withdraws.
	react(a, m1, "👍")
	unreact(a, m1, "👍")
	react(a, m1, "👎")
	react(a, m1, "🎉")
	react(b, m1, "👍")
	unreact(b, m1, "👍")
	react(b, m2, "🤔")
	react(c, m2, "👍")
	react(c, m3, "👎")
	// Lost on the way (where the platform keeps reactions): B's withdrawal
	// on m2 and C's vote on m1.
	d.React(b, ref, posts[m2].Ref, "🤔", true, false)
	d.React(c, ref, posts[m1].Ref, "👍", false, false)
	d.Settle()
	// Someone outside the reference group is told once, privately.
	before := len(d.Messages(cast.NonMember))
	react(cast.NonMember, m1, "👍")
	react(cast.NonMember, m2, "👎")
	if got := d.Messages(cast.NonMember)[before:]; len(got) != 1 || !strings.Contains(got[0], "telles ikke som stemme") {
		t.Errorf("the non-member was told %q; want one explanation", got)
	}
	if d.Lossy() {
		// The bot missed C's vote on m1 and B's withdrawal on m2.
		tallyIs(t, st, m1, 0, 1, 0)
		tallyIs(t, st, m2, 1, 0, 1)
	} else {
		tallyIs(t, st, m1, 1, 1, 0)
		tallyIs(t, st, m2, 1, 0, 0)
	}
	tallyIs(t, st, m3, 0, 1, 0)

	// Comments, from a member and from outside the group.
	d.Reply(b, ref, posts[m1].Ref, "Bra tiltak, men husk universell utforming.")
	d.Reply(cast.NonMember, ref, posts[m2].Ref, "Hva med studenter?")
	d.Settle()

	// The reminder, 48 hours before the deadline as the plan says, once,
	// to each member who has not voted on every measure (C has, unless
	// their vote on m1 was lost on the way).
	wantReminders := map[string]int{a: 1, b: 1, c: 0}
	if d.Lossy() {
		wantReminders[c] = 1
	}
	for who, want := range wantReminders {
		before := len(d.Messages(who))
		defer func() {
			if t.Failed() {
				return
			}
			n := 0
			for _, m := range d.Messages(who)[before:] {
				if strings.Contains(m, "Påminnelse") {
					n++
				}
			}
			if n != want {
				t.Errorf("%s got %d reminders, want %d", who, n, want)
			}
		}()
	}
	remindAt := deadline.Add(-47 * time.Hour)
	if n, err := intake.RemindHearings(ctx, d.JobEnv(remindAt)); err != nil || n == 0 {
		t.Fatalf("reminders: %d, %v", n, err)
	}
	if n, err := intake.RemindHearings(ctx, d.JobEnv(remindAt.Add(time.Hour))); err != nil || n != 0 {
		t.Fatalf("a second round of reminders: %d, %v", n, err)
	}
	d.Settle()
	reminder := lastText(d.Messages(a))
	if !strings.Contains(reminder, "Påminnelse") || !strings.Contains(reminder, fmt.Sprintf("Tiltak %d:", m2)) ||
		!strings.Contains(reminder, fmt.Sprintf("Tiltak %d:", m3)) || strings.Contains(reminder, fmt.Sprintf("Tiltak %d:", m1)) {
		t.Errorf("A's reminder should list m2 and m3, not m1:\n%s", reminder)
	}

	// Nothing closes before the deadline; at it, the hearing closes once.
	if n, err := intake.CloseHearings(ctx, d.JobEnv(deadline.Add(-time.Minute))); err != nil || n != 0 {
		t.Fatalf("closed before the deadline: %d, %v", n, err)
	}
	if n, err := intake.CloseHearings(ctx, d.JobEnv(deadline.Add(time.Minute))); err != nil || n == 0 {
		t.Fatalf("closing: %d, %v", n, err)
	}
	if n, err := intake.CloseHearings(ctx, d.JobEnv(deadline.Add(2*time.Minute))); err != nil || n != 0 {
		t.Fatalf("closed twice: %d, %v", n, err)
	}
	d.Settle()
	tallyIs(t, st, m1, 1, 1, 0) // what the platform shows for members
	if d.Lossy() {
		entries, err := st.AuditLog(ctx, store.AuditFilter{PlanID: plan.ID, Action: "hearing.reconcile"})
		if err != nil || len(entries) != 1 || !strings.Contains(string(entries[0].After), `"votes_changed":2`) {
			t.Errorf("the reconciliation's audit: %v, %v; want one entry with 2 votes changed", entries, err)
		}
	}
	tallyIs(t, st, m2, 1, 0, 0)
	tallyIs(t, st, m3, 0, 1, 0)
	for _, id := range ids {
		if m := measure(t, st, id); m.Status != store.StatusHeard {
			t.Fatalf("measure %d is %s after close, want heard", id, m.Status)
		}
	}
	summary := lastPosted(t, d, ref, "ble lukket")
	for _, want := range []string{fmt.Sprintf("Tiltak %d (S1): 👍 1 · 👎 1 · 🤔 0", m1), fmt.Sprintf("Tiltak %d (S1): 👍 0 · 👎 1 · 🤔 0", m3), "styringsgruppen"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary.Text)
		}
	}
	result := lastPosted(t, d, ref, fmt.Sprintf("Resultat for tiltak %d:", m1))
	if result.Thread != posts[m1].Ref || !strings.Contains(result.Text, "👍 1 · 👎 1 · 🤔 0") {
		t.Errorf("m1's result, in its thread %q (want %q): %s", result.Thread, posts[m1].Ref, result.Text)
	}
	comments := commentsOn(t, st, plan, m2)
	if len(comments) != 1 || comments[0].IsMember || comments[0].Text != "Hva med studenter?" {
		t.Errorf("m2's comments: %+v; want the non-member's, marked as such", comments)
	}
	if cs := commentsOn(t, st, plan, m1); len(cs) != 1 || !cs[0].IsMember {
		t.Errorf("m1's comments: %+v; want B's, a member's", cs)
	}

	// Voting after the close changes nothing and is explained once.
	before = len(d.Messages(a))
	react(a, m2, "👍")
	tallyIs(t, st, m2, 1, 0, 0)
	if got := d.Messages(a)[before:]; len(got) != 1 || !strings.Contains(got[0], "er lukket") {
		t.Errorf("a vote after the close was answered %q", got)
	}

	// The steering group decides.
	s1, s2 := cast.Steering[0], cast.Steering[1]
	if steering := d.Channel("styringsgruppe"); steering != "" {
		p := lastPosted(t, d, steering, fmt.Sprintf("Tiltak %d · S1", m1))
		if !strings.Contains(p.Text, "Stemmer: 👍 1 · 👎 1 · 🤔 0") || !strings.Contains(p.Text, "universell utforming") {
			t.Errorf("the steering group's view of m1:\n%s", p.Text)
		}
		d.Click(s1, steering, p, "Godkjenn")
		d.Settle()
	} else {
		got := strings.Join(d.Messages(s1), "\n")
		if !strings.Contains(got, fmt.Sprintf("Tiltak %d · S1", m1)) || !strings.Contains(got, "Godkjenn eller returner") {
			t.Fatalf("the steering group was not handed the measures:\n%s", got)
		}
		d.Say(s1, fmt.Sprintf("godkjenn %d", m1))
	}
	d.Say(s2, fmt.Sprintf("returner %d", m2))
	if got := lastText(d.Messages(s2)); !strings.Contains(got, "trenger en begrunnelse") {
		t.Errorf("a return without a reason was answered %q", got)
	}
	d.Say(s2, fmt.Sprintf("returner %d Mangler kostnadsoverslag", m2))
	d.Say(s2, fmt.Sprintf("godkjenn %d", m2))
	if got := lastText(d.Messages(s2)); !strings.Contains(got, "allerede sendt tilbake") {
		t.Errorf("approving a returned measure was answered %q", got)
	}
	d.Say(s2, fmt.Sprintf("godkjenn %d", m3))
	d.Settle() // the leader's notes of the decisions are out
	before = len(d.Messages(cast.Leader))
	d.Say(cast.Leader, fmt.Sprintf("forankre %d", m2))
	d.Settle()
	if got := strings.Join(d.Messages(cast.Leader)[before:], "\n"); !strings.Contains(got, "bare godkjente tiltak kan forankres") {
		t.Errorf("anchoring a returned measure was answered %q", got)
	}
	d.Say(cast.Leader, fmt.Sprintf("forankre %d", m1))
	d.Settle()
	if got := strings.Join(d.Messages(cast.Leader), "\n"); !strings.Contains(got, "Mangler kostnadsoverslag") || !strings.Contains(got, fmt.Sprintf("Forankret: tiltak %d.", m1)) {
		t.Errorf("the leader was not told of the return and the anchoring:\n%s", got)
	}
	for id, want := range map[int64]store.MeasureStatus{m1: store.StatusAnchored, m2: store.StatusReturned, m3: store.StatusApproved} {
		if m := measure(t, st, id); m.Status != want {
			t.Errorf("measure %d is %s, want %s", id, m.Status, want)
		}
	}
	if m := measure(t, st, m2); m.ReturnReason != "Mangler kostnadsoverslag" {
		t.Errorf("the return reason is %q", m.ReturnReason)
	}
}

func lastText(msgs []string) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1]
}

func measure(t testing.TB, st *store.Store, id int64) store.Measure {
	t.Helper()
	m, err := st.MeasureByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// itemOf is the measure's item on its (latest) hearing.
func itemOf(t testing.TB, st *store.Store, planID, measureID int64) store.HearingItem {
	t.Helper()
	ctx := context.Background()
	hs, err := st.Hearings(ctx, planID)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(hs) - 1; i >= 0; i-- {
		items, err := st.HearingItems(ctx, hs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.MeasureID == measureID {
				return it
			}
		}
	}
	t.Fatalf("measure %d is on no hearing", measureID)
	return store.HearingItem{}
}

// tallyIs checks a measure's tally: frozen if its hearing closed, else
// counted from the stored votes.
func tallyIs(t testing.TB, st *store.Store, measureID int64, support, oppose, unsure int) {
	t.Helper()
	m := measure(t, st, measureID)
	it := itemOf(t, st, m.PlanID, measureID)
	got := [3]int{}
	if it.Support != nil {
		got = [3]int{*it.Support, *it.Oppose, *it.Unsure}
	} else {
		votes, err := st.Votes(context.Background(), it.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range votes {
			got[map[string]int{"support": 0, "oppose": 1, "unsure": 2}[v.Choice]]++
		}
	}
	if want := [3]int{support, oppose, unsure}; got != want {
		t.Errorf("measure %d: support/oppose/unsure %v, want %v", measureID, got, want)
	}
}

func commentsOn(t testing.TB, st *store.Store, plan store.Plan, measureID int64) []store.HearingComment {
	t.Helper()
	cs, err := st.HearingComments(context.Background(), itemOf(t, st, plan.ID, measureID).ID)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
