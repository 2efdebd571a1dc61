package intaketest

import (
	"context"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/store"
)

// ChannelDriver plays people in the plan's channels on one platform.
type ChannelDriver interface {
	// Settle waits until every queued message has been delivered.
	Settle()
	// Channel is the platform's ID of one of the plan's channels, by key.
	Channel(key string) string
	// Command gives "/dugnad TEXT" in a channel as the actor.
	Command(actor, channel, text string)
	// Post writes a top-level message in a channel and returns its
	// platform reference; Reply writes in a message's thread.
	Post(actor, channel, text string) string
	Reply(actor, channel, thread, text string)
	// Posts are the bot's messages in a channel, top level and in
	// threads, oldest first.
	Posts(channel string) []Posted
	// Click presses a button of one of the bot's messages in a channel.
	Click(actor, channel string, p Posted, label string)
}

// Posted is a message the bot posted in a channel.
type Posted struct {
	Ref     string
	Thread  string // the thread's root; "" at top level
	Text    string
	Buttons []string
}

func lastPosted(t *testing.T, d ChannelDriver, channel, containing string) Posted {
	t.Helper()
	posts := d.Posts(channel)
	for i := len(posts) - 1; i >= 0; i-- {
		if strings.Contains(posts[i].Text, containing) {
			return posts[i]
		}
	}
	var texts []string
	for _, p := range posts {
		texts = append(texts, p.Text)
	}
	t.Fatalf("no message in %s contains %q; there are:\n%s", channel, containing, strings.Join(texts, "\n---\n"))
	return Posted{}
}

// IdeaSession runs an idea session in the intake channel: the project
// leader starts it on a strategy, two actors answer question 1 in its
// thread, the leader moves on, one answers question 2 and one more comes
// late to question 1; at the end the bot posts the count per question, and
// every answer is a suggestion for its question, by its author.
func IdeaSession(t *testing.T, st *store.Store, plan store.Plan, d ChannelDriver, leader, a, b string) {
	t.Helper()
	ctx := context.Background()
	ch := d.Channel("innspill")

	d.Command(a, ch, "idedugnad start S5")
	d.Settle()
	if last := d.Posts(ch); len(last) == 0 || !strings.Contains(last[len(last)-1].Text, "Bare prosjektleder og prosjektgruppen") {
		t.Fatalf("an actor could start an idea session: %v", last)
	}
	d.Command(leader, ch, "idedugnad start S5")
	d.Settle()
	intro := lastPosted(t, d, ch, "Idédugnad om strategi S5")
	if !strings.Contains(intro.Text, "Svar i tråden") {
		t.Errorf("the intro does not say how to answer:\n%s", intro.Text)
	}
	q1 := lastPosted(t, d, ch, "Spørsmål 1 av 7")
	d.Reply(a, ch, q1.Ref, "Vi trenger flere akuttplasser om vinteren")
	d.Reply(b, ch, q1.Ref, "Housing First bør gjelde for unge også")
	d.Command(leader, ch, "idedugnad neste")
	d.Settle()
	q2 := lastPosted(t, d, ch, "Spørsmål 2 av 7")
	d.Reply(a, ch, q2.Ref, "Bruk husleierestanse-varsler tidligere")
	d.Reply(b, ch, q1.Ref, "Og et nødnummer for dem som står uten bolig i helgene")
	d.Command(leader, ch, "idedugnad stopp")
	d.Settle()
	summary := lastPosted(t, d, ch, "Innspill per spørsmål")
	for _, want := range []string{"1. Har kommunen behov for andre virkemidler enn det den har i dag? – 3 innspill",
		"2. Skal kommunen intensivere bruken av et virkemiddel? – 1 innspill", "Til sammen 4 innspill"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Text)
		}
	}
	got, err := st.Suggestions(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		q     int
		actor string
	}{
		"Vi trenger flere akuttplasser om vinteren":             {1, a},
		"Housing First bør gjelde for unge også":                {1, b},
		"Bruk husleierestanse-varsler tidligere":                {2, a},
		"Og et nødnummer for dem som står uten bolig i helgene": {1, b},
	}
	if len(got) != len(want) {
		t.Fatalf("%d suggestions, want %d: %+v", len(got), len(want), got)
	}
	for _, g := range got {
		w, ok := want[g.Text]
		if !ok || g.Question != w.q || g.ActorKey != w.actor || g.StrategyKey != "S5" || g.Origin != store.OriginIdeaSession {
			t.Errorf("suggestion %+v, want question %d by %s under S5 from the idea session", g, w.q, w.actor)
		}
	}
}

// IntakeChannel posts free text in the intake channel: it is stored at
// once, the bot answers in its thread with its guess and buttons, the
// author confirms; a second one is left without a strategy; someone else
// cannot choose for an author.
func IntakeChannel(t *testing.T, st *store.Store, plan store.Plan, d ChannelDriver, a, other string) {
	t.Helper()
	ctx := context.Background()
	ch := d.Channel("innspill")
	ref := d.Post(a, ch, "Folk blir kastet ut fordi de skylder husleie. Noen må ringe dem før namsmannen kommer.")
	d.Settle()
	answer := lastPosted(t, d, ch, "Innspillet er lagret")
	if answer.Thread != ref || !strings.Contains(answer.Text, "strategi S5") || len(answer.Buttons) < 3 || !strings.HasPrefix(answer.Buttons[0], "✓ S5") {
		t.Fatalf("the answer to free text: %+v", answer)
	}
	got, _ := st.Suggestions(ctx, plan.ID)
	if len(got) != 1 || got[0].StrategyKey != "" || got[0].Origin != store.OriginIntakeChannel {
		t.Fatalf("stored at once and unfiled: %+v", got)
	}
	d.Click(other, ch, answer, "✓ S5")
	d.Settle()
	if last := d.Posts(ch); !strings.Contains(last[len(last)-1].Text, "Bare den som skrev innspillet") {
		t.Errorf("someone else chose the strategy: %q", last[len(last)-1].Text)
	}
	d.Click(a, ch, answer, "✓ S5")
	d.Settle()
	lastPosted(t, d, ch, "lagret under strategi S5")
	if got, _ := st.Suggestions(ctx, plan.ID); got[0].StrategyKey != "S5" {
		t.Errorf("after confirming: %+v", got[0])
	}

	d.Post(a, ch, "hei hei")
	d.Settle()
	second := lastPosted(t, d, ch, "Innspillet er lagret")
	d.Click(a, ch, second, "Uten strategi")
	d.Settle()
	lastPosted(t, d, ch, "står uten strategi")
	got, _ = st.Suggestions(ctx, plan.ID)
	if len(got) != 2 || got[1].StrategyKey != "" || got[1].Text != "hei hei" {
		t.Errorf("the second suggestion: %+v", got)
	}
}
