package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// InboxEvent is an inbound event recorded before it is applied: the
// platform's event, serialised, and the conversation whose events are
// applied in order.
type InboxEvent struct {
	ID       int64  `db:"id"`
	Platform string `db:"platform"`
	EventID  string `db:"event_id"`
	Conv     string `db:"conv"`
	Payload  []byte `db:"payload"`
	Attempts int    `db:"attempts"`
}

// inboxBatch bounds the rows of one INSERT (six parameters each).
const inboxBatch = 256

// RecordInbox records events in one transaction, with one statement per
// inboxBatch events. An event already recorded and not yet applied is
// left as it is (a redelivery).
func (s *Store) RecordInbox(ctx context.Context, evs []InboxEvent) error {
	if len(evs) == 0 {
		return nil
	}
	t := now()
	if len(evs) <= inboxBatch && s.writeMu == nil {
		// One statement is atomic by itself: no BEGIN and COMMIT to wait
		// for. (SQLite's writes go through InTx, one writer at a time.)
		query, args, err := inboxInsert(evs, t)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, query, args...); err != nil {
			return fmt.Errorf("store: record inbox: %w", classify(err))
		}
		return nil
	}
	return s.InTx(ctx, func(tx *Tx) error {
		for len(evs) > 0 {
			n := min(len(evs), inboxBatch)
			query, args, err := inboxInsert(evs[:n], t)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, query, args...); err != nil {
				return fmt.Errorf("store: record inbox: %w", err)
			}
			evs = evs[n:]
		}
		return nil
	})
}

// inboxInsert is one INSERT of evs, received at t.
func inboxInsert(evs []InboxEvent, t time.Time) (string, []any, error) {
	var b strings.Builder
	b.WriteString(`INSERT INTO inbox (platform, event_id, conv, payload, received_at, next_attempt_at) VALUES `)
	args := make([]any, 0, 6*len(evs))
	for i, e := range evs {
		if e.Platform == "" || e.EventID == "" {
			return "", nil, invalidf("an inbound event needs a platform and an ID")
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?)")
		args = append(args, e.Platform, e.EventID, e.Conv, string(e.Payload), t, t)
	}
	b.WriteString(` ON CONFLICT (platform, event_id) DO NOTHING`)
	return b.String(), args, nil
}

// ClaimInbox leases to worker, until the lease ends, up to limit recorded
// events that are due: only each conversation's oldest, so a
// conversation's events are applied in the order they were recorded.
func (s *Store) ClaimInbox(ctx context.Context, worker string, lease time.Duration, limit int) ([]InboxEvent, error) {
	t := now()
	var rows []InboxEvent
	err := s.sel(ctx, &rows, `SELECT i.id, i.platform, i.event_id, i.conv, i.payload, i.attempts FROM inbox i
		JOIN (SELECT MIN(id) AS id FROM inbox WHERE failed_at IS NULL GROUP BY conv) head ON head.id = i.id
		WHERE i.next_attempt_at <= ? AND (i.claimed_until IS NULL OR i.claimed_until < ?)
		ORDER BY i.id LIMIT ?`, t, t, limit)
	if err != nil {
		return nil, fmt.Errorf("store: inbox due: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	claim, args, err := s.in(`UPDATE inbox SET claimed_by = ?, claimed_until = ?
		WHERE id IN (?) AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)
		RETURNING id`, worker, t.Add(lease), ids, t)
	if err != nil {
		return nil, err
	}
	var won []int64
	if err := s.InTx(ctx, func(tx *Tx) error { return tx.sel(ctx, &won, claim, args...) }); err != nil {
		return nil, fmt.Errorf("store: claim inbox: %w", err)
	}
	claimed := make(map[int64]bool, len(won))
	for _, id := range won {
		claimed[id] = true
	}
	out := rows[:0]
	for _, r := range rows {
		if claimed[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// DoneInbox removes an applied event, in the transaction that applied it.
func (tx *Tx) DoneInbox(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM inbox WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: inbox done: %w", err)
	}
	return nil
}

// RetryInbox releases an event that could not be applied, for another
// attempt at the given time.
func (s *Store) RetryInbox(ctx context.Context, id int64, at time.Time, reason string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE inbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ?,
			claimed_by = NULL, claimed_until = NULL WHERE id = ?`, at.UTC(), reason, id)
		if err != nil {
			return fmt.Errorf("store: inbox retry: %w", err)
		}
		return nil
	})
}

// FailInbox gives up on an event: it is kept, with the reason, and no
// longer holds up its conversation.
func (s *Store) FailInbox(ctx context.Context, id int64, reason string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE inbox SET failed_at = ?, attempts = attempts + 1, last_error = ?,
			claimed_by = NULL, claimed_until = NULL WHERE id = ?`, now(), reason, id)
		if err != nil {
			return fmt.Errorf("store: inbox failed: %w", err)
		}
		return nil
	})
}

// PendingInbox counts the recorded events not yet applied (nor given up
// on).
func (q queries) PendingInbox(ctx context.Context) (int, error) {
	var n int
	if err := q.get(ctx, &n, `SELECT COUNT(*) FROM inbox WHERE failed_at IS NULL`); err != nil {
		return 0, fmt.Errorf("store: pending inbox: %w", err)
	}
	return n, nil
}

// releaseInboxClaims frees the events leased by a dead worker.
func (tx *Tx) releaseInboxClaims(ctx context.Context, worker string) (int, error) {
	res, err := tx.exec(ctx, `UPDATE inbox SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?`, worker)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
