package discord

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Config is what the Discord adapter needs. The token is never logged.
type Config struct {
	// Token is the bot token (without the "Bot " prefix).
	Token string
	// APIURL is the REST base URL (ending in "/api/v9/" or similar);
	// empty: Discord's. The gateway URL is then read from it. Large
	// bots put a REST proxy here; tests point it at a fake.
	APIURL string
	// Guilds are the servers whose /dugnad command is registered at start
	// (instantly available); with none, the command is registered
	// globally.
	Guilds []string
	Logger *slog.Logger
	// HTTPClient, when set, carries every REST call (tests use it).
	HTTPClient *http.Client
}

// FromEnv reads DISCORD_BOT_TOKEN (or the file DISCORD_BOT_TOKEN_FILE
// names) and DUGNAD_DISCORD_API_URL. It reports false when no token is
// set: the adapter is then not used.
func FromEnv(getenv func(string) string) (Config, bool, error) {
	token := strings.TrimSpace(getenv("DISCORD_BOT_TOKEN"))
	if path := getenv("DISCORD_BOT_TOKEN_FILE"); path != "" {
		if token != "" {
			return Config{}, false, errors.New("discord: set DISCORD_BOT_TOKEN or DISCORD_BOT_TOKEN_FILE, not both")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, false, fmt.Errorf("discord: DISCORD_BOT_TOKEN_FILE: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return Config{}, false, nil
	}
	c := Config{Token: strings.TrimPrefix(token, "Bot "), APIURL: getenv("DUGNAD_DISCORD_API_URL")}
	return c, true, c.Validate()
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Token == "" {
		return errors.New("discord: no bot token")
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return errors.New("discord: DUGNAD_DISCORD_API_URL must be an absolute URL, such as https://proxy.example/api/v9/")
		}
	}
	return nil
}

// Intents are the gateway intents the bot uses and nothing more: guild
// and direct messages, their reactions, and message content (a privileged
// intent, enabled in the developer portal).
const Intents = discordgo.IntentsGuildMessages | discordgo.IntentsGuildMessageReactions |
	discordgo.IntentsDirectMessages | discordgo.IntentsDirectMessageReactions | discordgo.IntentMessageContent

// Permissions is the permission integer for the invite URL: view channels,
// send messages, send messages in threads, add reactions, read message
// history.
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionSendMessagesInThreads | discordgo.PermissionAddReactions | discordgo.PermissionReadMessageHistory

// rewrite sends requests for Discord's REST API to another base URL,
// leaving discordgo's package-level endpoints alone (they are globals, and
// changing them would break concurrent sessions).
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.String(), discordgo.EndpointAPI) {
		return r.next.RoundTrip(req)
	}
	rest := strings.TrimPrefix(req.URL.String(), discordgo.EndpointAPI)
	u, err := r.base.Parse(rest)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL = u
	out.Host = u.Host
	return r.next.RoundTrip(out)
}
