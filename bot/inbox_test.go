package bot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func flushAll(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Flush(ctx, bot.Slack); err != nil {
		t.Fatal(err)
	}
}

// With the inbox, Handle returns once the event is recorded; the events
// are applied after, once each, in order per conversation.
func TestInboxAppliesOnceInOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		h := bottest.NewHarnessWith(t, s, echo(1), bot.Slack, "T0FJORDVIK", bot.Config{Inbox: true})
		var first bot.Event
		for i := range 5 {
			ev := h.Event("U0JONAS", bot.KindMessage)
			ev.Text = fmt.Sprintf("m%d", i)
			if i == 0 {
				first = ev
			}
			if err := h.Bot.Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
		}
		// Delivered again, while waiting or after: no second effect.
		if err := h.Bot.Handle(context.Background(), first); err != nil {
			t.Fatal(err)
		}
		flushAll(t, h.Bot)
		got := h.Rec.Messages(bottest.DM("U0JONAS"))
		if len(got) != 5 {
			t.Fatalf("%d replies, want 5: %v", len(got), got)
		}
		for i, m := range got {
			if want := fmt.Sprintf("m%d #0", i); m.Text != want {
				t.Errorf("reply %d = %q, want %q", i, m.Text, want)
			}
		}
		if err := h.Bot.Handle(context.Background(), first); err != nil {
			t.Fatal(err)
		}
		flushAll(t, h.Bot)
		if n := len(h.Rec.Messages(bottest.DM("U0JONAS"))); n != 5 {
			t.Errorf("a redelivery after applying made %d replies, want 5", n)
		}
		if n, err := s.PendingInbox(context.Background()); err != nil || n != 0 {
			t.Errorf("inbox after flush: %d, %v", n, err)
		}
	})
}

// What a process recorded and could not apply (it stopped) is applied by
// the next one.
func TestInboxRecordedByAStoppedProcessIsApplied(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		stopped := bot.New(s, echo(1), bot.Config{Inbox: true}, bottest.NewRecorder(bot.Slack))
		for i := range 3 {
			ev := bot.Event{ID: fmt.Sprintf("early-%d", i), Platform: bot.Slack, Workspace: "T0FJORDVIK",
				Channel: bottest.DM("U0KJETIL"), DM: true, User: "U0KJETIL", Kind: bot.KindMessage, Text: fmt.Sprintf("e%d", i), At: time.Now()}
			if err := stopped.Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
		}
		h := bottest.NewHarnessWith(t, s, echo(1), bot.Slack, "T0FJORDVIK", bot.Config{Inbox: true})
		flushAll(t, h.Bot)
		got := h.Rec.Messages(bottest.DM("U0KJETIL"))
		if len(got) != 3 || got[0].Text != "e0 #0" || got[2].Text != "e2 #0" {
			t.Fatalf("replies = %v", got)
		}
	})
}

// An event that cannot be applied is tried again, then set aside (kept),
// and stops holding up its conversation; other conversations go on.
func TestInboxSetsAsideAnEventThatKeepsFailing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		tries := 0
		h := bottest.NewHarnessWith(t, s, bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
			if req.Text == "bad" {
				tries++
				return nil, errors.New("cannot")
			}
			return []bot.Message{req.Reply(req.Text + " ok")}, nil
		}), bot.Slack, "T0FJORDVIK", bot.Config{Inbox: true})
		for _, text := range []string{"bad", "after"} {
			ev := h.Event("U0JONAS", bot.KindMessage)
			ev.Text = text
			if err := h.Bot.Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
		}
		other := h.Say("U0GEIRH", "other")
		if other.Text != "other ok" {
			t.Errorf("another conversation got %q", other.Text)
		}
		flushAll(t, h.Bot)
		got := h.Rec.Messages(bottest.DM("U0JONAS"))
		if len(got) != 1 || got[0].Text != "after ok" {
			t.Fatalf("after the bad event was set aside: %v", got)
		}
		if tries != 5 {
			t.Errorf("tried %d times, want 5", tries)
		}
		if n, _ := s.PendingInbox(context.Background()); n != 0 {
			t.Errorf("%d still pending", n)
		}
	})
}
