package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Whole-plan reads for the digest: one query each, so that a digest of a
// plan with tens of thousands of suggestions and votes costs a handful of
// round trips, not one per measure.

// MeasureLinks maps each of the plan's measures to the suggestions it came
// from, in suggestion order.
func (q queries) MeasureLinks(ctx context.Context, planID int64) (map[int64][]int64, error) {
	var rows []struct {
		MeasureID    int64 `db:"measure_id"`
		SuggestionID int64 `db:"suggestion_id"`
	}
	err := q.sel(ctx, &rows, `SELECT l.measure_id, l.suggestion_id FROM measure_suggestions l
		JOIN measures m ON m.id = l.measure_id WHERE m.plan_id = ? ORDER BY l.measure_id, l.suggestion_id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: measure links: %w", err)
	}
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.MeasureID] = append(out[r.MeasureID], r.SuggestionID)
	}
	return out, nil
}

// MeasureTaskKeys maps each of the plan's measures to its central tasks'
// keys, in the tasks' order.
func (q queries) MeasureTaskKeys(ctx context.Context, planID int64) (map[int64][]string, error) {
	var rows []struct {
		MeasureID int64  `db:"measure_id"`
		Key       string `db:"key"`
	}
	err := q.sel(ctx, &rows, `SELECT l.measure_id, t.key FROM measure_tasks l JOIN central_tasks t ON t.id = l.task_id
		WHERE t.plan_id = ? ORDER BY l.measure_id, t.position`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: measure tasks: %w", err)
	}
	out := map[int64][]string{}
	for _, r := range rows {
		out[r.MeasureID] = append(out[r.MeasureID], r.Key)
	}
	return out, nil
}

// PlanHearingItems lists every item of the plan's hearings, by hearing.
func (q queries) PlanHearingItems(ctx context.Context, planID int64) ([]HearingItem, error) {
	var out []HearingItem
	err := q.sel(ctx, &out, `SELECT i.* FROM hearing_items i JOIN hearings h ON h.id = i.hearing_id
		WHERE h.plan_id = ? ORDER BY i.hearing_id, i.id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: plan hearing items: %w", err)
	}
	return out, nil
}

// PlanVotes lists the current votes on every item of the plan's hearings.
func (q queries) PlanVotes(ctx context.Context, planID int64) ([]Vote, error) {
	var out []Vote
	err := q.sel(ctx, &out, `SELECT v.* FROM votes v JOIN hearing_items i ON i.id = v.hearing_item_id
		JOIN hearings h ON h.id = i.hearing_id WHERE h.plan_id = ? ORDER BY v.hearing_item_id, v.actor_id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: plan votes: %w", err)
	}
	return out, nil
}

// PlanComments lists the comments on every item of the plan's hearings.
func (q queries) PlanComments(ctx context.Context, planID int64) ([]HearingComment, error) {
	var out []HearingComment
	err := q.sel(ctx, &out, `SELECT c.* FROM hearing_comments c JOIN hearing_items i ON i.id = c.hearing_item_id
		JOIN hearings h ON h.id = i.hearing_id WHERE h.plan_id = ? ORDER BY c.hearing_item_id, c.id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: plan comments: %w", err)
	}
	return out, nil
}

// PlanApprovals lists the decisions on the plan's measures in order.
func (q queries) PlanApprovals(ctx context.Context, planID int64) ([]Approval, error) {
	var out []Approval
	err := q.sel(ctx, &out, `SELECT a.* FROM approvals a JOIN measures m ON m.id = a.measure_id
		WHERE m.plan_id = ? ORDER BY a.id`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: plan approvals: %w", err)
	}
	return out, nil
}

// PlanRoles maps each of the plan's actors to their roles.
func (q queries) PlanRoles(ctx context.Context, planID int64) (map[int64][]Role, error) {
	var rows []struct {
		ActorID int64  `db:"actor_id"`
		Role    string `db:"role"`
	}
	if err := q.sel(ctx, &rows, `SELECT actor_id, role FROM memberships WHERE plan_id = ? ORDER BY actor_id, role`, planID); err != nil {
		return nil, fmt.Errorf("store: plan roles: %w", err)
	}
	out := map[int64][]Role{}
	for _, r := range rows {
		out[r.ActorID] = append(out[r.ActorID], Role(r.Role))
	}
	return out, nil
}

// StatusChange is a measure's move from one status to another.
type StatusChange struct {
	MeasureID int64
	From, To  MeasureStatus
	At        time.Time
}

// StatusChangesSince lists the plan's measure status changes after t,
// from the audit log.
func (q queries) StatusChangesSince(ctx context.Context, planID int64, t time.Time) ([]StatusChange, error) {
	var rows []auditRow
	if err := q.sel(ctx, &rows, `SELECT * FROM audit_log WHERE plan_id = ? AND action = 'measure.status' AND at > ? ORDER BY id`, planID, t.UTC()); err != nil {
		return nil, fmt.Errorf("store: status changes: %w", err)
	}
	out := make([]StatusChange, 0, len(rows))
	for _, r := range rows {
		e := r.entry()
		var before, after struct {
			ID     int64         `json:"id"`
			Status MeasureStatus `json:"status"`
		}
		if err := unmarshalOptional(e.Before, &before); err != nil {
			return nil, err
		}
		if err := unmarshalOptional(e.After, &after); err != nil {
			return nil, err
		}
		out = append(out, StatusChange{MeasureID: after.ID, From: before.Status, To: after.Status, At: e.At})
	}
	return out, nil
}

// LastDigestPull is when the labelled person last pulled a digest of the
// plan; false when never.
func (q queries) LastDigestPull(ctx context.Context, planID int64, label string) (time.Time, bool, error) {
	var at time.Time
	err := q.get(ctx, &at, `SELECT pulled_at FROM digest_pulls WHERE plan_id = ? AND label = ? ORDER BY pulled_at DESC LIMIT 1`, planID, label)
	if errors.Is(err, ErrNotFound) {
		return time.Time{}, false, nil
	} else if err != nil {
		return time.Time{}, false, fmt.Errorf("store: last digest pull: %w", err)
	}
	return at.UTC(), true, nil
}

// RecordDigestPull notes that by pulled a digest of the plan at t, under
// label (the person, so that their next digest says what changed since).
func (tx *Tx) RecordDigestPull(ctx context.Context, by By, planID int64, label, format string, t time.Time) error {
	if _, err := tx.insertID(ctx, `INSERT INTO digest_pulls (plan_id, actor_id, label, format, pulled_at) VALUES (?, ?, ?, ?, ?)`,
		planID, nullID(by.ActorID), label, format, t.UTC()); err != nil {
		return fmt.Errorf("store: record digest pull: %w", err)
	}
	return tx.audit(ctx, planID, by, "digest.pull", "plan", planID, nil, map[string]any{"label": label, "format": format, "at": t.UTC()})
}

func unmarshalOptional(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("store: audit entry: %w", err)
	}
	return nil
}
