package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func TestFileSuggestionKeepsTextVerbatimAndAudits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		texts := []string{
			"Robert'); DROP TABLE suggestions;--",
			"Bruk <!channel> og <@U123> & se",
			"עברית \u200f med RLM og \u202e overstyring",
			"Linje 1\nLinje 2\tmed tab",
			strings.Repeat("æ", store.MaxTextLength),
		}
		for _, text := range texts {
			got := fileOne(t, s, p, "ext-nav-jonas", "S3", text)
			if got.Text != text {
				t.Errorf("stored %q, want %q", got.Text, text)
			}
			entries, _ := s.AuditLog(ctx, store.AuditFilter{Entity: "suggestion", EntityID: itoa(got.ID)})
			if len(entries) != 1 || entries[0].Action != "suggestion.create" {
				t.Errorf("audit for suggestion %d = %+v", got.ID, entries)
			}
		}
	})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestFileSuggestionRefusesBadText(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		a, _ := s.ActorByKey(ctx, p.ID, "ext-nav-jonas")
		st, _ := s.StrategyByKey(ctx, p.ID, "S3")
		cases := map[string]store.TextReason{
			"":         store.TextEmpty,
			"   \n\t ": store.TextEmpty,
			strings.Repeat("a", store.MaxTextLength+1): store.TextTooLong,
			"ugyldig \xff\xfe":                         store.TextInvalidUTF8,
			"nul \x00 byte":                            store.TextControl,
			"escape \x1b[31m rød":                      store.TextControl,
		}
		for text, reason := range cases {
			err := s.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.FileSuggestion(ctx, store.By{ActorID: a.ID, Label: "test"}, store.Suggestion{
					PlanID: p.ID, StrategyID: st.ID, Question: 1, Text: text, Language: store.Bokmal, ActorID: a.ID,
					Source: store.SourceRef{Platform: "console"}})
				return err
			})
			var te *store.TextError
			if !errors.As(err, &te) || te.Reason != reason {
				t.Errorf("text %.20q: err = %v, want %s", text, err, reason)
			}
		}
		if all, _ := s.Suggestions(ctx, p.ID); len(all) != 0 {
			t.Errorf("%d suggestions stored from bad text", len(all))
		}
	})
}

func TestFailedTransactionKeepsNeitherChangeNorAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		a, _ := s.ActorByKey(ctx, p.ID, "ext-nav-jonas")
		st, _ := s.StrategyByKey(ctx, p.ID, "S3")
		before, _ := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID})
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.FileSuggestion(ctx, store.By{ActorID: a.ID, Label: "test"}, store.Suggestion{
				PlanID: p.ID, StrategyID: st.ID, Question: 1, Text: "Et innspill", Language: store.Bokmal, ActorID: a.ID,
				Source: store.SourceRef{Platform: "console"}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if all, _ := s.Suggestions(ctx, p.ID); len(all) != 0 {
			t.Errorf("suggestion survived the rollback")
		}
		if after, _ := s.AuditLog(ctx, store.AuditFilter{PlanID: p.ID}); len(after) != len(before) {
			t.Errorf("audit row survived the rollback")
		}
	})
}

func TestSuggestionFromAnotherPlansStrategyIsRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		other := examplePlan(t)
		other.Key, other.Workspaces, other.Channels = "nabovik", nil, nil
		for i := range other.Actors {
			other.Actors[i].Identities = nil
		}
		res, err := apply(t, s, other)
		if err != nil {
			t.Fatal(err)
		}
		foreign, _ := s.StrategyByKey(ctx, res.PlanID, "S1")
		a, _ := s.ActorByKey(ctx, p.ID, "ext-nav-jonas")
		err = s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.FileSuggestion(ctx, store.By{ActorID: a.ID, Label: "test"}, store.Suggestion{
				PlanID: p.ID, StrategyID: foreign.ID, Question: 1, Text: "x", Language: store.Bokmal, ActorID: a.ID,
				Source: store.SourceRef{Platform: "console"}})
			return err
		})
		var inv *store.InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("err = %v, want InvalidError", err)
		}
	})
}

func TestUnlinkActorRemovesPersonalLinkOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		mine := fileOne(t, s, p, "ext-nav-jonas", "S3", "Depositumsgaranti raskere")
		other := fileOne(t, s, p, "ext-bymisjon", "S5", "Housing First for unge")
		a, _ := s.ActorByKey(ctx, p.ID, "ext-nav-jonas")
		var n int
		err := s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.UnlinkActor(ctx, store.By{ActorID: a.ID, Label: "test"}, a)
			return err
		})
		if err != nil || n != 1 {
			t.Fatalf("unlink: %d, %v", n, err)
		}
		got, _ := s.SuggestionByID(ctx, mine.ID)
		if got.ActorID != 0 || got.ActorName != "" || got.Source.Ref != "" || got.UnlinkedAt == nil {
			t.Errorf("after unlink: %+v", got)
		}
		if got.Text != mine.Text || got.Organisation != "NAV Fjordvik" {
			t.Errorf("unlink changed text or organisation: %+v", got)
		}
		if left, _ := s.SuggestionsByActor(ctx, a.ID); len(left) != 0 {
			t.Errorf("actor still has %d suggestions", len(left))
		}
		if o, _ := s.SuggestionByID(ctx, other.ID); o.ActorKey != "ext-bymisjon" {
			t.Errorf("another actor's suggestion was unlinked")
		}
	})
}
