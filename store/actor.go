package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Actor is someone whose input the plan seeks: a municipal unit's person, a
// partner organisation's, a user organisation's, or a citizen.
type Actor struct {
	ID                int64
	PlanID            int64
	Key               string
	Name              string
	Organisation      string
	Kind              ActorKind
	Language          Language // empty: the plan's
	PreferredPlatform string
	Source            string // "plan" or "open_intake"
	ConsentedAt       *time.Time
	Archived          bool
}

// Identity is an actor's account on a platform.
type Identity struct {
	Platform  string `json:"platform" db:"platform"`
	Workspace string `json:"workspace,omitempty" db:"workspace"`
	UserID    string `json:"user_id" db:"user_id"`
}

type actorRow struct {
	ID                int64          `db:"id"`
	PlanID            int64          `db:"plan_id"`
	Key               string         `db:"key"`
	Name              string         `db:"name"`
	Organisation      string         `db:"organisation"`
	Kind              string         `db:"kind"`
	Language          sql.NullString `db:"language"`
	PreferredPlatform sql.NullString `db:"preferred_platform"`
	Source            string         `db:"source"`
	ConsentedAt       sql.NullTime   `db:"consented_at"`
	Archived          bool           `db:"archived"`
	CreatedAt         time.Time      `db:"created_at"`
	UpdatedAt         time.Time      `db:"updated_at"`
}

func (r actorRow) actor() Actor {
	return Actor{ID: r.ID, PlanID: r.PlanID, Key: r.Key, Name: r.Name, Organisation: r.Organisation,
		Kind: ActorKind(r.Kind), Language: Language(r.Language.String), PreferredPlatform: r.PreferredPlatform.String,
		Source: r.Source, ConsentedAt: timePtr(r.ConsentedAt), Archived: r.Archived}
}

func (q queries) actorRows(ctx context.Context, where string, args ...any) ([]Actor, error) {
	var rows []actorRow
	if err := q.sel(ctx, &rows, `SELECT * FROM actors `+where+` ORDER BY id`, args...); err != nil {
		return nil, fmt.Errorf("store: actors: %w", err)
	}
	out := make([]Actor, len(rows))
	for i, r := range rows {
		out[i] = r.actor()
	}
	return out, nil
}

// Actors lists the plan's current actors in the order they were added.
func (q queries) Actors(ctx context.Context, planID int64) ([]Actor, error) {
	return q.actorRows(ctx, `WHERE plan_id = ? AND NOT archived`, planID)
}

// ActorByID returns an actor, or ErrNotFound.
func (q queries) ActorByID(ctx context.Context, id int64) (Actor, error) {
	var r actorRow
	if err := q.get(ctx, &r, `SELECT * FROM actors WHERE id = ?`, id); err != nil {
		return Actor{}, fmt.Errorf("store: actor %d: %w", id, err)
	}
	return r.actor(), nil
}

// ActorByKey returns the plan's current actor with the key, or ErrNotFound.
func (q queries) ActorByKey(ctx context.Context, planID int64, key string) (Actor, error) {
	var r actorRow
	if err := q.get(ctx, &r, `SELECT * FROM actors WHERE plan_id = ? AND key = ? AND NOT archived`, planID, key); err != nil {
		return Actor{}, fmt.Errorf("store: actor %q: %w", key, err)
	}
	return r.actor(), nil
}

// ActorByIdentity returns the current actor who has the platform account,
// or ErrNotFound.
func (q queries) ActorByIdentity(ctx context.Context, id Identity) (Actor, error) {
	var r actorRow
	err := q.get(ctx, &r, `SELECT a.* FROM actors a JOIN identities i ON i.actor_id = a.id
		WHERE i.platform = ? AND i.workspace = ? AND i.user_id = ? AND NOT a.archived`, id.Platform, id.Workspace, id.UserID)
	if err != nil {
		return Actor{}, fmt.Errorf("store: actor for %s user %s: %w", id.Platform, id.UserID, err)
	}
	return r.actor(), nil
}

// Identities lists an actor's platform accounts.
func (q queries) Identities(ctx context.Context, actorID int64) ([]Identity, error) {
	var out []Identity
	err := q.sel(ctx, &out, `SELECT platform, workspace, user_id FROM identities WHERE actor_id = ? ORDER BY platform, workspace, user_id`, actorID)
	if err != nil {
		return nil, fmt.Errorf("store: identities: %w", err)
	}
	return out, nil
}

// ActorRoles lists the groups an actor belongs to, in the order of Roles.
func (q queries) ActorRoles(ctx context.Context, actorID int64) ([]Role, error) {
	var got []string
	if err := q.sel(ctx, &got, `SELECT role FROM memberships WHERE actor_id = ?`, actorID); err != nil {
		return nil, fmt.Errorf("store: roles: %w", err)
	}
	var out []Role
	for _, r := range Roles {
		for _, g := range got {
			if Role(g) == r {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// Members lists the plan's current actors in a group.
func (q queries) Members(ctx context.Context, planID int64, role Role) ([]Actor, error) {
	return q.actorRows(ctx, `WHERE plan_id = ? AND NOT archived AND id IN (SELECT actor_id FROM memberships WHERE role = ?)`, planID, role)
}

// ActorStrategies lists the keys of the strategies an actor is asked about;
// empty means all of the plan's strategies.
func (q queries) ActorStrategies(ctx context.Context, actorID int64) ([]string, error) {
	return q.actorStrategyKeys(ctx, actorID)
}

func (q queries) actorStrategyKeys(ctx context.Context, actorID int64) ([]string, error) {
	var out []string
	err := q.sel(ctx, &out, `SELECT s.key FROM actor_strategies a JOIN strategies s ON s.id = a.strategy_id
		WHERE a.actor_id = ? ORDER BY s.key`, actorID)
	if err != nil {
		return nil, fmt.Errorf("store: actor strategies: %w", err)
	}
	return out, nil
}

// CreateOpenIntakeActor adds an external actor who wrote to the bot from a
// platform account the plan did not know, when the plan allows open intake.
func (tx *Tx) CreateOpenIntakeActor(ctx context.Context, planID int64, name string, id Identity) (Actor, error) {
	key := id.Platform + "-" + id.UserID
	t := now()
	actorID, err := tx.insertID(ctx, `INSERT INTO actors (plan_id, key, name, organisation, kind, source, created_at, updated_at)
		VALUES (?, ?, ?, '', 'external', 'open_intake', ?, ?)`, planID, key, name, t, t)
	if err != nil {
		return Actor{}, fmt.Errorf("store: insert open-intake actor: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO identities (plan_id, actor_id, platform, workspace, user_id) VALUES (?, ?, ?, ?, ?)`,
		planID, actorID, id.Platform, id.Workspace, id.UserID); err != nil {
		return Actor{}, fmt.Errorf("store: insert open-intake identity: %w", err)
	}
	a := Actor{ID: actorID, PlanID: planID, Key: key, Name: name, Kind: External, Source: "open_intake"}
	by := By{ActorID: actorID, Label: id.Platform + ":" + id.UserID}
	if err := tx.audit(ctx, planID, by, "actor.create", "actor", actorID, nil, map[string]any{"name": name, "source": "open_intake", "identity": id}); err != nil {
		return Actor{}, err
	}
	return a, nil
}

// RecordConsent notes that the actor agreed to what is stored and how,
// before their first answer is kept.
func (tx *Tx) RecordConsent(ctx context.Context, by By, a Actor) (Actor, error) {
	if a.ConsentedAt != nil {
		return a, nil
	}
	t := now()
	if _, err := tx.exec(ctx, `UPDATE actors SET consented_at = ?, updated_at = ? WHERE id = ?`, t, t, a.ID); err != nil {
		return a, fmt.Errorf("store: record consent: %w", err)
	}
	if err := tx.audit(ctx, a.PlanID, by, "actor.consent", "actor", a.ID, nil, map[string]time.Time{"consented_at": t}); err != nil {
		return a, err
	}
	a.ConsentedAt = &t
	return a, nil
}
