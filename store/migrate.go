package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations live in migrations/ as NNNN_name.sql, with {{id}}, {{ts}} and
// {{ref}} filled per dialect. Where the dialects need different statements a
// migration is split into NNNN_name.postgres.sql and NNNN_name.sqlite.sql.
// Migrations are append-only: a released file is never edited.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     map[string]string // by dialect name; "" for both
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*migration{}
	for _, e := range entries {
		file := e.Name()
		base := strings.TrimSuffix(file, ".sql")
		dialectName := ""
		if d := path.Ext(base); d == ".postgres" || d == ".sqlite" {
			dialectName = strings.TrimPrefix(d, ".")
			base = strings.TrimSuffix(base, d)
		}
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration file %q is not named NNNN_name.sql", file)
		}
		body, err := migrationFS.ReadFile("migrations/" + file)
		if err != nil {
			return nil, err
		}
		m := byVersion[v]
		if m == nil {
			m = &migration{version: v, name: name, sql: map[string]string{}}
			byVersion[v] = m
		}
		m.sql[dialectName] = string(body)
	}
	var out []migration
	for _, m := range byVersion {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %d is missing", i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this binary expects.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are part of the binary; a bad name is a build defect
	}
	return len(ms)
}

// ErrSchemaOutdated means the database is older than the binary and must be
// migrated; ErrSchemaTooNew means the database was migrated by a newer binary.
var (
	ErrSchemaOutdated = errors.New("store: database schema is older than this program")
	ErrSchemaTooNew   = errors.New("store: database schema is newer than this program")
)

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at {{ts}} NOT NULL
)`

// CurrentVersion returns the database's schema version, 0 for an empty database.
func (s *Store) CurrentVersion(ctx context.Context) (int, error) {
	var exists bool
	var q string
	if s.d.name == "postgres" {
		q = `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations')`
	} else {
		q = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`
	}
	if err := s.get(ctx, &exists, q); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := s.get(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

// SchemaError is a database whose schema version this binary does not
// expect. It matches ErrSchemaOutdated or ErrSchemaTooNew with errors.Is.
type SchemaError struct {
	DB   string // the database, without credentials
	Have int    // the database's version
	Want int    // this binary's version
}

func (e *SchemaError) Error() string {
	if e.Have < e.Want {
		return fmt.Sprintf("%v: %s is at schema version %d, this program needs %d; run `dugnad migrate` (add --db or DUGNAD_DATABASE_URL as you do for the bot)", ErrSchemaOutdated, e.DB, e.Have, e.Want)
	}
	return fmt.Sprintf("%v: %s is at schema version %d, but this program only knows versions up to %d; run a newer dugnad (the database was migrated by one) or restore a backup", ErrSchemaTooNew, e.DB, e.Have, e.Want)
}

// Is makes errors.Is match the sentinel for the direction of the mismatch.
func (e *SchemaError) Is(target error) bool {
	return (target == ErrSchemaOutdated && e.Have < e.Want) || (target == ErrSchemaTooNew && e.Have > e.Want)
}

// CheckSchema refuses a database whose schema version differs from the one
// this binary knows, with a *SchemaError that says what to run.
func (s *Store) CheckSchema(ctx context.Context) error {
	v, err := s.CurrentVersion(ctx)
	if err != nil {
		return err
	}
	if want := SchemaVersion(); v != want {
		return &SchemaError{DB: s.redacted, Have: v, Want: want}
	}
	return nil
}

// Migrate brings the schema to this binary's version. Each migration runs in
// its own transaction, which also records the version. On PostgreSQL an
// advisory lock makes concurrent starts of several processes safe. A
// database newer than the binary is refused.
func (s *Store) Migrate(ctx context.Context) (applied []int, err error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, s.d.ddl.Replace(migrationsTable)); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	if v, err := s.CurrentVersion(ctx); err != nil {
		return nil, err
	} else if v > len(ms) {
		return nil, s.CheckSchema(ctx)
	}
	for _, m := range ms {
		body, ok := m.sql[s.d.name]
		if !ok {
			body, ok = m.sql[""]
		}
		if !ok {
			return applied, fmt.Errorf("store: migration %d (%s) has no %s variant", m.version, m.name, s.d.name)
		}
		ran := false
		err := s.InTx(ctx, func(tx *Tx) error {
			if s.d.name == "postgres" {
				// Held until commit: a second process waits here, then
				// sees the version recorded and skips.
				if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7305521)`); err != nil {
					return err
				}
			}
			var done int
			if err := tx.get(ctx, &done, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version); err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			// Both drivers run a multi-statement script in one Exec.
			if _, err := tx.tx.ExecContext(ctx, s.d.ddl.Replace(body)); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, now()); err != nil {
				return err
			}
			ran = true
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err)
		}
		if ran {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}
