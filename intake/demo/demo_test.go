package demo_test

import (
	"context"
	"testing"

	"github.com/kommune-dugnad/dugnad/intake/demo"
	"github.com/kommune-dugnad/dugnad/intake/digest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// A small seeded plan has what was asked for, consistently: measures in
// the statuses their hearings and decisions say, and a digest of it.
func TestSeed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		want := demo.Scaled(0.02)
		p, got, err := demo.Seed(ctx, s, demo.Options{Key: "demo", Counts: want, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if got.Actors != want.Actors || got.Suggestions != want.Suggestions || got.Measures != want.Measures || got.Comments != want.Comments {
			t.Errorf("seeded %+v, asked for %+v", got, want)
		}
		if got.Votes < want.Votes*9/10 || got.Votes > want.Votes*11/10 {
			t.Errorf("seeded %d votes, asked for about %d", got.Votes, want.Votes)
		}
		d, err := digest.Build(ctx, s, p, digest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Totals.Measures != got.Measures || d.Totals.Suggestions != got.Suggestions || d.Totals.Comments != got.Comments {
			t.Errorf("the digest counts %+v, the seed made %+v", d.Totals, got)
		}
		for _, status := range digest.Statuses {
			if d.Totals.ByStatus[status] == 0 {
				t.Errorf("no measure is %s", status)
			}
		}
		if _, _, err := demo.Seed(ctx, s, demo.Options{Key: "demo", Counts: want}); err == nil {
			t.Error("seeding the same key twice was accepted")
		}
	})
}
