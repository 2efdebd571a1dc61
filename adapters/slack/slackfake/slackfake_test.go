package slackfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/kommune-dugnad/dugnad/adapters/slack/slackfake"
)

const wait = 3 * time.Second

// newFake starts a fake with a short ping interval, so a socketmode client
// with OptionPingInterval(time.Second) stays connected.
func newFake(t *testing.T, cfg slackfake.Config) *slackfake.Server {
	t.Helper()
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 100 * time.Millisecond
	}
	return slackfake.New(t, cfg)
}

// runSocketMode runs a real socketmode client against fake and returns the
// client and a channel of the events a bot cares about. The client is
// stopped by t.Cleanup (before the fake closes).
func runSocketMode(t *testing.T, fake *slackfake.Server) (*socketmode.Client, <-chan socketmode.Event) {
	t.Helper()
	sm := socketmode.New(fake.Client(), socketmode.OptionPingInterval(time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sm.RunContext(ctx) }()
	events := make(chan socketmode.Event, 100)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-sm.Events:
				switch e.Type {
				case socketmode.EventTypeHello, socketmode.EventTypeEventsAPI,
					socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
					events <- e
				}
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("socketmode client did not stop")
		}
	})
	return sm, events
}

func nextEvent(t *testing.T, events <-chan socketmode.Event, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case e := <-events:
			if e.Type == typ {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event within %v", typ, wait)
		}
	}
}

func TestPayloadDir(t *testing.T) {
	dir := slackfake.PayloadDir()
	rel := filepath.FromSlash("../../../../shared/payloads/slack")
	for _, d := range []string{dir, rel} {
		if _, err := os.Stat(filepath.Join(d, "socket_mode_hello.json")); err != nil {
			t.Errorf("payload dir %s: %v", d, err)
		}
	}
	abs, _ := filepath.Abs(rel)
	if filepath.Clean(dir) != abs {
		t.Errorf("PayloadDir() = %s, want %s", dir, abs)
	}
}

// headerRecorder is an http.Client transport that keeps the last response's
// headers, to see what a client library may hide.
type headerRecorder struct {
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		h.mu.Lock()
		h.last = resp.Header.Clone()
		h.mu.Unlock()
	}
	return resp, err
}

func TestAuthTestAndScopes(t *testing.T) {
	fake := newFake(t, slackfake.Config{BotUserID: "U0BOT", BotID: "B0BOT"})
	rec := &headerRecorder{}
	api := fake.Client(slack.OptionHTTPClient(&http.Client{Transport: rec}))

	resp, err := api.AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fake.Config()
	if resp.UserID != "U0BOT" || resp.BotID != "B0BOT" || resp.TeamID != cfg.TeamID ||
		resp.User != cfg.BotName || resp.Team != cfg.TeamName || resp.URL != "https://dugnad-test.slack.com/" {
		t.Errorf("auth.test = %+v", resp)
	}
	want := strings.Join(slackfake.DefaultScopes, ",")
	if got := rec.last.Get("X-OAuth-Scopes"); got != want {
		t.Errorf("X-OAuth-Scopes on the wire = %q, want %q", got, want)
	}
	if got := resp.Header.Get("X-OAuth-Scopes"); got != want { // slack-go v0.35 exposes it too
		t.Errorf("AuthTestResponse.Header X-OAuth-Scopes = %q, want %q", got, want)
	}

	// A test can take a scope away: the header shows it, and methods needing it fail.
	fake.SetScopes(slices.DeleteFunc(slices.Clone(slackfake.DefaultScopes), func(s string) bool { return s == "chat:write" })...)
	resp, err = api.AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(resp.Header.Get("X-OAuth-Scopes"), "chat:write") {
		t.Errorf("removed scope still reported: %q", resp.Header.Get("X-OAuth-Scopes"))
	}
	fake.AddChannel("C1")
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err == nil || err.Error() != "missing_scope" {
		t.Errorf("post without chat:write: err = %v, want missing_scope", err)
	}

	// Token checks.
	if _, err := slack.New("xoxb-wrong", slack.OptionAPIURL(fake.APIURL())).AuthTest(); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("unknown token: err = %v, want invalid_auth", err)
	}
	if _, err := slack.New(cfg.AppToken, slack.OptionAPIURL(fake.APIURL())).AuthTest(); err == nil || err.Error() != "not_allowed_token_type" {
		t.Errorf("app token on auth.test: err = %v, want not_allowed_token_type", err)
	}
	noApp := slack.New(cfg.BotToken, slack.OptionAPIURL(fake.APIURL()))
	if _, _, err := noApp.StartSocketModeContext(t.Context()); err == nil || err.Error() != "not_authed" {
		t.Errorf("apps.connections.open without app token: err = %v, want not_authed", err)
	}
	botAsApp := slack.New(cfg.BotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(cfg.BotToken))
	if _, _, err := botAsApp.StartSocketModeContext(t.Context()); err == nil || err.Error() != "not_allowed_token_type" {
		t.Errorf("apps.connections.open with the bot token: err = %v, want not_allowed_token_type", err)
	}
}

func TestSocketModeEventsAckDisconnect(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	bot := fake.Config().BotUserID
	sm, events := runSocketMode(t, fake)

	if !fake.WaitConnected(1, wait) {
		t.Fatal("socketmode client did not connect")
	}
	hello := nextEvent(t, events, socketmode.EventTypeHello)
	if hello.Request.NumConnections != 1 || hello.Request.ConnectionInfo.AppID != fake.Config().AppID {
		t.Errorf("hello = %+v", hello.Request)
	}

	// A thread reply in a channel, parsed by slack-go into a MessageEvent.
	root := fake.AddMessage(slackfake.Message{Channel: "C1", User: "U2", Text: "Forslag: ny benk"})
	id := fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{
		Channel: "C1", User: "U3", Text: "<@" + bot + "> enig &amp; glad", ThreadTS: root,
	}))
	e := nextEvent(t, events, socketmode.EventTypeEventsAPI)
	if e.Request.EnvelopeID != id || e.Request.RetryAttempt != 0 || e.Request.AcceptsResponsePayload {
		t.Errorf("envelope = %+v, want id %s", e.Request, id)
	}
	outer := e.Data.(slackevents.EventsAPIEvent)
	msg, ok := outer.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok {
		t.Fatalf("inner event %T, want *MessageEvent", outer.InnerEvent.Data)
	}
	if msg.Channel != "C1" || msg.User != "U3" || msg.ThreadTimeStamp != root || msg.TimeStamp == root ||
		msg.ChannelType != "channel" || msg.Text != "<@"+bot+"> enig &amp; glad" || msg.Message.ParentUserId != "U2" {
		t.Errorf("message event = %+v", msg)
	}
	if outer.TeamID != fake.Config().TeamID || outer.APIAppID != fake.Config().AppID {
		t.Errorf("outer event = %+v", outer)
	}
	if err := sm.Ack(*e.Request); err != nil {
		t.Fatal(err)
	}
	if payload, ok := fake.WaitAck(id, wait); !ok || payload != nil {
		t.Errorf("WaitAck = %s, %v; want nil payload, true", payload, ok)
	}

	// Re-sending the same envelope (Slack's retry) keeps its ID and bumps retry_attempt.
	fake.Resend(id, "")
	e = nextEvent(t, events, socketmode.EventTypeEventsAPI)
	if e.Request.EnvelopeID != id || e.Request.RetryAttempt != 1 || e.Request.RetryReason != "timeout" {
		t.Errorf("resent envelope = %+v", e.Request)
	}
	_ = sm.Ack(*e.Request)

	// A slash command accepts a response payload in its ack.
	id = fake.SendEvent(slackfake.SlashCommands, fake.SlashCommandPayload(slackfake.SlashCommandParams{User: "U3", Text: "ny sak"}))
	e = nextEvent(t, events, socketmode.EventTypeSlashCommand)
	cmd := e.Data.(slack.SlashCommand)
	if cmd.Command != "/dugnad" || cmd.Text != "ny sak" || cmd.UserID != "U3" || cmd.ChannelID != "DU3" || !e.Request.AcceptsResponsePayload {
		t.Errorf("slash command = %+v (accepts=%v)", cmd, e.Request.AcceptsResponsePayload)
	}
	_ = sm.Ack(*e.Request, map[string]string{"text": "Takk!"})
	if payload, ok := fake.WaitAck(id, wait); !ok || string(payload) != `{"text":"Takk!"}` {
		t.Errorf("slash ack payload = %s, %v", payload, ok)
	}

	// Slack asks the client to reconnect; an event sent meanwhile is not lost.
	fake.Disconnect("refresh_requested")
	id = fake.SendEvent(slackfake.EventsAPI, fake.ReactionEvent(slackfake.ReactionParams{
		User: "U3", Reaction: "thumbsup", Channel: "C1", TS: root,
	}))
	if !fake.WaitConnected(2, wait) {
		t.Fatalf("no reconnect after disconnect; connections = %d", fake.Connections())
	}
	e = nextEvent(t, events, socketmode.EventTypeEventsAPI)
	outer = e.Data.(slackevents.EventsAPIEvent)
	ra, ok := outer.InnerEvent.Data.(*slackevents.ReactionAddedEvent)
	if !ok {
		t.Fatalf("inner event %T, want *ReactionAddedEvent", outer.InnerEvent.Data)
	}
	if ra.User != "U3" || ra.Reaction != "thumbsup" || ra.Item.Channel != "C1" || ra.Item.Timestamp != root || ra.ItemUser != "U2" {
		t.Errorf("reaction event = %+v", ra)
	}
	_ = sm.Ack(*e.Request)
	if _, ok := fake.WaitAck(id, wait); !ok {
		t.Error("reaction envelope not acked")
	}
	if got := fake.Connections(); got != 2 {
		t.Errorf("connections = %d, want 2", got)
	}
	acks := fake.Acks()
	if len(acks) != 4 || acks[3].Conn != 2 {
		t.Errorf("acks = %+v", acks)
	}
}

func TestBlockActionsCarryPostedMessage(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	fake.AddChannel("C1")
	api := fake.Client()
	sm, events := runSocketMode(t, fake)

	btn := slack.NewButtonBlockElement("vote_yes", "plan-7", slack.NewTextBlockObject("plain_text", "Ja", false, false))
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("Stem", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("votes", btn)))
	if err != nil {
		t.Fatal(err)
	}
	fake.SendEvent(slackfake.Interactive, fake.BlockActionsPayload(slackfake.BlockActionParams{
		ActionID: "vote_yes", Channel: "C1", MessageTS: ts, User: "U3",
	}))
	e := nextEvent(t, events, socketmode.EventTypeInteractive)
	cb := e.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("callback = %+v", cb)
	}
	a := cb.ActionCallback.BlockActions[0]
	if a.ActionID != "vote_yes" || a.Value != "plan-7" || a.BlockID != "votes" || a.Text.Text != "Ja" {
		t.Errorf("action = %+v", a)
	}
	if cb.User.ID != "U3" || cb.Channel.ID != "C1" || cb.Container.MessageTs != ts || cb.Message.Timestamp != ts ||
		len(cb.Message.Blocks.BlockSet) != 1 || cb.Team.ID != fake.Config().TeamID || cb.TriggerID == "" {
		t.Errorf("callback = %+v", cb)
	}
	if e.Request.AcceptsResponsePayload {
		t.Error("block_actions envelope accepts a response payload; Slack sends false")
	}
	_ = sm.Ack(*e.Request)
}

func TestPostAndUpdateMessage(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	fake.AddChannel("C1")
	api := fake.Client()

	root := fake.AddMessage(slackfake.Message{Channel: "C1", User: "U2", Text: "root"})
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Plan*", false, false), nil, nil),
		slack.NewActionBlock("votes", slack.NewButtonBlockElement("vote_yes", "p1", slack.NewTextBlockObject("plain_text", "Ja", false, false))),
	}
	ch, ts, err := api.PostMessage("C1", slack.MsgOptionText("Plan", false), slack.MsgOptionBlocks(blocks...), slack.MsgOptionTS(root))
	if err != nil {
		t.Fatal(err)
	}
	if ch != "C1" || ts == "" || ts == root {
		t.Errorf("PostMessage = %q, %q", ch, ts)
	}
	posts, ok := fake.WaitPosts(1, wait)
	if !ok {
		t.Fatal("no post")
	}
	p := posts[0]
	if p.Channel != "C1" || p.TS != ts || p.ThreadTS != root || p.Text != "Plan" || p.Form.Get("token") != fake.Config().BotToken {
		t.Errorf("post = %+v", p)
	}
	var got slack.Blocks
	if err := json.Unmarshal(p.Blocks, &got); err != nil || len(got.BlockSet) != 2 ||
		got.BlockSet[1].(*slack.ActionBlock).Elements.ElementSet[0].(*slack.ButtonBlockElement).ActionID != "vote_yes" {
		t.Errorf("recorded blocks %s → %+v, %v", p.Blocks, got, err)
	}

	// Timestamps are unique and increasing.
	_, ts2, err := api.PostMessage("C1", slack.MsgOptionText("to", false))
	if err != nil || !(ts2 > ts) {
		t.Errorf("second ts %q (err %v) not after %q", ts2, err, ts)
	}

	if _, _, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("Plan (lukket)", false)); err != nil {
		t.Fatal(err)
	}
	if u := fake.Updates(); len(u) != 1 || u[0].TS != ts || u[0].Text != "Plan (lukket)" {
		t.Errorf("updates = %+v", u)
	}
	if _, _, _, err := api.UpdateMessage("C1", "1.000000", slack.MsgOptionText("x", false)); err == nil || err.Error() != "message_not_found" {
		t.Errorf("update unknown ts: %v", err)
	}
	if _, _, err := api.PostMessage("C404", slack.MsgOptionText("x", false)); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("post to unknown channel: %v", err)
	}
	if _, _, err := api.PostMessage("", slack.MsgOptionText("x", false)); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("post without channel: %v", err)
	}
	if len(fake.Posts()) != 2 {
		t.Errorf("failed posts were recorded: %+v", fake.Posts())
	}
}

func TestRateLimit(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	fake.AddChannel("C1")
	api := fake.Client()

	fake.SetRateLimit(slackfake.RateLimit{Fraction: 1, RetryAfter: 7})
	_, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("err = %v, want *slack.RateLimitedError{7s}", err)
	}
	if _, err := api.AuthTest(); err != nil {
		t.Errorf("auth.test limited without AllMethods: %v", err)
	}
	if n := len(fake.Posts()); n != 0 || fake.RateLimited() != 1 {
		t.Errorf("posts %d, limited %d; want 0, 1", n, fake.RateLimited())
	}

	// A fraction with a seed limits a reproducible subset.
	pattern := func() []bool {
		f := newFake(t, slackfake.Config{Channels: []string{"C1"}})
		f.SetRateLimit(slackfake.RateLimit{Fraction: 0.5, Seed: 42})
		c := f.Client()
		var out []bool
		for range 20 {
			_, _, err := c.PostMessage("C1", slack.MsgOptionText("x", false))
			out = append(out, err != nil)
		}
		if len(f.Posts())+f.RateLimited() != 20 {
			t.Errorf("posts %d + limited %d != 20", len(f.Posts()), f.RateLimited())
		}
		return out
	}
	a, b := pattern(), pattern()
	if !slices.Equal(a, b) || !slices.Contains(a, true) || !slices.Contains(a, false) {
		t.Errorf("seeded patterns %v / %v", a, b)
	}
}

func TestReactions(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	bot := fake.Config().BotUserID
	api := fake.Client()
	ts := fake.AddMessage(slackfake.Message{Channel: "C1", User: bot, BotID: fake.Config().BotID, Text: "Stem!"})
	fake.SetReactions("C1", ts, slackfake.Reaction{Name: "thumbsup", Users: []string{"U1", "U2"}},
		slackfake.Reaction{Name: "thumbsdown", Users: []string{"U3"}})

	item, err := api.GetReactions(slack.ItemRef{Channel: "C1", Timestamp: ts}, slack.GetReactionsParameters{Full: true})
	if err != nil {
		t.Fatal(err)
	}
	if item.Type != "message" || item.Channel != "C1" || item.Message == nil || item.Message.Timestamp != ts ||
		len(item.Reactions) != 2 || item.Reactions[0].Name != "thumbsup" || item.Reactions[0].Count != 2 ||
		!slices.Equal(item.Reactions[0].Users, []string{"U1", "U2"}) {
		t.Errorf("reactions.get = %+v", item)
	}

	if err := api.AddReaction("thumbsup", slack.ItemRef{Channel: "C1", Timestamp: ts}); err != nil {
		t.Fatal(err)
	}
	if err := api.AddReaction("thumbsup", slack.ItemRef{Channel: "C1", Timestamp: ts}); err == nil || err.Error() != "already_reacted" {
		t.Errorf("second add: %v", err)
	}
	if r := fake.Reactions("C1", ts); r[0].Count != 3 || !slices.Contains(r[0].Users, bot) {
		t.Errorf("after add: %+v", r)
	}
	if err := api.RemoveReaction("thumbsup", slack.ItemRef{Channel: "C1", Timestamp: ts}); err != nil {
		t.Fatal(err)
	}
	if r := fake.Reactions("C1", ts); r[0].Count != 2 {
		t.Errorf("after remove: %+v", r)
	}
	if _, err := api.GetReactions(slack.ItemRef{Channel: "C1", Timestamp: "1.0"}, slack.GetReactionsParameters{}); err == nil || err.Error() != "message_not_found" {
		t.Errorf("unknown message: %v", err)
	}
}

func TestConversationRepliesPaginate(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	api := fake.Client()
	root := fake.AddMessage(slackfake.Message{Channel: "C1", User: "U1", Text: "root"})
	want := []string{root}
	for i := range 7 {
		want = append(want, fake.AddMessage(slackfake.Message{Channel: "C1", User: "U2", Text: "r" + string(rune('a'+i)), ThreadTS: root}))
	}
	fake.AddMessage(slackfake.Message{Channel: "C1", User: "U2", Text: "other"}) // not in the thread
	_, ts, err := api.PostMessage("C1", slack.MsgOptionText("bot reply", false), slack.MsgOptionTS(root))
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, ts)

	var got []string
	var first slack.Message
	cursor, pages := "", 0
	for {
		msgs, hasMore, next, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{
			ChannelID: "C1", Timestamp: root, Cursor: cursor, Limit: 2,
		})
		if err != nil {
			t.Fatal(err)
		}
		if pages == 0 {
			first = msgs[0]
		}
		pages++
		if len(msgs) > 2 {
			t.Errorf("page of %d > limit 2", len(msgs))
		}
		for _, m := range msgs {
			got = append(got, m.Timestamp)
		}
		if hasMore != (next != "") {
			t.Errorf("has_more %v with cursor %q", hasMore, next)
		}
		if !hasMore {
			break
		}
		cursor = next
	}
	if !slices.Equal(got, want) || pages != 5 {
		t.Errorf("paged %d pages: %v, want %v", pages, got, want)
	}
	if first.Timestamp != root || first.ReplyCount != 8 || first.ThreadTimestamp != root {
		t.Errorf("root = %+v", first.Msg)
	}
	// A reply's ts names the same thread.
	msgs, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: want[3]})
	if err != nil || len(msgs) != 9 || msgs[0].Timestamp != root || msgs[8].BotID != fake.Config().BotID {
		t.Errorf("replies by reply ts: %d msgs, err %v", len(msgs), err)
	}
}

func TestConversationsOpenAndUsersInfo(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	fake.AddUser(slackfake.User{ID: "U1", Name: "kari", RealName: "Kari Nordmann", DisplayName: "Kari"})
	api := fake.Client()

	ch, _, already, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || ch.ID != "DU1" || already {
		t.Fatalf("open = %+v, %v, %v", ch, already, err)
	}
	ch, _, already, err = api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || ch.ID != "DU1" || !already {
		t.Errorf("reopen = %+v, %v, %v", ch, already, err)
	}
	if _, _, err := api.PostMessage("DU1", slack.MsgOptionText("hei", false)); err != nil {
		t.Errorf("post to opened DM: %v", err)
	}

	u, err := api.GetUserInfo("U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "U1" || u.Name != "kari" || u.RealName != "Kari Nordmann" || u.Profile.DisplayName != "Kari" || u.TeamID != fake.Config().TeamID {
		t.Errorf("user = %+v", u)
	}
	if _, err := api.GetUserInfo("U404"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
}

// dialRaw opens a Socket Mode connection with a bare WebSocket client.
func dialRaw(t *testing.T, fake *slackfake.Server) *websocket.Conn {
	t.Helper()
	_, u, err := fake.Client().StartSocketModeContext(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func readFrame(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return m
}

// sameShape reports whether got has exactly the keys of the recorded
// payload want, recursively for nested objects, apart from the keys named
// in extra (as "path.key") that the fake adds on purpose.
func sameShape(t *testing.T, what string, got, want map[string]any, extra ...string) {
	t.Helper()
	for k, wv := range want {
		gv, ok := got[k]
		if !ok {
			t.Errorf("%s: key %q missing", what, k)
			continue
		}
		if wm, ok := wv.(map[string]any); ok {
			gm, ok := gv.(map[string]any)
			if !ok {
				t.Errorf("%s: %q is %T, want object", what, k, gv)
				continue
			}
			sameShape(t, what+"."+k, gm, wm, extra...)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && !slices.Contains(extra, what+"."+k) {
			t.Errorf("%s: extra key %q", what, k)
		}
	}
}

func loadPayload(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(slackfake.PayloadDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRawFramesMatchRecordedShapes(t *testing.T) {
	fake := newFake(t, slackfake.Config{PingInterval: 50 * time.Millisecond})
	conn := dialRaw(t, fake)
	pings := make(chan struct{}, 10)
	conn.SetPingHandler(func(data string) error {
		select {
		case pings <- struct{}{}:
		default:
		}
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})

	hello := readFrame(t, conn)
	sameShape(t, "hello", hello, loadPayload(t, "socket_mode_hello.json"))

	id := fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{Text: "hei"}))
	env := readFrame(t, conn) // pings are handled inside ReadMessage
	// Blocks are added on purpose: Slack attaches rich_text blocks to user
	// messages (see socket_mode_events_api_app_mention.json).
	sameShape(t, "envelope", env, loadPayload(t, "socket_mode_events_api_message.json"), "envelope.payload.event.blocks")
	if env["envelope_id"] != id || env["type"] != "events_api" {
		t.Errorf("envelope = %v", env)
	}
	select {
	case <-pings:
	default:
		t.Error("no WebSocket PING received")
	}
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"`+id+`"}`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := fake.WaitAck(id, wait); !ok {
		t.Error("raw ack not recorded")
	}

	// The fake answers client pings: the pong is written before the fake
	// reads the next frame, so it arrives before the disconnect below.
	pong := make(chan string, 1)
	conn.SetPongHandler(func(data string) error { pong <- data; return nil })
	if err := conn.WriteControl(websocket.PingMessage, []byte("p1"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"sync"}`))
	fake.WaitAck("sync", wait)

	fake.Disconnect("too_many_websockets")
	disc := readFrame(t, conn)
	sameShape(t, "disconnect", disc, loadPayload(t, "socket_mode_disconnect.json"))
	if disc["reason"] != "too_many_websockets" {
		t.Errorf("disconnect = %v", disc)
	}
	select {
	case p := <-pong:
		if p != "p1" {
			t.Errorf("pong %q, want p1", p)
		}
	default:
		t.Error("client ping not answered")
	}
}

func TestQueueAndRedelivery(t *testing.T) {
	fake := newFake(t, slackfake.Config{RedeliverAfter: 150 * time.Millisecond})

	// Nothing connected: the envelope waits for the first connection.
	id := fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{Text: "kø"}))
	conn := dialRaw(t, fake)
	if f := readFrame(t, conn); f["type"] != "hello" {
		t.Fatalf("first frame %v, want hello", f)
	}
	if f := readFrame(t, conn); f["envelope_id"] != id || f["retry_attempt"] != 0.0 {
		t.Fatalf("queued envelope = %v", f)
	}
	// Not acked: Slack's retry arrives with the same envelope ID.
	f := readFrame(t, conn)
	if f["envelope_id"] != id || f["retry_attempt"] != 1.0 || f["retry_reason"] != "timeout" {
		t.Fatalf("redelivery = %v", f)
	}
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"envelope_id":"`+id+`"}`))
	if _, ok := fake.WaitAck(id, wait); !ok {
		t.Fatal("ack not recorded")
	}

	// The connection dies; what is sent meanwhile reaches the next one.
	fake.DropConnections()
	id2 := fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{Text: "etter brudd"}))
	conn2 := dialRaw(t, fake)
	readFrame(t, conn2) // hello
	if f := readFrame(t, conn2); f["envelope_id"] != id2 {
		t.Fatalf("after reconnect got %v, want envelope %s", f, id2)
	}
	if fake.Connections() != 2 {
		t.Errorf("connections = %d", fake.Connections())
	}
}

func TestBuildersParseWithSlackGo(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	parse := func(b json.RawMessage) slackevents.EventsAPIEvent {
		t.Helper()
		ev, err := slackevents.ParseEvent(b, slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatalf("ParseEvent(%s): %v", b, err)
		}
		return ev
	}
	dm := parse(fake.MessageEvent(slackfake.MessageParams{User: "U7", Text: "hei <@U1|kari> &lt;3"}))
	m := dm.InnerEvent.Data.(*slackevents.MessageEvent)
	if m.Channel != "DU7" || m.ChannelType != "im" || m.ThreadTimeStamp != "" || len(m.Blocks.BlockSet) != 1 {
		t.Errorf("DM message = %+v", m)
	}
	mention := parse(fake.AppMentionEvent(slackfake.MessageParams{Text: "hjelp"}))
	am := mention.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if am.Channel != slackfake.DefaultChannel || am.Text != "<@"+fake.Config().BotUserID+"> hjelp" {
		t.Errorf("app_mention = %+v", am)
	}
	removed := parse(fake.ReactionEvent(slackfake.ReactionParams{Reaction: "x", Channel: "C1", TS: "1.2", Removed: true}))
	if r, ok := removed.InnerEvent.Data.(*slackevents.ReactionRemovedEvent); !ok || r.Reaction != "x" {
		t.Errorf("reaction_removed = %#v", removed.InnerEvent.Data)
	}
	if dm.InnerEvent.Type == "" || dm.Data.(*slackevents.EventsAPICallbackEvent).EventID == mention.Data.(*slackevents.EventsAPICallbackEvent).EventID {
		t.Error("event IDs are not unique")
	}
}

func TestSignedHTTPRequests(t *testing.T) {
	fake := newFake(t, slackfake.Config{})
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"

	ts, sig := slackfake.Sign(secret, []byte("body"), time.Unix(1531420618, 0))
	if ts != "1531420618" || !strings.HasPrefix(sig, "v0=") || len(sig) != 3+64 {
		t.Errorf("Sign = %q, %q", ts, sig)
	}

	body := fake.MessageEvent(slackfake.MessageParams{Text: "over http"})
	req := slackfake.NewEventsRequest(t, "http://bot.example/slack/events", secret, body, 2)
	sv, err := slack.NewSecretsVerifier(req.Header, secret)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = sv.Write(body)
	if err := sv.Ensure(); err != nil {
		t.Errorf("slack-go rejects the signature: %v", err)
	}
	if req.Header.Get("X-Slack-Retry-Num") != "2" || req.Header.Get("X-Slack-Retry-Reason") != "http_timeout" ||
		req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", req.Header)
	}
	if r := slackfake.NewEventsRequest(t, "http://bot.example/", secret, body, 0); r.Header.Get("X-Slack-Retry-Num") != "" {
		t.Error("retry header on a first delivery")
	}

	slash := slackfake.HTTPBody(slackfake.SlashCommands, fake.SlashCommandPayload(slackfake.SlashCommandParams{Text: "a&b"}))
	cmd, err := slack.SlashCommandParse(slackfake.NewEventsRequest(t, "http://bot.example/", secret, slash, 0))
	if err != nil || cmd.Command != "/dugnad" || cmd.Text != "a&b" {
		t.Errorf("slash over HTTP = %+v, %v", cmd, err)
	}
	click := slackfake.HTTPBody(slackfake.Interactive, fake.BlockActionsPayload(slackfake.BlockActionParams{ActionID: "a1", Value: "v", Channel: "C1", MessageTS: "1.2"}))
	cb, err := slack.InteractionCallbackParse(slackfake.NewEventsRequest(t, "http://bot.example/", secret, click, 0))
	if err != nil || cb.ActionCallback.BlockActions[0].ActionID != "a1" {
		t.Errorf("block_actions over HTTP = %+v, %v", cb, err)
	}
}

func TestConcurrentUse(t *testing.T) {
	fake := newFake(t, slackfake.Config{Channels: []string{"C1"}})
	sm, events := runSocketMode(t, fake)
	api := fake.Client()
	fake.WaitConnected(1, wait)

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				if _, _, err := api.PostMessage("C1", slack.MsgOptionText("x", false)); err != nil {
					t.Error(err)
				}
				fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{Channel: "C1", Text: "y"}))
				_ = fake.Posts()
				_ = fake.Acks()
			}
		})
	}
	for range 40 {
		e := nextEvent(t, events, socketmode.EventTypeEventsAPI)
		_ = sm.Ack(*e.Request)
	}
	wg.Wait()
	posts := fake.Posts()
	seen := map[string]bool{}
	for _, p := range posts {
		seen[p.TS] = true
	}
	if len(posts) != 40 || len(seen) != 40 {
		t.Errorf("%d posts, %d distinct ts", len(posts), len(seen))
	}
	if !waitFor(func() bool { return len(fake.Acks()) == 40 }) {
		t.Errorf("acks = %d, want 40", len(fake.Acks()))
	}
}

func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestExternalFileUpload(t *testing.T) {
	fake := newFake(t, slackfake.Config{Channels: []string{"C1"}})
	api := fake.Client()
	ctx := context.Background()
	data := []byte("<h1>Sammendrag</h1>\x00\xff æøå")

	// slack-go's three calls: getUploadURLExternal, POST to the URL, complete.
	file, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: bytes.NewReader(data), FileSize: len(data),
		Filename: "digest.html", Title: "Uke 48", Channel: "C1", InitialComment: "Her er uka", ThreadTimestamp: "1700000000.000100"})
	if err != nil || file.ID == "" || file.Title != "Uke 48" {
		t.Fatalf("UploadFileContext = %+v, %v", file, err)
	}
	ups := fake.Uploads()
	if len(ups) != 1 {
		t.Fatalf("uploads %+v", ups)
	}
	up := ups[0]
	if up.FileID != file.ID || !bytes.Equal(up.Data, data) || up.Length != len(data) || up.Filename != "digest.html" ||
		up.Title != "Uke 48" || up.Channel != "C1" || up.ThreadTS != "1700000000.000100" || up.InitialComment != "Her er uka" || up.TS == "" {
		t.Errorf("upload = %+v", up)
	}
	var post slackfake.Call
	for _, c := range fake.Calls() {
		if c.Method == slackfake.UploadURLCall {
			post = c
		}
	}
	if post.Status != http.StatusOK || !strings.HasPrefix(post.Form.Get("url"), "/upload/v1/") {
		t.Errorf("upload POST = %+v", post)
	}
	msgs := fake.Messages("C1")
	if len(msgs) != 1 || !slices.Equal(msgs[0].Files, []string{file.ID}) || msgs[0].Text != "Her er uka" || msgs[0].ThreadTS != up.ThreadTS {
		t.Errorf("messages %+v", msgs)
	}

	// The raw wire: getUploadURLExternal's answer, a raw-body upload
	// answered "OK - <length>", and the complete call's answer.
	u, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "a.txt", FileSize: 3})
	if err != nil || !strings.HasPrefix(u.UploadURL, fake.URL()+"/upload/v1/") || !strings.HasPrefix(u.FileID, "F") {
		t.Fatalf("GetUploadURLExternal = %+v, %v", u, err)
	}
	if _, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "C1"}); err == nil || err.Error() != "file_not_found" {
		t.Errorf("complete before the bytes: %v, want file_not_found", err)
	}
	res, err := http.Post(u.UploadURL, "application/octet-stream", strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "OK - 3" {
		t.Errorf("upload answered %d %q", res.StatusCode, body)
	}
	if _, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "C404"}); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("complete to an unknown channel: %v, want channel_not_found", err)
	}
	c, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "C1"})
	if err != nil || len(c.Files) != 1 || c.Files[0].ID != u.FileID || c.Files[0].Title != "a.txt" {
		t.Errorf("complete = %+v, %v", c, err)
	}
	if ups := fake.Uploads(); len(ups) != 2 || string(ups[1].Data) != "abc" {
		t.Errorf("uploads %+v", ups)
	}
	if _, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "C1"}); err == nil || err.Error() != "file_not_found" {
		t.Errorf("a second complete: %v, want file_not_found", err)
	}

	// Uploads need files:write; a 429 on the upload POST is slack-go's RateLimitedError.
	fake.SetScopes("chat:write")
	if _, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "a.txt", FileSize: 3}); err == nil || err.Error() != "missing_scope" {
		t.Errorf("without files:write: %v", err)
	}
	fake.SetScopes(slackfake.DefaultScopes...)
	fake.SetRateLimit(slackfake.RateLimit{Fraction: 1, RetryAfter: 2, Methods: []string{slackfake.UploadURLCall}, Max: 1})
	_, err = api.UploadFileContext(ctx, slack.UploadFileParameters{Content: "x", FileSize: 1, Filename: "b.txt", Channel: "C1"})
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second || fake.RateLimited() != 1 {
		t.Errorf("limited upload: %v", err)
	}
	if _, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Content: "x", FileSize: 1, Filename: "b.txt", Channel: "C1"}); err != nil {
		t.Errorf("after Max 429s: %v", err)
	}
	if n := len(fake.Uploads()); n != 3 {
		t.Errorf("%d uploads, want 3 (the limited one never completed)", n)
	}
}
