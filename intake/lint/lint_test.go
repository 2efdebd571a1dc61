package lint_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/intake/lint"
)

// TestLintPrecisionAndRecall measures "not checkable" on the labelled set.
// The issue aims for both ≥ 0.85; the figures are in the README.
func TestLintPrecisionAndRecall(t *testing.T) {
	f, err := os.Open("testdata/measures.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var tp, fp, fn, total int
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 {
			t.Fatalf("bad line %q", sc.Text())
		}
		total++
		vague := cols[0] == "vague"
		r := lint.Check(lint.Measure{Text: cols[2]})
		flagged := !r.Checkable()
		switch {
		case flagged && vague:
			tp++
		case flagged && !vague:
			fp++
			if testing.Verbose() {
				t.Logf("false alarm %v: %s", r.Problems, cols[2])
			}
		case !flagged && vague:
			fn++
			if testing.Verbose() {
				t.Logf("missed: %s", cols[2])
			}
		}
	}
	if total < 60 {
		t.Fatalf("the evaluation set has %d measures, want at least 60", total)
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("not-checkable lint on %d measures: precision %.3f, recall %.3f", total, precision, recall)
	if precision < 0.85 || recall < 0.85 {
		t.Errorf("precision %.3f, recall %.3f; want both at least 0.85", precision, recall)
	}
}
