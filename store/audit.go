package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// By says who caused a change: an actor of the plan, or a named system
// part ("cli", "system", "console").
type By struct {
	ActorID int64 // 0 when no actor is known
	Label   string
}

// System is the By for changes made by the program itself.
var System = By{Label: "system"}

// AuditEntry is one row of the append-only audit log.
type AuditEntry struct {
	ID       int64
	PlanID   int64
	At       time.Time
	ActorID  int64
	By       string
	Action   string
	Entity   string
	EntityID string
	Before   json.RawMessage // nil when the entity did not exist
	After    json.RawMessage // nil when the entity ceased to exist
}

type auditRow struct {
	ID       int64          `db:"id"`
	PlanID   sql.NullInt64  `db:"plan_id"`
	At       time.Time      `db:"at"`
	ActorID  sql.NullInt64  `db:"actor_id"`
	By       string         `db:"by_label"`
	Action   string         `db:"action"`
	Entity   string         `db:"entity"`
	EntityID string         `db:"entity_id"`
	Before   sql.NullString `db:"before_state"`
	After    sql.NullString `db:"after_state"`
}

func (r auditRow) entry() AuditEntry {
	e := AuditEntry{ID: r.ID, PlanID: r.PlanID.Int64, At: r.At, ActorID: r.ActorID.Int64,
		By: r.By, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID}
	if r.Before.Valid {
		e.Before = json.RawMessage(r.Before.String)
	}
	if r.After.Valid {
		e.After = json.RawMessage(r.After.String)
	}
	return e
}

// audit appends a row to the audit log in the transaction. before and after
// are marshalled to JSON; a nil one is stored as NULL.
func (tx *Tx) audit(ctx context.Context, planID int64, by By, action, entity string, entityID any, before, after any) error {
	enc := func(v any) (sql.NullString, error) {
		if v == nil {
			return sql.NullString{}, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return sql.NullString{}, err
		}
		return sql.NullString{String: string(b), Valid: true}, nil
	}
	b, err := enc(before)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	a, err := enc(after)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	label := by.Label
	if label == "" {
		label = "unknown"
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log (plan_id, at, actor_id, by_label, action, entity, entity_id, before_state, after_state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(planID), now(), nullID(by.ActorID), label, action, entity, fmt.Sprint(entityID), b, a)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return nil
}

// AuditFilter narrows AuditLog; zero fields match everything.
type AuditFilter struct {
	PlanID   int64
	Entity   string
	EntityID string
	Action   string
}

// AuditLog returns audit entries in the order they were written.
func (q queries) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	query := `SELECT * FROM audit_log WHERE 1=1`
	var args []any
	if f.PlanID != 0 {
		query += ` AND plan_id = ?`
		args = append(args, f.PlanID)
	}
	if f.Entity != "" {
		query += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		query += ` AND entity_id = ?`
		args = append(args, f.EntityID)
	}
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	var rows []auditRow
	if err := q.sel(ctx, &rows, query+` ORDER BY id`, args...); err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true} // SQLite compares times as text: one zone
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}
