package discordfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// Identify is one op 2 IDENTIFY a client sent.
type Identify struct {
	Conn           int    // number of the connection it came on, from 1
	SessionID      string // the session its READY started; "" if it was refused
	Token          string // as sent ("Bot …" from discordgo)
	Intents        int
	Properties     map[string]string // e.g. "$os", "$browser" ("DiscordGo v0.29.0"), "$device"
	Compress       bool
	LargeThreshold int
	Shard          []int           // nil unless sent
	Raw            json.RawMessage // the whole d object
	At             time.Time
}

// Resume is one op 6 RESUME a client sent.
type Resume struct {
	Conn      int
	SessionID string
	Seq       int64 // the last sequence number the client had seen
	Accepted  bool  // false: answered with op 9 INVALID_SESSION d:false
	Replayed  int   // dispatches replayed before RESUMED
	At        time.Time
}

// CloseFrame is a WebSocket close frame a gateway client sent (discordgo:
// 1000 on Session.Close and on a missed heartbeat ACK, 1012 after op 7).
type CloseFrame struct {
	Conn int
	Code int
	Text string
	At   time.Time
}

// ClientFrame is one frame a gateway client sent.
type ClientFrame struct {
	Conn int
	Op   int
	Data json.RawMessage // the d field
	At   time.Time
}

type gatewayState struct {
	conns      []*gwConn // open connections
	opened     int
	sessions   map[string]*session
	current    *session // the session Dispatch sends to: the latest identified or resumed
	identifies []Identify
	resumes    []Resume
	frames     []ClientFrame
	closes     []CloseFrame
	heartbeats int
	noAcks     bool
}

func (g *gatewayState) init() { g.sessions = map[string]*session{} }

// session is a gateway session: its sequence counter and every dispatch
// sent in it, for RESUME.
type session struct {
	id      string
	intents int
	seq     int64
	history []dispatched
	conn    *gwConn // the connection carrying it, nil while the client is away
	invalid bool    // InvalidateSession: refuse the next RESUME
}

type dispatched struct {
	seq    int64
	frame  []byte
	replay bool // READY and RESUMED are not replayed
}

// gwConn is one gateway WebSocket. Only its writer goroutine writes data
// frames; the fields marked (s.mu) are guarded by Server.mu.
type gwConn struct {
	n         int
	ws        *websocket.Conn
	sess      *session // (s.mu)
	ctrl      [][]byte // control frames, sent before dispatches (s.mu)
	queue     [][]byte // dispatch frames (s.mu)
	closeCode int      // non-zero: close with it once the queues are empty (s.mu)
	closeText string   // (s.mu)
	wake      chan struct{}
	done      chan struct{}
	once      sync.Once
}

func (c *gwConn) kill() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

func (c *gwConn) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway accepts a gateway connection at /gateway and /gateway/
// (discordgo dials <url>/?v=9&encoding=json).
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "expected a WebSocket upgrade", http.StatusBadRequest)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.gw.opened++
	c := &gwConn{n: s.gw.opened, ws: ws, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.gw.conns = append(s.gw.conns, c)
	c.ctrl = append(c.ctrl, s.helloFrame())
	s.wg.Add(2)
	s.notify()
	s.mu.Unlock()
	s.logf("gateway: connection %d opened (%s)", c.n, r.URL.RequestURI())

	go s.writeLoop(c)
	s.readLoop(c)
}

// readLoop handles the client's frames until the connection fails, then
// forgets the connection (its session stays resumable).
func (s *Server) readLoop(c *gwConn) {
	defer s.wg.Done()
	var closeErr *websocket.CloseError
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			errors.As(err, &closeErr)
			break
		}
		if typ == websocket.TextMessage {
			s.handleFrame(c, data)
		}
	}
	c.kill()
	s.mu.Lock()
	if closeErr != nil {
		s.gw.closes = append(s.gw.closes, CloseFrame{Conn: c.n, Code: closeErr.Code, Text: closeErr.Text, At: time.Now()})
	}
	s.gw.conns = slices.DeleteFunc(s.gw.conns, func(x *gwConn) bool { return x == c })
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	s.notify()
	s.mu.Unlock()
	s.logf("gateway: connection %d closed", c.n)
}

// writeLoop sends the connection's control frames, then its dispatches,
// and closes it when asked to.
func (s *Server) writeLoop(c *gwConn) {
	defer s.wg.Done()
	defer c.kill()
	for {
		s.mu.Lock()
		var frame []byte
		switch {
		case len(c.ctrl) > 0:
			frame, c.ctrl = c.ctrl[0], c.ctrl[1:]
		case len(c.queue) > 0:
			frame, c.queue = c.queue[0], c.queue[1:]
		}
		code, text := c.closeCode, c.closeText
		s.mu.Unlock()
		if frame != nil {
			_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
			err := c.ws.WriteMessage(websocket.TextMessage, frame)
			s.logf("gateway: connection %d: sent %s (err=%v)", c.n, frame, err)
			if err != nil {
				return
			}
			continue
		}
		if code != 0 {
			s.logf("gateway: connection %d: closing with %d %s", c.n, code, text)
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text),
				time.Now().Add(time.Second))
			return
		}
		select {
		case <-c.wake:
		case <-c.done:
			return
		}
	}
}

// closeConnLocked closes c with a gateway close code after what is queued.
func (s *Server) closeConnLocked(c *gwConn, code int, text string) {
	if c.closeCode == 0 {
		c.closeCode, c.closeText = code, text
	}
	c.poke()
}

func (s *Server) handleFrame(c *gwConn, data []byte) {
	var f struct {
		Op *int            `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logf("gateway: connection %d: received %s", c.n, data)
	if json.Unmarshal(data, &f) != nil || f.Op == nil {
		s.closeConnLocked(c, 4002, "Error while decoding payload.")
		return
	}
	s.gw.frames = append(s.gw.frames, ClientFrame{Conn: c.n, Op: *f.Op, Data: slices.Clone(f.D), At: time.Now()})
	defer s.notify()
	switch *f.Op {
	case 1: // heartbeat
		s.gw.heartbeats++
		if !s.gw.noAcks {
			c.ctrl = append(c.ctrl, s.tmpl.heartbeatAck)
			c.poke()
		}
	case 2:
		s.identifyLocked(c, f.D)
	case 6:
		s.resumeLocked(c, f.D)
	case 3, 4, 8: // presence, voice state, request guild members: accepted, ignored
		if c.sess == nil {
			s.closeConnLocked(c, 4003, "Not authenticated.")
		}
	default:
		s.closeConnLocked(c, 4001, "Unknown opcode.")
	}
}

func (s *Server) validToken(t string) bool {
	return strings.TrimPrefix(t, "Bot ") == s.cfg.Token
}

func (s *Server) identifyLocked(c *gwConn, d json.RawMessage) {
	var id struct {
		Token          string            `json:"token"`
		Intents        *int              `json:"intents"`
		Properties     map[string]string `json:"properties"`
		Compress       bool              `json:"compress"`
		LargeThreshold int               `json:"large_threshold"`
		Shard          []int             `json:"shard"`
	}
	if json.Unmarshal(d, &id) != nil {
		s.closeConnLocked(c, 4002, "Error while decoding payload.")
		return
	}
	rec := Identify{Conn: c.n, Token: id.Token, Properties: id.Properties, Compress: id.Compress,
		LargeThreshold: id.LargeThreshold, Shard: id.Shard, Raw: slices.Clone(d), At: time.Now()}
	if id.Intents != nil {
		rec.Intents = *id.Intents
	}
	switch {
	case c.sess != nil:
		s.closeConnLocked(c, 4005, "Already authenticated.")
	case !s.validToken(id.Token):
		s.closeConnLocked(c, 4004, "Authentication failed.")
	case id.Intents == nil:
		s.closeConnLocked(c, 4013, "Invalid intent(s).")
	default:
		sess := &session{id: randomHex(16), intents: *id.Intents}
		s.gw.sessions[sess.id] = sess
		s.gw.current = sess
		s.attachLocked(c, sess)
		rec.SessionID = sess.id
		s.dispatchLocked(sess, "READY", marshal(s.readyLocked(sess)), false)
		if !s.cfg.NoGuildCreate {
			for _, g := range s.guildIDsLocked() {
				s.dispatchLocked(sess, "GUILD_CREATE", marshal(s.guildCreateLocked(g)), true)
			}
		}
	}
	s.gw.identifies = append(s.gw.identifies, rec)
}

func (s *Server) resumeLocked(c *gwConn, d json.RawMessage) {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if json.Unmarshal(d, &r) != nil {
		s.closeConnLocked(c, 4002, "Error while decoding payload.")
		return
	}
	if c.sess != nil {
		s.closeConnLocked(c, 4005, "Already authenticated.")
		return
	}
	rec := Resume{Conn: c.n, SessionID: r.SessionID, Seq: r.Seq, At: time.Now()}
	sess := s.gw.sessions[r.SessionID]
	if sess == nil || sess.invalid || s.cfg.RefuseResumes || !s.validToken(r.Token) || r.Seq > sess.seq {
		if sess != nil { // gone for good: its undelivered dispatches are lost
			delete(s.gw.sessions, sess.id)
			if s.gw.current == sess {
				s.gw.current = nil
			}
			if sess.conn != nil {
				sess.conn.sess = nil
				sess.conn = nil
			}
		}
		c.ctrl = append(c.ctrl, s.tmpl.invalidSession)
		c.poke()
		s.gw.resumes = append(s.gw.resumes, rec)
		return
	}
	if old := sess.conn; old != nil && old != c {
		old.sess = nil // the client moved on; its old connection carries nothing more
	}
	s.attachLocked(c, sess)
	s.gw.current = sess
	for _, dp := range sess.history {
		if dp.replay && dp.seq > r.Seq {
			c.queue = append(c.queue, dp.frame)
			rec.Replayed++
		}
	}
	trace := jsonobj.New("_trace", []any{`["gateway-prd-fake",{"micros":0.0}]`})
	s.dispatchLocked(sess, "RESUMED", marshal(trace), false)
	rec.Accepted = true
	s.gw.resumes = append(s.gw.resumes, rec)
}

func (s *Server) attachLocked(c *gwConn, sess *session) {
	c.sess = sess
	sess.conn = c
}

// dispatchLocked sends an op 0 dispatch with the session's next sequence
// number to the session's connection, if it has one, and keeps it for
// replay. It returns the sequence number.
func (s *Server) dispatchLocked(sess *session, event string, d []byte, replay bool) int64 {
	sess.seq++
	frame := marshal(jsonobj.New("t", event, "s", sess.seq, "op", 0, "d", json.RawMessage(d)))
	sess.history = append(sess.history, dispatched{seq: sess.seq, frame: frame, replay: replay})
	if c := sess.conn; c != nil {
		c.queue = append(c.queue, frame)
		c.poke()
	}
	return sess.seq
}

// Dispatch sends an op 0 dispatch event (e.g. "MESSAGE_CREATE") with data
// as its d field to the current session (the one last identified or
// resumed) and returns its sequence number. data is JSON (json.RawMessage,
// []byte or string) or a value to marshal.
//
// The event is kept in the session's history: if the client is not
// connected, or its connection dies before it reads the event, a RESUME
// replays it in order. A session whose RESUME is refused (InvalidateSession,
// Config.RefuseResumes) loses its undelivered events, as on Discord; the
// client then has to backfill over REST. Before any IDENTIFY there is no
// session and Dispatch drops the event (returning 0).
//
// Like Discord, Dispatch filters by the session's intents (see
// Config.IgnoreIntents) and returns 0 for an event the client did not ask
// for. Whether delivered or not, the event's effect on the fake's state
// happens: MESSAGE_CREATE stores the message in its channel's history (a
// guild channel if the data has a guild_id, else the author's DM),
// MESSAGE_UPDATE/DELETE change it, MESSAGE_REACTION_ADD/REMOVE change the
// reactions REST reports, and INTERACTION_CREATE registers the interaction
// and starts its response deadline.
func (s *Server) Dispatch(event string, data any) int64 {
	raw, err := toJSON(data)
	if err != nil {
		s.tb.Errorf("discordfake: Dispatch(%s): %v", event, err)
		return 0
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notify()
	d, _ := jsonobj.ParseObject(raw) // nil for a non-object d
	if d != nil {
		s.learnLocked(event, d, now)
	}
	sess := s.gw.current
	if sess == nil {
		s.logf("gateway: %s dropped: no session", event)
		return 0
	}
	if d != nil {
		deliver, filtered := s.filterLocked(sess, event, d)
		if !deliver {
			s.logf("gateway: %s not delivered: intents %d", event, sess.intents)
			return 0
		}
		raw = marshal(filtered)
	}
	return s.dispatchLocked(sess, event, raw, true)
}

func toJSON(data any) ([]byte, error) {
	var raw []byte
	switch d := data.(type) {
	case json.RawMessage:
		raw = d
	case []byte:
		raw = d
	case string:
		raw = []byte(d)
	default:
		b, err := json.Marshal(data)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// filterLocked applies the intents rules Discord applies to what a session
// receives; it returns the data to send (a copy when fields are blanked).
func (s *Server) filterLocked(sess *session, event string, d *jsonobj.Object) (bool, *jsonobj.Object) {
	if s.cfg.IgnoreIntents {
		return true, d
	}
	guild := jsonobj.Str(d.Get("guild_id")) != ""
	has := func(i discordgo.Intent) bool { return sess.intents&int(i) != 0 }
	switch event {
	case "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK":
		if (guild && !has(discordgo.IntentsGuildMessages)) || (!guild && !has(discordgo.IntentsDirectMessages)) {
			return false, nil
		}
		if event == "MESSAGE_CREATE" || event == "MESSAGE_UPDATE" {
			if guild && !has(discordgo.IntentMessageContent) && !s.privilegedContentLocked(d) {
				d = d.Clone()
				for _, k := range []string{"content", "embeds", "attachments", "components"} {
					if d.Has(k) {
						d.Set(k, map[bool]any{true: "", false: []any{}}[k == "content"])
					}
				}
				d.Del("poll")
			}
		}
	case "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE", "MESSAGE_REACTION_REMOVE_ALL", "MESSAGE_REACTION_REMOVE_EMOJI":
		if (guild && !has(discordgo.IntentsGuildMessageReactions)) || (!guild && !has(discordgo.IntentsDirectMessageReactions)) {
			return false, nil
		}
	}
	return true, d
}

// privilegedContentLocked reports whether a guild message keeps its content
// without the MESSAGE_CONTENT intent: the bot's own, or one mentioning it.
func (s *Server) privilegedContentLocked(d *jsonobj.Object) bool {
	if a, isObj := d.Get("author").(*jsonobj.Object); isObj && jsonobj.Str(a.Get("id")) == s.cfg.BotUserID {
		return true
	}
	for _, m := range jsonobj.Arr(d.Get("mentions")) {
		if u, isObj := m.(*jsonobj.Object); isObj && jsonobj.Str(u.Get("id")) == s.cfg.BotUserID {
			return true
		}
	}
	return false
}

// learnLocked applies a dispatched event to the fake's state.
func (s *Server) learnLocked(event string, d *jsonobj.Object, now time.Time) {
	chID, msgID := jsonobj.Str(d.Get("channel_id")), jsonobj.Str(d.Get("message_id"))
	switch event {
	case "MESSAGE_CREATE":
		id := jsonobj.Str(d.Get("id"))
		if id == "" || chID == "" {
			return
		}
		authorID := ""
		if a, isObj := d.Get("author").(*jsonobj.Object); isObj {
			authorID = jsonobj.Str(a.Get("id"))
			if _, known := s.users[authorID]; !known && authorID != "" {
				s.users[authorID] = User{ID: authorID, Username: jsonobj.Str(a.Get("username")),
					GlobalName: jsonobj.Str(a.Get("global_name")), Bot: a.Get("bot") == true}
			}
		}
		if s.channels[chID] == nil {
			if g := jsonobj.Str(d.Get("guild_id")); g != "" {
				s.addChannelLocked(Channel{ID: chID, GuildID: g})
			} else {
				s.addChannelLocked(Channel{ID: chID, Type: discordgo.ChannelTypeDM, RecipientID: authorID})
			}
		}
		o := d.Clone()
		for _, k := range []string{"guild_id", "member", "nonce"} { // gateway-only fields
			o.Del(k)
		}
		s.putMessageLocked(&storedMessage{id: id, channelID: chID, authorID: authorID, o: o})
	case "MESSAGE_UPDATE":
		if m := s.messageLocked(chID, jsonobj.Str(d.Get("id"))); m != nil {
			for _, k := range []string{"content", "components", "embeds", "edited_timestamp", "flags"} {
				if d.Has(k) {
					m.o.Set(k, jsonobj.CloneValue(d.Get(k)))
				}
			}
		}
	case "MESSAGE_DELETE":
		if c := s.channels[chID]; c != nil {
			delete(c.msgs, jsonobj.Str(d.Get("id")))
		}
	case "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE":
		e, _ := d.Get("emoji").(*jsonobj.Object)
		user := jsonobj.Str(d.Get("user_id"))
		if e == nil || user == "" || chID == "" || msgID == "" {
			return
		}
		name, id := jsonobj.Str(e.Get("name")), jsonobj.Str(e.Get("id"))
		rs := s.reactionLocked(chID, msgID, name, id, event == "MESSAGE_REACTION_ADD")
		if rs == nil {
			return
		}
		if event == "MESSAGE_REACTION_ADD" {
			if !slices.Contains(rs.users, user) {
				rs.users = append(rs.users, user)
			}
		} else {
			rs.users = slices.DeleteFunc(rs.users, func(u string) bool { return u == user })
			s.pruneReactionsLocked(chID, msgID)
		}
	case "INTERACTION_CREATE":
		s.registerInteractionLocked(d, now)
	}
}

// --- frames ---

func (s *Server) helloFrame() []byte {
	o := tmpl(s.tmpl.hello)
	o.Child("d").Set("heartbeat_interval", max(1, s.cfg.HeartbeatInterval.Milliseconds()))
	return marshal(o)
}

func (s *Server) readyLocked(sess *session) *jsonobj.Object {
	d := tmpl(s.tmpl.ready)
	d.Set("v", 9)
	u := s.userObjectLocked(s.cfg.BotUserID)
	u.Set("verified", true).Set("mfa_enabled", false).Set("flags", 0).Set("email", nil)
	d.Set("user", u)
	d.Set("session_id", sess.id)
	d.Set("resume_gateway_url", s.GatewayURL())
	var guilds []any
	for _, g := range s.guildIDsLocked() {
		guilds = append(guilds, jsonobj.New("unavailable", true, "id", g))
	}
	d.Set("guilds", guilds)
	var dms []any
	for _, id := range sortIDs(dmIDs(s.dms)) {
		dms = append(dms, s.channelObjectLocked(s.channels[id]))
	}
	d.Set("private_channels", nonNil(dms))
	d.Child("application").Set("id", s.cfg.AppID)
	return d
}

func dmIDs(m map[string]string) []string {
	var out []string
	for _, id := range m {
		out = append(out, id)
	}
	return out
}

func nonNil(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}

// guildIDsLocked lists the guilds the bot is in: Config.GuildID first, then
// the guilds of known channels.
func (s *Server) guildIDsLocked() []string {
	out := []string{s.cfg.GuildID}
	var more []string
	for _, c := range s.channels {
		if c.GuildID != "" && !slices.Contains(out, c.GuildID) && !slices.Contains(more, c.GuildID) {
			more = append(more, c.GuildID)
		}
	}
	return append(out, sortIDs(more)...)
}

// guildCreateLocked renders the GUILD_CREATE that follows READY, with the
// guild's known channels and threads.
func (s *Server) guildCreateLocked(guildID string) *jsonobj.Object {
	name := s.cfg.GuildName
	if guildID != s.cfg.GuildID {
		name = "guild-" + guildID[max(0, len(guildID)-4):]
	}
	var ids []string
	for id, c := range s.channels {
		if c.GuildID == guildID {
			ids = append(ids, id)
		}
	}
	channels, threads := []any{}, []any{}
	for _, id := range sortIDs(ids) {
		c := s.channels[id]
		o := s.channelObjectLocked(c)
		if isThread(c.Type) {
			threads = append(threads, o)
		} else {
			o.Del("guild_id") // GUILD_CREATE's channels omit it
			channels = append(channels, o)
		}
	}
	joined := timestamp(snowflakeTime(guildID))
	botMember := jsonobj.New("user", s.userObjectLocked(s.cfg.BotUserID), "roles", []any{}, "joined_at", joined,
		"deaf", false, "mute", false, "flags", 0, "nick", nil, "premium_since", nil, "pending", false)
	return jsonobj.New(
		"id", guildID, "name", name, "icon", nil, "owner_id", DefaultUserID,
		"joined_at", joined, "large", false, "unavailable", false, "member_count", 2,
		"roles", []any{jsonobj.New("id", guildID, "name", "@everyone", "permissions", "1071698660929",
			"position", 0, "color", 0, "hoist", false, "managed", false, "mentionable", false, "flags", 0)},
		"emojis", []any{}, "stickers", []any{}, "features", []any{},
		"members", []any{botMember}, "channels", channels, "threads", threads,
		"voice_states", []any{}, "presences", []any{}, "stage_instances", []any{},
		"guild_scheduled_events", []any{}, "preferred_locale", "nb", "premium_tier", 0,
		"system_channel_id", nil, "rules_channel_id", nil, "application_id", nil,
	)
}

// --- test controls ---

// Drop closes every gateway connection abruptly, without a close frame,
// like a network failure. discordgo notices the read error, closes its side
// (which takes it one second), reconnects and RESUMEs.
func (s *Server) Drop() {
	s.mu.Lock()
	conns := slices.Clone(s.gw.conns)
	s.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
}

// RequestReconnect sends op 7 RECONNECT (the recorded frame) on every open
// connection. discordgo closes with 1012, reconnects and RESUMEs.
func (s *Server) RequestReconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.gw.conns {
		c.ctrl = append(c.ctrl, s.tmpl.reconnect)
		c.poke()
	}
}

// InvalidateSession makes the next RESUME of the current session fail with
// op 9 INVALID_SESSION d:false: the session and its undelivered dispatches
// are gone, and the client must identify afresh. It does not disconnect;
// combine it with Drop or RequestReconnect.
func (s *Server) InvalidateSession() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.current != nil {
		s.gw.current.invalid = true
	}
}

// SendInvalidSession sends op 9 INVALID_SESSION on the current session's
// connection now, with d = resumable. The connection no longer carries the
// session; without resumable the session is forgotten. discordgo answers
// either kind with an IDENTIFY on the same connection.
func (s *Server) SendInvalidSession(resumable bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.gw.current
	if sess == nil || sess.conn == nil {
		return
	}
	c := sess.conn
	frame := s.tmpl.invalidSession
	if resumable {
		o := tmpl(frame)
		o.Set("d", true)
		frame = marshal(o)
	} else {
		delete(s.gw.sessions, sess.id)
		s.gw.current = nil
	}
	c.sess, sess.conn = nil, nil
	c.ctrl = append(c.ctrl, frame)
	c.poke()
}

// SetHeartbeatAcks turns answering heartbeats with op 11 on (the default)
// or off, to simulate a zombie connection: discordgo gives up on a
// connection whose last ACK is more than 5 heartbeat intervals old, then
// reconnects and RESUMEs.
func (s *Server) SetHeartbeatAcks(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gw.noAcks = !on
}

// Connections returns how many gateway connections have been opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.opened
}

// OpenConnections returns how many gateway connections are open now.
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.gw.conns)
}

// WaitConnected waits until at least n connections have been opened in
// total, or timeout passes, and reports whether they have.
func (s *Server) WaitConnected(n int, timeout time.Duration) bool {
	return s.waitUntil(timeout, func() bool { return s.gw.opened >= n })
}

// Identifies returns the IDENTIFYs received, in order.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Identify, len(s.gw.identifies))
	for i, id := range s.gw.identifies {
		id.Raw = slices.Clone(id.Raw)
		id.Shard = slices.Clone(id.Shard)
		props := make(map[string]string, len(id.Properties))
		for k, v := range id.Properties {
			props[k] = v
		}
		id.Properties = props
		out[i] = id
	}
	return out
}

// WaitIdentified waits until at least n IDENTIFYs have started a session,
// or timeout passes, and reports whether they have.
func (s *Server) WaitIdentified(n int, timeout time.Duration) bool {
	return s.waitUntil(timeout, func() bool { return s.countLocked(func(i Identify) bool { return i.SessionID != "" }) >= n })
}

func (s *Server) countLocked(f func(Identify) bool) int {
	n := 0
	for _, i := range s.gw.identifies {
		if f(i) {
			n++
		}
	}
	return n
}

// Resumes returns the RESUMEs received, accepted or not, in order.
func (s *Server) Resumes() []Resume {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gw.resumes)
}

// WaitResumed waits until at least n RESUMEs have been accepted (RESUMED
// sent), or timeout passes, and reports whether they have.
func (s *Server) WaitResumed(n int, timeout time.Duration) bool {
	return s.waitUntil(timeout, func() bool {
		k := 0
		for _, r := range s.gw.resumes {
			if r.Accepted {
				k++
			}
		}
		return k >= n
	})
}

// SessionID returns the current session's ID ("" before the first
// IDENTIFY or after a refused RESUME).
func (s *Server) SessionID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.current == nil {
		return ""
	}
	return s.gw.current.id
}

// Heartbeats returns how many op 1 heartbeats clients have sent.
func (s *Server) Heartbeats() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.heartbeats
}

// ClientFrames returns every frame gateway clients sent, in order.
func (s *Server) ClientFrames() []ClientFrame {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ClientFrame, len(s.gw.frames))
	for i, f := range s.gw.frames {
		f.Data = slices.Clone(f.Data)
		out[i] = f
	}
	return out
}

// ClientCloses returns the close frames gateway clients sent, in order.
// A connection that just vanished (or that the fake dropped) has none.
func (s *Server) ClientCloses() []CloseFrame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.gw.closes)
}
