package discordfake

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// webhookTokenLifetime is how long an interaction token works for
// follow-ups and @original edits, as on Discord.
const webhookTokenLifetime = 15 * time.Minute

// message flags the fake interprets.
const (
	flagEphemeral = 1 << 6
	flagLoading   = 1 << 7
)

// Interaction is an interaction the fake dispatched (INTERACTION_CREATE)
// and what became of its initial response.
type Interaction struct {
	ID        string
	Token     string
	Type      int // 2 application command, 3 message component, 5 modal submit
	ChannelID string
	GuildID   string // "" in DMs
	UserID    string // the member's or user's ID
	MessageID string // component interactions: the message holding the component

	DispatchedAt time.Time // when Dispatch sent it; the deadline counts from here
	Responded    bool      // an initial response (callback) was accepted
	ResponseType int       // its type: 4 message, 5 deferred message, 6 deferred update, 7 update, 9 modal
	Response     json.RawMessage
	// Elapsed is the time from dispatch to the accepted callback.
	Elapsed time.Duration
	// Rejected holds the Discord error codes of refused callbacks, in order:
	// 10062 (unknown interaction: too late, or wrong token) and 40060
	// (already acknowledged).
	Rejected []int
	// OriginalID is the message the response created or updated (what
	// /webhooks/{app}/{token}/messages/@original addresses).
	OriginalID string
}

// WebhookCall is one accepted call on an interaction's webhook: a
// follow-up (POST /webhooks/{app}/{token}) or an edit
// (PATCH …/messages/@original or …/messages/{id}).
type WebhookCall struct {
	Kind          string // "followup" or "edit"
	InteractionID string
	MessageID     string // the created or edited message
	Body          json.RawMessage
	At            time.Time
}

// CommandCall is one accepted application-command registration.
type CommandCall struct {
	Method  string // "PUT" (bulk overwrite) or "POST" (create one)
	GuildID string // "" for global commands
	Body    json.RawMessage
	At      time.Time
}

type interactionState struct {
	byID         map[string]*ixRecord
	order        []*ixRecord
	webhookCalls []WebhookCall
	commands     map[string][]*jsonobj.Object // guild ID ("" global) → registered commands
	commandCalls []CommandCall
}

func (st *interactionState) init() {
	st.byID = map[string]*ixRecord{}
	st.commands = map[string][]*jsonobj.Object{}
}

type ixRecord struct {
	Interaction
	original  *storedMessage // @original once there is one
	followups map[string]*storedMessage
	command   bool // type 2: responses are CHAT_INPUT_COMMAND messages
	name      string
}

// Interactions returns the interactions dispatched so far, in order.
func (s *Server) Interactions() []Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Interaction, len(s.ix.order))
	for i, r := range s.ix.order {
		out[i] = r.export()
	}
	return out
}

// WaitInteractionResponse waits up to timeout until the interaction id has
// an accepted initial response, and returns its state and whether it has.
func (s *Server) WaitInteractionResponse(id string, timeout time.Duration) (Interaction, bool) {
	var out Interaction
	ok := s.waitUntil(timeout, func() bool {
		r := s.ix.byID[id]
		if r != nil {
			out = r.export()
		}
		return r != nil && r.Responded
	})
	return out, ok
}

func (r *ixRecord) export() Interaction {
	c := r.Interaction
	c.Response = slices.Clone(c.Response)
	c.Rejected = slices.Clone(c.Rejected)
	return c
}

// WebhookCalls returns the accepted follow-ups and edits on interaction
// webhooks, in order.
func (s *Server) WebhookCalls() []WebhookCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WebhookCall, len(s.ix.webhookCalls))
	for i, c := range s.ix.webhookCalls {
		c.Body = slices.Clone(c.Body)
		out[i] = c
	}
	return out
}

// WaitWebhookCalls waits until at least n webhook calls have been accepted
// or timeout passes.
func (s *Server) WaitWebhookCalls(n int, timeout time.Duration) ([]WebhookCall, bool) {
	ok := s.waitUntil(timeout, func() bool { return len(s.ix.webhookCalls) >= n })
	return s.WebhookCalls(), ok
}

// CommandCalls returns the accepted command registrations in order.
func (s *Server) CommandCalls() []CommandCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CommandCall, len(s.ix.commandCalls))
	for i, c := range s.ix.commandCalls {
		c.Body = slices.Clone(c.Body)
		out[i] = c
	}
	return out
}

// Commands returns the application commands currently registered for
// guildID ("" for global ones), as discordgo parses them.
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	raw := marshal(objects(s.ix.commands[guildID]))
	s.mu.Unlock()
	var out []*discordgo.ApplicationCommand
	_ = json.Unmarshal(raw, &out)
	return out
}

func objects(os []*jsonobj.Object) []any {
	out := []any{}
	for _, o := range os {
		out = append(out, o)
	}
	return out
}

// registerInteractionLocked remembers an interaction being dispatched.
func (s *Server) registerInteractionLocked(d *jsonobj.Object, now time.Time) {
	id, token := jsonobj.Str(d.Get("id")), jsonobj.Str(d.Get("token"))
	if id == "" || token == "" {
		return
	}
	t, _ := jsonobj.Num(d.Get("type"))
	r := &ixRecord{Interaction: Interaction{
		ID: id, Token: token, Type: int(t),
		ChannelID: jsonobj.Str(d.Get("channel_id")), GuildID: jsonobj.Str(d.Get("guild_id")), DispatchedAt: now,
	}, followups: map[string]*storedMessage{}, command: t == 2}
	if m, isObj := d.Get("member").(*jsonobj.Object); isObj {
		if u, isObj := m.Get("user").(*jsonobj.Object); isObj {
			r.UserID = jsonobj.Str(u.Get("id"))
		}
	} else if u, isObj := d.Get("user").(*jsonobj.Object); isObj {
		r.UserID = jsonobj.Str(u.Get("id"))
	}
	if m, isObj := d.Get("message").(*jsonobj.Object); isObj {
		r.MessageID = jsonobj.Str(m.Get("id"))
	}
	if data, isObj := d.Get("data").(*jsonobj.Object); isObj {
		r.name = jsonobj.Str(data.Get("name"))
	}
	if old := s.ix.byID[id]; old != nil {
		s.ix.order = slices.DeleteFunc(s.ix.order, func(x *ixRecord) bool { return x == old })
	}
	s.ix.byID[id] = r
	s.ix.order = append(s.ix.order, r)
}

func (s *Server) interactionCallback(rq *request) response {
	r := s.ix.byID[rq.path("interaction")]
	if r == nil || r.Token != rq.path("token") {
		return errUnknownInteraction
	}
	if r.Responded {
		r.Rejected = append(r.Rejected, errAlreadyAcked.code)
		return errAlreadyAcked
	}
	if rq.now.Sub(r.DispatchedAt) > s.cfg.InteractionDeadline {
		r.Rejected = append(r.Rejected, errUnknownInteraction.code)
		return errUnknownInteraction
	}
	b, raw, _, valid := messageBody(rq)
	if !valid {
		return errBadJSON
	}
	typ, _ := jsonobj.Num(b.Get("type"))
	data, _ := b.Get("data").(*jsonobj.Object)
	if data == nil {
		data = jsonobj.New()
	}
	var fe formErrors
	switch typ {
	case 4, 7:
		validateMessage(&fe, data)
	case 5, 6, 9:
	default:
		fe.add("type", "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 9}.")
	}
	if (typ == 6 || typ == 7) && r.Type != int(discordgo.InteractionMessageComponent) && r.Type != int(discordgo.InteractionModalSubmit) {
		fe.add("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is not valid for this interaction")
	}
	if resp, bad := fe.response(); bad {
		return resp
	}
	if typ == 4 && isEmptyMessage(data) {
		return errEmptyMessage
	}
	switch typ {
	case 4, 5:
		m := s.interactionMessageLocked(r, data)
		if typ == 5 {
			m.o.Set("flags", flagsOf(m.o)|flagLoading)
		}
		r.original = m
		r.OriginalID = m.id
	case 6, 7:
		if m := s.messageLocked(r.ChannelID, r.MessageID); m != nil {
			if typ == 7 {
				s.applyMessageFieldsLocked(m.o, data)
				m.o.Set("edited_timestamp", timestamp(rq.now))
			}
			r.original = m
			r.OriginalID = m.id
		}
	}
	r.Responded = true
	r.ResponseType = int(typ)
	r.Response = slices.Clone(raw)
	r.Elapsed = rq.now.Sub(r.DispatchedAt)
	return noContent()
}

// interactionMessageLocked creates a message sent through an interaction
// (response or follow-up). Ephemeral ones are not stored in the channel:
// only the invoking user sees them.
func (s *Server) interactionMessageLocked(r *ixRecord, data *jsonobj.Object) *storedMessage {
	id := s.nextIDLocked()
	typ := 0
	if r.command {
		typ = int(discordgo.MessageTypeChatInputCommand)
	}
	o := s.messageObjectLocked(r.ChannelID, id, s.cfg.BotUserID, typ)
	s.applyMessageFieldsLocked(o, data)
	o.Set("application_id", s.cfg.AppID).Set("webhook_id", s.cfg.AppID)
	meta := jsonobj.New("id", r.ID, "type", r.Type, "user", s.userObjectLocked(r.UserID),
		"authorizing_integration_owners", jsonobj.New("0", r.GuildID))
	if r.name != "" {
		meta.Set("name", r.name)
	}
	o.Set("interaction_metadata", meta)
	m := &storedMessage{id: id, channelID: r.ChannelID, authorID: s.cfg.BotUserID, o: o}
	if flagsOf(o)&flagEphemeral == 0 {
		s.putMessageLocked(m)
	}
	return m
}

func flagsOf(o *jsonobj.Object) int64 {
	f, _ := jsonobj.Num(o.Get("flags"))
	return f
}

// webhookTargetLocked finds the interaction whose webhook a route names.
func (s *Server) webhookTargetLocked(rq *request) (*ixRecord, response, bool) {
	if rq.path("app") != s.cfg.AppID {
		return nil, errUnknownWebhook, false
	}
	token := rq.path("token")
	for _, r := range s.ix.order {
		if r.Token != token {
			continue
		}
		if rq.now.Sub(r.DispatchedAt) > webhookTokenLifetime {
			return nil, apiError(http.StatusUnauthorized, 50027, "Invalid Webhook Token"), false
		}
		if !r.Responded { // the webhook exists once the interaction is acknowledged
			return nil, errUnknownWebhook, false
		}
		return r, response{}, true
	}
	return nil, errUnknownWebhook, false
}

func (s *Server) followup(rq *request) response {
	r, resp, found := s.webhookTargetLocked(rq)
	if !found {
		return resp
	}
	b, raw, files, valid := messageBody(rq)
	if !valid {
		return errBadJSON
	}
	var fe formErrors
	validateMessage(&fe, b)
	if resp, bad := fe.response(); bad {
		return resp
	}
	if isEmptyMessage(b) && len(files) == 0 {
		return errEmptyMessage
	}
	m := s.interactionMessageLocked(r, b)
	r.followups[m.id] = m
	s.ix.webhookCalls = append(s.ix.webhookCalls, WebhookCall{Kind: "followup", InteractionID: r.ID,
		MessageID: m.id, Body: slices.Clone(raw), At: rq.now})
	if rq.r.URL.Query().Get("wait") != "true" {
		return noContent()
	}
	return ok(s.renderMessageLocked(m))
}

func (s *Server) webhookMessageLocked(r *ixRecord, id string) *storedMessage {
	if id == "@original" {
		return r.original
	}
	return r.followups[id]
}

func (s *Server) getWebhookMessage(rq *request) response {
	r, resp, found := s.webhookTargetLocked(rq)
	if !found {
		return resp
	}
	m := s.webhookMessageLocked(r, rq.path("message"))
	if m == nil {
		return errUnknownMessage
	}
	return ok(s.renderMessageLocked(m))
}

func (s *Server) editWebhookMessage(rq *request) response {
	r, resp, found := s.webhookTargetLocked(rq)
	if !found {
		return resp
	}
	m := s.webhookMessageLocked(r, rq.path("message"))
	if m == nil {
		return errUnknownMessage
	}
	b, raw, _, valid := messageBody(rq)
	if !valid {
		return errBadJSON
	}
	var fe formErrors
	validateMessage(&fe, b)
	if resp, bad := fe.response(); bad {
		return resp
	}
	s.applyMessageFieldsLocked(m.o, b)
	m.o.Set("flags", flagsOf(m.o)&^flagLoading)
	m.o.Set("edited_timestamp", timestamp(rq.now))
	if flagsOf(m.o)&flagEphemeral == 0 && s.messageLocked(m.channelID, m.id) == nil {
		s.putMessageLocked(m)
	}
	s.ix.webhookCalls = append(s.ix.webhookCalls, WebhookCall{Kind: "edit", InteractionID: r.ID,
		MessageID: m.id, Body: slices.Clone(raw), At: rq.now})
	return ok(s.renderMessageLocked(m))
}

// --- application commands ---

var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

var errMissingAccess = apiError(http.StatusForbidden, 50001, "Missing Access")

func (s *Server) listCommands(rq *request) response {
	if rq.path("app") != s.cfg.AppID {
		return errMissingAccess
	}
	return ok(objects(s.ix.commands[rq.path("guild")]))
}

func (s *Server) overwriteCommands(rq *request) response {
	if rq.path("app") != s.cfg.AppID {
		return errMissingAccess
	}
	v, err := jsonobj.Parse(rq.body)
	list, isArr := v.([]any)
	if err != nil || !isArr {
		return errBadJSON
	}
	guild := rq.path("guild")
	var fe formErrors
	for i, c := range list {
		validateCommand(&fe, strconvI(i)+".", c)
	}
	if r, bad := fe.response(); bad {
		return r
	}
	old := s.ix.commands[guild]
	var set []*jsonobj.Object
	for _, c := range list {
		set = append(set, s.commandObjectLocked(c.(*jsonobj.Object), guild, old))
	}
	s.ix.commands[guild] = set
	s.ix.commandCalls = append(s.ix.commandCalls, CommandCall{Method: "PUT", GuildID: guild, Body: slices.Clone(rq.body), At: rq.now})
	return ok(objects(set))
}

func (s *Server) createCommand(rq *request) response {
	if rq.path("app") != s.cfg.AppID {
		return errMissingAccess
	}
	b, err := jsonobj.ParseObject(rq.body)
	if err != nil {
		return errBadJSON
	}
	var fe formErrors
	validateCommand(&fe, "", b)
	if r, bad := fe.response(); bad {
		return r
	}
	guild := rq.path("guild")
	old := s.ix.commands[guild]
	c := s.commandObjectLocked(b, guild, old)
	s.ix.commandCalls = append(s.ix.commandCalls, CommandCall{Method: "POST", GuildID: guild, Body: slices.Clone(rq.body), At: rq.now})
	if i := slices.IndexFunc(old, func(o *jsonobj.Object) bool { return o.Get("name") == c.Get("name") }); i >= 0 {
		old[i] = c
		return ok(c)
	}
	s.ix.commands[guild] = append(old, c)
	return created(c)
}

// commandObjectLocked renders a registered command, keeping the ID of an
// existing command with the same name, as Discord does.
func (s *Server) commandObjectLocked(b *jsonobj.Object, guild string, old []*jsonobj.Object) *jsonobj.Object {
	name := jsonobj.Str(b.Get("name"))
	id := ""
	for _, o := range old {
		if jsonobj.Str(o.Get("name")) == name {
			id = jsonobj.Str(o.Get("id"))
		}
	}
	if id == "" {
		id = s.nextIDLocked()
	}
	typ := any(1)
	if t, isNum := jsonobj.Num(b.Get("type")); isNum {
		typ = t
	}
	o := jsonobj.New("id", id, "application_id", s.cfg.AppID, "version", s.nextIDLocked(),
		"default_member_permissions", b.Get("default_member_permissions"), "type", typ, "name", name,
		"name_localizations", b.Get("name_localizations"), "description", jsonobj.Str(b.Get("description")),
		"description_localizations", b.Get("description_localizations"))
	if guild != "" {
		o.Set("guild_id", guild)
	}
	if opts := jsonobj.Arr(b.Get("options")); len(opts) > 0 {
		o.Set("options", opts)
	}
	if guild == "" {
		dm := any(true)
		if b.Has("dm_permission") && b.Get("dm_permission") != nil {
			dm = b.Get("dm_permission")
		}
		o.Set("dm_permission", dm)
	}
	o.Set("contexts", b.Get("contexts"))
	it := b.Get("integration_types")
	if it == nil {
		it = []any{0}
	}
	o.Set("integration_types", it)
	o.Set("nsfw", b.Get("nsfw") == true)
	return o
}

// validateCommand checks a command as Discord's form validation does for
// names, descriptions and options.
func validateCommand(fe *formErrors, prefix string, v any) {
	c, isObj := v.(*jsonobj.Object)
	if !isObj {
		fe.add(strings.TrimSuffix(prefix, "."), "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
		return
	}
	typ, hasType := jsonobj.Num(c.Get("type"))
	chatInput := !hasType || typ == 1
	validateNameDesc(fe, prefix, c, chatInput)
	validateOptions(fe, prefix+"options", jsonobj.Arr(c.Get("options")))
}

func validateNameDesc(fe *formErrors, prefix string, c *jsonobj.Object, chatInput bool) {
	name := jsonobj.Str(c.Get("name"))
	switch {
	case name == "":
		fe.add(prefix+"name", "BASE_TYPE_REQUIRED", "This field is required")
	case chatInput && (!commandName.MatchString(name) || strings.ToLower(name) != name):
		fe.add(prefix+"name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
	case utf8.RuneCountInString(name) > 32:
		fe.add(prefix+"name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
	}
	if chatInput {
		if n := utf8.RuneCountInString(jsonobj.Str(c.Get("description"))); n < 1 || n > 100 {
			fe.add(prefix+"description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
		}
	}
}

func validateOptions(fe *formErrors, prefix string, opts []any) {
	if len(opts) > 25 {
		fe.add(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	for i, v := range opts {
		p := prefix + "." + strconvI(i) + "."
		o, isObj := v.(*jsonobj.Object)
		if !isObj {
			fe.add(strings.TrimSuffix(p, "."), "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			continue
		}
		t, _ := jsonobj.Num(o.Get("type"))
		if t < 1 || t > 11 {
			fe.add(p+"type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
		}
		validateNameDesc(fe, p, o, true)
		validateOptions(fe, p+"options", jsonobj.Arr(o.Get("options")))
	}
}
