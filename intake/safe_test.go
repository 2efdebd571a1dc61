package intake

import "testing"

func TestNationalIDDetection(t *testing.T) {
	cases := map[string]bool{
		"01019049880":                          true,  // valid checksums
		"fnr 010190 49880 står her":            true,  // written 6+5
		"D-nummer 41019049874":                 true,  // D number: day + 40
		"01019049881":                          false, // wrong second check digit
		"01019049870":                          false, // wrong first check digit
		"Ring 22 33 44 55 eller 12345678901":   false,
		"Kontonummer 1234.56.78903":            false,
		"123456789012":                         false, // twelve digits are not a national ID
		"Vi trenger 40 nye boliger innen 2030": false,
	}
	for text, want := range cases {
		if got := containsNationalID(text); got != want {
			t.Errorf("containsNationalID(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestDisplayNeutralisesBidiControlsAndCuts(t *testing.T) {
	if got := display("a\u202eb\u2066c", 0); got != "a[U+202E]b[U+2066]c" {
		t.Errorf("display = %q", got)
	}
	if got := display("abcdef", 3); got != "abc…" {
		t.Errorf("cut = %q", got)
	}
	if got := display("עברית \u200f", 0); got != "עברית \u200f" {
		t.Errorf("plain right-to-left text changed: %q", got)
	}
}

func TestCatalogueIsCompleteInEveryLanguage(t *testing.T) {
	for key, t3 := range catalogue {
		for i, s := range t3 {
			if s == "" {
				t.Errorf("%s: language %d is empty", key, i)
			}
			if countVerbs(s) != countVerbs(t3[0]) {
				t.Errorf("%s: language %d has %d format verbs, bokmål has %d", key, i, countVerbs(s), countVerbs(t3[0]))
			}
		}
	}
	for n, q := range Questions {
		for i, s := range q {
			if s == "" {
				t.Errorf("question %d: language %d is empty", n+1, i)
			}
		}
	}
}

func countVerbs(s string) int {
	n := 0
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			n++
			i++
		}
	}
	return n
}

func TestParseCommand(t *testing.T) {
	cases := map[string]struct {
		cmd command
		arg string
		ok  bool
	}{
		"hjelp":                {cmdHelp, "", true},
		"  Hjelp ":             {cmdHelp, "", true},
		"/dugnad mine":         {cmdMine, "", true},
		"/mine":                {cmdMine, "", true},
		"glem meg":             {cmdForget, "", true},
		"gløym meg":            {cmdForget, "", true},
		"forget me":            {cmdForget, "", true},
		"språk nn":             {cmdLanguage, "nn", true},
		"language   en":        {cmdLanguage, "en", true},
		"hald fram":            {cmdResume, "", true},
		"hopp over":            {cmdSkip, "", true},
		"stopp bostedsløshet":  {"", "", false},
		"tilbake til skolen":   {"", "", false},
		"Hjelp til å søke lån": {"", "", false},
	}
	for in, want := range cases {
		cmd, arg, ok := parseCommand(in)
		if cmd != want.cmd || arg != want.arg || ok != want.ok {
			t.Errorf("parseCommand(%q) = %q, %q, %v; want %q, %q, %v", in, cmd, arg, ok, want.cmd, want.arg, want.ok)
		}
	}
}
