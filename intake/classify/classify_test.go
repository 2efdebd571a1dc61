package classify_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/kommune-dugnad/dugnad/intake/classify"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

type labelled struct{ strategy, lang, text string }

func readSet(t *testing.T, name string) []labelled {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 {
			t.Fatalf("bad line %q", sc.Text())
		}
		out = append(out, labelled{cols[0], cols[1], cols[2]})
	}
	return out
}

func exampleStrategies(t *testing.T) []store.Strategy {
	spec := storetest.ExampleSpec(t)
	var out []store.Strategy
	for _, g := range spec.Goals {
		for _, s := range g.Strategies {
			out = append(out, store.Strategy{Key: s.Key, Title: s.Title, Description: s.Description, Keywords: s.Keywords})
		}
	}
	return out
}

// TestStrategyGuessAccuracy measures the guess on two labelled sets: the
// development set, on which the concept lexicon and the weights were
// chosen, and a held-out set written separately afterwards without seeing
// either. Cold is the plan's own text only; warm learns from suggestions
// filed before (for the development set, each of the others; for the
// held-out set, the whole development set). The issue aims for top-3 ≥
// 0.9; the thresholds below guard the measured figures (README).
func TestStrategyGuessAccuracy(t *testing.T) {
	dev, held := readSet(t, "suggestions.tsv"), readSet(t, "heldout.tsv")
	if len(dev) < 80 || len(held) < 80 {
		t.Fatalf("evaluation sets of %d and %d suggestions, want at least 80 each", len(dev), len(held))
	}
	strategies := exampleStrategies(t)
	devExamples := map[string][]string{}
	for _, s := range dev {
		devExamples[s.strategy] = append(devExamples[s.strategy], s.text)
	}
	for _, c := range []struct {
		name     string
		set      []labelled
		examples func(i int) map[string][]string
		min3     float64
	}{
		{"development, cold", dev, nil, 0.9},
		{"development, warm", dev, leaveOneOut(dev), 0.9},
		{"held-out, cold", held, nil, 0.8},
		{"held-out, warm", held, func(int) map[string][]string { return devExamples }, 0.8},
	} {
		top1, top3 := accuracy(t, strategies, c.set, c.examples)
		t.Logf("%s (%d): top-1 %.3f, top-3 %.3f", c.name, len(c.set), top1, top3)
		if top3 < c.min3 {
			t.Errorf("%s: top-3 %.3f, want at least %.2f", c.name, top3, c.min3)
		}
	}
}

func leaveOneOut(set []labelled) func(int) map[string][]string {
	return func(i int) map[string][]string {
		ex := map[string][]string{}
		for j, o := range set {
			if j != i {
				ex[o.strategy] = append(ex[o.strategy], o.text)
			}
		}
		return ex
	}
}

// accuracy guesses every labelled suggestion and returns top-1 and top-3
// accuracy.
func accuracy(t *testing.T, strategies []store.Strategy, set []labelled, examples func(int) map[string][]string) (top1, top3 float64) {
	t.Helper()
	var hit1, hit3 int
	for i, s := range set {
		var ex map[string][]string
		if examples != nil {
			ex = examples(i)
		}
		ranked := classify.Guess(strategies, ex, s.text)
		rank := -1
		for k, r := range ranked {
			if r.ID == s.strategy {
				rank = k
			}
		}
		if rank == 0 {
			hit1++
		}
		if rank >= 0 && rank < 3 {
			hit3++
		}
	}
	n := float64(len(set))
	return float64(hit1) / n, float64(hit3) / n
}

func ids(r []classify.Scored, n int) []string {
	var out []string
	for i := 0; i < n && i < len(r); i++ {
		out = append(out, r[i].ID)
	}
	return out
}

func TestNearDuplicates(t *testing.T) {
	texts := []string{
		"Kommunen bør gi raskere svar på søknad om depositumsgaranti.",
		"Svar på søknader om depositumsgaranti må komme raskere fra kommunen.",
		"Flere kommunale utleieboliger i sentrum.",
		"Vi trenger heis i alle nye kommunale boliger.",
		"kommunen bør svare raskere på søknad om depositumsgaranti!",
	}
	groups := classify.NearDuplicates(texts, 0.5)
	if len(groups) != 1 || len(groups[0]) != 3 || groups[0][0] != 0 || groups[0][1] != 1 || groups[0][2] != 4 {
		t.Errorf("groups = %v, want the three about deposit guarantees together", groups)
	}
}

func TestNothingMatchesNothing(t *testing.T) {
	if got := classify.Guess(exampleStrategies(t), nil, "hei hei"); got != nil {
		t.Errorf("a greeting was guessed as %v", ids(got, 3))
	}
}
