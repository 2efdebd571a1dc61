package lint_test

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/kommune-dugnad/dugnad/intake/lint"
)

// FuzzCheck checks properties of the wording lint that hold for any text:
// it never panics and gives the same verdict twice; each problem is one of
// the four codes, at most once, in a fixed order, with a word exactly for
// the codes that name one, and that word stands in the text as a whole
// word; white space added at either end changes nothing; naming a
// responsible unit or a deadline apart from the text removes just that
// problem.
func FuzzCheck(f *testing.F) {
	if file, err := os.Open("testdata/measures.tsv"); err == nil {
		sc := bufio.NewScanner(file)
		for sc.Scan() {
			if cols := strings.Split(sc.Text(), "\t"); len(cols) == 3 {
				f.Add(cols[2], "", "")
			}
		}
		file.Close()
	}
	f.Add("Kommunen skal jobbe for flere boliger", "", "")
	f.Add("Boligkontoret skal vurdere bedre rutiner", "Boligkontoret", "1.6.2027")
	f.Add("Øke antallet med 20 innen 1. mars 2027 (ansvar: NAV)", "", "")
	f.Add("STYRKE samarbeidet", " ", "\t")
	f.Fuzz(func(t *testing.T, text, responsible, deadline string) {
		m := lint.Measure{Text: text, Responsible: responsible, Deadline: deadline}
		r := lint.Check(m)
		if again := lint.Check(m); !reflect.DeepEqual(r, again) {
			t.Fatalf("Check(%+v) = %v, then %v", m, r.Problems, again.Problems)
		}
		order := map[lint.Code]int{lint.VagueVerb: 1, lint.NoResponsible: 2, lint.NoDeadline: 3, lint.NoQuantity: 4}
		last := 0
		for _, p := range r.Problems {
			n, known := order[p.Code]
			if !known || n <= last {
				t.Fatalf("Check(%+v) = %v: unknown, repeated or out of order", m, r.Problems)
			}
			last = n
			wantsWord := p.Code == lint.VagueVerb || p.Code == lint.NoQuantity
			if wantsWord != (p.Word != "") {
				t.Errorf("Check(%+v): %s with word %q", m, p.Code, p.Word)
			}
			if p.Word != "" && !wholeWord(strings.ToLower(text), p.Word) {
				t.Errorf("Check(%+v): %s word %q is not a word of the text", m, p.Code, p.Word)
			}
		}
		if r.Checkable() != (len(r.Problems) == 0) {
			t.Errorf("Checkable() = %v with %d problems", r.Checkable(), len(r.Problems))
		}
		if (strings.TrimSpace(responsible) != "") && r.Has(lint.NoResponsible) ||
			(strings.TrimSpace(deadline) != "") && r.Has(lint.NoDeadline) {
			t.Errorf("Check(%+v) = %v despite the fields given", m, r.Problems)
		}

		for _, pad := range []string{" ", "\n"} {
			for _, padded := range []lint.Measure{{Text: text + pad}, {Text: pad + text}} {
				padded.Responsible, padded.Deadline = responsible, deadline
				if got := lint.Check(padded); !reflect.DeepEqual(got, r) {
					t.Errorf("Check(%+v) = %v, but with %q added %v", m, r.Problems, pad, got.Problems)
				}
			}
		}

		withResponsible := lint.Check(lint.Measure{Text: text, Responsible: "Boligkontoret", Deadline: deadline})
		if withResponsible.Has(lint.NoResponsible) || !reflect.DeepEqual(without(r, lint.NoResponsible), withResponsible) {
			t.Errorf("Check(%+v) = %v, with a responsible unit %v", m, r.Problems, withResponsible.Problems)
		}
		withDeadline := lint.Check(lint.Measure{Text: text, Responsible: responsible, Deadline: "1.6.2027"})
		if withDeadline.Has(lint.NoDeadline) || !reflect.DeepEqual(without(r, lint.NoDeadline), withDeadline) {
			t.Errorf("Check(%+v) = %v, with a deadline %v", m, r.Problems, withDeadline.Problems)
		}
	})
}

// without returns r less the problems of code c.
func without(r lint.Result, c lint.Code) lint.Result {
	var out lint.Result
	for _, p := range r.Problems {
		if p.Code != c {
			out.Problems = append(out.Problems, p)
		}
	}
	return out
}

// wholeWord reports whether phrase stands in text with no letter or digit
// right before or after it.
func wholeWord(text, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		i = start + 1
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
