// Package textsplit fits message text to a chat platform's length limits.
// Lengths are counted in characters (Unicode code points, i.e. runes), not
// bytes, and text is only ever cut between runes, so a multi-byte character
// is never broken. Discord and Slack both use it.
package textsplit

import (
	"strings"
	"unicode/utf8"
)

// Split cuts text into pieces of at most limit characters, at paragraph
// breaks ("\n\n") where it can, then at line breaks, then anywhere (between
// runes; it does not look for spaces). The newlines at a cut are dropped, as
// is a remainder that is only whitespace; nothing else is lost. Text that is
// empty or only whitespace gives no pieces, but a piece cut off before a line
// break may be only whitespace, and the first piece of a text that starts
// with newlines may be empty. limit must be at least 1.
func Split(text string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(text) > limit {
		cut := prefixLen(text, limit)
		head := text[:cut]
		if i := strings.LastIndex(head, "\n\n"); i > 0 {
			cut = i
		} else if i := strings.LastIndex(head, "\n"); i > 0 {
			cut = i
		}
		out = append(out, strings.TrimRight(text[:cut], "\n"))
		text = strings.TrimLeft(text[cut:], "\n")
	}
	if strings.TrimSpace(text) != "" {
		out = append(out, text)
	}
	return out
}

// Truncate returns s if it has at most n characters, or else its first n-1
// characters followed by "…", n characters in all. n must be at least 1.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return s[:prefixLen(s, n-1)] + "…"
}

// prefixLen is the byte length of text's first n characters.
func prefixLen(text string, n int) int {
	i := 0
	for pos := range text {
		if i == n {
			return pos
		}
		i++
	}
	return len(text)
}
