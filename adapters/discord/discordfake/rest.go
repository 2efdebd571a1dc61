package discordfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	mrand "math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// RateLimit makes the REST API answer a share of calls with HTTP 429, as
// Discord does when a bucket is exhausted: headers Retry-After (whole
// seconds, rounded up), X-RateLimit-Limit/-Remaining: 0/-Reset/
// -Reset-After/-Bucket, X-RateLimit-Scope: user and X-RateLimit-Global:
// false, and the body {"message":"You are being rate limited.",
// "retry_after":0.05,"global":false}. A rate-limited call has no effect (a
// send is not recorded in Sends) but appears in Calls with Status 429.
//
// discordgo (ShouldRetryOnRateLimit, the default) sleeps retry_after and
// retries by itself, endlessly: with Fraction 1 set Max, or it never gets
// through.
//
// Discord's docs say X-RateLimit-Global is sent only when the global limit
// was hit, and discordgo's Bucket.Release takes the header's mere presence
// as a global limit: it then holds every bucket for Reset-After and leaves
// the route bucket's own reset stale, so its next call on that route may
// wait up to the bucket window (Config.BucketWindow). OmitGlobalHeader
// sends per-route 429s as Discord documents them, without the header.
type RateLimit struct {
	Fraction         float64 // share of eligible calls limited: 0 none, 1 every one
	RetryAfter       float64 // seconds in retry_after and Reset-After; 0 means 0.05
	AllRoutes        bool    // limit every REST call, not only POST /channels/{id}/messages
	Max              int     // stop after this many 429s; 0 means no cap
	Seed             uint64  // seeds the choice of calls; equal seeds, equal choices
	Global           bool    // a global limit: X-RateLimit-Global: true, X-RateLimit-Scope: global, "global":true
	OmitGlobalHeader bool    // per-route 429s without X-RateLimit-Global (Discord's documented shape)
}

// SetRateLimit replaces the rate-limit setting (the zero RateLimit turns it
// off) and restarts its random sequence from rl.Seed. The count of 429s
// (RateLimited) is kept; Max counts from this call.
func (s *Server) SetRateLimit(rl RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rl.RetryAfter <= 0 {
		rl.RetryAfter = 0.05
	}
	s.rateLimit = rl
	s.rateLimitBase = s.limited
	s.rng = mrand.New(mrand.NewPCG(rl.Seed, rl.Seed^0x5eed))
}

// RateLimited returns how many calls were answered with HTTP 429.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// authMode says how a route authenticates.
type authMode int

const (
	authBot   authMode = iota // "authorization: Bot <token>" required
	authNone                  // public (GET /gateway)
	authToken                 // the interaction/webhook token in the path authenticates; a header, if sent, must be right
)

// request is one REST call as a handler sees it.
type request struct {
	r    *http.Request
	body []byte
	now  time.Time
}

func (rq *request) path(name string) string { return rq.r.PathValue(name) }

// response is a handler's answer; body nil means no body (204).
type response struct {
	status int
	body   any
	code   int // Discord error code, for the record
}

func ok(body any) response      { return response{status: http.StatusOK, body: body} }
func created(body any) response { return response{status: http.StatusCreated, body: body} }
func noContent() response       { return response{status: http.StatusNoContent} }

func apiError(status, code int, message string) response {
	return response{status: status, code: code, body: jsonobj.New("message", message, "code", code)}
}

// Discord's errors as the fake answers them.
var (
	errUnknownChannel     = apiError(http.StatusNotFound, 10003, "Unknown Channel")
	errUnknownMessage     = apiError(http.StatusNotFound, 10008, "Unknown Message")
	errUnknownUser        = apiError(http.StatusNotFound, 10013, "Unknown User")
	errUnknownWebhook     = apiError(http.StatusNotFound, 10015, "Unknown Webhook")
	errUnknownApplication = apiError(http.StatusNotFound, 10002, "Unknown Application")
	errUnknownEmoji       = apiError(http.StatusBadRequest, 10014, "Unknown Emoji")
	errUnknownInteraction = apiError(http.StatusNotFound, 10062, "Unknown interaction")
	errAlreadyAcked       = apiError(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	errEmptyMessage       = apiError(http.StatusBadRequest, 50006, "Cannot send an empty message")
	errEditOthers         = apiError(http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
	errUnauthorized       = apiError(http.StatusUnauthorized, 0, "401: Unauthorized")
	errNotFound           = apiError(http.StatusNotFound, 0, "404: Not Found")
	errBadJSON            = apiError(http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	errThreadExists       = apiError(http.StatusBadRequest, 160004, "A thread has already been created for this message")
)

// formErrors collects field errors for Discord's 50035 "Invalid Form Body"
// answer: {"code":50035,"errors":{"content":{"_errors":[{"code","message"}]}},…}.
type formErrors struct{ root *jsonobj.Object }

// add records an error at a dotted path such as "components.0.components.1.custom_id".
func (fe *formErrors) add(path, code, message string) {
	if fe.root == nil {
		fe.root = jsonobj.New()
	}
	o := fe.root
	for _, k := range strings.Split(path, ".") {
		o = o.Child(k)
	}
	errs := jsonobj.Arr(o.Get("_errors"))
	o.Set("_errors", append(errs, jsonobj.New("code", code, "message", message)))
}

func (fe *formErrors) response() (response, bool) {
	if fe.root == nil {
		return response{}, false
	}
	return response{status: http.StatusBadRequest, code: 50035,
		body: jsonobj.New("message", "Invalid Form Body", "code", 50035, "errors", fe.root)}, true
}

// route is one REST endpoint of the fake, relative to /api/v9.
type route struct {
	pattern string // "METHOD /path/{var}"
	auth    authMode
	send    bool   // a message send, for RateLimit
	major   string // path variable naming the bucket's top-level resource
	h       func(*Server, *request) response
}

var routes = []route{
	{pattern: "GET /gateway", auth: authNone, h: (*Server).getGateway},
	{pattern: "GET /gateway/bot", h: (*Server).getGatewayBot},
	{pattern: "GET /users/@me", h: (*Server).getMe},
	{pattern: "GET /users/{user}", h: (*Server).getUser},
	{pattern: "POST /users/@me/channels", h: (*Server).createDM},
	{pattern: "GET /channels/{channel}", major: "channel", h: (*Server).getChannel},
	{pattern: "POST /channels/{channel}/messages", send: true, major: "channel", h: (*Server).postMessage},
	{pattern: "GET /channels/{channel}/messages", major: "channel", h: (*Server).getMessages},
	{pattern: "GET /channels/{channel}/messages/{message}", major: "channel", h: (*Server).getMessage},
	{pattern: "PATCH /channels/{channel}/messages/{message}", major: "channel", h: (*Server).editMessage},
	{pattern: "DELETE /channels/{channel}/messages/{message}", major: "channel", h: (*Server).deleteMessage},
	{pattern: "PUT /channels/{channel}/messages/{message}/reactions/{emoji}/@me", major: "channel", h: (*Server).addReaction},
	{pattern: "DELETE /channels/{channel}/messages/{message}/reactions/{emoji}/@me", major: "channel", h: (*Server).removeReaction},
	{pattern: "GET /channels/{channel}/messages/{message}/reactions/{emoji}", major: "channel", h: (*Server).listReactions},
	{pattern: "POST /channels/{channel}/messages/{message}/threads", major: "channel", h: (*Server).startMessageThread},
	{pattern: "POST /channels/{channel}/threads", major: "channel", h: (*Server).startThread},
	{pattern: "POST /interactions/{interaction}/{token}/callback", auth: authToken, major: "interaction", h: (*Server).interactionCallback},
	{pattern: "POST /webhooks/{app}/{token}", auth: authToken, major: "token", h: (*Server).followup},
	{pattern: "GET /webhooks/{app}/{token}/messages/{message}", auth: authToken, major: "token", h: (*Server).getWebhookMessage},
	{pattern: "PATCH /webhooks/{app}/{token}/messages/{message}", auth: authToken, major: "token", h: (*Server).editWebhookMessage},
	{pattern: "GET /applications/{app}/commands", h: (*Server).listCommands},
	{pattern: "PUT /applications/{app}/commands", h: (*Server).overwriteCommands},
	{pattern: "POST /applications/{app}/commands", h: (*Server).createCommand},
	{pattern: "GET /applications/{app}/guilds/{guild}/commands", major: "guild", h: (*Server).listCommands},
	{pattern: "PUT /applications/{app}/guilds/{guild}/commands", major: "guild", h: (*Server).overwriteCommands},
	{pattern: "POST /applications/{app}/guilds/{guild}/commands", major: "guild", h: (*Server).createCommand},
}

func (s *Server) apiPrefix() string { return "/api/v" + discordgo.APIVersion }

func (s *Server) routes(mux *http.ServeMux) {
	prefix := s.apiPrefix()
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.pattern, " ")
		mux.Handle(method+" "+prefix+path, s.restHandler(rt))
	}
	mux.Handle(prefix+"/", s.restHandler(route{auth: authNone, h: func(*Server, *request) response { return errNotFound }}))
}

// bucketState counts calls in one bucket's current window, for the headers.
type bucketState struct {
	start time.Time
	used  int
}

func (s *Server) restHandler(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 25<<20))
		rq := &request{r: r, body: body, now: time.Now()}
		h := w.Header()
		h.Set("Content-Type", "application/json")

		s.mu.Lock()
		resp, limited := s.serveLocked(rt, rq, h)
		call := Call{Method: r.Method, Path: r.URL.EscapedPath(), Route: rt.pattern, Query: r.URL.Query(),
			Body: body, Status: resp.status, Code: resp.code, At: rq.now}
		s.calls = append(s.calls, call)
		s.notify()
		s.mu.Unlock()

		s.logf("%s %s → %d %s", r.Method, r.URL.RequestURI(), resp.status, logBody(resp, limited))
		if resp.body == nil {
			h.Del("Content-Type")
			w.WriteHeader(resp.status)
			return
		}
		w.WriteHeader(resp.status)
		_, _ = w.Write(marshal(resp.body))
	})
}

func logBody(resp response, limited bool) string {
	if limited {
		return "(rate limited)"
	}
	if resp.status >= 400 && resp.body != nil {
		return string(marshal(resp.body))
	}
	return ""
}

// serveLocked authenticates, rate-limits and runs one call, setting the
// rate-limit headers; it reports whether the call was answered with 429.
func (s *Server) serveLocked(rt route, rq *request, h http.Header) (response, bool) {
	if !s.authorized(rt.auth, rq.r.Header.Get("Authorization")) {
		return errUnauthorized, false
	}
	bucket := bucketHash(rt.pattern)
	key := rt.pattern + "|" + rq.path(rt.major)
	if s.rateLimitedLocked(rt) {
		s.limited++
		ra := s.rateLimit.RetryAfter
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(ra))))
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.BucketLimit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", epochSeconds(rq.now.Add(seconds(ra))))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(ra, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", bucket)
		switch {
		case s.rateLimit.Global:
			h.Set("X-RateLimit-Scope", "global")
			h.Set("X-RateLimit-Global", "true")
		case s.rateLimit.OmitGlobalHeader:
			h.Set("X-RateLimit-Scope", "user")
		default:
			h.Set("X-RateLimit-Scope", "user")
			h.Set("X-RateLimit-Global", "false")
		}
		return response{status: http.StatusTooManyRequests, body: jsonobj.New(
			"message", "You are being rate limited.", "retry_after", ra, "global", s.rateLimit.Global)}, true
	}
	resp := rt.h(s, rq)
	if rt.pattern != "" {
		b := s.buckets[key]
		if b == nil || rq.now.Sub(b.start) >= s.cfg.BucketWindow {
			b = &bucketState{start: rq.now}
			s.buckets[key] = b
		}
		b.used++
		reset := b.start.Add(s.cfg.BucketWindow)
		h.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.BucketLimit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, s.cfg.BucketLimit-b.used)))
		h.Set("X-RateLimit-Reset", epochSeconds(reset))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(reset.Sub(rq.now).Seconds(), 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", bucket)
	}
	return resp, false
}

func (s *Server) authorized(mode authMode, header string) bool {
	valid := header == "Bot "+s.cfg.Token
	switch mode {
	case authNone:
		return true
	case authToken:
		return header == "" || valid
	}
	return valid
}

func (s *Server) rateLimitedLocked(rt route) bool {
	rl := s.rateLimit
	if rl.Fraction <= 0 || rt.pattern == "" || (!rl.AllRoutes && !rt.send) {
		return false
	}
	if rl.Max > 0 && s.limited-s.rateLimitBase >= rl.Max {
		return false
	}
	return rl.Fraction >= 1 || s.rng.Float64() < rl.Fraction
}

// bucketHash is an opaque, stable bucket ID per route, shaped like Discord's.
func bucketHash(pattern string) string {
	sum := sha256.Sum256([]byte(pattern))
	return hex.EncodeToString(sum[:16])
}

func epochSeconds(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// --- gateway and users ---

func (s *Server) getGateway(*request) response {
	return ok(jsonobj.New("url", s.GatewayURL()))
}

func (s *Server) getGatewayBot(*request) response {
	return ok(jsonobj.New("url", s.GatewayURL(), "shards", 1, "session_start_limit", jsonobj.New(
		"total", 1000, "remaining", 1000-len(s.gw.identifies), "reset_after", 86400000, "max_concurrency", 1)))
}

func (s *Server) getMe(*request) response {
	u := s.userObjectLocked(s.cfg.BotUserID)
	u.Set("verified", true).Set("mfa_enabled", false).Set("flags", 0).Set("email", nil)
	return ok(u)
}

func (s *Server) getUser(rq *request) response {
	id := rq.path("user")
	if _, known := s.users[id]; !known {
		return errUnknownUser
	}
	return ok(s.userObjectLocked(id))
}

func (s *Server) createDM(rq *request) response {
	var b struct {
		RecipientID string `json:"recipient_id"`
	}
	if json.Unmarshal(rq.body, &b) != nil {
		return errBadJSON
	}
	if b.RecipientID == "" {
		var fe formErrors
		fe.add("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
		r, _ := fe.response()
		return r
	}
	id := s.dmLocked(b.RecipientID)
	return ok(s.channelObjectLocked(s.channels[id]))
}

func (s *Server) getChannel(rq *request) response {
	c := s.channels[rq.path("channel")]
	if c == nil {
		return errUnknownChannel
	}
	return ok(s.channelObjectLocked(c))
}

// channelObjectLocked renders a channel like GET /channels/{id}.
func (s *Server) channelObjectLocked(c *channelState) *jsonobj.Object {
	var last any
	if ms := sortedMessages(c); len(ms) > 0 {
		last = ms[len(ms)-1].id
	}
	o := jsonobj.New("id", c.ID, "type", int(c.Type), "last_message_id", last, "flags", 0)
	switch {
	case c.Type == discordgo.ChannelTypeDM:
		o.Set("recipients", []any{s.userObjectLocked(c.RecipientID)})
	case c.ParentID != "" && isThread(c.Type):
		o.Set("guild_id", c.GuildID).Set("name", c.Name).Set("parent_id", c.ParentID).
			Set("owner_id", s.cfg.BotUserID).Set("rate_limit_per_user", 0).
			Set("message_count", len(c.msgs)).Set("member_count", 1).Set("total_message_sent", len(c.msgs)).
			Set("thread_metadata", jsonobj.New("archived", false, "archive_timestamp", timestamp(snowflakeTime(c.ID)),
				"auto_archive_duration", 1440, "locked", false, "create_timestamp", timestamp(snowflakeTime(c.ID))))
	default:
		o.Set("guild_id", c.GuildID).Set("name", c.Name).Set("parent_id", nil).
			Set("rate_limit_per_user", 0).Set("topic", nil).Set("position", 0).
			Set("permission_overwrites", []any{}).Set("nsfw", false)
	}
	return o
}

func isThread(t discordgo.ChannelType) bool {
	return t == discordgo.ChannelTypeGuildPublicThread || t == discordgo.ChannelTypeGuildPrivateThread ||
		t == discordgo.ChannelTypeGuildNewsThread
}

// --- messages ---

// messageBody reads a message create/edit body: JSON, or multipart with a
// payload_json part and files.
func messageBody(rq *request) (*jsonobj.Object, json.RawMessage, []Attachment, bool) {
	raw := json.RawMessage(rq.body)
	var files []Attachment
	if mt, params, _ := mime.ParseMediaType(rq.r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		raw = nil
		mr := multipart.NewReader(bytes.NewReader(rq.body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			if p.FormName() == "payload_json" {
				raw = data
			} else if f, isFile := attachmentPart(p, data); isFile {
				files = append(files, f)
			}
		}
		if raw == nil {
			raw = json.RawMessage("{}")
		}
	}
	o, err := jsonobj.ParseObject(raw)
	if err != nil {
		return nil, nil, nil, false
	}
	return o, raw, files, true
}

func (s *Server) postMessage(rq *request) response {
	chID := rq.path("channel")
	c := s.channels[chID]
	if c == nil {
		return errUnknownChannel
	}
	b, raw, files, valid := messageBody(rq)
	if !valid {
		return errBadJSON
	}
	var fe formErrors
	validateMessage(&fe, b)
	var ref *storedMessage
	if r, isObj := b.Get("message_reference").(*jsonobj.Object); isObj {
		refID := jsonobj.Str(r.Get("message_id"))
		refCh := jsonobj.Str(r.Get("channel_id"))
		if refCh == "" {
			refCh = chID
		}
		if ref = s.messageLocked(refCh, refID); ref == nil && r.Get("fail_if_not_exists") != false {
			fe.add("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
		}
	}
	if r, bad := fe.response(); bad {
		return r
	}
	if isEmptyMessage(b) && len(files) == 0 {
		return errEmptyMessage
	}
	if attachmentsSize(files) > s.cfg.MaxUploadSize {
		return errEntityTooLarge
	}
	id := s.nextIDLocked()
	o := s.messageObjectLocked(chID, id, s.cfg.BotUserID, 0)
	s.applyMessageFieldsLocked(o, b)
	if ref != nil {
		s.setReplyLocked(o, ref.channelID, ref.id)
	}
	for i := range files {
		f := &files[i]
		f.ID = s.nextIDLocked()
		path := attachmentPath(chID, *f)
		a := jsonobj.New("id", f.ID, "filename", f.Name, "size", len(f.Data),
			"url", "https://cdn.discordapp.com"+path, "proxy_url", "https://media.discordapp.net"+path)
		if f.ContentType != "" {
			a.Set("content_type", f.ContentType)
		}
		o.Set("attachments", append(jsonobj.Arr(o.Get("attachments")), a))
	}
	if n := b.Get("nonce"); n != nil {
		o.Set("nonce", n)
	}
	pinged, everyone := s.pingsLocked(b, c, ref)
	mentions := []any{}
	for _, u := range pinged {
		mentions = append(mentions, s.userObjectLocked(u))
	}
	o.Set("mentions", mentions).Set("mention_everyone", everyone)
	m := &storedMessage{id: id, channelID: chID, authorID: s.cfg.BotUserID, o: o}
	s.putMessageLocked(m)
	s.sends = append(s.sends, Send{ChannelID: chID, MessageID: id, Content: jsonobj.Str(b.Get("content")),
		Body: slices.Clone(raw), Files: files, Pinged: pinged, PingedEveryone: everyone, At: rq.now})
	return ok(s.renderMessageLocked(m))
}

// applyMessageFieldsLocked copies the message fields a create or edit body
// sets onto o.
func (s *Server) applyMessageFieldsLocked(o, b *jsonobj.Object) {
	if b.Has("content") {
		o.Set("content", nullToEmpty(b.Get("content"), ""))
	}
	for _, k := range []string{"components", "embeds"} {
		if b.Has(k) {
			o.Set(k, nullToEmpty(b.Get(k), []any{}))
		}
	}
	if b.Has("flags") {
		if f, isNum := jsonobj.Num(b.Get("flags")); isNum {
			o.Set("flags", f)
		}
	}
	if b.Get("tts") == true {
		o.Set("tts", true)
	}
}

func nullToEmpty(v, empty any) any {
	if v == nil {
		return empty
	}
	return v
}

func isEmptyMessage(b *jsonobj.Object) bool {
	return jsonobj.Str(b.Get("content")) == "" && len(jsonobj.Arr(b.Get("embeds"))) == 0 &&
		len(jsonobj.Arr(b.Get("components"))) == 0 && len(jsonobj.Arr(b.Get("sticker_ids"))) == 0 && b.Get("poll") == nil
}

var (
	userMention = regexp.MustCompile(`<@!?([0-9]{15,21})>`)
	roleMention = regexp.MustCompile(`<@&([0-9]{15,21})>`)
)

// pingsLocked works out whom a message from the bot notifies: user
// mentions in the content, @everyone/@here, and the replied-to author,
// filtered by allowed_mentions as Discord documents (absent: users, roles
// and everyone are parsed and the replied user is pinged).
func (s *Server) pingsLocked(b *jsonobj.Object, c *channelState, ref *storedMessage) ([]string, bool) {
	content := jsonobj.Str(b.Get("content"))
	parseUsers, parseEveryone := true, true
	var allowUsers []string
	repliedUser := true
	if am, isObj := b.Get("allowed_mentions").(*jsonobj.Object); isObj {
		parseUsers, parseEveryone = false, false
		for _, p := range jsonobj.Arr(am.Get("parse")) {
			switch jsonobj.Str(p) {
			case "users":
				parseUsers = true
			case "everyone":
				parseEveryone = true
			}
		}
		for _, u := range jsonobj.Arr(am.Get("users")) {
			allowUsers = append(allowUsers, jsonobj.Str(u))
		}
		repliedUser = am.Get("replied_user") == true
	}
	var pinged []string
	for _, m := range userMention.FindAllStringSubmatch(content, -1) {
		if (parseUsers || slices.Contains(allowUsers, m[1])) && !slices.Contains(pinged, m[1]) {
			pinged = append(pinged, m[1])
		}
	}
	if ref != nil && repliedUser && ref.authorID != s.cfg.BotUserID && !slices.Contains(pinged, ref.authorID) {
		pinged = append(pinged, ref.authorID)
	}
	everyone := parseEveryone && c.GuildID != "" &&
		(strings.Contains(content, "@everyone") || strings.Contains(content, "@here"))
	return pinged, everyone
}

// validateMessage checks a message body the way Discord's form validation
// does for the fields a bot uses: content length, allowed_mentions
// exclusivity and component structure.
func validateMessage(fe *formErrors, b *jsonobj.Object) {
	if n := utf8.RuneCountInString(jsonobj.Str(b.Get("content"))); n > 2000 {
		fe.add("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
	}
	if am, isObj := b.Get("allowed_mentions").(*jsonobj.Object); isObj {
		for _, kind := range []string{"users", "roles"} {
			if len(jsonobj.Arr(am.Get(kind))) > 0 && slices.ContainsFunc(jsonobj.Arr(am.Get("parse")), func(p any) bool { return jsonobj.Str(p) == kind }) {
				fe.add("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
					`parse:["`+kind+`"] and `+kind+`: [ids...] are mutually exclusive.`)
			}
		}
	}
	validateComponents(fe, b.Get("components"))
}

func validateComponents(fe *formErrors, v any) {
	rows := jsonobj.Arr(v)
	if len(rows) > 5 {
		fe.add("components", "BASE_TYPE_BAD_LENGTH", "Must be between 0 and 5 in length.")
	}
	seen := map[string]bool{}
	for i, r := range rows {
		row, isObj := r.(*jsonobj.Object)
		p := "components." + strconv.Itoa(i)
		if !isObj {
			fe.add(p, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			continue
		}
		if t, _ := jsonobj.Num(row.Get("type")); t != 1 {
			fe.add(p+".type", "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
			continue
		}
		items := jsonobj.Arr(row.Get("components"))
		if len(items) == 0 || len(items) > 5 {
			fe.add(p+".components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
		}
		for j, it := range items {
			c, isObj := it.(*jsonobj.Object)
			q := p + ".components." + strconv.Itoa(j)
			if !isObj {
				fe.add(q, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
				continue
			}
			t, _ := jsonobj.Num(c.Get("type"))
			id := jsonobj.Str(c.Get("custom_id"))
			style, _ := jsonobj.Num(c.Get("style"))
			switch {
			case t == 2 && style == 5: // link button
				if jsonobj.Str(c.Get("url")) == "" {
					fe.add(q+".url", "BASE_TYPE_REQUIRED", "This field is required")
				}
				if id != "" {
					fe.add(q+".custom_id", "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A custom id cannot be specified for this button style")
				}
			case t == 2 || (t >= 3 && t <= 8):
				if t != 2 && len(items) > 1 {
					fe.add(q, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
				}
				switch {
				case id == "":
					fe.add(q+".custom_id", "BASE_TYPE_REQUIRED", "This field is required")
				case utf8.RuneCountInString(id) > 100:
					fe.add(q+".custom_id", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
				case seen[id]:
					fe.add(q+".custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
				}
				seen[id] = true
			default:
				fe.add(q+".type", "BASE_TYPE_CHOICES", "Value must be one of {2, 3, 4, 5, 6, 7, 8}.")
			}
			if t == 2 {
				if style < 1 || style > 6 {
					fe.add(q+".style", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
				}
				if utf8.RuneCountInString(jsonobj.Str(c.Get("label"))) > 80 {
					fe.add(q+".label", "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
				}
				if jsonobj.Str(c.Get("label")) == "" && c.Get("emoji") == nil {
					fe.add(q+".label", "BASE_TYPE_REQUIRED", "This field is required")
				}
			}
		}
	}
}

// getMessages answers GET /channels/{id}/messages: newest first; with
// before, the newest messages older than it; with after, the oldest
// messages newer than it (still listed newest first), as Discord pages.
func (s *Server) getMessages(rq *request) response {
	c := s.channels[rq.path("channel")]
	if c == nil {
		return errUnknownChannel
	}
	q := rq.r.URL.Query()
	limit, r, bad := limitParam(q.Get("limit"), 50)
	if bad {
		return r
	}
	all := sortedMessages(c) // oldest first
	var page []*storedMessage
	switch before, after, around := q.Get("before"), q.Get("after"), q.Get("around"); {
	case after != "":
		for _, m := range all {
			if idLess(after, m.id) && len(page) < limit {
				page = append(page, m)
			}
		}
	case around != "":
		i := slices.IndexFunc(all, func(m *storedMessage) bool { return !idLess(m.id, around) })
		if i < 0 {
			i = len(all)
		}
		lo := max(0, i-limit/2)
		page = all[lo:min(len(all), lo+limit)]
	default:
		for i := len(all) - 1; i >= 0 && len(page) < limit; i-- {
			if before == "" || idLess(all[i].id, before) {
				page = append([]*storedMessage{all[i]}, page...)
			}
		}
	}
	out := []any{}
	for i := len(page) - 1; i >= 0; i-- {
		out = append(out, s.renderMessageLocked(page[i]))
	}
	return ok(out)
}

// limitParam parses a limit query parameter (1–100, default def).
func limitParam(v string, def int) (int, response, bool) {
	if v == "" {
		return def, response{}, false
	}
	n, err := strconv.Atoi(v)
	var fe formErrors
	switch {
	case err != nil:
		fe.add("limit", "NUMBER_TYPE_COERCE", "Value \""+v+"\" is not int.")
	case n < 1:
		fe.add("limit", "NUMBER_TYPE_MIN", "int value should be greater than or equal to 1.")
	case n > 100:
		fe.add("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")
	}
	if r, bad := fe.response(); bad {
		return 0, r, true
	}
	return n, response{}, false
}

func (s *Server) getMessage(rq *request) response {
	chID := rq.path("channel")
	if s.channels[chID] == nil {
		return errUnknownChannel
	}
	m := s.messageLocked(chID, rq.path("message"))
	if m == nil {
		return errUnknownMessage
	}
	return ok(s.renderMessageLocked(m))
}

func (s *Server) editMessage(rq *request) response {
	chID := rq.path("channel")
	if s.channels[chID] == nil {
		return errUnknownChannel
	}
	m := s.messageLocked(chID, rq.path("message"))
	if m == nil {
		return errUnknownMessage
	}
	if m.authorID != s.cfg.BotUserID {
		return errEditOthers
	}
	b, raw, _, valid := messageBody(rq)
	if !valid {
		return errBadJSON
	}
	var fe formErrors
	validateMessage(&fe, b)
	if r, bad := fe.response(); bad {
		return r
	}
	s.applyMessageFieldsLocked(m.o, b)
	m.o.Set("edited_timestamp", timestamp(rq.now))
	s.edits = append(s.edits, Edit{ChannelID: chID, MessageID: m.id, Body: slices.Clone(raw), At: rq.now})
	return ok(s.renderMessageLocked(m))
}

func (s *Server) deleteMessage(rq *request) response {
	c := s.channels[rq.path("channel")]
	if c == nil {
		return errUnknownChannel
	}
	id := rq.path("message")
	if c.msgs[id] == nil {
		return errUnknownMessage
	}
	delete(c.msgs, id)
	delete(s.reactions, c.ID+"/"+id)
	return noContent()
}

// reactionTargetLocked finds the message a reaction route names: a stored
// message, or one that only has reactions (set by a test or a dispatch).
func (s *Server) reactionTargetLocked(rq *request) (string, string, response, bool) {
	chID, msgID := rq.path("channel"), rq.path("message")
	if s.channels[chID] == nil {
		return "", "", errUnknownChannel, false
	}
	if s.messageLocked(chID, msgID) == nil && s.reactions[chID+"/"+msgID] == nil {
		return "", "", errUnknownMessage, false
	}
	return chID, msgID, response{}, true
}

func (s *Server) addReaction(rq *request) response {
	chID, msgID, r, found := s.reactionTargetLocked(rq)
	if !found {
		return r
	}
	emoji := rq.path("emoji")
	name, id := parseEmoji(emoji)
	if name == "" && id == "" {
		return errUnknownEmoji
	}
	rs := s.reactionLocked(chID, msgID, name, id, true)
	if !slices.Contains(rs.users, s.cfg.BotUserID) {
		rs.users = append(rs.users, s.cfg.BotUserID)
	}
	s.reactionCalls = append(s.reactionCalls, ReactionCall{ChannelID: chID, MessageID: msgID, Emoji: emoji, At: rq.now})
	return noContent()
}

func (s *Server) removeReaction(rq *request) response {
	chID, msgID, r, found := s.reactionTargetLocked(rq)
	if !found {
		return r
	}
	emoji := rq.path("emoji")
	name, id := parseEmoji(emoji)
	if rs := s.reactionLocked(chID, msgID, name, id, false); rs != nil {
		rs.users = slices.DeleteFunc(rs.users, func(u string) bool { return u == s.cfg.BotUserID })
		s.pruneReactionsLocked(chID, msgID)
	}
	s.reactionCalls = append(s.reactionCalls, ReactionCall{ChannelID: chID, MessageID: msgID, Emoji: emoji, Removed: true, At: rq.now})
	return noContent()
}

// listReactions answers GET …/reactions/{emoji}: the users sorted by ID,
// those after ?after= (or before ?before=), at most ?limit= (default 25).
func (s *Server) listReactions(rq *request) response {
	chID, msgID, r, found := s.reactionTargetLocked(rq)
	if !found {
		return r
	}
	q := rq.r.URL.Query()
	limit, r, bad := limitParam(q.Get("limit"), 25)
	if bad {
		return r
	}
	name, id := parseEmoji(rq.path("emoji"))
	out := []any{}
	rs := s.reactionLocked(chID, msgID, name, id, false)
	if rs == nil || q.Get("type") == "1" { // no burst (super) reactions in the fake
		return ok(out)
	}
	users := sortIDs(slices.Clone(rs.users))
	after, before := q.Get("after"), q.Get("before")
	for _, u := range users {
		if len(out) == limit {
			break
		}
		if (after == "" || idLess(after, u)) && (before == "" || idLess(u, before)) {
			out = append(out, s.userObjectLocked(u))
		}
	}
	return ok(out)
}

// --- threads ---

func (s *Server) startMessageThread(rq *request) response {
	parent := s.channels[rq.path("channel")]
	if parent == nil {
		return errUnknownChannel
	}
	msgID := rq.path("message")
	if s.messageLocked(parent.ID, msgID) == nil {
		return errUnknownMessage
	}
	if s.channels[msgID] != nil {
		return errThreadExists
	}
	return s.createThreadLocked(rq, parent, msgID, discordgo.ChannelTypeGuildPublicThread)
}

func (s *Server) startThread(rq *request) response {
	parent := s.channels[rq.path("channel")]
	if parent == nil {
		return errUnknownChannel
	}
	// API v9 defaults to a private thread when no type is given.
	return s.createThreadLocked(rq, parent, s.nextIDLocked(), discordgo.ChannelTypeGuildPrivateThread)
}

func (s *Server) createThreadLocked(rq *request, parent *channelState, id string, typ discordgo.ChannelType) response {
	b, err := jsonobj.ParseObject(rq.body)
	if err != nil {
		return errBadJSON
	}
	name := jsonobj.Str(b.Get("name"))
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		var fe formErrors
		fe.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		r, _ := fe.response()
		return r
	}
	if t, isNum := jsonobj.Num(b.Get("type")); isNum {
		typ = discordgo.ChannelType(t)
	}
	c := s.addChannelLocked(Channel{ID: id, GuildID: parent.GuildID, Type: typ, Name: name, ParentID: parent.ID})
	return created(s.channelObjectLocked(c))
}
