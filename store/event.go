package store

import (
	"context"
	"fmt"
)

// MarkEventProcessed records an inbound platform event by its platform's
// own ID. It reports false when the event was recorded before: a
// redelivery, whose effects must not be applied again. Call it first in the
// transaction that applies the event's effects, so both commit or neither.
func (tx *Tx) MarkEventProcessed(ctx context.Context, platform, eventID string) (fresh bool, err error) {
	if platform == "" || eventID == "" {
		return false, invalidf("an inbound event needs its platform and event ID")
	}
	res, err := tx.exec(ctx, `INSERT INTO processed_events (platform, event_id, processed_at) VALUES (?, ?, ?)
		ON CONFLICT (platform, event_id) DO NOTHING`, platform, eventID, now())
	if err != nil {
		return false, fmt.Errorf("store: record event: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: record event: %w", err)
	}
	return n == 1, nil
}

// EventProcessed reports whether an inbound event has been recorded.
func (q queries) EventProcessed(ctx context.Context, platform, eventID string) (bool, error) {
	var n int
	if err := q.get(ctx, &n, `SELECT COUNT(*) FROM processed_events WHERE platform = ? AND event_id = ?`, platform, eventID); err != nil {
		return false, fmt.Errorf("store: look up event: %w", err)
	}
	return n > 0, nil
}
