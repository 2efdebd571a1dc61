package discord

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/bot"
)

// liveMention is what would ping on Discord: @everyone and @here, and a
// user or role mention (<@id>, <@!id>, <@&id>) of a real ID, which has at
// least 17 digits (PLATFORMS.md §4; discord.py's escape_mentions).
var liveMention = regexp.MustCompile(`@(everyone|here|[!&]?[0-9]{17})`)

// FuzzNeutralise checks that Neutralise leaves nothing that pings, that it
// changes nothing but by a zero-width space after an @ (so text without @
// comes through as it was), that a second pass changes nothing, and that
// what Send posts is neutralised and allows no mentions.
func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{
		"hei @everyone og @here", "<@119000000000000010> <@!119000000000000010> <@&119000000000000010>",
		"e-post: kari@example.no", "40 boliger innen 2030 @ 10%", "@@everyone @\u200beveryone @everyone\u200b",
		"<@1190000000000000000101>", "@12345678901234567", "Helt vanlig tekst, æøå 👍", "\xff@\xfehere",
		strings.Repeat("x", 1999) + "@everyone",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out := Neutralise(text)
		if live := liveMention.FindString(out); live != "" {
			t.Fatalf("Neutralise(%q) = %q keeps %q", text, out, live)
		}
		if strip(out) != strip(text) {
			t.Fatalf("Neutralise(%q) = %q changes more than zero-width spaces after @", text, out)
		}
		if !strings.Contains(text, "@") && out != text {
			t.Errorf("Neutralise(%q) = %q; there was no @", text, out)
		}
		if again := Neutralise(out); again != out {
			t.Errorf("Neutralise(%q) = %q, but Neutralise(%q) = %q", text, out, out, again)
		}
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Errorf("Neutralise(%q) = %q is not valid UTF-8", text, out)
		}

		api := &sendRecorder{}
		a := newAdapter(Config{}, nil, api)
		if _, err := a.Send(context.Background(), bot.Message{Channel: "1190000000000000201", Text: text}); err != nil {
			t.Fatal(err)
		}
		for _, m := range api.sent {
			if live := liveMention.FindString(m.Content); live != "" {
				t.Fatalf("Send(%q) posts %q, which keeps %q", text, m.Content, live)
			}
			if am := m.AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) > 0 || len(am.Users) > 0 || len(am.Roles) > 0 {
				t.Fatalf("Send(%q) allows mentions: %+v", text, am)
			}
		}
	})
}

// strip removes a zero-width space after each @.
func strip(s string) string { return strings.ReplaceAll(s, "@\u200b", "@") }

// sendRecorder takes the messages Send posts; any other call panics on the
// nil restAPI.
type sendRecorder struct {
	restAPI
	sent []*discordgo.MessageSend
}

func (r *sendRecorder) ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	r.sent = append(r.sent, data)
	return &discordgo.Message{ID: "1190000000000000301", ChannelID: channelID}, nil
}
