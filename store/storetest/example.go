package storetest

import (
	"context"
	"testing"

	"github.com/kommune-dugnad/dugnad/examples"
	"github.com/kommune-dugnad/dugnad/intake/planfile"
	"github.com/kommune-dugnad/dugnad/store"
)

// ExampleSpec returns the example plan (Fjordvik kommune) as a spec.
func ExampleSpec(t testing.TB) store.PlanSpec {
	t.Helper()
	f, err := planfile.Parse(examples.FjordvikName, examples.Fjordvik)
	if err != nil {
		t.Fatalf("storetest: example plan: %v", err)
	}
	return f.Spec
}

// LoadExample stores the example plan, changed by edit when it is not nil,
// and returns it.
func LoadExample(t testing.TB, s *store.Store, edit func(*store.PlanSpec)) store.Plan {
	t.Helper()
	spec := ExampleSpec(t)
	if edit != nil {
		edit(&spec)
	}
	ctx := context.Background()
	var res store.ApplyResult
	err := s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ApplyPlan(ctx, store.By{Label: "test"}, spec)
		return err
	})
	if err != nil {
		t.Fatalf("storetest: load example plan: %v", err)
	}
	p, err := s.PlanByID(ctx, res.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
