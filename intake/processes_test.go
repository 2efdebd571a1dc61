package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// Two bot processes on one PostgreSQL (each with its own connection pool,
// as after a rolling deploy): an actor's dialog moves between them event by
// event and nothing is lost; every message is delivered once, in order per
// channel, by whichever process claims it.
func TestTwoProcessesShareTheWork(t *testing.T) {
	t.Parallel()
	backend := storetest.New(t, "postgres")
	s1 := storetest.Open(t, backend.URL)
	s2 := storetest.Open(t, backend.URL)
	p := storetest.LoadExample(t, s1, nil)
	ctx := context.Background()
	h1 := bottest.NewHarness(t, s1, intake.New(nil), bot.Console, planKey)
	h2 := bottest.NewHarness(t, s2, intake.New(nil), bot.Console, planKey)
	hs := []*bottest.Harness{h1, h2}

	// lastTo is the newest message to the actor, whichever process sent it.
	lastTo := func(user string) bot.Message {
		t.Helper()
		all, err := s1.OutboxMessages(ctx, bot.Console)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(all) - 1; i >= 0; i-- {
			var m bot.Message
			if err := json.Unmarshal(all[i].Payload, &m); err != nil {
				t.Fatal(err)
			}
			if u, ok := bot.DMUser(m.Channel); (ok && u == user) || m.Channel == bottest.DM(user) {
				return m
			}
		}
		t.Fatalf("no message to %s", user)
		return bot.Message{}
	}
	n := 0
	say := func(user, text string) bot.Message {
		h := hs[n%2]
		n++
		ev := h.Event(user, bot.KindMessage)
		ev.ID = fmt.Sprintf("p%d-%s", n, ev.ID) // the harnesses count from 1 each
		ev.Text = text
		h.Send(ev)
		return lastTo(user)
	}
	pick := func(user, label string) bot.Message {
		t.Helper()
		last := lastTo(user)
		for _, c := range last.Choices {
			if strings.HasPrefix(c.Label, label) {
				h := hs[n%2]
				n++
				ev := h.Event(user, bot.KindChoice)
				ev.ID = fmt.Sprintf("p%d-%s", n, ev.ID)
				ev.Choice = c.ID
				h.Send(ev)
				return lastTo(user)
			}
		}
		t.Fatalf("no choice %q in %q", label, last.Text)
		return bot.Message{}
	}
	const actor = "ext-husbanken"
	say(actor, "hei")
	pick(actor, "Ja")
	pick(actor, "S1 –")
	say(actor, "Startlån til flere unge, med kortere saksbehandlingstid.")
	pick(actor, "Må")
	pick(actor, "Sammen")
	for range 6 {
		pick(actor, "Hopp over")
	}
	if got := pick(actor, "Send inn"); !strings.Contains(got.Text, "Takk!") {
		t.Fatalf("after submitting: %q", got.Text)
	}
	suggestions, err := s2.Suggestions(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(suggestions) != 1 || suggestions[0].Text != "Startlån til flere unge, med kortere saksbehandlingstid." || suggestions[0].Basis != store.BasisMust {
		t.Fatalf("filed across two processes: %+v", suggestions)
	}

	// A burst of messages to a few channels, with both dispatchers running.
	err = s1.InTx(ctx, func(tx *store.Tx) error {
		for i := range 60 {
			if err := bot.Enqueue(ctx, tx, p.ID, bot.Message{Platform: bot.Console, Channel: fmt.Sprintf("burst-%d", i%4), Text: fmt.Sprintf("%03d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h1.Bot.Wake()
	h2.Bot.Wake()
	flushCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := h1.Bot.Flush(flushCtx, bot.Console); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	split := [2]int{}
	for k, h := range hs {
		for c := range 4 {
			split[k] += len(h.Rec.Messages(fmt.Sprintf("burst-%d", c)))
		}
	}
	t.Logf("the burst went out %d by one process, %d by the other", split[0], split[1])
	for _, h := range hs {
		for c := range 4 {
			last := -1
			for _, m := range h.Rec.Messages(fmt.Sprintf("burst-%d", c)) {
				seen[m.Text]++
				i, _ := strconv.Atoi(m.Text)
				if i <= last {
					t.Errorf("burst-%d: %d after %d in one process", c, i, last)
				}
				last = i
			}
		}
	}
	for i := range 60 {
		if k := seen[fmt.Sprintf("%03d", i)]; k != 1 {
			t.Errorf("message %03d delivered %d times", i, k)
		}
	}
	if len(h1.Rec.Sent("burst-0"))+len(h2.Rec.Sent("burst-0")) != 15 {
		t.Errorf("burst-0 got %d messages, want 15", len(h1.Rec.Sent("burst-0"))+len(h2.Rec.Sent("burst-0")))
	}
}
