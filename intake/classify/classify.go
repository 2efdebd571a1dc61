// Package classify is the text machinery of phase 3: it guesses which of
// the plan's strategies a free-text suggestion belongs to (BM25 over the
// strategies' titles, descriptions and keywords) and finds suggestions
// that say nearly the same thing (TF-IDF cosine). Text is analysed for
// Norwegian: bokmål and nynorsk words are folded together where they
// commonly differ, stop words dropped, words stemmed with the Snowball
// Norwegian stemmer, and long words also split into character n-grams so
// that a compound ("husleierestanse") meets its parts ("husleie").
package classify

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/norwegian"

	"github.com/kommune-dugnad/dugnad/store"
)

// nynorsk folds common nynorsk forms to their bokmål counterparts before
// stemming, so that suggestions in either written standard meet the same
// strategy text.
var nynorsk = map[string]string{
	"bustad": "bolig", "bustaden": "boligen", "bustader": "boliger", "bustadene": "boligene", "bustadar": "boliger",
	"bustadsosial": "boligsosial", "bustadsosialt": "boligsosialt", "bustadlause": "bostedsløse", "bustadlaus": "bostedsløs",
	"heim": "hjem", "heimen": "hjemmet", "heime": "hjemme", "ikkje": "ikke", "eigen": "egen", "eige": "eie", "eigar": "eier",
	"kjøpe": "kjøpe", "leige": "leie", "leiga": "leien", "leigar": "leier", "leigebustad": "leiebolig", "leigebustader": "leieboliger",
	"utleigar": "utleier", "utleigarar": "utleiere", "utleige": "utleie", "utleigebustader": "utleieboliger", "husleiga": "husleien",
	"barnefamiliar": "barnefamilier", "familiar": "familier", "ungdomar": "ungdommer", "eldre": "eldre", "tenester": "tjenester",
	"teneste": "tjeneste", "oppfølging": "oppfølging", "tilskot": "tilskudd", "tilskotet": "tilskuddet", "lån": "lån",
	"kommunen": "kommunen", "samarbeid": "samarbeid", "kompetanse": "kompetanse", "nabolag": "nabolag", "nærmiljø": "nærmiljø",
	"søknad": "søknad", "søknadar": "søknader", "kva": "hva", "korleis": "hvordan", "kven": "hvem", "fleire": "flere",
	"meir": "mer", "mykje": "mye", "saman": "sammen", "sjølv": "selv", "berre": "bare", "òg": "også", "frå": "fra",
	"treng": "trenger", "trengst": "trengs", "hjelpe": "hjelpe", "tilpassa": "tilpasset", "busett": "bosatt",
	"busetjing": "bosetting", "rusavhengige": "rusavhengige", "husvære": "bolig", "husvær": "bolig",
}

// ngram is the length of the character n-grams long stems are split into.
const ngram = 5

// Weights of a shared word piece and a shared concept, against a shared
// word's 1 (chosen on the development set; see the README).
const (
	ngramWeight   = 0.15
	conceptWeight = 2.0
)

// Terms analyses text into the terms the index compares: stems, and the
// n-grams of long stems (marked with a leading '#').
func Terms(text string) []string {
	var out []string
	for _, w := range words(text) {
		if f, ok := nynorsk[w]; ok {
			w = f
		}
		if norwegian.IsStopWord(w) || len([]rune(w)) < 2 {
			continue
		}
		stem := norwegian.Stem(w, false)
		out = append(out, stem)
		r := []rune(stem)
		if len(r) >= 2*ngram-1 {
			for i := 0; i+ngram <= len(r); i++ {
				out = append(out, "#"+string(r[i:i+ngram]))
			}
		}
	}
	return out
}

// rankTerms are Terms with the concepts the text mentions (see concepts).
func rankTerms(text string) []string { return append(Terms(text), conceptTerms(text)...) }

func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Doc is a document in an index.
type Doc struct {
	ID   string
	Text string
}

// Index ranks documents against queries with Okapi BM25.
type Index struct {
	ids   []string
	tf    []map[string]float64
	len   []float64
	df    map[string]int
	avgdl float64
}

// BM25 parameters: k1 saturates term frequency, b normalises for length.
const (
	k1 = 1.2
	b  = 0.6
)

// NewIndex indexes documents.
func NewIndex(docs []Doc) *Index {
	ix := &Index{df: map[string]int{}}
	total := 0.0
	for _, d := range docs {
		tf := map[string]float64{}
		terms := rankTerms(d.Text)
		for _, t := range terms {
			tf[t]++
		}
		for t := range tf {
			ix.df[t]++
		}
		ix.ids = append(ix.ids, d.ID)
		ix.tf = append(ix.tf, tf)
		ix.len = append(ix.len, float64(len(terms)))
		total += float64(len(terms))
	}
	if len(docs) > 0 {
		ix.avgdl = total / float64(len(docs))
	}
	return ix
}

// Scored is a document's score for a query.
type Scored struct {
	ID    string
	Score float64
}

// Rank scores every document against the query, best first (ties in
// document order).
func (ix *Index) Rank(query string) []Scored {
	n := float64(len(ix.ids))
	q := map[string]float64{}
	for _, t := range rankTerms(query) {
		q[t]++
	}
	out := make([]Scored, len(ix.ids))
	for i, id := range ix.ids {
		score := 0.0
		for t, qtf := range q {
			tf := ix.tf[i][t]
			if tf == 0 {
				continue
			}
			df := float64(ix.df[t])
			idf := math.Log(1 + (n-df+0.5)/(df+0.5))
			w := 1.0
			switch {
			case strings.HasPrefix(t, "#"):
				w = ngramWeight // a shared piece of a word counts less than a shared word
			case strings.HasPrefix(t, "@"):
				w = conceptWeight
			}
			score += w * idf * qtf * tf * (k1 + 1) / (tf + k1*(1-b+b*ix.len[i]/ix.avgdl))
		}
		out[i] = Scored{ID: id, Score: score}
	}
	sort.SliceStable(out, func(a, c int) bool { return out[a].Score > out[c].Score })
	return out
}

// StrategyDocs makes one document per strategy, its keywords counted three
// times and its title twice, so that what the plan says a strategy is
// about weighs more than the wording of its description.
func StrategyDocs(strategies []store.Strategy) []Doc {
	docs := make([]Doc, len(strategies))
	for i, s := range strategies {
		kw := strings.Join(s.Keywords, " ")
		docs[i] = Doc{ID: s.Key, Text: strings.Join([]string{s.Title, s.Title, s.Description, kw, kw, kw}, " ")}
	}
	return docs
}

// Guess ranks the strategies for a suggestion's text. examples, by
// strategy key, are suggestions already filed under each (confirmed by
// their authors or the project group), nil for none: the words people
// actually use for a strategy. The ranking by the plan's text and the
// ranking by the most similar examples are fused (reciprocal rank
// fusion), so that examples help without drowning the plan's own words.
// Guess returns nil when nothing in the text matches any strategy.
func Guess(strategies []store.Strategy, examples map[string][]string, text string) []Scored {
	byPlan := NewIndex(StrategyDocs(strategies)).Rank(text)
	if len(byPlan) == 0 {
		return nil
	}
	byExamples := nearestExamples(strategies, examples, text)
	if byPlan[0].Score == 0 && (len(byExamples) == 0 || byExamples[0].Score == 0) {
		return nil
	}
	if len(byExamples) == 0 {
		return byPlan
	}
	const k = 2.0
	fused := map[string]float64{}
	for i, ranking := range [][]Scored{byPlan, byExamples} {
		weight := []float64{1, 0.5}[i]
		for r, sc := range ranking {
			if sc.Score > 0 {
				fused[sc.ID] += weight / (k + float64(r+1))
			}
		}
	}
	out := make([]Scored, len(strategies))
	for i, s := range strategies {
		out[i] = Scored{ID: s.Key, Score: fused[s.Key]}
	}
	sort.SliceStable(out, func(a, c int) bool { return out[a].Score > out[c].Score })
	return out
}

// nearestExamples ranks strategies by how well their best three examples
// match the text.
func nearestExamples(strategies []store.Strategy, examples map[string][]string, text string) []Scored {
	var docs []Doc
	for _, s := range strategies {
		for _, e := range examples[s.Key] {
			docs = append(docs, Doc{ID: s.Key, Text: e})
		}
	}
	if len(docs) == 0 {
		return nil
	}
	best := map[string][]float64{}
	for _, sc := range NewIndex(docs).Rank(text) {
		if len(best[sc.ID]) < 3 {
			best[sc.ID] = append(best[sc.ID], sc.Score)
		}
	}
	out := make([]Scored, len(strategies))
	for i, s := range strategies {
		sum := 0.0
		for _, v := range best[s.Key] {
			sum += v
		}
		out[i] = Scored{ID: s.Key, Score: sum}
	}
	sort.SliceStable(out, func(a, c int) bool { return out[a].Score > out[c].Score })
	return out
}

// NearDuplicates groups texts that say nearly the same thing: those whose
// TF-IDF vectors have a cosine similarity of at least threshold are linked,
// and linked texts form a group. Groups of one are left out; each group
// lists indices into texts in order.
func NearDuplicates(texts []string, threshold float64) [][]int {
	vecs := make([]map[string]float64, len(texts))
	df := map[string]int{}
	for i, t := range texts {
		v := map[string]float64{}
		for _, term := range Terms(t) {
			v[term]++
		}
		for term := range v {
			df[term]++
		}
		vecs[i] = v
	}
	n := float64(len(texts))
	for _, v := range vecs {
		norm := 0.0
		for term, tf := range v {
			w := (1 + math.Log(tf)) * math.Log(1+n/float64(df[term]))
			v[term] = w
			norm += w * w
		}
		norm = math.Sqrt(norm)
		for term := range v {
			if norm > 0 {
				v[term] /= norm
			}
		}
	}
	parent := make([]int, len(texts))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range vecs {
		for j := i + 1; j < len(vecs); j++ {
			if cosine(vecs[i], vecs[j]) >= threshold {
				parent[find(i)] = find(j)
			}
		}
	}
	groups := map[int][]int{}
	for i := range texts {
		r := find(i)
		groups[r] = append(groups[r], i)
	}
	var out [][]int
	for _, g := range groups {
		if len(g) > 1 {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(a, c int) bool { return out[a][0] < out[c][0] })
	return out
}

func cosine(a, b map[string]float64) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	s := 0.0
	for t, w := range a {
		s += w * b[t]
	}
	return s
}
