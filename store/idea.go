package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// IdeaSession is an idea session (idédugnad) in a channel: the bot asks a
// strategy's guiding questions one at a time, and replies in a question's
// thread are suggestions for that question.
type IdeaSession struct {
	ID          int64
	PlanID      int64
	StrategyID  int64
	StrategyKey string
	Platform    string
	Channel     string
	Question    int // the question being asked now, 1–7
	Status      string
	StartedBy   int64
	CreatedAt   time.Time
	ClosedAt    *time.Time
}

type ideaRow struct {
	ID          int64         `db:"id"`
	PlanID      int64         `db:"plan_id"`
	StrategyID  int64         `db:"strategy_id"`
	StrategyKey string        `db:"strategy_key"`
	Platform    string        `db:"platform"`
	Channel     string        `db:"channel"`
	Question    int           `db:"question"`
	Status      string        `db:"status"`
	StartedBy   sql.NullInt64 `db:"started_by"`
	CreatedAt   time.Time     `db:"created_at"`
	ClosedAt    sql.NullTime  `db:"closed_at"`
}

func (r ideaRow) session() IdeaSession {
	return IdeaSession{ID: r.ID, PlanID: r.PlanID, StrategyID: r.StrategyID, StrategyKey: r.StrategyKey, Platform: r.Platform,
		Channel: r.Channel, Question: r.Question, Status: r.Status, StartedBy: r.StartedBy.Int64, CreatedAt: r.CreatedAt.UTC(), ClosedAt: timePtr(r.ClosedAt)}
}

const ideaSelect = `SELECT i.*, s.key AS strategy_key FROM idea_sessions i JOIN strategies s ON s.id = i.strategy_id `

// OpenIdeaSession starts an idea session at question 1. A channel holds
// one open session at a time.
func (tx *Tx) OpenIdeaSession(ctx context.Context, by By, s IdeaSession) (IdeaSession, error) {
	if _, err := tx.OpenIdeaSessionIn(ctx, s.Platform, s.Channel); err == nil {
		return IdeaSession{}, invalidf("an idea session is already open in this channel")
	} else if !errors.Is(err, ErrNotFound) {
		return IdeaSession{}, err
	}
	t := now()
	id, err := tx.insertID(ctx, `INSERT INTO idea_sessions (plan_id, strategy_id, platform, channel, question, status, started_by, created_at)
		VALUES (?, ?, ?, ?, 1, 'open', ?, ?)`, s.PlanID, s.StrategyID, s.Platform, s.Channel, nullID(s.StartedBy), t)
	if err != nil {
		return IdeaSession{}, fmt.Errorf("store: insert idea session: %w", err)
	}
	opened, err := tx.IdeaSessionByID(ctx, id)
	if err != nil {
		return IdeaSession{}, err
	}
	return opened, tx.audit(ctx, s.PlanID, by, "idea_session.open", "idea_session", id, nil, opened)
}

// IdeaSessionByID returns a session, or ErrNotFound.
func (q queries) IdeaSessionByID(ctx context.Context, id int64) (IdeaSession, error) {
	var r ideaRow
	if err := q.get(ctx, &r, ideaSelect+`WHERE i.id = ?`, id); err != nil {
		return IdeaSession{}, fmt.Errorf("store: idea session %d: %w", id, err)
	}
	return r.session(), nil
}

// OpenIdeaSessionIn returns the open session in a channel, or ErrNotFound.
func (q queries) OpenIdeaSessionIn(ctx context.Context, platform, channel string) (IdeaSession, error) {
	var r ideaRow
	if err := q.get(ctx, &r, ideaSelect+`WHERE i.platform = ? AND i.channel = ? AND i.status = 'open'`, platform, channel); err != nil {
		return IdeaSession{}, fmt.Errorf("store: open idea session in %s: %w", channel, err)
	}
	return r.session(), nil
}

// MoveIdeaSession sets the question being asked.
func (tx *Tx) MoveIdeaSession(ctx context.Context, by By, s IdeaSession, question int) error {
	if question < 1 || question > QuestionCount {
		return invalidf("guiding question %d does not exist", question)
	}
	if _, err := tx.exec(ctx, `UPDATE idea_sessions SET question = ? WHERE id = ?`, question, s.ID); err != nil {
		return fmt.Errorf("store: move idea session: %w", err)
	}
	return tx.audit(ctx, s.PlanID, by, "idea_session.move", "idea_session", s.ID, map[string]int{"question": s.Question}, map[string]int{"question": question})
}

// CloseIdeaSession ends a session once; it reports whether this call did.
func (tx *Tx) CloseIdeaSession(ctx context.Context, by By, s IdeaSession) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE idea_sessions SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`, now(), s.ID)
	if err != nil {
		return false, fmt.Errorf("store: close idea session: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, tx.audit(ctx, s.PlanID, by, "idea_session.close", "idea_session", s.ID, nil, map[string]string{"status": "closed"})
}

// RecordIdeaQuestion notes the message that asked a question, so that
// replies in its thread can be filed under it.
func (tx *Tx) RecordIdeaQuestion(ctx context.Context, sessionID int64, question int, messageRef string) error {
	_, err := tx.exec(ctx, `INSERT INTO idea_questions (session_id, question, message_ref) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, sessionID, question, messageRef)
	if err != nil {
		return fmt.Errorf("store: record idea question: %w", err)
	}
	return nil
}

// IdeaQuestionOf returns the session and question a message asked, for
// a reply in its thread; ErrNotFound when the message asked none.
func (q queries) IdeaQuestionOf(ctx context.Context, platform, channel, messageRef string) (IdeaSession, int, error) {
	var r struct {
		ideaRow
		Asked int `db:"asked"`
	}
	err := q.get(ctx, &r, `SELECT i.*, s.key AS strategy_key, q.question AS asked FROM idea_questions q
		JOIN idea_sessions i ON i.id = q.session_id JOIN strategies s ON s.id = i.strategy_id
		WHERE i.platform = ? AND i.channel = ? AND q.message_ref = ?`, platform, channel, messageRef)
	if err != nil {
		return IdeaSession{}, 0, fmt.Errorf("store: idea question of %s: %w", messageRef, err)
	}
	return r.ideaRow.session(), r.Asked, nil
}

// IdeaSessionCounts counts the suggestions an idea session's threads
// collected, by question.
func (q queries) IdeaSessionCounts(ctx context.Context, s IdeaSession) (map[int]int, error) {
	var rows []struct {
		Question int `db:"question"`
		N        int `db:"n"`
	}
	err := q.sel(ctx, &rows, `SELECT question, COUNT(*) AS n FROM suggestions
		WHERE plan_id = ? AND origin = 'idea_session' AND strategy_id = ? AND source_platform = ? AND source_channel = ? AND created_at >= ?
		GROUP BY question`, s.PlanID, s.StrategyID, s.Platform, s.Channel, s.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("store: idea session counts: %w", err)
	}
	out := map[int]int{}
	for _, r := range rows {
		out[r.Question] = r.N
	}
	return out, nil
}
