// Package discord is the Discord adapter: it receives gateway events
// (messages, reactions, button clicks, the /dugnad command), turns them into
// the bot's neutral events, and sends the bot's messages with button rows.
// It holds no business rules. Built on github.com/bwmarrin/discordgo.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/bot"
)

// restAPI is the part of discordgo's REST client the adapter uses.
type restAPI interface {
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageEditComplex(m *discordgo.MessageEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessages(channelID string, limit int, beforeID, afterID, aroundID string, options ...discordgo.RequestOption) ([]*discordgo.Message, error)
	ChannelMessage(channelID, messageID string, options ...discordgo.RequestOption) (*discordgo.Message, error)
	Channel(channelID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	UserChannelCreate(recipientID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	MessageReactionAdd(channelID, messageID, emojiID string, options ...discordgo.RequestOption) error
	MessageReactions(channelID, messageID, emojiID string, limit int, beforeID, afterID string, options ...discordgo.RequestOption) ([]*discordgo.User, error)
	InteractionRespond(interaction *discordgo.Interaction, resp *discordgo.InteractionResponse, options ...discordgo.RequestOption) error
	ApplicationCommandBulkOverwrite(appID string, guildID string, commands []*discordgo.ApplicationCommand, options ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
}

// Adapter is the Discord adapter. Its methods are safe for concurrent use.
type Adapter struct {
	cfg     Config
	session *discordgo.Session
	api     restAPI
	log     *slog.Logger

	mu        sync.Mutex
	down      error // why the gateway session is not ready; nil when it is
	botUserID string
	appID     string
	sessionID string
	dms       map[string]string // user → DM channel
	direct    map[string]bool   // channel → is a direct conversation
	parents   map[string]string // channel → its parent if it is a thread, else ""

	// Set by Run.
	sink    bot.Sink
	pool    *bot.Pool
	runCtx  context.Context
	workers sync.WaitGroup // backfills
}

var (
	_ bot.Adapter         = (*Adapter)(nil)
	_ bot.Reactor         = (*Adapter)(nil)
	_ bot.SentFinder      = (*Adapter)(nil)
	_ bot.ThreadReader    = (*Adapter)(nil)
	_ bot.DirectMessenger = (*Adapter)(nil)
	_ bot.HealthChecker   = (*Adapter)(nil)
)

// New makes a Discord adapter.
func New(cfg Config) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.Identify.Intents = Intents
	// Handlers run in order on the gateway's goroutine, so a reaction's add
	// and remove are seen in the order Discord sent them; the work itself
	// goes to workers keyed by channel, which keep that order.
	s.SyncEvents = true
	s.ShouldReconnectOnError = true
	s.ShouldRetryOnRateLimit = true
	s.StateEnabled = false
	s.LogLevel = discordgo.LogError
	switch {
	case cfg.HTTPClient != nil:
		s.Client = cfg.HTTPClient
	case cfg.APIURL != "":
		base, _ := url.Parse(cfg.APIURL)
		s.Client = &http.Client{Timeout: 20 * time.Second, Transport: rewrite{base: base, next: http.DefaultTransport}}
	}
	return newAdapter(cfg, s, s), nil
}

func newAdapter(cfg Config, s *discordgo.Session, api restAPI) *Adapter {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Adapter{cfg: cfg, session: s, api: api, log: log.With("platform", bot.Discord), down: errors.New("not connected yet"),
		dms: map[string]string{}, direct: map[string]bool{}, parents: map[string]string{}}
}

// Healthy reports whether the gateway session is ready (after READY or
// RESUMED, until a disconnect).
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

// Platform is bot.Discord.
func (a *Adapter) Platform() string { return bot.Discord }

// BotUserID is the bot's own user ID, known after READY.
func (a *Adapter) BotUserID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUserID
}

// Run opens the gateway, registers /dugnad and hands events to sink until
// ctx ends. discordgo resumes a dropped session; after a fresh identify
// (a start, or a resume Discord refused) the adapter fetches the messages
// it missed in the channels the bot watches.
func (a *Adapter) Run(ctx context.Context, sink bot.Sink) error {
	a.mu.Lock()
	a.sink, a.runCtx = sink, ctx
	a.pool = bot.NewPool(8, 64)
	a.mu.Unlock()
	remove := a.session.AddHandler(func(_ *discordgo.Session, e *discordgo.Event) { a.onEvent(e) })
	defer remove()
	removeDisconnect := a.session.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.setDown(errors.New("gateway disconnected; reconnecting"))
	})
	defer removeDisconnect()
	defer a.setDown(errors.New("stopped"))
	if err := a.session.Open(); err != nil {
		a.pool.Close()
		return fmt.Errorf("discord: open gateway (is the message content intent enabled for the bot?): %w", err)
	}
	a.registerCommands()
	<-ctx.Done()
	// Without this, discordgo's heartbeat goroutine can see the closed
	// socket and reconnect after Close returned (PLATFORMS.md; discordfake).
	a.session.Lock()
	a.session.ShouldReconnectOnError = false
	a.session.Unlock()
	err := a.session.Close()
	a.workers.Wait()
	a.pool.Close()
	if err != nil && !errors.Is(err, discordgo.ErrWSNotFound) {
		a.log.Warn("closing the gateway", "err", err)
	}
	return nil
}

// onEvent runs on the gateway goroutine for every dispatch, in order.
func (a *Adapter) onEvent(e *discordgo.Event) {
	if withoutData(e.Struct) {
		a.log.Warn("discord dispatch without its data; ignored", "type", e.Type, "seq", e.Sequence)
		return
	}
	switch d := e.Struct.(type) {
	case *discordgo.Ready:
		a.mu.Lock()
		a.botUserID, a.sessionID = d.User.ID, d.SessionID
		if d.Application != nil {
			a.appID = d.Application.ID
		}
		a.down = nil
		a.mu.Unlock()
		a.log.Info("discord session ready", "bot_user_id", d.User.ID)
		a.workers.Add(1)
		go func() {
			defer a.workers.Done()
			a.backfill()
		}()
	case *discordgo.Resumed:
		a.setDown(nil)
		a.log.Info("discord session resumed")
	case *discordgo.MessageCreate:
		// Translation may look up a channel over REST: it happens on the
		// worker, not on the gateway goroutine.
		a.submit(d.ChannelID, func(ctx context.Context) {
			if ev, ok := a.fromMessage(d.Message); ok {
				a.handle(ctx, ev)
			}
		})
	case *discordgo.MessageReactionAdd:
		id := a.dispatchID(bot.KindReactionAdded, e.Sequence)
		a.submit(d.ChannelID, func(ctx context.Context) {
			if ev, ok := a.fromReaction(id, bot.KindReactionAdded, d.MessageReaction); ok {
				a.handle(ctx, ev)
			}
		})
	case *discordgo.MessageReactionRemove:
		id := a.dispatchID(bot.KindReactionRemoved, e.Sequence)
		a.submit(d.ChannelID, func(ctx context.Context) {
			if ev, ok := a.fromReaction(id, bot.KindReactionRemoved, d.MessageReaction); ok {
				a.handle(ctx, ev)
			}
		})
	case *discordgo.InteractionCreate:
		a.submit(d.ChannelID, func(ctx context.Context) { a.interaction(ctx, d.Interaction) })
	}
}

// withoutData reports a dispatch whose data was missing or null:
// discordgo hands it on all the same, with the object it embeds nil.
func withoutData(s any) bool {
	switch d := s.(type) {
	case *discordgo.Ready:
		return d.User == nil
	case *discordgo.MessageCreate:
		return d.Message == nil
	case *discordgo.MessageReactionAdd:
		return d.MessageReaction == nil
	case *discordgo.MessageReactionRemove:
		return d.MessageReaction == nil
	case *discordgo.InteractionCreate:
		return d.Interaction == nil
	}
	return false
}

// dispatchID names a dispatch that carries no ID of its own: Discord gives
// reactions none, but a session numbers its dispatches and a resumed
// session replays them with the same numbers.
func (a *Adapter) dispatchID(kind bot.Kind, seq int64) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return string(kind) + ":" + a.sessionID + ":" + strconv.FormatInt(seq, 10)
}

func (a *Adapter) submit(key string, work func(context.Context)) {
	a.mu.Lock()
	ctx, pool := a.runCtx, a.pool
	a.mu.Unlock()
	if err := pool.Submit(ctx, key, func() { work(ctx) }); err != nil {
		a.log.Warn("event dropped at shutdown", "err", err)
	}
}

func (a *Adapter) handle(ctx context.Context, ev bot.Event) {
	if err := a.sink.Handle(ctx, ev); err != nil {
		a.log.Error("event not recorded", "event_id", ev.ID, "err", err)
	}
}

// interaction records a button click or /dugnad and answers Discord within
// its three seconds: a click is acknowledged without a visible change (the
// bot then edits the message and replies through its outbox), a command
// with a private ✓ (the answer comes as a message, in the channel or, for
// personal commands, in a DM).
func (a *Adapter) interaction(ctx context.Context, i *discordgo.Interaction) {
	hctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ev, ok, err := a.fromInteraction(hctx, i)
	if err == nil && ok {
		err = a.sink.Handle(hctx, ev)
	}
	if err != nil {
		a.log.Error("interaction not recorded", "interaction_id", i.ID, "err", err)
	}
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	if i.Type == discordgo.InteractionApplicationCommand {
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "✓", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}}
	}
	if err := a.api.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		a.log.Warn("interaction response failed", "interaction_id", i.ID, "err", err)
	}
}

// backfill fetches, for every channel the bot watches, the messages after
// the newest one it handled, oldest first. Messages it had handled are
// recognised by their IDs and have no second effect.
func (a *Adapter) backfill() {
	a.mu.Lock()
	ctx, sink := a.runCtx, a.sink
	a.mu.Unlock()
	c, ok := sink.(bot.Catchup)
	if !ok {
		return
	}
	channels, err := c.WatchedChannels(ctx, bot.Discord)
	if err != nil {
		a.log.Error("backfill: watched channels", "err", err)
		return
	}
	fetched := 0
	for _, ch := range channels {
		after, err := c.LastSeen(ctx, bot.Discord, ch)
		if err != nil || after == "" {
			continue // nothing seen there yet: no cursor to catch up from
		}
		for ctx.Err() == nil {
			page, err := a.api.ChannelMessages(ch, 100, "", after, "", discordgo.WithContext(ctx))
			if err != nil {
				a.log.Warn("backfill: read channel", "channel", ch, "err", err)
				break
			}
			sort.Slice(page, func(i, j int) bool { return snowflakeLess(page[i].ID, page[j].ID) })
			for _, m := range page {
				if ev, ok := a.fromMessage(m); ok {
					a.submit(ch, func(ctx context.Context) { a.handle(ctx, ev) })
					fetched++
				}
				after = m.ID
			}
			if len(page) < 100 {
				break
			}
		}
	}
	if fetched > 0 {
		a.log.Info("backfilled messages missed while away", "messages", fetched)
	}
}

func snowflakeLess(a, b string) bool {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	return x < y
}

// command is /dugnad with the subcommands the bot understands; names are
// Norwegian (the words the bot knows in every language), with English
// descriptions for Discord clients in English.
var command = &discordgo.ApplicationCommand{
	Name:        "dugnad",
	Description: "Innspill til kommunens temaplan for bolig og velferd",
	DescriptionLocalizations: &map[discordgo.Locale]string{
		discordgo.EnglishUS: "Suggestions for the municipality's housing and welfare plan",
		discordgo.EnglishGB: "Suggestions for the municipality's housing and welfare plan",
	},
	Options: []*discordgo.ApplicationCommandOption{
		sub("start", "Gi innspill: velg strategi", "Give suggestions: choose a strategy"),
		sub("mine", "Se innspillene dine", "See your suggestions"),
		sub("hjelp", "Hva du kan skrive til boten", "What you can write to the bot"),
		sub("stopp", "Ta pause i samtalen", "Pause the conversation"),
		sub("fortsett", "Fortsett der du slapp", "Continue where you left off"),
		sub("glem", "Fjern navnet ditt fra innspillene dine", "Remove your name from your suggestions"),
		{
			Type: discordgo.ApplicationCommandOptionSubCommand, Name: "språk", Description: "Bytt språk",
			DescriptionLocalizations: map[discordgo.Locale]string{discordgo.EnglishUS: "Change language", discordgo.EnglishGB: "Change language"},
			Options: []*discordgo.ApplicationCommandOption{{
				Type: discordgo.ApplicationCommandOptionString, Name: "kode", Description: "nb, nn eller en", Required: true,
				Choices: []*discordgo.ApplicationCommandOptionChoice{
					{Name: "Bokmål", Value: "nb"}, {Name: "Nynorsk", Value: "nn"}, {Name: "English", Value: "en"},
				},
			}},
		},
		sub("status", "Hvor står arbeidet: invitasjoner og innspill", "Where things stand: invitations and suggestions"),
		withText(sub("inviter", "Prosjektleder: inviter aktører (aktør, organisasjon, gruppe eller «alle»)", "Project leader: invite actors"),
			"hvem", "For eksempel: referansegruppe innen 15.1.2027"),
		withText(sub("idedugnad", "Prosjektleder: idédugnad i kanalen (start S3, neste, tilbake, stopp)", "Project leader: idea session in the channel"),
			"handling", "start S3, neste, tilbake eller stopp"),
		withText(sub("tiltak", "Prosjektgruppen: lag, vis og endre tiltak", "Project group: make, show and edit measures"),
			"tekst", "For eksempel: ny S3 12,15 Boligkontoret …, eller 4 frist 1.6.2027"),
		withText(sub("innspill", "Prosjektgruppen: list innspill (S3, spørsmål 2, ubrukte …)", "Project group: list suggestions"),
			"filter", "S3, spørsmål 2, aktør ID, org NAVN, ubrukte eller ufilert"),
		sub("dekning", "Prosjektgruppen: strategier, oppgaver og spørsmål uten tiltak eller innspill", "Project group: coverage"),
		withText(sub("høring", "Prosjektleder: høring i referansegruppen (åpne, lukk, status)", "Project leader: the reference group's hearing"),
			"handling", "For eksempel: åpne alle frist 15.1.2027 kl. 12.00, eller lukk"),
		withText(sub("godkjenn", "Styringsgruppen: godkjenn et hørt tiltak", "Steering group: approve a heard measure"),
			"tiltak", "Tiltakets nummer"),
		withText(sub("returner", "Styringsgruppen: returner et hørt tiltak med begrunnelse", "Steering group: return a heard measure with a reason"),
			"tiltak", "Nummer og begrunnelse, for eksempel: 4 Mangler kostnadsoverslag"),
		withText(sub("forankre", "Prosjektleder: marker godkjente tiltak som forankret", "Project leader: mark approved measures anchored"),
			"tiltak", "Nummer (4,5) eller «alle»"),
		withText(sub("digest", "Prosjektgruppen: sammendrag til plandokumentet (html, md, xlsx, csv, json)", "Project group: a digest for the plan document"),
			"valg", "For eksempel: md S3, eller xlsx status godkjent"),
	},
}

// withText gives a subcommand one optional free-text option.
func withText(o *discordgo.ApplicationCommandOption, name, description string) *discordgo.ApplicationCommandOption {
	o.Options = []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: description}}
	return o
}

func sub(name, nb, en string) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: nb,
		DescriptionLocalizations: map[discordgo.Locale]string{discordgo.EnglishUS: en, discordgo.EnglishGB: en}}
}

// registerCommands registers /dugnad in the configured servers, or
// globally. A failure is logged: direct messages work without it.
func (a *Adapter) registerCommands() {
	a.mu.Lock()
	appID := a.appID
	a.mu.Unlock()
	if appID == "" {
		a.log.Warn("no application ID in READY; /dugnad not registered")
		return
	}
	guilds := a.cfg.Guilds
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	for _, g := range guilds {
		if _, err := a.api.ApplicationCommandBulkOverwrite(appID, g, []*discordgo.ApplicationCommand{command}); err != nil {
			a.log.Error("registering /dugnad failed (was the bot invited with the applications.commands scope?)", "guild", g, "err", err)
		}
	}
}
