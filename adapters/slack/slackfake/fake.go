package slackfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// DefaultScopes is the bot token's scope list that auth.test reports in
// X-OAuth-Scopes unless Config.Scopes or SetScopes says otherwise: everything
// the Dugnad Slack adapter needs.
var DefaultScopes = []string{
	"app_mentions:read", "channels:history", "chat:write", "commands", "files:write",
	"groups:history", "im:history", "im:read", "im:write",
	"reactions:read", "reactions:write", "users:read",
}

// Config configures a Server. The zero value is usable: every empty field
// takes the default named in its comment.
type Config struct {
	BotToken string // xoxb- token accepted by the Web API; "xoxb-1-dugnad-fake"
	AppToken string // xapp- token accepted by apps.connections.open; "xapp-1-A01DUGNAD-fake"

	TeamID     string // "T01DUGNAD"
	TeamName   string // "Dugnad Test"
	TeamDomain string // "dugnad-test"
	AppID      string // "A01DUGNAD"
	BotUserID  string // the bot's user ID, as auth.test returns it; "U01DUGBOT"
	BotID      string // "B01DUGBOT"
	BotName    string // "dugnad"

	// Scopes granted to the bot token; nil means DefaultScopes. Methods whose
	// scope is missing answer missing_scope, as Slack does.
	Scopes []string

	// Channels the Web API knows from the start (for channel_not_found).
	// Channels are also learnt from AddChannel, AddMessage, conversations.open
	// and the message events sent through SendEvent.
	Channels []string

	// PingInterval is how often each Socket Mode connection gets a WebSocket
	// PING (one is also sent right after hello). 0 means 5 s; negative
	// disables pings, so slack-go drops the connection after its own
	// OptionPingInterval (30 s by default).
	PingInterval time.Duration

	// RedeliverAfter, if positive, re-sends an envelope that has not been
	// acknowledged this long after its delivery, with retry_attempt+1 and
	// retry_reason "timeout", at most 3 times, like Slack's retries.
	RedeliverAfter time.Duration

	// Logf, if set, receives a line per Web API call and Socket Mode frame.
	Logf func(format string, args ...any)
}

func (c *Config) fill() {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.BotToken, "xoxb-1-dugnad-fake")
	def(&c.AppToken, "xapp-1-A01DUGNAD-fake")
	def(&c.TeamID, "T01DUGNAD")
	def(&c.TeamName, "Dugnad Test")
	def(&c.TeamDomain, "dugnad-test")
	def(&c.AppID, "A01DUGNAD")
	def(&c.BotUserID, "U01DUGBOT")
	def(&c.BotID, "B01DUGBOT")
	def(&c.BotName, "dugnad")
	if c.Scopes == nil {
		c.Scopes = slices.Clone(DefaultScopes)
	}
	if c.PingInterval == 0 {
		c.PingInterval = 5 * time.Second
	}
}

// User is a workspace member that users.info can return.
type User struct {
	ID          string
	TeamID      string // defaults to the fake's team
	Name        string // the handle, e.g. "kari"
	RealName    string
	DisplayName string
	IsBot       bool
}

// Reaction is one emoji on a message, as reactions.get reports it.
type Reaction struct {
	Name  string
	Users []string
	Count int // 0 means len(Users)
}

// Message is a message the fake's workspace holds: posted by the bot through
// chat.postMessage, added by a test with AddMessage, or carried by a message
// event sent through SendEvent.
type Message struct {
	Channel   string
	TS        string // "" in AddMessage: a fresh one is assigned
	ThreadTS  string // the thread root's ts for replies; "" for top-level
	User      string
	BotID     string // set for the bot's own messages
	Text      string
	Blocks    json.RawMessage // Block Kit JSON array, or nil
	Reactions []Reaction
	Files     []string // IDs of the files the message shares (files.completeUploadExternal)
}

// Post is one accepted chat.postMessage call.
type Post struct {
	Channel  string
	TS       string // the ts the fake assigned
	ThreadTS string
	Text     string
	Blocks   json.RawMessage // the blocks form field, validated JSON; nil if absent
	Form     url.Values      // every form field as sent, token included
}

// Update is one accepted chat.update call.
type Update struct {
	Channel string
	TS      string
	Text    string
	Blocks  json.RawMessage
	Form    url.Values
}

// Call is one request to the Web API (or to a response_url the fake handed
// out), whatever its outcome.
type Call struct {
	Method string     // "chat.postMessage", …; "response_url" for response URLs
	Form   url.Values // parsed form, query or top-level JSON fields
	Body   []byte     // raw request body
	Status int        // HTTP status answered
	Error  string     // the "error" field answered, "" if ok
}

// Server is a fake Slack: Web API and Socket Mode WebSocket on one local
// httptest server, driven by the real slack-go client. All methods are safe
// for concurrent use; accessors return copies.
type Server struct {
	cfg  Config
	tb   TB
	srv  *httptest.Server
	tmpl templates

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every state change
	closed    bool
	done      chan struct{} // closed by Close
	scopes    []string
	rateLimit RateLimit
	rng       *mrand.Rand
	limited   int
	// limitedBase is limited when SetRateLimit was called, for RateLimit.Max.
	limitedBase int

	tsSeq      int64
	idSeq      int64
	users      map[string]User
	channels   map[string]bool
	dms        map[string]string // user ID → DM channel ID
	messages   map[string]map[string]*Message
	posts      []Post
	updates    []Update
	files      fileState
	homes      []Home
	calls      []Call
	tickets    map[string]bool // apps.connections.open tickets not yet used
	opens      int
	socket     socketState
	background sync.WaitGroup
}

// TB is what the fake needs of its user: *testing.T and *testing.B are
// TBs, and so is a load tool's own (see cmd/dugnad-load).
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// New starts a fake Slack and registers its Close with tb.Cleanup. It fails
// tb if the recorded payload templates (PayloadDir) cannot be read.
func New(tb TB, cfg Config) *Server {
	tb.Helper()
	cfg.fill()
	t, err := loadTemplates()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	for _, b := range [][]byte{t.message, t.appMention, t.reaction, t.blockActions, t.slashCommand} {
		if _, err := jsonobj.ParseObject(b); err != nil {
			tb.Fatalf("slackfake: payload template: %v", err)
		}
	}
	s := &Server{
		cfg:      cfg,
		tb:       tb,
		tmpl:     t,
		changed:  make(chan struct{}),
		done:     make(chan struct{}),
		scopes:   slices.Clone(cfg.Scopes),
		users:    map[string]User{},
		channels: map[string]bool{},
		dms:      map[string]string{},
		messages: map[string]map[string]*Message{},
		tickets:  map[string]bool{},
	}
	s.socket.init()
	s.users[cfg.BotUserID] = User{ID: cfg.BotUserID, TeamID: cfg.TeamID, Name: cfg.BotName,
		RealName: cfg.BotName, DisplayName: cfg.BotName, IsBot: true}
	for _, c := range cfg.Channels {
		s.channels[c] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/socket", s.serveSocket)
	mux.HandleFunc("/commands/", s.serveResponseURL)
	mux.HandleFunc("/actions/", s.serveResponseURL)
	mux.HandleFunc(uploadPath, s.serveUpload)
	s.srv = httptest.NewServer(mux)
	if cfg.RedeliverAfter > 0 {
		s.background.Add(1)
		go s.redeliverLoop()
	}
	tb.Cleanup(s.Close)
	return s
}

// Close closes every Socket Mode connection and shuts the server down,
// waiting for the fake's goroutines. It is idempotent; New registers it with
// tb.Cleanup, so calling it is only needed to stop the fake early.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	conns := s.socket.activeConns()
	s.notify()
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	s.srv.Close()
	s.socket.wg.Wait()
	s.background.Wait()
}

// URL returns the server's base URL, "http://127.0.0.1:port".
func (s *Server) URL() string { return s.srv.URL }

// APIURL returns the Web API base for slack.OptionAPIURL, ending in "/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// Config returns the effective configuration (defaults filled in).
func (s *Server) Config() Config {
	c := s.cfg
	c.Scopes = slices.Clone(c.Scopes)
	c.Channels = slices.Clone(c.Channels)
	return c
}

// Client returns a real slack-go client pointed at the fake with its bot and
// app tokens; opts are applied after those.
func (s *Server) Client(opts ...slack.Option) *slack.Client {
	all := append([]slack.Option{
		slack.OptionAPIURL(s.APIURL()),
		slack.OptionAppLevelToken(s.cfg.AppToken),
	}, opts...)
	return slack.New(s.cfg.BotToken, all...)
}

// SetScopes replaces the bot token's scopes (see Config.Scopes).
func (s *Server) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scopes = slices.Clone(scopes)
}

// AddUser makes u known to users.info (replacing a user with the same ID).
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.TeamID == "" {
		u.TeamID = s.cfg.TeamID
	}
	s.users[u.ID] = u
	s.notify()
}

// AddChannel makes channel IDs known, so posting there succeeds.
func (s *Server) AddChannel(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.channels[id] = true
	}
	s.notify()
}

// AddMessage stores m (replacing a message with the same channel and ts) and
// returns its ts, assigning a fresh one if m.TS is empty. Use it to seed
// threads for conversations.replies (add the root, then replies with
// ThreadTS set to the root's ts) and messages for reactions.
func (s *Server) AddMessage(m Message) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.TS == "" {
		m.TS = s.nextTSLocked()
	}
	m.Blocks = cloneRaw(m.Blocks)
	m.Reactions = cloneReactions(m.Reactions)
	m.Files = slices.Clone(m.Files)
	s.putMessageLocked(&m)
	s.notify()
	return m.TS
}

// SetReactions replaces the reactions on the message (channel, ts), creating
// the message if it is unknown.
func (s *Server) SetReactions(channel, ts string, reactions ...Reaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messageLocked(channel, ts)
	if m == nil {
		m = &Message{Channel: channel, TS: ts}
		s.putMessageLocked(m)
	}
	m.Reactions = cloneReactions(reactions)
	s.notify()
}

// Reactions returns the current reactions on (channel, ts), including those
// the bot added through reactions.add.
func (s *Server) Reactions(channel, ts string) []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messageLocked(channel, ts); m != nil {
		return cloneReactions(m.Reactions)
	}
	return nil
}

// Messages returns the messages stored for channel, in ts order.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channel] {
		out = append(out, cloneMessage(m))
	}
	sort.Slice(out, func(i, j int) bool { return tsLess(out[i].TS, out[j].TS) })
	return out
}

// Posts returns the accepted chat.postMessage calls in order. Rate-limited
// and failed calls are not included (see Calls).
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Post, len(s.posts))
	for i, p := range s.posts {
		p.Blocks = cloneRaw(p.Blocks)
		p.Form = cloneValues(p.Form)
		out[i] = p
	}
	return out
}

// PostsFrom returns the accepted chat.postMessage calls from the n-th on
// (counting from 0), for a reader that keeps up with a long run.
func (s *Server) PostsFrom(n int) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n >= len(s.posts) {
		return nil
	}
	out := make([]Post, len(s.posts)-n)
	for i, p := range s.posts[n:] {
		p.Blocks = cloneRaw(p.Blocks)
		p.Form = cloneValues(p.Form)
		out[i] = p
	}
	return out
}

// WaitPosts waits until at least n messages have been posted or timeout
// passes, and returns the posts so far and whether there are n.
func (s *Server) WaitPosts(n int, timeout time.Duration) ([]Post, bool) {
	ok := s.waitUntil(timeout, func() bool { return len(s.posts) >= n })
	return s.Posts(), ok
}

// Updates returns the accepted chat.update calls in order.
func (s *Server) Updates() []Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Update, len(s.updates))
	for i, u := range s.updates {
		u.Blocks = cloneRaw(u.Blocks)
		u.Form = cloneValues(u.Form)
		out[i] = u
	}
	return out
}

// Calls returns every Web API request so far, in order of arrival,
// including rate-limited and failed ones.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Form = cloneValues(c.Form)
		c.Body = slices.Clone(c.Body)
		out[i] = c
	}
	return out
}

// NextTS returns a fresh message timestamp, unique and increasing across the
// fake (e.g. "1700000000.000100"), for messages a test invents.
func (s *Server) NextTS() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextTSLocked()
}

// --- internals (s.mu held where the name ends in Locked) ---

const tsBase = 1700000000

func (s *Server) nextTSLocked() string {
	s.tsSeq++
	micros := s.tsSeq * 100
	return fmt.Sprintf("%d.%06d", tsBase+micros/1e6, micros%1e6)
}

// nextIDLocked returns a short unique uppercase suffix for Slack-style IDs.
func (s *Server) nextIDLocked() string {
	s.idSeq++
	id := strings.ToUpper(strconv.FormatInt(s.idSeq, 36))
	return strings.Repeat("0", max(0, 8-len(id))) + id
}

func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitUntil waits until cond (called with s.mu held) is true, the fake is
// closed, or timeout passes; it reports cond's last value.
func (s *Server) waitUntil(timeout time.Duration, cond func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok, ch, closed := cond(), s.changed, s.closed
		s.mu.Unlock()
		if ok || closed {
			return ok
		}
		select {
		case <-ch:
		case <-timer.C:
			s.mu.Lock()
			defer s.mu.Unlock()
			return cond()
		}
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf("slackfake: "+format, args...)
	}
}

func (s *Server) messageLocked(channel, ts string) *Message {
	return s.messages[channel][ts]
}

func (s *Server) putMessageLocked(m *Message) {
	s.channels[m.Channel] = true
	if s.messages[m.Channel] == nil {
		s.messages[m.Channel] = map[string]*Message{}
	}
	s.messages[m.Channel][m.TS] = m
	// A reply makes its root a thread root, as in Slack (root.thread_ts = root.ts).
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if root := s.messages[m.Channel][m.ThreadTS]; root != nil && root.ThreadTS == "" {
			root.ThreadTS = root.TS
		}
	}
}

// uuid returns a random RFC 4122 version 4 UUID, the shape of envelope IDs.
func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// tsLess orders Slack timestamps numerically ("seconds.micros").
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	if as != bs {
		return as < bs
	}
	return af < bf
}

func cloneRaw(b json.RawMessage) json.RawMessage {
	if b == nil {
		return nil
	}
	return slices.Clone(b)
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

func cloneReactions(rs []Reaction) []Reaction {
	if rs == nil {
		return nil
	}
	out := make([]Reaction, len(rs))
	for i, r := range rs {
		r.Users = slices.Clone(r.Users)
		if r.Count == 0 {
			r.Count = len(r.Users)
		}
		out[i] = r
	}
	return out
}

func cloneMessage(m *Message) Message {
	c := *m
	c.Blocks = cloneRaw(m.Blocks)
	c.Reactions = cloneReactions(m.Reactions)
	c.Files = slices.Clone(m.Files)
	return c
}
