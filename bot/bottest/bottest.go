// Package bottest helps test the bot and its handlers: a recording adapter
// and a harness that plays users against a real bot, handler and store.
package bottest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// Recorder is an adapter that keeps every message sent to it. Its Send can
// be made to fail through SendHook.
type Recorder struct {
	platform string

	mu   sync.Mutex
	msgs []bot.Message
	refs []string
	// SendHook, when set, runs before a message is kept; an error it
	// returns is Send's error and the message is not kept.
	SendHook func(m bot.Message) error
}

var _ bot.Adapter = (*Recorder)(nil)

// NewRecorder makes a recording adapter for a platform name.
func NewRecorder(platform string) *Recorder { return &Recorder{platform: platform} }

// Platform names the recorder's platform.
func (r *Recorder) Platform() string { return r.platform }

// Run waits until ctx ends; events are fed to the bot directly.
func (r *Recorder) Run(ctx context.Context, _ bot.Sink) error {
	<-ctx.Done()
	return nil
}

// Send keeps m.
func (r *Recorder) Send(_ context.Context, m bot.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.SendHook != nil {
		if err := r.SendHook(m); err != nil {
			return "", err
		}
	}
	if user, ok := bot.DMUser(m.Channel); ok {
		m.Channel = DM(user)
	}
	ref := fmt.Sprintf("%s-msg-%d", r.platform, len(r.msgs)+1)
	if m.Replace != "" {
		ref = m.Replace
	}
	r.msgs = append(r.msgs, m)
	r.refs = append(r.refs, ref)
	return ref, nil
}

// Sent is a message the recorder kept, with the reference it returned.
type Sent struct {
	bot.Message
	Ref string
}

// Sent returns the messages sent to a channel with their references.
func (r *Recorder) Sent(channel string) []Sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Sent
	for i, m := range r.msgs {
		if channel == "" || m.Channel == channel {
			out = append(out, Sent{Message: m, Ref: r.refs[i]})
		}
	}
	return out
}

// Messages returns the messages sent to a channel, oldest first; all
// messages when channel is "".
func (r *Recorder) Messages(channel string) []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []bot.Message
	for _, m := range r.msgs {
		if channel == "" || m.Channel == channel {
			out = append(out, m)
		}
	}
	return out
}

// Harness runs a bot with a handler over a store and a Recorder, and
// plays users on the recorder's platform.
type Harness struct {
	T        testing.TB
	Store    *store.Store
	Bot      *bot.Bot
	Rec      *Recorder
	Platform string
	// Workspace is the workspace of the events the harness makes.
	Workspace string
	seq       atomic.Int64
}

// NewHarness starts a bot with h over st; it stops when the test ends.
func NewHarness(t testing.TB, st *store.Store, h bot.Handler, platform, workspace string) *Harness {
	t.Helper()
	return NewHarnessWith(t, st, h, platform, workspace, bot.Config{})
}

// NewHarnessWith is NewHarness with the bot configured by cfg (to count
// metrics, say); its PollInterval is 20 ms unless cfg sets one.
func NewHarnessWith(t testing.TB, st *store.Store, h bot.Handler, platform, workspace string, cfg bot.Config) *Harness {
	t.Helper()
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 20 * time.Millisecond
	}
	rec := NewRecorder(platform)
	b := bot.New(st, h, cfg, rec)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bot run: %v", err)
		}
	})
	return &Harness{T: t, Store: st, Bot: b, Rec: rec, Platform: platform, Workspace: workspace}
}

// DM is the channel of a user's direct conversation in the harness.
func DM(user string) string { return "dm:" + user }

// Event makes a new DM event from user with a fresh ID.
func (h *Harness) Event(user string, kind bot.Kind) bot.Event {
	n := h.seq.Add(1)
	return bot.Event{ID: fmt.Sprintf("ev-%d", n), Platform: h.Platform, Workspace: h.Workspace,
		Channel: DM(user), DM: true, MessageRef: fmt.Sprintf("msg-%d", n), User: user, Kind: kind, At: time.Now()}
}

// InChannel makes a new event from user in a channel (thread "" for top
// level).
func (h *Harness) InChannel(user, channel, thread string, kind bot.Kind) bot.Event {
	ev := h.Event(user, kind)
	ev.Channel, ev.DM, ev.Thread = channel, false, thread
	return ev
}

// Send hands ev to the bot and waits until its replies are delivered.
func (h *Harness) Send(ev bot.Event) {
	h.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Bot.Handle(ctx, ev); err != nil {
		h.T.Fatalf("handle %+v: %v", ev, err)
	}
	if err := h.Bot.Flush(ctx, h.Platform); err != nil {
		h.T.Fatalf("flush: %v", err)
	}
}

// Say sends a message from user and returns the bot's reply.
func (h *Harness) Say(user, text string) bot.Message {
	h.T.Helper()
	ev := h.Event(user, bot.KindMessage)
	ev.Text = text
	h.Send(ev)
	return h.Last(user)
}

// Command sends a command (as a slash command would) and returns the reply.
func (h *Harness) Command(user, command, args string) bot.Message {
	h.T.Helper()
	ev := h.Event(user, bot.KindCommand)
	ev.Command, ev.Text = command, args
	h.Send(ev)
	return h.Last(user)
}

// Pick presses the choice of the user's last message whose label starts
// with label, and returns the reply.
func (h *Harness) Pick(user, label string) bot.Message {
	h.T.Helper()
	ev := h.Event(user, bot.KindChoice)
	ev.Choice = h.ChoiceID(user, label)
	h.Send(ev)
	return h.Last(user)
}

// ChoiceID finds the ID of a choice in the user's last message.
func (h *Harness) ChoiceID(user, label string) string {
	h.T.Helper()
	last := h.Last(user)
	var labels []string
	for _, c := range last.Choices {
		if strings.HasPrefix(c.Label, label) {
			return c.ID
		}
		labels = append(labels, c.Label)
	}
	h.T.Fatalf("no choice %q in the last message to %s (choices: %q)\n%s", label, user, labels, last.Text)
	return ""
}

// Last returns the last message sent to the user's DM.
func (h *Harness) Last(user string) bot.Message {
	h.T.Helper()
	msgs := h.Rec.Messages(DM(user))
	if len(msgs) == 0 {
		h.T.Fatalf("no message to %s", user)
	}
	return msgs[len(msgs)-1]
}
