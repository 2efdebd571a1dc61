// Package storetest gives tests a fresh, migrated store on each backend:
// SQLite always, PostgreSQL whenever DUGNAD_TEST_DATABASE_URL is set. Each
// store is isolated (its own file, or its own PostgreSQL schema), so tests
// may run in parallel.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/kommune-dugnad/dugnad/store"
)

// EnvURL names the variable that gives tests a PostgreSQL database.
const EnvURL = "DUGNAD_TEST_DATABASE_URL"

// Backend is a database a test can open stores on.
type Backend struct {
	Name string
	// URL opens the same isolated database again, as a restarted
	// process would.
	URL string
}

// Each runs fn as a subtest on every available backend with a fresh,
// migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			b := New(t, name)
			fn(t, Open(t, b.URL))
		})
	}
}

// EachBackend runs fn as a subtest on every available backend with a fresh,
// empty database, for tests that open (and reopen) stores themselves.
func EachBackend(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) { fn(t, New(t, name)) })
	}
}

// New makes a fresh, empty database on the named backend ("sqlite" or
// "postgres"). For PostgreSQL without DUGNAD_TEST_DATABASE_URL the test is
// skipped with a message, or fails when CI=true.
func New(t testing.TB, name string) Backend {
	t.Helper()
	switch name {
	case "sqlite":
		return Backend{Name: name, URL: filepath.Join(t.TempDir(), "dugnad.db")}
	case "postgres":
		return Backend{Name: name, URL: postgresSchema(t)}
	}
	t.Fatalf("storetest: unknown backend %q", name)
	return Backend{}
}

// Open opens and migrates a store at url and closes it when the test ends.
func Open(t testing.TB, url string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s
}

func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("storetest: PostgreSQL is required in CI: "+format, args...)
	}
	t.Skipf("storetest: skipping PostgreSQL: "+format, args...)
}

// postgresSchema creates a schema of its own for the test and returns a URL
// whose connections use it. The schema is dropped when the test ends.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		unavailable(t, "%s is not set (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvURL)
	}
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		unavailable(t, "%v", err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		unavailable(t, "cannot reach %s: %v", EnvURL, err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
