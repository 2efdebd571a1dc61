package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Invitation is the project leader's request to an actor for input, and
// what became of it.
type Invitation struct {
	ID          int64      `json:"id"`
	PlanID      int64      `json:"-"`
	ActorID     int64      `json:"actor_id"`
	BatchID     int64      `json:"batch_id"`
	InvitedBy   int64      `json:"invited_by,omitempty"`
	Platform    string     `json:"platform"` // "" when the actor cannot be reached by chat
	Channel     string     `json:"channel,omitempty"`
	StrategyKey string     `json:"strategy,omitempty"`
	AnswerBy    string     `json:"answer_by,omitempty"` // YYYY-MM-DD in the plan's time zone
	RemindAt    *time.Time `json:"remind_at,omitempty"`
	RemindedAt  *time.Time `json:"reminded_at,omitempty"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	DeclinedAt  *time.Time `json:"declined_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// Reachable reports whether the invitation could be sent by chat.
func (i Invitation) Reachable() bool { return i.Platform != "" }

type invitationRow struct {
	ID          int64          `db:"id"`
	PlanID      int64          `db:"plan_id"`
	ActorID     int64          `db:"actor_id"`
	BatchID     int64          `db:"batch_id"`
	InvitedBy   sql.NullInt64  `db:"invited_by"`
	Platform    string         `db:"platform"`
	Channel     string         `db:"channel"`
	StrategyKey string         `db:"strategy_key"`
	AnswerBy    sql.NullString `db:"answer_by"`
	RemindAt    sql.NullTime   `db:"remind_at"`
	RemindedAt  sql.NullTime   `db:"reminded_at"`
	StartedAt   sql.NullTime   `db:"started_at"`
	FinishedAt  sql.NullTime   `db:"finished_at"`
	DeclinedAt  sql.NullTime   `db:"declined_at"`
	CreatedAt   time.Time      `db:"created_at"`
}

func (r invitationRow) invitation() Invitation {
	return Invitation{ID: r.ID, PlanID: r.PlanID, ActorID: r.ActorID, BatchID: r.BatchID, InvitedBy: r.InvitedBy.Int64,
		Platform: r.Platform, Channel: r.Channel, StrategyKey: r.StrategyKey, AnswerBy: r.AnswerBy.String,
		RemindAt: timePtr(r.RemindAt), RemindedAt: timePtr(r.RemindedAt), StartedAt: timePtr(r.StartedAt),
		FinishedAt: timePtr(r.FinishedAt), DeclinedAt: timePtr(r.DeclinedAt), CreatedAt: r.CreatedAt.UTC()}
}

// InvitationBatch is one invite command: the invitations it sent and where
// to say that all have gone out.
type InvitationBatch struct {
	ID            int64
	PlanID        int64
	InvitedBy     int64
	ReplyPlatform string
	ReplyChannel  string
	ReplyLanguage Language
	CreatedAt     time.Time
	DoneAt        *time.Time
}

type batchRow struct {
	ID            int64         `db:"id"`
	PlanID        int64         `db:"plan_id"`
	InvitedBy     sql.NullInt64 `db:"invited_by"`
	CreatedAt     time.Time     `db:"created_at"`
	ReplyPlatform string        `db:"reply_platform"`
	ReplyChannel  string        `db:"reply_channel"`
	ReplyLanguage string        `db:"reply_language"`
	DoneAt        sql.NullTime  `db:"done_at"`
}

// CreateInvitationBatch records an invite command.
func (tx *Tx) CreateInvitationBatch(ctx context.Context, by By, b InvitationBatch) (InvitationBatch, error) {
	b.CreatedAt = now()
	id, err := tx.insertID(ctx, `INSERT INTO invitation_batches (plan_id, invited_by, created_at, reply_platform, reply_channel, reply_language)
		VALUES (?, ?, ?, ?, ?, ?)`, b.PlanID, nullID(b.InvitedBy), b.CreatedAt, b.ReplyPlatform, b.ReplyChannel, b.ReplyLanguage)
	if err != nil {
		return InvitationBatch{}, fmt.Errorf("store: insert invitation batch: %w", err)
	}
	b.ID = id
	return b, tx.audit(ctx, b.PlanID, by, "invitation_batch.create", "invitation_batch", id, nil, b)
}

// InvitationBatchByID returns a batch, or ErrNotFound.
func (q queries) InvitationBatchByID(ctx context.Context, id int64) (InvitationBatch, error) {
	var r batchRow
	if err := q.get(ctx, &r, `SELECT * FROM invitation_batches WHERE id = ?`, id); err != nil {
		return InvitationBatch{}, fmt.Errorf("store: invitation batch %d: %w", id, err)
	}
	return InvitationBatch{ID: r.ID, PlanID: r.PlanID, InvitedBy: r.InvitedBy.Int64, ReplyPlatform: r.ReplyPlatform,
		ReplyChannel: r.ReplyChannel, ReplyLanguage: Language(r.ReplyLanguage), CreatedAt: r.CreatedAt.UTC(), DoneAt: timePtr(r.DoneAt)}, nil
}

// CreateInvitation records an invitation. An actor is invited once: for
// an actor invited before it returns that invitation and false.
func (tx *Tx) CreateInvitation(ctx context.Context, by By, inv Invitation) (Invitation, bool, error) {
	inv.CreatedAt = now()
	id, err := tx.insertID(ctx, `INSERT INTO invitations (plan_id, actor_id, batch_id, invited_by, platform, channel, strategy_key, answer_by, remind_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (actor_id) DO NOTHING`,
		inv.PlanID, inv.ActorID, inv.BatchID, nullID(inv.InvitedBy), inv.Platform, inv.Channel, inv.StrategyKey,
		nullString(inv.AnswerBy), nullTime(inv.RemindAt), inv.CreatedAt)
	if isNoRows(err) {
		old, err := tx.InvitationByActor(ctx, inv.ActorID)
		return old, false, err
	}
	if err != nil {
		return Invitation{}, false, fmt.Errorf("store: insert invitation: %w", err)
	}
	inv.ID = id
	return inv, true, tx.audit(ctx, inv.PlanID, by, "invitation.create", "invitation", id, nil, inv)
}

// InvitationByActor returns an actor's invitation, or ErrNotFound.
func (q queries) InvitationByActor(ctx context.Context, actorID int64) (Invitation, error) {
	var r invitationRow
	if err := q.get(ctx, &r, `SELECT * FROM invitations WHERE actor_id = ?`, actorID); err != nil {
		return Invitation{}, fmt.Errorf("store: invitation of actor %d: %w", actorID, err)
	}
	return r.invitation(), nil
}

// Invitations lists the plan's invitations in the order they were made.
func (q queries) Invitations(ctx context.Context, planID int64) ([]Invitation, error) {
	var rows []invitationRow
	if err := q.sel(ctx, &rows, `SELECT * FROM invitations WHERE plan_id = ? ORDER BY id`, planID); err != nil {
		return nil, fmt.Errorf("store: invitations: %w", err)
	}
	out := make([]Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.invitation()
	}
	return out, nil
}

// InvitationMark is a step an invited actor takes.
type InvitationMark string

const (
	MarkStarted  InvitationMark = "started"
	MarkFinished InvitationMark = "finished"
	MarkDeclined InvitationMark = "declined"
)

// MarkInvitation records that an invited actor started, finished or
// declined, once; it reports whether anything changed (false, too, for an
// actor who was never invited).
func (tx *Tx) MarkInvitation(ctx context.Context, by By, actorID int64, mark InvitationMark) (bool, error) {
	column := map[InvitationMark]string{MarkStarted: "started_at", MarkFinished: "finished_at", MarkDeclined: "declined_at"}[mark]
	if column == "" {
		return false, invalidf("unknown invitation mark %q", mark)
	}
	t := now()
	res, err := tx.exec(ctx, `UPDATE invitations SET `+column+` = ? WHERE actor_id = ? AND `+column+` IS NULL`, t, actorID)
	if err != nil {
		return false, fmt.Errorf("store: mark invitation %s: %w", mark, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	inv, err := tx.InvitationByActor(ctx, actorID)
	if err != nil {
		return false, err
	}
	return true, tx.audit(ctx, inv.PlanID, by, "invitation."+string(mark), "invitation", inv.ID, nil, map[string]time.Time{column: t})
}

// RemindLater schedules one more reminder for an invited actor who asked
// for it.
func (tx *Tx) RemindLater(ctx context.Context, by By, actorID int64, at time.Time) error {
	inv, err := tx.InvitationByActor(ctx, actorID)
	if err != nil {
		return err
	}
	at = at.UTC()
	if _, err := tx.exec(ctx, `UPDATE invitations SET remind_at = ?, reminded_at = NULL WHERE id = ?`, at, inv.ID); err != nil {
		return fmt.Errorf("store: remind later: %w", err)
	}
	return tx.audit(ctx, inv.PlanID, by, "invitation.remind_later", "invitation", inv.ID,
		map[string]*time.Time{"remind_at": inv.RemindAt}, map[string]time.Time{"remind_at": at})
}

// DueReminders lists invitations whose reminder is due at now: not yet
// reminded, not declined, not finished.
func (q queries) DueReminders(ctx context.Context, now time.Time, limit int) ([]Invitation, error) {
	var rows []invitationRow
	err := q.sel(ctx, &rows, `SELECT * FROM invitations WHERE remind_at <= ? AND reminded_at IS NULL AND declined_at IS NULL
		AND finished_at IS NULL AND platform <> '' ORDER BY remind_at, id LIMIT ?`, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	out := make([]Invitation, len(rows))
	for i, r := range rows {
		out[i] = r.invitation()
	}
	return out, nil
}

// ClaimReminder marks an invitation reminded if it still is due and no
// one (no other process) claimed it first; it reports whether this caller
// may send the reminder. Claim and send commit together.
func (tx *Tx) ClaimReminder(ctx context.Context, by By, inv Invitation, now time.Time) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE invitations SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL AND declined_at IS NULL
		AND finished_at IS NULL AND remind_at <= ?`, now.UTC(), inv.ID, now.UTC())
	if err != nil {
		return false, fmt.Errorf("store: claim reminder: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, tx.audit(ctx, inv.PlanID, by, "invitation.remind", "invitation", inv.ID, nil, map[string]time.Time{"reminded_at": now.UTC()})
}

// FinishBatch marks a batch done once; it reports whether this caller did.
func (tx *Tx) FinishBatch(ctx context.Context, batchID int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE invitation_batches SET done_at = ? WHERE id = ? AND done_at IS NULL`, now(), batchID)
	if err != nil {
		return false, fmt.Errorf("store: finish batch: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// OutboxProgress counts a correlation's outgoing messages still to go, and
// those given up on.
func (q queries) OutboxProgress(ctx context.Context, correlation string) (pending, failed int, err error) {
	var r struct {
		Pending int `db:"pending"`
		Failed  int `db:"failed"`
	}
	err = q.get(ctx, &r, `SELECT
		COALESCE(SUM(CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS pending,
		COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed
		FROM outbox WHERE correlation = ?`, correlation)
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox progress: %w", err)
	}
	return r.Pending, r.Failed, nil
}

// LockInvitationBatch holds the batch's row until the transaction ends, so
// that two deliveries finishing at once cannot both see the other as still
// pending. (SQLite runs one writer at a time and needs no lock.)
func (tx *Tx) LockInvitationBatch(ctx context.Context, batchID int64) error {
	if tx.d.name != "postgres" {
		return nil
	}
	var id int64
	if err := tx.get(ctx, &id, `SELECT id FROM invitation_batches WHERE id = ? FOR UPDATE`, batchID); err != nil {
		return fmt.Errorf("store: lock invitation batch: %w", err)
	}
	return nil
}
