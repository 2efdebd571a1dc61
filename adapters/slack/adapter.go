// Package slack is the Slack adapter: it receives events over Socket Mode
// (or the Events API over HTTP), turns them into the bot's neutral events,
// and sends the bot's messages with Block Kit buttons. It holds no business
// rules. Built on github.com/slack-go/slack.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
	"golang.org/x/time/rate"

	"github.com/kommune-dugnad/dugnad/bot"
)

// webAPI is the part of slack-go's Web API client the adapter uses.
type webAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	AddReactionContext(ctx context.Context, name string, item slack.ItemRef) error
	GetReactionsContext(ctx context.Context, item slack.ItemRef, params slack.GetReactionsParameters) (slack.ReactedItem, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
}

// Adapter is the Slack adapter. Its methods are safe for concurrent use.
type Adapter struct {
	cfg    Config
	client *slack.Client // for Socket Mode, which needs the concrete client
	api    webAPI
	log    *slog.Logger

	// Set by connect, from auth.test.
	botUserID string
	teamID    string

	mu       sync.Mutex
	down     error                    // why the adapter is not taking events; nil when it is
	limiters map[string]*rate.Limiter // per channel
	dms      map[string]string        // user → DM channel
	names    map[string]string        // user → display name

	// workers handle inbound events; conversations keep their order.
	workers int
	// repliesPage is how many thread replies one conversations.replies
	// call asks for.
	repliesPage int
}

var (
	_ bot.Adapter         = (*Adapter)(nil)
	_ bot.Reactor         = (*Adapter)(nil)
	_ bot.SentFinder      = (*Adapter)(nil)
	_ bot.ThreadReader    = (*Adapter)(nil)
	_ bot.DirectMessenger = (*Adapter)(nil)
	_ bot.HealthChecker   = (*Adapter)(nil)
)

// New makes a Slack adapter.
func New(cfg Config) *Adapter {
	opts := []slack.Option{slack.OptionAppLevelToken(cfg.AppToken)}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	client := slack.New(cfg.BotToken, opts...)
	return newAdapter(cfg, client, client)
}

func newAdapter(cfg Config, client *slack.Client, api webAPI) *Adapter {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{cfg: cfg, client: client, api: api, log: log.With("platform", bot.Slack), down: errNotStarted,
		limiters: map[string]*rate.Limiter{}, dms: map[string]string{}, names: map[string]string{}, workers: 8, repliesPage: 200}
}

// Platform is bot.Slack.
func (a *Adapter) Platform() string { return bot.Slack }

// BotUserID is the bot's own user ID, known after Connect.
func (a *Adapter) BotUserID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUserID
}

// TeamID is the workspace the bot token belongs to, known after Connect.
func (a *Adapter) TeamID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.teamID
}

// Connect calls auth.test: it learns the bot's user ID (to drop its own
// messages) and refuses a token that lacks a scope the adapter needs, with
// a *MissingScopesError naming them. Run calls it; call it yourself before
// serving Handler on a server of your own.
func (a *Adapter) Connect(ctx context.Context) error {
	res, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack: auth.test: %w", err)
	}
	if err := checkScopes(res.Header.Get("X-OAuth-Scopes")); err != nil {
		return err
	}
	a.mu.Lock()
	a.botUserID, a.teamID = res.UserID, res.TeamID
	a.mu.Unlock()
	a.log.Info("connected to slack", "team_id", res.TeamID, "bot_user_id", res.UserID)
	return nil
}

var (
	errNotStarted = errors.New("not connected yet")
	errStopped    = errors.New("stopped")
)

// Healthy reports whether the adapter takes events: over Socket Mode while
// a connection is open, over HTTP while the Events API server listens.
func (a *Adapter) Healthy() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.down
}

func (a *Adapter) setDown(err error) {
	a.mu.Lock()
	a.down = err
	a.mu.Unlock()
}

// Run connects and hands events to sink until ctx ends: over Socket Mode
// when an app token is configured, else over HTTP on Config.HTTPAddr.
func (a *Adapter) Run(ctx context.Context, sink bot.Sink) error {
	defer a.setDown(errStopped)
	if err := a.Connect(ctx); err != nil {
		return err
	}
	if a.cfg.AppToken != "" {
		return a.runSocketMode(ctx, sink, socketmode.New(a.client))
	}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("slack: events API server: %w", err)
	}
	srv := &http.Server{Handler: a.Handler(ctx, sink), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.setDown(nil)
	a.log.Info("slack events API listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("slack: events API server: %w", err)
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

// runSocketMode reads Socket Mode events, handles each on a worker keyed
// by its conversation, and acknowledges an envelope only once its event is
// recorded; an envelope that fails is left unacknowledged for Slack to send
// again.
func (a *Adapter) runSocketMode(ctx context.Context, sink bot.Sink, sm *socketmode.Client) error {
	pool := bot.NewPool(a.workers, 64)
	defer pool.Close()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(runCtx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt, ok := <-sm.Events:
			if !ok {
				return nil
			}
			if err := a.socketEvent(ctx, sink, sm, pool, evt); err != nil {
				return err
			}
		}
	}
}

func (a *Adapter) socketEvent(ctx context.Context, sink bot.Sink, sm *socketmode.Client, pool *bot.Pool, evt socketmode.Event) error {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.setDown(errors.New("socket mode connecting"))
		a.log.Debug("socket mode connecting")
		return nil
	case socketmode.EventTypeConnected:
		a.setDown(nil)
		a.log.Info("socket mode connected")
		return nil
	case socketmode.EventTypeConnectionError:
		a.setDown(errors.New("socket mode connection error"))
		a.log.Warn("socket mode connection error", "err", evt.Data)
		return nil
	case socketmode.EventTypeInvalidAuth:
		return errors.New("slack: socket mode: invalid app token")
	case socketmode.EventTypeDisconnect:
		a.setDown(errors.New("socket mode disconnected; reconnecting"))
		return nil
	case socketmode.EventTypeHello:
		return nil
	}
	if evt.Request == nil {
		a.log.Debug("socket mode event without envelope", "type", evt.Type)
		return nil
	}
	req := *evt.Request
	ack := func() {
		err := sm.AckCtx(ctx, req.EnvelopeID, nil)
		switch {
		case err != nil && ctx.Err() != nil:
			// An event finished during shutdown: Slack sends it again
			// to the next connection, and it is recorded once.
			a.log.Debug("not acknowledged at shutdown", "envelope_id", req.EnvelopeID)
		case err != nil:
			a.log.Warn("ack failed", "envelope_id", req.EnvelopeID, "err", err)
		}
	}
	var work func(context.Context) (bot.Event, bool, error)
	switch data := evt.Data.(type) {
	case slackevents.EventsAPIEvent:
		work = func(ctx context.Context) (bot.Event, bool, error) {
			ev, ok := a.fromEventsAPI(ctx, data)
			return ev, ok, nil
		}
	case slack.InteractionCallback:
		work = func(context.Context) (bot.Event, bool, error) {
			ev, ok := a.fromInteraction(data, req.EnvelopeID)
			return ev, ok, nil
		}
	case slack.SlashCommand:
		work = func(ctx context.Context) (bot.Event, bool, error) { return a.fromSlashCommand(ctx, data) }
	default:
		a.log.Debug("ignored socket mode envelope", "type", evt.Type)
		ack()
		return nil
	}
	if req.RetryAttempt > 0 {
		a.log.Info("slack resent an envelope", "envelope_id", req.EnvelopeID, "retry_attempt", req.RetryAttempt, "retry_reason", req.RetryReason)
	}
	key := req.EnvelopeID
	if d, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
		key = conversationKey(d)
	}
	return pool.Submit(ctx, key, func() {
		ev, ok, err := work(ctx)
		if err != nil {
			a.log.Error("cannot read slack event", "envelope_id", req.EnvelopeID, "err", err)
			return // not acknowledged: Slack sends it again
		}
		if ok {
			if err := sink.Handle(ctx, ev); err != nil {
				a.log.Error("event not recorded; left for slack to resend", "envelope_id", req.EnvelopeID, "event_id", ev.ID, "err", err)
				return
			}
		}
		ack()
	})
}

// conversationKey orders events of one conversation: by channel.
func conversationKey(e slackevents.EventsAPIEvent) string {
	switch ev := e.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		return ev.Channel
	case *slackevents.AppMentionEvent:
		return ev.Channel
	case *slackevents.ReactionAddedEvent:
		return ev.Item.Channel
	case *slackevents.ReactionRemovedEvent:
		return ev.Item.Channel
	}
	return e.TeamID
}

// limiter returns the channel's send limiter: Slack allows about one
// message per second per channel, with short bursts.
func (a *Adapter) limiter(channel string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.limiters[channel]
	if !ok {
		r := rate.Limit(a.cfg.ChannelRate)
		if r <= 0 {
			r = 1
		}
		l = rate.NewLimiter(r, 3)
		a.limiters[channel] = l
	}
	return l
}
