package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Suggestion is an actor's input (innspill), filed against a strategy and
// the guiding question it answers. Its text is kept exactly as written.
type Suggestion struct {
	ID           int64      `json:"id"`
	PlanID       int64      `json:"-"`
	StrategyID   int64      `json:"-"`
	StrategyKey  string     `json:"strategy,omitempty"` // empty: not yet filed under a strategy
	Question     int        `json:"question,omitempty"` // 1–7; 0: not an answer to a guiding question
	Text         string     `json:"text"`
	Language     Language   `json:"language"`
	ActorID      int64      `json:"-"`                // 0: no personal link
	ActorKey     string     `json:"actor,omitempty"`  // empty: no personal link
	ActorName    string     `json:"author,omitempty"` // empty: no personal link
	Organisation string     `json:"organisation,omitempty"`
	Basis        Basis      `json:"basis,omitempty"`
	WhoActs      WhoActs    `json:"who_acts,omitempty"`
	Origin       Origin     `json:"origin"`
	Source       SourceRef  `json:"source"`
	UnlinkedAt   *time.Time `json:"unlinked_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// SourceRef says where on which platform something was written.
type SourceRef struct {
	Platform string `json:"platform"`
	Channel  string `json:"channel,omitempty"`
	Ref      string `json:"ref,omitempty"` // the platform's message ID or timestamp
}

// MaxTextLength is the longest text, in characters, that Dugnad stores as
// one suggestion or comment. Longer texts are refused with a message, never
// cut.
const MaxTextLength = 4000

// CheckText reports why a text cannot be stored, or nil. Intake tells the
// user in their language; the store refuses the same texts regardless.
func CheckText(s string) error {
	switch {
	case !utf8.ValidString(s):
		return &TextError{Reason: TextInvalidUTF8}
	case strings.TrimSpace(s) == "":
		return &TextError{Reason: TextEmpty}
	case utf8.RuneCountInString(s) > MaxTextLength:
		return &TextError{Reason: TextTooLong, Length: utf8.RuneCountInString(s)}
	}
	for _, r := range s {
		if r == 0 || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return &TextError{Reason: TextControl, Rune: r}
		}
	}
	return nil
}

// TextReason names what is wrong with a text.
type TextReason string

const (
	TextEmpty       TextReason = "empty"
	TextTooLong     TextReason = "too_long"
	TextInvalidUTF8 TextReason = "invalid_utf8"
	TextControl     TextReason = "control_character"
)

// TextError is a text that cannot be stored.
type TextError struct {
	Reason TextReason
	Length int  // with TextTooLong: the text's length in characters
	Rune   rune // with TextControl: the first offending character
}

func (e *TextError) Error() string {
	switch e.Reason {
	case TextTooLong:
		return fmt.Sprintf("store: text is %d characters, the limit is %d", e.Length, MaxTextLength)
	case TextControl:
		return fmt.Sprintf("store: text contains the control character %U", e.Rune)
	}
	return "store: text is " + string(e.Reason)
}

type suggestionRow struct {
	ID             int64          `db:"id"`
	PlanID         int64          `db:"plan_id"`
	StrategyID     sql.NullInt64  `db:"strategy_id"`
	StrategyKey    sql.NullString `db:"strategy_key"`
	Question       sql.NullInt64  `db:"question"`
	Text           string         `db:"text"`
	Language       string         `db:"language"`
	ActorID        sql.NullInt64  `db:"actor_id"`
	ActorKey       sql.NullString `db:"actor_key"`
	ActorName      sql.NullString `db:"actor_name"`
	Organisation   string         `db:"organisation"`
	Basis          sql.NullString `db:"basis"`
	WhoActs        sql.NullString `db:"who_acts"`
	Origin         string         `db:"origin"`
	SourcePlatform string         `db:"source_platform"`
	SourceChannel  string         `db:"source_channel"`
	SourceRef      string         `db:"source_ref"`
	UnlinkedAt     sql.NullTime   `db:"unlinked_at"`
	CreatedAt      time.Time      `db:"created_at"`
}

func (r suggestionRow) suggestion() Suggestion {
	return Suggestion{ID: r.ID, PlanID: r.PlanID, StrategyID: r.StrategyID.Int64, StrategyKey: r.StrategyKey.String,
		Question: int(r.Question.Int64), Text: r.Text, Language: Language(r.Language),
		ActorID: r.ActorID.Int64, ActorKey: r.ActorKey.String, ActorName: r.ActorName.String, Organisation: r.Organisation,
		Basis: Basis(r.Basis.String), WhoActs: WhoActs(r.WhoActs.String), Origin: Origin(r.Origin),
		Source:     SourceRef{Platform: r.SourcePlatform, Channel: r.SourceChannel, Ref: r.SourceRef},
		UnlinkedAt: timePtr(r.UnlinkedAt), CreatedAt: r.CreatedAt.UTC()}
}

const suggestionSelect = `SELECT g.*, s.key AS strategy_key, a.key AS actor_key, a.name AS actor_name
	FROM suggestions g
	LEFT JOIN strategies s ON s.id = g.strategy_id
	LEFT JOIN actors a ON a.id = g.actor_id `

func (q queries) suggestions(ctx context.Context, where string, args ...any) ([]Suggestion, error) {
	var rows []suggestionRow
	if err := q.sel(ctx, &rows, suggestionSelect+where, args...); err != nil {
		return nil, fmt.Errorf("store: suggestions: %w", err)
	}
	out := make([]Suggestion, len(rows))
	for i, r := range rows {
		out[i] = r.suggestion()
	}
	return out, nil
}

// Suggestions lists the plan's suggestions in the order they came in.
func (q queries) Suggestions(ctx context.Context, planID int64) ([]Suggestion, error) {
	return q.suggestions(ctx, `WHERE g.plan_id = ? ORDER BY g.id`, planID)
}

// SuggestionsByActor lists the suggestions still linked to an actor.
func (q queries) SuggestionsByActor(ctx context.Context, actorID int64) ([]Suggestion, error) {
	return q.suggestions(ctx, `WHERE g.actor_id = ? ORDER BY g.id`, actorID)
}

// SuggestionByID returns one suggestion, or ErrNotFound.
func (q queries) SuggestionByID(ctx context.Context, id int64) (Suggestion, error) {
	got, err := q.suggestions(ctx, `WHERE g.id = ?`, id)
	if err != nil {
		return Suggestion{}, err
	}
	if len(got) == 0 {
		return Suggestion{}, fmt.Errorf("store: suggestion %d: %w", id, ErrNotFound)
	}
	return got[0], nil
}

// FileSuggestion stores a new suggestion. The strategy must be a current
// one of the suggestion's plan; the text must pass CheckText.
func (tx *Tx) FileSuggestion(ctx context.Context, by By, s Suggestion) (Suggestion, error) {
	if err := CheckText(s.Text); err != nil {
		return Suggestion{}, err
	}
	switch {
	case s.Question < 0 || s.Question > QuestionCount:
		return Suggestion{}, invalidf("guiding question %d does not exist", s.Question)
	case !s.Basis.Valid():
		return Suggestion{}, invalidf("unknown basis %q", s.Basis)
	case !s.WhoActs.Valid():
		return Suggestion{}, invalidf("unknown who-acts %q", s.WhoActs)
	case !s.Language.Valid():
		return Suggestion{}, invalidf("unknown language %q", s.Language)
	case s.Source.Platform == "":
		return Suggestion{}, invalidf("a suggestion needs its source platform")
	}
	if s.Origin == "" {
		s.Origin = OriginDialog
	}
	if s.StrategyID != 0 {
		var planID int64
		if err := tx.get(ctx, &planID, `SELECT plan_id FROM strategies WHERE id = ? AND NOT archived`, s.StrategyID); err != nil {
			return Suggestion{}, invalidf("strategy %d is not a current strategy", s.StrategyID)
		}
		if planID != s.PlanID {
			return Suggestion{}, invalidf("strategy %d belongs to another plan", s.StrategyID)
		}
	}
	if s.ActorID != 0 {
		a, err := tx.ActorByID(ctx, s.ActorID)
		if err != nil {
			return Suggestion{}, err
		}
		if a.PlanID != s.PlanID {
			return Suggestion{}, invalidf("actor %s belongs to another plan", a.Key)
		}
		s.Organisation = a.Organisation
	}
	s.CreatedAt = now()
	id, err := tx.insertID(ctx, `INSERT INTO suggestions (plan_id, strategy_id, question, text, language, actor_id, organisation, basis, who_acts, origin,
			source_platform, source_channel, source_ref, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.PlanID, nullID(s.StrategyID), sql.NullInt64{Int64: int64(s.Question), Valid: s.Question != 0}, s.Text, s.Language,
		nullID(s.ActorID), s.Organisation, nullString(string(s.Basis)), nullString(string(s.WhoActs)), s.Origin,
		s.Source.Platform, s.Source.Channel, s.Source.Ref, s.CreatedAt)
	if err != nil {
		return Suggestion{}, fmt.Errorf("store: insert suggestion: %w", err)
	}
	stored, err := tx.SuggestionByID(ctx, id)
	if err != nil {
		return Suggestion{}, err
	}
	if err := tx.audit(ctx, s.PlanID, by, "suggestion.create", "suggestion", id, nil, stored); err != nil {
		return Suggestion{}, err
	}
	return stored, nil
}

// UnlinkActor removes an actor's personal link from every suggestion they
// made: the suggestions stay, with their organisation, but without the
// actor and without the platform message that would point back to them.
// It returns how many suggestions were unlinked.
func (tx *Tx) UnlinkActor(ctx context.Context, by By, a Actor) (int, error) {
	t := now()
	res, err := tx.exec(ctx, `UPDATE suggestions SET actor_id = NULL, source_channel = '', source_ref = '', unlinked_at = ?
		WHERE actor_id = ?`, t, a.ID)
	if err != nil {
		return 0, fmt.Errorf("store: unlink suggestions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: unlink suggestions: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	// The row records the count, not which suggestions: the audit log need
	// not re-create the link the actor asked to remove.
	if err := tx.audit(ctx, a.PlanID, by, "suggestion.unlink", "actor", a.ID, nil, map[string]int64{"suggestions_unlinked": n}); err != nil {
		return 0, err
	}
	return int(n), nil
}

// FileUnder files a suggestion under a strategy of its plan (0: leaves it
// unfiled). Only where it is filed changes; its words never do.
func (tx *Tx) FileUnder(ctx context.Context, by By, id, strategyID int64) (Suggestion, error) {
	s, err := tx.SuggestionByID(ctx, id)
	if err != nil {
		return Suggestion{}, err
	}
	if strategyID != 0 {
		var planID int64
		if err := tx.get(ctx, &planID, `SELECT plan_id FROM strategies WHERE id = ? AND NOT archived`, strategyID); err != nil || planID != s.PlanID {
			return Suggestion{}, invalidf("strategy %d is not a current strategy of the suggestion's plan", strategyID)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE suggestions SET strategy_id = ? WHERE id = ?`, nullID(strategyID), id); err != nil {
		return Suggestion{}, fmt.Errorf("store: file suggestion: %w", err)
	}
	after, err := tx.SuggestionByID(ctx, id)
	if err != nil {
		return Suggestion{}, err
	}
	return after, tx.audit(ctx, s.PlanID, by, "suggestion.file", "suggestion", id, map[string]string{"strategy": s.StrategyKey}, map[string]string{"strategy": after.StrategyKey})
}

// FiledExamples returns, by strategy key, the texts of the newest
// suggestions filed under each of the plan's strategies, at most
// perStrategy each: what people wrote about each strategy, to learn from.
func (q queries) FiledExamples(ctx context.Context, planID int64, perStrategy int) (map[string][]string, error) {
	var rows []struct {
		Key  string `db:"key"`
		Text string `db:"text"`
	}
	err := q.sel(ctx, &rows, `SELECT key, text FROM (
			SELECT s.key AS key, g.text AS text, ROW_NUMBER() OVER (PARTITION BY g.strategy_id ORDER BY g.id DESC) AS n
			FROM suggestions g JOIN strategies s ON s.id = g.strategy_id WHERE g.plan_id = ? AND NOT s.archived
		) ranked WHERE n <= ?`, planID, perStrategy)
	if err != nil {
		return nil, fmt.Errorf("store: filed examples: %w", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Key] = append(out[r.Key], r.Text)
	}
	return out, nil
}
