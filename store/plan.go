package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Plan is a municipality's thematic plan for housing and welfare.
type Plan struct {
	ID           int64
	Key          string
	Municipality string
	Title        string
	Language     Language
	Timezone     string
	OpenIntake   bool
	Settings     PlanSettings
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// PlanSettings are the plan's choices for the hearing.
type PlanSettings struct {
	// Votes maps each vote to the emoji that cast it (Slack names such as
	// "+1" and Unicode emoji alike).
	Votes            map[VoteChoice][]string `json:"votes,omitempty"`
	Quorum           float64                 `json:"quorum,omitempty"`
	HideRunningTally bool                    `json:"hide_running_tally,omitempty"`
	ReminderBefore   time.Duration           `json:"reminder_before,omitempty"`
}

// Location returns the plan's time zone, Europe/Oslo when unset or unknown.
func (p Plan) Location() *time.Location {
	if loc, err := time.LoadLocation(p.Timezone); err == nil && p.Timezone != "" {
		return loc
	}
	if loc, err := time.LoadLocation("Europe/Oslo"); err == nil {
		return loc
	}
	return time.UTC
}

type planRow struct {
	ID           int64     `db:"id"`
	Key          string    `db:"key"`
	Municipality string    `db:"municipality"`
	Title        string    `db:"title"`
	Language     string    `db:"language"`
	Timezone     string    `db:"timezone"`
	OpenIntake   bool      `db:"open_intake"`
	Settings     string    `db:"settings"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

func (r planRow) plan() (Plan, error) {
	p := Plan{ID: r.ID, Key: r.Key, Municipality: r.Municipality, Title: r.Title,
		Language: Language(r.Language), Timezone: r.Timezone, OpenIntake: r.OpenIntake,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Settings), &p.Settings); err != nil {
		return Plan{}, fmt.Errorf("store: plan %s settings: %w", r.Key, err)
	}
	return p, nil
}

// Goal is one of the plan's goals (mål), from phase 1.
type Goal struct {
	ID       int64  `db:"id"`
	PlanID   int64  `db:"plan_id"`
	Key      string `db:"key"`
	Text     string `db:"text"`
	Position int    `db:"position"`
	Archived bool   `db:"archived"`
}

// Strategy is one of the plan's strategies (strategier), from phase 2.
type Strategy struct {
	ID          int64
	PlanID      int64
	GoalID      int64
	Key         string
	Title       string
	Description string
	Keywords    []string
	Position    int
	Archived    bool
}

type strategyRow struct {
	ID          int64  `db:"id"`
	PlanID      int64  `db:"plan_id"`
	GoalID      int64  `db:"goal_id"`
	Key         string `db:"key"`
	Title       string `db:"title"`
	Description string `db:"description"`
	Keywords    string `db:"keywords"`
	Position    int    `db:"position"`
	Archived    bool   `db:"archived"`
}

func (r strategyRow) strategy() (Strategy, error) {
	s := Strategy{ID: r.ID, PlanID: r.PlanID, GoalID: r.GoalID, Key: r.Key, Title: r.Title,
		Description: r.Description, Position: r.Position, Archived: r.Archived}
	if err := json.Unmarshal([]byte(r.Keywords), &s.Keywords); err != nil {
		return Strategy{}, fmt.Errorf("store: strategy %s keywords: %w", r.Key, err)
	}
	return s, nil
}

// CentralTask is one of the central tasks of the housing and welfare field.
type CentralTask struct {
	ID       int64  `db:"id"`
	PlanID   int64  `db:"plan_id"`
	Key      string `db:"key"`
	Name     string `db:"name"`
	Position int    `db:"position"`
	Archived bool   `db:"archived"`
}

// Channel is a platform channel that belongs to the plan.
type Channel struct {
	ID         int64
	PlanID     int64
	Key        string
	Purpose    ChannelPurpose
	Platform   string
	Channel    string
	StrategyID int64 // 0: any strategy
	Archived   bool
}

type channelRow struct {
	ID         int64         `db:"id"`
	PlanID     int64         `db:"plan_id"`
	Key        string        `db:"key"`
	Purpose    string        `db:"purpose"`
	Platform   string        `db:"platform"`
	Channel    string        `db:"channel"`
	StrategyID sql.NullInt64 `db:"strategy_id"`
	Archived   bool          `db:"archived"`
}

func (r channelRow) channel() Channel {
	return Channel{ID: r.ID, PlanID: r.PlanID, Key: r.Key, Purpose: ChannelPurpose(r.Purpose),
		Platform: r.Platform, Channel: r.Channel, StrategyID: r.StrategyID.Int64, Archived: r.Archived}
}

// Workspace is a Slack workspace, Discord server or console bound to a plan.
type Workspace struct {
	Platform string
	ID       string
}

// ConsoleChannel is the console's ID for one of a plan's channels.
func ConsoleChannel(planKey, channelKey string) string { return planKey + "#" + channelKey }

// ConsolePlatform is the platform name of the terminal adapter. Every actor
// of a plan can be reached on it, in the workspace named by the plan's key,
// as the user named by the actor's key.
const ConsolePlatform = "console"

// Plans lists every plan in the database, oldest first.
func (q queries) Plans(ctx context.Context) ([]Plan, error) {
	var rows []planRow
	if err := q.sel(ctx, &rows, `SELECT * FROM plans ORDER BY id`); err != nil {
		return nil, fmt.Errorf("store: list plans: %w", err)
	}
	out := make([]Plan, 0, len(rows))
	for _, r := range rows {
		p, err := r.plan()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// PlanByKey returns the plan with the given key, or ErrNotFound.
func (q queries) PlanByKey(ctx context.Context, key string) (Plan, error) {
	var r planRow
	if err := q.get(ctx, &r, `SELECT * FROM plans WHERE key = ?`, key); err != nil {
		return Plan{}, fmt.Errorf("store: plan %q: %w", key, err)
	}
	return r.plan()
}

// PlanByID returns the plan with the given ID, or ErrNotFound.
func (q queries) PlanByID(ctx context.Context, id int64) (Plan, error) {
	var r planRow
	if err := q.get(ctx, &r, `SELECT * FROM plans WHERE id = ?`, id); err != nil {
		return Plan{}, fmt.Errorf("store: plan %d: %w", id, err)
	}
	return r.plan()
}

// PlanForWorkspace returns the plan a workspace belongs to, or ErrNotFound.
func (q queries) PlanForWorkspace(ctx context.Context, platform, workspace string) (Plan, error) {
	var r planRow
	err := q.get(ctx, &r, `SELECT p.* FROM plans p JOIN workspaces w ON w.plan_id = p.id
		WHERE w.platform = ? AND w.workspace = ?`, platform, workspace)
	if err != nil {
		return Plan{}, fmt.Errorf("store: plan for %s workspace %s: %w", platform, workspace, err)
	}
	return r.plan()
}

// ChannelByPlatformID returns the plan's channel bound to a platform
// channel, or ErrNotFound.
func (q queries) ChannelByPlatformID(ctx context.Context, platform, channel string) (Channel, error) {
	var r channelRow
	if err := q.get(ctx, &r, `SELECT * FROM channels WHERE platform = ? AND channel = ? AND NOT archived`, platform, channel); err != nil {
		return Channel{}, fmt.Errorf("store: %s channel %s: %w", platform, channel, err)
	}
	return r.channel(), nil
}

// Channels lists the plan's channels that are in use.
func (q queries) Channels(ctx context.Context, planID int64) ([]Channel, error) {
	var rows []channelRow
	if err := q.sel(ctx, &rows, `SELECT * FROM channels WHERE plan_id = ? AND NOT archived ORDER BY key, platform`, planID); err != nil {
		return nil, fmt.Errorf("store: channels: %w", err)
	}
	out := make([]Channel, len(rows))
	for i, r := range rows {
		out[i] = r.channel()
	}
	return out, nil
}

// Goals lists the plan's current goals in order.
func (q queries) Goals(ctx context.Context, planID int64) ([]Goal, error) {
	var out []Goal
	if err := q.sel(ctx, &out, `SELECT * FROM goals WHERE plan_id = ? AND NOT archived ORDER BY position`, planID); err != nil {
		return nil, fmt.Errorf("store: goals: %w", err)
	}
	return out, nil
}

// Strategies lists the plan's current strategies in the plan's order.
func (q queries) Strategies(ctx context.Context, planID int64) ([]Strategy, error) {
	var rows []strategyRow
	err := q.sel(ctx, &rows, `SELECT s.* FROM strategies s JOIN goals g ON g.id = s.goal_id
		WHERE s.plan_id = ? AND NOT s.archived ORDER BY g.position, s.position`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: strategies: %w", err)
	}
	return strategies(rows)
}

// AllStrategies lists the plan's strategies including archived ones, for
// showing old suggestions.
func (q queries) AllStrategies(ctx context.Context, planID int64) ([]Strategy, error) {
	var rows []strategyRow
	err := q.sel(ctx, &rows, `SELECT s.* FROM strategies s JOIN goals g ON g.id = s.goal_id
		WHERE s.plan_id = ? ORDER BY s.archived, g.position, s.position`, planID)
	if err != nil {
		return nil, fmt.Errorf("store: strategies: %w", err)
	}
	return strategies(rows)
}

func strategies(rows []strategyRow) ([]Strategy, error) {
	out := make([]Strategy, 0, len(rows))
	for _, r := range rows {
		s, err := r.strategy()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// StrategyByKey returns one of the plan's current strategies, or ErrNotFound.
func (q queries) StrategyByKey(ctx context.Context, planID int64, key string) (Strategy, error) {
	var r strategyRow
	if err := q.get(ctx, &r, `SELECT * FROM strategies WHERE plan_id = ? AND key = ? AND NOT archived`, planID, key); err != nil {
		return Strategy{}, fmt.Errorf("store: strategy %q: %w", key, err)
	}
	return r.strategy()
}

// CentralTasks lists the plan's current central tasks in order.
func (q queries) CentralTasks(ctx context.Context, planID int64) ([]CentralTask, error) {
	var out []CentralTask
	if err := q.sel(ctx, &out, `SELECT * FROM central_tasks WHERE plan_id = ? AND NOT archived ORDER BY position`, planID); err != nil {
		return nil, fmt.Errorf("store: central tasks: %w", err)
	}
	return out, nil
}

// Workspaces lists the workspaces bound to the plan.
func (q queries) Workspaces(ctx context.Context, planID int64) ([]Workspace, error) {
	var rows []struct {
		Platform  string `db:"platform"`
		Workspace string `db:"workspace"`
	}
	if err := q.sel(ctx, &rows, `SELECT platform, workspace FROM workspaces WHERE plan_id = ? ORDER BY platform, workspace`, planID); err != nil {
		return nil, fmt.Errorf("store: workspaces: %w", err)
	}
	out := make([]Workspace, len(rows))
	for i, r := range rows {
		out[i] = Workspace{Platform: r.Platform, ID: r.Workspace}
	}
	return out, nil
}

// PlanSpec is a plan as written in a plan file: what ApplyPlan makes true
// and PlanSpecOf reads back. Entities are matched by their keys.
type PlanSpec struct {
	Key          string
	Municipality string
	Title        string
	Language     Language
	Timezone     string
	OpenIntake   bool
	Settings     PlanSettings
	Workspaces   []Workspace
	Goals        []GoalSpec
	CentralTasks []TaskSpec
	Actors       []ActorSpec
	Groups       map[Role][]string // actor keys per role
	Channels     []ChannelSpec
}

// GoalSpec is a goal with its strategies.
type GoalSpec struct {
	Key        string
	Text       string
	Strategies []StrategySpec
}

// StrategySpec is a strategy as written in a plan file.
type StrategySpec struct {
	Key         string
	Title       string
	Description string
	Keywords    []string
}

// TaskSpec is a central task as written in a plan file.
type TaskSpec struct {
	Key  string
	Name string
}

// ActorSpec is an actor as written in a plan file.
type ActorSpec struct {
	Key               string
	Name              string
	Organisation      string
	Kind              ActorKind
	Language          Language // empty: the plan's
	PreferredPlatform string
	Identities        []Identity
	Strategies        []string // strategy keys; empty: all
}

// ChannelSpec binds one of the plan's channels on one platform.
type ChannelSpec struct {
	Key      string
	Purpose  ChannelPurpose
	Platform string
	Channel  string
	Strategy string // strategy key, optional
}

// ApplyResult says what ApplyPlan did.
type ApplyResult struct {
	PlanID  int64
	Created bool
	Changes int // audited changes; 0 when the plan was already as specified
}

// ConflictError is a plan file entry that collides with another plan's.
type ConflictError struct {
	What  string // "workspace", "identity", "channel"
	Key   string // the entry's key in the plan being applied (actor or channel key)
	Value string // the platform ID
	Owner string // the key of the plan that has it
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: %s %s already belongs to plan %q", e.What, e.Value, e.Owner)
}

// ApplyPlan makes the database hold spec: it creates the plan or updates it
// in place, matching goals, strategies, actors, channels and tasks by key.
// Entries no longer in spec are archived, never deleted, so suggestions,
// votes and the audit trail keep their references. Group memberships,
// identities and workspaces follow spec exactly. Every change is audited.
func (tx *Tx) ApplyPlan(ctx context.Context, by By, spec PlanSpec) (ApplyResult, error) {
	if err := spec.validate(); err != nil {
		return ApplyResult{}, err
	}
	a := applier{tx: tx, ctx: ctx, by: by, spec: spec}
	if err := a.run(); err != nil {
		return ApplyResult{}, err
	}
	return a.res, nil
}

// validate checks what the store relies on; the plan file parser checks the
// same with line numbers first.
func (spec PlanSpec) validate() error {
	if spec.Key == "" || spec.Municipality == "" || spec.Title == "" {
		return invalidf("a plan needs a key, a municipality and a title")
	}
	if !spec.Language.Valid() {
		return invalidf("unknown language %q (use nb, nn or en)", spec.Language)
	}
	if _, err := time.LoadLocation(spec.Timezone); err != nil || spec.Timezone == "" {
		return invalidf("unknown time zone %q", spec.Timezone)
	}
	strategies := map[string]bool{}
	for _, g := range spec.Goals {
		for _, s := range g.Strategies {
			if strategies[s.Key] {
				return invalidf("strategy %s is defined twice", s.Key)
			}
			strategies[s.Key] = true
		}
	}
	actors := map[string]bool{}
	for _, a := range spec.Actors {
		if a.Key == "" || actors[a.Key] {
			return invalidf("actor key %q is empty or defined twice", a.Key)
		}
		actors[a.Key] = true
		if a.Kind != Internal && a.Kind != External {
			return invalidf("actor %s: kind must be internal or external", a.Key)
		}
		if a.Language != "" && !a.Language.Valid() {
			return invalidf("actor %s: unknown language %q", a.Key, a.Language)
		}
		for _, s := range a.Strategies {
			if !strategies[s] {
				return invalidf("actor %s: unknown strategy %s", a.Key, s)
			}
		}
	}
	for role, keys := range spec.Groups {
		if !role.Valid() {
			return invalidf("unknown group %q", role)
		}
		for _, k := range keys {
			if !actors[k] {
				return invalidf("group %s: unknown actor %s", role, k)
			}
		}
	}
	if len(spec.Groups[RoleProjectLeader]) != 1 {
		return invalidf("a plan needs exactly one project leader")
	}
	for _, c := range spec.Channels {
		if c.Strategy != "" && !strategies[c.Strategy] {
			return invalidf("channel %s: unknown strategy %s", c.Key, c.Strategy)
		}
	}
	return nil
}

type applier struct {
	tx   *Tx
	ctx  context.Context
	by   By
	spec PlanSpec
	res  ApplyResult

	goalIDs     map[string]int64
	strategyIDs map[string]int64
	actorIDs    map[string]int64
}

func (a *applier) audit(action, entity string, id any, before, after any) error {
	a.res.Changes++
	return a.tx.audit(a.ctx, a.res.PlanID, a.by, action, entity, id, before, after)
}

func (a *applier) run() error {
	steps := []func() error{a.plan, a.workspaces, a.goals, a.tasks, a.actors, a.identities, a.memberships, a.channels}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

type planState struct {
	Municipality string       `json:"municipality"`
	Title        string       `json:"title"`
	Language     Language     `json:"language"`
	Timezone     string       `json:"timezone"`
	OpenIntake   bool         `json:"open_intake"`
	Settings     PlanSettings `json:"settings"`
}

func (a *applier) plan() error {
	s := a.spec
	want := planState{s.Municipality, s.Title, s.Language, s.Timezone, s.OpenIntake, s.Settings}
	settings, err := json.Marshal(s.Settings)
	if err != nil {
		return err
	}
	existing, err := a.tx.PlanByKey(a.ctx, s.Key)
	switch {
	case errors.Is(err, ErrNotFound):
		t := now()
		id, err := a.tx.insertID(a.ctx, `INSERT INTO plans (key, municipality, title, language, timezone, open_intake, settings, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.Key, s.Municipality, s.Title, s.Language, s.Timezone, s.OpenIntake, string(settings), t, t)
		if err != nil {
			return fmt.Errorf("store: insert plan: %w", err)
		}
		a.res.PlanID, a.res.Created = id, true
		return a.audit("plan.create", "plan", s.Key, nil, want)
	case err != nil:
		return err
	}
	a.res.PlanID = existing.ID
	have := planState{existing.Municipality, existing.Title, existing.Language, existing.Timezone, existing.OpenIntake, existing.Settings}
	if equalJSON(have, want) {
		return nil
	}
	_, err = a.tx.exec(a.ctx, `UPDATE plans SET municipality = ?, title = ?, language = ?, timezone = ?, open_intake = ?, settings = ?, updated_at = ? WHERE id = ?`,
		s.Municipality, s.Title, s.Language, s.Timezone, s.OpenIntake, string(settings), now(), existing.ID)
	if err != nil {
		return fmt.Errorf("store: update plan: %w", err)
	}
	return a.audit("plan.update", "plan", s.Key, have, want)
}

func (a *applier) workspaces() error {
	want := append([]Workspace{{Platform: ConsolePlatform, ID: a.spec.Key}}, a.spec.Workspaces...)
	have, err := a.tx.Workspaces(a.ctx, a.res.PlanID)
	if err != nil {
		return err
	}
	haveSet := map[Workspace]bool{}
	for _, w := range have {
		haveSet[w] = true
	}
	wantSet := map[Workspace]bool{}
	for _, w := range want {
		wantSet[w] = true
		if haveSet[w] {
			continue
		}
		var owner string
		err := a.tx.get(a.ctx, &owner, `SELECT p.key FROM workspaces w JOIN plans p ON p.id = w.plan_id WHERE w.platform = ? AND w.workspace = ?`, w.Platform, w.ID)
		if err == nil {
			return &ConflictError{What: w.Platform + " workspace", Value: w.ID, Owner: owner}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := a.tx.exec(a.ctx, `INSERT INTO workspaces (platform, workspace, plan_id) VALUES (?, ?, ?)`, w.Platform, w.ID, a.res.PlanID); err != nil {
			return fmt.Errorf("store: insert workspace: %w", err)
		}
		if err := a.audit("workspace.add", "workspace", w.Platform+":"+w.ID, nil, w); err != nil {
			return err
		}
	}
	for _, w := range have {
		if wantSet[w] {
			continue
		}
		if _, err := a.tx.exec(a.ctx, `DELETE FROM workspaces WHERE platform = ? AND workspace = ?`, w.Platform, w.ID); err != nil {
			return fmt.Errorf("store: remove workspace: %w", err)
		}
		if err := a.audit("workspace.remove", "workspace", w.Platform+":"+w.ID, w, nil); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) goals() error {
	var have []Goal
	if err := a.tx.sel(a.ctx, &have, `SELECT * FROM goals WHERE plan_id = ?`, a.res.PlanID); err != nil {
		return fmt.Errorf("store: goals: %w", err)
	}
	byKey := map[string]Goal{}
	for _, g := range have {
		byKey[g.Key] = g
	}
	a.goalIDs = map[string]int64{}
	for i, g := range a.spec.Goals {
		want := Goal{PlanID: a.res.PlanID, Key: g.Key, Text: g.Text, Position: i + 1}
		old, ok := byKey[g.Key]
		switch {
		case !ok:
			id, err := a.tx.insertID(a.ctx, `INSERT INTO goals (plan_id, key, text, position) VALUES (?, ?, ?, ?)`, a.res.PlanID, g.Key, g.Text, i+1)
			if err != nil {
				return fmt.Errorf("store: insert goal %s: %w", g.Key, err)
			}
			want.ID = id
			if err := a.audit("goal.create", "goal", id, nil, want); err != nil {
				return err
			}
		default:
			want.ID = old.ID
			if old != want {
				if _, err := a.tx.exec(a.ctx, `UPDATE goals SET text = ?, position = ?, archived = FALSE WHERE id = ?`, g.Text, i+1, old.ID); err != nil {
					return fmt.Errorf("store: update goal %s: %w", g.Key, err)
				}
				if err := a.audit("goal.update", "goal", old.ID, old, want); err != nil {
					return err
				}
			}
		}
		a.goalIDs[g.Key] = want.ID
	}
	for _, old := range have {
		if _, ok := a.goalIDs[old.Key]; ok || old.Archived {
			continue
		}
		if _, err := a.tx.exec(a.ctx, `UPDATE goals SET archived = TRUE WHERE id = ?`, old.ID); err != nil {
			return fmt.Errorf("store: archive goal %s: %w", old.Key, err)
		}
		archived := old
		archived.Archived = true
		if err := a.audit("goal.archive", "goal", old.ID, old, archived); err != nil {
			return err
		}
	}
	return a.strategies()
}

func (a *applier) strategies() error {
	have, err := a.tx.AllStrategies(a.ctx, a.res.PlanID)
	if err != nil {
		return err
	}
	byKey := map[string]Strategy{}
	for _, s := range have {
		byKey[s.Key] = s
	}
	a.strategyIDs = map[string]int64{}
	pos := 0
	for _, g := range a.spec.Goals {
		for _, s := range g.Strategies {
			pos++
			keywords := s.Keywords
			if keywords == nil {
				keywords = []string{}
			}
			kw, err := json.Marshal(keywords)
			if err != nil {
				return err
			}
			want := Strategy{PlanID: a.res.PlanID, GoalID: a.goalIDs[g.Key], Key: s.Key, Title: s.Title,
				Description: s.Description, Keywords: keywords, Position: pos}
			old, ok := byKey[s.Key]
			if !ok {
				id, err := a.tx.insertID(a.ctx, `INSERT INTO strategies (plan_id, goal_id, key, title, description, keywords, position)
					VALUES (?, ?, ?, ?, ?, ?, ?)`, a.res.PlanID, want.GoalID, s.Key, s.Title, s.Description, string(kw), pos)
				if err != nil {
					return fmt.Errorf("store: insert strategy %s: %w", s.Key, err)
				}
				want.ID = id
				if err := a.audit("strategy.create", "strategy", id, nil, want); err != nil {
					return err
				}
			} else {
				want.ID = old.ID
				if !equalJSON(old, want) {
					_, err := a.tx.exec(a.ctx, `UPDATE strategies SET goal_id = ?, title = ?, description = ?, keywords = ?, position = ?, archived = FALSE WHERE id = ?`,
						want.GoalID, s.Title, s.Description, string(kw), pos, old.ID)
					if err != nil {
						return fmt.Errorf("store: update strategy %s: %w", s.Key, err)
					}
					if err := a.audit("strategy.update", "strategy", old.ID, old, want); err != nil {
						return err
					}
				}
			}
			a.strategyIDs[s.Key] = want.ID
		}
	}
	for _, old := range have {
		if _, ok := a.strategyIDs[old.Key]; ok || old.Archived {
			continue
		}
		if _, err := a.tx.exec(a.ctx, `UPDATE strategies SET archived = TRUE WHERE id = ?`, old.ID); err != nil {
			return fmt.Errorf("store: archive strategy %s: %w", old.Key, err)
		}
		archived := old
		archived.Archived = true
		if err := a.audit("strategy.archive", "strategy", old.ID, old, archived); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) tasks() error {
	var have []CentralTask
	if err := a.tx.sel(a.ctx, &have, `SELECT * FROM central_tasks WHERE plan_id = ?`, a.res.PlanID); err != nil {
		return fmt.Errorf("store: central tasks: %w", err)
	}
	byKey := map[string]CentralTask{}
	for _, t := range have {
		byKey[t.Key] = t
	}
	seen := map[string]bool{}
	for i, t := range a.spec.CentralTasks {
		seen[t.Key] = true
		want := CentralTask{PlanID: a.res.PlanID, Key: t.Key, Name: t.Name, Position: i + 1}
		old, ok := byKey[t.Key]
		if !ok {
			id, err := a.tx.insertID(a.ctx, `INSERT INTO central_tasks (plan_id, key, name, position) VALUES (?, ?, ?, ?)`, a.res.PlanID, t.Key, t.Name, i+1)
			if err != nil {
				return fmt.Errorf("store: insert central task %s: %w", t.Key, err)
			}
			want.ID = id
			if err := a.audit("central_task.create", "central_task", id, nil, want); err != nil {
				return err
			}
			continue
		}
		want.ID = old.ID
		if old != want {
			if _, err := a.tx.exec(a.ctx, `UPDATE central_tasks SET name = ?, position = ?, archived = FALSE WHERE id = ?`, t.Name, i+1, old.ID); err != nil {
				return fmt.Errorf("store: update central task %s: %w", t.Key, err)
			}
			if err := a.audit("central_task.update", "central_task", old.ID, old, want); err != nil {
				return err
			}
		}
	}
	for _, old := range have {
		if seen[old.Key] || old.Archived {
			continue
		}
		if _, err := a.tx.exec(a.ctx, `UPDATE central_tasks SET archived = TRUE WHERE id = ?`, old.ID); err != nil {
			return fmt.Errorf("store: archive central task %s: %w", old.Key, err)
		}
		archived := old
		archived.Archived = true
		if err := a.audit("central_task.archive", "central_task", old.ID, old, archived); err != nil {
			return err
		}
	}
	return nil
}

type actorState struct {
	Name              string    `json:"name"`
	Organisation      string    `json:"organisation"`
	Kind              ActorKind `json:"kind"`
	Language          Language  `json:"language,omitempty"`
	PreferredPlatform string    `json:"preferred_platform,omitempty"`
	Strategies        []string  `json:"strategies,omitempty"`
	Archived          bool      `json:"archived,omitempty"`
}

func (a *applier) actors() error {
	have, err := a.tx.actorRows(a.ctx, `WHERE plan_id = ?`, a.res.PlanID)
	if err != nil {
		return err
	}
	byKey := map[string]Actor{}
	for _, r := range have {
		byKey[r.Key] = r
	}
	a.actorIDs = map[string]int64{}
	for _, spec := range a.spec.Actors {
		strategies := append([]string(nil), spec.Strategies...)
		sort.Strings(strategies)
		want := actorState{spec.Name, spec.Organisation, spec.Kind, spec.Language, spec.PreferredPlatform, strategies, false}
		old, ok := byKey[spec.Key]
		var id int64
		if !ok {
			t := now()
			id, err = a.tx.insertID(a.ctx, `INSERT INTO actors (plan_id, key, name, organisation, kind, language, preferred_platform, source, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'plan', ?, ?)`,
				a.res.PlanID, spec.Key, spec.Name, spec.Organisation, spec.Kind, nullString(string(spec.Language)), nullString(spec.PreferredPlatform), t, t)
			if err != nil {
				return fmt.Errorf("store: insert actor %s: %w", spec.Key, err)
			}
			if err := a.audit("actor.create", "actor", id, nil, want); err != nil {
				return err
			}
		} else {
			id = old.ID
			oldStrategies, err := a.tx.actorStrategyKeys(a.ctx, id)
			if err != nil {
				return err
			}
			before := actorState{old.Name, old.Organisation, old.Kind, old.Language, old.PreferredPlatform, oldStrategies, old.Archived}
			if equalJSON(before, want) {
				a.actorIDs[spec.Key] = id
				continue
			}
			_, err = a.tx.exec(a.ctx, `UPDATE actors SET name = ?, organisation = ?, kind = ?, language = ?, preferred_platform = ?, source = 'plan', archived = FALSE, updated_at = ? WHERE id = ?`,
				spec.Name, spec.Organisation, spec.Kind, nullString(string(spec.Language)), nullString(spec.PreferredPlatform), now(), id)
			if err != nil {
				return fmt.Errorf("store: update actor %s: %w", spec.Key, err)
			}
			if err := a.audit("actor.update", "actor", id, before, want); err != nil {
				return err
			}
		}
		a.actorIDs[spec.Key] = id
		if _, err := a.tx.exec(a.ctx, `DELETE FROM actor_strategies WHERE actor_id = ?`, id); err != nil {
			return fmt.Errorf("store: actor strategies: %w", err)
		}
		for _, s := range strategies {
			if _, err := a.tx.exec(a.ctx, `INSERT INTO actor_strategies (actor_id, strategy_id) VALUES (?, ?)`, id, a.strategyIDs[s]); err != nil {
				return fmt.Errorf("store: actor strategies: %w", err)
			}
		}
	}
	// Actors who left the plan file keep their suggestions and votes; they
	// are archived. Actors who came in by open intake are not in the file.
	for _, old := range have {
		if _, ok := a.actorIDs[old.Key]; ok || old.Archived || old.Source != "plan" {
			continue
		}
		if _, err := a.tx.exec(a.ctx, `UPDATE actors SET archived = TRUE, updated_at = ? WHERE id = ?`, now(), old.ID); err != nil {
			return fmt.Errorf("store: archive actor %s: %w", old.Key, err)
		}
		if err := a.audit("actor.archive", "actor", old.ID, map[string]bool{"archived": false}, map[string]bool{"archived": true}); err != nil {
			return err
		}
	}
	return nil
}

type identityRow struct {
	ID        int64  `db:"id"`
	ActorID   int64  `db:"actor_id"`
	Platform  string `db:"platform"`
	Workspace string `db:"workspace"`
	UserID    string `db:"user_id"`
}

func (a *applier) identities() error {
	var have []identityRow
	if err := a.tx.sel(a.ctx, &have, `SELECT id, actor_id, platform, workspace, user_id FROM identities WHERE plan_id = ?`, a.res.PlanID); err != nil {
		return fmt.Errorf("store: identities: %w", err)
	}
	type link struct {
		actor int64
		id    Identity
	}
	want := map[link]string{} // → actor key
	for _, spec := range a.spec.Actors {
		actor := a.actorIDs[spec.Key]
		want[link{actor, Identity{ConsolePlatform, a.spec.Key, spec.Key}}] = spec.Key
		for _, id := range spec.Identities {
			want[link{actor, id}] = spec.Key
		}
	}
	archived := map[int64]bool{}
	for _, r := range have {
		if _, ok := want[link{r.ActorID, Identity{r.Platform, r.Workspace, r.UserID}}]; ok {
			continue
		}
		if !a.isPlanActor(r.ActorID) {
			// Open-intake actors keep the identity they came in with.
			if !archived[r.ActorID] {
				continue
			}
		}
		if _, err := a.tx.exec(a.ctx, `DELETE FROM identities WHERE id = ?`, r.ID); err != nil {
			return fmt.Errorf("store: remove identity: %w", err)
		}
		if err := a.audit("identity.remove", "actor", r.ActorID, Identity{r.Platform, r.Workspace, r.UserID}, nil); err != nil {
			return err
		}
	}
	// Insert in a stable order so audit rows and errors are deterministic.
	links := make([]link, 0, len(want))
	for l := range want {
		links = append(links, l)
	}
	sort.Slice(links, func(i, j int) bool {
		if links[i].actor != links[j].actor {
			return links[i].actor < links[j].actor
		}
		return fmt.Sprint(links[i].id) < fmt.Sprint(links[j].id)
	})
	for _, l := range links {
		var owner struct {
			ActorID int64  `db:"actor_id"`
			PlanKey string `db:"key"`
		}
		err := a.tx.get(a.ctx, &owner, `SELECT i.actor_id, p.key FROM identities i JOIN plans p ON p.id = i.plan_id
			WHERE i.platform = ? AND i.workspace = ? AND i.user_id = ?`, l.id.Platform, l.id.Workspace, l.id.UserID)
		switch {
		case err == nil && owner.ActorID == l.actor:
			continue
		case err == nil && owner.PlanKey != a.spec.Key:
			return &ConflictError{What: l.id.Platform + " user", Key: want[l], Value: l.id.UserID, Owner: owner.PlanKey}
		case err == nil:
			// An open-intake actor of this plan had this account; the plan
			// file now names who it is. Move the account to that actor.
			if _, err := a.tx.exec(a.ctx, `UPDATE identities SET actor_id = ? WHERE platform = ? AND workspace = ? AND user_id = ?`, l.actor, l.id.Platform, l.id.Workspace, l.id.UserID); err != nil {
				return fmt.Errorf("store: move identity: %w", err)
			}
			if err := a.audit("identity.move", "actor", l.actor, map[string]any{"actor_id": owner.ActorID, "identity": l.id}, map[string]any{"actor_id": l.actor, "identity": l.id}); err != nil {
				return err
			}
			continue
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if _, err := a.tx.exec(a.ctx, `INSERT INTO identities (plan_id, actor_id, platform, workspace, user_id) VALUES (?, ?, ?, ?, ?)`,
			a.res.PlanID, l.actor, l.id.Platform, l.id.Workspace, l.id.UserID); err != nil {
			return fmt.Errorf("store: insert identity: %w", err)
		}
		if err := a.audit("identity.add", "actor", l.actor, nil, l.id); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) isPlanActor(id int64) bool {
	for _, v := range a.actorIDs {
		if v == id {
			return true
		}
	}
	return false
}

func (a *applier) memberships() error {
	var have []struct {
		ActorID int64  `db:"actor_id"`
		Role    string `db:"role"`
	}
	if err := a.tx.sel(a.ctx, &have, `SELECT actor_id, role FROM memberships WHERE plan_id = ?`, a.res.PlanID); err != nil {
		return fmt.Errorf("store: memberships: %w", err)
	}
	type m struct {
		actor int64
		role  Role
	}
	want := map[m]bool{}
	for _, role := range Roles {
		for _, k := range a.spec.Groups[role] {
			want[m{a.actorIDs[k], role}] = true
		}
	}
	haveSet := map[m]bool{}
	for _, h := range have {
		x := m{h.ActorID, Role(h.Role)}
		haveSet[x] = true
		if want[x] {
			continue
		}
		if _, err := a.tx.exec(a.ctx, `DELETE FROM memberships WHERE actor_id = ? AND role = ?`, h.ActorID, h.Role); err != nil {
			return fmt.Errorf("store: remove membership: %w", err)
		}
		if err := a.audit("membership.remove", "actor", h.ActorID, map[string]string{"role": h.Role}, nil); err != nil {
			return err
		}
	}
	for _, role := range Roles {
		for _, k := range a.spec.Groups[role] {
			x := m{a.actorIDs[k], role}
			if haveSet[x] {
				continue
			}
			haveSet[x] = true
			if _, err := a.tx.exec(a.ctx, `INSERT INTO memberships (plan_id, actor_id, role) VALUES (?, ?, ?)`, a.res.PlanID, x.actor, role); err != nil {
				return fmt.Errorf("store: insert membership: %w", err)
			}
			if err := a.audit("membership.add", "actor", x.actor, nil, map[string]Role{"role": role}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *applier) channels() error {
	var have []channelRow
	if err := a.tx.sel(a.ctx, &have, `SELECT * FROM channels WHERE plan_id = ?`, a.res.PlanID); err != nil {
		return fmt.Errorf("store: channels: %w", err)
	}
	type k struct{ key, platform string }
	byKey := map[k]Channel{}
	for _, r := range have {
		byKey[k{r.Key, r.Platform}] = r.channel()
	}
	seen := map[k]bool{}
	// Every channel of the plan is also a channel on the console, named
	// by the plan and the channel's key, so that every flow can be tried
	// in the terminal.
	wanted := append([]ChannelSpec(nil), a.spec.Channels...)
	consoleDone := map[string]bool{}
	for _, c := range a.spec.Channels {
		if c.Platform == ConsolePlatform {
			consoleDone[c.Key] = true // given as a console channel already
		}
	}
	for _, c := range a.spec.Channels {
		if !consoleDone[c.Key] {
			consoleDone[c.Key] = true
			wanted = append(wanted, ChannelSpec{Key: c.Key, Purpose: c.Purpose, Platform: ConsolePlatform, Channel: ConsoleChannel(a.spec.Key, c.Key), Strategy: c.Strategy})
		}
	}
	for _, c := range wanted {
		seen[k{c.Key, c.Platform}] = true
		want := Channel{PlanID: a.res.PlanID, Key: c.Key, Purpose: c.Purpose, Platform: c.Platform, Channel: c.Channel, StrategyID: a.strategyIDs[c.Strategy]}
		old, ok := byKey[k{c.Key, c.Platform}]
		if !ok || old.Channel != c.Channel {
			var owner string
			err := a.tx.get(a.ctx, &owner, `SELECT p.key FROM channels c JOIN plans p ON p.id = c.plan_id WHERE c.platform = ? AND c.channel = ? AND c.plan_id <> ?`, c.Platform, c.Channel, a.res.PlanID)
			if err == nil {
				return &ConflictError{What: c.Platform + " channel", Key: c.Key, Value: c.Channel, Owner: owner}
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		if !ok {
			id, err := a.tx.insertID(a.ctx, `INSERT INTO channels (plan_id, key, purpose, platform, channel, strategy_id) VALUES (?, ?, ?, ?, ?, ?)`,
				a.res.PlanID, c.Key, c.Purpose, c.Platform, c.Channel, nullID(want.StrategyID))
			if err != nil {
				return fmt.Errorf("store: insert channel %s: %w", c.Key, err)
			}
			want.ID = id
			if err := a.audit("channel.create", "channel", id, nil, want); err != nil {
				return err
			}
			continue
		}
		want.ID = old.ID
		if old != want {
			_, err := a.tx.exec(a.ctx, `UPDATE channels SET purpose = ?, channel = ?, strategy_id = ?, archived = FALSE WHERE id = ?`,
				c.Purpose, c.Channel, nullID(want.StrategyID), old.ID)
			if err != nil {
				return fmt.Errorf("store: update channel %s: %w", c.Key, err)
			}
			if err := a.audit("channel.update", "channel", old.ID, old, want); err != nil {
				return err
			}
		}
	}
	for _, old := range byKey {
		if seen[k{old.Key, old.Platform}] || old.Archived {
			continue
		}
		if _, err := a.tx.exec(a.ctx, `UPDATE channels SET archived = TRUE WHERE id = ?`, old.ID); err != nil {
			return fmt.Errorf("store: archive channel %s: %w", old.Key, err)
		}
		archived := old
		archived.Archived = true
		if err := a.audit("channel.archive", "channel", old.ID, old, archived); err != nil {
			return err
		}
	}
	return nil
}

// PlanSpecOf reads a plan back as a PlanSpec, for writing it to a file.
// Archived entries and open-intake actors are left out.
func (q queries) PlanSpecOf(ctx context.Context, planID int64) (PlanSpec, error) {
	p, err := q.PlanByID(ctx, planID)
	if err != nil {
		return PlanSpec{}, err
	}
	spec := PlanSpec{Key: p.Key, Municipality: p.Municipality, Title: p.Title, Language: p.Language,
		Timezone: p.Timezone, OpenIntake: p.OpenIntake, Settings: p.Settings, Groups: map[Role][]string{}}
	ws, err := q.Workspaces(ctx, planID)
	if err != nil {
		return PlanSpec{}, err
	}
	for _, w := range ws {
		if w.Platform != ConsolePlatform {
			spec.Workspaces = append(spec.Workspaces, w)
		}
	}
	goals, err := q.Goals(ctx, planID)
	if err != nil {
		return PlanSpec{}, err
	}
	strategies, err := q.Strategies(ctx, planID)
	if err != nil {
		return PlanSpec{}, err
	}
	strategyKey := map[int64]string{}
	for _, g := range goals {
		gs := GoalSpec{Key: g.Key, Text: g.Text}
		for _, s := range strategies {
			if s.GoalID == g.ID {
				gs.Strategies = append(gs.Strategies, StrategySpec{Key: s.Key, Title: s.Title, Description: s.Description, Keywords: s.Keywords})
				strategyKey[s.ID] = s.Key
			}
		}
		spec.Goals = append(spec.Goals, gs)
	}
	tasks, err := q.CentralTasks(ctx, planID)
	if err != nil {
		return PlanSpec{}, err
	}
	for _, t := range tasks {
		spec.CentralTasks = append(spec.CentralTasks, TaskSpec{Key: t.Key, Name: t.Name})
	}
	actors, err := q.actorRows(ctx, `WHERE plan_id = ? AND NOT archived AND source = 'plan'`, planID)
	if err != nil {
		return PlanSpec{}, err
	}
	for _, a := range actors {
		as := ActorSpec{Key: a.Key, Name: a.Name, Organisation: a.Organisation, Kind: a.Kind,
			Language: a.Language, PreferredPlatform: a.PreferredPlatform}
		ids, err := q.Identities(ctx, a.ID)
		if err != nil {
			return PlanSpec{}, err
		}
		for _, id := range ids {
			if id.Platform != ConsolePlatform {
				as.Identities = append(as.Identities, id)
			}
		}
		if as.Strategies, err = q.actorStrategyKeys(ctx, a.ID); err != nil {
			return PlanSpec{}, err
		}
		roles, err := q.ActorRoles(ctx, a.ID)
		if err != nil {
			return PlanSpec{}, err
		}
		for _, r := range roles {
			spec.Groups[r] = append(spec.Groups[r], a.Key)
		}
		spec.Actors = append(spec.Actors, as)
	}
	channels, err := q.Channels(ctx, planID)
	if err != nil {
		return PlanSpec{}, err
	}
	for _, c := range channels {
		if c.Platform == ConsolePlatform {
			continue
		}
		spec.Channels = append(spec.Channels, ChannelSpec{Key: c.Key, Purpose: c.Purpose, Platform: c.Platform, Channel: c.Channel, Strategy: strategyKey[c.StrategyID]})
	}
	return spec, nil
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
