package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
)

// Config tunes the bot. Zero values take the defaults.
type Config struct {
	Logger *slog.Logger
	// Worker names this process in outbox leases; default host:pid:random.
	Worker string
	// PollInterval is how often the dispatcher looks for messages queued
	// by other processes (its own are sent at once). Default 500 ms.
	PollInterval time.Duration
	// Lease is how long a claimed outgoing message is held before another
	// process may take it over; one send may take half of it. Default 30
	// seconds.
	Lease time.Duration
	// Senders bounds how many channels are sent to at once. Default 16.
	Senders int
	// DrainTimeout bounds shutdown, from its start: the events the
	// adapters have in hand are finished and the queued messages
	// delivered within it. Default 10 seconds.
	DrainTimeout time.Duration
	// Metrics, when set, counts events and sends (NewMetrics).
	Metrics *Metrics
	// Inbox makes Handle record an event and return, for the adapter to
	// acknowledge it, and apply it afterwards (see inbox.go): a burst is
	// acknowledged at the speed of a batched insert, not of handling.
	Inbox bool
	// Appliers bounds how many recorded events are applied at once.
	// Default 8.
	Appliers int
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Worker == "" {
		c.Worker = workerID()
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 500 * time.Millisecond
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Senders <= 0 {
		c.Senders = 16
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.Appliers <= 0 {
		c.Appliers = 8
	}
}

// Bot routes inbound events to the handler, exactly once each, and
// delivers what the handler says through the outbox. It is the Sink that
// adapters hand events to. Its methods are safe for concurrent use.
type Bot struct {
	store    *store.Store
	handler  Handler
	cfg      Config
	log      *slog.Logger
	adapters map[string]Adapter

	wake  chan struct{}   // a new message was queued
	kicks []chan struct{} // per job: run now

	jobs    []Job
	watcher DeliveryWatcher
	metrics *Metrics

	// stopping is set when shutdown begins; halt ends at its deadline
	// (DrainTimeout later), cutting short any event still in hand.
	stopping atomic.Bool
	halt     context.Context
	haltNow  context.CancelFunc

	mu        sync.Mutex
	delivered chan struct{} // closed and replaced after each delivery
	applied   chan struct{} // closed and replaced after each applied batch

	rec       recorder      // Inbox: events waiting to be recorded
	applyWake chan struct{} // Inbox: events were recorded
}

// errShutdown is the cause with which Run cancels the adapters' context:
// they stop taking events, and the events they have in hand are finished.
var errShutdown = errors.New("bot: shutting down")

// errDrainTimeout cuts short an event still in hand at the drain deadline.
var errDrainTimeout = errors.New("bot: drain timeout")

// New makes a bot over st that hands events to h and speaks through the
// adapters.
func New(st *store.Store, h Handler, cfg Config, adapters ...Adapter) *Bot {
	cfg.defaults()
	b := &Bot{store: st, cfg: cfg, log: cfg.Logger, adapters: map[string]Adapter{}, metrics: cfg.Metrics,
		wake: make(chan struct{}, 1), delivered: make(chan struct{}), applied: make(chan struct{}), applyWake: make(chan struct{}, 1)}
	b.halt, b.haltNow = context.WithCancel(context.Background())
	if s, ok := h.(Scheduler); ok {
		b.jobs = s.Jobs()
		for range b.jobs {
			b.kicks = append(b.kicks, make(chan struct{}, 1))
		}
	}
	b.watcher, _ = h.(DeliveryWatcher)
	b.handler = Chain(h, Recover(cfg.Logger))
	platforms := make([]string, 0, len(adapters))
	for _, a := range adapters {
		b.adapters[a.Platform()] = a
		platforms = append(platforms, a.Platform())
	}
	b.metrics.serve(platforms)
	return b
}

// maxAttempts bounds how often an event is retried after losing a race
// with a concurrent change.
const maxAttempts = 8

// Handle records ev and applies its effects in one transaction: the event
// is marked processed, the handler runs, and its messages are queued. A
// redelivered event changes nothing. A transaction that lost a race is
// retried; any other error is returned and nothing is kept, so the
// platform may deliver the event again.
//
// An event in hand when Run's shutdown begins is finished: the shutdown's
// cancellation of ctx does not cut it short (ctx's deadline and any other
// cancellation do), until the drain deadline.
func (b *Bot) Handle(ctx context.Context, ev Event) error {
	if ev.ID == "" || ev.Platform == "" {
		return errors.New("bot: event without ID or platform")
	}
	b.metrics.eventReceived(ev)
	ctx, done := b.eventContext(ctx)
	defer done()
	if b.cfg.Inbox {
		return b.recordEvent(ctx, ev)
	}
	return b.apply(ctx, ev, 0)
}

// apply handles ev in one transaction, retrying lost races; inboxID, when
// not 0, is the event's row in the inbox, deleted in the same transaction.
func (b *Bot) apply(ctx context.Context, ev Event, inboxID int64) error {
	log := b.log.With("platform", ev.Platform, "event_id", ev.ID, "kind", ev.Kind)
	for attempt := 1; ; attempt++ {
		queued := 0
		duplicate, runJobs := false, false
		err := b.store.InTx(ctx, func(tx *store.Tx) error {
			if inboxID != 0 {
				if err := tx.DoneInbox(ctx, inboxID); err != nil {
					return err
				}
			}
			fresh, err := tx.MarkEventProcessed(ctx, ev.Platform, ev.ID)
			if err != nil {
				return err
			}
			if !fresh {
				duplicate = true
				return nil
			}
			if ev.Kind == KindMessage {
				if err := tx.AdvanceCursor(ctx, ev.Platform, ev.Channel, ev.MessageRef); err != nil {
					return err
				}
			}
			req, err := resolve(ctx, tx, ev)
			if err != nil {
				return err
			}
			out, err := b.handler.Handle(ctx, tx, req)
			if err != nil {
				return err
			}
			runJobs = req.RunJobs
			var planID int64
			if req.Plan != nil {
				planID = req.Plan.ID
			}
			for _, m := range out {
				if err := enqueue(ctx, tx, planID, m); err != nil {
					return err
				}
				queued++
			}
			return nil
		})
		switch {
		case err == nil && duplicate:
			b.metrics.eventDuplicate(ev)
			log.Info("duplicate event dropped")
			return nil
		case err == nil:
			b.metrics.eventApplied(ev)
			log.Debug("event handled", "messages", queued)
			if queued > 0 {
				b.Wake()
			}
			if runJobs {
				b.kickJobs()
			}
			return nil
		case errors.Is(err, store.ErrConflict) && attempt < maxAttempts:
			log.Debug("event lost a race, retrying", "attempt", attempt, "err", err)
			select {
			case <-time.After(time.Duration(rand.IntN(10*attempt)+1) * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		default:
			b.metrics.eventFailed(ev)
			log.Error("event failed", "err", err)
			return fmt.Errorf("bot: handle %s event %s: %w", ev.Platform, ev.ID, err)
		}
	}
}

// eventContext is ctx for handling one event, less the cancellation by
// Run's shutdown: an event an adapter has in hand when shutdown begins is
// finished, so that neither its effects nor its replies are lost, until
// the drain deadline. ctx's deadline, and any other cancellation of it,
// still end the event.
func (b *Bot) eventContext(ctx context.Context) (context.Context, context.CancelFunc) {
	hctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	cancelDeadline := context.CancelFunc(func() {})
	if d, ok := ctx.Deadline(); ok {
		hctx, cancelDeadline = context.WithDeadline(hctx, d)
	}
	stopFollowing := context.AfterFunc(ctx, func() {
		if cause := context.Cause(ctx); !errors.Is(cause, errShutdown) {
			cancel(cause)
		}
	})
	stopHalt := context.AfterFunc(b.halt, func() { cancel(errDrainTimeout) })
	return hctx, func() {
		stopFollowing()
		stopHalt()
		cancelDeadline()
		cancel(nil)
	}
}

// ChoiceMade is the update of the message a choice was made in: its text,
// the choice picked, and no buttons, so the choice cannot be made twice by
// accident. It reports false where the platform cannot edit (no Origin).
// Handlers send it when they accept a choice.
func ChoiceMade(ev Event) (Message, bool) {
	if ev.Kind != KindChoice || ev.Origin == nil || ev.MessageRef == "" {
		return Message{}, false
	}
	text := ev.Origin.Text
	for _, c := range ev.Origin.Choices {
		if c.ID == ev.Choice {
			text += "\n\n✓ " + c.Label
			break
		}
	}
	return Message{Platform: ev.Platform, Channel: ev.Channel, Thread: ev.Thread, Text: text, Replace: ev.MessageRef}, true
}

// Enqueue queues a message in tx, for work that sends outside an event
// (scheduled reminders, CLI commands). Call Wake after the commit.
func Enqueue(ctx context.Context, tx *store.Tx, planID int64, m Message) error {
	return enqueue(ctx, tx, planID, m)
}

func enqueue(ctx context.Context, tx *store.Tx, planID int64, m Message) error {
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("bot: encode message: %w", err)
	}
	_, err = tx.Enqueue(ctx, store.OutboxMessage{PlanID: planID, Platform: m.Platform, Channel: m.Channel, Payload: payload, Correlation: m.Correlation})
	return err
}

// WatchedChannels lists the platform's channels whose messages must not be
// missed (bot.Catchup).
func (b *Bot) WatchedChannels(ctx context.Context, platform string) ([]string, error) {
	return b.store.WatchedChannels(ctx, platform)
}

// LastSeen returns the newest message handled in a channel (bot.Catchup).
func (b *Bot) LastSeen(ctx context.Context, platform, channel string) (string, error) {
	return b.store.Cursor(ctx, platform, channel)
}

// Wake tells the dispatcher that messages were queued.
func (b *Bot) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Flush blocks until the platform's queued messages are all delivered or
// given up on, or ctx ends.
func (b *Bot) Flush(ctx context.Context, platform string) error {
	if b.cfg.Inbox {
		if err := b.FlushInbox(ctx); err != nil {
			return err
		}
	}
	return b.waitNone(ctx, &b.delivered, 50*time.Millisecond, func(ctx context.Context) (int, error) {
		return b.store.PendingOutbox(ctx, platform)
	})
}

// waitNone blocks until pending counts nothing, looking again when *done
// is closed (signal) or every poll, for what other processes do; or until
// ctx ends.
func (b *Bot) waitNone(ctx context.Context, done *chan struct{}, poll time.Duration, pending func(context.Context) (int, error)) error {
	for {
		b.mu.Lock()
		changed := *done
		b.mu.Unlock()
		n, err := pending(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-time.After(poll):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// signal closes *done and replaces it, waking waitNone.
func (b *Bot) signal(done *chan struct{}) {
	b.mu.Lock()
	close(*done)
	*done = make(chan struct{})
	b.mu.Unlock()
}

// Run runs the adapters and the dispatcher until ctx ends or every
// adapter has returned. Then it shuts down, within DrainTimeout: the
// adapters stop taking events, the events they have in hand are finished,
// and the queued messages are delivered. It returns the first adapter
// error, if any; a shutdown because ctx ended is not one. Run may be
// called once.
func (b *Bot) Run(ctx context.Context) error {
	// The adapters' context ends with errShutdown as its cause, which
	// Handle tells from other cancellations.
	adapterCtx, stopAdapters := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopAdapters(errShutdown)
	var shutdownOnce sync.Once
	var drainDeadline time.Time
	shutdown := func() {
		shutdownOnce.Do(func() {
			b.stopping.Store(true)
			drainDeadline = time.Now().Add(b.cfg.DrainTimeout)
			time.AfterFunc(b.cfg.DrainTimeout, b.haltNow)
			b.log.Info("shutting down: finishing the events in hand and delivering what is queued", "drain_timeout", b.cfg.DrainTimeout.String())
			stopAdapters(errShutdown)
		})
	}
	stopWatching := context.AfterFunc(ctx, shutdown)
	defer stopWatching()
	dispatchCtx, stopDispatch := context.WithCancel(context.Background())
	defer stopDispatch()

	dispatchDone := make(chan struct{})
	go func() {
		defer close(dispatchDone)
		b.dispatch(dispatchCtx)
	}()
	applyCtx, stopApply := context.WithCancel(context.Background())
	defer stopApply()
	applyDone := make(chan struct{})
	go func() {
		defer close(applyDone)
		if b.cfg.Inbox {
			b.applyInbox(applyCtx)
		}
	}()

	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		b.runJobs(adapterCtx)
	}()

	errs := make(chan error, len(b.adapters))
	var failedMu sync.Mutex
	failed := map[string]bool{}
	var wg sync.WaitGroup
	for _, a := range b.adapters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := a.Run(adapterCtx, b)
			if err != nil && !errors.Is(err, context.Canceled) {
				b.log.Error("adapter stopped", "platform", a.Platform(), "err", err)
				errs <- fmt.Errorf("bot: %s adapter: %w", a.Platform(), err)
				failedMu.Lock()
				failed[a.Platform()] = true
				failedMu.Unlock()
				shutdown()
			}
		}()
	}
	// The adapters return once they have stopped taking events and
	// finished those in hand.
	wg.Wait()
	shutdown()
	<-jobsDone

	// Drain: deliver what the events handled so far queued, on the
	// platforms still able to take it.
	drainCtx, cancel := context.WithDeadline(context.Background(), drainDeadline)
	defer cancel()
	drained := true
	if b.cfg.Inbox {
		// What was recorded is applied before the outbox is drained, so
		// its replies go out too.
		if err := b.FlushInbox(drainCtx); err != nil {
			drained = false
			b.log.Warn("inbox not applied before shutdown; the rest is applied at the next start", "err", err)
		}
	}
	stopApply()
	<-applyDone
	for p := range b.adapters {
		if failed[p] {
			continue
		}
		if err := b.Flush(drainCtx, p); err != nil {
			drained = false
			b.log.Warn("outbox not drained before shutdown; the rest goes out with the next start", "platform", p, "err", err)
		}
	}
	if drained {
		b.log.Info("shut down: the outbox is drained")
	}
	stopDispatch()
	<-dispatchDone
	close(errs)
	return <-errs
}
