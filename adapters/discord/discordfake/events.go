package discordfake

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
)

// Dispatch event names the builders produce data for.
const (
	EventMessageCreate         = "MESSAGE_CREATE"
	EventMessageReactionAdd    = "MESSAGE_REACTION_ADD"
	EventMessageReactionRemove = "MESSAGE_REACTION_REMOVE"
	EventInteractionCreate     = "INTERACTION_CREATE"
)

// MessageParams describes a user's message for MessageCreate. Empty fields
// take the defaults in the comments.
type MessageParams struct {
	ID string // a fresh NextID
	// ChannelID: a guild text channel, a thread (AddThread; channel_id is
	// the thread's ID, guild_id its guild's) or a DM channel. "" means the
	// first configured channel, or with DM the author's DM with the bot.
	ChannelID string
	DM        bool   // a direct message: no guild_id, no member
	AuthorID  string // DefaultUserID
	Content   string // as typed; "<@id>" mentions fill mentions[]
	// ReplyTo makes an inline reply (type 19, as gateway_message_create_reply.json):
	// message_reference names this message in the same channel and
	// referenced_message carries it if the fake has it stored.
	ReplyTo string
}

// ReactionParams describes a MESSAGE_REACTION_ADD or _REMOVE.
type ReactionParams struct {
	ChannelID string // the first configured channel
	MessageID string // the reacted-to message
	UserID    string // who reacted; DefaultUserID
	Emoji     string // "👍" (the default), or "name:id" for a custom emoji
}

// ButtonParams describes a click on a message's button (an
// INTERACTION_CREATE of type 3, MESSAGE_COMPONENT).
type ButtonParams struct {
	ID, Token string // fresh if empty
	ChannelID string // the message's channel; the first configured channel
	// MessageID is the message holding the button; its stored form (as REST
	// returns it) goes in "message". "" sends the recorded example message
	// with a fresh ID, authored by the bot.
	MessageID string
	CustomID  string
	UserID    string // who clicked; DefaultUserID
}

// SlashParams describes a slash command invocation (an INTERACTION_CREATE
// of type 2, APPLICATION_COMMAND, CHAT_INPUT).
type SlashParams struct {
	ID, Token  string // fresh if empty
	ChannelID  string // the first configured channel, or with DM the user's DM
	DM         bool   // invoked in the bot's DM: "user" instead of "member", no guild_id
	UserID     string // DefaultUserID
	Command    string // "dugnad"
	Subcommand string // "" for options directly on the command
	Options    []Option
}

// Option is one command option; Value is a string (type 3), int (4), bool
// (5) or float64 (10).
type Option struct {
	Name  string
	Value any
}

// MessageCreate returns the d of a MESSAGE_CREATE for a user's message,
// built from gateway_message_create_guild.json (or, with ReplyTo,
// gateway_message_create_reply.json) with fresh IDs and the given channel,
// author and content. Dispatch it with Dispatch(EventMessageCreate, …),
// which also stores the message for REST.
func (s *Server) MessageCreate(p MessageParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.AuthorID == "" {
		p.AuthorID = DefaultUserID
	}
	nonce := s.nextIDLocked()
	if p.ID == "" {
		p.ID = s.nextIDLocked()
	}
	guild := s.resolveChannelLocked(&p.ChannelID, p.DM, p.AuthorID)

	src := s.tmpl.messageCreate
	if p.ReplyTo != "" {
		src = s.tmpl.messageReply
	}
	d := tmpl(src)
	d.Set("type", 0)
	d.Set("timestamp", timestamp(snowflakeTime(p.ID)))
	d.Set("nonce", nonce)
	mentions := []any{}
	for _, m := range userMention.FindAllStringSubmatch(p.Content, -1) {
		mentions = append(mentions, s.userObjectLocked(m[1]))
	}
	if p.ReplyTo != "" {
		d.Set("type", int(discordgo.MessageTypeReply))
		ref := jsonobj.New("message_id", p.ReplyTo, "channel_id", p.ChannelID)
		if guild != "" {
			ref = jsonobj.New("message_id", p.ReplyTo, "guild_id", guild, "channel_id", p.ChannelID)
		}
		d.Set("message_reference", ref)
		if m := s.messageLocked(p.ChannelID, p.ReplyTo); m != nil {
			d.Set("referenced_message", s.renderMessageLocked(m))
			if m.authorID != p.AuthorID { // a reply pings the replied-to author by default
				mentions = append(mentions, s.userObjectLocked(m.authorID))
			}
		} else {
			d.Set("referenced_message", nil)
		}
	}
	d.Set("mentions", mentions)
	d.Set("mention_roles", []any{})
	d.Set("mention_everyone", false)
	if guild != "" {
		d.Set("member", s.memberObjectLocked("", false))
	} else {
		d.Del("member")
	}
	d.Set("id", p.ID)
	d.Set("flags", 0)
	d.Set("embeds", []any{})
	d.Set("edited_timestamp", nil)
	d.Set("content", p.Content)
	d.Set("channel_id", p.ChannelID)
	d.Set("author", s.userObjectLocked(p.AuthorID))
	d.Set("attachments", []any{})
	d.Set("components", []any{})
	if guild != "" {
		d.Set("guild_id", guild)
	} else {
		d.Del("guild_id")
	}
	return marshal(d)
}

// resolveChannelLocked applies the channel defaults of the builders and
// returns the channel's guild ("" for DMs), creating the channel if needed.
func (s *Server) resolveChannelLocked(chID *string, dm bool, userID string) string {
	if *chID == "" {
		if dm {
			*chID = s.dmLocked(userID)
		} else {
			*chID = s.cfg.Channels[0].ID
		}
	}
	c := s.channels[*chID]
	if c == nil {
		if dm {
			c = s.addChannelLocked(Channel{ID: *chID, Type: discordgo.ChannelTypeDM, RecipientID: userID})
		} else {
			c = s.addChannelLocked(Channel{ID: *chID})
		}
	}
	return c.GuildID
}

// memberObjectLocked renders a partial guild member (as in MESSAGE_CREATE),
// with the user inside when withUser.
func (s *Server) memberObjectLocked(userID string, withUser bool) *jsonobj.Object {
	o := jsonobj.New()
	if withUser {
		o.Set("user", s.userObjectLocked(userID))
	}
	o.Set("roles", []any{}).Set("premium_since", nil).Set("pending", false).Set("nick", nil).
		Set("mute", false).Set("joined_at", "2023-12-18T10:00:00.000000+00:00").Set("flags", 0).Set("deaf", false)
	return o
}

// ReactionAdd returns the d of a MESSAGE_REACTION_ADD, built from
// gateway_message_reaction_add.json (custom emoji shaped like
// gateway_message_reaction_add_custom_emoji_d.json's).
func (s *Server) ReactionAdd(p ReactionParams) json.RawMessage {
	return s.reaction(p, true)
}

// ReactionRemove returns the d of a MESSAGE_REACTION_REMOVE, built from
// gateway_message_reaction_remove.json (no member, as Discord sends it).
func (s *Server) ReactionRemove(p ReactionParams) json.RawMessage {
	return s.reaction(p, false)
}

func (s *Server) reaction(p ReactionParams, add bool) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.UserID == "" {
		p.UserID = DefaultUserID
	}
	if p.Emoji == "" {
		p.Emoji = "👍"
	}
	guild := s.resolveChannelLocked(&p.ChannelID, false, p.UserID)
	name, id := parseEmoji(p.Emoji)
	emoji := jsonobj.New("name", name, "id", nil)
	if id != "" {
		emoji = tmpl(s.tmpl.reactionCustom).Child("emoji")
		emoji.Set("id", id).Set("name", name)
	}
	src := s.tmpl.reactionRemove
	if add {
		src = s.tmpl.reactionAdd
	}
	d := tmpl(src)
	d.Set("user_id", p.UserID)
	d.Set("message_id", p.MessageID)
	if add {
		if m := s.messageLocked(p.ChannelID, p.MessageID); m != nil {
			d.Set("message_author_id", m.authorID)
		} else {
			d.Del("message_author_id")
		}
		if guild != "" {
			d.Set("member", s.memberObjectLocked(p.UserID, true))
		} else {
			d.Del("member")
		}
	}
	d.Set("emoji", emoji)
	d.Set("channel_id", p.ChannelID)
	if guild != "" {
		d.Set("guild_id", guild)
	} else {
		d.Del("guild_id")
	}
	return marshal(d)
}

// ButtonInteraction returns the d of an INTERACTION_CREATE for a button
// click, built from interaction_button_docs.json: type 3, data.custom_id,
// data.component_type 2, the message with its components, a fresh
// interaction ID and token. Dispatch it with Dispatch(EventInteractionCreate, …),
// which starts its response deadline.
func (s *Server) ButtonInteraction(p ButtonParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := tmpl(s.tmpl.button)
	s.interactionCommonLocked(d, &p.ID, &p.Token, &p.ChannelID, &p.UserID, false)
	var msg *jsonobj.Object
	if m := s.messageLocked(p.ChannelID, p.MessageID); m != nil {
		msg = s.renderMessageLocked(m)
	} else {
		msg = d.Child("message")
		if p.MessageID == "" {
			p.MessageID = s.nextIDLocked()
			msg.Set("timestamp", timestamp(snowflakeTime(p.MessageID)))
		}
		msg.Set("id", p.MessageID)
		msg.Set("channel_id", p.ChannelID)
		msg.Set("author", s.userObjectLocked(s.cfg.BotUserID))
	}
	d.Set("message", msg)
	d.Set("data", jsonobj.New("custom_id", p.CustomID, "component_type", 2))
	return marshal(d)
}

// SlashCommand returns the d of an INTERACTION_CREATE for a slash command,
// built from gateway_interaction_create_slash.json (with the locale fields of
// interaction_slash_command_docs.json): type 2, data.name Command (default
// "dugnad"), data.options = the subcommand with its options, the command's
// registered ID if it is registered, a fresh interaction ID and token.
func (s *Server) SlashCommand(p SlashParams) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Command == "" {
		p.Command = "dugnad"
	}
	d := tmpl(s.tmpl.slashCommand)
	guild := s.interactionCommonLocked(d, &p.ID, &p.Token, &p.ChannelID, &p.UserID, p.DM)
	opts := []any{}
	for _, o := range p.Options {
		opts = append(opts, optionObject(o))
	}
	if p.Subcommand != "" {
		opts = []any{jsonobj.New("type", 1, "name", p.Subcommand, "options", opts)}
	}
	cmdID := ""
	for _, scope := range []string{guild, ""} {
		for _, c := range s.ix.commands[scope] {
			if jsonobj.Str(c.Get("name")) == p.Command && cmdID == "" {
				cmdID = jsonobj.Str(c.Get("id"))
			}
		}
	}
	if cmdID == "" {
		cmdID = s.nextIDLocked()
	}
	data := jsonobj.New("options", opts, "type", 1, "name", p.Command, "id", cmdID)
	if guild != "" {
		data.Set("guild_id", guild)
	}
	d.Set("data", data)
	return marshal(d)
}

func optionObject(o Option) *jsonobj.Object {
	typ := 3
	switch o.Value.(type) {
	case int, int64:
		typ = 4
	case bool:
		typ = 5
	case float64:
		typ = 10
	case string:
	default:
		panic(fmt.Sprintf("discordfake: option %s: unsupported value type %T", o.Name, o.Value))
	}
	return jsonobj.New("value", o.Value, "type", typ, "name", o.Name)
}

// interactionCommonLocked fills the fields every interaction has and
// returns the guild ID ("" in DMs).
func (s *Server) interactionCommonLocked(d *jsonobj.Object, id, token, chID, userID *string, dm bool) string {
	if *id == "" {
		*id = s.nextIDLocked()
	}
	if *token == "" {
		*token = "aW50ZXJhY3Rpb246" + *id + ":" + randomHex(24)
	}
	if *userID == "" {
		*userID = DefaultUserID
	}
	guild := s.resolveChannelLocked(chID, dm, *userID)
	docs := tmpl(s.tmpl.slashDocs)
	d.Set("version", 1)
	d.Set("token", *token)
	if guild != "" {
		member := s.memberObjectLocked(*userID, true)
		member.Set("permissions", jsonobj.Str(docs.Child("member").Get("permissions")))
		d.Set("member", member)
		d.Del("user")
	} else {
		d.Del("member")
		d.InsertBefore("id", "user", s.userObjectLocked(*userID))
	}
	d.Set("id", *id)
	d.Set("application_id", s.cfg.AppID)
	if guild != "" {
		d.Set("guild_id", guild)
		d.Set("guild_locale", docs.Get("guild_locale"))
	} else {
		d.Del("guild_id")
		d.Del("guild_locale")
	}
	d.Set("channel_id", *chID)
	d.Set("channel", s.channelObjectLocked(s.channels[*chID]))
	d.Set("app_permissions", docs.Get("app_permissions"))
	d.Set("locale", docs.Get("locale"))
	d.Set("entitlements", []any{})
	ctx := 0 // GUILD
	owners := jsonobj.New("0", guild)
	if guild == "" {
		ctx = 1 // BOT_DM
		owners = jsonobj.New("0", "0")
	}
	d.Set("context", ctx)
	d.Set("authorizing_integration_owners", owners)
	return guild
}

func strconvI(i int) string { return strconv.Itoa(i) }
