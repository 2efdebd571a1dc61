package digest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kommune-dugnad/dugnad/intake/digest"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixedNow is the digests' time in the golden files.
var fixedNow = time.Date(2027, 2, 1, 9, 30, 0, 0, time.UTC)

// scripted loads the example plan, plays the scripted phase 3 and builds
// its digest.
func scripted(t *testing.T, s *store.Store, o digest.Options) (*digest.Digest, intaketest.Phase3, store.Plan) {
	t.Helper()
	p := storetest.LoadExample(t, s, nil)
	ph := intaketest.ScriptPhase3(t, s, p)
	if o.Now.IsZero() {
		o.Now = fixedNow
	}
	d, err := digest.Build(context.Background(), s, p, o)
	if err != nil {
		t.Fatal(err)
	}
	return d, ph, p
}

// Times and dates depend on when the test runs; the golden files have
// placeholders for them (deadlines and the digest's own time are fixed).
var isoTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)

var months = []string{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"}

func normalise(s string) string {
	s = isoTime.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "2027-02-01T09:30:00") {
			return m
		}
		return "<time>"
	})
	oslo, _ := time.LoadLocation("Europe/Oslo")
	for _, day := range []time.Time{time.Now(), time.Now().Add(-time.Hour)} {
		day = day.In(oslo)
		text := fmt.Sprintf("%d. %s %d", day.Day(), months[day.Month()-1], day.Year())
		s = regexp.MustCompile(regexp.QuoteMeta(text)+`( kl\. \d\d\.\d\d)?`).ReplaceAllString(s, "<i dag>")
	}
	return s
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	got = normalise(got)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./intake/digest/ -run Golden -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking the difference):\n%s", name, firstDifference(string(want), got))
	}
}

func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return ""
}

func TestGoldenMarkdownAndJSON(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		d, _, _ := scripted(t, s, digest.Options{})
		var md, js bytes.Buffer
		if err := d.Markdown(&md); err != nil {
			t.Fatal(err)
		}
		if err := d.JSON(&js); err != nil {
			t.Fatal(err)
		}
		golden(t, "scripted.md", md.String())
		golden(t, "scripted.json", js.String())
	})
}

// What the digest shows of a measure: its fields, hearing, decision and
// the suggestions behind it — without the name of an author who removed
// it.
func TestContentsAndPrivacy(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	d, ph, _ := scripted(t, s, digest.Options{})
	var md bytes.Buffer
	if err := d.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		fmt.Sprintf("**Tiltak %d** – godkjent", ph.Measures["approved"].ID),
		"| Høring | 4 støtter, 0 mot, 0 usikre – 4 av 7 i referansegruppen stemte (høring 1); kravet til deltakelse er nådd |",
		"| Høring | 0 støtter, 1 mot, 1 usikre – 2 av 7 i referansegruppen stemte (høring 1); kravet til deltakelse er ikke nådd |",
		"begrunnelse: Mangler plassering og kostnadsoverslag.",
		"Espen", "(utenfor referansegruppen)",
		"«Prioriter kjøp av mindre leiligheter spredt i ordinære bomiljø.» – uten navn, Fjordvik boligstiftelse",
		"| Etterprøvbar | nei: vagt verb, ingen frist |",
		"- Strategier uten tiltak: S1, S7, S8, S9, S10",
		"Medlemmer av referansegruppen som ikke stemte i høring 2:",
		"Dette er ditt første sammendrag av planen.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the Markdown lacks %q", want)
		}
	}
	var js bytes.Buffer
	if err := d.JSON(&js); err != nil {
		t.Fatal(err)
	}
	// The author who removed their name is no longer named with their
	// suggestions (they may still be listed as a member of a group).
	_, suggestionsPart, _ := strings.Cut(out, "## Mål, strategier og tiltak")
	suggestionsPart, _, _ = strings.Cut(suggestionsPart, "## Deltakelse")
	if strings.Contains(suggestionsPart, "Kjetil") {
		t.Error("the Markdown names the author who removed their name with their suggestions")
	}
	var back digest.Digest
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, g := range back.Unused {
		for _, s := range g.Suggestions {
			if s.Organisation == "Fjordvik boligstiftelse" {
				seen++
				if s.Author != "" {
					t.Errorf("suggestion %d still has its author %q in the JSON", s.ID, s.Author)
				}
			}
		}
	}
	if seen == 0 {
		t.Error("the unlinked author's unused suggestion is missing")
	}
	if d.Totals.Measures != 6 || d.Totals.Suggestions != 9 || d.Totals.Unused != 2 || d.Participation.Declined != 1 {
		t.Errorf("totals %+v, participation %+v", d.Totals, d.Participation)
	}
}

func TestFiltersAndChanges(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	p := storetest.LoadExample(t, s, nil)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	ph := intaketest.ScriptPhase3(t, s, p)

	d, err := digest.Build(ctx, s, p, digest.Options{Strategy: "S5"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Goals) != 1 || len(d.Goals[0].Strategies) != 1 || d.Goals[0].Strategies[0].Key != "S5" || d.Totals.Measures != 2 {
		t.Errorf("filtered by S5: %d goals, %+v", len(d.Goals), d.Totals)
	}
	d, err = digest.Build(ctx, s, p, digest.Options{Status: store.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	if d.Totals.Measures != 1 || d.Totals.ByStatus[store.StatusApproved] != 1 {
		t.Errorf("filtered by approved: %+v", d.Totals)
	}
	d, err = digest.Build(ctx, s, p, digest.Options{Since: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Totals.Measures != 0 || d.Totals.Suggestions != 0 {
		t.Errorf("nothing is newer than an hour from now: %+v", d.Totals)
	}
	if _, err := digest.Build(ctx, s, p, digest.Options{Strategy: "S99"}); err == nil {
		t.Error("an unknown strategy was accepted")
	}

	// Changes since a digest pulled before the script ran.
	d, err = digest.Build(ctx, s, p, digest.Options{Previous: before})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Changes
	if c == nil || c.NewSuggestions != 9 || len(c.NewMeasures) != 6 || !slices.Contains(c.ClosedHearings, ph.Hearings[0].ID) {
		t.Fatalf("changes: %+v", c)
	}
	moved := map[int64][]store.MeasureStatus{}
	for _, sc := range c.StatusChanges {
		moved[sc.Measure] = append(moved[sc.Measure], sc.To)
	}
	if got := moved[ph.Measures["anchored"].ID]; !slices.Equal(got, []store.MeasureStatus{store.StatusOnHearing, store.StatusHeard, store.StatusApproved, store.StatusAnchored}) {
		t.Errorf("the anchored measure's moves: %v", got)
	}
	summary := d.Summary()
	for _, want := range []string{"9 nye innspill", "Endret siden forrige sammendrag", "→ forankret"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary)
		}
	}
}

func TestXLSXHasASheetPerTable(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	d, _, _ := scripted(t, s, digest.Options{})
	var buf bytes.Buffer
	if err := d.XLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"Tiltak", "Innspill", "Stemmer", "Kommentarer"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	// A header row, then one row per measure, suggestion, voted measure
	// and comment.
	for sheet, rows := range map[string]int{"Tiltak": 6, "Innspill": 9, "Stemmer": 5, "Kommentarer": 3} {
		got, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != rows+1 {
			t.Errorf("%s: %d rows, want %d and a header", sheet, len(got), rows)
		}
	}
	row, _ := f.GetRows("Kommentarer")
	if row[1][3] != "Husk at kontaktpunktet må være tilgjengelig for dem som ikke bruker digitale tjenester." {
		t.Errorf("the first comment: %q", row[1])
	}
}

func TestCSVRoundTrips(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	d, _, _ := scripted(t, s, digest.Options{})
	for _, sep := range []rune{';', ',', '\t'} {
		for _, table := range digest.Tables {
			var buf bytes.Buffer
			if err := d.CSV(&buf, table, sep); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
				t.Fatalf("%s: no byte order mark", table)
			}
			r := csv.NewReader(bytes.NewReader(data[3:]))
			r.Comma = sep
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatalf("%s with %q: %v", table, sep, err)
			}
			if len(recs) < 2 {
				t.Fatalf("%s: %d records", table, len(recs))
			}
			if table == "suggestions" {
				texts := map[string]bool{}
				for _, rec := range recs[1:] {
					texts[rec[3]] = true
				}
				if !texts["Tilskudd til tilpasning av bolig må kunne søkes digitalt og behandles innen tre uker."] {
					t.Errorf("a suggestion's text did not survive the round trip with %q", sep)
				}
			}
		}
	}
	if err := d.CSV(&bytes.Buffer{}, "nonsense", ';'); err == nil {
		t.Error("an unknown table was accepted")
	}
}

func TestJSONIsStable(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	d, _, _ := scripted(t, s, digest.Options{})
	var buf bytes.Buffer
	if err := d.JSON(&buf); err != nil {
		t.Fatal(err)
	}
	var back digest.Digest
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Format != digest.Format || back.Totals.Measures != d.Totals.Measures || len(back.Goals) != len(d.Goals) {
		t.Errorf("the JSON did not read back: %+v", back.Totals)
	}
}
