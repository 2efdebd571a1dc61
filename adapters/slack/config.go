package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// Config is what the Slack adapter needs. Secrets are never logged.
type Config struct {
	// BotToken (xoxb-…) calls the Web API.
	BotToken string
	// AppToken (xapp-…) opens Socket Mode connections. When it is set the
	// adapter uses Socket Mode and needs no public URL.
	AppToken string
	// SigningSecret verifies Events API requests over HTTP; used when
	// there is no AppToken.
	SigningSecret string
	// APIURL is the Web API base URL, ending in "/"; empty: Slack's. Set it
	// for GovSlack or a test server.
	APIURL string
	// HTTPAddr is where the Events API endpoints listen in HTTP mode
	// (/slack/events, /slack/interactivity, /slack/commands).
	HTTPAddr string
	// ChannelRate is how many messages per second the adapter sends to one
	// channel (with bursts of three); 0 means Slack's guidance of one.
	ChannelRate float64
	Logger      *slog.Logger
}

// FromEnv reads the configuration from SLACK_BOT_TOKEN, SLACK_APP_TOKEN and
// SLACK_SIGNING_SECRET (each also as a path in the variable with _FILE
// appended, for container secrets), DUGNAD_SLACK_API_URL,
// DUGNAD_SLACK_ADDR and DUGNAD_SLACK_CHANNEL_RATE (messages per second to
// one channel; Slack's guidance of one when unset). It reports false when no bot token is set: the
// adapter is then not used.
func FromEnv(getenv func(string) string) (Config, bool, error) {
	var c Config
	var err error
	read := func(name string) string {
		v, e := secret(getenv, name)
		err = errors.Join(err, e)
		return v
	}
	c.BotToken = read("SLACK_BOT_TOKEN")
	c.AppToken = read("SLACK_APP_TOKEN")
	c.SigningSecret = read("SLACK_SIGNING_SECRET")
	if err != nil {
		return Config{}, false, err
	}
	if c.BotToken == "" {
		return Config{}, false, nil
	}
	c.APIURL = getenv("DUGNAD_SLACK_API_URL")
	c.HTTPAddr = getenv("DUGNAD_SLACK_ADDR")
	if c.HTTPAddr == "" {
		c.HTTPAddr = ":3000"
	}
	if rate := getenv("DUGNAD_SLACK_CHANNEL_RATE"); rate != "" {
		r, err := strconv.ParseFloat(rate, 64)
		if err != nil || r <= 0 {
			return Config{}, false, fmt.Errorf("slack: DUGNAD_SLACK_CHANNEL_RATE must be a positive number of messages per second, not %q", rate)
		}
		c.ChannelRate = r
	}
	return c, true, c.Validate()
}

// secret reads a variable, or the file its _FILE variant names.
func secret(getenv func(string) string, name string) (string, error) {
	v := getenv(name)
	path := getenv(name + "_FILE")
	switch {
	case v != "" && path != "":
		return "", fmt.Errorf("slack: set %s or %s_FILE, not both", name, name)
	case path != "":
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("slack: %s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return strings.TrimSpace(v), nil
}

// Validate checks that the tokens are of the right kind and that one way
// of receiving events is configured.
func (c Config) Validate() error {
	switch {
	case !strings.HasPrefix(c.BotToken, "xoxb-"):
		return errors.New("slack: SLACK_BOT_TOKEN must be a bot token (xoxb-…)")
	case c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-"):
		return errors.New("slack: SLACK_APP_TOKEN must be an app-level token (xapp-…)")
	case c.AppToken == "" && c.SigningSecret == "":
		return errors.New("slack: set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for the Events API over HTTP")
	case c.APIURL != "" && !strings.HasSuffix(c.APIURL, "/"):
		return errors.New("slack: DUGNAD_SLACK_API_URL must end with /")
	}
	return nil
}

// requiredScopes are the bot token scopes the adapter uses; the manifest
// (manifest.yaml) asks for exactly these.
var requiredScopes = []string{
	"app_mentions:read", // app_mention events
	"channels:history",  // messages in public intake channels
	"chat:write",        // posting and updating messages
	"commands",          // /dugnad
	"files:write",       // uploading digests (files.getUploadURLExternal, files.completeUploadExternal)
	"groups:history",    // messages in private intake channels
	"im:history",        // direct messages
	"im:read",           // direct message channel info
	"im:write",          // opening direct messages
	"reactions:read",    // reconciling hearing votes
	"reactions:write",   // seeding vote reactions
	"users:read",        // names of people who write to the bot
}

// MissingScopesError is a bot token without scopes the adapter needs.
type MissingScopesError struct{ Missing []string }

func (e *MissingScopesError) Error() string {
	return "slack: the app lacks the scopes " + strings.Join(e.Missing, ", ") +
		"; add them under OAuth & Permissions (or create the app from adapters/slack/manifest.yaml) and reinstall it"
}

// checkScopes compares the X-OAuth-Scopes header with requiredScopes.
func checkScopes(header string) error {
	have := map[string]bool{}
	for _, s := range strings.Split(header, ",") {
		have[strings.TrimSpace(s)] = true
	}
	var missing []string
	for _, s := range requiredScopes {
		if !have[s] {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		return &MissingScopesError{Missing: missing}
	}
	return nil
}
