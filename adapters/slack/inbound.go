package slack

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kommune-dugnad/dugnad/bot"
)

// fromEventsAPI turns an Events API callback into a neutral event. It
// reports false for events the bot does not act on (its own messages,
// edits, joins, other event types).
func (a *Adapter) fromEventsAPI(ctx context.Context, e slackevents.EventsAPIEvent) (bot.Event, bool) {
	if e.Type != slackevents.CallbackEvent {
		return bot.Event{}, false
	}
	cb, _ := e.Data.(*slackevents.EventsAPICallbackEvent)
	eventID := ""
	if cb != nil {
		eventID = cb.EventID
	}
	base := bot.Event{Platform: bot.Slack, Workspace: e.TeamID, At: time.Now().UTC()}
	switch ev := e.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		return a.fromMessage(ctx, base, ev)
	case *slackevents.AppMentionEvent:
		if ev.BotID != "" || ev.User == "" || ev.User == a.BotUserID() {
			return bot.Event{}, false
		}
		// The same message also arrives as a message event where the
		// plan subscribes to the channel; both carry the message's ID,
		// so it has one effect.
		base.ID = messageID(ev.Channel, ev.TimeStamp)
		base.Kind, base.Channel, base.User, base.MessageRef = bot.KindMessage, ev.Channel, ev.User, ev.TimeStamp
		base.Text = a.withoutBotMention(unescape(ev.Text))
		base.Mention = true
		base.DM = strings.HasPrefix(ev.Channel, "D")
		base.Thread = threadOf(ev.ThreadTimeStamp, ev.TimeStamp)
		return base, true
	case *slackevents.AppHomeOpenedEvent:
		if ev.Tab != "home" || ev.User == "" || eventID == "" {
			return bot.Event{}, false
		}
		base.ID, base.Kind, base.User = eventID, bot.KindHome, ev.User
		return base, true
	case *slackevents.ReactionAddedEvent:
		return a.fromReaction(base, eventID, bot.KindReactionAdded, ev.User, ev.Reaction, ev.Item)
	case *slackevents.ReactionRemovedEvent:
		return a.fromReaction(base, eventID, bot.KindReactionRemoved, ev.User, ev.Reaction, ev.Item)
	}
	return bot.Event{}, false
}

// messageSubtypes are the message subtypes that are someone writing; edits,
// deletions, joins and the like are not.
var messageSubtypes = map[string]bool{"": true, "thread_broadcast": true, "file_share": true}

func (a *Adapter) fromMessage(ctx context.Context, base bot.Event, ev *slackevents.MessageEvent) (bot.Event, bool) {
	if !messageSubtypes[ev.SubType] || ev.BotID != "" || ev.User == "" || ev.User == a.BotUserID() {
		return bot.Event{}, false
	}
	base.ID = messageID(ev.Channel, ev.TimeStamp)
	base.Kind = bot.KindMessage
	base.Channel, base.User, base.MessageRef = ev.Channel, ev.User, ev.TimeStamp
	base.DM = ev.ChannelType == "im"
	// slackevents copies the top-level message into ev.Message, so a
	// reply is told by its thread_ts differing from its own ts.
	base.Thread = threadOf(ev.ThreadTimeStamp, ev.TimeStamp)
	text := unescape(ev.Text)
	if !base.DM && strings.Contains(text, "<@"+a.BotUserID()+">") {
		base.Mention = true
		text = a.withoutBotMention(text)
	}
	base.Text = text
	if base.DM {
		base.UserName = a.userName(ctx, ev.User)
	}
	return base, true
}

func (a *Adapter) fromReaction(base bot.Event, eventID string, kind bot.Kind, user, reaction string, item slackevents.Item) (bot.Event, bool) {
	if item.Type != "message" || user == "" || user == a.BotUserID() {
		return bot.Event{}, false
	}
	base.ID = eventID
	if base.ID == "" {
		base.ID = string(kind) + ":" + item.Channel + ":" + item.Timestamp + ":" + user + ":" + reaction
	}
	base.Kind, base.User, base.Channel, base.MessageRef = kind, user, item.Channel, item.Timestamp
	base.DM = strings.HasPrefix(item.Channel, "D")
	base.Emoji = EmojiName(reaction)
	return base, true
}

// fromInteraction turns a button click into a neutral choice event.
// fallbackID identifies the click when Slack gives no trigger ID.
func (a *Adapter) fromInteraction(ic slack.InteractionCallback, fallbackID string) (bot.Event, bool) {
	if ic.Type != slack.InteractionTypeBlockActions || len(ic.ActionCallback.BlockActions) == 0 {
		return bot.Event{}, false
	}
	action := ic.ActionCallback.BlockActions[0]
	if !strings.HasPrefix(action.ActionID, actionPrefix) {
		return bot.Event{}, false
	}
	id := ic.TriggerID
	if id == "" {
		id = fallbackID
	}
	msgTS := ic.Container.MessageTs
	if msgTS == "" {
		msgTS = ic.Message.Timestamp
	}
	channel := ic.Channel.ID
	if channel == "" {
		channel = ic.Container.ChannelID
	}
	ev := bot.Event{
		ID: "action:" + id, Platform: bot.Slack, Workspace: ic.Team.ID, Channel: channel,
		DM: strings.HasPrefix(channel, "D"), MessageRef: msgTS, User: ic.User.ID, UserName: ic.User.Name,
		Kind: bot.KindChoice, Choice: action.Value, At: time.Now().UTC(),
		Thread: threadOf(ic.Message.ThreadTimestamp, msgTS),
	}
	ev.Origin = originOf(ic.Message)
	return ev, true
}

// originOf reads back the message a button was in: its text and choices.
func originOf(m slack.Message) *bot.Message {
	o := &bot.Message{}
	var texts []string
	for _, b := range m.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				texts = append(texts, unescape(b.Text.Text))
			}
		case *slack.ActionBlock:
			if b.Elements == nil {
				continue
			}
			for _, e := range b.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok && btn.Text != nil {
					o.Choices = append(o.Choices, bot.Choice{ID: btn.Value, Label: btn.Text.Text})
				}
			}
		}
	}
	o.Text = strings.Join(texts, "\n\n")
	if o.Text == "" {
		o.Text = unescape(m.Text)
	}
	return o
}

// fromSlashCommand turns /dugnad into a neutral command, in the channel
// where it was given (the bot answers personal commands in a DM).
func (a *Adapter) fromSlashCommand(_ context.Context, sc slack.SlashCommand) (bot.Event, bool, error) {
	word, rest, _ := strings.Cut(strings.TrimSpace(sc.Text), " ")
	return bot.Event{
		ID: "command:" + sc.TriggerID, Platform: bot.Slack, Workspace: sc.TeamID, Channel: sc.ChannelID,
		DM: strings.HasPrefix(sc.ChannelID, "D"), User: sc.UserID, UserName: sc.UserName, Kind: bot.KindCommand,
		Command: word, Text: strings.TrimSpace(rest), At: time.Now().UTC(),
	}, true, nil
}

// messageID names a message event by the message itself, so the message
// and app_mention events of one message, and any redelivery, are one.
func messageID(channel, ts string) string { return "message:" + channel + ":" + ts }

func threadOf(threadTS, ts string) string {
	if threadTS != "" && threadTS != ts {
		return threadTS
	}
	return ""
}

// unescape turns Slack's message text back into what the user wrote:
// Slack escapes &, < and > (mention sequences such as <@U…> stay as they
// are; they are escaped again whenever the bot shows the text).
func unescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

func (a *Adapter) withoutBotMention(text string) string {
	return strings.TrimSpace(strings.ReplaceAll(text, "<@"+a.BotUserID()+">", ""))
}

// EmojiName normalises a Slack reaction name: skin tones are dropped, so
// a thumbs-up in any skin tone is the same vote.
func EmojiName(reaction string) string {
	name, _, _ := strings.Cut(reaction, "::")
	return name
}

// userName looks up a user's display name once, for open intake; an
// unknown name is no reason to refuse the message.
func (a *Adapter) userName(ctx context.Context, user string) string {
	a.mu.Lock()
	name, ok := a.names[user]
	a.mu.Unlock()
	if ok {
		return name
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		a.log.Debug("users.info failed", "user", user, "err", err)
		return ""
	}
	name = u.RealName
	if u.Profile.DisplayName != "" {
		name = u.Profile.DisplayName
	}
	a.mu.Lock()
	a.names[user] = name
	a.mu.Unlock()
	return name
}
