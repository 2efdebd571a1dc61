package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
)

// dispatch delivers the outbox until ctx ends: it claims each channel's
// oldest undelivered message, sends the claimed ones concurrently (they are
// for different channels), records the outcome, and repeats. It sleeps
// until woken, until the next deferred message is due, or for the poll
// interval, whichever is first.
func (b *Bot) dispatch(ctx context.Context) {
	platforms := make([]string, 0, len(b.adapters))
	for p := range b.adapters {
		platforms = append(platforms, p)
	}
	if len(platforms) == 0 {
		<-ctx.Done()
		return
	}
	// A process of ours that crashed holding leases (a console killed
	// mid-reply, say) would hold up its channels until they ran out.
	if n, err := b.store.ReleaseClaims(ctx, func(w string) bool { return deadWorker(b.cfg.Worker, w) }); err != nil {
		b.log.Error("release claims of dead workers", "err", err)
	} else if n > 0 {
		b.log.Info("released outgoing messages held by a stopped process", "messages", n)
	}
	sem := make(chan struct{}, b.cfg.Senders)
	for ctx.Err() == nil {
		msgs, err := b.store.ClaimOutbox(ctx, platforms, b.cfg.Worker, b.cfg.Lease, b.cfg.Senders*4)
		if err != nil && ctx.Err() == nil {
			b.log.Error("claim outbox", "err", err)
		}
		var wg sync.WaitGroup
		for _, m := range msgs {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				b.deliver(ctx, m)
			}()
		}
		wg.Wait()
		if len(msgs) > 0 {
			continue
		}
		b.sleep(ctx, platforms)
	}
}

func (b *Bot) sleep(ctx context.Context, platforms []string) {
	wait := b.cfg.PollInterval
	if due, err := b.store.NextOutboxAttempt(ctx, platforms); err == nil {
		if d := time.Until(due); d < wait {
			wait = max(d, time.Millisecond)
		}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-b.wake:
	case <-t.C:
	case <-ctx.Done():
	}
}

// backoff is the wait before retrying a send that failed for a reason the
// platform did not put a time on.
func backoff(attempts int) time.Duration {
	d := time.Second << min(attempts, 8)
	return min(d, 5*time.Minute)
}

func (b *Bot) deliver(ctx context.Context, om store.OutboxMessage) {
	log := b.log.With("outbox_id", om.ID, "platform", om.Platform, "channel", om.Channel)
	// A send under way is finished and recorded even when shutdown
	// begins: cutting it off could leave a message that went out
	// unrecorded, to be sent again.
	ctx = context.WithoutCancel(ctx)
	var m Message
	if err := json.Unmarshal(om.Payload, &m); err != nil {
		b.metrics.sent(om.Platform, SendFailed)
		log.Error("undecodable outgoing message", "err", err)
		then, queued := b.watch(ctx, om)
		b.record(ctx, log, b.store.MarkFailed(ctx, om.ID, "undecodable: "+err.Error(), then))
		b.afterWatch(*queued)
		return
	}
	a := b.adapters[om.Platform]
	// A send may not outlive its lease, or another process could send the
	// message again while this one still tries.
	sendCtx, cancel := context.WithTimeout(ctx, b.cfg.Lease/2)
	ref, found, err := b.alreadySent(sendCtx, a, om, m)
	if isPermanent(err) {
		// The platform cannot be asked (a scope missing, say): a message
		// sent twice is better than one not sent.
		log.Warn("cannot tell whether a message was sent before a restart; sending it", "err", err)
		err = nil
	}
	if err == nil && !found {
		ref, err = a.Send(sendCtx, m)
	} else if found {
		log.Warn("message was sent before a restart; not sending it again", "message_ref", ref)
	}
	cancel()
	var ra *RetryAfterError
	switch {
	case err == nil:
		b.metrics.sent(om.Platform, SendOK)
		om.MessageRef = ref // for the watcher: where the message now is
		then, queued := b.watch(ctx, om)
		b.record(ctx, log, b.store.MarkDelivered(ctx, om.ID, ref, then))
		b.afterWatch(*queued)
		b.seedReactions(ctx, log, a, m, ref)
	case errors.As(err, &ra):
		b.metrics.sent(om.Platform, SendRetry)
		b.metrics.limited(om.Platform)
		log.Info("platform asks to wait", "retry_after", ra.After)
		b.record(ctx, log, b.store.MarkRetry(ctx, om.ID, time.Now().Add(ra.After), err.Error()))
	case isPermanent(err):
		b.metrics.sent(om.Platform, SendFailed)
		log.Error("message cannot be delivered", "err", err)
		then, queued := b.watch(ctx, om)
		b.record(ctx, log, b.store.MarkFailed(ctx, om.ID, err.Error(), then))
		b.afterWatch(*queued)
	default:
		b.metrics.sent(om.Platform, SendRetry)
		wait := backoff(om.Attempts)
		log.Warn("send failed, will retry", "err", err, "retry_in", wait)
		b.record(ctx, log, b.store.MarkRetry(ctx, om.ID, time.Now().Add(wait), err.Error()))
	}
}

// alreadySent asks the platform, for a message an earlier attempt may have
// sent (the process died before it could record the outcome), whether it
// is there. Edits and views are safe to repeat and are not looked for.
func (b *Bot) alreadySent(ctx context.Context, a Adapter, om store.OutboxMessage, m Message) (string, bool, error) {
	f, ok := a.(SentFinder)
	if !om.InDoubt || !ok || m.Replace != "" || strings.HasPrefix(m.Channel, "home:") {
		return "", false, nil
	}
	after, err := b.store.LastDeliveredRef(ctx, om.Platform, om.Channel)
	if err != nil {
		return "", false, err
	}
	return f.FindSent(ctx, m, after)
}

// seedReactions adds the reactions a delivered message asks for (a
// hearing's vote emoji, for members to click). They are a convenience:
// votes do not depend on them, so a failure is logged, not retried for
// ever; the message is recorded as delivered before, so that it is never
// sent twice for want of a reaction.
func (b *Bot) seedReactions(ctx context.Context, log *slog.Logger, a Adapter, m Message, ref string) {
	r, ok := a.(ReactionAdder)
	if !ok || len(m.React) == 0 || ref == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.Lease)
	defer cancel()
	channel := m.Channel
	for _, emoji := range m.React {
		for attempt := 1; ; attempt++ {
			err := r.AddReaction(ctx, channel, ref, emoji)
			var ra *RetryAfterError
			if errors.As(err, &ra) {
				b.metrics.limited(a.Platform())
			}
			if errors.As(err, &ra) && attempt < 5 {
				select {
				case <-time.After(ra.After):
					continue
				case <-ctx.Done():
				}
			}
			if err != nil {
				log.Warn("could not add reaction", "emoji", emoji, "message_ref", ref, "err", err)
			}
			break
		}
	}
}

// watch returns what the DeliveryWatcher does in the transaction that
// records a correlated message as done with (nil when there is nothing to
// do), and where it counts the messages it queued. What it queues commits
// with the delivery, so a Flush never sees one without the other.
func (b *Bot) watch(ctx context.Context, om store.OutboxMessage) (func(*store.Tx) error, *int) {
	queued := new(int)
	if b.watcher == nil || om.Correlation == "" {
		return nil, queued
	}
	return func(tx *store.Tx) error {
		n, err := b.watcher.Delivered(ctx, tx, om)
		*queued = n
		return err
	}, queued
}

// afterWatch wakes the dispatcher for what the watcher queued, then Flush.
func (b *Bot) afterWatch(queued int) {
	if queued > 0 {
		b.Wake()
	}
	b.signal(&b.delivered)
}

func (b *Bot) record(ctx context.Context, log *slog.Logger, err error) {
	if err != nil {
		log.Error("record delivery outcome", "err", err)
	}
}
