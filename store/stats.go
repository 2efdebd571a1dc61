package store

import (
	"context"
	"fmt"
	"time"
)

// Stats is what an operator watches in the database: the outbox's
// backlog, the dialogs under way and the hearings open. It counts every
// plan and every process on the database.
type Stats struct {
	// Outbox has one entry per platform with undelivered messages.
	Outbox []OutboxStat
	// DialogsInProgress counts the dialogs not at an end step
	// (DialogEndSteps).
	DialogsInProgress int
	OpenHearings      int
	// InboxPending counts inbound events recorded and not yet applied,
	// InboxFailed those set aside after repeated failures.
	InboxPending, InboxFailed int
}

// OutboxStat is one platform's undelivered messages: how many, and when
// the oldest was queued.
type OutboxStat struct {
	Platform string
	Pending  int
	Oldest   time.Time
}

// DialogEndSteps are the steps of intake's dialog state (its JSON "step")
// at which a dialog is over until the actor starts again: submitted, or
// declined. intake's tests keep this list in step with its dialog.
var DialogEndSteps = []string{"finished", "declined"}

// Stats reads the figures. Each is one indexed query; call it with a short
// deadline from a metrics scrape.
func (q queries) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	// One statement, so that the count and the oldest message are of the
	// same moment: read apart, a message delivered in between left a
	// count with no oldest message, and the scrape failed. The oldest is
	// joined by its ID rather than taken with MIN(created_at): SQLite
	// returns an aggregate as text, a plain column as the time it was
	// written as.
	var pending []struct {
		Platform string    `db:"platform"`
		N        int       `db:"n"`
		Oldest   time.Time `db:"created_at"`
	}
	if err := q.sel(ctx, &pending, `SELECT o.platform, h.n, o.created_at
		FROM (SELECT COUNT(*) AS n, MIN(id) AS id FROM outbox
		      WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY platform) h
		JOIN outbox o ON o.id = h.id ORDER BY o.platform`); err != nil {
		return Stats{}, fmt.Errorf("store: outbox stats: %w", err)
	}
	for _, p := range pending {
		st.Outbox = append(st.Outbox, OutboxStat{Platform: p.Platform, Pending: p.N, Oldest: p.Oldest.UTC()})
	}
	query, args, err := q.in(`SELECT COUNT(*) FROM dialogs WHERE COALESCE(`+q.d.jsonText("state", "step")+`, '') NOT IN (?)`, DialogEndSteps)
	if err != nil {
		return Stats{}, err
	}
	if err := q.get(ctx, &st.DialogsInProgress, query, args...); err != nil {
		return Stats{}, fmt.Errorf("store: dialogs in progress: %w", err)
	}
	if err := q.get(ctx, &st.OpenHearings, `SELECT COUNT(*) FROM hearings WHERE status = 'open'`); err != nil {
		return Stats{}, fmt.Errorf("store: open hearings: %w", err)
	}
	var inbox struct {
		Pending int `db:"pending"`
		Failed  int `db:"failed"`
	}
	if err := q.get(ctx, &inbox, `SELECT COUNT(*) - COUNT(failed_at) AS pending, COUNT(failed_at) AS failed FROM inbox`); err != nil {
		return Stats{}, fmt.Errorf("store: inbox: %w", err)
	}
	st.InboxPending, st.InboxFailed = inbox.Pending, inbox.Failed
	return st, nil
}
