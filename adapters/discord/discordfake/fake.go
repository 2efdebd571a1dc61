package discordfake

import (
	"crypto/rand"
	"encoding/base64"
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
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// IDs the fake uses unless Config says otherwise. They are realistic
// snowflakes from late 2023, so every ID the fake mints later (NextID) is
// larger.
const (
	DefaultBotUserID = "1187000000000000001"
	DefaultGuildID   = "1187000000000000010"
	DefaultChannelID = "1187000000000000020" // a text channel in DefaultGuildID
	DefaultUserID    = "1187000000000000030" // a human member, "kari"
)

// DefaultIntents are the gateway intents the Dugnad bot identifies with
// (PLATFORMS.md §2.2): GUILD_MESSAGES | GUILD_MESSAGE_REACTIONS |
// DIRECT_MESSAGES | DIRECT_MESSAGE_REACTIONS | MESSAGE_CONTENT = 46592.
const DefaultIntents = discordgo.IntentsGuildMessages | discordgo.IntentsGuildMessageReactions |
	discordgo.IntentsDirectMessages | discordgo.IntentsDirectMessageReactions | discordgo.IntentMessageContent

// Config configures a Server. The zero value is usable: every empty field
// takes the default named in its comment.
type Config struct {
	// Token is the bot token, without "Bot ". REST wants "authorization:
	// Bot <Token>"; IDENTIFY and RESUME accept it with or without "Bot "
	// (discordgo sends the prefix). Default: a token-shaped string whose
	// first part is base64(BotUserID), like a real one.
	Token string

	BotUserID string // DefaultBotUserID
	BotName   string // "dugnad"
	AppID     string // the application ID (READY application.id); BotUserID
	GuildID   string // the guild of the default channel; DefaultGuildID
	GuildName string // "Dugnad Test"

	// Channels known from the start. Empty means one text channel,
	// DefaultChannelID "generelt" in GuildID. Channels are also created by
	// AddChannel, AddThread, UserChannelCreate, thread creation over REST,
	// and the messages a test adds or dispatches.
	Channels []Channel

	// HeartbeatInterval goes in HELLO; 0 means 41250 ms, as Discord sends.
	// discordgo heartbeats at once and then every interval, and drops a
	// connection whose last ACK is older than 5 intervals; tests use ~100 ms.
	HeartbeatInterval time.Duration

	// InteractionDeadline is how long after its dispatch an interaction can
	// be answered with its callback; later calls get 404 "Unknown
	// interaction" (10062). 0 means 3 s, as on Discord.
	InteractionDeadline time.Duration

	// RefuseResumes makes every RESUME fail with op 9 INVALID_SESSION
	// (d:false), so the client must identify afresh. InvalidateSession does
	// this once.
	RefuseResumes bool

	// NoGuildCreate stops the GUILD_CREATE dispatch (one per guild, with its
	// channels and threads) that follows READY, as Discord sends it.
	NoGuildCreate bool

	// IgnoreIntents delivers every dispatch whatever intents the client
	// identified with. By default the fake filters like Discord: guild
	// messages need GUILD_MESSAGES, DMs DIRECT_MESSAGES, reactions
	// GUILD_/DIRECT_MESSAGE_REACTIONS, and without MESSAGE_CONTENT a guild
	// message's content, embeds, attachments and components arrive empty
	// unless it mentions the bot or is the bot's own.
	IgnoreIntents bool

	// BucketLimit and BucketWindow shape the X-RateLimit-* headers of
	// successful REST calls: each route bucket (per channel, guild, webhook
	// or interaction) allows BucketLimit calls per BucketWindow, and
	// Remaining counts down within the window. The fake never enforces
	// them (only SetRateLimit produces 429s), but discordgo waits when
	// Remaining reaches 0. Defaults 50 and 1 s keep tests fast; Discord's
	// message route is about 5 per 5 s.
	BucketLimit  int
	BucketWindow time.Duration

	// MaxUploadSize bounds the bytes of the files sent with one message;
	// more is answered 413 "Request entity too large" (40005), as Discord
	// does. Discord's limit depends on the server's boosts; 0 means 10 MiB.
	MaxUploadSize int

	// Logf, if set, receives a line per REST call and gateway frame.
	Logf func(format string, args ...any)
}

func (c *Config) fill() {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.BotUserID, DefaultBotUserID)
	def(&c.BotName, "dugnad")
	def(&c.AppID, c.BotUserID)
	def(&c.GuildID, DefaultGuildID)
	def(&c.GuildName, "Dugnad Test")
	def(&c.Token, base64.RawStdEncoding.EncodeToString([]byte(c.BotUserID))+".GdFake.ZHVnbmFkLWZha2UtYm90LXRva2VuLWZvci10ZXN0cw")
	if len(c.Channels) == 0 {
		c.Channels = []Channel{{ID: DefaultChannelID, GuildID: c.GuildID, Type: discordgo.ChannelTypeGuildText, Name: "generelt"}}
	}
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = 41250 * time.Millisecond
	}
	if c.InteractionDeadline <= 0 {
		c.InteractionDeadline = 3 * time.Second
	}
	if c.BucketLimit <= 0 {
		c.BucketLimit = 50
	}
	if c.BucketWindow <= 0 {
		c.BucketWindow = time.Second
	}
	if c.MaxUploadSize <= 0 {
		c.MaxUploadSize = 10 << 20
	}
}

// Channel is a channel the fake knows: a guild text channel, a thread (a
// channel with ParentID, Type 11 or 12) or a DM (Type 1, no GuildID).
type Channel struct {
	ID          string
	GuildID     string // "" for DMs
	Type        discordgo.ChannelType
	Name        string
	ParentID    string // threads: the channel the thread lives in
	RecipientID string // DMs: the other user
}

// User is a user the fake can describe in payloads. Users the fake has
// never heard of are described with a made-up username.
type User struct {
	ID         string
	Username   string
	GlobalName string // display name; "" sends null
	Bot        bool
}

// Message is a message in a channel's history: posted by the bot (REST, an
// interaction response or follow-up), added by a test with AddMessage, or
// carried by a MESSAGE_CREATE dispatched through the fake.
type Message struct {
	ID          string // AddMessage: "" assigns a fresh snowflake
	ChannelID   string // AddMessage: "" means DefaultChannelID's equivalent (the first configured channel)
	GuildID     string // the channel's guild; "" for DMs (read-only)
	AuthorID    string // AddMessage: "" means DefaultUserID
	Content     string
	Type        int             // 0 default, 19 reply, 20 slash-command response
	ReferenceID string          // message_reference.message_id of a reply
	Components  json.RawMessage // the components array; nil if none
	// JSON is the message as GET /channels/{c}/messages/{m} returns it
	// (read-only; reactions included).
	JSON json.RawMessage
}

// Reaction is one emoji's reactions on a message.
type Reaction struct {
	Emoji string   // unicode emoji, or "name:id" for a custom one
	Users []string // user IDs, sorted by ID
	Me    bool     // whether the bot is among them
}

// Send is one accepted POST /channels/{id}/messages.
type Send struct {
	ChannelID string
	MessageID string // the ID the fake assigned
	Content   string
	// Body is the JSON request body exactly as sent (for multipart uploads,
	// the payload_json part): check "allowed_mentions", "components",
	// "message_reference" here.
	Body json.RawMessage
	// Files are the files of a multipart upload (files[n] parts), bytes and
	// all; the stored message lists them in "attachments".
	Files []Attachment
	// Pinged lists the user IDs the message would notify, and
	// PingedEveryone whether it would notify @everyone/@here, given its
	// content, allowed_mentions and message_reference.
	Pinged         []string
	PingedEveryone bool
	At             time.Time
}

// Edit is one accepted PATCH /channels/{c}/messages/{m}.
type Edit struct {
	ChannelID string
	MessageID string
	Body      json.RawMessage
	At        time.Time
}

// ReactionCall is one accepted PUT or DELETE of the bot's own reaction
// (/channels/{c}/messages/{m}/reactions/{emoji}/@me).
type ReactionCall struct {
	ChannelID string
	MessageID string
	Emoji     string // decoded: "👍" or "name:id"
	Removed   bool   // DELETE
	At        time.Time
}

// Call is one REST request, whatever its outcome.
type Call struct {
	Method string
	Path   string     // escaped path as received, e.g. /api/v9/channels/1/messages
	Route  string     // the fake's route, e.g. "POST /channels/{channel}/messages"; "" if none matched
	Query  url.Values // the query string
	Body   []byte     // raw request body
	Status int        // HTTP status answered
	Code   int        // Discord error code answered, 0 if none
	At     time.Time
}

// Server is a fake Discord: REST API and gateway WebSocket on one local
// httptest server, driven by the real discordgo client. All methods are safe
// for concurrent use; accessors return copies.
type Server struct {
	cfg       Config
	tb        testing.TB
	srv       *httptest.Server
	host      string // "127.0.0.1:port"
	tmpl      templates
	transport *http.Transport

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change
	closed  bool

	lastID    uint64
	users     map[string]User
	channels  map[string]*channelState
	dms       map[string]string         // user ID → DM channel ID
	reactions map[string][]*reactionSet // "channel/message" → reactions, in order of first use
	buckets   map[string]*bucketState

	rateLimit     RateLimit
	rng           *mrand.Rand
	limited       int
	rateLimitBase int // limited when SetRateLimit was called, for RateLimit.Max

	calls         []Call
	sends         []Send
	edits         []Edit
	reactionCalls []ReactionCall

	ix  interactionState
	gw  gatewayState
	wg  sync.WaitGroup // gateway connection goroutines
	log func(format string, args ...any)
}

type channelState struct {
	Channel
	msgs map[string]*storedMessage
}

// storedMessage holds a message in its REST shape (o), without reactions.
type storedMessage struct {
	id, channelID, authorID string
	o                       *jsonobj.Object
}

type reactionSet struct {
	name, id string   // emoji name, and ID for custom emoji
	users    []string // in order of reacting
}

func (r *reactionSet) key() string { return emojiKey(r.name, r.id) }

// New starts a fake Discord and registers its Close with tb.Cleanup. It fails
// tb if the recorded payload templates (PayloadDir) cannot be read.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	cfg.fill()
	t, err := loadTemplates()
	if err != nil {
		tb.Fatalf("%v", err)
	}
	s := &Server{
		cfg:       cfg,
		tb:        tb,
		tmpl:      t,
		changed:   make(chan struct{}),
		users:     map[string]User{},
		channels:  map[string]*channelState{},
		dms:       map[string]string{},
		reactions: map[string][]*reactionSet{},
		buckets:   map[string]*bucketState{},
		rng:       mrand.New(mrand.NewPCG(0, 0x5eed)),
		log:       cfg.Logf,
	}
	s.ix.init()
	s.gw.init()
	s.users[cfg.BotUserID] = User{ID: cfg.BotUserID, Username: cfg.BotName, Bot: true}
	s.users[DefaultUserID] = User{ID: DefaultUserID, Username: "kari", GlobalName: "Kari Nordmann"}
	for _, c := range cfg.Channels {
		s.addChannelLocked(c)
	}
	mux := http.NewServeMux()
	s.routes(mux)
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway)
	s.srv = httptest.NewServer(mux)
	s.host = strings.TrimPrefix(s.srv.URL, "http://")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // never send the fake's traffic through an HTTP(S)_PROXY
	s.transport = tr
	tb.Cleanup(s.Close)
	return s
}

// Close closes every gateway connection and shuts the server down, waiting
// for the fake's goroutines. It is idempotent; New registers it with
// tb.Cleanup, so calling it is only needed to stop the fake early. Close a
// discordgo session before its fake (a t.Cleanup registered after New runs
// first): a session left open would keep trying to reconnect.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := slices.Clone(s.gw.conns)
	s.notify()
	s.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
	s.srv.Close()
	s.wg.Wait()
	s.transport.CloseIdleConnections()
}

// URL returns the server's base URL, "http://127.0.0.1:port".
func (s *Server) URL() string { return s.srv.URL }

// APIURL returns the REST base, "http://127.0.0.1:port/api/v9/", for a
// proxy-style setting such as DUGNAD_DISCORD_API_URL: a client that sends
// https://discord.com/api/v9/X to APIURL()+X reaches the fake.
func (s *Server) APIURL() string { return s.srv.URL + "/api/v" + discordgo.APIVersion + "/" }

// GatewayURL returns the gateway URL that GET /gateway answers,
// "ws://127.0.0.1:port/gateway" (discordgo appends "/?v=9&encoding=json").
func (s *Server) GatewayURL() string { return "ws://" + s.host + "/gateway" }

// Config returns the effective configuration (defaults filled in).
func (s *Server) Config() Config {
	c := s.cfg
	c.Channels = slices.Clone(c.Channels)
	return c
}

// HTTPClient returns an *http.Client whose transport sends requests for
// discord.com (and discordapp.com) to the fake, keeping path and query, so
// discordgo's Endpoint* globals stay untouched and tests can run in
// parallel: set it as Session.Client. Requests to the fake's own address
// pass through; any other host is refused with an error, so a test never
// reaches the real Discord.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: &rewriter{host: s.host, base: s.transport}, Timeout: 20 * time.Second}
}

type rewriter struct {
	host string
	base http.RoundTripper
}

func (rt *rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	switch h := r.URL.Hostname(); {
	case h == "discord.com" || h == "discordapp.com" || strings.HasSuffix(h, ".discord.com"):
		r2 := r.Clone(r.Context())
		r2.URL.Scheme = "http"
		r2.URL.Host = rt.host
		r2.Host = rt.host
		return rt.base.RoundTrip(r2)
	case r.URL.Host == rt.host:
		return rt.base.RoundTrip(r)
	}
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return nil, fmt.Errorf("discordfake: refusing request to %s: neither discord.com nor the fake", r.URL.Host)
}

// Session returns a real, unopened discordgo session for the fake's bot:
// token "Bot <Token>", Client = HTTPClient(), Identify.Intents =
// DefaultIntents, SyncEvents and ShouldReconnectOnError on. Add handlers,
// then Open it. It is closed with CloseSession by a tb.Cleanup that runs
// before the fake's own.
func (s *Server) Session() *discordgo.Session {
	dg, err := discordgo.New("Bot " + s.cfg.Token)
	if err != nil { // discordgo.New never fails in v0.29.0
		s.tb.Fatalf("discordfake: discordgo.New: %v", err)
	}
	dg.Client = s.HTTPClient()
	dg.Identify.Intents = DefaultIntents
	dg.SyncEvents = true
	dg.ShouldReconnectOnError = true
	s.tb.Cleanup(func() { _ = CloseSession(dg) })
	return dg
}

// CloseSession closes a discordgo session for good: it turns
// ShouldReconnectOnError off (under the session's lock) before Close.
//
// discordgo v0.29.0 needs this. Close holds the session lock for a second
// (CloseWithCode sleeps waiting for the server); a heartbeat goroutine
// that wakes just then, or the one a reconnecting Open has just started,
// blocks on that lock, then writes its heartbeat to the closed connection,
// gets websocket.ErrCloseSent and calls Close and reconnect itself, so the
// session comes back after Close returned and, once the server is gone,
// retries forever. reconnect reads ShouldReconnectOnError after taking the
// lock, so clearing it under the lock first is race-free. The Dugnad
// adapter's shutdown should do the same.
func CloseSession(dg *discordgo.Session) error {
	dg.Lock()
	dg.ShouldReconnectOnError = false
	dg.Unlock()
	return dg.Close()
}

// NextID returns a fresh snowflake: unique across the fake, increasing,
// 19 digits, encoding the current time like Discord's.
func (s *Server) NextID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextIDLocked()
}

// AddUser makes u known (replacing a user with the same ID), so payloads
// and reaction lists describe it by its names.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.notify()
}

// AddChannel makes a channel known, so the bot can post there. An empty
// Type means a guild text channel; an empty GuildID (for a non-DM) means
// Config.GuildID.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addChannelLocked(c)
	s.notify()
}

// AddThread creates a public thread (type 11) in parentID and returns it.
// With starterID set the thread hangs off that message and has its ID, as
// Discord's message threads do; otherwise it gets a fresh ID.
func (s *Server) AddThread(parentID, name, starterID string) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := starterID
	if id == "" {
		id = s.nextIDLocked()
	}
	guild := s.cfg.GuildID
	if p := s.channels[parentID]; p != nil {
		guild = p.GuildID
	}
	c := Channel{ID: id, GuildID: guild, Type: discordgo.ChannelTypeGuildPublicThread, Name: name, ParentID: parentID}
	s.addChannelLocked(c)
	s.notify()
	return c
}

// Channel returns a known channel.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.channels[id]; c != nil {
		return c.Channel, true
	}
	return Channel{}, false
}

// DMChannel returns the ID of the bot's DM channel with userID, creating it
// if needed; UserChannelCreate returns the same channel.
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.dmLocked(userID)
	s.notify()
	return id
}

// AddMessage stores m in its channel's history and returns its ID. Use it
// for messages the client should find over REST but never saw on the
// gateway. Components, if set, must be a JSON array.
func (s *Server) AddMessage(m Message) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ID == "" {
		m.ID = s.nextIDLocked()
	}
	if m.ChannelID == "" {
		m.ChannelID = s.cfg.Channels[0].ID
	}
	if m.AuthorID == "" {
		m.AuthorID = DefaultUserID
	}
	if s.channels[m.ChannelID] == nil {
		s.addChannelLocked(Channel{ID: m.ChannelID})
	}
	o := s.messageObjectLocked(m.ChannelID, m.ID, m.AuthorID, m.Type)
	o.Set("content", m.Content)
	if len(m.Components) > 0 {
		o.Set("components", json.RawMessage(slices.Clone(m.Components)))
	}
	if m.ReferenceID != "" {
		s.setReplyLocked(o, m.ChannelID, m.ReferenceID)
	}
	s.putMessageLocked(&storedMessage{id: m.ID, channelID: m.ChannelID, authorID: m.AuthorID, o: o})
	s.notify()
	return m.ID
}

// Messages returns the channel's history, oldest first.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.channels[channelID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range sortedMessages(c) {
		out = append(out, s.exportMessageLocked(m))
	}
	return out
}

// Message returns one stored message.
func (s *Server) Message(channelID, messageID string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.messageLocked(channelID, messageID); m != nil {
		return s.exportMessageLocked(m), true
	}
	return Message{}, false
}

// SetReactions replaces the users who reacted to (channelID, messageID)
// with emoji ("👍", or "name:id" for a custom emoji); no users removes the
// emoji. The message need not be stored. Include Config.BotUserID for
// "me": true.
func (s *Server) SetReactions(channelID, messageID, emoji string, userIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, id := parseEmoji(emoji)
	rs := s.reactionLocked(channelID, messageID, name, id, true)
	rs.users = nil
	for _, u := range userIDs {
		if !slices.Contains(rs.users, u) {
			rs.users = append(rs.users, u)
		}
	}
	s.pruneReactionsLocked(channelID, messageID)
	s.notify()
}

// Reactions returns the reactions on (channelID, messageID) in order of
// first use, including the bot's own and those carried by
// MESSAGE_REACTION_ADD/REMOVE dispatches.
func (s *Server) Reactions(channelID, messageID string) []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Reaction
	for _, rs := range s.reactions[channelID+"/"+messageID] {
		users := sortIDs(slices.Clone(rs.users))
		out = append(out, Reaction{Emoji: apiEmoji(rs.name, rs.id), Users: users, Me: slices.Contains(users, s.cfg.BotUserID)})
	}
	return out
}

// Sends returns the accepted message sends in order. Rate-limited and
// failed calls are not included (see Calls).
func (s *Server) Sends() []Send {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Send, len(s.sends))
	for i, m := range s.sends {
		m.Body = slices.Clone(m.Body)
		m.Files = cloneAttachments(m.Files)
		m.Pinged = slices.Clone(m.Pinged)
		out[i] = m
	}
	return out
}

// WaitSends waits until at least n messages have been sent or timeout
// passes, and returns the sends so far and whether there are n.
func (s *Server) WaitSends(n int, timeout time.Duration) ([]Send, bool) {
	ok := s.waitUntil(timeout, func() bool { return len(s.sends) >= n })
	return s.Sends(), ok
}

// Edits returns the accepted message edits in order.
func (s *Server) Edits() []Edit {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Edit, len(s.edits))
	for i, e := range s.edits {
		e.Body = slices.Clone(e.Body)
		out[i] = e
	}
	return out
}

// WaitEdits waits until at least n edits have been accepted or timeout
// passes, and returns the edits so far and whether there are n.
func (s *Server) WaitEdits(n int, timeout time.Duration) ([]Edit, bool) {
	ok := s.waitUntil(timeout, func() bool { return len(s.edits) >= n })
	return s.Edits(), ok
}

// ReactionCalls returns the bot's accepted reaction adds and removes.
func (s *Server) ReactionCalls() []ReactionCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactionCalls)
}

// WaitReactionCalls waits until at least n reaction calls have been
// accepted or timeout passes.
func (s *Server) WaitReactionCalls(n int, timeout time.Duration) ([]ReactionCall, bool) {
	ok := s.waitUntil(timeout, func() bool { return len(s.reactionCalls) >= n })
	return s.ReactionCalls(), ok
}

// Calls returns every REST request so far, in order of arrival, including
// rate-limited and failed ones.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		c.Body = slices.Clone(c.Body)
		c.Query = cloneValues(c.Query)
		out[i] = c
	}
	return out
}

// --- internals (s.mu held where the name ends in Locked) ---

// discordEpoch is the first millisecond of 2015, where snowflakes count from.
const discordEpoch = 1420070400000

func (s *Server) nextIDLocked() string {
	ms := uint64(time.Now().UnixMilli() - discordEpoch)
	id := ms<<22 | 1<<17 | 1<<12 // worker 1, process 1, increment 0
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// snowflakeTime is the creation time encoded in a snowflake (zero time for
// anything that is not one).
func snowflakeTime(id string) time.Time {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(int64(n>>22) + discordEpoch).UTC()
}

// timestamp formats t like Discord: "2020-07-14T13:02:12.171000+00:00".
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000") + "+00:00"
}

// idLess orders snowflakes numerically (decimal strings without leading zeros).
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func sortIDs(ids []string) []string {
	sort.Slice(ids, func(i, j int) bool { return idLess(ids[i], ids[j]) })
	return ids
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
	if s.log != nil {
		s.log("discordfake: "+format, args...)
	}
}

func (s *Server) addChannelLocked(c Channel) *channelState {
	if c.Type == discordgo.ChannelTypeDM {
		c.GuildID = ""
	} else if c.GuildID == "" {
		c.GuildID = s.cfg.GuildID
	}
	if c.Name == "" && c.Type != discordgo.ChannelTypeDM {
		c.Name = "kanal-" + c.ID[max(0, len(c.ID)-4):]
	}
	if old := s.channels[c.ID]; old != nil {
		old.Channel = c
		return old
	}
	cs := &channelState{Channel: c, msgs: map[string]*storedMessage{}}
	s.channels[c.ID] = cs
	if c.Type == discordgo.ChannelTypeDM && c.RecipientID != "" {
		s.dms[c.RecipientID] = c.ID
	}
	return cs
}

// dmLocked returns the bot's DM channel with userID, creating it.
func (s *Server) dmLocked(userID string) string {
	if id, ok := s.dms[userID]; ok {
		return id
	}
	id := s.nextIDLocked()
	s.addChannelLocked(Channel{ID: id, Type: discordgo.ChannelTypeDM, RecipientID: userID})
	return id
}

func (s *Server) messageLocked(channelID, messageID string) *storedMessage {
	if c := s.channels[channelID]; c != nil {
		return c.msgs[messageID]
	}
	return nil
}

func (s *Server) putMessageLocked(m *storedMessage) {
	c := s.channels[m.channelID]
	if c == nil {
		c = s.addChannelLocked(Channel{ID: m.channelID})
	}
	c.msgs[m.id] = m
}

func sortedMessages(c *channelState) []*storedMessage {
	out := make([]*storedMessage, 0, len(c.msgs))
	for _, m := range c.msgs {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return idLess(out[i].id, out[j].id) })
	return out
}

func (s *Server) exportMessageLocked(m *storedMessage) Message {
	o := m.o
	typ, _ := jsonobj.Num(o.Get("type"))
	out := Message{
		ID: m.id, ChannelID: m.channelID, AuthorID: m.authorID,
		Content: jsonobj.Str(o.Get("content")), Type: int(typ),
		JSON: marshal(s.renderMessageLocked(m)),
	}
	if c := s.channels[m.channelID]; c != nil {
		out.GuildID = c.GuildID
	}
	if ref, ok := o.Get("message_reference").(*jsonobj.Object); ok {
		out.ReferenceID = jsonobj.Str(ref.Get("message_id"))
	}
	if comps := jsonobj.Arr(o.Get("components")); len(comps) > 0 {
		out.Components = marshal(comps)
	} else if raw, ok := o.Get("components").(json.RawMessage); ok && string(raw) != "null" && string(raw) != "[]" {
		out.Components = slices.Clone(raw)
	}
	return out
}

// renderMessageLocked returns m as REST returns it: the stored object plus
// the reactions summary.
func (s *Server) renderMessageLocked(m *storedMessage) *jsonobj.Object {
	o := m.o.Clone()
	if sets := s.reactions[m.channelID+"/"+m.id]; len(sets) > 0 {
		var rs []any
		for _, r := range sets {
			me := slices.Contains(r.users, s.cfg.BotUserID)
			rs = append(rs, jsonobj.New(
				"emoji", emojiObject(r.name, r.id),
				"count", len(r.users),
				"count_details", jsonobj.New("burst", 0, "normal", len(r.users)),
				"burst_colors", []any{},
				"me_burst", false,
				"burst_me", false,
				"me", me,
				"burst_count", 0,
			))
		}
		o.Set("reactions", rs)
	}
	return o
}

// userLocked returns what the fake knows about a user, inventing a
// username for strangers.
func (s *Server) userLocked(id string) User {
	if u, ok := s.users[id]; ok {
		return u
	}
	return User{ID: id, Username: "user" + id[max(0, len(id)-6):]}
}

// userObjectLocked renders a user like Discord's user objects.
func (s *Server) userObjectLocked(id string) *jsonobj.Object {
	u := s.userLocked(id)
	var global any
	if u.GlobalName != "" {
		global = u.GlobalName
	}
	disc := "0"
	if u.Bot {
		disc = "4711"
		global = nil
	}
	o := jsonobj.New("username", u.Username, "public_flags", 0, "id", u.ID, "global_name", global,
		"discriminator", disc, "avatar", nil, "avatar_decoration_data", nil)
	if u.Bot {
		o.Set("bot", true)
	}
	return o
}

// messageObjectLocked starts a message in Discord's REST shape.
func (s *Server) messageObjectLocked(channelID, id, authorID string, typ int) *jsonobj.Object {
	return jsonobj.New(
		"type", typ,
		"content", "",
		"mentions", []any{},
		"mention_roles", []any{},
		"attachments", []any{},
		"embeds", []any{},
		"timestamp", timestamp(snowflakeTime(id)),
		"edited_timestamp", nil,
		"flags", 0,
		"components", []any{},
		"id", id,
		"channel_id", channelID,
		"author", s.userObjectLocked(authorID),
		"pinned", false,
		"mention_everyone", false,
		"tts", false,
	)
}

// setReplyLocked turns o into a reply (type 19) to refID in channelID.
func (s *Server) setReplyLocked(o *jsonobj.Object, channelID, refID string) {
	o.Set("type", int(discordgo.MessageTypeReply))
	ref := jsonobj.New("type", 0, "channel_id", channelID, "message_id", refID)
	if c := s.channels[channelID]; c != nil && c.GuildID != "" {
		ref.Set("guild_id", c.GuildID)
	}
	o.Set("message_reference", ref)
	if m := s.messageLocked(channelID, refID); m != nil {
		o.Set("referenced_message", m.o.Clone())
	} else {
		o.Set("referenced_message", nil)
	}
}

func (s *Server) reactionLocked(channelID, messageID, name, id string, create bool) *reactionSet {
	k := channelID + "/" + messageID
	for _, rs := range s.reactions[k] {
		if rs.key() == emojiKey(name, id) {
			return rs
		}
	}
	if !create {
		return nil
	}
	rs := &reactionSet{name: name, id: id}
	s.reactions[k] = append(s.reactions[k], rs)
	return rs
}

func (s *Server) pruneReactionsLocked(channelID, messageID string) {
	k := channelID + "/" + messageID
	s.reactions[k] = slices.DeleteFunc(s.reactions[k], func(rs *reactionSet) bool { return len(rs.users) == 0 })
	if len(s.reactions[k]) == 0 {
		delete(s.reactions, k)
	}
}

// parseEmoji splits "name:id" (custom; also "a:name:id" or "<:name:id>")
// from a unicode emoji.
func parseEmoji(e string) (name, id string) {
	e = strings.TrimSuffix(strings.TrimPrefix(e, "<"), ">")
	if i := strings.LastIndexByte(e, ':'); i >= 0 {
		name, id = e[:i], e[i+1:]
		name = strings.TrimPrefix(strings.TrimPrefix(name, "a:"), ":")
		return name, id
	}
	return e, ""
}

// emojiKey identifies an emoji: custom ones by ID (their names can change),
// unicode ones by themselves.
func emojiKey(name, id string) string {
	if id != "" {
		return "id:" + id
	}
	return name
}

// apiEmoji is the form discordgo and the REST paths use: "👍" or "name:id".
func apiEmoji(name, id string) string {
	if id != "" {
		return name + ":" + id
	}
	return name
}

func emojiObject(name, id string) *jsonobj.Object {
	if id == "" {
		return jsonobj.New("id", nil, "name", name)
	}
	return jsonobj.New("id", id, "name", name)
}

// randomHex returns n random bytes as hex (session IDs, tokens).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
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
