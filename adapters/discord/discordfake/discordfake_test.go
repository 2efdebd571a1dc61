package discordfake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/kommune-dugnad/dugnad/adapters/discord/discordfake"
)

const wait = 5 * time.Second

// TestMain fails the run if a goroutine of the fake or of discordgo is
// still running once every test (and its cleanups) has finished.
//
// The gateway tests mostly wait on discordgo (Session.Close sleeps a second,
// and every reconnect closes first), so unless -test.parallel is given they
// run 8 at a time rather than GOMAXPROCS at a time.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "8")
	}
	code := m.Run()
	if code == 0 {
		if leaked := lingering(3 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// lingering waits up to timeout for goroutines running discordfake or
// discordgo code to end, and returns the stacks of those left.
func lingering(timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var left []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "discordfake.(") || strings.Contains(g, "bwmarrin/discordgo.") {
				if !strings.Contains(g, "discordfake_test.lingering") {
					left = append(left, g)
				}
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return strings.Join(left, "\n\n")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// newFake starts a fake with a 100 ms heartbeat interval.
func newFake(t *testing.T, cfg discordfake.Config) *discordfake.Server {
	t.Helper()
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 100 * time.Millisecond
	}
	return discordfake.New(t, cfg)
}

// session returns an unopened real discordgo session wired to fake the way
// the adapter's tests will do it: the fake's rewriting HTTP client, the
// bot's intents, synchronous events, reconnect on error.
func session(t *testing.T, fake *discordfake.Server) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + fake.Config().Token)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = fake.HTTPClient()
	s.ShouldReconnectOnError = true
	s.SyncEvents = true
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsGuildMessageReactions |
		discordgo.IntentsDirectMessages | discordgo.IntentsDirectMessageReactions | discordgo.IntentMessageContent
	return s
}

// open opens s against the fake and closes it with CloseSession in
// t.Cleanup, which runs before the fake's own cleanup.
func open(t *testing.T, s *discordgo.Session) {
	t.Helper()
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = discordfake.CloseSession(s) })
}

// collect registers a handler that forwards events of type T to a channel.
func collect[T any](s *discordgo.Session) <-chan T {
	ch := make(chan T, 1000)
	s.AddHandler(func(_ *discordgo.Session, e T) { ch <- e })
	return ch
}

func next[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(wait):
		var zero T
		t.Fatalf("no %T within %v", zero, wait)
		return zero
	}
}

func none[T any](t *testing.T, ch <-chan T, d time.Duration) {
	t.Helper()
	select {
	case e := <-ch:
		t.Fatalf("unexpected %T: %+v", e, e)
	case <-time.After(d):
	}
}

func restCode(err error) (int, int) {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Response.StatusCode, re.Message.Code
	}
	if errors.As(err, &re) {
		return re.Response.StatusCode, -1
	}
	return 0, 0
}

func TestDefaultIntents(t *testing.T) {
	if discordfake.DefaultIntents != 46592 {
		t.Errorf("DefaultIntents = %d, want 46592 (PLATFORMS.md §2.2)", discordfake.DefaultIntents)
	}
}

func TestPayloadDir(t *testing.T) {
	dir := discordfake.PayloadDir()
	abs, _ := filepath.Abs(filepath.FromSlash("../../../../shared/payloads/discord"))
	if filepath.Clean(dir) != abs {
		t.Errorf("PayloadDir() = %s, want %s", dir, abs)
	}
	if _, err := os.Stat(filepath.Join(dir, "gateway_ready.json")); err != nil {
		t.Error(err)
	}
}

func TestOpenReadyAndHeartbeats(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	s := session(t, fake)
	ready := collect[*discordgo.Ready](s)
	guilds := collect[*discordgo.GuildCreate](s)
	open(t, s)

	// Open reads READY itself, so the state is there when it returns.
	if s.State.User == nil || s.State.User.ID != cfg.BotUserID || !s.State.User.Bot {
		t.Fatalf("State.User = %+v, want the bot %s", s.State.User, cfg.BotUserID)
	}
	r := next(t, ready)
	if r.SessionID == "" || r.SessionID != fake.SessionID() || r.Application == nil || r.Application.ID != cfg.AppID || r.Version != 9 {
		t.Errorf("READY = %+v (app %+v), fake session %q", r, r.Application, fake.SessionID())
	}
	g := next(t, guilds)
	if g.ID != cfg.GuildID || g.Name != cfg.GuildName || len(g.Channels) != 1 || g.Channels[0].ID != discordfake.DefaultChannelID {
		t.Errorf("GUILD_CREATE = %+v", g.Guild)
	}
	if ch, err := s.State.Channel(discordfake.DefaultChannelID); err != nil || ch.GuildID != cfg.GuildID {
		t.Errorf("state channel = %+v, %v", ch, err)
	}

	ids := fake.Identifies()
	if len(ids) != 1 {
		t.Fatalf("identifies = %d", len(ids))
	}
	id := ids[0]
	if id.Token != "Bot "+cfg.Token || id.Intents != 46592 || id.Properties["$browser"] != "DiscordGo v0.29.0" ||
		!id.Compress || id.LargeThreshold != 250 || id.SessionID != r.SessionID {
		t.Errorf("identify = %+v", id)
	}

	// 100 ms heartbeats, acked: after 600 ms (more than discordgo's 5-interval
	// limit) the first connection is still the only one.
	time.Sleep(600 * time.Millisecond)
	if n := fake.Heartbeats(); n < 4 {
		t.Errorf("heartbeats = %d, want ≥ 4", n)
	}
	if fake.Connections() != 1 || fake.OpenConnections() != 1 {
		t.Errorf("connections = %d (open %d), want 1", fake.Connections(), fake.OpenConnections())
	}
	// The first heartbeat goes out at once and carries the last sequence number.
	for _, f := range fake.ClientFrames() {
		if f.Op == 1 {
			if seq, err := strconv.Atoi(string(f.Data)); err != nil || seq < 1 {
				t.Errorf("heartbeat d = %s", f.Data)
			}
			break
		}
	}
}

func TestMessageCreateDispatches(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	s := session(t, fake)
	msgs := collect[*discordgo.MessageCreate](s)
	open(t, s)

	// A guild message that mentions the bot.
	seq := fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{
		Content: "hei <@" + cfg.BotUserID + ">, ta med kaffe",
	}))
	if seq < 2 {
		t.Errorf("seq = %d", seq)
	}
	m := next(t, msgs)
	if m.ChannelID != discordfake.DefaultChannelID || m.GuildID != cfg.GuildID || m.Author.ID != discordfake.DefaultUserID ||
		m.Content != "hei <@"+cfg.BotUserID+">, ta med kaffe" || m.Type != discordgo.MessageTypeDefault ||
		m.Member == nil || len(m.Mentions) != 1 || m.Mentions[0].ID != cfg.BotUserID || m.Timestamp.IsZero() ||
		len(m.ID) < 18 {
		t.Errorf("guild message = %+v", m.Message)
	}
	root := m.ID
	if got, ok := fake.Message(m.ChannelID, root); !ok || got.Content != m.Content || strings.Contains(string(got.JSON), "guild_id") {
		t.Errorf("stored = %+v, %v (REST shape has no guild_id)", got, ok)
	}

	// A DM: no guild_id, no member, the user's stable DM channel.
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{DM: true, Content: "privat"}))
	m = next(t, msgs)
	if m.GuildID != "" || m.Member != nil || m.ChannelID != fake.DMChannel(discordfake.DefaultUserID) || m.Content != "privat" {
		t.Errorf("DM = %+v", m.Message)
	}

	// A reply inside a thread: the thread is a channel of its own.
	th := fake.AddThread(discordfake.DefaultChannelID, "kaffe", root)
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{ChannelID: th.ID, Content: "i tråden"}))
	m = next(t, msgs)
	if m.ChannelID != root || m.GuildID != cfg.GuildID || m.Content != "i tråden" {
		t.Errorf("thread message = %+v", m.Message)
	}

	// An inline reply: type 19 with message_reference and referenced_message.
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{
		AuthorID: "1187000000000000031", Content: "enig", ReplyTo: root,
	}))
	m = next(t, msgs)
	if m.Type != discordgo.MessageTypeReply || m.MessageReference == nil || m.MessageReference.MessageID != root ||
		m.MessageReference.ChannelID != discordfake.DefaultChannelID || m.MessageReference.GuildID != cfg.GuildID ||
		m.ReferencedMessage == nil || m.ReferencedMessage.ID != root || m.Author.ID != "1187000000000000031" {
		t.Errorf("reply = %+v (ref %+v)", m.Message, m.MessageReference)
	}
	if n := len(fake.Messages(discordfake.DefaultChannelID)); n != 2 {
		t.Errorf("channel history = %d messages, want 2", n)
	}
}

func TestIntentsFilter(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	s := session(t, fake)
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages // no MESSAGE_CONTENT, no reactions
	msgs := collect[*discordgo.MessageCreate](s)
	reactions := collect[*discordgo.MessageReactionAdd](s)
	open(t, s)

	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{Content: "hemmelig"}))
	if m := next(t, msgs); m.Content != "" {
		t.Errorf("guild content without MESSAGE_CONTENT = %q, want empty", m.Content)
	}
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{Content: "<@" + cfg.BotUserID + "> hei"}))
	if m := next(t, msgs); m.Content == "" {
		t.Error("a mention of the bot lost its content")
	}
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{DM: true, Content: "dm"}))
	if m := next(t, msgs); m.Content != "dm" {
		t.Errorf("DM content = %q", m.Content)
	}
	if seq := fake.Dispatch(discordfake.EventMessageReactionAdd, fake.ReactionAdd(discordfake.ReactionParams{MessageID: "1187000000000000099"})); seq != 0 {
		t.Errorf("reaction without the reactions intent was delivered (seq %d)", seq)
	}
	none(t, reactions, 200*time.Millisecond)
}

func TestSendComplexRecordsBody(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	s := session(t, fake) // REST only: no Open needed

	noPings := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	send := &discordgo.MessageSend{
		Content: "Nytt forslag fra <@" + discordfake.DefaultUserID + ">: @everyone stem!",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Ja", Style: discordgo.PrimaryButton, CustomID: "vote:1:yes"},
			discordgo.Button{Label: "Nei", Style: discordgo.SecondaryButton, CustomID: "vote:1:no"},
		}}},
		AllowedMentions: noPings,
	}
	before := time.Now()
	msg, err := s.ChannelMessageSendComplex(discordfake.DefaultChannelID, send)
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.ID) < 18 || len(msg.ID) > 19 || msg.ChannelID != discordfake.DefaultChannelID || msg.Author == nil ||
		msg.Author.ID != cfg.BotUserID || msg.Timestamp.Before(before.Add(-time.Second)) || len(msg.Components) != 1 ||
		msg.Content != send.Content || msg.MentionEveryone || len(msg.Mentions) != 0 {
		t.Errorf("message = %+v", msg)
	}
	sends, _ := fake.WaitSends(1, wait)
	if len(sends) != 1 {
		t.Fatalf("sends = %d", len(sends))
	}
	body := string(sends[0].Body)
	for _, want := range []string{`"allowed_mentions":{"parse":[]`, `"custom_id":"vote:1:yes"`, `"components":[{"components":[{"label":"Ja"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	if sends[0].MessageID != msg.ID || len(sends[0].Pinged) != 0 || sends[0].PingedEveryone {
		t.Errorf("send = %+v", sends[0])
	}

	// Without allowed_mentions Discord would ping the user and @everyone.
	msg2, err := s.ChannelMessageSend(discordfake.DefaultChannelID, send.Content)
	if err != nil {
		t.Fatal(err)
	}
	if !msg2.MentionEveryone || len(msg2.Mentions) != 1 || !strings.Contains(string(fake.Sends()[1].Body), `"components":null`) {
		t.Errorf("default mentions: everyone=%v mentions=%v body %s", msg2.MentionEveryone, msg2.Mentions, fake.Sends()[1].Body)
	}
	if a, b, _ := strings.Cut(msg.ID+" "+msg2.ID, " "); len(a) > len(b) || (len(a) == len(b) && a >= b) {
		t.Errorf("IDs not increasing: %s, %s", msg.ID, msg2.ID)
	}

	// The stored message comes back with GET.
	got, err := s.ChannelMessage(discordfake.DefaultChannelID, msg.ID)
	if err != nil || got.Content != send.Content || len(got.Components) != 1 {
		t.Errorf("ChannelMessage = %+v, %v", got, err)
	}

	// A file upload is multipart: the JSON is the payload_json part.
	up, err := s.ChannelMessageSendComplex(discordfake.DefaultChannelID, &discordgo.MessageSend{
		Content: "Planen", Files: []*discordgo.File{{Name: "plan.txt", ContentType: "text/plain", Reader: strings.NewReader("1. kaffe")}},
		AllowedMentions: noPings,
	})
	if err != nil || len(up.Attachments) != 1 || up.Attachments[0].Filename != "plan.txt" || up.Attachments[0].Size != 8 ||
		up.Attachments[0].ContentType != "text/plain" || !strings.HasSuffix(up.Attachments[0].URL, "/"+up.Attachments[0].ID+"/plan.txt") {
		t.Errorf("upload = %+v, %v", up, err)
	}
	last := fake.Sends()[2]
	if len(last.Files) != 1 || last.Files[0].ID != up.Attachments[0].ID || last.Files[0].Name != "plan.txt" || last.Files[0].ContentType != "text/plain" ||
		string(last.Files[0].Data) != "1. kaffe" || !strings.Contains(string(last.Body), `"content":"Planen"`) {
		t.Errorf("upload send = %+v", last)
	}
	// A file alone is a message; files over the upload limit are refused.
	if _, err := s.ChannelMessageSendComplex(discordfake.DefaultChannelID, &discordgo.MessageSend{
		Files: []*discordgo.File{{Name: "tom.txt", Reader: strings.NewReader("")}}, AllowedMentions: noPings}); err != nil {
		t.Errorf("file without content: %v", err)
	}
	_, err = s.ChannelMessageSendComplex(discordfake.DefaultChannelID, &discordgo.MessageSend{Content: "stor",
		Files: []*discordgo.File{{Name: "stor.bin", Reader: bytes.NewReader(make([]byte, 10<<20+1))}}, AllowedMentions: noPings})
	if status, code := restCode(err); status != http.StatusRequestEntityTooLarge || code != 40005 {
		t.Errorf("too large: %v", err)
	}

	// Discord's errors.
	for name, tc := range map[string]struct {
		channel string
		data    *discordgo.MessageSend
		status  int
		code    int
	}{
		"unknown channel": {"1187000000000000999", &discordgo.MessageSend{Content: "x"}, 404, 10003},
		"empty":           {discordfake.DefaultChannelID, &discordgo.MessageSend{}, 400, 50006},
		"too long":        {discordfake.DefaultChannelID, &discordgo.MessageSend{Content: strings.Repeat("å", 2001)}, 400, 50035},
		"no custom_id": {discordfake.DefaultChannelID, &discordgo.MessageSend{Content: "x", Components: []discordgo.MessageComponent{
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "x", Style: discordgo.PrimaryButton}}}}}, 400, 50035},
	} {
		_, err := s.ChannelMessageSendComplex(tc.channel, tc.data)
		if status, code := restCode(err); status != tc.status || code != tc.code {
			t.Errorf("%s: err = %v, want %d/%d", name, err, tc.status, tc.code)
		}
	}
	if n := len(fake.Sends()); n != 4 {
		t.Errorf("failed sends recorded: %d sends", n)
	}
}

func TestEditMessage(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	msg, err := s.ChannelMessageSend(discordfake.DefaultChannelID, "utkast")
	if err != nil {
		t.Fatal(err)
	}
	edit := discordgo.NewMessageEdit(discordfake.DefaultChannelID, msg.ID).SetContent("ferdig")
	edit.Components = &[]discordgo.MessageComponent{}
	edited, err := s.ChannelMessageEditComplex(edit)
	if err != nil || edited.Content != "ferdig" || edited.EditedTimestamp == nil {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if edits, _ := fake.WaitEdits(1, wait); len(edits) != 1 || !strings.Contains(string(edits[0].Body), `"content":"ferdig"`) {
		t.Errorf("edits = %+v", edits)
	}
	_, err = s.ChannelMessageEdit(discordfake.DefaultChannelID, "1187000000000000999", "x")
	if status, code := restCode(err); status != 404 || code != 10008 {
		t.Errorf("unknown message: %v", err)
	}
	theirs := fake.AddMessage(discordfake.Message{Content: "min"})
	_, err = s.ChannelMessageEdit(discordfake.DefaultChannelID, theirs, "x")
	if status, code := restCode(err); status != 403 || code != 50005 {
		t.Errorf("someone else's message: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	rl := collect[*discordgo.RateLimit](s)

	// One 429: discordgo sleeps retry_after and retries; the message arrives once.
	fake.SetRateLimit(discordfake.RateLimit{Fraction: 1, Max: 1})
	start := time.Now()
	msg, err := s.ChannelMessageSend(discordfake.DefaultChannelID, "én gang")
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("retried after %v, before retry_after", took)
	}
	if fake.RateLimited() != 1 || len(fake.Sends()) != 1 || fake.Sends()[0].MessageID != msg.ID {
		t.Errorf("limited %d, sends %+v", fake.RateLimited(), fake.Sends())
	}
	if e := next(t, rl); e.RetryAfter != 50*time.Millisecond {
		t.Errorf("RateLimit event = %+v", e.TooManyRequests)
	}
	calls := fake.Calls()
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Errorf("calls = %+v", calls)
	}
	if n := len(fake.Messages(discordfake.DefaultChannelID)); n != 1 {
		t.Errorf("stored %d messages, want 1", n)
	}

	// Without retries discordgo returns the 429 as *RateLimitError.
	fake.SetRateLimit(discordfake.RateLimit{Fraction: 1, Max: 1, RetryAfter: 0.25})
	_, err = s.ChannelMessageSend(discordfake.DefaultChannelID, "nei", discordgo.WithRetryOnRatelimit(false))
	var rle *discordgo.RateLimitError
	if !errors.As(err, &rle) || rle.RetryAfter != 250*time.Millisecond {
		t.Errorf("err = %v, want RateLimitError after 250ms", err)
	}

	// The headers and body on the wire.
	fake.SetRateLimit(discordfake.RateLimit{Fraction: 1, Max: 1, RetryAfter: 0.05})
	req, _ := http.NewRequest("POST", "https://discord.com/api/v9/channels/"+discordfake.DefaultChannelID+"/messages",
		strings.NewReader(`{"content":"rå"}`))
	req.Header.Set("Authorization", "Bot "+fake.Config().Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := fake.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 429 || h.Get("Retry-After") != "1" || h.Get("X-RateLimit-Scope") != "user" ||
		h.Get("X-RateLimit-Global") != "false" || h.Get("X-RateLimit-Remaining") != "0" ||
		h.Get("X-RateLimit-Reset-After") != "0.050" || h.Get("X-RateLimit-Bucket") == "" || h.Get("X-RateLimit-Limit") == "" ||
		string(body) != `{"message":"You are being rate limited.","retry_after":0.05,"global":false}` {
		t.Errorf("429 = %d %v %s", resp.StatusCode, h, body)
	}
	for _, tc := range []struct {
		rl            discordfake.RateLimit
		scope, global string
		body          string
	}{
		{discordfake.RateLimit{Fraction: 1, Max: 1, OmitGlobalHeader: true}, "user", "", `"global":false`},
		{discordfake.RateLimit{Fraction: 1, Max: 1, Global: true}, "global", "true", `"global":true`},
	} {
		fake.SetRateLimit(tc.rl)
		resp, err := fake.HTTPClient().Do(req.Clone(req.Context()))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_, hasGlobal := resp.Header["X-Ratelimit-Global"]
		if resp.StatusCode != 429 || resp.Header.Get("X-RateLimit-Scope") != tc.scope || resp.Header.Get("X-RateLimit-Global") != tc.global ||
			(tc.global == "") == hasGlobal || !strings.Contains(string(b), tc.body) {
			t.Errorf("%+v: %d %v %s", tc.rl, resp.StatusCode, resp.Header, b)
		}
	}
	// …and on a normal answer.
	resp, err = fake.HTTPClient().Do(req.Clone(req.Context()))
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Reset") == "" ||
		resp.Header.Get("X-RateLimit-Reset-After") == "" || resp.Header.Get("X-RateLimit-Bucket") != h.Get("X-RateLimit-Bucket") {
		t.Errorf("normal answer headers: %v %v", err, resp)
	}
}

func TestRateLimitFractionIsReproducible(t *testing.T) {
	t.Parallel()
	pattern := func() []int {
		fake := newFake(t, discordfake.Config{})
		s := session(t, fake)
		// Discord's documented per-route 429 (no X-RateLimit-Global), which
		// discordgo handles without waiting for a stale bucket reset.
		fake.SetRateLimit(discordfake.RateLimit{Fraction: 0.5, Seed: 7, RetryAfter: 0.01, OmitGlobalHeader: true})
		for i := range 8 {
			if _, err := s.ChannelMessageSend(discordfake.DefaultChannelID, fmt.Sprint("m", i)); err != nil {
				t.Fatal(err)
			}
		}
		if sends := fake.Sends(); len(sends) != 8 {
			t.Errorf("sends = %d, want 8 (each once)", len(sends))
		} else {
			for i, m := range sends {
				if m.Content != fmt.Sprint("m", i) {
					t.Errorf("send %d = %q", i, m.Content)
				}
			}
		}
		var statuses []int
		for _, c := range fake.Calls() {
			statuses = append(statuses, c.Status)
		}
		if fake.RateLimited() == 0 {
			t.Error("no 429 at fraction 0.5")
		}
		return statuses
	}
	if a, b := pattern(), pattern(); !slices.Equal(a, b) {
		t.Errorf("same seed, different 429s: %v vs %v", a, b)
	}
}

func TestDropResumesAndReplays(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	msgs := collect[*discordgo.MessageCreate](s)
	resumed := collect[*discordgo.Resumed](s)
	open(t, s)

	send := func(text string) string {
		id := fake.NextID()
		fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{ID: id, Content: text}))
		return id
	}
	send("m1")
	if m := next(t, msgs); m.Content != "m1" {
		t.Fatalf("got %q", m.Content)
	}
	sessionID := fake.SessionID()

	fake.Drop()
	send("m2") // while the client is away
	send("m3")
	send("m4")
	if !fake.WaitResumed(1, wait) {
		t.Fatalf("no resume; resumes %+v, identifies %d", fake.Resumes(), len(fake.Identifies()))
	}
	next(t, resumed)
	send("m5")
	var got []string
	for range 4 {
		got = append(got, next(t, msgs).Content)
	}
	none(t, msgs, 200*time.Millisecond)
	if want := []string{"m2", "m3", "m4", "m5"}; !slices.Equal(got, want) {
		t.Errorf("after resume got %v, want %v", got, want)
	}
	r := fake.Resumes()
	if len(r) != 1 || !r[0].Accepted || r[0].SessionID != sessionID || r[0].Replayed != 3 || r[0].Conn != 2 {
		t.Errorf("resumes = %+v", r)
	}
	if n := len(fake.Identifies()); n != 1 || fake.SessionID() != sessionID || fake.Connections() != 2 {
		t.Errorf("identifies %d, session %s→%s, connections %d", n, sessionID, fake.SessionID(), fake.Connections())
	}
}

func TestRequestReconnectResumes(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	msgs := collect[*discordgo.MessageCreate](s)
	open(t, s)

	fake.RequestReconnect()
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{Content: "underveis"}))
	if !fake.WaitResumed(1, wait) {
		t.Fatalf("no resume after op 7: %+v", fake.Resumes())
	}
	if m := next(t, msgs); m.Content != "underveis" {
		t.Errorf("got %q", m.Content)
	}
	none(t, msgs, 200*time.Millisecond)
	// discordgo closes with 1012. Its old heartbeat goroutine may then hit
	// the closed connection (ErrCloseSent) and make it close the new one
	// with 1000 and resume once more; either way nothing is lost or doubled.
	if c := fake.ClientCloses(); len(c) == 0 || c[0].Code != 1012 || c[0].Conn != 1 {
		t.Errorf("client closes = %+v, want 1012 on connection 1 first", c)
	}
	if len(fake.Identifies()) != 1 {
		t.Errorf("identifies = %d", len(fake.Identifies()))
	}
}

func TestZombieConnectionResumes(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	open(t, s)

	fake.SetHeartbeatAcks(false)
	start := time.Now()
	if !fake.WaitResumed(1, wait) {
		t.Fatalf("no resume without ACKs: %+v", fake.Resumes())
	}
	fake.SetHeartbeatAcks(true)
	if took := time.Since(start); took < 500*time.Millisecond {
		t.Errorf("gave up after %v, before 5 intervals", took)
	}
	if c := fake.ClientCloses(); len(c) != 1 || c[0].Code != 1000 {
		t.Errorf("client closes = %+v", c)
	}
}

func TestInvalidSessionIdentifiesAgain(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	msgs := collect[*discordgo.MessageCreate](s)
	ready := collect[*discordgo.Ready](s)
	open(t, s)
	first := next(t, ready).SessionID

	m1 := fake.NextID()
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{ID: m1, Content: "m1"}))
	next(t, msgs)

	fake.InvalidateSession()
	fake.Drop()
	if seq := fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{Content: "tapt"})); seq == 0 {
		t.Error("dispatch while away was not queued")
	}
	if !fake.WaitIdentified(2, wait) {
		t.Fatalf("no second identify; resumes %+v", fake.Resumes())
	}
	second := next(t, ready).SessionID
	if second == "" || second == first || fake.SessionID() != second {
		t.Errorf("session %s → %s (fake %s)", first, second, fake.SessionID())
	}
	r := fake.Resumes()
	ids := fake.Identifies()
	// discordgo answers op 9 with an IDENTIFY on the same connection.
	if len(r) != 1 || r[0].Accepted || r[0].SessionID != first || ids[1].Conn != r[0].Conn {
		t.Errorf("resumes %+v, identify conn %d", r, ids[1].Conn)
	}

	// Nothing from the dead session is replayed; the next dispatch arrives.
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{Content: "m3"}))
	if m := next(t, msgs); m.Content != "m3" {
		t.Errorf("after re-identify got %q, want m3", m.Content)
	}
	// The lost message is there to backfill over REST.
	missed, err := s.ChannelMessages(discordfake.DefaultChannelID, 100, "", m1, "")
	if err != nil || len(missed) != 2 || missed[0].Content != "m3" || missed[1].Content != "tapt" {
		t.Errorf("backfill = %v, %v", contents(missed), err)
	}
}

func TestSendInvalidSession(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	ready := collect[*discordgo.Ready](s)
	msgs := collect[*discordgo.MessageCreate](s)
	open(t, s)
	first := next(t, ready).SessionID

	// op 9 on a live connection: discordgo identifies again on it, whatever d says.
	fake.SendInvalidSession(false)
	if !fake.WaitIdentified(2, wait) {
		t.Fatal("no identify after op 9")
	}
	if second := next(t, ready).SessionID; second == first || fake.Connections() != 1 {
		t.Errorf("session %s → %s over %d connections", first, second, fake.Connections())
	}
	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{Content: "etter"}))
	if m := next(t, msgs); m.Content != "etter" {
		t.Errorf("got %q", m.Content)
	}
}

func contents(ms []*discordgo.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Content)
	}
	return out
}

func TestButtonInteraction(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	s := session(t, fake)
	type result struct {
		i   *discordgo.InteractionCreate
		err error
	}
	results := make(chan result, 10)
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseUpdateMessage,
			Data: &discordgo.InteractionResponseData{
				Content:         "Takk for stemmen!",
				Components:      []discordgo.MessageComponent{},
				AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			},
		})
		results <- result{i, err}
	})
	open(t, s)

	post, err := s.ChannelMessageSendComplex(discordfake.DefaultChannelID, &discordgo.MessageSend{
		Content: "Stem",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Ja", Style: discordgo.SuccessButton, CustomID: "vote:yes"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := fake.NextID()
	fake.Dispatch(discordfake.EventInteractionCreate, fake.ButtonInteraction(discordfake.ButtonParams{
		ID: id, MessageID: post.ID, CustomID: "vote:yes",
	}))
	r := next(t, results)
	if r.err != nil {
		t.Fatalf("respond: %v", r.err)
	}
	i := r.i
	if i.ID != id || i.Type != discordgo.InteractionMessageComponent || i.MessageComponentData().CustomID != "vote:yes" ||
		i.MessageComponentData().ComponentType != discordgo.ButtonComponent || i.Message == nil || i.Message.ID != post.ID ||
		len(i.Message.Components) != 1 || i.Member == nil || i.Member.User.ID != discordfake.DefaultUserID ||
		i.GuildID != cfg.GuildID || i.ChannelID != discordfake.DefaultChannelID || i.AppID != cfg.AppID || i.Token == "" {
		t.Errorf("interaction = %+v", i.Interaction)
	}
	got, ok := fake.WaitInteractionResponse(id, wait)
	if !ok || got.ResponseType != 7 || got.Elapsed <= 0 || got.Elapsed > 3*time.Second ||
		!strings.Contains(string(got.Response), `"allowed_mentions":{"parse":[]`) || got.OriginalID != post.ID {
		t.Errorf("response = %+v", got)
	}
	if m, _ := fake.Message(discordfake.DefaultChannelID, post.ID); m.Content != "Takk for stemmen!" || m.Components != nil {
		t.Errorf("updated message = %+v", m)
	}
	// A second response is refused.
	err = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	if status, code := restCode(err); status != 400 || code != 40060 {
		t.Errorf("second response: %v", err)
	}
	if got := fake.Interactions(); len(got) != 1 || !slices.Equal(got[0].Rejected, []int{40060}) {
		t.Errorf("interactions = %+v", got)
	}
}

func TestLateInteractionResponse(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{InteractionDeadline: 100 * time.Millisecond})
	s := session(t, fake)
	got := collect[*discordgo.InteractionCreate](s)
	open(t, s)

	fake.Dispatch(discordfake.EventInteractionCreate, fake.ButtonInteraction(discordfake.ButtonParams{CustomID: "sen"}))
	i := next(t, got)
	time.Sleep(150 * time.Millisecond)
	err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
	if status, code := restCode(err); status != 404 || code != 10062 {
		t.Errorf("late response: %v", err)
	}
	if ix := fake.Interactions(); len(ix) != 1 || ix[0].Responded || !slices.Equal(ix[0].Rejected, []int{10062}) {
		t.Errorf("interactions = %+v", ix)
	}
}

func TestSlashCommandAndFollowups(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	s := fake.Session() // the fake's own helper; closed by its cleanup
	got := collect[*discordgo.InteractionCreate](s)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}

	cmd := &discordgo.ApplicationCommand{Name: "dugnad", Description: "Dugnad", Options: []*discordgo.ApplicationCommandOption{{
		Type: discordgo.ApplicationCommandOptionSubCommand, Name: "forslag", Description: "Foreslå",
		Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "tekst", Description: "Hva", Required: true}},
	}}}
	appID := s.State.Application.ID
	cmds, err := s.ApplicationCommandBulkOverwrite(appID, cfg.GuildID, []*discordgo.ApplicationCommand{cmd})
	if err != nil || len(cmds) != 1 || cmds[0].ID == "" || cmds[0].GuildID != cfg.GuildID || cmds[0].ApplicationID != cfg.AppID {
		t.Fatalf("overwrite = %+v, %v", cmds, err)
	}
	again, err := s.ApplicationCommandBulkOverwrite(appID, cfg.GuildID, []*discordgo.ApplicationCommand{cmd})
	if err != nil || again[0].ID != cmds[0].ID {
		t.Errorf("re-registering changed the ID: %v, %v", again, err)
	}
	if _, err := s.ApplicationCommandCreate(appID, "", &discordgo.ApplicationCommand{Name: "Dugnad Stor", Description: "x"}); err == nil {
		t.Error("an invalid name was accepted")
	} else if status, code := restCode(err); status != 400 || code != 50035 {
		t.Errorf("invalid name: %v", err)
	}
	if c, err := s.ApplicationCommandCreate(appID, "", cmd); err != nil || c.GuildID != "" {
		t.Errorf("global create = %+v, %v", c, err)
	}
	if n := len(fake.Commands(cfg.GuildID)); n != 1 || len(fake.Commands("")) != 1 || len(fake.CommandCalls()) != 3 {
		t.Errorf("commands: guild %d, global %d, calls %d", n, len(fake.Commands("")), len(fake.CommandCalls()))
	}

	fake.Dispatch(discordfake.EventInteractionCreate, fake.SlashCommand(discordfake.SlashParams{
		Subcommand: "forslag", Options: []discordfake.Option{{Name: "tekst", Value: "Flere benker"}},
	}))
	i := next(t, got)
	data := i.ApplicationCommandData()
	if i.Type != discordgo.InteractionApplicationCommand || data.Name != "dugnad" || data.ID != cmds[0].ID ||
		len(data.Options) != 1 || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand ||
		data.Options[0].Name != "forslag" || data.Options[0].Options[0].StringValue() != "Flere benker" ||
		i.Member == nil || i.GuildID != cfg.GuildID {
		t.Fatalf("slash = %+v data %+v", i.Interaction, data)
	}
	if err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatal(err)
	}
	noPings := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	content := "Forslaget er registrert"
	orig, err := s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noPings})
	if err != nil || orig.Content != content || orig.Type != discordgo.MessageTypeChatInputCommand {
		t.Fatalf("edit original = %+v, %v", orig, err)
	}
	fu, err := s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "Mer info", AllowedMentions: noPings})
	if err != nil || fu.Content != "Mer info" || fu.WebhookID != cfg.AppID {
		t.Fatalf("follow-up = %+v, %v", fu, err)
	}
	calls, _ := fake.WaitWebhookCalls(2, wait)
	if len(calls) != 2 || calls[0].Kind != "edit" || calls[1].Kind != "followup" || calls[0].MessageID != orig.ID {
		t.Errorf("webhook calls = %+v", calls)
	}
	if ms := fake.Messages(discordfake.DefaultChannelID); len(ms) != 2 {
		t.Errorf("channel history = %+v", ms)
	}
}

func TestReactions(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	s := session(t, fake)
	adds := collect[*discordgo.MessageReactionAdd](s)
	removes := collect[*discordgo.MessageReactionRemove](s)
	open(t, s)

	msg, err := s.ChannelMessageSend(discordfake.DefaultChannelID, "Stem med 👍")
	if err != nil {
		t.Fatal(err)
	}
	var voters []string
	for i := range 250 {
		voters = append(voters, strconv.FormatInt(1187000000000001000+int64(249-i)*7, 10)) // unsorted on purpose
	}
	fake.SetReactions(discordfake.DefaultChannelID, msg.ID, "👍", voters...)
	if err := s.MessageReactionAdd(discordfake.DefaultChannelID, msg.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if rc, _ := fake.WaitReactionCalls(1, wait); len(rc) != 1 || rc[0].Emoji != "👍" || rc[0].MessageID != msg.ID {
		t.Errorf("reaction calls = %+v", rc)
	}

	// Page through 251 users, 100 at a time, with after.
	var users []string
	after := ""
	for page := 0; ; page++ {
		batch, err := s.MessageReactions(discordfake.DefaultChannelID, msg.ID, "👍", 100, "", after)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range batch {
			users = append(users, u.ID)
		}
		if len(batch) < 100 || page > 5 {
			break
		}
		after = batch[len(batch)-1].ID
	}
	if len(users) != 251 || !slices.IsSortedFunc(users, cmpID) || slices.Compact(slices.Clone(users)) == nil ||
		!slices.Contains(users, cfg.BotUserID) {
		t.Errorf("paged %d users (sorted %v)", len(users), slices.IsSortedFunc(users, cmpID))
	}
	for _, c := range fake.Calls() {
		if strings.Contains(c.Path, "/reactions/") && !strings.Contains(c.Path, "/reactions/%F0%9F%91%8D") {
			t.Errorf("unicode emoji not percent-encoded on the wire: %s", c.Path)
		}
	}
	if _, err := s.MessageReactions(discordfake.DefaultChannelID, msg.ID, "👍", 101, "", ""); err == nil {
		t.Error("limit 101 accepted")
	}
	if def, _ := s.MessageReactions(discordfake.DefaultChannelID, msg.ID, "👍", 0, "", ""); len(def) != 25 {
		t.Errorf("default page = %d users, want 25", len(def))
	}

	// The summary on the message.
	got, err := s.ChannelMessage(discordfake.DefaultChannelID, msg.ID)
	if err != nil || len(got.Reactions) != 1 || got.Reactions[0].Count != 251 || !got.Reactions[0].Me || got.Reactions[0].Emoji.Name != "👍" {
		t.Errorf("reactions summary = %+v, %v", got.Reactions, err)
	}

	// Dispatched reactions, unicode and custom, reach handlers in order and change what REST reports.
	const shrug = "AkaShrug:238039508006862848"
	fake.Dispatch(discordfake.EventMessageReactionAdd, fake.ReactionAdd(discordfake.ReactionParams{MessageID: msg.ID, Emoji: shrug}))
	fake.Dispatch(discordfake.EventMessageReactionRemove, fake.ReactionRemove(discordfake.ReactionParams{MessageID: msg.ID, UserID: voters[0], Emoji: "👍"}))
	a := next(t, adds)
	if a.Emoji.ID != "238039508006862848" || a.Emoji.Name != "AkaShrug" || a.UserID != discordfake.DefaultUserID ||
		a.MessageID != msg.ID || a.GuildID != cfg.GuildID || a.Member == nil || a.Member.User == nil {
		t.Errorf("reaction add = %+v %+v", a.MessageReaction, a.Emoji)
	}
	r := next(t, removes)
	if r.Emoji.Name != "👍" || r.Emoji.ID != "" || r.UserID != voters[0] {
		t.Errorf("reaction remove = %+v", r.MessageReaction)
	}
	custom, err := s.MessageReactions(discordfake.DefaultChannelID, msg.ID, shrug, 100, "", "")
	if err != nil || len(custom) != 1 || custom[0].ID != discordfake.DefaultUserID || custom[0].Username != "kari" {
		t.Errorf("custom emoji users = %+v, %v", custom, err)
	}
	rs := fake.Reactions(discordfake.DefaultChannelID, msg.ID)
	if len(rs) != 2 || len(rs[0].Users) != 250 || rs[1].Emoji != shrug {
		t.Errorf("reactions = %d kinds (%d thumbs)", len(rs), len(rs[0].Users))
	}
}

func cmpID(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

func TestUserChannelCreate(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	a, err := s.UserChannelCreate(discordfake.DefaultUserID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.UserChannelCreate(discordfake.DefaultUserID)
	if err != nil || a.ID != b.ID || a.Type != discordgo.ChannelTypeDM || len(a.Recipients) != 1 || a.Recipients[0].ID != discordfake.DefaultUserID {
		t.Errorf("DM = %+v / %+v, %v", a, b, err)
	}
	other, err := s.UserChannelCreate("1187000000000000031")
	if err != nil || other.ID == a.ID {
		t.Errorf("other user's DM = %+v, %v", other, err)
	}
	if fake.DMChannel(discordfake.DefaultUserID) != a.ID {
		t.Error("DMChannel disagrees with UserChannelCreate")
	}
	if _, err := s.ChannelMessageSend(a.ID, "hei"); err != nil {
		t.Errorf("send to DM: %v", err)
	}
	if ch, err := s.Channel(a.ID); err != nil || ch.Type != discordgo.ChannelTypeDM || ch.LastMessageID == "" {
		t.Errorf("GET channel = %+v, %v", ch, err)
	}
}

func TestChannelMessagesPaging(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	var ids []string
	for i := range 5 {
		ids = append(ids, fake.AddMessage(discordfake.Message{Content: fmt.Sprint("m", i)}))
	}
	all, err := s.ChannelMessages(discordfake.DefaultChannelID, 100, "", "", "")
	if err != nil || !slices.Equal(contents(all), []string{"m4", "m3", "m2", "m1", "m0"}) {
		t.Errorf("all = %v, %v", contents(all), err)
	}
	after, err := s.ChannelMessages(discordfake.DefaultChannelID, 2, "", ids[1], "")
	if err != nil || !slices.Equal(contents(after), []string{"m3", "m2"}) {
		t.Errorf("after m1, limit 2 = %v, %v (want the two right after, newest first)", contents(after), err)
	}
	before, err := s.ChannelMessages(discordfake.DefaultChannelID, 2, ids[3], "", "")
	if err != nil || !slices.Equal(contents(before), []string{"m2", "m1"}) {
		t.Errorf("before m3, limit 2 = %v, %v", contents(before), err)
	}
	if all[0].GuildID != "" {
		t.Errorf("REST messages carry guild_id %q; Discord's do not", all[0].GuildID)
	}
	if _, err := s.ChannelMessages(discordfake.DefaultChannelID, 101, "", "", ""); err == nil {
		t.Error("limit 101 accepted")
	}
	if _, err := s.ChannelMessages("1187000000000000999", 10, "", "", ""); err == nil {
		t.Error("unknown channel accepted")
	}
}

func TestAuthAndAPIURL(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	cfg := fake.Config()
	plain := &http.Client{Timeout: wait}
	get := func(u, auth string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if !strings.HasSuffix(fake.APIURL(), "/api/v9/") {
		t.Errorf("APIURL = %s", fake.APIURL())
	}
	if code, body := get(fake.APIURL()+"users/@me", ""); code != 401 || body != `{"message":"401: Unauthorized","code":0}` {
		t.Errorf("no auth: %d %s", code, body)
	}
	if code, _ := get(fake.APIURL()+"users/@me", "Bot wrong"); code != 401 {
		t.Errorf("wrong token: %d", code)
	}
	if code, body := get(fake.APIURL()+"users/@me", "Bot "+cfg.Token); code != 200 || !strings.Contains(body, `"id":"`+cfg.BotUserID+`"`) {
		t.Errorf("@me: %d %s", code, body)
	}
	if code, body := get(fake.APIURL()+"gateway", ""); code != 200 || body != `{"url":"`+fake.GatewayURL()+`"}` {
		t.Errorf("gateway: %d %s", code, body)
	}
	if code, _ := get(fake.APIURL()+"gateway/bot", ""); code != 401 {
		t.Errorf("gateway/bot without auth: %d", code)
	}
	if code, body := get(fake.APIURL()+"nothing/here", "Bot "+cfg.Token); code != 404 || !strings.Contains(body, `"code":0`) {
		t.Errorf("unknown route: %d %s", code, body)
	}
	if _, err := fake.HTTPClient().Get("https://example.com/"); err == nil {
		t.Error("HTTPClient reached a foreign host")
	}

	// The operator's alternative: a client that maps discord.com/api/v9/ to
	// APIURL(), as a DUGNAD_DISCORD_API_URL setting could.
	base, _ := url.Parse(fake.APIURL())
	s, _ := discordgo.New("Bot " + cfg.Token)
	s.Client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.URL.Path = base.Path + strings.TrimPrefix(r.URL.Path, "/api/v9/")
		r.URL.Scheme, r.URL.Host, r.Host = base.Scheme, base.Host, base.Host
		return http.DefaultTransport.RoundTrip(r)
	})}
	if u, err := s.User("@me"); err != nil || u.ID != cfg.BotUserID {
		t.Errorf("User(@me) via APIURL = %+v, %v", u, err)
	}
	if gw, err := s.Gateway(); err != nil || gw != fake.GatewayURL()+"/" {
		t.Errorf("Gateway() = %q, %v", gw, err)
	}
	gb, err := s.GatewayBot()
	if err != nil || gb.Shards != 1 || gb.SessionStartLimit.MaxConcurrency != 1 {
		t.Errorf("GatewayBot() = %+v, %v", gb, err)
	}
	var me map[string]any
	if _, body := get(fake.APIURL()+"users/@me", "Bot "+cfg.Token); json.Unmarshal([]byte(body), &me) != nil || me["bot"] != true {
		t.Errorf("@me body %s", body)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestBadIdentifyTokenIsClosed(t *testing.T) {
	t.Parallel()
	fake := newFake(t, discordfake.Config{})
	s := session(t, fake)
	s.Identify.Token = "Bot wrong" // GET /gateway needs no token, so Open gets as far as the IDENTIFY
	s.ShouldReconnectOnError = false
	// Open reads the answer to IDENTIFY itself, so the close frame is its error.
	err := s.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4004 {
		t.Errorf("Open = %v, want close 4004", err)
	}
	_ = s.Close()
	if ids := fake.Identifies(); len(ids) != 1 || ids[0].SessionID != "" {
		t.Errorf("identifies = %+v", ids)
	}
}
