package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OutboxMessage is a message the bot decided to send. It is written in the
// transaction that made the decision and delivered afterwards, in order per
// channel, until the platform has it.
type OutboxMessage struct {
	ID            int64
	PlanID        int64
	Platform      string
	Channel       string
	Payload       []byte // the bot's message, JSON
	Correlation   string // what the delivery's message reference is for, e.g. "hearing_item:12"
	CreatedAt     time.Time
	NextAttemptAt time.Time
	Attempts      int
	DeliveredAt   *time.Time
	FailedAt      *time.Time
	MessageRef    string
	LastError     string
	// InDoubt is set when an earlier attempt to send the message ended
	// without a recorded outcome (the process died): it may be on the
	// platform already.
	InDoubt bool
}

type outboxRow struct {
	ID            int64          `db:"id"`
	PlanID        sql.NullInt64  `db:"plan_id"`
	Platform      string         `db:"platform"`
	Channel       string         `db:"channel"`
	Payload       string         `db:"payload"`
	Correlation   string         `db:"correlation"`
	CreatedAt     time.Time      `db:"created_at"`
	NextAttemptAt time.Time      `db:"next_attempt_at"`
	Attempts      int            `db:"attempts"`
	ClaimedBy     sql.NullString `db:"claimed_by"`
	ClaimedUntil  sql.NullTime   `db:"claimed_until"`
	DeliveredAt   sql.NullTime   `db:"delivered_at"`
	FailedAt      sql.NullTime   `db:"failed_at"`
	MessageRef    string         `db:"message_ref"`
	LastError     string         `db:"last_error"`
	InDoubtSince  sql.NullTime   `db:"in_doubt_since"`
}

func (r outboxRow) message() OutboxMessage {
	return OutboxMessage{ID: r.ID, PlanID: r.PlanID.Int64, Platform: r.Platform, Channel: r.Channel,
		Payload: []byte(r.Payload), Correlation: r.Correlation, CreatedAt: r.CreatedAt.UTC(),
		NextAttemptAt: r.NextAttemptAt.UTC(), Attempts: r.Attempts, DeliveredAt: timePtr(r.DeliveredAt),
		FailedAt: timePtr(r.FailedAt), MessageRef: r.MessageRef, LastError: r.LastError, InDoubt: r.InDoubtSince.Valid}
}

// Enqueue writes a message to the outbox in the transaction.
func (tx *Tx) Enqueue(ctx context.Context, m OutboxMessage) (int64, error) {
	if m.Platform == "" || m.Channel == "" {
		return 0, invalidf("an outgoing message needs a platform and a channel")
	}
	t := now()
	id, err := tx.insertID(ctx, `INSERT INTO outbox (plan_id, platform, channel, payload, correlation, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, nullID(m.PlanID), m.Platform, m.Channel, string(m.Payload), m.Correlation, t, t)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue: %w", err)
	}
	return id, nil
}

// ClaimOutbox leases up to limit messages that are due, for the given
// platforms, to worker until the lease ends. Only the oldest undelivered
// message of each channel is eligible, so a channel's messages go out in
// order; several workers (or processes) never hold the same message.
func (s *Store) ClaimOutbox(ctx context.Context, platforms []string, worker string, lease time.Duration, limit int) ([]OutboxMessage, error) {
	if len(platforms) == 0 {
		return nil, nil
	}
	t := now()
	// Each channel's head, found in one pass over the pending index. (A
	// NOT EXISTS for an earlier pending message, per message, was planned
	// as a nested loop over all pending messages when the table's
	// statistics lagged behind a burst: 4.7 s for 7,000 pending, and
	// delivery slowed to a crawl just when there was most to deliver.)
	query, args, err := s.in(`SELECT o.* FROM outbox o
		JOIN (SELECT MIN(id) AS id FROM outbox
		      WHERE delivered_at IS NULL AND failed_at IS NULL AND platform IN (?)
		      GROUP BY platform, channel) head ON head.id = o.id
		WHERE o.next_attempt_at <= ? AND (o.claimed_until IS NULL OR o.claimed_until < ?)
		ORDER BY o.id LIMIT ?`, platforms, t, t, limit)
	if err != nil {
		return nil, err
	}
	var rows []outboxRow
	if err := s.sel(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("store: outbox due: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	// One statement claims them all: a claim is a commit, and a commit per
	// message was the dispatcher's main cost.
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	claim, claimArgs, err := s.in(`UPDATE outbox SET claimed_by = ?, claimed_until = ?, in_doubt_since = COALESCE(in_doubt_since, ?)
		WHERE id IN (?) AND delivered_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)
		RETURNING id`, worker, t.Add(lease), t, ids, t)
	if err != nil {
		return nil, err
	}
	var won []int64
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.sel(ctx, &won, claim, claimArgs...) }); err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	claimed := make(map[int64]bool, len(won))
	for _, id := range won {
		claimed[id] = true
	}
	var out []OutboxMessage
	for _, r := range rows {
		if claimed[r.ID] {
			out = append(out, r.message())
		}
	}
	return out, nil
}

// MarkDelivered records that the platform accepted the message, with the
// platform's reference to it. then, when not nil, runs in the same
// transaction (to act on the delivery, queueing more messages, say).
func (s *Store) MarkDelivered(ctx context.Context, id int64, ref string, then func(*Tx) error) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET delivered_at = ?, message_ref = ?, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL,
			in_doubt_since = NULL WHERE id = ?`, now(), ref, id)
		if err != nil {
			return fmt.Errorf("store: mark delivered: %w", err)
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
}

// MarkRetry releases a message for another attempt at the given time.
func (s *Store) MarkRetry(ctx context.Context, id int64, at time.Time, reason string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL,
			in_doubt_since = NULL WHERE id = ? AND delivered_at IS NULL`, at.UTC(), reason, id)
		if err != nil {
			return fmt.Errorf("store: mark retry: %w", err)
		}
		return nil
	})
}

// MarkFailed gives up on a message the platform will never accept (an
// unknown channel, a malformed message), so it stops holding up its
// channel. then, when not nil, runs in the same transaction.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string, then func(*Tx) error) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE outbox SET failed_at = ?, attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL,
			in_doubt_since = NULL WHERE id = ? AND delivered_at IS NULL`, now(), reason, id)
		if err != nil {
			return fmt.Errorf("store: mark failed: %w", err)
		}
		if then != nil {
			return then(tx)
		}
		return nil
	})
}

// LastDeliveredRef is the platform's reference to the newest message
// delivered to a channel, or "" when none was: a message sent there after
// it, while a message of the channel was in doubt, can only be that one,
// since a channel's messages go out one at a time, in order.
func (q queries) LastDeliveredRef(ctx context.Context, platform, channel string) (string, error) {
	var refs []string
	err := q.sel(ctx, &refs, `SELECT message_ref FROM outbox WHERE platform = ? AND channel = ? AND delivered_at IS NOT NULL AND message_ref <> ''
		ORDER BY id DESC LIMIT 1`, platform, channel)
	if err != nil {
		return "", fmt.Errorf("store: last delivered ref: %w", err)
	}
	if len(refs) == 0 {
		return "", nil
	}
	return refs[0], nil
}

// PendingOutbox counts the messages for a platform not yet delivered (nor
// given up on).
func (q queries) PendingOutbox(ctx context.Context, platform string) (int, error) {
	var n int
	err := q.get(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE platform = ? AND delivered_at IS NULL AND failed_at IS NULL`, platform)
	if err != nil {
		return 0, fmt.Errorf("store: pending outbox: %w", err)
	}
	return n, nil
}

// NextOutboxAttempt returns when the earliest pending message for the
// platforms is due, or ErrNotFound when none is pending.
func (q queries) NextOutboxAttempt(ctx context.Context, platforms []string) (time.Time, error) {
	// ORDER BY … LIMIT 1 rather than MIN(): SQLite returns an aggregate
	// as text, a plain column as the time it was written as.
	query, args, err := q.in(`SELECT next_attempt_at FROM outbox WHERE platform IN (?) AND delivered_at IS NULL AND failed_at IS NULL
		ORDER BY next_attempt_at LIMIT 1`, platforms)
	if err != nil {
		return time.Time{}, err
	}
	var t time.Time
	if err := q.get(ctx, &t, query, args...); err != nil {
		return time.Time{}, fmt.Errorf("store: next outbox attempt: %w", err)
	}
	return t.UTC(), nil
}

// OutboxMessages lists a platform's outbox in order, delivered or not; for
// tests and operators.
func (q queries) OutboxMessages(ctx context.Context, platform string) ([]OutboxMessage, error) {
	var rows []outboxRow
	if err := q.sel(ctx, &rows, `SELECT * FROM outbox WHERE platform = ? ORDER BY id`, platform); err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	out := make([]OutboxMessage, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, nil
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// ReleaseClaims frees the undelivered messages and the unapplied inbound
// events leased by workers for which dead reports true, so that a process
// that crashed holding a lease does not hold up its channels until the
// lease runs out. It returns how many were freed.
func (s *Store) ReleaseClaims(ctx context.Context, dead func(worker string) bool) (int, error) {
	var workers []string
	if err := s.sel(ctx, &workers, `SELECT claimed_by FROM outbox
		WHERE claimed_by IS NOT NULL AND delivered_at IS NULL AND failed_at IS NULL
		UNION SELECT claimed_by FROM inbox WHERE claimed_by IS NOT NULL`); err != nil {
		return 0, fmt.Errorf("store: outbox claims: %w", err)
	}
	freed := 0
	for _, w := range workers {
		if !dead(w) {
			continue
		}
		err := s.InTx(ctx, func(tx *Tx) error {
			res, err := tx.exec(ctx, `UPDATE outbox SET claimed_by = NULL, claimed_until = NULL
				WHERE claimed_by = ? AND delivered_at IS NULL`, w)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			events, err := tx.releaseInboxClaims(ctx, w)
			freed += int(n) + events
			return err
		})
		if err != nil {
			return freed, fmt.Errorf("store: release claims of %s: %w", w, err)
		}
	}
	return freed, nil
}
