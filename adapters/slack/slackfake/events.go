package slackfake

import (
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// Defaults the event builders use when a test names no user or channel.
const (
	DefaultUser    = "U0USER001" // the sender of messages, reactions, clicks, commands
	DefaultChannel = "C0GENERAL" // the channel of an app_mention
)

// MessageParams describes a user's message for MessageEvent and
// AppMentionEvent. Empty fields take the defaults in the comments.
type MessageParams struct {
	// Channel: "" means the user's DM with the bot ("D"+User). The prefix sets
	// channel_type: D… im, G… group, anything else channel.
	Channel string
	User    string // DefaultUser
	// Text as Slack delivers it: mrkdwn with <@U…>/<#C…>/<!here> sequences,
	// and &, <, > escaped as &amp; &lt; &gt;. Blocks are derived from it.
	Text     string
	TS       string // a fresh NextTS
	ThreadTS string // the root's ts, for a reply in a thread
}

// ReactionParams describes a reaction_added or reaction_removed event.
type ReactionParams struct {
	User     string // who reacted; DefaultUser
	Reaction string // emoji name without colons, e.g. "thumbsup"
	Channel  string // the reacted-to message's channel
	TS       string // the reacted-to message's ts
	ItemUser string // the message's author; "" looks it up among stored messages
	Removed  bool   // reaction_removed instead of reaction_added
}

// BlockActionParams describes a click on a Block Kit button.
type BlockActionParams struct {
	ActionID  string
	Value     string // "" takes the button's value from the stored message
	BlockID   string // "" takes it from the stored message, or invents one
	Channel   string
	MessageTS string // the ts of the message holding the button
	User      string // DefaultUser
	Team      string // the fake's team
}

// SlashCommandParams describes a slash command invocation.
type SlashCommandParams struct {
	Command     string // "/dugnad"
	Text        string
	User        string // DefaultUser
	UserName    string // the stored user's Name, or "testuser"
	Channel     string // "" means the user's DM with the bot
	ChannelName string // "directmessage" for D…, else "general"
}

// MessageEvent returns an Events API body (type event_callback) with a
// message event, built from the recorded socket_mode_events_api_message.json
// payload with IDs, text and timestamps substituted. With ThreadTS set it is
// a thread reply (thread_ts and parent_user_id, as in
// events_api_message_thread_reply_channel.json). Send it with
// SendEvent(EventsAPI, …) or over HTTP with NewEventsRequest.
func (s *Server) MessageEvent(p MessageParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	p = s.messageDefaultsLocked(p)
	o := tmpl(s.tmpl.message)
	ev := o.Child("event")
	ev.Set("client_msg_id", uuid())
	ev.Set("type", "message")
	ev.Set("text", p.Text)
	ev.Set("user", p.User)
	ev.Set("ts", p.TS)
	ev.Set("team", s.cfg.TeamID)
	if p.Text != "" {
		ev.InsertBefore("channel", "blocks", s.richTextLocked(p.Text))
	}
	s.threadFieldsLocked(ev, p)
	ev.Set("channel", p.Channel)
	ev.Set("event_ts", p.TS)
	ev.Set("channel_type", channelType(p.Channel))
	s.outerLocked(o, "message", p.Channel, p.TS)
	return marshal(o)
}

// AppMentionEvent returns an Events API body with an app_mention event,
// built from socket_mode_events_api_app_mention.json. Slack only sends it
// when the bot is mentioned, so if Text lacks "<@bot>" it is prepended.
// An empty Channel means DefaultChannel.
func (s *Server) AppMentionEvent(p MessageParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Channel == "" {
		p.Channel = DefaultChannel
	}
	p = s.messageDefaultsLocked(p)
	if mention := "<@" + s.cfg.BotUserID + ">"; !strings.Contains(p.Text, mention) {
		p.Text = strings.TrimSpace(mention + " " + p.Text)
	}
	o := tmpl(s.tmpl.appMention)
	ev := o.Child("event")
	ev.Set("client_msg_id", uuid())
	ev.Set("text", p.Text)
	ev.Set("user", p.User)
	ev.Set("ts", p.TS)
	ev.Set("team", s.cfg.TeamID)
	ev.Set("blocks", s.richTextLocked(p.Text))
	if p.ThreadTS != "" {
		ev.InsertBefore("channel", "thread_ts", p.ThreadTS)
	}
	ev.Set("channel", p.Channel)
	ev.Set("event_ts", p.TS)
	s.outerLocked(o, "app_mention", p.Channel, p.TS)
	return marshal(o)
}

// ReactionEvent returns an Events API body with a reaction_added (or
// reaction_removed) event on a message, built from
// events_api_reaction_added.json.
func (s *Server) ReactionEvent(p ReactionParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.User == "" {
		p.User = DefaultUser
	}
	if p.ItemUser == "" {
		if m := s.messageLocked(p.Channel, p.TS); m != nil {
			p.ItemUser = m.User
		}
	}
	typ := "reaction_added"
	if p.Removed {
		typ = "reaction_removed"
	}
	eventTS := s.nextTSLocked()
	o := tmpl(s.tmpl.reaction)
	o.Set("team_id", s.cfg.TeamID)
	o.Del("enterprise_id") // the fake workspace is not an Enterprise Grid org
	o.Set("api_app_id", s.cfg.AppID)
	ev := o.Child("event")
	ev.Set("type", typ)
	ev.Set("user", p.User)
	ev.Child("item").Set("type", "message").Set("channel", p.Channel).Set("ts", p.TS)
	ev.Set("reaction", p.Reaction)
	if p.ItemUser != "" {
		ev.Set("item_user", p.ItemUser)
	} else {
		ev.Del("item_user")
	}
	ev.Set("event_ts", eventTS)
	o.Set("event_id", s.eventIDLocked())
	o.Set("event_time", tsSeconds(eventTS))
	o.Set("authed_users", []any{s.cfg.BotUserID})
	return marshal(o)
}

// BlockActionsPayload returns a block_actions interaction payload for a
// button click, built from interactive_block_actions_message_button.json.
// If the fake stores the message (the bot posted it), the payload carries
// that message with its blocks, and the button's block_id, value and label
// come from it. Send it with SendEvent(Interactive, …); over HTTP it is the
// form field payload=… (see HTTPBody).
func (s *Server) BlockActionsPayload(p BlockActionParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.User == "" {
		p.User = DefaultUser
	}
	if p.Team == "" {
		p.Team = s.cfg.TeamID
	}
	stored := s.messageLocked(p.Channel, p.MessageTS)
	label := "Click Me"
	if stored != nil {
		if blockID, el := findAction(stored.Blocks, p.ActionID); el != nil {
			if p.BlockID == "" {
				p.BlockID = blockID
			}
			if p.Value == "" {
				p.Value = jsonobj.Str(el.Get("value"))
			}
			if t, ok := el.Get("text").(*jsonobj.Object); ok && jsonobj.Str(t.Get("text")) != "" {
				label = jsonobj.Str(t.Get("text"))
			}
		}
	}
	if p.BlockID == "" {
		p.BlockID = s.blockIDLocked()
	}

	o := tmpl(s.tmpl.blockActions)
	user := o.Child("user").Set("id", p.User)
	if u, ok := s.users[p.User]; ok {
		user.Set("username", u.Name).Set("name", u.Name).Set("team_id", u.TeamID)
	}
	o.Set("api_app_id", s.cfg.AppID)
	container := o.Child("container").Set("message_ts", p.MessageTS).Set("channel_id", p.Channel)
	if stored != nil && stored.ThreadTS != "" && stored.ThreadTS != stored.TS {
		container.InsertBefore("channel_id", "thread_ts", stored.ThreadTS)
	}
	o.Set("trigger_id", s.triggerIDLocked())
	o.Child("team").Set("id", p.Team).Set("domain", s.cfg.TeamDomain)
	o.Child("channel").Set("id", p.Channel)
	if stored != nil {
		o.Set("message", s.messageJSONLocked(stored))
	} else {
		msg := o.Child("message")
		msg.Set("bot_id", s.cfg.BotID).Set("user", s.cfg.BotUserID).Set("ts", p.MessageTS).
			Set("app_id", s.cfg.AppID).Set("team", p.Team)
		if blocks, ok := msg.Get("blocks").([]any); ok && len(blocks) > 0 {
			if b, ok := blocks[0].(*jsonobj.Object); ok {
				b.Set("block_id", p.BlockID)
				b.Child("accessory").Set("action_id", p.ActionID).Set("value", p.Value)
			}
		}
	}
	o.Set("response_url", s.responseURLLocked("actions", p.Team))
	action := jsonobj.New(
		"action_id", p.ActionID,
		"block_id", p.BlockID,
		"text", jsonobj.New("type", "plain_text", "text", label),
		"value", p.Value,
		"type", "button",
		"action_ts", s.nextTSLocked(),
	)
	o.Set("actions", []any{action})
	return marshal(o)
}

// SlashCommandPayload returns the JSON object a Socket Mode slash_commands
// envelope carries, built from socket_mode_slash_commands.json. Send it with
// SendEvent(SlashCommands, …); over HTTP Slack posts the same fields as a
// form (see HTTPBody).
func (s *Server) SlashCommandPayload(p SlashCommandParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Command == "" {
		p.Command = "/dugnad"
	}
	if p.User == "" {
		p.User = DefaultUser
	}
	if p.UserName == "" {
		p.UserName = "testuser"
		if u, ok := s.users[p.User]; ok && u.Name != "" {
			p.UserName = u.Name
		}
	}
	if p.Channel == "" {
		p.Channel = s.openDMLocked(p.User)
	}
	if p.ChannelName == "" {
		p.ChannelName = "general"
		if strings.HasPrefix(p.Channel, "D") {
			p.ChannelName = "directmessage"
		}
	}
	o := tmpl(s.tmpl.slashCommand)
	o.Set("team_id", s.cfg.TeamID)
	o.Set("team_domain", s.cfg.TeamDomain)
	o.Set("channel_id", p.Channel)
	o.Set("channel_name", p.ChannelName)
	o.Set("user_id", p.User)
	o.Set("user_name", p.UserName)
	o.Set("command", p.Command)
	o.Set("text", p.Text)
	o.Set("api_app_id", s.cfg.AppID)
	o.Set("response_url", s.responseURLLocked("commands", s.cfg.TeamID))
	o.Set("trigger_id", s.triggerIDLocked())
	return marshal(o)
}

func (s *Server) messageDefaultsLocked(p MessageParams) MessageParams {
	if p.User == "" {
		p.User = DefaultUser
	}
	if p.Channel == "" {
		p.Channel = s.openDMLocked(p.User)
	}
	if p.TS == "" {
		p.TS = s.nextTSLocked()
	}
	return p
}

// threadFieldsLocked adds thread_ts and parent_user_id for a reply.
func (s *Server) threadFieldsLocked(ev *jsonobj.Object, p MessageParams) {
	if p.ThreadTS == "" {
		return
	}
	ev.InsertBefore("channel", "thread_ts", p.ThreadTS)
	if root := s.messageLocked(p.Channel, p.ThreadTS); root != nil && root.User != "" {
		ev.InsertBefore("channel", "parent_user_id", root.User)
	}
}

// outerLocked fills the Events API envelope around an event.
func (s *Server) outerLocked(o *jsonobj.Object, eventType, channel, ts string) {
	o.Set("team_id", s.cfg.TeamID)
	o.Set("api_app_id", s.cfg.AppID)
	o.Set("event_id", s.eventIDLocked())
	o.Set("event_time", tsSeconds(ts))
	if auths, ok := o.Get("authorizations").([]any); ok && len(auths) > 0 {
		if a, ok := auths[0].(*jsonobj.Object); ok {
			a.Set("team_id", s.cfg.TeamID).Set("user_id", s.cfg.BotUserID)
		}
	}
	o.Set("event_context", fmt.Sprintf("4-%s-%s-%s", eventType, s.cfg.TeamID, channel))
}

func (s *Server) eventIDLocked() string { return "Ev" + s.nextIDLocked() }
func (s *Server) blockIDLocked() string { return "b" + strings.ToLower(s.nextIDLocked()[4:]) }
func (s *Server) triggerIDLocked() string {
	return fmt.Sprintf("%d.%s.%s", tsBase+s.tsSeq, s.cfg.TeamID, s.nextIDLocked())
}

func (s *Server) responseURLLocked(kind, team string) string {
	return fmt.Sprintf("%s/%s/%s/%s/%s", s.srv.URL, kind, team, s.nextIDLocked(), strings.ReplaceAll(uuid(), "-", ""))
}

func channelType(ch string) string {
	switch {
	case strings.HasPrefix(ch, "D"):
		return "im"
	case strings.HasPrefix(ch, "G"):
		return "group"
	default:
		return "channel"
	}
}

func tsSeconds(ts string) int64 {
	sec, _, _ := strings.Cut(ts, ".")
	n, _ := strconv.ParseInt(sec, 10, 64)
	return n
}

// richTextLocked derives the rich_text block Slack attaches to a user's
// message from its mrkdwn text.
func (s *Server) richTextLocked(text string) []any {
	elems := []any{}
	for text != "" {
		i := strings.IndexByte(text, '<')
		j := -1
		if i >= 0 {
			j = strings.IndexByte(text[i:], '>')
		}
		if i < 0 || j < 0 {
			elems = append(elems, jsonobj.New("type", "text", "text", html.UnescapeString(text)))
			break
		}
		if i > 0 {
			elems = append(elems, jsonobj.New("type", "text", "text", html.UnescapeString(text[:i])))
		}
		elems = append(elems, richTextToken(text[i+1:i+j]))
		text = text[i+j+1:]
	}
	return []any{jsonobj.New(
		"type", "rich_text",
		"block_id", s.blockIDLocked(),
		"elements", []any{jsonobj.New("type", "rich_text_section", "elements", elems)},
	)}
}

// richTextToken turns the inside of a <…> control sequence into an element.
func richTextToken(tok string) *jsonobj.Object {
	target, label, _ := strings.Cut(tok, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		return jsonobj.New("type", "user", "user_id", target[1:])
	case strings.HasPrefix(target, "#"):
		return jsonobj.New("type", "channel", "channel_id", target[1:])
	case strings.HasPrefix(target, "!subteam^"):
		return jsonobj.New("type", "usergroup", "usergroup_id", strings.TrimPrefix(target, "!subteam^"))
	case strings.HasPrefix(target, "!"):
		return jsonobj.New("type", "broadcast", "range", target[1:])
	default:
		o := jsonobj.New("type", "link", "url", target)
		if label != "" {
			o.Set("text", label)
		}
		return o
	}
}

// findAction finds the interactive element with actionID in a Block Kit
// array and returns its block's block_id and the element.
func findAction(blocks json.RawMessage, actionID string) (string, *jsonobj.Object) {
	if len(blocks) == 0 {
		return "", nil
	}
	v, err := jsonobj.Parse(blocks)
	if err != nil {
		return "", nil
	}
	arr, _ := v.([]any)
	for _, bv := range arr {
		b, ok := bv.(*jsonobj.Object)
		if !ok {
			continue
		}
		cands := []any{b.Get("accessory")}
		if els, ok := b.Get("elements").([]any); ok {
			cands = append(cands, els...)
		}
		for _, c := range cands {
			if el, ok := c.(*jsonobj.Object); ok && jsonobj.Str(el.Get("action_id")) == actionID {
				return jsonobj.Str(b.Get("block_id")), el
			}
		}
	}
	return "", nil
}
