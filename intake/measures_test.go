package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// answer takes an actor through the dialog to file one answer under a
// strategy and returns its ID.
func answer(t *testing.T, h *bottest.Harness, s *store.Store, p store.Plan, actor, strategy, text string) int64 {
	t.Helper()
	consentAndChoose(h, actor, strategy)
	h.Say(actor, text)
	h.Pick(actor, "Vet ikke")
	h.Pick(actor, "Vet ikke")
	for q := 2; q <= 7; q++ {
		h.Say(actor, "hopp")
	}
	h.Pick(actor, "Send inn")
	mine, err := s.Suggestions(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return mine[len(mine)-1].ID
}

func TestMergingKeepsEveryLinkAndTellsEachAuthorOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, p := setup(t, s, nil)
		a := answer(t, h, s, p, "ext-nav-jonas", "S3", "Raskere svar på depositumsgaranti")
		b := answer(t, h, s, p, "ext-utleierforening", "S3", "Utleiere vil ha svar på garantien samme uke")
		c := answer(t, h, s, p, "ext-boligstiftelse", "S3", "Garantien må komme før kontrakten signeres")
		before := map[string]int{}
		for _, who := range []string{"ext-nav-jonas", "ext-utleierforening", "ext-boligstiftelse"} {
			before[who] = len(h.Rec.Messages(bottest.DM(who)))
		}

		deadline := time.Now().AddDate(0, 6, 0).Format("2.1.2006")
		reply := h.Say("pl-ingrid", fmt.Sprintf("tiltak ny S3 %d,%d,%d Styrke arbeidet med depositumsgaranti", a, b, c))
		contains(t, reply, "Tiltak 1 er opprettet som utkast", "Vanskelig å sjekke", "«styrke» sier ikke hva som skal være gjort",
			"ingen ansvarlig enhet", "ingen frist", "Bygger på 3 innspill", "Jonas Berg (NAV Fjordvik)")
		contains(t, h.Say("pl-ingrid", "tiltak 1 overstyr"), "Skriv hvorfor tiltaket skal på høring")
		contains(t, h.Say("pl-ingrid", "tiltak 1 overstyr Referansegruppen skal få si sin mening om retningen først"),
			"Sendes på høring likevel, fordi: «Referansegruppen skal få si sin mening om retningen først»")
		if log, _ := s.AuditLog(ctx, store.AuditFilter{Action: "measure.lint_override"}); len(log) != 1 {
			t.Errorf("the override was audited %d times", len(log))
		}
		reply = h.Say("pl-ingrid", "tiltak 1 tekst Boligkontoret gir svar på søknad om depositumsgaranti innen to virkedager")
		contains(t, reply, "Tiltak 1 (S3, utkast): «Boligkontoret gir svar")
		h.Say("pl-ingrid", "tiltak 1 ansvar Boligkontoret")
		h.Say("pl-ingrid", "tiltak 1 grunnlag bør")
		h.Say("pl-ingrid", "tiltak 1 hvem sammen")
		h.Say("pl-ingrid", "tiltak 1 oppgaver boligtildeling")
		reply = h.Say("pl-ingrid", "tiltak 1 frist "+deadline)
		contains(t, reply, "✓ Formuleringen kan sjekkes", "Ja/nei-spørsmålet: Er «Boligkontoret gir svar", "gjennomført innen",
			"Grunnlag: bør", "Hvem: sammen med andre", "Sentrale oppgaver: Boligtildeling")
		// Linking one already linked again changes nothing and tells no one.
		h.Say("pl-ingrid", fmt.Sprintf("tiltak 1 innspill %d", a))

		for who, n := range before {
			got := h.Rec.Messages(bottest.DM(who))
			if len(got) != n+1 || !strings.Contains(got[n].Text, "er nå en del av tiltak 1") {
				t.Errorf("%s was told %d times, want once", who, len(got)-n)
			}
		}
		doc, err := intake.BuildExport(ctx, s, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(doc)
		if len(doc.Measures) != 1 || fmt.Sprint(doc.Measures[0].Suggestions) != fmt.Sprint([]int64{a, b, c}) || doc.Measures[0].Responsible != "Boligkontoret" {
			t.Fatalf("exported measure = %+v", doc.Measures)
		}
		for _, author := range []string{"Jonas Berg", "Geir Halvorsen", "Kjetil Hovland"} {
			if !strings.Contains(string(raw), author) {
				t.Errorf("the export lacks the author %s", author)
			}
		}
		if len(doc.Suggestions) != 3 {
			t.Errorf("%d suggestions in the export, want all 3 kept", len(doc.Suggestions))
		}
	})
}

func TestMeasureCommandsRefuseBadInputAndChangeNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		h, p := setup(t, s, nil)
		a := answer(t, h, s, p, "ext-nav-jonas", "S3", "Raskere svar på depositumsgaranti")
		// A suggestion of another plan in the same database.
		other := storetest.LoadExample(t, s, func(spec *store.PlanSpec) {
			spec.Key, spec.Workspaces, spec.Channels = "nabovik-2027", nil, nil
			for i := range spec.Actors {
				spec.Actors[i].Identities = nil
			}
		})
		st, _ := s.StrategyByKey(ctx, other.ID, "S1")
		var foreign store.Suggestion
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			foreign, err = tx.FileSuggestion(ctx, store.System, store.Suggestion{PlanID: other.ID, StrategyID: st.ID, Text: "Fra en annen kommune",
				Language: store.Bokmal, Source: store.SourceRef{Platform: "console"}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		h.Say("pl-ingrid", fmt.Sprintf("tiltak ny S3 %d Boligkontoret innfører en rutine for garantier innen 2028", a))
		cases := map[string]struct{ user, text, want string }{
			"another plan's suggestion": {"pl-ingrid", fmt.Sprintf("tiltak ny S3 %d Noe", foreign.ID), fmt.Sprintf("Planen har ikke noe innspill #%d", foreign.ID)},
			"link another plan's":       {"pl-ingrid", fmt.Sprintf("tiltak 1 innspill %d", foreign.ID), "finnes ikke i denne planen"},
			"unknown strategy":          {"pl-ingrid", "tiltak ny S99 Noe", "ingen strategi som heter «S99»"},
			"empty text":                {"pl-ingrid", fmt.Sprintf("tiltak ny S3 %d", a), "Et tiltak trenger en tekst"},
			"blank new text":            {"pl-ingrid", "tiltak 1 tekst", "Et tiltak trenger en tekst"},
			"deadline in the past":      {"pl-ingrid", "tiltak 1 frist 1.1.2020", "Fristen 1. januar 2020 har allerede vært"},
			"deadline not a date":       {"pl-ingrid", "tiltak 1 frist snart", "«snart» er ikke en dato"},
			"unknown measure":           {"pl-ingrid", "tiltak 99", "Planen har ikke noe tiltak 99"},
			"bad basis":                 {"pl-ingrid", "tiltak 1 grunnlag kanskje", "ikke et grunnlag"},
			"not a leader":              {"ext-ffo", "tiltak ny S3 Noe", "Bare prosjektleder og prosjektgruppen"},
		}
		auditBefore, _ := s.AuditLog(ctx, store.AuditFilter{Entity: "measure"})
		for name, c := range cases {
			word, rest, _ := strings.Cut(c.text, " ")
			if got := h.Command(c.user, word, rest); !strings.Contains(got.Text, c.want) {
				t.Errorf("%s: %q lacks %q", name, got.Text, c.want)
			}
		}
		ms, _ := s.Measures(ctx, p.ID)
		if len(ms) != 1 || ms[0].Deadline != "" || ms[0].Basis != "" || ms[0].Text != "Boligkontoret innfører en rutine for garantier innen 2028" {
			t.Errorf("bad input changed the measures: %+v", ms)
		}
		if from, _ := s.MeasureSuggestions(ctx, ms[0].ID); len(from) != 1 {
			t.Errorf("bad input linked suggestions: %d", len(from))
		}
		if after, _ := s.AuditLog(ctx, store.AuditFilter{Entity: "measure"}); len(after) != len(auditBefore) {
			t.Errorf("bad input wrote %d audit rows", len(after)-len(auditBefore))
		}
	})
}

func TestListingCoverageAndNearDuplicates(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	h, p := setup(t, s, nil)
	answer(t, h, s, p, "ext-nav-jonas", "S3", "Kommunen bør gi raskere svar på søknad om depositumsgaranti.")
	answer(t, h, s, p, "ext-utleierforening", "S3", "Svar på søknader om depositumsgaranti må komme raskere fra kommunen.")
	answer(t, h, s, p, "ext-boligstiftelse", "S2", "Kjøp flere små leiligheter til enslige.")
	list := h.Say("pl-ingrid", "innspill S3").Text
	if !strings.Contains(list, "Innspill – S3 (2):") || !strings.Contains(list, "Innspill som sier nesten det samme:") || !strings.Contains(list, "#1 ≈ #2") {
		t.Errorf("listing:\n%s", list)
	}
	h.Say("pl-ingrid", "tiltak ny S3 1,2 Boligkontoret svarer på søknader om depositumsgaranti innen to dager fra 1.3.2027")
	if unused := h.Say("pl-ingrid", "innspill ubrukte").Text; !strings.Contains(unused, "(1):") || !strings.Contains(unused, "#3 S2") {
		t.Errorf("unused:\n%s", unused)
	}
	h.Say("pl-ingrid", "tiltak 1 oppgaver 3")
	cov := h.Say("pl-ingrid", "dekning").Text
	for _, want := range []string{"S3 Et trygt og velfungerende privat leiemarked: 1 tiltak", "S1 Flere skal kunne eie egen bolig: ⚠ ingen tiltak",
		"Boligtildeling: 1 tiltak", "Forvalte boliger: ⚠ ingen tiltak", "1. Har kommunen behov for andre virkemidler enn det den har i dag? 3 innspill",
		"4. Må kommunen informere bedre? ⚠ ingen innspill"} {
		if !strings.Contains(cov, want) {
			t.Errorf("coverage lacks %q:\n%s", want, cov)
		}
	}
}
