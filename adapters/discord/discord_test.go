package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/adapters/discord"
	"github.com/kommune-dugnad/dugnad/adapters/discord/discordfake"
	"github.com/kommune-dugnad/dugnad/adapters/slack"
	"github.com/kommune-dugnad/dugnad/adapters/slack/slackfake"
	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// The example plan's Discord server and channels.
const (
	guild    = "1190000000000000001"
	intakeCh = "1190000000000000201"
	refCh    = "1190000000000000202"
	ingrid   = "1190000000000000101"
	linn     = "1190000000000000104" // ext-mental-helse
	arne     = "1190000000000000105" // ext-ffo
)

const wait = 10 * time.Second

type env struct {
	t       *testing.T
	fake    *discordfake.Server
	adapter *discord.Adapter
	store   *store.Store
	plan    store.Plan
	bot     *bot.Bot
}

func newFake(t *testing.T) *discordfake.Server {
	return discordfake.New(t, discordfake.Config{HeartbeatInterval: 100 * time.Millisecond, GuildID: guild,
		Channels: []discordfake.Channel{
			{ID: intakeCh, GuildID: guild, Type: discordgo.ChannelTypeGuildText, Name: "innspill"},
			{ID: refCh, GuildID: guild, Type: discordgo.ChannelTypeGuildText, Name: "referansegruppe"},
		}})
}

func newAdapter(t *testing.T, fake *discordfake.Server) *discord.Adapter {
	t.Helper()
	a, err := discord.New(discord.Config{Token: fake.Config().Token, HTTPClient: fake.HTTPClient(), Guilds: []string{guild}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// run starts a bot with the given adapters until the test ends.
func run(t *testing.T, s *store.Store, h bot.Handler, adapters ...bot.Adapter) *bot.Bot {
	t.Helper()
	if h == nil {
		h = intake.New(nil)
	}
	b := bot.New(s, h, bot.Config{PollInterval: 20 * time.Millisecond}, adapters...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bot: %v", err)
			}
		case <-time.After(wait):
			t.Error("bot did not stop")
		}
	})
	return b
}

func start(t *testing.T, s *store.Store, h bot.Handler) *env {
	t.Helper()
	return startWith(t, s, h, nil)
}

// startWith is start with the example plan changed by edit.
func startWith(t *testing.T, s *store.Store, h bot.Handler, edit func(*store.PlanSpec)) *env {
	t.Helper()
	fake := newFake(t)
	p := storetest.LoadExample(t, s, edit)
	a := newAdapter(t, fake)
	b := run(t, s, h, a)
	if !fake.WaitIdentified(1, wait) {
		t.Fatal("the adapter did not identify on the gateway")
	}
	return &env{t: t, fake: fake, adapter: a, store: s, plan: p, bot: b}
}

func (e *env) sends(channel string) []discordfake.Send {
	var out []discordfake.Send
	for _, s := range e.fake.Sends() {
		if s.ChannelID == channel {
			out = append(out, s)
		}
	}
	return out
}

// lastSend waits until at least n messages went to channel and returns the last.
func (e *env) lastSend(channel string, n int) discordfake.Send {
	e.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := e.sends(channel)
		if len(got) >= n {
			return got[len(got)-1]
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waited for %d messages to %s, got %d", n, channel, len(got))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sendWith waits until a message containing text went to channel and
// returns the last such message.
func (e *env) sendWith(channel, text string) discordfake.Send {
	e.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := e.sends(channel)
		for i := len(got) - 1; i >= 0; i-- {
			if strings.Contains(got[i].Content, text) {
				return got[i]
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waited for a message to %s saying %q; %d others came", channel, text, len(got))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// say sends a DM from user and returns the bot's reply.
func (e *env) say(user, text string) discordfake.Send {
	e.t.Helper()
	dm := e.fake.DMChannel(user)
	n := len(e.sends(dm))
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: user, Content: text}))
	return e.lastSend(dm, n+1)
}

type button struct{ customID, label string }

func buttons(t *testing.T, s discordfake.Send) []button {
	t.Helper()
	var body struct {
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
				Label    string `json:"label"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(s.Body, &body); err != nil {
		t.Fatal(err)
	}
	var out []button
	for _, row := range body.Components {
		for _, b := range row.Components {
			out = append(out, button{b.CustomID, b.Label})
		}
	}
	return out
}

// click presses the button starting with label in the last message to
// user's DM and returns the reply.
func (e *env) click(user, label string) discordfake.Send {
	e.t.Helper()
	dm := e.fake.DMChannel(user)
	n := len(e.sends(dm))
	last := e.lastSend(dm, n)
	for _, b := range buttons(e.t, last) {
		if strings.HasPrefix(b.label, label) {
			var d struct {
				ID string `json:"id"`
			}
			payload := e.fake.ButtonInteraction(discordfake.ButtonParams{ChannelID: dm, MessageID: last.MessageID, CustomID: b.customID, UserID: user})
			json.Unmarshal(payload, &d)
			e.fake.Dispatch(discordfake.EventInteractionCreate, payload)
			if in, ok := e.fake.WaitInteractionResponse(d.ID, wait); !ok || in.ResponseType != 6 || in.Elapsed > 3*time.Second {
				e.t.Fatalf("interaction %s answered %+v, want a deferred update within 3 s", d.ID, in)
			}
			return e.lastSend(dm, n+1)
		}
	}
	e.t.Fatalf("no button %q in the last message to %s: %+v\n%s", label, user, buttons(e.t, last), last.Content)
	return discordfake.Send{}
}

func mustContain(t *testing.T, s discordfake.Send, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s.Content, w) {
			t.Fatalf("message to %s lacks %q:\n%s", s.ChannelID, w, s.Content)
		}
	}
}

// noPings checks that every message and edit the bot sent carried
// allowed_mentions with an empty parse list.
func noPings(t *testing.T, fake *discordfake.Server) {
	t.Helper()
	check := func(kind string, body json.RawMessage) {
		var b struct {
			AllowedMentions *struct {
				Parse *[]string `json:"parse"`
			} `json:"allowed_mentions"`
		}
		if err := json.Unmarshal(body, &b); err != nil || b.AllowedMentions == nil || b.AllowedMentions.Parse == nil || len(*b.AllowedMentions.Parse) != 0 {
			t.Errorf("%s without allowed_mentions.parse == []: %s", kind, body)
		}
	}
	for _, s := range fake.Sends() {
		check("message", s.Body)
		if s.PingedEveryone || len(s.Pinged) > 0 {
			t.Errorf("a message would ping %v (everyone: %v): %s", s.Pinged, s.PingedEveryone, s.Content)
		}
	}
	for _, e := range fake.Edits() {
		check("edit", e.Body)
	}
}

func TestDialogOverTheGatewayWithButtons(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := start(t, s, nil)
		mustContain(t, e.say(linn, "hei"), "Hei, Linn Søreide!", "Vil du være med?")
		mustContain(t, e.click(linn, "Ja, jeg vil være med"), "Hvilken strategi")
		mustContain(t, e.click(linn, "S6"), "Spørsmål 1 av 7 (strategi S6)")
		mustContain(t, e.say(linn, "Flere boveiledere som kan komme hjem til folk @everyone"), "Hva er grunnlaget")
		mustContain(t, e.click(linn, "Bør"), "Hvem bør gjøre dette?")
		mustContain(t, e.click(linn, "Sammen med andre"), "Spørsmål 2 av 7")
		for q := 2; q <= 7; q++ {
			e.click(linn, "Hopp over")
		}
		summary := e.lastSend(e.fake.DMChannel(linn), len(e.sends(e.fake.DMChannel(linn))))
		if strings.Contains(summary.Content, "@everyone") && !strings.Contains(summary.Content, "@\u200beveryone") {
			t.Errorf("@everyone shown back unbroken: %s", summary.Content)
		}
		mustContain(t, e.click(linn, "Send inn"), "Takk! 1 innspill er sendt inn til strategi S6.")

		got, err := s.Suggestions(context.Background(), e.plan.ID)
		if err != nil || len(got) != 1 {
			t.Fatalf("suggestions = %+v, %v", got, err)
		}
		g := got[0]
		if g.StrategyKey != "S6" || g.Question != 1 || g.Basis != store.BasisShould || g.WhoActs != store.WhoTogether ||
			g.Text != "Flere boveiledere som kan komme hjem til folk @everyone" || g.ActorKey != "ext-mental-helse" || g.Source.Platform != bot.Discord {
			t.Errorf("suggestion = %+v", g)
		}
		edits := e.fake.Edits()
		if len(edits) < 10 || !strings.Contains(string(edits[0].Body), "✓ Ja, jeg vil være med") || strings.Contains(string(edits[0].Body), `"custom_id"`) {
			t.Errorf("%d edits; first: %s", len(edits), edits[0].Body)
		}
		noPings(t, e.fake)
		if cmds := e.fake.Commands(guild); len(cmds) != 1 || cmds[0].Name != "dugnad" || len(cmds[0].Options) < 6 {
			t.Errorf("registered commands = %+v", cmds)
		}
	})
}

func TestDroppedConnectionResumesAndLosesNothing(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	e.say(arne, "hei")
	e.click(arne, "Ja")
	e.click(arne, "S4")
	dm := e.fake.DMChannel(arne)
	n := len(e.sends(dm))
	e.fake.Drop()
	// Sent while the bot is away: kept by the session and replayed.
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: arne, Content: "Heis i alle nye kommunale boliger"}))
	if !e.fake.WaitResumed(1, wait) {
		t.Fatal("no RESUME after the drop")
	}
	mustContain(t, e.lastSend(dm, n+1), "Hva er grunnlaget")
	e.click(arne, "Må")
	e.click(arne, "Kommunen selv")
	for q := 2; q <= 7; q++ {
		e.click(arne, "Hopp over")
	}
	e.click(arne, "Send inn")
	got, _ := s.Suggestions(context.Background(), e.plan.ID)
	if len(got) != 1 || got[0].Text != "Heis i alle nye kommunale boliger" || got[0].Basis != store.BasisMust {
		t.Fatalf("after the resume: %+v", got)
	}
	if len(e.fake.Identifies()) != 1 {
		t.Errorf("%d identifies; a resumable drop needs one", len(e.fake.Identifies()))
	}
}

func TestRefusedResumeIdentifiesAgainAndBackfills(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := start(t, s, nil)
		e.say(arne, "hei")
		e.click(arne, "Ja")
		e.click(arne, "S4")
		dm := e.fake.DMChannel(arne)
		n := len(e.sends(dm))
		e.fake.InvalidateSession()
		e.fake.Drop()
		// Lost on the gateway (the resume is refused), but in the channel.
		e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: arne, Content: "Tilskudd til tilpasning må være lettere å søke"}))
		if !e.fake.WaitIdentified(2, wait) {
			t.Fatal("no new IDENTIFY after the refused resume")
		}
		mustContain(t, e.lastSend(dm, n+1), "Hva er grunnlaget")
		e.click(arne, "Kan")
		e.click(arne, "Sammen med andre")
		for q := 2; q <= 7; q++ {
			e.click(arne, "Hopp over")
		}
		e.click(arne, "Send inn")
		got, _ := s.Suggestions(context.Background(), e.plan.ID)
		if len(got) != 1 || got[0].Text != "Tilskudd til tilpasning må være lettere å søke" {
			t.Fatalf("after the backfill: %+v", got)
		}
		if c := len(e.sends(dm)); c != n+1+9 {
			t.Errorf("%d messages to the DM, want %d: a backfilled message handled twice?", c, n+10)
		}
	})
}

// votes is a handler that keeps one vote per member on a hearing item
// from reactions, as the hearing does: 👍 sets it, removing withdraws it.
type votes struct {
	item int64
}

func (v votes) Handle(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	if req.Actor == nil || req.Emoji != "👍" {
		return nil, nil
	}
	choice := store.VoteSupport
	if req.Kind == bot.KindReactionRemoved {
		choice = ""
	}
	return nil, tx.SetVote(ctx, req.By(), v.item, req.Actor.ID, choice, req.Emoji, req.Platform)
}

func TestReactionAddThenRemoveLeavesNoVote(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	ctx := context.Background()
	p := storetest.LoadExample(t, s, nil)
	item := openHearing(t, s, p)
	fake := newFake(t)
	run(t, s, votes{item: item}, newAdapter(t, fake))
	if !fake.WaitIdentified(1, wait) {
		t.Fatal("not identified")
	}
	post := fake.AddMessage(discordfake.Message{ChannelID: refCh, AuthorID: fake.Config().BotUserID, Content: "Tiltak 1"})
	const rounds = 20
	for i := 0; i < rounds; i++ {
		r := discordfake.ReactionParams{ChannelID: refCh, MessageID: post, UserID: linn, Emoji: "👍"}
		fake.Dispatch(discordfake.EventMessageReactionAdd, fake.ReactionAdd(r))
		fake.Dispatch(discordfake.EventMessageReactionRemove, fake.ReactionRemove(r))
	}
	// A last add from another member, which must stay.
	fake.Dispatch(discordfake.EventMessageReactionAdd, fake.ReactionAdd(discordfake.ReactionParams{ChannelID: refCh, MessageID: post, UserID: arne, Emoji: "👍"}))
	deadline := time.Now().Add(wait)
	for {
		// The audit first: once every change is in it, the votes read
		// next are final (each change and its audit row commit together).
		log, _ := s.AuditLog(ctx, store.AuditFilter{Entity: "hearing_item"})
		got, err := s.Votes(ctx, item)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) == 2*rounds+1 {
			if len(got) != 1 {
				var trail []string
				for _, l := range log {
					trail = append(trail, fmt.Sprintf("%s by %d", l.Action, l.ActorID))
				}
				t.Fatalf("votes after %d add/remove pairs and one add: %+v\naudit: %v\nidentifies %d resumes %d", rounds, got, trail, len(fake.Identifies()), len(fake.Resumes()))
			}
			arneActor, _ := s.ActorByKey(ctx, p.ID, "ext-ffo")
			if got[0].ActorID != arneActor.ID {
				t.Errorf("the remaining vote is %+v, want ext-ffo's", got[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d vote changes audited, want %d", len(log), 2*rounds+1)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openHearing makes a measure and opens a hearing on it in the reference
// group's Discord channel; it returns the hearing item.
func openHearing(t *testing.T, s *store.Store, p store.Plan) int64 {
	t.Helper()
	ctx := context.Background()
	st, _ := s.StrategyByKey(ctx, p.ID, "S4")
	channels, _ := s.Channels(ctx, p.ID)
	var ch store.Channel
	for _, c := range channels {
		if c.Platform == bot.Discord && c.Channel == refCh {
			ch = c
		}
	}
	var item int64
	err := s.InTx(ctx, func(tx *store.Tx) error {
		m, err := tx.CreateMeasure(ctx, store.System, store.Measure{PlanID: p.ID, StrategyID: st.ID, Text: "Kommunen lager en veileder om tilpasning av bolig innen 1. mars 2027."}, nil, nil)
		if err != nil {
			return err
		}
		_, items, err := tx.OpenHearing(ctx, store.System, store.Hearing{PlanID: p.ID, ChannelID: ch.ID, Deadline: time.Now().Add(48 * time.Hour)}, []int64{m.ID})
		if err != nil {
			return err
		}
		item = items[0].ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return item
}

func TestEveryMessageArrivesOnceInOrderDespite429(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	const per = 4
	e := start(t, s, bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
		var out []bot.Message
		for i := 0; i < per; i++ {
			out = append(out, req.Reply(fmt.Sprintf("%s #%d <@%s> @here", req.Text, i, ingrid)))
		}
		return out, nil
	}))
	e.fake.SetRateLimit(discordfake.RateLimit{Fraction: 0.3, RetryAfter: 0.05, Seed: 3, OmitGlobalHeader: true})
	users := []string{linn, arne, ingrid}
	for round := 0; round < 3; round++ {
		for _, u := range users {
			e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: u, Content: fmt.Sprintf("m%d", round)}))
		}
	}
	for _, u := range users {
		e.lastSend(e.fake.DMChannel(u), 3*per)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := e.bot.Flush(ctx, bot.Discord); err != nil {
		t.Fatal(err)
	}
	if e.fake.RateLimited() == 0 {
		t.Fatal("the fake never answered 429; the test proves nothing")
	}
	for _, u := range users {
		var texts []string
		for _, s := range e.sends(e.fake.DMChannel(u)) {
			texts = append(texts, strings.SplitN(s.Content, " <", 2)[0])
		}
		var want []string
		for round := 0; round < 3; round++ {
			for i := 0; i < per; i++ {
				want = append(want, fmt.Sprintf("m%d #%d", round, i))
			}
		}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Errorf("%s got %q, want %q", u, texts, want)
		}
	}
	noPings(t, e.fake)
}

func TestOneActorOnSlackAndDiscordIsOnePerson(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	ctx := context.Background()
	slackSide, p := startSlack(t, s)
	dfake := newFake(t)
	// Both adapters on one bot and one store.
	run(t, s, nil, slackSide.adapter, newAdapter(t, dfake))
	if !dfake.WaitIdentified(1, wait) || !slackSide.fake.WaitConnected(1, wait) {
		t.Fatal("adapters did not connect")
	}
	// Ingrid starts on Slack ...
	slackSide.say("U0INGRID", "hei")
	slackSide.click("U0INGRID", "Ja")
	slackSide.click("U0INGRID", "S1")
	slackSide.say("U0INGRID", "Startlån bør kunne brukes til refinansiering oftere")
	slackSide.click("U0INGRID", "Bør")
	slackSide.click("U0INGRID", "Kommunen selv")
	// ... and goes on in Discord, where the same dialog continues.
	d := &env{t: t, fake: dfake, store: s}
	mustContain(t, d.say(ingrid, "hopp"), "Spørsmål 3 av 7 (strategi S1)")
	for q := 3; q <= 7; q++ {
		d.click(ingrid, "Hopp over")
	}
	mustContain(t, d.click(ingrid, "Send inn"), "Takk! 1 innspill er sendt inn til strategi S1.")
	got, _ := s.Suggestions(ctx, p.ID)
	if len(got) != 1 || got[0].ActorKey != "pl-ingrid" || got[0].Source.Platform != bot.Slack {
		t.Fatalf("suggestions = %+v", got)
	}
	if n, _ := s.CountDialogs(ctx, p.ID); n != 1 {
		t.Errorf("%d dialogs for one person on two platforms", n)
	}
}

func TestSlashCommandAnswersInDirectMessage(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	payload := e.fake.SlashCommand(discordfake.SlashParams{ChannelID: intakeCh, UserID: arne, Subcommand: "språk", Options: []discordfake.Option{{Name: "kode", Value: "en"}}})
	var d struct {
		ID string `json:"id"`
	}
	json.Unmarshal(payload, &d)
	e.fake.Dispatch(discordfake.EventInteractionCreate, payload)
	in, ok := e.fake.WaitInteractionResponse(d.ID, wait)
	if !ok || in.ResponseType != 4 || !strings.Contains(string(in.Response), `"flags":64`) {
		t.Fatalf("the command was answered %+v, want a private message", in)
	}
	mustContain(t, e.lastSend(e.fake.DMChannel(arne), 1), "I will write in English now.")
	if len(e.sends(intakeCh)) != 0 {
		t.Error("the bot answered in the channel")
	}
}

// recorder keeps the events it is handed.
type recorder struct {
	mu  sync.Mutex
	evs []bot.Event
}

func (r *recorder) Handle(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	r.mu.Lock()
	r.evs = append(r.evs, req.Event)
	r.mu.Unlock()
	return nil, nil
}

func (r *recorder) wait(t *testing.T, n int) bot.Event {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		r.mu.Lock()
		got := len(r.evs)
		var ev bot.Event
		if got >= n {
			ev = r.evs[n-1]
		}
		r.mu.Unlock()
		if got >= n {
			return ev
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for event %d, have %d", n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRealPayloadsBecomeNeutralEvents(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	rec := &recorder{}
	e := start(t, s, rec)
	post := e.fake.AddMessage(discordfake.Message{ChannelID: refCh, AuthorID: e.fake.Config().BotUserID, Content: "Tiltak"})

	e.fake.Dispatch(discordfake.EventMessageReactionAdd, e.fake.ReactionAdd(discordfake.ReactionParams{ChannelID: refCh, MessageID: post, UserID: linn, Emoji: "👍"}))
	if ev := rec.wait(t, 1); ev.Kind != bot.KindReactionAdded || ev.Emoji != "👍" || ev.MessageRef != post || ev.Channel != refCh || ev.User != linn || ev.DM || ev.Workspace != guild {
		t.Errorf("reaction add = %+v", ev)
	}
	e.fake.Dispatch(discordfake.EventMessageReactionRemove, e.fake.ReactionRemove(discordfake.ReactionParams{ChannelID: refCh, MessageID: post, UserID: linn, Emoji: "dugnadja:1190000000000000999"}))
	if ev := rec.wait(t, 2); ev.Kind != bot.KindReactionRemoved || ev.Emoji != "dugnadja:1190000000000000999" {
		t.Errorf("custom emoji remove = %+v", ev)
	}
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{ChannelID: refCh, AuthorID: arne, Content: "Enig, men fristen er kort", ReplyTo: post}))
	if ev := rec.wait(t, 3); ev.Kind != bot.KindMessage || ev.Thread != post || ev.DM || ev.Text != "Enig, men fristen er kort" {
		t.Errorf("inline reply = %+v", ev)
	}
	thread := e.fake.AddThread(refCh, "Tiltak", post)
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{ChannelID: thread.ID, AuthorID: arne, Content: "Kommentar i tråden"}))
	if ev := rec.wait(t, 4); ev.Channel != refCh || ev.Thread != thread.ID || ev.DM {
		t.Errorf("thread message = %+v, want the thread of its starter message in the parent channel", ev)
	}
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{ChannelID: intakeCh, AuthorID: arne, Content: fmt.Sprintf("<@%s> hjelp", e.fake.Config().BotUserID)}))
	if ev := rec.wait(t, 5); !ev.Mention || ev.Text != "hjelp" {
		t.Errorf("mention = %+v", ev)
	}
	// The real gateway payload files, as Discord sent them.
	for _, name := range []string{"gateway_message_reaction_add.json", "gateway_message_reaction_add_custom_emoji_d.json"} {
		raw, err := os.ReadFile(filepath.Join(discordfake.PayloadDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		var frame struct {
			T string          `json:"t"`
			D json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(raw, &frame); err != nil {
			t.Fatal(err)
		}
		if frame.T == "" { // the file is the dispatch's d alone
			frame.T, frame.D = discordfake.EventMessageReactionAdd, raw
		}
		e.fake.Dispatch(frame.T, frame.D)
	}
	if ev := rec.wait(t, 7); ev.Kind != bot.KindReactionAdded || !strings.Contains(ev.Emoji, ":") {
		t.Errorf("the custom-emoji payload = %+v", ev)
	}
	// The bot's own messages are dropped.
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{ChannelID: intakeCh, AuthorID: e.fake.Config().BotUserID, Content: "jeg er boten"}))
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: arne, Content: "siste"}))
	if ev := rec.wait(t, 8); ev.Text != "siste" || !ev.DM {
		t.Errorf("event 8 = %+v; the bot's own message must not be an event", ev)
	}
}

func TestReconciliationPagesThroughReactionsAndThreads(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	a := newAdapter(t, fake)
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	storetest.LoadExample(t, s, nil)
	run(t, s, &recorder{}, a)
	if !fake.WaitIdentified(1, wait) {
		t.Fatal("not identified")
	}
	ctx := context.Background()
	post := fake.AddMessage(discordfake.Message{ChannelID: refCh, AuthorID: fake.Config().BotUserID, Content: "Tiltak"})
	var many []string
	for i := 0; i < 130; i++ {
		many = append(many, fmt.Sprintf("11900000000000%05d", i))
	}
	fake.SetReactions(refCh, post, "👍", many...)
	fake.SetReactions(refCh, post, "🤔", linn)
	got, err := a.Reactions(ctx, refCh, post)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, r := range got {
		counts[r.Emoji] = len(r.Users)
	}
	if counts["👍"] != 130 || counts["🤔"] != 1 {
		t.Errorf("reactions = %v, want all 130 👍 and one 🤔", counts)
	}
	thread := fake.AddThread(refCh, "Tiltak", post)
	for i := 0; i < 3; i++ {
		fake.AddMessage(discordfake.Message{ChannelID: thread.ID, AuthorID: arne, Content: fmt.Sprintf("kommentar %d", i)})
	}
	replies, err := a.Replies(ctx, refCh, thread.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 3 || replies[0].Text != "kommentar 0" || replies[2].Text != "kommentar 2" || replies[1].Thread != thread.ID {
		t.Errorf("replies = %+v", replies)
	}
}

// slackSide is a Slack adapter on a fake Slack, for the test of one actor
// on two platforms.
type slackSide struct {
	t       *testing.T
	fake    *slackfake.Server
	adapter *slack.Adapter
}

func startSlack(t *testing.T, s *store.Store) (*slackSide, store.Plan) {
	t.Helper()
	fake := slackfake.New(t, slackfake.Config{TeamID: "T0FJORDVIK", PingInterval: time.Second})
	p := storetest.LoadExample(t, s, nil)
	a := slack.New(slack.Config{BotToken: fake.Config().BotToken, AppToken: fake.Config().AppToken, APIURL: fake.APIURL(), ChannelRate: 1000})
	return &slackSide{t: t, fake: fake, adapter: a}, p
}

func (s *slackSide) posts(user string) []slackfake.Post {
	var out []slackfake.Post
	for _, p := range s.fake.Posts() {
		if p.Channel == "D"+user {
			out = append(out, p)
		}
	}
	return out
}

func (s *slackSide) waitPosts(user string, n int) slackfake.Post {
	s.t.Helper()
	deadline := time.Now().Add(wait)
	for len(s.posts(user)) < n {
		if time.Now().After(deadline) {
			s.t.Fatalf("waited for %d Slack posts to %s", n, user)
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := s.posts(user)
	return got[len(got)-1]
}

func (s *slackSide) say(user, text string) {
	s.t.Helper()
	n := len(s.posts(user))
	s.fake.SendEvent(slackfake.EventsAPI, s.fake.MessageEvent(slackfake.MessageParams{User: user, Text: text}))
	s.waitPosts(user, n+1)
}

func (s *slackSide) click(user, label string) {
	s.t.Helper()
	n := len(s.posts(user))
	last := s.waitPosts(user, n)
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Text     struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	json.Unmarshal(last.Blocks, &blocks)
	for _, b := range blocks {
		for _, el := range b.Elements {
			if b.Type == "actions" && strings.HasPrefix(el.Text.Text, label) {
				s.fake.SendEvent(slackfake.Interactive, s.fake.BlockActionsPayload(slackfake.BlockActionParams{
					ActionID: el.ActionID, Channel: last.Channel, MessageTS: last.TS, User: user}))
				s.waitPosts(user, n+1)
				return
			}
		}
	}
	s.t.Fatalf("no Slack button %q for %s", label, user)
}

func TestRESTBaseURLSetting(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	// As an operator sets DUGNAD_DISCORD_API_URL: REST through the given
	// base URL, and the gateway URL read from it.
	cfg, ok, err := discord.FromEnv(func(k string) string {
		return map[string]string{"DISCORD_BOT_TOKEN": fake.Config().Token, "DUGNAD_DISCORD_API_URL": fake.APIURL()}[k]
	})
	if err != nil || !ok {
		t.Fatalf("FromEnv: %v %v", ok, err)
	}
	a, err := discord.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	storetest.LoadExample(t, s, nil)
	run(t, s, nil, a)
	if !fake.WaitIdentified(1, wait) {
		t.Fatal("the adapter did not reach the gateway through the configured REST URL")
	}
	e := &env{t: t, fake: fake, store: s}
	mustContain(t, e.say(arne, "hei"), "Hei, Arne Bakken!")
}

// driver plays the invitation scenario on Discord.
type driver struct {
	e     *env
	users map[string]string // actor key → Discord user ID
}

func (d driver) Say(actor, text string)    { d.e.say(d.users[actor], text) }
func (d driver) Click(actor, label string) { d.e.click(d.users[actor], label) }
func (d driver) Settle() {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := d.e.bot.Flush(ctx, bot.Discord); err != nil {
		d.e.t.Fatal(err)
	}
}
func (d driver) Messages(actor string) []string {
	var out []string
	for _, s := range d.e.sends(d.e.fake.DMChannel(d.users[actor])) {
		out = append(out, s.Content)
	}
	return out
}

func TestInvitationsOnDiscord(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		five := intaketest.Five{Leader: "pl-ingrid",
			Group: [5]string{"pg-marte", "ext-mental-helse", "ext-ffo", "ext-bymisjon", "ext-ungdomsrad"}}
		e := startWith(t, s, nil, func(spec *store.PlanSpec) { spec.Groups[store.RoleSteeringGroup] = five.Group[:] })
		users := map[string]string{}
		for _, a := range storetest.ExampleSpec(t).Actors {
			for _, id := range a.Identities {
				if id.Platform == bot.Discord {
					users[a.Key] = id.UserID
				}
			}
		}
		intaketest.Invitations(t, s, e.plan, driver{e: e, users: users}, five)
	})
}

// channelDriver plays the channel scenarios on Discord: thread replies as
// replies in the question message's thread, commands as /dugnad.
type channelDriver struct{ driver }

func (d channelDriver) Channel(key string) string {
	return map[string]string{"innspill": intakeCh, "referansegruppe": refCh}[key]
}

// options are the names of the subcommands' free-text options.
var options = map[string]string{"idedugnad": "handling", "tiltak": "tekst", "innspill": "filter", "inviter": "hvem", "digest": "valg"}

func (d channelDriver) Command(actor, channel, text string) {
	sub, rest, _ := strings.Cut(text, " ")
	p := discordfake.SlashParams{ChannelID: channel, UserID: d.users[actor], Subcommand: sub}
	if rest != "" {
		p.Options = []discordfake.Option{{Name: options[sub], Value: rest}}
	}
	payload := d.e.fake.SlashCommand(p)
	var in struct {
		ID string `json:"id"`
	}
	json.Unmarshal(payload, &in)
	d.e.fake.Dispatch(discordfake.EventInteractionCreate, payload)
	if _, ok := d.e.fake.WaitInteractionResponse(in.ID, wait); !ok {
		d.e.t.Fatalf("/dugnad %s was not answered", text)
	}
}
func (d channelDriver) Post(actor, channel, text string) string {
	payload := d.e.fake.MessageCreate(discordfake.MessageParams{ChannelID: channel, AuthorID: d.users[actor], Content: text})
	var m struct {
		ID string `json:"id"`
	}
	json.Unmarshal(payload, &m)
	d.e.fake.Dispatch(discordfake.EventMessageCreate, payload)
	d.handled("message:" + channel + ":" + m.ID)
	return m.ID
}

// handled waits until the bot has recorded an event (the gateway has no
// acknowledgements to wait for), then until its replies are out.
func (d channelDriver) handled(eventID string) {
	d.e.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		done, err := d.e.store.EventProcessed(context.Background(), bot.Discord, eventID)
		if err != nil {
			d.e.t.Fatal(err)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			d.e.t.Fatalf("event %s was not handled", eventID)
		}
		time.Sleep(5 * time.Millisecond)
	}
	d.Settle()
}
func (d channelDriver) Reply(actor, channel, thread, text string) {
	th, ok := d.e.fake.Channel(thread)
	if !ok {
		th = d.e.fake.AddThread(channel, "tråd", thread)
	}
	payload := d.e.fake.MessageCreate(discordfake.MessageParams{ChannelID: th.ID, AuthorID: d.users[actor], Content: text})
	var m struct {
		ID string `json:"id"`
	}
	json.Unmarshal(payload, &m)
	d.e.fake.Dispatch(discordfake.EventMessageCreate, payload)
	d.handled("message:" + th.ID + ":" + m.ID)
}
func (d channelDriver) Posts(channel string) []intaketest.Posted {
	var out []intaketest.Posted
	for _, s := range d.e.fake.Sends() {
		th, isThread := d.e.fake.Channel(s.ChannelID)
		var ref struct {
			MessageReference *struct {
				MessageID string `json:"message_id"`
			} `json:"message_reference"`
		}
		json.Unmarshal(s.Body, &ref)
		p := intaketest.Posted{Ref: s.MessageID, Text: s.Content}
		switch {
		case s.ChannelID == channel:
			if ref.MessageReference != nil {
				p.Thread = ref.MessageReference.MessageID
			}
		case isThread && th.ParentID == channel:
			p.Thread = th.ID
		default:
			continue
		}
		for _, b := range buttons(d.e.t, s) {
			p.Buttons = append(p.Buttons, b.label)
		}
		out = append(out, p)
	}
	return out
}
func (d channelDriver) Click(actor, channel string, p intaketest.Posted, label string) {
	for _, s := range d.e.fake.Sends() {
		if s.MessageID != p.Ref {
			continue
		}
		for _, b := range buttons(d.e.t, s) {
			if strings.HasPrefix(b.label, label) {
				payload := d.e.fake.ButtonInteraction(discordfake.ButtonParams{ChannelID: s.ChannelID, MessageID: s.MessageID, CustomID: b.customID, UserID: d.users[actor]})
				var in struct {
					ID string `json:"id"`
				}
				json.Unmarshal(payload, &in)
				d.e.fake.Dispatch(discordfake.EventInteractionCreate, payload)
				if _, ok := d.e.fake.WaitInteractionResponse(in.ID, wait); !ok {
					d.e.t.Fatalf("click on %q was not answered", label)
				}
				return
			}
		}
	}
	d.e.t.Fatalf("no button %q on %s", label, p.Ref)
}

func discordUsers(t *testing.T) map[string]string {
	users := map[string]string{}
	for _, a := range storetest.ExampleSpec(t).Actors {
		for _, id := range a.Identities {
			if id.Platform == bot.Discord {
				users[a.Key] = id.UserID
			}
		}
	}
	return users
}

func TestIdeaSessionOnDiscord(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := start(t, s, nil)
		intaketest.IdeaSession(t, s, e.plan, channelDriver{driver{e: e, users: discordUsers(t)}}, "pl-ingrid", "ext-mental-helse", "ext-ffo")
	})
}

func TestIntakeChannelOnDiscord(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	intaketest.IntakeChannel(t, s, e.plan, channelDriver{driver{e: e, users: discordUsers(t)}}, "ext-mental-helse", "ext-ffo")
}

// hearingDriver plays the hearing on Discord: reactions go through the
// gateway (the fake keeps what they change), or only change what the fake
// shows when they are lost on the way.
type hearingDriver struct{ channelDriver }

func (d hearingDriver) Channel(key string) string {
	return map[string]string{"innspill": intakeCh, "referansegruppe": refCh}[key] // no steering channel on Discord
}
func (d hearingDriver) React(actor, channel, ref, emoji string, remove, deliver bool) {
	user := d.users[actor]
	if user == "" {
		d.e.t.Fatalf("%s has no Discord account", actor)
	}
	if deliver {
		p := discordfake.ReactionParams{ChannelID: channel, MessageID: ref, UserID: user, Emoji: emoji}
		kind, event, payload := bot.KindReactionAdded, discordfake.EventMessageReactionAdd, d.e.fake.ReactionAdd(p)
		if remove {
			kind, event, payload = bot.KindReactionRemoved, discordfake.EventMessageReactionRemove, d.e.fake.ReactionRemove(p)
		}
		seq := d.e.fake.Dispatch(event, payload)
		d.handled(string(kind) + ":" + d.e.fake.SessionID() + ":" + strconv.FormatInt(seq, 10))
		return
	}
	var users []string
	for _, r := range d.e.fake.Reactions(channel, ref) {
		if r.Emoji == emoji {
			users = r.Users
		}
	}
	if remove {
		users = slices.DeleteFunc(slices.Clone(users), func(u string) bool { return u == user })
	} else if !slices.Contains(users, user) {
		users = append(slices.Clone(users), user)
	}
	d.e.fake.SetReactions(channel, ref, emoji, users...)
}
func (d hearingDriver) Lossy() bool                     { return true }
func (d hearingDriver) JobEnv(now time.Time) bot.JobEnv { return d.e.bot.JobEnv(now) }

var discordCast = intaketest.HearingCast{Leader: "pl-ingrid", Members: [3]string{"ext-boligstiftelse", "ext-ffo", "ext-bymisjon"},
	NonMember: "ext-ungdomsrad", Steering: [2]string{"pg-marte", "ext-mental-helse"}}

func TestHearingOnDiscord(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := startWith(t, s, nil, func(spec *store.PlanSpec) {
			spec.Groups[store.RoleSteeringGroup] = discordCast.Steering[:]
		})
		intaketest.Hearing(t, s, e.plan, hearingDriver{channelDriver{driver{e: e, users: discordUsers(t)}}}, discordCast)
		// The vote reactions were seeded on each post.
		posts := 0
		for _, m := range e.sends(refCh) {
			if !strings.HasPrefix(m.Content, "Tiltak ") {
				continue
			}
			posts++
			var mine []string
			for _, r := range e.fake.Reactions(refCh, m.MessageID) {
				if r.Me {
					mine = append(mine, r.Emoji)
				}
			}
			slices.Sort(mine)
			if want := []string{"👍", "👎", "🤔"}; !slices.Equal(mine, slices.Sorted(slices.Values(want))) {
				t.Errorf("the bot's reactions on %s: %v", m.MessageID, mine)
			}
		}
		if posts != 3 {
			t.Errorf("%d measure posts", posts)
		}
	})
}

// digestFile is a file whose bytes would show any damage on the way: every
// byte value, UTF-8 text and a size that takes more than one read.
func digestFile() *bot.File {
	var data []byte
	for i := 0; len(data) < 200_000; i++ {
		data = append(data, byte(i), byte(i>>8))
		if i%1000 == 0 {
			data = append(data, "<p>Bolig først – æøå @everyone</p>\r\n"...)
		}
	}
	return &bot.File{Name: "digest-fjordvik.html", Title: "Ukesammendrag for Fjordvik", MIME: "text/html; charset=utf-8", Data: data}
}

// fileSender answers every message with text and a digest file: to the
// writer's DM (named by user, as bot.DMTo does) for a DM, as a reply
// elsewhere.
func fileSender(file *bot.File, text func(req *bot.Request) string) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
		if req.Kind != bot.KindMessage {
			return nil, nil
		}
		m := req.Reply(text(req))
		if req.DM {
			m.Channel = bot.DMTo(req.User)
		}
		m.File = file
		return []bot.Message{m}, nil
	})
}

func sameFile(t *testing.T, got discordfake.Attachment, want *bot.File) {
	t.Helper()
	if !bytes.Equal(got.Data, want.Data) || got.Name != want.Name || got.ContentType != want.MIME {
		t.Errorf("attachment %q (%s, %d bytes), want %q (%s, %d bytes) intact", got.Name, got.ContentType, len(got.Data), want.Name, want.MIME, len(want.Data))
	}
}

func TestFileIsAttachedInTheDirectMessageAndToTheLastPart(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	file := digestFile()
	e := start(t, s, fileSender(file, func(req *bot.Request) string {
		if req.DM {
			return fmt.Sprintf("Sammendraget, som @everyone og <@%s> ba om: %s", ingrid, req.Text)
		}
		return strings.Repeat("Et langt avsnitt om bolig.\n\n", 200) // over 2000 characters: three messages
	}))
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: linn, Content: "uke 48"}))
	dm := e.fake.DMChannel(linn)
	got := e.lastSend(dm, 1)
	if len(got.Files) != 1 {
		t.Fatalf("the DM got %d files, want 1 (content %q)", len(got.Files), got.Content)
	}
	sameFile(t, got.Files[0], file)
	if want := fmt.Sprintf("Sammendraget, som @\u200beveryone og <@\u200b%s> ba om: uke 48", ingrid); got.Content != want {
		t.Errorf("content %q, want the text neutralised: %q", got.Content, want)
	}
	// The stored message lists the attachment as Discord returns it.
	stored, ok := e.fake.Message(dm, got.MessageID)
	var msg discordgo.Message
	if !ok || json.Unmarshal(stored.JSON, &msg) != nil || len(msg.Attachments) != 1 || msg.Attachments[0].Filename != file.Name ||
		msg.Attachments[0].Size != len(file.Data) || msg.Attachments[0].ID != got.Files[0].ID || msg.Attachments[0].ContentType != file.MIME {
		t.Errorf("stored message %s", stored.JSON)
	}

	// A long reply is split; the file goes with the last part, the reply
	// reference with the first.
	post := e.fake.AddMessage(discordfake.Message{ChannelID: refCh, AuthorID: arne, Content: "Tiltak"})
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{ChannelID: refCh, AuthorID: arne, Content: "sammendrag?", ReplyTo: post}))
	parts := e.lastSend(refCh, 3)
	sends := e.sends(refCh)
	if len(sends) != 3 {
		t.Fatalf("%d messages in the channel, want 3", len(sends))
	}
	for i, sent := range sends {
		if last := i == len(sends)-1; (len(sent.Files) == 1) != last {
			t.Errorf("part %d has %d files", i, len(sent.Files))
		}
		if ref := strings.Contains(string(sent.Body), `"message_reference"`); ref != (i == 0) {
			t.Errorf("part %d: message_reference %v", i, ref)
		}
	}
	sameFile(t, parts.Files[0], file)
	noPings(t, e.fake)
}

func TestFileRateLimitedArrivesOnce(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	file := digestFile()
	e := start(t, s, fileSender(file, func(req *bot.Request) string { return "Sammendraget" }))
	e.fake.SetRateLimit(discordfake.RateLimit{Fraction: 1, RetryAfter: 0.2, Max: 1, OmitGlobalHeader: true})
	e.fake.Dispatch(discordfake.EventMessageCreate, e.fake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: arne, Content: "uke 48"}))
	dm := e.fake.DMChannel(arne)
	e.lastSend(dm, 1)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := e.bot.Flush(ctx, bot.Discord); err != nil {
		t.Fatal(err)
	}
	if e.fake.RateLimited() != 1 {
		t.Fatalf("%d answers of 429, want 1; the test proves nothing", e.fake.RateLimited())
	}
	// The refused request was the multipart upload itself.
	var limited, uploads []discordfake.Call
	for _, c := range e.fake.Calls() {
		if c.Route == "POST /channels/{channel}/messages" && bytes.Contains(c.Body, file.Data[:1000]) {
			uploads = append(uploads, c)
			if c.Status == http.StatusTooManyRequests {
				limited = append(limited, c)
			}
		}
	}
	if len(limited) != 1 || len(uploads) != 2 {
		t.Errorf("%d upload requests, %d of them limited; want 2 and 1", len(uploads), len(limited))
	}
	sends := e.sends(dm)
	if len(sends) != 1 || len(sends[0].Files) != 1 {
		t.Fatalf("%d messages in the DM, want the one with the file", len(sends))
	}
	sameFile(t, sends[0].Files[0], file)
}

// The digest asked for with /dugnad digest arrives privately as an
// attachment; someone outside the project group is refused.
func TestDigestOnDiscord(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	intaketest.ScriptPhase3(t, s, e.plan)
	d := channelDriver{driver{e: e, users: discordUsers(t)}}
	d.Command("pl-ingrid", refCh, "digest md")
	dm := e.fake.DMChannel(d.users["pl-ingrid"])
	got := e.lastSend(dm, 1)
	if len(got.Files) != 1 || !strings.HasSuffix(got.Files[0].Name, ".md") || !strings.HasPrefix(string(got.Files[0].Data), "# Sammendrag av tiltaksarbeidet") {
		t.Fatalf("the digest came as %+v", got.Files)
	}
	if !strings.Contains(got.Content, "9 innspill (2 ikke brukt i noe tiltak), 6 tiltak") {
		t.Errorf("the summary: %q", got.Content)
	}
	// The notice in the channel and the DM are delivered independently.
	e.sendWith(refCh, "Sammendraget er sendt deg i en direktemelding")
	d.Command("ext-ffo", refCh, "digest")
	refused := e.sendWith(refCh, "Bare prosjektleder og prosjektgruppen")
	if len(refused.Files) != 0 {
		t.Errorf("a reference group member got %q with %d files", refused.Content, len(refused.Files))
	}
	for _, s := range e.sends(e.fake.DMChannel(d.users["ext-ffo"])) {
		if len(s.Files) != 0 {
			t.Errorf("a reference group member got the digest privately: %q", s.Content)
		}
	}
}

// FindSent finds a message the bot posted after the last one it knows of,
// and nothing when there is none.
func TestFindSentAfterACrash(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	ctx := context.Background()
	first, err := e.adapter.Send(ctx, bot.Message{Platform: bot.Discord, Channel: refCh, Text: "først"})
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := e.adapter.FindSent(ctx, bot.Message{Platform: bot.Discord, Channel: refCh, Text: "så"}, first); err != nil || found {
		t.Fatalf("found a message after the last one: %v, %v", found, err)
	}
	second, err := e.adapter.Send(ctx, bot.Message{Platform: bot.Discord, Channel: refCh, Text: "så"})
	if err != nil {
		t.Fatal(err)
	}
	ref, found, err := e.adapter.FindSent(ctx, bot.Message{Platform: bot.Discord, Channel: refCh, Text: "så"}, first)
	if err != nil || !found || ref != second {
		t.Fatalf("FindSent: %q, %v, %v; want %q", ref, found, err, second)
	}
	if ref, found, _ := e.adapter.FindSent(ctx, bot.Message{Platform: bot.Discord, Channel: refCh}, ""); !found || ref != second {
		t.Errorf("with nothing known it should find the newest: %q, %v", ref, found)
	}
}
