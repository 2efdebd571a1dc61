package intake

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// display prepares text a user wrote for showing back: it is stored
// verbatim, but shown with bidirectional overrides and isolates made
// visible (so they cannot reorder the bot's own words around them) and cut
// to at most limit characters. Adapters escape what their platforms treat
// as markup or mentions.
func display(s string, limit int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if limit > 0 && n >= limit {
			b.WriteString("…")
			break
		}
		switch {
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

var nationalIDCandidate = regexp.MustCompile(`(?:^|[^0-9])([0-9]{6}) ?([0-9]{5})(?:$|[^0-9])`)

// containsNationalID reports whether s contains what looks like a
// Norwegian national identity number (fødselsnummer) or D number: eleven
// digits (optionally written 6+5) with a plausible birth date and both
// check digits right.
func containsNationalID(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, m := range nationalIDCandidate.FindAllStringSubmatch(s, -1) {
		if validNationalID(m[1] + m[2]) {
			return true
		}
	}
	return false
}

func validNationalID(d string) bool {
	if len(d) != 11 {
		return false
	}
	var n [11]int
	for i := range d {
		n[i] = int(d[i] - '0')
	}
	day := n[0]*10 + n[1]
	month := n[2]*10 + n[3]
	if day > 40 { // D number
		day -= 40
	}
	if month > 40 { // synthetic test numbers (Skatteetaten: +80; H numbers: +40)
		month %= 40
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return false
	}
	w1 := [9]int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	w2 := [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	check := func(weights []int, digits []int) int {
		sum := 0
		for i, w := range weights {
			sum += w * digits[i]
		}
		k := 11 - sum%11
		if k == 11 {
			k = 0
		}
		return k
	}
	k1 := check(w1[:], n[:9])
	if k1 == 10 || k1 != n[9] {
		return false
	}
	k2 := check(w2[:], n[:10])
	return k2 != 10 && k2 == n[10]
}
