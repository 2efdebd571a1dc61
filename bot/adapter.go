package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Adapter connects the bot to one platform. It holds no business rules: it
// turns the platform's events into Events and sends the bot's Messages.
type Adapter interface {
	// Platform names the platform (Console, Slack, Discord).
	Platform() string
	// Run connects and hands every inbound event to sink, acknowledging an
	// event to the platform only after sink.Handle returned nil. It returns
	// when ctx ends (nil) or the adapter cannot go on (an error).
	Run(ctx context.Context, sink Sink) error
	// Send delivers one message and returns the platform's reference to
	// it. It returns a *RetryAfterError when the platform asks to wait and
	// a *PermanentError when the message can never be delivered. Send is
	// called by one dispatcher goroutine per channel at a time, but
	// concurrently for different channels.
	Send(ctx context.Context, m Message) (ref string, err error)
}

// Sink is what an adapter hands inbound events to. The Bot is the Sink.
type Sink interface {
	// Handle records ev and applies its effects in one transaction,
	// returning after the commit. An event seen before has no effect and
	// returns nil.
	Handle(ctx context.Context, ev Event) error
	// Flush blocks until every message queued for the platform so far has
	// been delivered (or given up on), or ctx ends.
	Flush(ctx context.Context, platform string) error
}

// Catchup is what the bot offers an adapter whose platform does not
// redeliver what it sent while the adapter was away (a Discord session
// that could not resume): which channels matter, and the newest message
// handled in each, so the adapter can fetch the rest. The Bot implements
// it; adapters check for it on the Sink they are given.
type Catchup interface {
	WatchedChannels(ctx context.Context, platform string) ([]string, error)
	LastSeen(ctx context.Context, platform, channel string) (string, error)
}

var _ Catchup = (*Bot)(nil)

// Optional capabilities. An adapter implements those its platform has; the
// hearing and the reconciliation use them where present.

// ReactionAdder is an adapter that can add the bot's own reactions to a
// message it sent (a hearing post's vote emoji, for people to click).
type ReactionAdder interface {
	AddReaction(ctx context.Context, channel, messageRef, emoji string) error
}

// Reactor is an adapter that can seed reactions and read them back: the
// platform keeps them, so what it shows can be reconciled with what the bot
// registered.
type Reactor interface {
	ReactionAdder
	// Reactions lists every user's reactions on a message, as the
	// platform shows them now.
	Reactions(ctx context.Context, channel, messageRef string) ([]Reaction, error)
}

// Reaction is one emoji on a message and who reacted with it.
type Reaction struct {
	Emoji string
	Users []string
}

// ThreadReader is an adapter that can read a thread's replies back.
type ThreadReader interface {
	// Replies lists the replies in a thread, oldest first, as message
	// events.
	Replies(ctx context.Context, channel, threadRef string) ([]Event, error)
}

// SentFinder is an adapter that can tell whether a message is on the
// platform already: after a crash between sending a message and recording
// that it was sent, the bot asks before sending it again.
type SentFinder interface {
	// FindSent looks for a message the bot posted where m goes (its
	// channel, or its thread) after the message after ("" for none known)
	// and returns its reference. A channel's messages go out one at a
	// time, so such a message can only be m.
	FindSent(ctx context.Context, m Message, after string) (ref string, found bool, err error)
}

// DirectMessenger is an adapter that can open a direct conversation with a
// user who has not written to the bot yet.
type DirectMessenger interface {
	OpenDM(ctx context.Context, user string) (channel string, err error)
}

// RetryAfterError is a send the platform refused for now (HTTP 429); try
// again after After.
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError is a send that will never succeed (an unknown channel, a
// message the platform refuses as malformed).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }

func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

func isPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
