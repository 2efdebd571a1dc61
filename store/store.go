// Package store keeps Dugnad's state: plans, actors, suggestions, measures,
// hearings, the inbound-event ledger, the outbox and the audit log.
//
// One schema serves two backends, chosen by the database URL: PostgreSQL
// (lib/pq) for production and SQLite (modernc.org/sqlite, pure Go) as the
// embedded default. Queries are written once with '?' placeholders and
// rebound for PostgreSQL; the few dialect differences are named in dialect.go.
//
// Reads are methods on Store and Tx alike; every change of state is a method
// on Tx and writes its audit row in the same transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned when a transaction lost a race with another writer
// (a stale version, a serialization failure, a deadlock). The whole
// transaction may be retried.
var ErrConflict = errors.New("store: conflicting concurrent change")

func init() {
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	queries
	db *sqlx.DB
	// writeMu serialises write transactions on SQLite, which allows one
	// writer at a time; waiting here is cheaper than spinning on SQLITE_BUSY.
	writeMu *sync.Mutex
	// redacted is the database URL without its password, for messages.
	redacted string
}

// Open connects to the database named by rawURL:
//
//	postgres://user@host/db?sslmode=disable   PostgreSQL
//	postgresql://…                             PostgreSQL
//	sqlite:path/to/file.db, file:…, or a path  SQLite
//
// Open does not migrate; call Migrate, or CheckSchema to refuse a database
// whose schema this binary does not know.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	d, dsn, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := sqlx.Open(d.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", redact(rawURL), err)
	}
	s := &Store{db: db, redacted: redact(rawURL)}
	s.queries = queries{q: db, d: d}
	if d.name == "sqlite" {
		s.writeMu = new(sync.Mutex)
		db.SetMaxOpenConns(4)
	} else {
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
	}
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.redacted, err)
	}
	return s, nil
}

// SQLitePath returns the file a SQLite database URL names, and false for
// other URLs.
func SQLitePath(rawURL string) (string, bool) {
	d, dsn, err := parseURL(rawURL)
	if err != nil || d.name != "sqlite" {
		return "", false
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	return path, true
}

// Ping checks that the database answers, within ctx.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.redacted, err)
	}
	return nil
}

// Close closes the database handle.
func (s *Store) Close() error { return s.db.Close() }

// Dialect names the backend: "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.d.name }

// String describes the database without credentials.
func (s *Store) String() string { return s.redacted }

// DB exposes the underlying handle for tests and tools in this module.
func (s *Store) DB() *sqlx.DB { return s.db }

func parseURL(raw string) (dialect, string, error) {
	switch {
	case raw == "":
		return dialect{}, "", errors.New("store: empty database URL")
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return postgresDSN(raw)
	case strings.HasPrefix(raw, "sqlite://"):
		return sqliteDSN(strings.TrimPrefix(raw, "sqlite://"))
	case strings.HasPrefix(raw, "sqlite:"):
		return sqliteDSN(strings.TrimPrefix(raw, "sqlite:"))
	case strings.HasPrefix(raw, "file:"):
		return sqliteDSN(strings.TrimPrefix(raw, "file:"))
	case strings.Contains(raw, "://"):
		return dialect{}, "", fmt.Errorf("store: unsupported database URL scheme in %q: use postgres://… or a SQLite file path", redact(raw))
	default:
		return sqliteDSN(raw)
	}
}

// postgresDSN asks lib/pq for its single-round-trip mode unless the URL
// says otherwise: a statement with parameters then goes to the server as
// one Parse/Bind/Execute message instead of a Parse round trip and an
// Execute round trip, which halves the round trips of an event's
// transaction. (It also sends []byte parameters in binary, which the
// store's bytea and text columns take as they are.)
func postgresDSN(raw string) (dialect, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return dialect{}, "", fmt.Errorf("store: database URL: %w", errors.Unwrap(err))
	}
	q := u.Query()
	if !q.Has("binary_parameters") {
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
	}
	return postgres, u.String(), nil
}

// sqliteDSN turns a path (with optional query) into a modernc DSN with the
// pragmas the store relies on: foreign keys, WAL, a busy timeout, immediate
// write transactions and a sortable time format.
func sqliteDSN(pathAndQuery string) (dialect, string, error) {
	path, query, _ := strings.Cut(pathAndQuery, "?")
	if path == "" {
		return dialect{}, "", errors.New("store: SQLite URL without a file path")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return dialect{}, "", fmt.Errorf("store: SQLite URL query: %w", err)
	}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	return sqlite, "file:" + path + "?" + q.Encode(), nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Tx is a transaction. Its methods must not be used after InTx returns.
type Tx struct {
	queries
	tx *sqlx.Tx
}

// InTx runs fn in a transaction and commits it if fn returns nil. A failure
// to commit is returned, never dropped. Serialization failures and deadlocks
// come back wrapped in ErrConflict so the caller may retry the whole unit.
func (s *Store) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	if s.writeMu != nil {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	sqltx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return classify(fmt.Errorf("store: begin: %w", err))
	}
	tx := &Tx{queries: queries{q: sqltx, d: s.d}, tx: sqltx}
	defer func() {
		if p := recover(); p != nil {
			_ = sqltx.Rollback()
			panic(p)
		}
		if err != nil {
			if rbErr := sqltx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
			}
			err = classify(err)
			return
		}
		if cErr := sqltx.Commit(); cErr != nil {
			err = classify(fmt.Errorf("store: commit: %w", cErr))
		}
	}()
	return fn(tx)
}

// classify marks errors that a retry of the transaction may cure.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrConflict) {
		return err
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	}
	return err
}

// queries holds the read methods shared by Store and Tx.
type queries struct {
	q sqlx.ExtContext
	d dialect
}

func (q queries) get(ctx context.Context, dest any, query string, args ...any) error {
	err := sqlx.GetContext(ctx, q.q, dest, q.q.Rebind(query), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (q queries) sel(ctx context.Context, dest any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, q.q, dest, q.q.Rebind(query), args...)
}

func (q queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.q.ExecContext(ctx, q.q.Rebind(query), args...)
}

// insertID runs an INSERT … RETURNING id and returns the id.
func (q queries) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q.q, &id, q.q.Rebind(query+" RETURNING id"), args...)
	return id, err
}

// in expands a query with IN (?) for a slice argument and rebinds it.
func (q queries) in(query string, args ...any) (string, []any, error) {
	query, args, err := sqlx.In(query, args...)
	if err != nil {
		return "", nil, err
	}
	return query, args, nil
}

// now is the store's clock: UTC with microsecond precision, which both
// backends keep exactly, so a time read back equals the time written.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
