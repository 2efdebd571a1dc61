package planfile_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/examples"
	"github.com/kommune-dugnad/dugnad/intake/planfile"
	"github.com/kommune-dugnad/dugnad/store"
)

func TestExamplePlanParses(t *testing.T) {
	f, err := planfile.Parse(examples.FjordvikName, examples.Fjordvik)
	if err != nil {
		t.Fatalf("example plan: %v", err)
	}
	s := f.Spec
	if s.Key != "fjordvik-2027" || s.Language != store.Bokmal || len(s.Goals) != 3 {
		t.Errorf("plan = %s %s with %d goals", s.Key, s.Language, len(s.Goals))
	}
	if got := s.Groups[store.RoleProjectLeader]; len(got) != 1 || got[0] != "pl-ingrid" {
		t.Errorf("project leader = %v", got)
	}
	if len(s.CentralTasks) != 9 {
		t.Errorf("central tasks = %d, want the nine defaults", len(s.CentralTasks))
	}
	var ingrid store.ActorSpec
	for _, a := range s.Actors {
		if a.Key == "pl-ingrid" {
			ingrid = a
		}
	}
	want := []store.Identity{{Platform: "slack", Workspace: "T0FJORDVIK", UserID: "U0INGRID"}, {Platform: "discord", UserID: "1190000000000000101"}}
	if !reflect.DeepEqual(ingrid.Identities, want) {
		t.Errorf("pl-ingrid identities = %v, want %v", ingrid.Identities, want)
	}
	if v := s.Settings.Votes[store.VoteSupport]; !reflect.DeepEqual(v, []string{"+1", "👍"}) {
		t.Errorf("support emoji = %v", v)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	f, err := planfile.Parse("a.yaml", examples.Fjordvik)
	if err != nil {
		t.Fatal(err)
	}
	out, err := planfile.Marshal(f.Spec)
	if err != nil {
		t.Fatal(err)
	}
	g, err := planfile.Parse("b.yaml", out)
	if err != nil {
		t.Fatalf("exported plan does not parse: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(f.Spec, g.Spec) {
		t.Errorf("round trip changed the plan:\n%#v\n%#v", f.Spec, g.Spec)
	}
}

const minimal = `plan: liten
municipality: Liten kommune
title: Temaplan
language: nb
goals:
  - id: M1
    text: Alle skal bo godt
    strategies:
      - id: S1
        title: Flere boliger
actors:
  - id: pl
    name: Per Leder
groups:
  project_leader: [pl]
`

func TestParseErrorsNameLineAndProblem(t *testing.T) {
	cases := map[string]struct {
		edit func(string) string
		want []string // substrings of the bokmål message, in order
	}{
		"unknown strategy referenced": {
			func(s string) string {
				return strings.Replace(s, "    name: Per Leder\n", "    name: Per Leder\n    strategies: [S1, S9]\n", 1)
			},
			[]string{"x.yaml:14: ukjent strategi «S9»"},
		},
		"duplicate ID": {
			func(s string) string {
				return strings.Replace(s, "groups:", "  - id: pl\n    name: Pål Leder\ngroups:", 1)
			},
			[]string{"x.yaml:14: «pl» er brukt før (linje 12)"},
		},
		"no project leader": {
			func(s string) string {
				return strings.Replace(s, "  project_leader: [pl]\n", "  project_group: [pl]\n", 1)
			},
			[]string{"ingen prosjektleder"},
		},
		"unknown language": {
			func(s string) string { return strings.Replace(s, "language: nb", "language: de", 1) },
			[]string{"x.yaml:4: ukjent språk «de»"},
		},
		"unknown actor in group": {
			func(s string) string { return strings.Replace(s, "[pl]", "[pl, ola]", 1) },
			[]string{"x.yaml:15: ukjent aktør «ola»"},
		},
		"unknown field": {
			func(s string) string {
				return strings.Replace(s, "    name: Per Leder\n", "    name: Per Leder\n    epost: per@example.no\n", 1)
			},
			[]string{"x.yaml:14: ukjent felt «epost»"},
		},
		"unclosed list": {
			func(s string) string { return strings.Replace(s, "language: nb", "language: [nb", 1) },
			[]string{"x.yaml:4: ugyldig YAML"},
		},
		"tab indent": {
			func(s string) string { return strings.Replace(s, "    name: Per Leder", "\tname: Per Leder", 1) },
			[]string{"x.yaml:13: ugyldig YAML"},
		},
		"mapping value in a value": {
			func(s string) string { return strings.Replace(s, "name: Per Leder", "name: Per: Leder", 1) },
			[]string{"x.yaml:13: ugyldig YAML"},
		},
		"several problems at once": {
			func(s string) string {
				s = strings.Replace(s, "language: nb", "language: sv", 1)
				return strings.Replace(s, "[pl]", "[pl, ola]", 1)
			},
			[]string{"x.yaml:4: ukjent språk «sv»", "x.yaml:15: ukjent aktør «ola»"},
		},
		"bad discord id": {
			func(s string) string {
				return strings.Replace(s, "    name: Per Leder\n", "    name: Per Leder\n    discord: \"12\"\n", 1)
			},
			[]string{"x.yaml:14: ugyldig Discord-ID «12»"},
		},
		"empty file": {
			func(string) string { return "" },
			[]string{"x.yaml: filen er tom"},
		},
	}
	if _, err := planfile.Parse("x.yaml", []byte(minimal)); err != nil {
		t.Fatalf("minimal plan: %v", err)
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := planfile.Parse("x.yaml", []byte(tc.edit(minimal)))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error\n%s\ndoes not contain %q (in order)", msg, w)
				}
				at += i + len(w)
			}
		})
	}
}

func TestErrorInEnglish(t *testing.T) {
	_, err := planfile.Parse("x.yaml", []byte(strings.Replace(minimal, "language: nb", "language: de", 1)))
	pe, ok := err.(*planfile.Error)
	if !ok {
		t.Fatalf("error is %T", err)
	}
	if got := pe.Format(store.English); got != `x.yaml:4: unknown language "de" (use nb, nn or en)` {
		t.Errorf("english = %q", got)
	}
}
