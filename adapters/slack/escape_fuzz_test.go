package slack

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/kommune-dugnad/dugnad/bot"
)

// FuzzEscape checks that no text the bot shows can mention anyone on
// Slack. Mentions are control sequences in angle brackets (<@U…>, <#C…>,
// <!subteam^…>, <!here>, <!channel>, <!everyone>; PLATFORMS.md §4), so
// the escaped text has no < or > at all, every & begins one of the three
// entities Slack knows, unescape gives the text back, and text without
// &, < or > comes through unchanged. Blocks puts only such text in
// verbatim mrkdwn sections and button labels in plain_text.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{
		"<!channel> <!here> <!everyone> <@U0INGRID> <@U0INGRID|ingrid> <#C0INNSPILL> <!subteam^S123>",
		"&lt;!channel&gt; &amp; &amp;lt; &", "Flere boliger & bedre oppfølging > 20 % <3", "Helt vanlig tekst, æøå 👍",
		"\xff<\xfe", strings.Repeat("a<", 1600) + "\n\n<@U1>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out := Escape(text)
		checkEscaped(t, text, out)
		if back := unescape(out); back != text {
			t.Errorf("unescape(Escape(%q)) = %q", text, back)
		}
		if !strings.ContainsAny(text, "&<>") && out != text {
			t.Errorf("Escape(%q) = %q; nothing needed escaping", text, out)
		}
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Errorf("Escape(%q) = %q is not valid UTF-8", text, out)
		}

		for _, b := range Blocks(bot.Message{Text: text, Choices: []bot.Choice{{ID: "1", Label: text}}}) {
			switch b := b.(type) {
			case *slack.SectionBlock:
				if b.Text == nil || b.Text.Type != slack.MarkdownType || !b.Text.Verbatim {
					t.Fatalf("Blocks(%q): section text %+v is not verbatim mrkdwn", text, b.Text)
				}
				if strings.ContainsAny(b.Text.Text, "<>") {
					t.Errorf("Blocks(%q): section %q has < or >", text, b.Text.Text)
				}
			case *slack.ActionBlock:
				for _, e := range b.Elements.ElementSet {
					if btn, ok := e.(*slack.ButtonBlockElement); !ok || btn.Text.Type != slack.PlainTextType {
						t.Errorf("Blocks(%q): element %+v is not a plain_text button", text, e)
					}
				}
			default:
				t.Errorf("Blocks(%q): block %T", text, b)
			}
		}
	})
}

// checkEscaped fails t if out, the escaped form of text, holds anything
// Slack would read as markup.
func checkEscaped(t *testing.T, text, out string) {
	t.Helper()
	for _, live := range []string{"<!channel", "<!here", "<!everyone", "<@", "<#", "<!subteam^"} {
		if strings.Contains(out, live) {
			t.Fatalf("Escape(%q) = %q keeps %q", text, out, live)
		}
	}
	if strings.ContainsAny(out, "<>") {
		t.Fatalf("Escape(%q) = %q has < or >", text, out)
	}
	for i := strings.IndexByte(out, '&'); i >= 0; {
		rest := out[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			t.Fatalf("Escape(%q) = %q: a bare & at %d", text, out, i)
		}
		j := strings.IndexByte(out[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
}
