package bot

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
)

// With Config.Inbox, Handle records an event in the store's inbox and
// returns, so the platform is acknowledged as soon as the event is durable;
// appliers then apply the recorded events, each conversation's in order,
// in the one transaction Handle uses otherwise, which also deletes the
// event from the inbox. Concurrent Handle calls share a commit: while one
// batch is written, the next gathers.

// maxApplyAttempts is how often an event that fails is tried before it is
// set aside.
const maxApplyAttempts = 5

type recording struct {
	ev   store.InboxEvent
	done chan error
}

type recorder struct {
	mu      sync.Mutex
	waiting []*recording
	writing bool // one writer at a time: a second only made batches smaller
	// backlog counts the events this process recorded and has not yet
	// applied (roughly: another process may apply some), and lastWrite
	// is when it last recorded any.
	backlog   int
	lastWrite time.Time
}

// A burst is events still coming in (recorded within pressWindow) while
// more than pressBacklog recorded here wait to be applied: more than people
// in a closed loop of questions and answers leave waiting, so the
// platforms are sending faster than the bot applies. Then the appliers
// stand aside, leaving the machine to taking events in, except for one
// event every pressRound so that a long burst does not stop the replies:
// a platform that waits too long for its acknowledgement sends the event
// again, or gives up on it, while applying catches up after.
const (
	pressWindow  = 100 * time.Millisecond
	pressBacklog = 256
	pressRound   = time.Second
)

// underPressure reports whether a burst is being taken in.
func (b *Bot) underPressure() bool {
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	return b.rec.backlog > pressBacklog && time.Since(b.rec.lastWrite) < pressWindow
}

// appliedOne counts an event of the backlog as applied (or set aside).
func (b *Bot) appliedOne() {
	b.rec.mu.Lock()
	b.rec.backlog = max(b.rec.backlog-1, 0)
	b.rec.mu.Unlock()
}

// conversation orders a platform's events: those of one channel (a DM is
// a channel) are applied in the order they were recorded.
func conversation(ev Event) string {
	return ev.Platform + ":" + ev.Channel
}

// recordEvent writes ev to the inbox, with whatever other events are waiting.
func (b *Bot) recordEvent(ctx context.Context, ev Event) error {
	payload, err := encodeEvent(ev)
	if err != nil {
		return fmt.Errorf("bot: encode event %s: %w", ev.ID, err)
	}
	r := &recording{ev: store.InboxEvent{Platform: ev.Platform, EventID: ev.ID, Conv: conversation(ev), Payload: payload},
		done: make(chan error, 1)}
	b.rec.mu.Lock()
	b.rec.waiting = append(b.rec.waiting, r)
	write := !b.rec.writing
	b.rec.writing = true
	b.rec.mu.Unlock()
	if write {
		// On a goroutine of its own: the caller that starts a burst's
		// writing waits only for its own event, like the rest.
		go b.writeWaiting()
	}
	select {
	case err := <-r.done:
		if err != nil {
			b.metrics.eventFailed(ev)
			b.log.Error("event not recorded", "platform", ev.Platform, "event_id", ev.ID, "err", err)
			return fmt.Errorf("bot: record %s event %s: %w", ev.Platform, ev.ID, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeWaiting writes the waiting events in batches until none wait.
func (b *Bot) writeWaiting() {
	for {
		b.rec.mu.Lock()
		batch := b.rec.waiting
		b.rec.waiting = nil
		if len(batch) == 0 {
			b.rec.writing = false
			b.rec.mu.Unlock()
			return
		}
		b.rec.mu.Unlock()
		evs := make([]store.InboxEvent, len(batch))
		for i, r := range batch {
			evs[i] = r.ev
		}
		// The batch is everyone's: no one caller's context ends it.
		ctx, cancel := context.WithTimeout(context.Background(), b.cfg.Lease)
		err := b.store.RecordInbox(ctx, evs)
		cancel()
		if err == nil {
			b.rec.mu.Lock()
			b.rec.backlog += len(batch)
			b.rec.lastWrite = time.Now()
			b.rec.mu.Unlock()
		}
		for _, r := range batch {
			r.done <- err
		}
		if err == nil {
			b.wakeApply()
		}
	}
}

func (b *Bot) wakeApply() {
	select {
	case b.applyWake <- struct{}{}:
	default:
	}
}

// applyInbox applies recorded events until ctx ends.
func (b *Bot) applyInbox(ctx context.Context) {
	lastRound := time.Now()
	for ctx.Err() == nil {
		appliers := b.cfg.Appliers
		if b.underPressure() {
			if time.Since(lastRound) < pressRound {
				// Taking events in first; applying resumes when the
				// burst eases (within pressWindow of it).
				t := time.NewTimer(pressWindow / 4)
				select {
				case <-t.C:
				case <-ctx.Done():
				}
				t.Stop()
				continue
			}
			appliers = 1
		}
		lastRound = time.Now()
		batch, err := b.store.ClaimInbox(ctx, b.cfg.Worker, b.cfg.Lease, appliers*4)
		if err != nil && ctx.Err() == nil {
			b.log.Error("claim inbox", "err", err)
		}
		if len(batch) == 0 {
			t := time.NewTimer(b.cfg.PollInterval)
			select {
			case <-b.applyWake:
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
			continue
		}
		// One event per conversation in a batch: they go in parallel.
		sem := make(chan struct{}, appliers)
		var wg sync.WaitGroup
		for _, ie := range batch {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				b.applyRecorded(ie)
			}()
		}
		wg.Wait()
		b.signal(&b.applied)
	}
}

// applyRecorded applies one recorded event, or schedules another attempt,
// or after maxApplyAttempts sets it aside.
func (b *Bot) applyRecorded(ie store.InboxEvent) {
	// An event taken in hand is finished, up to the drain deadline.
	ctx, cancel := context.WithTimeout(b.halt, b.cfg.Lease/2)
	defer cancel()
	log := b.log.With("platform", ie.Platform, "event_id", ie.EventID)
	ev, err := decodeEvent(ie.Payload)
	if err == nil {
		err = b.apply(ctx, ev, ie.ID)
	}
	if err == nil {
		b.appliedOne()
		return
	}
	record, cancelRecord := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancelRecord()
	if b.halt.Err() != nil {
		// Cut off at the drain deadline: left for the next start.
		if rerr := b.store.RetryInbox(record, ie.ID, time.Now(), "shut down: "+err.Error()); rerr != nil {
			log.Error("release inbox event", "err", rerr)
		}
		return
	}
	if attempts := ie.Attempts + 1; attempts < maxApplyAttempts {
		wait := min(200*time.Millisecond<<(attempts-1), time.Minute)
		log.Warn("event not applied; trying again", "attempt", attempts, "retry_in", wait, "err", err)
		if rerr := b.store.RetryInbox(record, ie.ID, time.Now().Add(wait), err.Error()); rerr != nil {
			log.Error("record inbox retry", "err", rerr)
		}
		return
	}
	b.appliedOne()
	b.metrics.eventFailed(ev)
	log.Error("event set aside after repeated failures; kept in the inbox", "attempts", maxApplyAttempts, "err", err)
	if ferr := b.store.FailInbox(record, ie.ID, err.Error()); ferr != nil {
		log.Error("record inbox failure", "err", ferr)
	}
}

// FlushInbox blocks until every recorded event is applied (or set aside),
// or ctx ends.
func (b *Bot) FlushInbox(ctx context.Context) error {
	return b.waitNone(ctx, &b.applied, 20*time.Millisecond, b.store.PendingInbox)
}

// encodeEvent keeps an event exactly as the platform sent it: as JSON
// ("j" first), unless JSON had to replace invalid UTF-8 (it writes the
// escape \ufffd for each invalid byte, and only then), as gob in base64
// ("g" first).
func encodeEvent(ev Event) ([]byte, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(b, []byte(`\ufffd`)) {
		return append([]byte{'j'}, b...), nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(ev); err != nil {
		return nil, err
	}
	out := make([]byte, 1+base64.StdEncoding.EncodedLen(buf.Len()))
	out[0] = 'g'
	base64.StdEncoding.Encode(out[1:], buf.Bytes())
	return out, nil
}

func decodeEvent(payload []byte) (Event, error) {
	var ev Event
	if len(payload) == 0 {
		return ev, fmt.Errorf("bot: empty inbox payload")
	}
	kind, payload := payload[0], payload[1:]
	if kind == 'j' {
		if err := json.Unmarshal(payload, &ev); err != nil {
			return ev, fmt.Errorf("bot: inbox payload: %w", err)
		}
		return ev, nil
	}
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(payload)))
	n, err := base64.StdEncoding.Decode(raw, payload)
	if err != nil {
		return Event{}, fmt.Errorf("bot: inbox payload: %w", err)
	}
	if err := gob.NewDecoder(bytes.NewReader(raw[:n])).Decode(&ev); err != nil {
		return Event{}, fmt.Errorf("bot: inbox payload: %w", err)
	}
	return ev, nil
}
