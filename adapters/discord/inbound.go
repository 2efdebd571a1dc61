package discord

import (
	"context"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/bot"
)

// fromMessage turns a message into a neutral event. It reports false for
// the bot's own messages, other bots', and system messages (joins, pins).
func (a *Adapter) fromMessage(m *discordgo.Message) (bot.Event, bool) {
	if m == nil || m.Author == nil || m.Author.Bot || m.Author.ID == a.BotUserID() {
		return bot.Event{}, false
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return bot.Event{}, false
	}
	ev := bot.Event{
		// Named by the message itself, so the gateway's copy and a
		// backfilled one are one event.
		ID:       "message:" + m.ChannelID + ":" + m.ID,
		Platform: bot.Discord, Workspace: m.GuildID, Channel: m.ChannelID, DM: a.isDirect(m.GuildID, m.ChannelID),
		MessageRef: m.ID, User: m.Author.ID, UserName: displayName(m.Author, m.Member),
		Kind: bot.KindMessage, Text: m.Content, At: m.Timestamp.UTC(),
	}
	// An inline reply belongs to the message it answers. A message in a
	// thread arrives in the thread's own channel, whose ID is that of the
	// message the thread was started from: it is that message's thread in
	// the parent channel.
	if parent, ok := a.threadParent(m.GuildID, m.ChannelID); ok {
		ev.Channel, ev.Thread = parent, m.ChannelID
	} else if m.Type == discordgo.MessageTypeReply && m.MessageReference != nil {
		ev.Thread = m.MessageReference.MessageID
	}
	bot := a.BotUserID()
	for _, u := range m.Mentions {
		if u != nil && u.ID == bot {
			ev.Mention = true
		}
	}
	if ev.Mention {
		ev.Text = strings.TrimSpace(strings.NewReplacer("<@"+bot+">", "", "<@!"+bot+">", "").Replace(ev.Text))
	}
	return ev, true
}

// threadParent reports whether a server channel is a thread, and its
// parent channel (looked up once per channel).
func (a *Adapter) threadParent(guildID, channelID string) (string, bool) {
	if guildID == "" {
		return "", false
	}
	a.mu.Lock()
	parent, known := a.parents[channelID]
	a.mu.Unlock()
	if known {
		return parent, parent != ""
	}
	c, err := a.api.Channel(channelID)
	if err != nil {
		a.log.Warn("channel unknown; taken as not a thread", "channel", channelID, "err", err)
		return "", false
	}
	if c.IsThread() {
		parent = c.ParentID
	}
	a.mu.Lock()
	a.parents[channelID] = parent
	a.mu.Unlock()
	return parent, parent != ""
}

// isDirect tells a direct conversation from a server channel. Gateway
// events in servers name their guild; messages read over REST never do, so
// then the channel's type decides (looked up once).
func (a *Adapter) isDirect(guildID, channelID string) bool {
	if guildID != "" {
		return false
	}
	a.mu.Lock()
	direct, ok := a.direct[channelID]
	a.mu.Unlock()
	if ok {
		return direct
	}
	c, err := a.api.Channel(channelID)
	if err != nil {
		a.log.Warn("channel type unknown; taken as a direct message", "channel", channelID, "err", err)
		return true
	}
	direct = c.Type == discordgo.ChannelTypeDM || c.Type == discordgo.ChannelTypeGroupDM
	a.mu.Lock()
	a.direct[channelID] = direct
	a.mu.Unlock()
	return direct
}

func displayName(u *discordgo.User, m *discordgo.Member) string {
	switch {
	case m != nil && m.Nick != "":
		return m.Nick
	case u.GlobalName != "":
		return u.GlobalName
	}
	return u.Username
}

// fromReaction turns a reaction into a neutral event named id.
func (a *Adapter) fromReaction(id string, kind bot.Kind, r *discordgo.MessageReaction) (bot.Event, bool) {
	if r == nil || r.UserID == "" || r.UserID == a.BotUserID() {
		return bot.Event{}, false
	}
	return bot.Event{
		ID:       id,
		Platform: bot.Discord, Workspace: r.GuildID, Channel: r.ChannelID, DM: a.isDirect(r.GuildID, r.ChannelID),
		MessageRef: r.MessageID, User: r.UserID, Kind: kind, Emoji: EmojiName(r.Emoji), At: time.Now().UTC(),
	}, true
}

// EmojiName is how a reaction's emoji is named to the bot: the character
// for a Unicode emoji, "name:id" for a custom one (as Discord's API takes it).
func EmojiName(e discordgo.Emoji) string {
	if e.ID != "" {
		return e.Name + ":" + e.ID
	}
	return e.Name
}

// fromInteraction turns a button click or /dugnad into a neutral event.
func (a *Adapter) fromInteraction(ctx context.Context, i *discordgo.Interaction) (bot.Event, bool, error) {
	user := i.User
	if i.Member != nil && i.Member.User != nil {
		user = i.Member.User
	}
	if user == nil {
		return bot.Event{}, false, nil
	}
	ev := bot.Event{ID: "interaction:" + i.ID, Platform: bot.Discord, Workspace: i.GuildID, Channel: i.ChannelID,
		DM: i.GuildID == "", User: user.ID, UserName: displayName(user, i.Member), At: time.Now().UTC()}
	// Data is asserted, not read with discordgo's helpers, which panic:
	// discordgo hands on an interaction whose data did not decode, with
	// none.
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		data, ok := i.Data.(discordgo.MessageComponentInteractionData)
		if !ok {
			return bot.Event{}, false, nil
		}
		ev.Kind, ev.Choice = bot.KindChoice, data.CustomID
		if i.Message != nil {
			ev.MessageRef = i.Message.ID
			ev.Origin = originOf(i.Message)
			if i.Message.MessageReference != nil && i.Message.Type == discordgo.MessageTypeReply {
				ev.Thread = i.Message.MessageReference.MessageID
			}
		}
		return ev, true, nil
	case discordgo.InteractionApplicationCommand:
		data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
		if !ok || data.Name != command.Name || len(data.Options) == 0 || data.Options[0] == nil {
			return bot.Event{}, false, nil
		}
		sub := data.Options[0]
		var args []string
		for _, o := range sub.Options {
			// Every option of /dugnad is a string; anything else is not
			// the command as registered.
			if o == nil || o.Type != discordgo.ApplicationCommandOptionString {
				return bot.Event{}, false, nil
			}
			arg, ok := o.Value.(string)
			if !ok {
				return bot.Event{}, false, nil
			}
			args = append(args, arg)
		}
		// In the channel where it was given; the bot answers personal
		// commands in a DM.
		ev.Kind, ev.Command, ev.Text = bot.KindCommand, sub.Name, strings.Join(args, " ")
		return ev, true, nil
	}
	return bot.Event{}, false, nil
}

// originOf reads back the message a button was in: its text and buttons.
func originOf(m *discordgo.Message) *bot.Message {
	o := &bot.Message{Text: m.Content}
	for _, c := range m.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range row.Components {
			if b, ok := c.(*discordgo.Button); ok {
				o.Choices = append(o.Choices, bot.Choice{ID: b.CustomID, Label: b.Label})
			}
		}
	}
	return o
}
