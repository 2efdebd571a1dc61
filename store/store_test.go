package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func examplePlan(t *testing.T) store.PlanSpec { return storetest.ExampleSpec(t) }

func loadExample(t *testing.T, s *store.Store) store.Plan { return storetest.LoadExample(t, s, nil) }

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	t.Parallel()
	storetest.EachBackend(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		s, err := store.Open(ctx, b.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaOutdated) || !strings.Contains(err.Error(), "dugnad migrate") {
			t.Errorf("empty database: CheckSchema = %v, want ErrSchemaOutdated saying to run dugnad migrate", err)
		}
		applied, err := s.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != store.SchemaVersion() {
			t.Errorf("applied %v, want all %d", applied, store.SchemaVersion())
		}
		if again, err := s.Migrate(ctx); err != nil || len(again) != 0 {
			t.Errorf("second migrate applied %v, %v; want nothing", again, err)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema after migrate: %v", err)
		}
		// A database migrated by a newer binary is refused, and not touched.
		if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', CURRENT_TIMESTAMP)`), store.SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
		if err := s.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "newer dugnad") {
			t.Errorf("newer schema: CheckSchema = %v", err)
		}
		if _, err := s.Migrate(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
			t.Errorf("newer schema: Migrate = %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		entries, err := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID})
		if err != nil || len(entries) == 0 {
			t.Fatalf("audit log after import: %d entries, %v", len(entries), err)
		}
		for _, q := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`} {
			if _, err := s.DB().ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want refusal", q, err)
			}
		}
		after, _ := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID})
		if len(after) != len(entries) || after[0].Action != entries[0].Action {
			t.Errorf("audit log changed: %d → %d entries", len(entries), len(after))
		}
	})
}
