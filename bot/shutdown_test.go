package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// inHand is an adapter that hands the bot one event with the context Run
// gave it, reports what Handle returned, and runs until that context ends.
type inHand struct {
	*bottest.Recorder
	handled chan error
}

func (a *inHand) Run(ctx context.Context, sink bot.Sink) error {
	ev := bot.Event{ID: "in-hand", Platform: bot.Slack, Workspace: "T0FJORDVIK", Channel: "D1", DM: true, User: "U0JONAS", Kind: bot.KindMessage, Text: "hi"}
	a.handled <- sink.Handle(ctx, ev)
	<-ctx.Done()
	return nil
}

// blocking is a handler that signals it has the event and waits for
// release (or for its context to end).
func blocking(entered chan<- struct{}, release <-chan struct{}) bot.HandlerFunc {
	return func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
		close(entered)
		select {
		case <-release:
			return []bot.Message{req.Reply("done")}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// SIGTERM while an event is being handled: the event is finished, its
// reply delivered, and Run returns without error.
func TestShutdownFinishesTheEventInHandAndDeliversItsReply(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		entered, release := make(chan struct{}), make(chan struct{})
		a := &inHand{Recorder: bottest.NewRecorder(bot.Slack), handled: make(chan error, 1)}
		b := bot.New(s, blocking(entered, release), bot.Config{PollInterval: time.Hour, DrainTimeout: 10 * time.Second}, a)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()

		<-entered
		cancel() // the signal
		deadline := time.Now().Add(5 * time.Second)
		for checks := b.Health(context.Background()); checks[0].Name != "bot"; checks = b.Health(context.Background()) {
			if time.Now().After(deadline) {
				t.Fatalf("health during shutdown = %+v; want the bot not ready", checks)
			}
			time.Sleep(5 * time.Millisecond)
		}
		close(release)

		if err := <-a.handled; err != nil {
			t.Errorf("the event in hand failed at shutdown: %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil after a shutdown", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return")
		}
		if got := a.Messages(""); len(got) != 1 || got[0].Text != "done" {
			t.Errorf("delivered before Run returned: %+v; want the reply", got)
		}
		if ok, err := s.EventProcessed(context.Background(), bot.Slack, "in-hand"); !ok || err != nil {
			t.Errorf("event recorded = %v, %v", ok, err)
		}
	})
}

// An event that does not finish within the drain timeout is cut short and
// nothing of it is kept, so the platform can deliver it again.
func TestShutdownCutsShortAnEventPastTheDrainTimeout(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadPlan(t, s)
		entered, never := make(chan struct{}), make(chan struct{})
		a := &inHand{Recorder: bottest.NewRecorder(bot.Slack), handled: make(chan error, 1)}
		b := bot.New(s, blocking(entered, never), bot.Config{PollInterval: time.Hour, DrainTimeout: 200 * time.Millisecond}, a)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()

		<-entered
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after the drain timeout")
		}
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("Run returned after %v, before the drain timeout", d)
		}
		if err := <-a.handled; err == nil {
			t.Error("the event past the drain timeout was recorded")
		} else if !errors.Is(err, context.Canceled) {
			t.Logf("Handle = %v", err)
		}
		if ok, _ := s.EventProcessed(context.Background(), bot.Slack, "in-hand"); ok {
			t.Error("the event cut short is recorded as processed")
		}
	})
}
