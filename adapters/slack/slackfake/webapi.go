package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"io"
	mrand "math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// RateLimit makes the Web API answer a share of calls with HTTP 429, a
// Retry-After header and {"ok":false,"error":"ratelimited"}, which slack-go
// turns into *slack.RateLimitedError. A rate-limited call has no effect (it is
// not recorded as a post) but appears in Calls with Status 429.
type RateLimit struct {
	Fraction   float64 // share of eligible calls limited: 0 none, 1 every one
	RetryAfter int     // seconds sent in Retry-After; 0 means 1
	AllMethods bool    // limit every method (and upload URL), not only chat.postMessage
	// Methods, if set, are the methods limited instead of chat.postMessage,
	// such as "files.completeUploadExternal", or UploadURLCall for the POST
	// of a file's bytes to its upload URL.
	Methods []string
	Max     int    // stop after this many 429s; 0 means no cap
	Seed    uint64 // seeds the choice of calls; equal seeds, equal choices
}

// SetRateLimit replaces the rate-limit setting (the zero RateLimit turns it
// off) and restarts its random sequence from rl.Seed. The count of 429s
// (RateLimited) is kept; Max counts from this call.
func (s *Server) SetRateLimit(rl RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rl.RetryAfter <= 0 {
		rl.RetryAfter = 1
	}
	rl.Methods = slices.Clone(rl.Methods)
	s.rateLimit = rl
	s.limitedBase = s.limited
	s.rng = mrand.New(mrand.NewPCG(rl.Seed, rl.Seed^0x5eed))
}

// RateLimited returns how many calls were answered with HTTP 429.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// apiMethod describes one Web API method of the fake.
type apiMethod struct {
	appToken bool                                                // needs the xapp- token, not the bot's
	scope    func(f url.Values) string                           // bot scope needed; nil: none
	handle   func(*Server, url.Values) (*jsonobj.Object, string) // response fields, or an error code; s.mu held
}

func scope(name string) func(url.Values) string { return func(url.Values) string { return name } }

var apiMethods = map[string]apiMethod{
	"auth.test":                    {handle: (*Server).authTest},
	"apps.connections.open":        {appToken: true, handle: (*Server).appsConnectionsOpen},
	"chat.postMessage":             {scope: scope("chat:write"), handle: (*Server).chatPostMessage},
	"chat.update":                  {scope: scope("chat:write"), handle: (*Server).chatUpdate},
	"conversations.open":           {scope: scope("im:write"), handle: (*Server).conversationsOpen},
	"conversations.replies":        {scope: historyScope, handle: (*Server).conversationsReplies},
	"conversations.history":        {scope: historyScope, handle: (*Server).conversationsHistory},
	"files.getUploadURLExternal":   {scope: scope("files:write"), handle: (*Server).filesGetUploadURLExternal},
	"files.completeUploadExternal": {scope: scope("files:write"), handle: (*Server).filesCompleteUploadExternal},
	"reactions.add":                {scope: scope("reactions:write"), handle: (*Server).reactionsAdd},
	"reactions.remove":             {scope: scope("reactions:write"), handle: (*Server).reactionsRemove},
	"reactions.get":                {scope: scope("reactions:read"), handle: (*Server).reactionsGet},
	"users.info":                   {scope: scope("users:read"), handle: (*Server).usersInfo},
	"views.publish":                {handle: (*Server).viewsPublish},
}

// historyScope is the history scope Slack requires for the channel's kind.
func historyScope(f url.Values) string {
	switch ch := f.Get("channel"); {
	case strings.HasPrefix(ch, "D"):
		return "im:history"
	case strings.HasPrefix(ch, "G"):
		return "groups:history"
	default:
		return "channels:history"
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/api/")
	body, _ := io.ReadAll(r.Body)
	form := parseRequestForm(r, body)
	token := form.Get("token")
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && h != "" {
		token = h
	}

	s.mu.Lock()
	status, resp, headers := s.dispatchLocked(name, token, form)
	call := Call{Method: name, Form: form, Body: body, Status: status}
	if e, _ := resp.Get("error").(string); e != "" {
		call.Error = e
	}
	s.calls = append(s.calls, call)
	s.notify()
	s.mu.Unlock()

	s.logf("%s %s → %d %s", name, form.Encode(), status, call.Error)
	for k, v := range headers {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(marshal(resp))
}

// dispatchLocked authenticates, rate-limits and runs one Web API call.
func (s *Server) dispatchLocked(name, token string, form url.Values) (int, *jsonobj.Object, http.Header) {
	h := http.Header{}
	fail := func(code string) (int, *jsonobj.Object, http.Header) {
		return http.StatusOK, jsonobj.New("ok", false, "error", code), h
	}
	m, ok := apiMethods[name]
	if !ok {
		o := jsonobj.New("ok", false, "error", "unknown_method", "req_method", name)
		return http.StatusOK, o, h
	}
	switch {
	case token == "":
		return fail("not_authed")
	case token != s.cfg.BotToken && token != s.cfg.AppToken:
		return fail("invalid_auth")
	case m.appToken != (token == s.cfg.AppToken):
		return fail("not_allowed_token_type")
	}
	needed := ""
	if m.scope != nil {
		needed = m.scope(form)
	}
	if token == s.cfg.BotToken {
		h.Set("X-OAuth-Scopes", strings.Join(s.scopes, ","))
		h.Set("X-Accepted-OAuth-Scopes", needed)
	}
	if s.rateLimitedLocked(name) {
		s.limited++
		h.Set("Retry-After", strconv.Itoa(s.rateLimit.RetryAfter))
		return http.StatusTooManyRequests, jsonobj.New("ok", false, "error", "ratelimited"), h
	}
	if needed != "" && !slices.Contains(s.scopes, needed) {
		return http.StatusOK, jsonobj.New("ok", false, "error", "missing_scope",
			"needed", needed, "provided", strings.Join(s.scopes, ",")), h
	}
	resp, errCode := m.handle(s, form)
	if errCode != "" {
		return fail(errCode)
	}
	out := jsonobj.New("ok", true)
	for _, k := range resp.Keys() {
		out.Set(k, resp.Get(k))
	}
	return http.StatusOK, out, h
}

func (s *Server) rateLimitedLocked(method string) bool {
	rl := s.rateLimit
	methods := rl.Methods
	if len(methods) == 0 {
		methods = []string{"chat.postMessage"}
	}
	if rl.Fraction <= 0 || (!rl.AllMethods && !slices.Contains(methods, method)) {
		return false
	}
	if rl.Max > 0 && s.limited-s.limitedBase >= rl.Max {
		return false
	}
	return rl.Fraction >= 1 || s.rng.Float64() < rl.Fraction
}

// parseRequestForm merges the query string with a form-encoded or JSON body
// (top-level JSON values that are not strings are kept as JSON text).
func parseRequestForm(r *http.Request, body []byte) url.Values {
	form := r.URL.Query()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				var str string
				if json.Unmarshal(v, &str) == nil {
					form.Set(k, str)
				} else {
					form.Set(k, string(v))
				}
			}
		}
	default:
		if vals, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range vals {
				form[k] = append(form[k], vs...)
			}
		}
	}
	return form
}

// --- methods (s.mu held) ---

func (s *Server) authTest(url.Values) (*jsonobj.Object, string) {
	return jsonobj.New(
		"url", "https://"+s.cfg.TeamDomain+".slack.com/",
		"team", s.cfg.TeamName,
		"user", s.cfg.BotName,
		"team_id", s.cfg.TeamID,
		"user_id", s.cfg.BotUserID,
		"bot_id", s.cfg.BotID,
		"is_enterprise_install", false,
	), ""
}

func (s *Server) appsConnectionsOpen(url.Values) (*jsonobj.Object, string) {
	ticket := uuid()
	s.tickets[ticket] = true
	s.opens++
	host := strings.TrimPrefix(s.srv.URL, "http://")
	u := "ws://" + host + "/socket?" + url.Values{"ticket": {ticket}, "app_id": {s.cfg.AppID}}.Encode()
	return jsonobj.New("url", u), ""
}

// resolveChannelLocked maps a user ID used as a channel to the bot's DM with
// that user, as chat.postMessage does, and reports whether the channel is known.
func (s *Server) resolveChannelLocked(ch string) (string, bool) {
	if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		ch = s.openDMLocked(ch)
	}
	return ch, ch != "" && s.channels[ch]
}

func (s *Server) chatPostMessage(f url.Values) (*jsonobj.Object, string) {
	ch, ok := s.resolveChannelLocked(f.Get("channel"))
	if !ok {
		return nil, "channel_not_found"
	}
	text := f.Get("text")
	blocks, ok := parseBlocks(f)
	if !ok {
		return nil, "invalid_blocks"
	}
	if text == "" && len(blocks) == 0 && f.Get("attachments") == "" {
		return nil, "no_text"
	}
	m := &Message{
		Channel: ch, TS: s.nextTSLocked(), ThreadTS: f.Get("thread_ts"),
		User: s.cfg.BotUserID, BotID: s.cfg.BotID, Text: text, Blocks: blocks,
	}
	s.putMessageLocked(m)
	s.posts = append(s.posts, Post{
		Channel: ch, TS: m.TS, ThreadTS: m.ThreadTS, Text: text,
		Blocks: cloneRaw(blocks), Form: cloneValues(f),
	})
	return jsonobj.New("channel", ch, "ts", m.TS, "message", s.messageJSONLocked(m)), ""
}

func (s *Server) chatUpdate(f url.Values) (*jsonobj.Object, string) {
	ch, ts := f.Get("channel"), f.Get("ts")
	if !s.channels[ch] {
		return nil, "channel_not_found"
	}
	m := s.messageLocked(ch, ts)
	if m == nil {
		return nil, "message_not_found"
	}
	if m.BotID != s.cfg.BotID {
		return nil, "cant_update_message"
	}
	blocks, ok := parseBlocks(f)
	if !ok {
		return nil, "invalid_blocks"
	}
	if f.Has("text") {
		m.Text = f.Get("text")
	}
	if f.Has("blocks") {
		m.Blocks = blocks
	}
	s.updates = append(s.updates, Update{
		Channel: ch, TS: ts, Text: f.Get("text"), Blocks: cloneRaw(blocks), Form: cloneValues(f),
	})
	return jsonobj.New("channel", ch, "ts", ts, "text", m.Text, "message", s.messageJSONLocked(m)), ""
}

// parseBlocks validates the blocks field: absent is fine, present must be a
// JSON array. It returns the compact JSON.
func parseBlocks(f url.Values) (json.RawMessage, bool) {
	if !f.Has("blocks") {
		return nil, true
	}
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(f.Get("blocks")), &arr); err != nil || arr == nil {
		return nil, false
	}
	return json.RawMessage(marshal(json.RawMessage(f.Get("blocks")))), true
}

func (s *Server) openDMLocked(users string) string {
	if id, ok := s.dms[users]; ok {
		return id
	}
	id := "D" + users
	if strings.Contains(users, ",") {
		id = "G" + s.nextIDLocked() // a multi-person DM
	}
	s.dms[users] = id
	s.channels[id] = true
	return id
}

func (s *Server) conversationsOpen(f url.Values) (*jsonobj.Object, string) {
	if ch := f.Get("channel"); ch != "" {
		if !s.channels[ch] {
			return nil, "channel_not_found"
		}
		return jsonobj.New("no_op", true, "already_open", true, "channel", jsonobj.New("id", ch)), ""
	}
	users := strings.Split(f.Get("users"), ",")
	users = slices.DeleteFunc(users, func(u string) bool { return u == "" })
	if len(users) == 0 {
		return nil, "users_list_not_supplied"
	}
	sort.Strings(users)
	key := strings.Join(users, ",")
	if id, ok := s.dms[key]; ok {
		return jsonobj.New("no_op", true, "already_open", true, "channel", jsonobj.New("id", id)), ""
	}
	return jsonobj.New("channel", jsonobj.New("id", s.openDMLocked(key))), ""
}

// reactionTargetLocked finds the message a reactions.* call names.
func (s *Server) reactionTargetLocked(f url.Values) (*Message, string) {
	ch := f.Get("channel")
	if !s.channels[ch] {
		return nil, "channel_not_found"
	}
	m := s.messageLocked(ch, f.Get("timestamp"))
	if m == nil {
		return nil, "message_not_found"
	}
	return m, ""
}

func (s *Server) reactionsAdd(f url.Values) (*jsonobj.Object, string) {
	name := f.Get("name")
	if name == "" {
		return nil, "invalid_name"
	}
	m, errCode := s.reactionTargetLocked(f)
	if errCode != "" {
		return nil, errCode
	}
	m.Reactions = cloneReactions(m.Reactions) // normalise counts
	i := slices.IndexFunc(m.Reactions, func(x Reaction) bool { return x.Name == name })
	if i < 0 {
		m.Reactions = append(m.Reactions, Reaction{Name: name})
		i = len(m.Reactions) - 1
	}
	if slices.Contains(m.Reactions[i].Users, s.cfg.BotUserID) {
		return nil, "already_reacted"
	}
	m.Reactions[i].Users = append(m.Reactions[i].Users, s.cfg.BotUserID)
	m.Reactions[i].Count++
	return jsonobj.New(), ""
}

func (s *Server) reactionsRemove(f url.Values) (*jsonobj.Object, string) {
	name := f.Get("name")
	m, errCode := s.reactionTargetLocked(f)
	if errCode != "" {
		return nil, errCode
	}
	m.Reactions = cloneReactions(m.Reactions)
	i := slices.IndexFunc(m.Reactions, func(x Reaction) bool { return x.Name == name })
	if i < 0 || !slices.Contains(m.Reactions[i].Users, s.cfg.BotUserID) {
		return nil, "no_reaction"
	}
	rc := &m.Reactions[i]
	rc.Users = slices.DeleteFunc(rc.Users, func(u string) bool { return u == s.cfg.BotUserID })
	rc.Count--
	if rc.Count <= 0 {
		m.Reactions = slices.Delete(m.Reactions, i, i+1)
	}
	return jsonobj.New(), ""
}

func (s *Server) reactionsGet(f url.Values) (*jsonobj.Object, string) {
	m, errCode := s.reactionTargetLocked(f)
	if errCode != "" {
		return nil, errCode
	}
	return jsonobj.New("type", "message", "channel", m.Channel, "message", s.messageJSONLocked(m)), ""
}

const cursorPrefix = "next_ts:"

func (s *Server) conversationsReplies(f url.Values) (*jsonobj.Object, string) {
	ch := f.Get("channel")
	if !s.channels[ch] {
		return nil, "channel_not_found"
	}
	root := s.messageLocked(ch, f.Get("ts"))
	if root != nil && root.ThreadTS != "" && root.ThreadTS != root.TS {
		root = s.messageLocked(ch, root.ThreadTS) // ts named a reply: the whole thread
	}
	if root == nil {
		return nil, "thread_not_found"
	}
	thread := []*Message{root}
	for _, m := range s.messages[ch] {
		if m.ThreadTS == root.TS && m.TS != root.TS {
			thread = append(thread, m)
		}
	}
	sort.Slice(thread[1:], func(i, j int) bool { return tsLess(thread[1+i].TS, thread[1+j].TS) })
	if oldest := f.Get("oldest"); oldest != "" {
		// Messages after oldest (exclusive, as Slack's default), the
		// root among them only if it is.
		thread = slices.DeleteFunc(thread, func(m *Message) bool { return !tsLess(oldest, m.TS) })
	}

	limit, _ := strconv.Atoi(f.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	start := 0
	if c := f.Get("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		after, ok := strings.CutPrefix(string(raw), cursorPrefix)
		if err != nil || !ok {
			return nil, "invalid_cursor"
		}
		start = slices.IndexFunc(thread, func(m *Message) bool { return !tsLess(m.TS, after) })
		if start < 0 {
			start = len(thread)
		}
	}
	end := min(start+limit, len(thread))
	msgs := []any{}
	for _, m := range thread[start:end] {
		msgs = append(msgs, s.messageJSONLocked(m))
	}
	out := jsonobj.New("messages", msgs, "has_more", end < len(thread))
	if end < len(thread) {
		next := base64.StdEncoding.EncodeToString([]byte(cursorPrefix + thread[end].TS))
		out.Set("response_metadata", jsonobj.New("next_cursor", next))
	}
	return out, ""
}

// conversationsHistory answers conversations.history: the channel's
// top-level messages (thread replies are not in it), newest first, after
// oldest (exclusive) when given, up to limit (100 by default).
func (s *Server) conversationsHistory(f url.Values) (*jsonobj.Object, string) {
	ch := f.Get("channel")
	if !s.channels[ch] {
		return nil, "channel_not_found"
	}
	var top []*Message
	for _, m := range s.messages[ch] {
		if m.ThreadTS == "" || m.ThreadTS == m.TS {
			if oldest := f.Get("oldest"); oldest == "" || tsLess(oldest, m.TS) {
				top = append(top, m)
			}
		}
	}
	sort.Slice(top, func(i, j int) bool { return tsLess(top[j].TS, top[i].TS) })
	limit, _ := strconv.Atoi(f.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	msgs := []any{}
	for _, m := range top[:min(limit, len(top))] {
		msgs = append(msgs, s.messageJSONLocked(m))
	}
	return jsonobj.New("messages", msgs, "has_more", len(top) > limit, "pin_count", 0), ""
}

func (s *Server) usersInfo(f url.Values) (*jsonobj.Object, string) {
	u, ok := s.users[f.Get("user")]
	if !ok {
		return nil, "user_not_found"
	}
	profile := jsonobj.New(
		"real_name", u.RealName,
		"display_name", u.DisplayName,
		"real_name_normalized", u.RealName,
		"display_name_normalized", u.DisplayName,
		"team", u.TeamID,
	)
	if u.IsBot && u.ID == s.cfg.BotUserID {
		profile.Set("bot_id", s.cfg.BotID).Set("api_app_id", s.cfg.AppID)
	}
	return jsonobj.New("user", jsonobj.New(
		"id", u.ID,
		"team_id", u.TeamID,
		"name", u.Name,
		"deleted", false,
		"color", "9f69e7",
		"real_name", u.RealName,
		"tz", "Europe/Oslo",
		"tz_label", "Central European Time",
		"tz_offset", 3600,
		"profile", profile,
		"is_admin", false,
		"is_owner", false,
		"is_primary_owner", false,
		"is_restricted", false,
		"is_ultra_restricted", false,
		"is_bot", u.IsBot,
		"is_app_user", false,
		"updated", tsBase,
	)), ""
}

func (s *Server) filesGetUploadURLExternal(f url.Values) (*jsonobj.Object, string) {
	u, id, errCode := s.newUploadLocked(f)
	if errCode != "" {
		return nil, errCode
	}
	return jsonobj.New("upload_url", u, "file_id", id), ""
}

func (s *Server) filesCompleteUploadExternal(f url.Values) (*jsonobj.Object, string) {
	files, errCode := s.completeUploadLocked(f)
	if errCode != "" {
		return nil, errCode
	}
	out := []any{}
	for _, file := range files {
		out = append(out, jsonobj.New("id", file.id, "title", file.title))
	}
	return jsonobj.New("files", out), ""
}

// fileJSONLocked renders a shared file the way messages carry it.
func (s *Server) fileJSONLocked(id string) *jsonobj.Object {
	file := s.files.byID[id]
	if file == nil {
		return jsonobj.New("id", id, "mode", "tombstone")
	}
	return jsonobj.New("id", file.id, "name", file.name, "title", file.shownTitle(), "user", s.cfg.BotUserID,
		"mode", "hosted", "size", len(file.data), "is_external", false)
}

// messageJSONLocked renders m the way Slack's Web API returns messages.
func (s *Server) messageJSONLocked(m *Message) *jsonobj.Object {
	o := jsonobj.New("user", m.User, "type", "message", "ts", m.TS)
	if m.BotID != "" {
		o.Set("bot_id", m.BotID).Set("app_id", s.cfg.AppID)
	}
	o.Set("text", m.Text).Set("team", s.cfg.TeamID)
	if m.ThreadTS != "" {
		o.Set("thread_ts", m.ThreadTS)
		if m.ThreadTS == m.TS {
			var count int
			var users []any
			latest := ""
			for _, r := range s.messages[m.Channel] {
				if r.ThreadTS == m.TS && r.TS != m.TS {
					count++
					if !slices.Contains(users, any(r.User)) {
						users = append(users, r.User)
					}
					if latest == "" || tsLess(latest, r.TS) {
						latest = r.TS
					}
				}
			}
			if count > 0 {
				o.Set("reply_count", count).Set("reply_users_count", len(users)).
					Set("latest_reply", latest).Set("reply_users", users)
			}
		} else if root := s.messageLocked(m.Channel, m.ThreadTS); root != nil {
			o.Set("parent_user_id", root.User)
		}
	}
	if m.Blocks != nil {
		o.Set("blocks", json.RawMessage(m.Blocks))
	}
	if len(m.Files) > 0 {
		files := []any{}
		for _, id := range m.Files {
			files = append(files, s.fileJSONLocked(id))
		}
		o.Set("files", files).Set("upload", true)
	}
	if len(m.Reactions) > 0 {
		rs := []any{}
		for _, r := range cloneReactions(m.Reactions) {
			users := []any{}
			for _, u := range r.Users {
				users = append(users, u)
			}
			rs = append(rs, jsonobj.New("name", r.Name, "users", users, "count", r.Count))
		}
		o.Set("reactions", rs)
	}
	return o
}

// serveResponseURL records a POST to a response_url the fake handed out in
// a slash command or block_actions payload.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.calls = append(s.calls, Call{
		Method: "response_url", Form: url.Values{"url": {r.URL.Path}}, Body: body, Status: http.StatusOK,
	})
	s.notify()
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(`{"ok":true}`))
}
