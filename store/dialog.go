package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Dialog is where an actor is in the guiding-question dialog. Its state is
// owned by intake and stored as JSON; the store only keeps it safe.
type Dialog struct {
	ID        int64
	PlanID    int64
	ActorID   int64
	Platform  string // where the actor last talked to the bot
	Channel   string
	State     json.RawMessage
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

type dialogRow struct {
	ID        int64     `db:"id"`
	PlanID    int64     `db:"plan_id"`
	ActorID   int64     `db:"actor_id"`
	Platform  string    `db:"platform"`
	Channel   string    `db:"channel"`
	State     string    `db:"state"`
	Version   int       `db:"version"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// DialogByActor returns the actor's dialog, or ErrNotFound.
func (q queries) DialogByActor(ctx context.Context, actorID int64) (Dialog, error) {
	var r dialogRow
	if err := q.get(ctx, &r, `SELECT * FROM dialogs WHERE actor_id = ?`, actorID); err != nil {
		return Dialog{}, fmt.Errorf("store: dialog of actor %d: %w", actorID, err)
	}
	return Dialog{ID: r.ID, PlanID: r.PlanID, ActorID: r.ActorID, Platform: r.Platform, Channel: r.Channel,
		State: json.RawMessage(r.State), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// SaveDialog stores a new dialog (ID 0) or a changed one. A dialog changed
// by someone else since it was read (its Version moved on) is not
// overwritten: SaveDialog returns ErrConflict and the caller retries from a
// fresh read. summaryBefore and summaryAfter go to the audit log: a compact
// account of the step, not the actor's drafts.
func (tx *Tx) SaveDialog(ctx context.Context, by By, d Dialog, summaryBefore, summaryAfter any) (Dialog, error) {
	t := now()
	if d.ID == 0 {
		id, err := tx.insertID(ctx, `INSERT INTO dialogs (plan_id, actor_id, platform, channel, state, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (actor_id) DO NOTHING`, d.PlanID, d.ActorID, d.Platform, d.Channel, string(d.State), t, t)
		if isNoRows(err) {
			return Dialog{}, fmt.Errorf("%w: dialog of actor %d was created meanwhile", ErrConflict, d.ActorID)
		}
		if err != nil {
			return Dialog{}, fmt.Errorf("store: insert dialog: %w", err)
		}
		d.ID, d.Version, d.CreatedAt, d.UpdatedAt = id, 1, t, t
	} else {
		res, err := tx.exec(ctx, `UPDATE dialogs SET platform = ?, channel = ?, state = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, d.Platform, d.Channel, string(d.State), t, d.ID, d.Version)
		if err != nil {
			return Dialog{}, fmt.Errorf("store: update dialog: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return Dialog{}, fmt.Errorf("store: update dialog: %w", err)
		} else if n == 0 {
			return Dialog{}, fmt.Errorf("%w: dialog %d changed meanwhile", ErrConflict, d.ID)
		}
		d.Version++
		d.UpdatedAt = t
	}
	if err := tx.audit(ctx, d.PlanID, by, "dialog.save", "dialog", d.ID, summaryBefore, summaryAfter); err != nil {
		return Dialog{}, err
	}
	return d, nil
}

// CountDialogs returns how many dialogs the plan has.
func (q queries) CountDialogs(ctx context.Context, planID int64) (int, error) {
	var n int
	if err := q.get(ctx, &n, `SELECT COUNT(*) FROM dialogs WHERE plan_id = ?`, planID); err != nil {
		return 0, fmt.Errorf("store: count dialogs: %w", err)
	}
	return n, nil
}
