package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func apply(t *testing.T, s *store.Store, spec store.PlanSpec) (store.ApplyResult, error) {
	t.Helper()
	ctx := context.Background()
	var res store.ApplyResult
	err := s.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ApplyPlan(ctx, store.By{Label: "test"}, spec)
		return err
	})
	return res, err
}

func fileOne(t *testing.T, s *store.Store, p store.Plan, actorKey, strategyKey, text string) store.Suggestion {
	t.Helper()
	ctx := context.Background()
	a, err := s.ActorByKey(ctx, p.ID, actorKey)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.StrategyByKey(ctx, p.ID, strategyKey)
	if err != nil {
		t.Fatal(err)
	}
	var got store.Suggestion
	err = s.InTx(ctx, func(tx *store.Tx) error {
		got, err = tx.FileSuggestion(ctx, store.By{ActorID: a.ID, Label: "test"}, store.Suggestion{
			PlanID: p.ID, StrategyID: st.ID, Question: 2, Text: text, Language: store.Bokmal,
			ActorID: a.ID, Basis: store.BasisShould, WhoActs: store.WhoTogether,
			Source: store.SourceRef{Platform: "console", Channel: "dm:" + actorKey, Ref: "1"}})
		return err
	})
	if err != nil {
		t.Fatalf("file suggestion: %v", err)
	}
	return got
}

func TestReimportUpdatesInPlaceAndKeepsSuggestions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		spec := examplePlan(t)
		first, err := apply(t, s, spec)
		if err != nil || !first.Created || first.Changes == 0 {
			t.Fatalf("first import: %+v, %v", first, err)
		}
		p, _ := s.PlanByID(ctx, first.PlanID)
		sug := fileOne(t, s, p, "ext-nav-jonas", "S5", "Flere boveiledere i NAV")

		// The same file again changes nothing and writes no audit rows.
		before, _ := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID})
		again, err := apply(t, s, spec)
		if err != nil || again.Created || again.Changes != 0 || again.PlanID != first.PlanID {
			t.Fatalf("same import again: %+v, %v; want no changes", again, err)
		}
		if after, _ := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID}); len(after) != len(before) {
			t.Errorf("re-import wrote %d audit rows", len(after)-len(before))
		}

		// An edited file: a strategy renamed, S5 dropped, an actor who made
		// a suggestion dropped, the reference group shrunk.
		edited := examplePlan(t)
		edited.Goals[0].Strategies[0].Title = "Flere skal eie egen bolig"
		edited.Goals[1].Strategies = edited.Goals[1].Strategies[1:] // drops S5
		var actors []store.ActorSpec
		for _, a := range edited.Actors {
			if a.Key == "ext-nav-jonas" {
				continue
			}
			a.Strategies = without(a.Strategies, "S5")
			actors = append(actors, a)
		}
		edited.Actors = actors
		edited.Groups[store.RoleReferenceGroup] = without(edited.Groups[store.RoleReferenceGroup], "ext-nav-jonas")
		res, err := apply(t, s, edited)
		if err != nil || res.Changes == 0 || res.PlanID != first.PlanID {
			t.Fatalf("edited import: %+v, %v", res, err)
		}
		st, err := s.StrategyByKey(ctx, p.ID, "S1")
		if err != nil || st.Title != "Flere skal eie egen bolig" {
			t.Errorf("S1 = %+v, %v", st, err)
		}
		if _, err := s.StrategyByKey(ctx, p.ID, "S5"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("S5 still current: %v", err)
		}
		got, err := s.SuggestionByID(ctx, sug.ID)
		if err != nil || got.Text != sug.Text || got.StrategyKey != "S5" || got.ActorKey != "ext-nav-jonas" {
			t.Errorf("suggestion after re-import = %+v, %v; want it unchanged", got, err)
		}
		members, _ := s.Members(ctx, p.ID, store.RoleReferenceGroup)
		for _, m := range members {
			if m.Key == "ext-nav-jonas" {
				t.Error("ext-nav-jonas is still in the reference group")
			}
		}
		all, _ := s.Suggestions(ctx, p.ID)
		if len(all) != 1 {
			t.Errorf("%d suggestions after re-imports, want 1", len(all))
		}

		// Bringing S5 and the actor back restores them, not duplicates.
		if _, err := apply(t, s, spec); err != nil {
			t.Fatal(err)
		}
		if st, err := s.StrategyByKey(ctx, p.ID, "S5"); err != nil || st.ID != sug.StrategyID {
			t.Errorf("S5 back = %+v, %v; want the same row", st, err)
		}
		if a, err := s.ActorByKey(ctx, p.ID, "ext-nav-jonas"); err != nil || a.ID != sug.ActorID {
			t.Errorf("actor back = %+v, %v; want the same row", a, err)
		}
	})
}

func without(list []string, drop string) []string {
	var out []string
	for _, x := range list {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

func TestPlanSpecOfReadsBackWhatWasApplied(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		spec := examplePlan(t)
		res, err := apply(t, s, spec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.PlanSpecOf(context.Background(), res.PlanID)
		if err != nil {
			t.Fatal(err)
		}
		// Applying what was read back changes nothing.
		again, err := apply(t, s, got)
		if err != nil || again.Changes != 0 {
			t.Errorf("re-applying the read-back plan: %+v, %v", again, err)
		}
		if len(got.Actors) != len(spec.Actors) || len(got.Channels) != len(spec.Channels) || len(got.Goals) != len(spec.Goals) {
			t.Errorf("read back %d actors, %d channels, %d goals; want %d, %d, %d",
				len(got.Actors), len(got.Channels), len(got.Goals), len(spec.Actors), len(spec.Channels), len(spec.Goals))
		}
	})
}

func TestSeveralPlansOneDatabase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := examplePlan(t)
		resA, err := apply(t, s, a)
		if err != nil {
			t.Fatal(err)
		}
		// A second municipality in its own workspace, with its own people.
		b := examplePlan(t)
		b.Key, b.Municipality = "nabovik-2027", "Nabovik kommune"
		b.Workspaces = []store.Workspace{{Platform: "slack", ID: "T0NABOVIK"}}
		for i := range b.Actors {
			b.Actors[i].Identities = nil
		}
		b.Channels = nil
		resB, err := apply(t, s, b)
		if err != nil {
			t.Fatalf("second plan: %v", err)
		}
		if resA.PlanID == resB.PlanID {
			t.Fatal("both plans got the same ID")
		}
		pa, err := s.PlanForWorkspace(ctx, "slack", "T0FJORDVIK")
		if err != nil || pa.ID != resA.PlanID {
			t.Errorf("plan for T0FJORDVIK = %v, %v", pa.Key, err)
		}
		pb, err := s.PlanForWorkspace(ctx, "slack", "T0NABOVIK")
		if err != nil || pb.ID != resB.PlanID {
			t.Errorf("plan for T0NABOVIK = %v, %v", pb.Key, err)
		}

		// A workspace, account or channel that belongs to another plan is
		// refused, and nothing of the failed import is kept.
		c := b
		c.Key = "tredje-2027"
		c.Workspaces = []store.Workspace{{Platform: "slack", ID: "T0FJORDVIK"}}
		_, err = apply(t, s, c)
		var conflict *store.ConflictError
		if !errors.As(err, &conflict) || conflict.Owner != "fjordvik-2027" {
			t.Fatalf("taking another plan's workspace: %v", err)
		}
		if _, err := s.PlanByKey(ctx, "tredje-2027"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("failed import left the plan behind: %v", err)
		}
		d := b
		d.Actors = append([]store.ActorSpec(nil), b.Actors...)
		d.Actors[0].Identities = []store.Identity{{Platform: "discord", UserID: "1190000000000000101"}}
		_, err = apply(t, s, d)
		if !errors.As(err, &conflict) || conflict.Key != d.Actors[0].Key {
			t.Errorf("taking another plan's Discord user: %v", err)
		}
	})
}

func TestApplyPlanRefusesInvalidSpec(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		spec := examplePlan(t)
		spec.Groups = map[store.Role][]string{store.RoleProjectGroup: {"pg-espen"}}
		_, err := apply(t, s, spec)
		var inv *store.InvalidError
		if !errors.As(err, &inv) {
			t.Fatalf("no project leader: %v", err)
		}
		if plans, _ := s.Plans(context.Background()); len(plans) != 0 {
			t.Errorf("an invalid plan was stored: %v", plans)
		}
	})
}
