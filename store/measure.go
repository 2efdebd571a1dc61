package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Measure is a concrete, checkable activity (tiltak) under a strategy, made
// from one or more suggestions.
type Measure struct {
	ID           int64         `json:"id"`
	PlanID       int64         `json:"-"`
	StrategyID   int64         `json:"-"`
	StrategyKey  string        `json:"strategy"`
	Text         string        `json:"text"`
	Responsible  string        `json:"responsible,omitempty"`
	Deadline     string        `json:"deadline,omitempty"` // YYYY-MM-DD in the plan's time zone
	Basis        Basis         `json:"basis,omitempty"`
	WhoActs      WhoActs       `json:"who_acts,omitempty"`
	Status       MeasureStatus `json:"status"`
	ReturnReason string        `json:"return_reason,omitempty"`
	LintOverride string        `json:"lint_override,omitempty"`
	CreatedBy    int64         `json:"-"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

type measureRow struct {
	ID           int64          `db:"id"`
	PlanID       int64          `db:"plan_id"`
	StrategyID   int64          `db:"strategy_id"`
	StrategyKey  string         `db:"strategy_key"`
	Text         string         `db:"text"`
	Responsible  string         `db:"responsible"`
	Deadline     sql.NullString `db:"deadline"`
	Basis        sql.NullString `db:"basis"`
	WhoActs      sql.NullString `db:"who_acts"`
	Status       string         `db:"status"`
	ReturnReason string         `db:"return_reason"`
	LintOverride string         `db:"lint_override"`
	CreatedBy    sql.NullInt64  `db:"created_by"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

func (r measureRow) measure() Measure {
	return Measure{ID: r.ID, PlanID: r.PlanID, StrategyID: r.StrategyID, StrategyKey: r.StrategyKey, Text: r.Text,
		Responsible: r.Responsible, Deadline: r.Deadline.String, Basis: Basis(r.Basis.String), WhoActs: WhoActs(r.WhoActs.String),
		Status: MeasureStatus(r.Status), ReturnReason: r.ReturnReason, LintOverride: r.LintOverride,
		CreatedBy: r.CreatedBy.Int64, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

const measureSelect = `SELECT m.*, s.key AS strategy_key FROM measures m JOIN strategies s ON s.id = m.strategy_id `

func (q queries) measures(ctx context.Context, where string, args ...any) ([]Measure, error) {
	var rows []measureRow
	if err := q.sel(ctx, &rows, measureSelect+where, args...); err != nil {
		return nil, fmt.Errorf("store: measures: %w", err)
	}
	out := make([]Measure, len(rows))
	for i, r := range rows {
		out[i] = r.measure()
	}
	return out, nil
}

// Measures lists the plan's measures in the order they were made.
func (q queries) Measures(ctx context.Context, planID int64) ([]Measure, error) {
	return q.measures(ctx, `WHERE m.plan_id = ? ORDER BY m.id`, planID)
}

// MeasureByID returns a measure, or ErrNotFound.
func (q queries) MeasureByID(ctx context.Context, id int64) (Measure, error) {
	got, err := q.measures(ctx, `WHERE m.id = ?`, id)
	if err != nil {
		return Measure{}, err
	}
	if len(got) == 0 {
		return Measure{}, fmt.Errorf("store: measure %d: %w", id, ErrNotFound)
	}
	return got[0], nil
}

// MeasureSuggestions lists the suggestions a measure came from.
func (q queries) MeasureSuggestions(ctx context.Context, measureID int64) ([]Suggestion, error) {
	return q.suggestions(ctx, `WHERE g.id IN (SELECT suggestion_id FROM measure_suggestions WHERE measure_id = ?) ORDER BY g.id`, measureID)
}

// MeasureTasks lists the keys of the central tasks a measure serves.
func (q queries) MeasureTasks(ctx context.Context, measureID int64) ([]string, error) {
	var out []string
	err := q.sel(ctx, &out, `SELECT t.key FROM measure_tasks mt JOIN central_tasks t ON t.id = mt.task_id WHERE mt.measure_id = ? ORDER BY t.position`, measureID)
	if err != nil {
		return nil, fmt.Errorf("store: measure tasks: %w", err)
	}
	return out, nil
}

// CreateMeasure stores a new draft measure linked to the suggestions it came
// from and the central tasks it serves. Suggestions stay as they are; one
// suggestion may feed several measures.
func (tx *Tx) CreateMeasure(ctx context.Context, by By, m Measure, suggestionIDs []int64, taskKeys []string) (Measure, error) {
	if err := CheckText(m.Text); err != nil {
		return Measure{}, err
	}
	if !m.Basis.Valid() || !m.WhoActs.Valid() {
		return Measure{}, invalidf("unknown basis or who-acts")
	}
	if m.Deadline != "" {
		if _, err := time.Parse(time.DateOnly, m.Deadline); err != nil {
			return Measure{}, invalidf("deadline %q is not a date (YYYY-MM-DD)", m.Deadline)
		}
	}
	var strategyPlan int64
	if err := tx.get(ctx, &strategyPlan, `SELECT plan_id FROM strategies WHERE id = ? AND NOT archived`, m.StrategyID); err != nil || strategyPlan != m.PlanID {
		return Measure{}, invalidf("strategy %d is not a current strategy of this plan", m.StrategyID)
	}
	for _, sid := range suggestionIDs {
		s, err := tx.SuggestionByID(ctx, sid)
		if err != nil || s.PlanID != m.PlanID {
			return Measure{}, invalidf("suggestion %d is not a suggestion of this plan", sid)
		}
	}
	t := now()
	id, err := tx.insertID(ctx, `INSERT INTO measures (plan_id, strategy_id, text, responsible, deadline, basis, who_acts, status, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)`, m.PlanID, m.StrategyID, m.Text, m.Responsible, nullString(m.Deadline),
		nullString(string(m.Basis)), nullString(string(m.WhoActs)), nullID(m.CreatedBy), t, t)
	if err != nil {
		return Measure{}, fmt.Errorf("store: insert measure: %w", err)
	}
	for _, sid := range suggestionIDs {
		if _, err := tx.exec(ctx, `INSERT INTO measure_suggestions (measure_id, suggestion_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, sid); err != nil {
			return Measure{}, fmt.Errorf("store: link suggestion: %w", err)
		}
	}
	for _, k := range taskKeys {
		res, err := tx.exec(ctx, `INSERT INTO measure_tasks (measure_id, task_id) SELECT ?, id FROM central_tasks WHERE plan_id = ? AND key = ? AND NOT archived`, id, m.PlanID, k)
		if err != nil {
			return Measure{}, fmt.Errorf("store: link central task: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return Measure{}, invalidf("central task %q is not one of this plan's", k)
		}
	}
	stored, err := tx.MeasureByID(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	after := struct {
		Measure
		Suggestions []int64  `json:"suggestions"`
		Tasks       []string `json:"central_tasks"`
	}{stored, suggestionIDs, taskKeys}
	if err := tx.audit(ctx, m.PlanID, by, "measure.create", "measure", id, nil, after); err != nil {
		return Measure{}, err
	}
	return stored, nil
}

// SetMeasureStatus moves a measure to a new status if the process allows it.
// reason is kept with a return to draft.
func (tx *Tx) SetMeasureStatus(ctx context.Context, by By, id int64, to MeasureStatus, reason string) (Measure, error) {
	m, err := tx.MeasureByID(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	if !m.Status.CanMove(to) {
		return Measure{}, invalidf("measure %d is %s and cannot become %s", id, m.Status, to)
	}
	returnReason := m.ReturnReason
	if to == StatusReturned {
		returnReason = reason
	}
	if _, err := tx.exec(ctx, `UPDATE measures SET status = ?, return_reason = ?, updated_at = ? WHERE id = ?`, to, returnReason, now(), id); err != nil {
		return Measure{}, fmt.Errorf("store: set measure status: %w", err)
	}
	after, err := tx.MeasureByID(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	if err := tx.audit(ctx, m.PlanID, by, "measure.status", "measure", id, m, after); err != nil {
		return Measure{}, err
	}
	return after, nil
}

// MeasureEdit is a change to a measure; nil fields stay as they are.
type MeasureEdit struct {
	Text        *string
	Responsible *string
	Deadline    *string // YYYY-MM-DD, or "" to clear
	Basis       *Basis
	WhoActs     *WhoActs
	Tasks       *[]string // central task keys, replacing the measure's
}

// UpdateMeasure changes a draft (or returned) measure; a measure on
// hearing or decided is not reworded under the people judging it.
func (tx *Tx) UpdateMeasure(ctx context.Context, by By, id int64, e MeasureEdit) (Measure, error) {
	m, err := tx.MeasureByID(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	if m.Status != StatusDraft && m.Status != StatusReturned {
		return Measure{}, invalidf("measure %d is %s and cannot be changed", id, m.Status)
	}
	beforeTasks, err := tx.MeasureTasks(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	after := m
	if e.Text != nil {
		if err := CheckText(*e.Text); err != nil {
			return Measure{}, err
		}
		after.Text = *e.Text
	}
	if e.Responsible != nil {
		after.Responsible = *e.Responsible
	}
	if e.Deadline != nil {
		if *e.Deadline != "" {
			if _, err := time.Parse(time.DateOnly, *e.Deadline); err != nil {
				return Measure{}, invalidf("deadline %q is not a date (YYYY-MM-DD)", *e.Deadline)
			}
		}
		after.Deadline = *e.Deadline
	}
	if e.Basis != nil {
		if !e.Basis.Valid() {
			return Measure{}, invalidf("unknown basis %q", *e.Basis)
		}
		after.Basis = *e.Basis
	}
	if e.WhoActs != nil {
		if !e.WhoActs.Valid() {
			return Measure{}, invalidf("unknown who-acts %q", *e.WhoActs)
		}
		after.WhoActs = *e.WhoActs
	}
	_, err = tx.exec(ctx, `UPDATE measures SET text = ?, responsible = ?, deadline = ?, basis = ?, who_acts = ?, updated_at = ? WHERE id = ?`,
		after.Text, after.Responsible, nullString(after.Deadline), nullString(string(after.Basis)), nullString(string(after.WhoActs)), now(), id)
	if err != nil {
		return Measure{}, fmt.Errorf("store: update measure: %w", err)
	}
	afterTasks := beforeTasks
	if e.Tasks != nil {
		if _, err := tx.exec(ctx, `DELETE FROM measure_tasks WHERE measure_id = ?`, id); err != nil {
			return Measure{}, fmt.Errorf("store: measure tasks: %w", err)
		}
		for _, k := range *e.Tasks {
			res, err := tx.exec(ctx, `INSERT INTO measure_tasks (measure_id, task_id) SELECT ?, id FROM central_tasks WHERE plan_id = ? AND key = ? AND NOT archived
				ON CONFLICT DO NOTHING`, id, m.PlanID, k)
			if err != nil {
				return Measure{}, fmt.Errorf("store: link central task: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return Measure{}, invalidf("central task %q is not one of this plan's", k)
			}
		}
		afterTasks = *e.Tasks
	}
	stored, err := tx.MeasureByID(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	type state struct {
		Measure
		Tasks []string `json:"central_tasks"`
	}
	return stored, tx.audit(ctx, m.PlanID, by, "measure.update", "measure", id, state{m, beforeTasks}, state{stored, afterTasks})
}

// LinkSuggestions adds suggestions to those a measure came from and
// returns the ones that were not linked before. Links are never removed.
func (tx *Tx) LinkSuggestions(ctx context.Context, by By, measureID int64, suggestionIDs []int64) ([]int64, error) {
	m, err := tx.MeasureByID(ctx, measureID)
	if err != nil {
		return nil, err
	}
	var added []int64
	for _, sid := range suggestionIDs {
		s, err := tx.SuggestionByID(ctx, sid)
		if err != nil || s.PlanID != m.PlanID {
			return nil, invalidf("suggestion %d is not a suggestion of this plan", sid)
		}
		res, err := tx.exec(ctx, `INSERT INTO measure_suggestions (measure_id, suggestion_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, measureID, sid)
		if err != nil {
			return nil, fmt.Errorf("store: link suggestion: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			added = append(added, sid)
		}
	}
	if len(added) == 0 {
		return nil, nil
	}
	return added, tx.audit(ctx, m.PlanID, by, "measure.link", "measure", measureID, nil, map[string][]int64{"suggestions": added})
}

// Unnotified lists the suggestions linked to a measure whose authors have
// not been told yet, with their authors.
func (q queries) Unnotified(ctx context.Context, measureID int64) ([]Suggestion, error) {
	return q.suggestions(ctx, `WHERE g.id IN (SELECT suggestion_id FROM measure_suggestions WHERE measure_id = ? AND notified_at IS NULL)
		AND g.actor_id IS NOT NULL ORDER BY g.id`, measureID)
}

// MarkNotified records that a suggestion's author was told it is part of
// the measure; it reports false if someone did so first.
func (tx *Tx) MarkNotified(ctx context.Context, measureID, suggestionID int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE measure_suggestions SET notified_at = ? WHERE measure_id = ? AND suggestion_id = ? AND notified_at IS NULL`,
		now(), measureID, suggestionID)
	if err != nil {
		return false, fmt.Errorf("store: mark notified: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UsedSuggestions returns the IDs of the plan's suggestions that feed at
// least one measure.
func (q queries) UsedSuggestions(ctx context.Context, planID int64) (map[int64]bool, error) {
	var ids []int64
	err := q.sel(ctx, &ids, `SELECT DISTINCT ms.suggestion_id FROM measure_suggestions ms JOIN measures m ON m.id = ms.measure_id WHERE m.plan_id = ?`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: used suggestions: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// OverrideLint records the project leader's reason for sending a measure
// the wording check flagged to a hearing anyway ("" withdraws it).
func (tx *Tx) OverrideLint(ctx context.Context, by By, id int64, reason string) (Measure, error) {
	m, err := tx.MeasureByID(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	if reason != "" {
		if err := CheckText(reason); err != nil {
			return Measure{}, err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE measures SET lint_override = ?, updated_at = ? WHERE id = ?`, reason, now(), id); err != nil {
		return Measure{}, fmt.Errorf("store: override lint: %w", err)
	}
	after, err := tx.MeasureByID(ctx, id)
	if err != nil {
		return Measure{}, err
	}
	return after, tx.audit(ctx, m.PlanID, by, "measure.lint_override", "measure", id,
		map[string]string{"lint_override": m.LintOverride}, map[string]string{"lint_override": reason})
}
