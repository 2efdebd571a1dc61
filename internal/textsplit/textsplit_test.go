package textsplit

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkSplit fails t unless pieces is a valid split of text at limit: every
// piece is valid UTF-8 and at most limit runes, and the pieces are text in
// order with only newlines between them and only whitespace after the last.
// Only the first piece of a text that starts with a newline may be empty.
func checkSplit(t *testing.T, text string, limit int, pieces []string) {
	t.Helper()
	pos := 0
	for n, p := range pieces {
		if p == "" && (n > 0 || !strings.HasPrefix(text, "\n")) {
			t.Fatalf("Split(%q, %d): piece %d is empty", text, limit, n)
		}
		if !utf8.ValidString(p) {
			t.Fatalf("Split(%q, %d): piece %d %q cuts a rune", text, limit, n, p)
		}
		if c := utf8.RuneCountInString(p); c > limit {
			t.Fatalf("Split(%q, %d): piece %d has %d runes", text, limit, n, c)
		}
		rest := text[pos:]
		gap := len(rest) - len(strings.TrimLeft(rest, "\n"))
		if n == 0 {
			gap = 0 // the first piece starts where the text does
		}
		found := false
		for k := 0; k <= gap; k++ {
			if strings.HasPrefix(rest[k:], p) {
				pos += k + len(p)
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("Split(%q, %d): piece %d %q does not follow at byte %d (%q)", text, limit, n, p, pos, rest)
		}
	}
	if tail := text[pos:]; strings.TrimSpace(tail) != "" {
		t.Fatalf("Split(%q, %d) = %q: lost %q", text, limit, pieces, tail)
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"empty", "", 10, nil},
		{"only whitespace", " \n\t\n ", 5, nil},
		{"fits", "hei", 3, []string{"hei"}},
		{"fits with newlines kept", "a\n\nb", 10, []string{"a\n\nb"}},
		{"at the last paragraph break", "aaa\n\nbbb\nccc", 10, []string{"aaa", "bbb\nccc"}},
		{"paragraph before a later line break", "aa\n\nbb\ncc\ndd", 9, []string{"aa", "bb\ncc\ndd"}},
		{"at a line break", "aaaa\nbbbb cccc", 10, []string{"aaaa", "bbbb cccc"}},
		{"not at spaces", "aaaa bbbb cccc", 10, []string{"aaaa bbbb ", "cccc"}},
		{"anywhere", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"newlines at the cut dropped", "abcd\n\n\nefgh", 6, []string{"abcd", "efgh"}},
		{"whitespace tail dropped", "abcd\n\n   ", 4, []string{"abcd"}},
		{"runes, not bytes", "æøåæøå", 4, []string{"æøåæ", "øå"}},
		{"four-byte runes", "👍👍👍", 2, []string{"👍👍", "👍"}},
		{"a line break at the start is no break", "\nabcdef", 4, []string{"\nabc", "def"}},
		{"limit one", "a\nb", 1, []string{"a", "b"}},
		// Quirks the adapters have always had, kept as they were: a piece
		// before a line break may be only whitespace, and a text starting
		// with newlines may give an empty first piece.
		{"whitespace piece", " \n\t\n ", 3, []string{" "}},
		{"empty first piece", "\n\nabcdef", 4, []string{"", "abcd", "ef"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Split(c.text, c.limit)
			if !slices.Equal(got, c.want) {
				t.Errorf("Split(%q, %d) = %q, want %q", c.text, c.limit, got, c.want)
			}
			checkSplit(t, c.text, c.limit, got)
		})
	}
}

// TestSplitLong is the adapters' case: many paragraphs over a message limit
// are cut only at paragraph breaks, each piece as full as it can be.
func TestSplitLong(t *testing.T) {
	para := "Avsnitt æøå 👍." // 14 runes, 20 bytes
	text := strings.Repeat(para+"\n\n", 300)
	pieces := Split(text, 2000)
	checkSplit(t, text, 2000, pieces)
	perPiece := (2000 + 2) / (utf8.RuneCountInString(para) + 2) // paragraphs that fit with their breaks
	for i, p := range pieces {
		paras := strings.Split(p, "\n\n")
		if i < len(pieces)-1 && len(paras) != perPiece {
			t.Errorf("piece %d holds %d paragraphs, want %d", i, len(paras), perPiece)
		}
		for _, q := range paras {
			if q != para && !(i == len(pieces)-1 && q == "") {
				t.Fatalf("piece %d cuts a paragraph: %q", i, q)
			}
		}
	}
}

// TestSplitRandom checks the invariants on random text made of letters,
// spaces, newlines and multi-byte runes, at many limits.
func TestSplitRandom(t *testing.T) {
	alphabet := []string{"a", "b", " ", "\n", "\n\n", "\t", "æ", "ø", "€", "👍", "é"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range r.IntN(80) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		text, limit := b.String(), 1+r.IntN(20)
		checkSplit(t, text, limit, Split(text, limit))
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("aaa\n\nbbb\nccc", 10)
	f.Add("æøå👍 x\ny", 3)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if !utf8.ValidString(text) {
			return
		}
		limit = 1 + (limit%50+50)%50
		checkSplit(t, text, limit, Split(text, limit))
	})
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"", 4, ""},
		{"abc", 4, "abc"},
		{"abcd", 4, "abcd"},
		{"abcdef", 4, "abc…"},
		{"æøåæøå", 4, "æøå…"},
		{"👍👍👍", 2, "👍…"},
		{"ab", 1, "…"},
	}
	for _, c := range cases {
		got := Truncate(c.s, c.n)
		if got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > c.n || !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q: %d runes", c.s, c.n, got, n)
		}
	}
}
