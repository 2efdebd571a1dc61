package intake

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kommune-dugnad/dugnad/store"
)

// FuzzParseCommand checks the reading of what people type: parseCommand,
// and the hearing's and invitations' argument readers behind it
// (parseHearing, parseDate, parseClock).
//
// parseCommand never panics; a recognised command is named by a word of
// commandWords, written alone or after "/", "dugnad" or "/dugnad"; its
// argument is the rest of the input with runs of white space collapsed,
// in the case it was written in; and the command word with that argument
// reads back as the same command.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"hjelp", "/dugnad mine", "Dugnad  SPRÅK   nn", "språk", "inviter referansegruppe innen 1.2.2027",
		"/inviter alle", "dugnad inviter Kari Nordmann", "høring åpne S3 S4 frist 15.1.2027 kl. 12.00 kanal referansegruppe",
		"høring åpne 4,5,#6 innen 2027-03-28 kl 2.30", "høring åpne alle frist 31.12.99", "hearing open at 25",
		"hopp over", "glem meg", "tiltak ny S3 12,15 Boligkontoret lager en plan", "godkjenn 4", "returner 4 Mangler frist",
		"Jeg vil ha flere boliger", "", " / ", "dugnad", "/dugnad/hjelp", "İnviter x",
	} {
		f.Add(s)
	}
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		oslo = time.FixedZone("CET", 3600)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, arg, ok := parseCommand(text)
		if ok {
			checkCommand(t, text, c, arg)
		} else if c != "" || arg != "" {
			t.Errorf("parseCommand(%q) = %q, %q, false", text, c, arg)
		}

		// The words of the input as what follows "høring åpne", or
		// "innen" in an invitation.
		fields := strings.Fields(text)
		checkHearing(t, fields, oslo)
		for _, w := range fields {
			if d, err := parseDate(w, oslo); err == nil {
				// Not always at midnight: Oslo's midnight of 1.1.1895 is
				// 00:17, when it left local mean time.
				if d.Location() != oslo {
					t.Errorf("parseDate(%q) = %v", w, d)
				}
				if again, err := parseDate(d.Format("2.1.2006"), oslo); err != nil || !again.Equal(d) {
					t.Errorf("parseDate(%q) = %v; written back it reads %v, %v", w, d, again, err)
				}
			}
			if h, m, ok := parseClock(w); ok && (h < 0 || h > 23 || m < 0 || m > 59) {
				t.Errorf("parseClock(%q) = %d:%d", w, h, m)
			}
		}
	})
}

func checkCommand(t *testing.T, text string, c command, arg string) {
	t.Helper()
	known := false
	for _, x := range commandWords {
		known = known || x == c
	}
	if !known {
		t.Fatalf("parseCommand(%q) = %q, which no command word names", text, c)
	}
	if arg == "" {
		return
	}
	if !commandsWithArgs[c] {
		t.Errorf("parseCommand(%q) = %q with argument %q; it takes none", text, c, arg)
	}
	if utf8.ValidString(text) && !utf8.ValidString(arg) {
		t.Errorf("parseCommand(%q): argument %q is not valid UTF-8", text, arg)
	}
	collapsed := strings.Join(strings.Fields(text), " ")
	head, ok := strings.CutSuffix(collapsed, " "+arg)
	if !ok {
		t.Fatalf("parseCommand(%q): argument %q is not the end of %q", text, arg, collapsed)
	}
	// head is the command word, maybe after "/", "dugnad" or "/dugnad"
	// (a lone "/" too: "/ høring" is read as "/høring").
	words := strings.Fields(head)
	word := strings.ToLower(words[len(words)-1])
	word = strings.TrimPrefix(strings.TrimPrefix(word, "/"), "dugnad")
	if commandWords[word] != c {
		t.Errorf("parseCommand(%q) = %q, %q: the argument does not follow the command word (%q)", text, c, arg, head)
	}
	if len(words) > 2 || (len(words) == 2 && !isDugnad(words[0]) && words[0] != "/") {
		t.Errorf("parseCommand(%q) = %q, %q: %q before the argument", text, c, arg, head)
	}
	if c2, arg2, ok := parseCommand(word + " " + arg); !ok || c2 != c || arg2 != arg {
		t.Errorf("parseCommand(%q) = %q, %q, but %q reads as %q, %q, %v", text, c, arg, word+" "+arg, c2, arg2, ok)
	}
}

func isDugnad(w string) bool {
	w = strings.ToLower(w)
	return w == "dugnad" || w == "/dugnad"
}

// checkHearing: parseHearing never panics; what it refuses it refuses with
// a message the catalogue has, rendered without a formatting error; what
// it accepts has a deadline in the plan's zone, at a valid time of day,
// and drafts to send.
func checkHearing(t *testing.T, fields []string, loc *time.Location) {
	t.Helper()
	args, problem, pargs := parseHearing(fields, loc)
	if problem != "" {
		if _, ok := catalogue[problem]; !ok {
			t.Fatalf("parseHearing(%q) refuses with %q, which has no text", fields, problem)
		}
		for _, l := range []store.Language{store.Bokmal, store.Nynorsk, store.English} {
			if msg := tr(l, problem, pargs...); strings.Contains(msg, "%!") {
				t.Errorf("parseHearing(%q): %s", fields, msg)
			}
		}
		return
	}
	d := args.deadline
	if d.IsZero() || d.Location() != loc || d.Second() != 0 {
		t.Errorf("parseHearing(%q): deadline %v", fields, d)
	}
	if !args.all && len(args.strategies) == 0 && len(args.ids) == 0 {
		t.Errorf("parseHearing(%q): nothing to send", fields)
	}
	for _, id := range args.ids {
		if id < 0 {
			t.Errorf("parseHearing(%q): measure %d", fields, id)
		}
	}
}
