package planfile_test

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/examples"
	"github.com/kommune-dugnad/dugnad/intake/planfile"
	"github.com/kommune-dugnad/dugnad/store"
)

// fuzzPlan is a small valid plan that uses the parts of a plan file the
// example leaves out: several Slack workspaces, TEAM/USER IDs, explicit
// central tasks and hearing settings.
const fuzzPlan = `plan: liten-2027
municipality: Liten kommune
title: "Temaplan: bolig"
language: en
timezone: UTC
open_intake: true
slack:
  teams: [T0ONE, T0TWO]
discord:
  guilds: ["1190000000000000001", "1190000000000000002"]
goals:
  - id: M1
    text: Alle skal bo godt
    strategies:
      - id: S1
        title: Flere boliger
        description: |
          To linjer
          med tekst.
        keywords: [bolig, " leie ", ""]
central_tasks:
  - id: bolig
    name: Bolig
actors:
  - id: pl
    name: Per Leder
    kind: internal
    slack: T0ONE/U0PER
    discord: "1190000000000000101"
    preferred: discord
    strategies: [S1]
    language: nn
groups:
  project_leader: [pl, pl]
  project_group: []
channels:
  - id: innspill
    purpose: intake
    slack: C0INN
    discord: "1190000000000000201"
    strategy: S1
hearing:
  votes:
    support: [":+1:", "👍"]
    oppose: ["-1"]
  quorum: 0
  hide_running_tally: true
  reminder_before: 90m
`

// FuzzParse checks that Parse never panics on any input, that every
// problem it reports renders as a message in each language and points at a
// line of the file, and that a plan it accepts survives Marshal and Parse
// unchanged.
func FuzzParse(f *testing.F) {
	// Malformed and unusual variants of fuzzPlan: old, new, old, new, ….
	edits := [][]string{
		{"    name: Per Leder", "\tname: Per Leder"},                     // tab indent
		{"language: en", "language: [en"},                                // unclosed list
		{"    kind: internal\n", "    epost: per@example.no\n"},          // unknown field
		{"groups:", "  - id: pl\n    name: Pål\ngroups:"},                // duplicate ID
		{`"1190000000000000101"`, "12"},                                  // bad Discord ID
		{"teams: [T0ONE, T0TWO]", "team: T0ONE", "T0ONE/U0PER", "U0PER"}, // one workspace
		{"quorum: 0", "quorum: 1.5"},
		{"90m", "0s"},
		{"oppose:", "maybe:"},
		{"    strategies: [S1]\n", "    strategies: &s [S1]\n", "hearing:", "x: *s\nhearing:"}, // alias
		{"goals:\n", "goals: {}\n"},
		{"groups:\n", "groups: [pl]\n"},
	}
	f.Add(examples.Fjordvik)
	f.Add([]byte(fuzzPlan))
	for _, edit := range edits {
		f.Add([]byte(strings.NewReplacer(edit...).Replace(fuzzPlan)))
	}
	for _, s := range []string{"", "---\n", "- a\n", "plan: [", "plan: x\nplan: y\n", "goals:\n  - id: M1\n    strategies:\n      - {id: S1, title: T}\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := planfile.Parse("fuzz.yaml", data)
		if err != nil {
			checkProblems(t, data, err)
			return
		}
		if file.Name != "fuzz.yaml" {
			t.Errorf("file name %q", file.Name)
		}
		out, err := planfile.Marshal(file.Spec)
		if err != nil {
			t.Fatalf("Marshal of a parsed plan: %v", err)
		}
		again, err := planfile.Parse("again.yaml", out)
		if err != nil {
			t.Fatalf("the marshalled plan does not parse: %v\n%s", err, out)
		}
		want, got := normalised(file.Spec), normalised(again.Spec)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("round trip changed the plan:\n%#v\n%#v\nmarshalled:\n%s", want, got, out)
		}
	})
}

// normalised returns spec with the one difference a round trip may make.
// A hearing block whose vote lists are all empty gives an empty Votes map,
// which Marshal leaves out and Parse then reads as DefaultVotes; intake
// reads an empty map as the defaults too (planVotes), so they mean the
// same.
func normalised(spec store.PlanSpec) store.PlanSpec {
	if len(spec.Settings.Votes) == 0 {
		spec.Settings.Votes = planfile.DefaultVotes
	}
	return spec
}

// bareCode is what Problem.Message returns for a problem without a text.
var bareCode = regexp.MustCompile(`^[a-z_]+$`)

func checkProblems(t *testing.T, data []byte, err error) {
	t.Helper()
	var pe *planfile.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error is %T, not *planfile.Error: %v", err, err)
	}
	if pe.File != "fuzz.yaml" || len(pe.Problems) == 0 {
		t.Fatalf("error names %q with %d problems", pe.File, len(pe.Problems))
	}
	// A YAML error at the end of the file ("plan: [") names the line
	// after the last, where the missing content was expected.
	lines := yamlLines(data)
	for _, p := range pe.Problems {
		if p.Line < 0 || p.Line > lines+1 {
			t.Errorf("problem on line %d of a file of %d lines: %s", p.Line, lines, p.Message(store.English))
		}
		for _, lang := range []store.Language{store.Bokmal, store.Nynorsk, store.English} {
			msg := p.Message(lang)
			if msg == "" || bareCode.MatchString(msg) || strings.Contains(msg, "%!") {
				t.Errorf("problem renders in %s as %q", lang, msg)
			}
		}
	}
}

// yamlLines counts lines as YAML does: it breaks them at \n, \r\n and a
// lone \r, and also at NEL, LS and PS.
func yamlLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	n := 1
	for _, brk := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		n += strings.Count(s, brk)
	}
	return n
}

// TestYAMLErrorLine: some scanner errors also begin "did not find
// expected"; FuzzParse found them named a line too far.
func TestYAMLErrorLine(t *testing.T) {
	cases := map[string]int{
		"plan: x\nb: *\n":                2, // scanner: an alias without a name
		"plan: x\nb: !<\n":               2, // scanner: a tag without a URI
		"\r&":                            2, // a lone CR breaks a line too
		"plan: x\nlanguage: [nb\nb: 2\n": 2, // parser: numbers lines from 0
		"plan: x\nplan: [":               3, // parser, at the end of the file
	}
	for in, want := range cases {
		_, err := planfile.Parse("x.yaml", []byte(in))
		var pe *planfile.Error
		if !errors.As(err, &pe) || len(pe.Problems) != 1 || pe.Problems[0].Line != want {
			t.Errorf("Parse(%q) = %v, want one problem on line %d", in, err, want)
		}
	}
}
