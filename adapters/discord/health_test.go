package discord_test

import (
	"context"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// /healthz asks the adapter: healthy once the gateway session is ready,
// not before, and not after it stopped.
func TestHealthyFollowsTheGatewaySession(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	storetest.LoadExample(t, s, nil)
	fake := newFake(t)
	a := newAdapter(t, fake)
	if err := a.Healthy(); err == nil {
		t.Error("healthy before it ran")
	}
	b := bot.New(s, intake.New(nil), bot.Config{PollInterval: 20 * time.Millisecond}, a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()

	deadline := time.Now().Add(wait)
	for a.Healthy() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not healthy %v after start: %v", wait, a.Healthy())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.Healthy(); err == nil {
		t.Error("healthy after it stopped")
	}
}
