package bot_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// finder is a recorder that can say whether a message is on the platform.
type finder struct {
	*bottest.Recorder
	mu     sync.Mutex
	onPlat map[string]string // text → ref of messages already there
	asked  []string          // the "after" refs it was asked with
}

func (f *finder) FindSent(_ context.Context, m bot.Message, after string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, after)
	ref, ok := f.onPlat[m.Text]
	return ref, ok, nil
}

// A process dies between sending a message and recording it: the next one
// asks the platform before sending, and sends only what is not there.
func TestMessagesInDoubtAreNotSentTwice(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadPlan(t, s)
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for _, text := range []string{"first", "second"} {
				if err := bot.Enqueue(ctx, tx, p.ID, bot.Message{Platform: bot.Slack, Channel: "C1", Text: text}); err != nil {
					return err
				}
			}
			return bot.Enqueue(ctx, tx, p.ID, bot.Message{Platform: bot.Slack, Channel: "C2", Text: "third"})
		})
		if err != nil {
			t.Fatal(err)
		}
		// A process that died claimed "first" and "third" and sent "first".
		claimed, err := s.ClaimOutbox(ctx, []string{bot.Slack}, "dead:1:x", time.Millisecond, 10)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		time.Sleep(5 * time.Millisecond) // its lease runs out

		f := &finder{Recorder: bottest.NewRecorder(bot.Slack), onPlat: map[string]string{"first": "ts-first"}}
		b := bot.New(s, echo(0), bot.Config{PollInterval: 10 * time.Millisecond}, f)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- b.Run(runCtx) }()
		flushCtx, fcancel := context.WithTimeout(ctx, 10*time.Second)
		if err := b.Flush(flushCtx, bot.Slack); err != nil {
			t.Fatal(err)
		}
		fcancel()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		var sent []string
		for _, m := range f.Messages("C1") {
			sent = append(sent, m.Text)
		}
		for _, m := range f.Messages("C2") {
			sent = append(sent, m.Text)
		}
		if len(sent) != 2 || sent[0] != "second" || sent[1] != "third" {
			t.Errorf("sent %q; want only what was not on the platform", sent)
		}
		all, err := s.OutboxMessages(ctx, bot.Slack)
		if err != nil {
			t.Fatal(err)
		}
		for _, om := range all {
			var m bot.Message
			json.Unmarshal(om.Payload, &m)
			if om.DeliveredAt == nil {
				t.Errorf("%q was not recorded as delivered", m.Text)
			}
			if m.Text == "first" && om.MessageRef != "ts-first" {
				t.Errorf("the message found on the platform got ref %q", om.MessageRef)
			}
		}
		// Only the two in doubt were looked for ("second" was never claimed).
		if len(f.asked) != 2 {
			t.Errorf("the platform was asked %d times, want 2", len(f.asked))
		}
	})
}
