package slack_test

import (
	"context"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/adapters/slack"
	"github.com/kommune-dugnad/dugnad/adapters/slack/slackfake"
	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// eventually waits for cond, failing the test after wait.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", wait, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// /healthz asks the adapter: healthy while a Socket Mode connection is
// open, not before it, nor after it stops.
func TestHealthyFollowsTheSocketModeConnection(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	storetest.LoadExample(t, s, nil)
	fake := slackfake.New(t, slackfake.Config{TeamID: team, PingInterval: 100 * time.Millisecond})
	a := slack.New(slack.Config{BotToken: fake.Config().BotToken, AppToken: fake.Config().AppToken, APIURL: fake.APIURL()})
	if err := a.Healthy(); err == nil {
		t.Error("healthy before it ran")
	}
	b := bot.New(s, intake.New(nil), bot.Config{PollInterval: 20 * time.Millisecond}, a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()

	eventually(t, "the adapter to be healthy", func() bool { return a.Healthy() == nil })
	// Slack asks for a reconnect now and then; the new connection is
	// healthy again. (The moment in between is too short to watch.)
	fake.Disconnect("refresh_requested")
	if !fake.WaitConnected(2, wait) {
		t.Fatal("the adapter did not reconnect")
	}
	eventually(t, "the adapter to be healthy again", func() bool { return a.Healthy() == nil })

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := a.Healthy(); err == nil {
		t.Error("healthy after it stopped")
	}
}
