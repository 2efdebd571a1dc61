package bot_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func loadPlan(t *testing.T, s *store.Store) store.Plan { return storetest.LoadExample(t, s, nil) }

// echo replies to every message with its text, n times.
func echo(n int) bot.HandlerFunc {
	return func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
		var out []bot.Message
		for i := 0; i < n; i++ {
			out = append(out, req.Reply(fmt.Sprintf("%s #%d", req.Text, i)))
		}
		return out, nil
	}
}

func TestDispatcherDeliversEverythingOnceInOrderDespiteRateLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		h := bottest.NewHarness(t, s, echo(5), bot.Slack, "T0FJORDVIK")
		var limited atomic.Int32
		h.Rec.SendHook = func(m bot.Message) error {
			if rand.IntN(10) < 3 {
				limited.Add(1)
				return &bot.RetryAfterError{After: 5 * time.Millisecond, Err: errors.New("429")}
			}
			return nil
		}
		users := []string{"U0JONAS", "U0KJETIL", "U0GEIRH", "U0MARIAE"}
		var wg sync.WaitGroup
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					ev := h.Event(u, bot.KindMessage)
					ev.Text = fmt.Sprintf("%s-%d", u, i)
					if err := h.Bot.Handle(context.Background(), ev); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := h.Bot.Flush(ctx, bot.Slack); err != nil {
			t.Fatal(err)
		}
		if limited.Load() == 0 {
			t.Error("the fake never rate-limited; the test proves nothing")
		}
		for _, u := range users {
			got := h.Rec.Messages(bottest.DM(u))
			if len(got) != 50 {
				t.Fatalf("%s got %d messages, want 50", u, len(got))
			}
			for i, m := range got {
				if want := fmt.Sprintf("%s-%d #%d", u, i/5, i%5); m.Text != want {
					t.Fatalf("%s message %d = %q, want %q (order per channel)", u, i, m.Text, want)
				}
			}
		}
	})
}

func TestPermanentFailureDoesNotBlockTheChannelForever(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		h := bottest.NewHarness(t, s, echo(1), bot.Slack, "T0FJORDVIK")
		h.Rec.SendHook = func(m bot.Message) error {
			if strings.HasPrefix(m.Text, "bad") {
				return bot.Permanent(errors.New("invalid_blocks"))
			}
			return nil
		}
		bad := h.Event("U0JONAS", bot.KindMessage)
		bad.Text = "bad"
		h.Send(bad)
		reply := h.Say("U0JONAS", "good")
		if reply.Text != "good #0" {
			t.Errorf("last = %q", reply.Text)
		}
		msgs, _ := s.OutboxMessages(context.Background(), bot.Slack)
		if len(msgs) != 2 || msgs[0].FailedAt == nil || !strings.Contains(msgs[0].LastError, "invalid_blocks") || msgs[1].DeliveredAt == nil {
			t.Errorf("outbox = %+v", msgs)
		}
	})
}

func TestHandlerPanicKeepsNothingAndTheEventCanComeAgain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		var calls atomic.Int32
		h := bottest.NewHarness(t, s, bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
			if calls.Add(1) == 1 {
				panic("boom")
			}
			return []bot.Message{req.Reply("ok")}, nil
		}), bot.Slack, "T0FJORDVIK")
		ev := h.Event("U0JONAS", bot.KindMessage)
		err := h.Bot.Handle(context.Background(), ev)
		if err == nil || !strings.Contains(err.Error(), "panic") {
			t.Fatalf("err = %v, want the panic as an error", err)
		}
		if done, _ := s.EventProcessed(context.Background(), bot.Slack, ev.ID); done {
			t.Fatal("a failed event was recorded as processed")
		}
		h.Send(ev) // the platform redelivers it
		if got := h.Last("U0JONAS").Text; got != "ok" {
			t.Errorf("reply = %q", got)
		}
	})
}

func TestLostRaceIsRetried(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		var calls atomic.Int32
		h := bottest.NewHarness(t, s, bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
			if calls.Add(1) < 3 {
				return []bot.Message{req.Reply("lost")}, fmt.Errorf("dialog: %w", store.ErrConflict)
			}
			return []bot.Message{req.Reply("won")}, nil
		}), bot.Slack, "T0FJORDVIK")
		h.Say("U0JONAS", "x")
		if got := h.Rec.Messages(""); len(got) != 1 || got[0].Text != "won" {
			t.Errorf("messages = %+v, want only the winning attempt's", got)
		}
	})
}

func TestResolveFindsPlanActorAndRoles(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		p := loadPlan(t, s)
		got := make(chan *bot.Request, 10)
		h := bottest.NewHarness(t, s, bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
			got <- req
			return nil, nil
		}), bot.Discord, "")
		cases := []struct {
			name                 string
			ev                   bot.Event
			plan, actor, channel string
			roles                []store.Role
		}{
			{"discord DM has no server", bot.Event{User: "1190000000000000101", DM: true, Channel: "dm-1"}, p.Key, "pl-ingrid", "", []store.Role{store.RoleProjectLeader}},
			{"plan's channel", bot.Event{User: "1190000000000000104", Channel: "1190000000000000202", Workspace: "1190000000000000001"}, p.Key, "ext-mental-helse", "referansegruppe", []store.Role{store.RoleReferenceGroup}},
			{"stranger in the plan's server", bot.Event{User: "999999999999999999", Channel: "1190000000000000299", Workspace: "1190000000000000001"}, p.Key, "", "", nil},
			{"stranger nowhere", bot.Event{User: "999999999999999999", Channel: "x", Workspace: "1190000000000000999"}, "", "", "", nil},
		}
		for i, c := range cases {
			c.ev.ID, c.ev.Platform, c.ev.Kind = "resolve-"+strconv.Itoa(i), bot.Discord, bot.KindMessage
			h.Send(c.ev)
			req := <-got
			var plan, actor, channel string
			if req.Plan != nil {
				plan = req.Plan.Key
			}
			if req.Actor != nil {
				actor = req.Actor.Key
			}
			if req.PlanChannel != nil {
				channel = req.PlanChannel.Key
			}
			if plan != c.plan || actor != c.actor || channel != c.channel || fmt.Sprint(req.Roles) != fmt.Sprint(c.roles) {
				t.Errorf("%s: plan %q actor %q channel %q roles %v; want %q %q %q %v", c.name, plan, actor, channel, req.Roles, c.plan, c.actor, c.channel, c.roles)
			}
		}
	})
}

func TestRunDrainsTheOutboxWhenAdaptersStop(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		rec := bottest.NewRecorder(bot.Slack)
		once := &stopAfter{Recorder: rec, events: 3}
		b := bot.New(s, echo(2), bot.Config{PollInterval: time.Hour}, once)
		if err := b.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := rec.Messages(""); len(got) != 6 {
			t.Errorf("%d messages delivered before Run returned, want 6", len(got))
		}
	})
}

// stopAfter is an adapter that hands a few events to the bot and stops.
type stopAfter struct {
	*bottest.Recorder
	events int
}

func (a *stopAfter) Run(ctx context.Context, sink bot.Sink) error {
	for i := 0; i < a.events; i++ {
		ev := bot.Event{ID: fmt.Sprintf("stop-%d", i), Platform: bot.Slack, Workspace: "T0FJORDVIK", Channel: "D1", DM: true, User: "U0JONAS", Kind: bot.KindMessage, Text: "hi"}
		if err := sink.Handle(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}
