package slack

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/internal/textsplit"
)

func TestManifestAsksForExactlyTheScopesAndEventsUsed(t *testing.T) {
	b, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.OAuth.Scopes.Bot, requiredScopes) {
		t.Errorf("manifest scopes %v, adapter needs %v", m.OAuth.Scopes.Bot, requiredScopes)
	}
	want := []string{"app_home_opened", "app_mention", "message.channels", "message.groups", "message.im", "reaction_added", "reaction_removed"}
	if !slices.Equal(m.Settings.Events.Bot, want) {
		t.Errorf("manifest events %v, want %v", m.Settings.Events.Bot, want)
	}
	if !m.Settings.SocketMode {
		t.Error("socket mode is not enabled in the manifest")
	}
}

func TestFromEnv(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte("xapp-1-from-file\n"), 0o600)
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

	if _, ok, err := FromEnv(env(nil)); ok || err != nil {
		t.Errorf("no token: ok=%v err=%v; want the adapter off", ok, err)
	}
	c, ok, err := FromEnv(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN_FILE": secretFile}))
	if err != nil || !ok || c.AppToken != "xapp-1-from-file" || c.HTTPAddr != ":3000" {
		t.Errorf("from file: %+v %v %v", c, ok, err)
	}
	bad := map[string]map[string]string{
		"both forms":   {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_APP_TOKEN_FILE": secretFile},
		"missing file": {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN_FILE": filepath.Join(dir, "nope")},
		"user token":   {"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_APP_TOKEN": "xapp-1"},
		"no way in":    {"SLACK_BOT_TOKEN": "xoxb-1"},
		"bot as app":   {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
		"api url no /": {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DUGNAD_SLACK_API_URL": "http://x"},
	}
	for name, kv := range bad {
		_, _, err := FromEnv(env(kv))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, v := range kv {
			if strings.HasPrefix(v, "x") && len(v) > 4 && strings.Contains(err.Error(), v) {
				t.Errorf("%s: the error shows a secret: %v", name, err)
			}
		}
	}
}

func TestBlocksSplitLongTextAndKeepChoices(t *testing.T) {
	long := strings.Repeat("Et avsnitt med tekst. ", 100) + "\n\n" + strings.Repeat("ø", 4000)
	var choices []bot.Choice
	for i := 0; i < 30; i++ {
		choices = append(choices, bot.Choice{ID: "7|strategy:S" + string(rune('a'+i)), Label: strings.Repeat("Lang etikett ", 10)})
	}
	blocks := Blocks(bot.Message{Text: long + " <!here>", Choices: choices})
	sections, buttons := 0, 0
	for _, b := range blocks {
		switch string(b.BlockType()) {
		case "section":
			sections++
		case "actions":
			buttons++
		}
	}
	if sections < 3 || buttons != 2 {
		t.Errorf("%d sections and %d button rows, want ≥3 and 2 (25 buttons a row)", sections, buttons)
	}
	for _, piece := range textsplit.Split(long, sectionLimit) {
		if n := utf8.RuneCountInString(piece); n > sectionLimit || n == 0 {
			t.Errorf("a piece of %d characters", n)
		}
	}
	if got := textsplit.Truncate("abcdef", 4); got != "abc…" {
		t.Errorf("truncate = %q", got)
	}
	if got := EmojiName("+1::skin-tone-6"); got != "+1" {
		t.Errorf("EmojiName = %q", got)
	}
	if got := unescape("a &lt;b&gt; &amp;amp;"); got != "a <b> &amp;" {
		t.Errorf("unescape = %q", got)
	}
}
