package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/adapters/slack"
	"github.com/kommune-dugnad/dugnad/adapters/slack/slackfake"
	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// The example plan's Slack workspace; the fake plays it.
const team = "T0FJORDVIK"

const wait = 10 * time.Second

type env struct {
	t       *testing.T
	fake    *slackfake.Server
	adapter *slack.Adapter
	store   *store.Store
	plan    store.Plan
	bot     *bot.Bot
}

// start runs a bot with the Slack adapter over Socket Mode against a fake
// Slack, with the example plan and the given handler (intake's when nil).
func start(t *testing.T, s *store.Store, h bot.Handler) *env {
	t.Helper()
	return startWith(t, s, h, nil)
}

// startWith is start with the example plan changed by edit.
func startWith(t *testing.T, s *store.Store, h bot.Handler, edit func(*store.PlanSpec)) *env {
	t.Helper()
	fake := slackfake.New(t, slackfake.Config{TeamID: team, PingInterval: time.Second,
		Channels: []string{"C0INNSPILL", "C0REFGRUPPE", "C0STYRING", "C0PROSJEKT"}})
	p := storetest.LoadExample(t, s, edit)
	// Tests send faster than Slack's one message a second per channel.
	a := slack.New(slack.Config{BotToken: fake.Config().BotToken, AppToken: fake.Config().AppToken, APIURL: fake.APIURL(), ChannelRate: 1000})
	if h == nil {
		h = intake.New(nil)
	}
	b := bot.New(s, h, bot.Config{PollInterval: 20 * time.Millisecond}, a)
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
	if !fake.WaitConnected(1, wait) {
		t.Fatal("the adapter did not connect over Socket Mode")
	}
	return &env{t: t, fake: fake, adapter: a, store: s, plan: p, bot: b}
}

func dm(user string) string { return "D" + user }

// send delivers an envelope and waits for the adapter to acknowledge it.
func (e *env) send(typ slackfake.EnvelopeType, payload json.RawMessage) string {
	e.t.Helper()
	id := e.fake.SendEvent(typ, payload)
	if _, ok := e.fake.WaitAck(id, wait); !ok {
		e.t.Fatalf("envelope %s was not acknowledged", id)
	}
	return id
}

// lastPost waits until the bot has posted at least n messages to a channel
// and returns the last.
func (e *env) lastPost(channel string, n int) slackfake.Post {
	e.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		var mine []slackfake.Post
		for _, p := range e.fake.Posts() {
			if p.Channel == channel {
				mine = append(mine, p)
			}
		}
		if len(mine) >= n {
			return mine[len(mine)-1]
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("waited for %d posts to %s, got %d", n, channel, len(mine))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) posts(channel string) int {
	n := 0
	for _, p := range e.fake.Posts() {
		if p.Channel == channel {
			n++
		}
	}
	return n
}

// say sends a DM from user and returns the bot's reply.
func (e *env) say(user, text string) slackfake.Post {
	e.t.Helper()
	n := e.posts(dm(user))
	e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: user, Text: text}))
	return e.lastPost(dm(user), n+1)
}

// button is a button in a posted message.
type button struct{ actionID, value, label string }

func buttons(t *testing.T, p slackfake.Post) []button {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Text     struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(p.Blocks, &blocks); err != nil {
		t.Fatalf("blocks: %v\n%s", err, p.Blocks)
	}
	var out []button
	for _, b := range blocks {
		if b.Type == "actions" {
			for _, el := range b.Elements {
				out = append(out, button{el.ActionID, el.Value, el.Text.Text})
			}
		}
	}
	return out
}

// click presses the button starting with label in the last message to
// user's DM and returns the bot's reply.
func (e *env) click(user, label string) slackfake.Post {
	e.t.Helper()
	n := e.posts(dm(user))
	last := e.lastPost(dm(user), n)
	for _, b := range buttons(e.t, last) {
		if strings.HasPrefix(b.label, label) {
			e.send(slackfake.Interactive, e.fake.BlockActionsPayload(slackfake.BlockActionParams{
				ActionID: b.actionID, Channel: dm(user), MessageTS: last.TS, User: user}))
			return e.lastPost(dm(user), n+1)
		}
	}
	e.t.Fatalf("no button %q in the last message to %s: %+v\n%s", label, user, buttons(e.t, last), last.Text)
	return slackfake.Post{}
}

func textOf(p slackfake.Post) string { return p.Text + "\n" + string(p.Blocks) }

func mustContain(t *testing.T, p slackfake.Post, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(textOf(p), w) {
			t.Fatalf("post to %s lacks %q:\n%s", p.Channel, w, p.Text)
		}
	}
}

func TestDialogOverSocketModeWithButtons(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := start(t, s, nil)
		const jonas = "U0JONAS"
		mustContain(t, e.say(jonas, "hei"), "Hei, Jonas Berg!", "Vil du være med?")
		mustContain(t, e.click(jonas, "Ja, jeg vil være med"), "Hvilken strategi")
		mustContain(t, e.click(jonas, "S3"), "Spørsmål 1 av 7 (strategi S3)")
		mustContain(t, e.say(jonas, "Svar på søknad om depositumsgaranti innen to virkedager & uten papirskjema."), "Hva er grunnlaget")
		mustContain(t, e.click(jonas, "Bør"), "Hvem bør gjøre dette?")
		mustContain(t, e.click(jonas, "Sammen med andre"), "Spørsmål 2 av 7")
		for q := 2; q <= 7; q++ {
			e.click(jonas, "Hopp over")
		}
		mustContain(t, e.click(jonas, "Send inn"), "Takk! 1 innspill er sendt inn til strategi S3.")

		got, err := s.Suggestions(context.Background(), e.plan.ID)
		if err != nil || len(got) != 1 {
			t.Fatalf("suggestions = %+v, %v", got, err)
		}
		g := got[0]
		if g.StrategyKey != "S3" || g.Question != 1 || g.Basis != store.BasisShould || g.WhoActs != store.WhoTogether ||
			g.Text != "Svar på søknad om depositumsgaranti innen to virkedager & uten papirskjema." ||
			g.ActorKey != "ext-nav-jonas" || g.Source.Platform != bot.Slack || g.Source.Channel != dm(jonas) || g.Source.Ref == "" {
			t.Errorf("suggestion = %+v", g)
		}
		// Each clicked message was updated to show the choice, without buttons.
		updates := e.fake.Updates()
		if len(updates) < 10 {
			t.Fatalf("%d messages updated after clicks, want one per click", len(updates))
		}
		first := updates[0]
		if !strings.Contains(first.Text, "✓ Ja, jeg vil være med") || strings.Contains(string(first.Blocks), `"actions"`) {
			t.Errorf("the consent message after the click: %s %s", first.Text, first.Blocks)
		}
	})
}

func TestDisconnectMidDialogLosesNothing(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	const user = "U0GEIRH"
	e.say(user, "hei")
	e.click(user, "Ja")
	e.click(user, "S2")
	e.say(user, "Kommunen bør kjøpe boliger i borettslag for utleie.")
	e.fake.Disconnect("refresh_requested")
	if !e.fake.WaitConnected(2, wait) {
		t.Fatal("no reconnection after disconnect")
	}
	mustContain(t, e.click(user, "Kan"), "Hvem bør gjøre dette?")
	e.click(user, "Kommunen selv")
	for q := 2; q <= 7; q++ {
		e.click(user, "Hopp over")
	}
	e.click(user, "Send inn")
	got, _ := s.Suggestions(context.Background(), e.plan.ID)
	if len(got) != 1 || got[0].Basis != store.BasisCan || got[0].WhoActs != store.WhoSelf {
		t.Fatalf("after reconnect: %+v", got)
	}
}

func TestResentEnvelopeHasOneEffect(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	const user = "U0KJETIL"
	e.say(user, "hei")
	e.click(user, "Ja")
	e.click(user, "S2")
	n := e.posts(dm(user))
	id := e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: user, Text: "Tilskudd til utleieboliger bør søkes hvert år."}))
	e.lastPost(dm(user), n+1)
	if !e.fake.Resend(id, "timeout") {
		t.Fatal("resend failed")
	}
	time.Sleep(200 * time.Millisecond)
	if got := e.posts(dm(user)); got != n+1 {
		t.Errorf("the resent envelope caused %d more replies", got-n-1)
	}
	mustContain(t, e.click(user, "Må"), "Hvem bør gjøre dette?") // the answer counted once, at question 1
	var acks int
	for _, a := range e.fake.Acks() {
		if a.EnvelopeID == id {
			acks++
		}
	}
	if acks != 2 {
		t.Errorf("the envelope was acknowledged %d times, want both deliveries", acks)
	}
}

func TestMentionsInUserTextPingNobody(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	const user = "U0MARIAE"
	e.say(user, "hei")
	e.click(user, "Ja")
	e.click(user, "S5")
	// Slack delivers a typed @channel and @-mention as these sequences.
	e.say(user, "Varsle <!channel> og <@U123> om Housing First")
	e.click(user, "Vet ikke")
	e.click(user, "Vet ikke")
	for q := 2; q <= 7; q++ {
		e.click(user, "Hopp over")
	}
	summary := e.lastPost(dm(user), e.posts(dm(user)))
	for _, raw := range []string{"<!channel>", "<@U123>"} {
		if strings.Contains(textOf(summary), raw) {
			t.Errorf("the summary carries %s unescaped:\n%s", raw, textOf(summary))
		}
	}
	mustContain(t, summary, "&lt;!channel&gt;", "&lt;@U123&gt;")
	if summary.Form.Get("link_names") == "1" || summary.Form.Get("parse") == "full" {
		t.Errorf("post asks Slack to parse names: %v", summary.Form)
	}
	e.click(user, "Send inn")
	got, _ := s.Suggestions(context.Background(), e.plan.ID)
	if len(got) != 1 || got[0].Text != "Varsle <!channel> og <@U123> om Housing First" {
		t.Errorf("stored = %+v", got)
	}
}

func TestEveryMessageArrivesOnceInOrderDespite429(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	const per = 4
	e := start(t, s, bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
		var out []bot.Message
		for i := 0; i < per; i++ {
			out = append(out, req.Reply(fmt.Sprintf("%s #%d", req.Text, i)))
		}
		return out, nil
	}))
	e.fake.SetRateLimit(slackfake.RateLimit{Fraction: 0.3, RetryAfter: 1, Seed: 7})
	users := []string{"U0JONAS", "U0KJETIL", "U0GEIRH"}
	for round := 0; round < 2; round++ {
		for _, u := range users {
			e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: u, Text: fmt.Sprintf("m%d", round)}))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.bot.Flush(ctx, bot.Slack); err != nil {
		t.Fatal(err)
	}
	if e.fake.RateLimited() == 0 {
		t.Fatal("the fake never answered 429; the test proves nothing")
	}
	for _, u := range users {
		var texts []string
		for _, p := range e.fake.Posts() {
			if p.Channel == dm(u) {
				texts = append(texts, p.Text)
			}
		}
		var want []string
		for round := 0; round < 2; round++ {
			for i := 0; i < per; i++ {
				want = append(want, fmt.Sprintf("m%d #%d", round, i))
			}
		}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Errorf("%s got %q, want %q", u, texts, want)
		}
	}
	t.Logf("%d answers of 429 handled", e.fake.RateLimited())
}

// recorder is a handler that keeps the requests it gets.
type recorder struct {
	mu   sync.Mutex
	reqs []bot.Event
}

func (r *recorder) Handle(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Event)
	r.mu.Unlock()
	return nil, nil
}

func (r *recorder) last(t *testing.T, n int) bot.Event {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		r.mu.Lock()
		got := len(r.reqs)
		var ev bot.Event
		if got >= n {
			ev = r.reqs[n-1]
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

func payload(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(slackfake.PayloadDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRealPayloadsBecomeNeutralEvents(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	rec := &recorder{}
	e := start(t, s, rec)

	e.send(slackfake.EventsAPI, payload(t, "events_api_reaction_added.json"))
	if ev := rec.last(t, 1); ev.Kind != bot.KindReactionAdded || ev.Emoji != "heart_eyes" || ev.Channel != "C111" ||
		ev.MessageRef != "1599529504.000400" || ev.User != "W111" || ev.Workspace != "T111" || ev.ID != "Ev111" {
		t.Errorf("reaction_added = %+v", ev)
	}
	e.send(slackfake.EventsAPI, payload(t, "events_api_message_thread_reply_channel.json"))
	if ev := rec.last(t, 2); ev.Kind != bot.KindMessage || ev.Thread == "" || ev.Thread == ev.MessageRef || ev.DM {
		t.Errorf("thread reply = %+v", ev)
	}
	root := e.fake.AddMessage(slackfake.Message{Channel: "C0REFGRUPPE", User: "U0INGRID", Text: "Tiltak 1"})
	e.send(slackfake.EventsAPI, e.fake.ReactionEvent(slackfake.ReactionParams{User: "U0JONAS", Reaction: "+1::skin-tone-3", Channel: "C0REFGRUPPE", TS: root, Removed: true}))
	if ev := rec.last(t, 3); ev.Kind != bot.KindReactionRemoved || ev.Emoji != "+1" || ev.MessageRef != root || ev.Channel != "C0REFGRUPPE" {
		t.Errorf("reaction_removed = %+v", ev)
	}
	e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: "U0JONAS", Channel: "C0REFGRUPPE", ThreadTS: root, Text: "Enig, men &lt;frist&gt; er for kort"}))
	if ev := rec.last(t, 4); ev.Kind != bot.KindMessage || ev.Thread != root || ev.Channel != "C0REFGRUPPE" || ev.Text != "Enig, men <frist> er for kort" || ev.DM {
		t.Errorf("thread reply = %+v", ev)
	}
	e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: "U0JONAS", Channel: "C0REFGRUPPE", Text: "Et nytt innlegg"}))
	if ev := rec.last(t, 5); ev.Thread != "" {
		t.Errorf("a top-level message has thread %q", ev.Thread)
	}
	mention := e.fake.AppMentionEvent(slackfake.MessageParams{User: "U0JONAS", Channel: "C0INNSPILL", Text: "hjelp"})
	e.send(slackfake.EventsAPI, mention)
	if ev := rec.last(t, 6); !ev.Mention || ev.Text != "hjelp" {
		t.Errorf("app_mention = %+v", ev)
	}
	// The bot's own messages are dropped by its user ID.
	e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: e.fake.Config().BotUserID, Text: "jeg er boten"}))
	e.send(slackfake.SlashCommands, e.fake.SlashCommandPayload(slackfake.SlashCommandParams{User: "U0JONAS", Channel: "C0INNSPILL", Text: "språk nn"}))
	if ev := rec.last(t, 7); ev.Kind != bot.KindCommand || ev.Command != "språk" || ev.Text != "nn" || ev.Channel != "C0INNSPILL" || ev.DM {
		t.Errorf("slash command = %+v (the bot's own message must not be event 7)", ev)
	}
}

func TestSlashCommandAnswersInDirectMessage(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	e.send(slackfake.SlashCommands, e.fake.SlashCommandPayload(slackfake.SlashCommandParams{User: "U0RANDI", Channel: "C0STYRING", Text: "mine"}))
	mustContain(t, e.lastPost(dm("U0RANDI"), 1), "Du har ingen innspill med navnet ditt ennå.")
	if strings.Contains(fmt.Sprint(e.fake.Posts()), "C0STYRING") {
		t.Error("the bot answered in the channel")
	}
}

func TestUnknownUserIsToldWhoToContact(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	mustContain(t, e.say("U0STRANGER", "hei"), "Jeg kjenner deg ikke", "Ingrid Haugland")
}

func TestMissingScopeIsNamedAtStart(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(t, slackfake.Config{TeamID: team})
	fake.SetScopes("chat:write", "commands", "im:history", "im:read", "app_mentions:read", "channels:history", "groups:history", "reactions:read", "users:read")
	a := slack.New(slack.Config{BotToken: fake.Config().BotToken, AppToken: fake.Config().AppToken, APIURL: fake.APIURL()})
	err := a.Run(context.Background(), nil)
	var ms *slack.MissingScopesError
	if !errors.As(err, &ms) || strings.Join(ms.Missing, ",") != "files:write,im:write,reactions:write" {
		t.Fatalf("err = %v, want the missing scopes named", err)
	}
}

func TestReconciliationReadsReactionsAndPagesThroughReplies(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(t, slackfake.Config{TeamID: team})
	a := slack.New(slack.Config{BotToken: fake.Config().BotToken, AppToken: fake.Config().AppToken, APIURL: fake.APIURL()})
	ctx := context.Background()
	if err := a.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	root := fake.AddMessage(slackfake.Message{Channel: "C0REFGRUPPE", User: fake.Config().BotUserID, BotID: fake.Config().BotID, Text: "Tiltak"})
	fake.SetReactions("C0REFGRUPPE", root,
		slackfake.Reaction{Name: "+1", Users: []string{"U0JONAS", "U0KJETIL"}},
		slackfake.Reaction{Name: "+1::skin-tone-2", Users: []string{"U0GEIRH"}},
		slackfake.Reaction{Name: "thinking_face", Users: []string{"U0MARIAE"}})
	got, err := a.Reactions(ctx, "C0REFGRUPPE", root)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[{+1 [U0JONAS U0KJETIL U0GEIRH]} {thinking_face [U0MARIAE]}]" {
		t.Errorf("reactions = %v", got)
	}
	for i := 0; i < 5; i++ {
		fake.AddMessage(slackfake.Message{Channel: "C0REFGRUPPE", ThreadTS: root, User: "U0JONAS", Text: fmt.Sprintf("kommentar %d", i)})
	}
	a.SetRepliesPage(2)
	replies, err := a.Replies(ctx, "C0REFGRUPPE", root)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 5 || replies[0].Text != "kommentar 0" || replies[4].Text != "kommentar 4" || replies[2].Thread != root {
		t.Errorf("replies = %+v", replies)
	}
	var pages int
	for _, c := range fake.Calls() {
		if c.Method == "conversations.replies" {
			pages++
		}
	}
	if pages < 3 {
		t.Errorf("%d conversations.replies calls for 6 messages at 2 a page", pages)
	}
}

func TestEventsAPIOverHTTP(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const secret = "8f742231b10e8888abcd99yyyzzz85a5"
		fake := slackfake.New(t, slackfake.Config{TeamID: team})
		storetest.LoadExample(t, s, nil)
		a := slack.New(slack.Config{BotToken: fake.Config().BotToken, SigningSecret: secret, APIURL: fake.APIURL()})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := a.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		b := bot.New(s, intake.New(nil), bot.Config{PollInterval: 20 * time.Millisecond}, sendOnly{a})
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()
		defer func() { cancel(); <-done }()
		srv := httptest.NewServer(a.Handler(ctx, b))
		defer srv.Close()
		do := func(path string, body []byte, retry int, sign func(*http.Request)) int {
			req := slackfake.NewEventsRequest(t, srv.URL+path, secret, body, retry)
			if sign != nil {
				sign(req)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}

		// url_verification is answered with the challenge.
		challenge := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
		req := slackfake.NewEventsRequest(t, srv.URL+"/slack/events", secret, challenge, 0)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		_, _ = fmt.Fprint(&buf, readAll(t, res))
		if res.StatusCode != 200 || buf.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
			t.Errorf("url_verification: %d %q", res.StatusCode, buf.String())
		}

		// A message, then Slack's retry of it: one effect.
		msg := slackfake.HTTPBody(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{User: "U0JONAS", Text: "hei"}))
		if code := do("/slack/events", msg, 0, nil); code != 200 {
			t.Fatalf("event: %d", code)
		}
		if code := do("/slack/events", msg, 1, nil); code != 200 {
			t.Fatalf("retried event: %d", code)
		}
		flush(t, b)
		if n := len(fake.Posts()); n != 1 {
			t.Errorf("a retried event caused %d replies, want 1", n)
		}

		// Wrong, missing and stale signatures: 401 and nothing recorded.
		other := slackfake.HTTPBody(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{User: "U0KJETIL", Text: "hei"}))
		bad := map[string]func(*http.Request){
			"wrong secret": func(r *http.Request) {
				ts, sig := slackfake.Sign("not-the-secret", other, time.Now())
				r.Header.Set("X-Slack-Request-Timestamp", ts)
				r.Header.Set("X-Slack-Signature", sig)
			},
			"missing": func(r *http.Request) {
				r.Header.Del("X-Slack-Signature")
				r.Header.Del("X-Slack-Request-Timestamp")
			},
			"stale": func(r *http.Request) {
				ts, sig := slackfake.Sign(secret, other, time.Now().Add(-6*time.Minute))
				r.Header.Set("X-Slack-Request-Timestamp", ts)
				r.Header.Set("X-Slack-Signature", sig)
			},
			"body changed": func(r *http.Request) {
				tampered := []byte(strings.Replace(string(other), "hei", "hallo", 1))
				r.Body = readCloser(tampered)
				r.ContentLength = int64(len(tampered))
			},
		}
		for name, sign := range bad {
			for _, path := range []string{"/slack/events", "/slack/interactivity", "/slack/commands"} {
				if code := do(path, other, 0, sign); code != http.StatusUnauthorized {
					t.Errorf("%s signature on %s: %d, want 401", name, path, code)
				}
			}
		}
		flush(t, b)
		if n := len(fake.Posts()); n != 1 {
			t.Errorf("refused requests caused %d replies", n-1)
		}
		if done, _ := s.EventProcessed(ctx, bot.Slack, "message:"+dm("U0KJETIL")+":"+lastTS(t, other)); done {
			t.Error("a refused request was recorded")
		}

		// A button click and a slash command over HTTP.
		intro := fake.Posts()[0]
		btns := buttons(t, intro)
		click := slackfake.HTTPBody(slackfake.Interactive, fake.BlockActionsPayload(slackfake.BlockActionParams{
			ActionID: btns[0].actionID, Channel: intro.Channel, MessageTS: intro.TS, User: "U0JONAS"}))
		if code := do("/slack/interactivity", click, 0, nil); code != 200 {
			t.Fatalf("click: %d", code)
		}
		cmd := slackfake.HTTPBody(slackfake.SlashCommands, fake.SlashCommandPayload(slackfake.SlashCommandParams{User: "U0JONAS", Text: "mine"}))
		if code := do("/slack/commands", cmd, 0, nil); code != 200 {
			t.Fatalf("command: %d", code)
		}
		flush(t, b)
		posts := fake.Posts()
		if len(posts) != 3 || !strings.Contains(posts[1].Text, "Hvilken strategi") || !strings.Contains(posts[2].Text, "ingen innspill") {
			t.Errorf("posts after click and command: %+v", posts)
		}
	})
}

// sendOnly is the Slack adapter without its own event loop: the test
// serves its HTTP handler itself.
type sendOnly struct{ *slack.Adapter }

func (sendOnly) Run(ctx context.Context, _ bot.Sink) error {
	<-ctx.Done()
	return nil
}

func flush(t *testing.T, b *bot.Bot) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := b.Flush(ctx, bot.Slack); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readCloser(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// lastTS is the ts of the message event in an Events API body.
func lastTS(t *testing.T, body []byte) string {
	t.Helper()
	var v struct {
		Event struct {
			TS string `json:"ts"`
		} `json:"event"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	return v.Event.TS
}

// driver plays the invitation scenario on Slack.
type driver struct {
	e     *env
	users map[string]string // actor key → Slack user ID
}

func newDriver(e *env) driver {
	ctx := context.Background()
	users := map[string]string{}
	actors, _ := e.store.Actors(ctx, e.plan.ID)
	for _, a := range actors {
		ids, _ := e.store.Identities(ctx, a.ID)
		for _, id := range ids {
			if id.Platform == bot.Slack {
				users[a.Key] = id.UserID
			}
		}
	}
	return driver{e: e, users: users}
}

func (d driver) Say(actor, text string)    { d.e.say(d.users[actor], text) }
func (d driver) Click(actor, label string) { d.e.click(d.users[actor], label) }
func (d driver) Settle()                   { flush(d.e.t, d.e.bot) }
func (d driver) Messages(actor string) []string {
	var out []string
	for _, p := range d.e.fake.Posts() {
		if p.Channel == dm(d.users[actor]) {
			out = append(out, p.Text)
		}
	}
	return out
}

func TestInvitationsOnSlack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		five := intaketest.Five{Leader: "pl-ingrid",
			Group: [5]string{"ext-nav-jonas", "ext-boligstiftelse", "ext-utleierforening", "ext-husbanken", "sg-bjorn"}}
		e := startWith(t, s, nil, func(spec *store.PlanSpec) { spec.Groups[store.RoleSteeringGroup] = five.Group[:] })
		intaketest.Invitations(t, s, e.plan, newDriver(e), five)
	})
}

func TestAppHomeShowsTheViewersStatus(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	e.send(slackfake.EventsAPI, e.fake.AppHomeOpenedEvent("U0INGRID"))
	e.send(slackfake.EventsAPI, e.fake.AppHomeOpenedEvent("U0JONAS"))
	homes, ok := e.fake.WaitHomes(2, wait)
	if !ok {
		t.Fatalf("%d home tabs published", len(homes))
	}
	byUser := map[string]string{}
	for _, h := range homes {
		byUser[h.User] = string(h.View)
	}
	if !strings.Contains(byUser["U0INGRID"], "Status for") || !strings.Contains(byUser["U0INGRID"], "Innspill per strategi") {
		t.Errorf("the leader's home: %s", byUser["U0INGRID"])
	}
	if strings.Contains(byUser["U0JONAS"], "Innspill per strategi") || !strings.Contains(byUser["U0JONAS"], "Ikke besvart ennå") {
		t.Errorf("an actor's home shows more than their own: %s", byUser["U0JONAS"])
	}
}

// TestInviting300ActorsSurvivesARestart invites 300 actors, stops the bot
// when about half the invitations are out, starts a new one, and checks
// that every actor got exactly one invitation.
func TestInviting300ActorsSurvivesARestart(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	const n = 300
	storetest.LoadExample(t, s, func(spec *store.PlanSpec) {
		for i := 0; i < n; i++ {
			spec.Actors = append(spec.Actors, store.ActorSpec{Key: fmt.Sprintf("innbygger-%03d", i), Name: fmt.Sprintf("Innbygger %d", i),
				Organisation: "Innbyggerpanelet", Kind: store.External, Identities: []store.Identity{{Platform: "slack", Workspace: team, UserID: fmt.Sprintf("U9%05d", i)}}})
		}
	})
	fake := slackfake.New(t, slackfake.Config{TeamID: team, PingInterval: time.Second})
	fake.SetRateLimit(slackfake.RateLimit{Fraction: 0.1, RetryAfter: 1, Seed: 11})
	runBot := func(drain time.Duration) (*bot.Bot, context.CancelFunc, chan error) {
		a := slack.New(slack.Config{BotToken: fake.Config().BotToken, AppToken: fake.Config().AppToken, APIURL: fake.APIURL()})
		b := bot.New(s, intake.New(nil), bot.Config{PollInterval: 20 * time.Millisecond, DrainTimeout: drain}, a)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.Run(ctx) }()
		return b, cancel, done
	}
	invitations := func() map[string]int {
		got := map[string]int{}
		for _, post := range fake.Posts() {
			if strings.HasPrefix(post.Channel, "DU9") && strings.Contains(post.Text, "inviterer deg") {
				got[post.Channel]++
			}
		}
		return got
	}

	_, stop, done := runBot(time.Millisecond)
	if !fake.WaitConnected(1, wait) {
		t.Fatal("not connected")
	}
	fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{User: "U0INGRID", Text: "inviter Innbyggerpanelet"}))
	deadline := time.Now().Add(30 * time.Second)
	for len(invitations()) < n/2 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d invitations out after 30 s", len(invitations()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop() // halfway
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	halfway := len(invitations())
	if halfway >= n {
		t.Fatalf("all were out before the restart (%d)", halfway)
	}

	start := time.Now()
	b2, stop2, done2 := runBot(10 * time.Second)
	defer func() { stop2(); <-done2 }()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for len(invitations()) < n {
		if ctx.Err() != nil {
			t.Fatalf("%d of %d invitations after the restart", len(invitations()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := b2.Flush(ctx, bot.Slack); err != nil {
		t.Fatal(err)
	}
	for ch, count := range invitations() {
		if count != 1 {
			t.Errorf("%s got %d invitations", ch, count)
		}
	}
	var told int
	for _, post := range fake.Posts() {
		if post.Channel == dm("U0INGRID") && strings.Contains(post.Text, "Alle invitasjonene er sendt") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("the leader was told %d times that all were sent", told)
	}
	t.Logf("%d of %d invitations out before the restart; the rest in %s after it, with %d answers of 429",
		halfway, n, time.Since(start).Round(time.Millisecond), fake.RateLimited())
}

// channelDriver plays the channel scenarios on Slack.
type channelDriver struct{ driver }

func (d channelDriver) Channel(key string) string {
	return map[string]string{"innspill": "C0INNSPILL", "referansegruppe": "C0REFGRUPPE"}[key]
}
func (d channelDriver) Command(actor, channel, text string) {
	d.e.send(slackfake.SlashCommands, d.e.fake.SlashCommandPayload(slackfake.SlashCommandParams{User: d.users[actor], Channel: channel, Text: text}))
}
func (d channelDriver) Post(actor, channel, text string) string {
	payload := d.e.fake.MessageEvent(slackfake.MessageParams{User: d.users[actor], Channel: channel, Text: text})
	d.e.send(slackfake.EventsAPI, payload)
	return lastTS(d.e.t, payload)
}
func (d channelDriver) Reply(actor, channel, thread, text string) {
	d.e.send(slackfake.EventsAPI, d.e.fake.MessageEvent(slackfake.MessageParams{User: d.users[actor], Channel: channel, ThreadTS: thread, Text: text}))
}
func (d channelDriver) Posts(channel string) []intaketest.Posted {
	var out []intaketest.Posted
	for _, p := range d.e.fake.Posts() {
		if p.Channel != channel {
			continue
		}
		posted := intaketest.Posted{Ref: p.TS, Thread: p.ThreadTS, Text: p.Text}
		for _, b := range buttons(d.e.t, slackfake.Post{Blocks: p.Blocks}) {
			posted.Buttons = append(posted.Buttons, b.label)
		}
		out = append(out, posted)
	}
	return out
}
func (d channelDriver) Click(actor, channel string, p intaketest.Posted, label string) {
	for _, post := range d.e.fake.Posts() {
		if post.TS != p.Ref {
			continue
		}
		for _, b := range buttons(d.e.t, post) {
			if strings.HasPrefix(b.label, label) {
				d.e.send(slackfake.Interactive, d.e.fake.BlockActionsPayload(slackfake.BlockActionParams{
					ActionID: b.actionID, Channel: channel, MessageTS: post.TS, User: d.users[actor]}))
				return
			}
		}
	}
	d.e.t.Fatalf("no button %q on %s", label, p.Ref)
}

func TestIdeaSessionOnSlack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := start(t, s, nil)
		intaketest.IdeaSession(t, s, e.plan, channelDriver{newDriver(e)}, "pl-ingrid", "ext-nav-jonas", "ext-bymisjon")
	})
}

func TestIntakeChannelOnSlack(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	intaketest.IntakeChannel(t, s, e.plan, channelDriver{newDriver(e)}, "ext-nav-jonas", "ext-utleierforening")
}

// hearingDriver plays the hearing on Slack: reactions change what the fake
// workspace shows, and reach the bot unless they are lost on the way.
type hearingDriver struct{ channelDriver }

func (d hearingDriver) Channel(key string) string {
	return map[string]string{"innspill": "C0INNSPILL", "referansegruppe": "C0REFGRUPPE", "styringsgruppe": "C0STYRING"}[key]
}

// slackNames are the names Slack gives the scenario's emoji.
var slackNames = map[string]string{"👍": "+1", "👎": "-1", "🤔": "thinking_face", "🎉": "tada"}

func (d hearingDriver) React(actor, channel, ref, emoji string, remove, deliver bool) {
	name, user := slackNames[emoji], d.users[actor]
	if name == "" || user == "" {
		d.e.t.Fatalf("no Slack name for %q or no Slack user for %s", emoji, actor)
	}
	rs := d.e.fake.Reactions(channel, ref)
	i := slices.IndexFunc(rs, func(r slackfake.Reaction) bool { return r.Name == name })
	switch {
	case !remove && i < 0:
		rs = append(rs, slackfake.Reaction{Name: name, Users: []string{user}})
	case !remove && !slices.Contains(rs[i].Users, user):
		rs[i].Users = append(rs[i].Users, user)
	case remove && i >= 0:
		rs[i].Users = slices.DeleteFunc(rs[i].Users, func(u string) bool { return u == user })
		if len(rs[i].Users) == 0 {
			rs = slices.Delete(rs, i, i+1)
		}
	}
	d.e.fake.SetReactions(channel, ref, rs...)
	if deliver {
		d.e.send(slackfake.EventsAPI, d.e.fake.ReactionEvent(slackfake.ReactionParams{User: user, Channel: channel, TS: ref, Reaction: name, Removed: remove}))
	}
}
func (d hearingDriver) Lossy() bool                     { return true }
func (d hearingDriver) JobEnv(now time.Time) bot.JobEnv { return d.e.bot.JobEnv(now) }

var slackCast = intaketest.HearingCast{Leader: "pl-ingrid", Members: [3]string{"ext-nav-jonas", "ext-utleierforening", "ext-bymisjon"},
	NonMember: "pg-espen", Steering: [2]string{"sg-bjorn", "sg-hilde"}}

func TestHearingOnSlack(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := start(t, s, nil)
		intaketest.Hearing(t, s, e.plan, hearingDriver{channelDriver{newDriver(e)}}, slackCast)
		// The vote reactions were seeded on each post, by name.
		for _, p := range e.fake.Posts() {
			if p.Channel == "C0REFGRUPPE" && p.ThreadTS == "" && strings.HasPrefix(p.Text, "Tiltak ") {
				var names []string
				for _, r := range e.fake.Reactions(p.Channel, p.TS) {
					if slices.Contains(r.Users, e.fake.Config().BotUserID) {
						names = append(names, r.Name)
					}
				}
				slices.Sort(names)
				if !slices.Equal(names, []string{"+1", "-1", "thinking_face"}) {
					t.Errorf("the bot's reactions on %s: %v", p.TS, names)
				}
			}
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
			data = append(data, "<p>Bolig først – æøå &amp; <!channel></p>\r\n"...)
		}
	}
	return &bot.File{Name: "digest-fjordvik.html", Title: "Ukesammendrag for Fjordvik", MIME: "text/html; charset=utf-8", Data: data}
}

// fileSender answers every message with a digest file: to the writer's DM
// (named by user, as bot.DMTo does) for a DM, in the thread for a thread
// reply.
func fileSender(file *bot.File) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
		if req.Kind != bot.KindMessage {
			return nil, nil
		}
		m := req.Reply("Sammendraget, som <!channel> & <@U0INGRID> ba om: " + req.Text)
		if req.DM {
			m.Channel = bot.DMTo(req.User)
		}
		m.File = file
		return []bot.Message{m}, nil
	})
}

func TestFileIsUploadedToTheDirectMessageAndThread(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	file := digestFile()
	e := start(t, s, fileSender(file))
	const user = "U0JONAS"
	e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: user, Text: "uke 48"}))
	ups, ok := e.fake.WaitUploads(1, wait)
	if !ok {
		t.Fatalf("no upload; calls: %v", methods(e.fake.Calls()))
	}
	up := ups[0]
	if !bytes.Equal(up.Data, file.Data) || up.Length != len(file.Data) {
		t.Errorf("the file arrived with %d bytes (declared %d), want the %d sent, intact", len(up.Data), up.Length, len(file.Data))
	}
	if up.Channel != dm(user) || up.ThreadTS != "" || up.Filename != file.Name || up.Title != file.Title {
		t.Errorf("upload = channel %q thread %q name %q title %q", up.Channel, up.ThreadTS, up.Filename, up.Title)
	}
	const comment = "Sammendraget, som &lt;!channel&gt; &amp; &lt;@U0INGRID&gt; ba om: uke 48"
	if up.InitialComment != comment {
		t.Errorf("initial comment %q, want the text escaped: %q", up.InitialComment, comment)
	}
	// The three calls of Slack's external upload, and no post beside them.
	want := []string{"conversations.open", "files.getUploadURLExternal", slackfake.UploadURLCall, "files.completeUploadExternal"}
	if got := methods(e.fake.Calls()); !slices.Equal(got[len(got)-len(want):], want) {
		t.Errorf("calls %v, want them to end with %v", got, want)
	}
	if n := e.posts(dm(user)); n != 0 {
		t.Errorf("%d posts beside the upload", n)
	}
	msgs := botMessages(e.fake, dm(user))
	if len(msgs) != 1 || !slices.Equal(msgs[0].Files, []string{up.FileID}) || msgs[0].Text != comment || msgs[0].TS != up.TS {
		t.Errorf("the bot's messages in the DM: %+v, want one sharing %s", msgs, up.FileID)
	}

	// In a channel thread the file goes into the thread.
	root := e.fake.AddMessage(slackfake.Message{Channel: "C0REFGRUPPE", User: "U0INGRID", Text: "Tiltak 1"})
	e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: user, Channel: "C0REFGRUPPE", ThreadTS: root, Text: "tråd"}))
	ups, ok = e.fake.WaitUploads(2, wait)
	if !ok {
		t.Fatal("no upload in the thread")
	}
	if up := ups[1]; up.Channel != "C0REFGRUPPE" || up.ThreadTS != root || !bytes.Equal(up.Data, file.Data) {
		t.Errorf("thread upload = channel %q thread %q, %d bytes", up.Channel, up.ThreadTS, len(up.Data))
	}

	// Send's reference for an upload is the file's ID (Slack names no message).
	ref, err := e.adapter.Send(context.Background(), bot.Message{Platform: bot.Slack, Channel: "C0INNSPILL", Text: "direkte", File: file})
	if ups := e.fake.Uploads(); err != nil || len(ups) != 3 || ref != ups[2].FileID || ups[2].Channel != "C0INNSPILL" {
		t.Errorf("Send = %q, %v; uploads %d", ref, err, len(ups))
	}
	// A file Slack cannot take is a permanent failure, not retried.
	_, err = e.adapter.Send(context.Background(), bot.Message{Platform: bot.Slack, Channel: "C0UKJENT", Text: "x", File: file})
	var perm *bot.PermanentError
	if !errors.As(err, &perm) {
		t.Errorf("upload to an unknown channel: %v, want a permanent error", err)
	}
	_, err = e.adapter.Send(context.Background(), bot.Message{Platform: bot.Slack, Channel: "C0INNSPILL", Text: "x", File: &bot.File{Name: "tom.txt"}})
	if !errors.As(err, &perm) {
		t.Errorf("upload of an empty file: %v, want a permanent error", err)
	}
}

func TestFileUploadRateLimitedAtEachStepArrivesOnce(t *testing.T) {
	t.Parallel()
	for _, step := range []string{"files.getUploadURLExternal", slackfake.UploadURLCall, "files.completeUploadExternal"} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			s := storetest.Open(t, storetest.New(t, "sqlite").URL)
			file := digestFile()
			e := start(t, s, fileSender(file))
			e.fake.SetRateLimit(slackfake.RateLimit{Fraction: 1, RetryAfter: 1, Methods: []string{step}, Max: 1})
			const user = "U0KJETIL"
			e.send(slackfake.EventsAPI, e.fake.MessageEvent(slackfake.MessageParams{User: user, Text: "uke 48"}))
			flush(t, e.bot)
			if e.fake.RateLimited() != 1 {
				t.Fatalf("%d answers of 429, want 1; the test proves nothing", e.fake.RateLimited())
			}
			limited := slices.IndexFunc(e.fake.Calls(), func(c slackfake.Call) bool { return c.Status == http.StatusTooManyRequests })
			if c := e.fake.Calls()[limited]; c.Method != step {
				t.Fatalf("429 on %s, want %s", c.Method, step)
			}
			ups := e.fake.Uploads()
			if len(ups) != 1 || !bytes.Equal(ups[0].Data, file.Data) || ups[0].Channel != dm(user) {
				var got []string
				for _, u := range ups {
					got = append(got, fmt.Sprintf("%s: %d bytes, intact %v", u.Channel, len(u.Data), bytes.Equal(u.Data, file.Data)))
				}
				t.Fatalf("uploads %v, want one to %s, intact", got, dm(user))
			}
			// The retry ran the whole flow again, after Slack's Retry-After.
			count := map[string]int{}
			for _, c := range e.fake.Calls() {
				count[c.Method]++
			}
			wantCompletes := 1
			if step == "files.completeUploadExternal" {
				wantCompletes = 2
			}
			if count["files.getUploadURLExternal"] != 2 || count["files.completeUploadExternal"] != wantCompletes {
				t.Errorf("calls %v, want 2 getUploadURLExternal and %d completeUploadExternal", count, wantCompletes)
			}
			if msgs := botMessages(e.fake, dm(user)); len(msgs) != 1 {
				t.Errorf("the bot wrote %d messages in the DM, want the one upload", len(msgs))
			}
			// What the bot saw: Slack's Retry-After as a *bot.RetryAfterError.
			e.fake.SetRateLimit(slackfake.RateLimit{Fraction: 1, RetryAfter: 3, Methods: []string{step}, Max: 1})
			_, err := e.adapter.Send(context.Background(), bot.Message{Platform: bot.Slack, Channel: dm(user), Text: "igjen", File: file})
			var ra *bot.RetryAfterError
			if !errors.As(err, &ra) || ra.After != 3*time.Second {
				t.Errorf("a 429 on %s: %v, want *bot.RetryAfterError{3s}", step, err)
			}
			if n := len(e.fake.Uploads()); n != 1 {
				t.Errorf("%d uploads after a refused one, want 1", n)
			}
		})
	}
}

// botMessages are the bot's own messages in a channel.
func botMessages(fake *slackfake.Server, channel string) []slackfake.Message {
	return slices.DeleteFunc(fake.Messages(channel), func(m slackfake.Message) bool { return m.BotID == "" })
}

func methods(calls []slackfake.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

// The digest asked for with /dugnad digest in a channel arrives privately
// as an upload; someone outside the project group is refused.
func TestDigestOnSlack(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	intaketest.ScriptPhase3(t, s, e.plan)
	d := channelDriver{newDriver(e)}
	d.Command("pl-ingrid", "C0PROSJEKT", "digest xlsx")
	ups, ok := e.fake.WaitUploads(1, wait)
	if !ok {
		t.Fatal("no upload")
	}
	up := ups[0]
	if up.Channel != dm(d.users["pl-ingrid"]) || !strings.HasSuffix(up.Filename, ".xlsx") || !bytes.HasPrefix(up.Data, []byte("PK")) ||
		!strings.Contains(up.InitialComment, "9 innspill (2 ikke brukt i noe tiltak), 6 tiltak") {
		t.Fatalf("the upload: channel %s, name %s, comment %q", up.Channel, up.Filename, up.InitialComment)
	}
	n := len(d.Posts("C0REFGRUPPE"))
	d.Command("ext-bymisjon", "C0REFGRUPPE", "digest")
	e.lastPost("C0REFGRUPPE", n+1)
	flush(t, e.bot)
	if got := d.Posts("C0REFGRUPPE")[n:]; len(got) != 1 || !strings.Contains(got[0].Text, "Bare prosjektleder og prosjektgruppen") {
		t.Errorf("a reference group member got %v", got)
	}
	if got := len(e.fake.Uploads()); got != 1 {
		t.Errorf("%d uploads, want 1", got)
	}
}

// FindSent finds a message the bot posted after the last one it knows of,
// at the top of a channel or in a thread, and nothing when there is none.
func TestFindSentAfterACrash(t *testing.T) {
	t.Parallel()
	s := storetest.Open(t, storetest.New(t, "sqlite").URL)
	e := start(t, s, nil)
	ctx := context.Background()
	first, err := e.adapter.Send(ctx, bot.Message{Platform: bot.Slack, Channel: "C0REFGRUPPE", Text: "først"})
	if err != nil {
		t.Fatal(err)
	}
	next := bot.Message{Platform: bot.Slack, Channel: "C0REFGRUPPE", Text: "så"}
	if _, found, err := e.adapter.FindSent(ctx, next, first); err != nil || found {
		t.Fatalf("found a message after the last one: %v, %v", found, err)
	}
	second, err := e.adapter.Send(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if ref, found, err := e.adapter.FindSent(ctx, next, first); err != nil || !found || ref != second {
		t.Fatalf("FindSent: %q, %v, %v; want %q", ref, found, err, second)
	}
	reply := bot.Message{Platform: bot.Slack, Channel: "C0REFGRUPPE", Thread: first, Text: "i tråden"}
	if _, found, _ := e.adapter.FindSent(ctx, reply, second); found {
		t.Fatal("found a reply before one was sent")
	}
	third, err := e.adapter.Send(ctx, reply)
	if err != nil {
		t.Fatal(err)
	}
	if ref, found, err := e.adapter.FindSent(ctx, reply, second); err != nil || !found || ref != third {
		t.Fatalf("FindSent in a thread: %q, %v, %v; want %q", ref, found, err, third)
	}

	// An upload is found by its file, and known by the file's ID.
	upload := bot.Message{Platform: bot.Slack, Channel: "C0REFGRUPPE", Text: "sammendraget",
		File: &bot.File{Name: "sammendrag.md", MIME: "text/markdown", Data: []byte("# Sammendrag\n")}}
	if _, found, err := e.adapter.FindSent(ctx, upload, second); err != nil || found {
		t.Fatalf("found an upload before one was made: %v, %v", found, err)
	}
	fileID, err := e.adapter.Send(ctx, upload)
	if err != nil {
		t.Fatal(err)
	}
	if ref, found, err := e.adapter.FindSent(ctx, upload, second); err != nil || !found || ref != fileID {
		t.Fatalf("FindSent for an upload: %q, %v, %v; want %q", ref, found, err, fileID)
	}
	other := upload
	other.File = &bot.File{Name: "annet.md", Data: []byte("x")}
	if _, found, _ := e.adapter.FindSent(ctx, other, second); found {
		t.Error("another file's upload was taken for this one")
	}
	// After an upload there is no place in the channel to look from: the
	// adapter says it cannot tell, and the dispatcher sends.
	if _, found, err := e.adapter.FindSent(ctx, next, fileID); found || !errors.As(err, new(*bot.PermanentError)) {
		t.Errorf("FindSent after an upload: %v, %v; want a permanent error", found, err)
	}
}
