package slackfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// EnvelopeType is the type of a Socket Mode envelope carrying a payload.
type EnvelopeType string

// The envelope types slack-go's socketmode client dispatches.
const (
	EventsAPI     EnvelopeType = "events_api"     // payload: Events API body (event_callback)
	Interactive   EnvelopeType = "interactive"    // payload: block_actions, view_submission, …
	SlashCommands EnvelopeType = "slash_commands" // payload: the command's fields as a JSON object
)

// Ack is an acknowledgement frame a Socket Mode client sent:
// {"envelope_id":…, "payload":…}.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil if the frame had no payload
	Conn       int             // number of the connection it came on, from 1
}

// maxRedeliveries is how often RedeliverAfter re-sends an envelope, like
// Slack's three retries.
const maxRedeliveries = 3

// disconnectGrace is how long a connection may stay open after a disconnect
// frame before the fake closes it (slack-go closes it at once).
const disconnectGrace = 10 * time.Second

type envelope struct {
	seq     int
	id      string
	typ     EnvelopeType
	payload json.RawMessage
	accepts bool
	attempt int
	reason  string
	acked   bool
	queued  bool      // in socketState.queue
	sentAt  time.Time // last delivery; zero before the first
}

type socketState struct {
	queue  []*envelope // envelopes waiting for a connection, in order
	envs   map[string]*envelope
	conns  []*wsConn // open connections
	opened int
	acks   []Ack
	wg     sync.WaitGroup // connection goroutines
}

func (st *socketState) init() { st.envs = map[string]*envelope{} }

func (st *socketState) activeConns() []*wsConn { return slices.Clone(st.conns) }

// wsConn is one Socket Mode connection. Only its writer goroutine writes
// data frames; pings and pongs go through WriteControl, which gorilla allows
// concurrently.
type wsConn struct {
	n        int
	ws       *websocket.Conn
	draining bool     // sent a disconnect: takes no more envelopes (s.mu)
	control  [][]byte // frames for this connection only (s.mu)
	done     chan struct{}
	once     sync.Once
	timer    *time.Timer // disconnect grace (s.mu)
}

func (c *wsConn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveSocket accepts a Socket Mode connection on a ticket from
// apps.connections.open; each ticket is good for one connection.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := !s.closed && s.tickets[ticket]
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
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
	s.socket.opened++
	c := &wsConn{n: s.socket.opened, ws: ws, done: make(chan struct{})}
	s.socket.conns = append(s.socket.conns, c)
	hello := marshal(jsonobj.New(
		"type", "hello",
		"num_connections", len(s.socket.conns),
		"debug_info", jsonobj.New("host", s.host(c), "build_number", 10, "approximate_connection_time", 18060),
		"connection_info", jsonobj.New("app_id", s.cfg.AppID),
	))
	s.socket.wg.Add(2)
	s.notify()
	s.mu.Unlock()
	s.logf("socket: connection %d opened", c.n)

	go s.writeLoop(c, hello)
	s.readLoop(c)
}

func (s *Server) host(c *wsConn) string { return "applink-fake-" + strconv.Itoa(c.n) }

// readLoop records acks until the connection fails, then forgets it.
func (s *Server) readLoop(c *wsConn) {
	defer s.socket.wg.Done()
	for {
		typ, data, err := c.ws.ReadMessage() // the default ping handler answers pings
		if err != nil {
			break
		}
		if typ != websocket.TextMessage {
			continue
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			s.logf("socket: connection %d: unexpected frame %s", c.n, data)
			continue
		}
		s.logf("socket: connection %d: ack %s", c.n, data)
		s.mu.Lock()
		s.socket.acks = append(s.socket.acks, Ack{EnvelopeID: a.EnvelopeID, Payload: cloneRaw(a.Payload), Conn: c.n})
		if env := s.socket.envs[a.EnvelopeID]; env != nil {
			env.acked = true
		}
		s.notify()
		s.mu.Unlock()
	}
	c.close()
	s.mu.Lock()
	s.socket.conns = slices.DeleteFunc(s.socket.conns, func(x *wsConn) bool { return x == c })
	if c.timer != nil {
		c.timer.Stop()
	}
	s.notify()
	s.mu.Unlock()
	s.logf("socket: connection %d closed", c.n)
}

// writeLoop sends hello, then pings, this connection's control frames and
// queued envelopes until the connection closes.
func (s *Server) writeLoop(c *wsConn, hello []byte) {
	defer s.socket.wg.Done()
	defer c.close()
	if s.write(c, hello) != nil {
		return
	}
	var tick <-chan time.Time
	if s.cfg.PingInterval > 0 {
		t := time.NewTicker(s.cfg.PingInterval)
		defer t.Stop()
		tick = t.C
	}
	ping := func() error {
		return c.ws.WriteControl(websocket.PingMessage, []byte(strconv.FormatInt(time.Now().UnixMilli(), 10)),
			time.Now().Add(10*time.Second))
	}
	if tick != nil && ping() != nil {
		return
	}
	for {
		select { // pings stay due even while frames are flowing
		case <-tick:
			if ping() != nil {
				return
			}
		default:
		}
		s.mu.Lock()
		frame, env := s.nextFrameLocked(c)
		changed := s.changed
		s.mu.Unlock()
		if frame != nil {
			if err := s.write(c, frame); err != nil {
				if env != nil { // not delivered: first in line for the next connection
					s.mu.Lock()
					if !env.queued {
						env.queued = true
						s.socket.queue = append([]*envelope{env}, s.socket.queue...)
					}
					s.notify()
					s.mu.Unlock()
				}
				return
			}
			continue
		}
		select {
		case <-changed:
		case <-tick:
			if ping() != nil {
				return
			}
		case <-c.done:
			return
		}
	}
}

func (s *Server) write(c *wsConn, frame []byte) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	err := c.ws.WriteMessage(websocket.TextMessage, frame)
	s.logf("socket: connection %d: sent %s (err=%v)", c.n, frame, err)
	return err
}

// nextFrameLocked pops the next frame for c: its own control frames first,
// then, unless c is draining, the oldest queued envelope.
func (s *Server) nextFrameLocked(c *wsConn) ([]byte, *envelope) {
	if len(c.control) > 0 {
		f := c.control[0]
		c.control = c.control[1:]
		return f, nil
	}
	if c.draining || s.closed || len(s.socket.queue) == 0 {
		return nil, nil
	}
	env := s.socket.queue[0]
	s.socket.queue = s.socket.queue[1:]
	env.queued = false
	env.sentAt = time.Now()
	return envelopeFrame(env), env
}

// envelopeFrame renders env like Slack: the fixtures show retry fields on
// events_api envelopes only.
func envelopeFrame(env *envelope) []byte {
	o := jsonobj.New("envelope_id", env.id, "payload", env.payload, "type", string(env.typ),
		"accepts_response_payload", env.accepts)
	if env.typ == EventsAPI || env.attempt > 0 {
		o.Set("retry_attempt", env.attempt).Set("retry_reason", env.reason)
	}
	return marshal(o)
}

// SendEvent wraps payload in a Socket Mode envelope of type typ with a fresh
// envelope_id and returns that ID. The envelope goes to an open connection
// (one of them, if several are open), or waits in a queue, in order, until
// one opens. accepts_response_payload is true for slash commands (as in the
// recorded envelopes) and for view_submission interactions (whose ack may
// carry a response_action), false otherwise. A message or app_mention event
// also stores its message (see Messages), so the bot can react to it or read
// its thread. payload must be valid JSON; otherwise SendEvent fails the test
// and returns "".
func (s *Server) SendEvent(typ EnvelopeType, payload json.RawMessage) string {
	if !json.Valid(payload) {
		s.tb.Errorf("slackfake: SendEvent(%s): payload is not valid JSON", typ)
		return ""
	}
	env := &envelope{id: uuid(), typ: typ, payload: cloneRaw(payload), accepts: acceptsResponse(typ, payload)}
	s.mu.Lock()
	defer s.mu.Unlock()
	env.seq = len(s.socket.envs)
	s.socket.envs[env.id] = env
	env.queued = true
	s.socket.queue = append(s.socket.queue, env)
	if typ == EventsAPI {
		s.learnLocked(payload)
	}
	s.notify()
	return env.id
}

// Resend delivers the envelope envelopeID again, unchanged except for
// retry_attempt+1 and retry_reason (reason, or "timeout" if empty), as Slack
// does when an ack is late. It reports whether the envelope is known.
func (s *Server) Resend(envelopeID, reason string) bool {
	if reason == "" {
		reason = "timeout"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	env := s.socket.envs[envelopeID]
	if env == nil {
		return false
	}
	env.attempt++
	env.reason = reason
	if !env.queued {
		env.queued = true
		s.socket.queue = append(s.socket.queue, env)
	}
	s.notify()
	return true
}

func acceptsResponse(typ EnvelopeType, payload json.RawMessage) bool {
	switch typ {
	case SlashCommands:
		return true
	case Interactive:
		var p struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(payload, &p)
		return p.Type == "view_submission"
	}
	return false
}

// learnLocked stores the message a message/app_mention event carries.
func (s *Server) learnLocked(payload json.RawMessage) {
	var p struct {
		Event struct {
			Type     string          `json:"type"`
			Subtype  string          `json:"subtype"`
			Channel  string          `json:"channel"`
			User     string          `json:"user"`
			Text     string          `json:"text"`
			TS       string          `json:"ts"`
			ThreadTS string          `json:"thread_ts"`
			BotID    string          `json:"bot_id"`
			Blocks   json.RawMessage `json:"blocks"`
		} `json:"event"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return
	}
	e := p.Event
	if (e.Type != "message" && e.Type != "app_mention") || e.Subtype != "" || e.Channel == "" || e.TS == "" {
		return
	}
	if s.messageLocked(e.Channel, e.TS) != nil {
		return
	}
	s.putMessageLocked(&Message{Channel: e.Channel, TS: e.TS, ThreadTS: e.ThreadTS, User: e.User,
		BotID: e.BotID, Text: e.Text, Blocks: cloneRaw(e.Blocks)})
}

// Acks returns the acknowledgements received so far, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ack, len(s.socket.acks))
	for i, a := range s.socket.acks {
		a.Payload = cloneRaw(a.Payload)
		out[i] = a
	}
	return out
}

// WaitAck waits up to timeout for an ack of envelopeID and returns the
// payload of the first one (nil if it had none) and whether one came.
func (s *Server) WaitAck(envelopeID string, timeout time.Duration) (json.RawMessage, bool) {
	var payload json.RawMessage
	ok := s.waitUntil(timeout, func() bool {
		for _, a := range s.socket.acks {
			if a.EnvelopeID == envelopeID {
				payload = cloneRaw(a.Payload)
				return true
			}
		}
		return false
	})
	return payload, ok
}

// Connections returns how many Socket Mode connections have been opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.socket.opened
}

// WaitConnected waits up to timeout until at least n Socket Mode
// connections have been opened in total, and reports whether they have.
// After Disconnect, WaitConnected(Connections()+1, …) waits for the reconnect.
func (s *Server) WaitConnected(n int, timeout time.Duration) bool {
	return s.waitUntil(timeout, func() bool { return s.socket.opened >= n })
}

// Disconnect sends every open connection a disconnect frame with reason
// ("refresh_requested" if empty; Slack also uses "warning",
// "too_many_websockets", "link_disabled"). Those connections take no more
// envelopes; new envelopes wait for the next connection. slack-go then
// calls apps.connections.open again and reconnects. A connection the client
// has not closed after 10 s is closed by the fake.
func (s *Server) Disconnect(reason string) {
	if reason == "" {
		reason = "refresh_requested"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.socket.conns {
		if c.draining {
			continue
		}
		c.draining = true
		c.control = append(c.control, marshal(jsonobj.New(
			"type", "disconnect",
			"reason", reason,
			"num_connections", len(s.socket.conns),
			"debug_info", jsonobj.New("host", s.host(c)),
			"connection_info", jsonobj.New("app_id", s.cfg.AppID),
		)))
		c.timer = time.AfterFunc(disconnectGrace, c.close)
	}
	s.notify()
}

// DropConnections closes every open connection abruptly, without a
// disconnect frame, like a network failure. slack-go notices the read error
// and reconnects.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := s.socket.activeConns()
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// redeliverLoop re-queues envelopes whose ack is overdue (Config.RedeliverAfter).
func (s *Server) redeliverLoop() {
	defer s.background.Done()
	after := s.cfg.RedeliverAfter
	t := time.NewTicker(max(after/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.mu.Lock()
			var due []*envelope
			for _, env := range s.socket.envs {
				if !env.acked && !env.queued && !env.sentAt.IsZero() &&
					env.attempt < maxRedeliveries && now.Sub(env.sentAt) >= after {
					due = append(due, env)
				}
			}
			sort.Slice(due, func(i, j int) bool { return due[i].seq < due[j].seq })
			for _, env := range due {
				env.attempt++
				env.reason = "timeout"
				env.queued = true
				s.socket.queue = append(s.socket.queue, env)
				s.logf("socket: redelivering %s (attempt %d)", env.id, env.attempt)
			}
			if len(due) > 0 {
				s.notify()
			}
			s.mu.Unlock()
		}
	}
}
