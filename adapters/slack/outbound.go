package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/internal/textsplit"
)

// actionPrefix starts the action ID of every button the bot sends; a click
// on anything else is not the bot's.
const actionPrefix = "dugnad_choice_"

// Slack's limits on Block Kit (api.slack.com/reference/block-kit).
const (
	sectionLimit   = 3000 // characters in a section's text
	buttonLimit    = 75   // characters in a button's label
	buttonsPerRow  = 25   // elements in an actions block
	fallbackLimit  = 3000 // characters of the notification text we send
	blocksPerLimit = 50   // blocks in a message
)

// Send posts a message (in its thread, if any), or with Replace updates
// one sent before, or to a bot.HomeOf channel publishes a user's App Home. All text is escaped, so nothing in it can mention
// anyone. A message with a File is an upload instead of a post (sendFile);
// an update or a home view cannot carry a file, so there it is left out.
// It waits for the channel's rate limit and turns Slack's answers
// into the bot's retry and permanent errors.
func (a *Adapter) Send(ctx context.Context, m bot.Message) (string, error) {
	if user, ok := bot.HomeUser(m.Channel); ok {
		_, err := a.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user,
			View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: Blocks(m)}}})
		return "", classify(err)
	}
	if user, ok := bot.DMUser(m.Channel); ok {
		ch, err := a.OpenDM(ctx, user)
		if err != nil {
			return "", err
		}
		m.Channel = ch
	}
	if err := a.limiter(m.Channel).Wait(ctx); err != nil {
		return "", err
	}
	if m.File != nil {
		if m.Replace == "" {
			return a.sendFile(ctx, m, Escape(textsplit.Truncate(m.Text, commentLimit)))
		}
		a.log.Warn("an update cannot add a file; sent without it", "channel", m.Channel, "file", m.File.Name)
	}
	opts := []slack.MsgOption{
		slack.MsgOptionText(Escape(textsplit.Truncate(m.Text, fallbackLimit)), false),
		slack.MsgOptionBlocks(Blocks(m)...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if m.Replace != "" {
		_, ts, _, err := a.api.UpdateMessageContext(ctx, m.Channel, m.Replace, opts...)
		return ts, classify(err)
	}
	if m.Thread != "" {
		opts = append(opts, slack.MsgOptionTS(m.Thread))
	}
	_, ts, err := a.api.PostMessageContext(ctx, m.Channel, opts...)
	return ts, classify(err)
}

// Escape makes text safe to show in Slack: &, < and > are escaped, so
// <!channel>, <!here> and <@U…> written by anyone are shown, not acted on.
func Escape(text string) string { return slackutilsx.EscapeMessage(text) }

// Blocks renders a message as Block Kit: its text in sections (escaped,
// verbatim, split at paragraphs to fit), its choices as buttons whose
// value is the choice ID.
func Blocks(m bot.Message) []slack.Block {
	var blocks []slack.Block
	for _, chunk := range textsplit.Split(Escape(m.Text), sectionLimit) {
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, chunk, false, true), nil, nil))
	}
	for row := 0; row*buttonsPerRow < len(m.Choices); row++ {
		var elems []slack.BlockElement
		for i := row * buttonsPerRow; i < len(m.Choices) && i < (row+1)*buttonsPerRow; i++ {
			c := m.Choices[i]
			btn := slack.NewButtonBlockElement(actionPrefix+strconv.Itoa(i), c.ID,
				slack.NewTextBlockObject(slack.PlainTextType, textsplit.Truncate(c.Label, buttonLimit), false, false))
			switch c.Style {
			case bot.StylePrimary:
				btn.Style = slack.StylePrimary
			case bot.StyleDanger:
				btn.Style = slack.StyleDanger
			}
			elems = append(elems, btn)
		}
		blocks = append(blocks, slack.NewActionBlock("dugnad_choices_"+strconv.Itoa(row), elems...))
	}
	if len(blocks) > blocksPerLimit {
		blocks = blocks[len(blocks)-blocksPerLimit:]
	}
	return blocks
}

// permanentErrors are Slack errors that no retry will cure.
var permanentErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true, "msg_too_long": true,
	"no_text": true, "invalid_blocks": true, "invalid_blocks_format": true, "message_not_found": true,
	"cant_update_message": true, "edit_window_closed": true, "restricted_action": true,
	"user_not_found": true, "cannot_dm_bot": true, "invalid_arguments": true,
	// files.getUploadURLExternal and files.completeUploadExternal
	"invalid_channel": true, "posting_to_channel_denied": true, "missing_argument": true,
	"file_type_not_allowed": true, "file_upload_size_restricted": true, "file_uploads_disabled": true,
	"file_uploads_except_images_disabled": true, "storage_limit_reached": true, "user_is_external_guest": true,
}

// classify turns a Slack error into the bot's: a 429 into a retry after
// Slack's Retry-After, a hopeless one into a permanent error.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &bot.RetryAfterError{After: rl.RetryAfter, Err: err}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && permanentErrors[se.Err] {
		return bot.Permanent(err)
	}
	return fmt.Errorf("slack: %w", err)
}

// FindSent looks for a message the bot posted where m goes after the
// message after: in m's thread (conversations.replies), or at the top of
// its channel (conversations.history); for an upload, the file. After an
// upload, which is known by its file's ID and not by a place in the
// channel, it cannot tell, and says so (the message is then sent).
func (a *Adapter) FindSent(ctx context.Context, m bot.Message, after string) (string, bool, error) {
	if after != "" && !isTS(after) {
		// The last message delivered here was an upload, known by its
		// file's ID, which has no place in the channel's timeline.
		return "", false, bot.Permanent(fmt.Errorf("slack: the last delivery to %s was file %s: cannot tell what came after it", m.Channel, after))
	}
	if user, ok := bot.DMUser(m.Channel); ok {
		ch, err := a.OpenDM(ctx, user)
		if err != nil {
			return "", false, err
		}
		m.Channel = ch
	}
	// A post is the bot's first message after the last one delivered here
	// (a channel's messages go out in order). An upload is the first file
	// of that name the bot uploaded after it, whoever Slack names as the
	// sharing message's author, and is known by the file's ID, as Send
	// returns it.
	found := func(msg slack.Message) (string, bool) {
		if after != "" && !tsLess(after, msg.Timestamp) {
			return "", false
		}
		if m.File == nil {
			return msg.Timestamp, msg.User == a.BotUserID() || (msg.BotID != "" && msg.User == "")
		}
		for _, f := range msg.Files {
			if f.Name == m.File.Name && f.User == a.BotUserID() {
				return f.ID, true
			}
		}
		return "", false
	}
	if m.Thread != "" {
		msgs, _, _, err := a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: m.Channel, Timestamp: m.Thread, Oldest: after, Limit: 200})
		if err != nil {
			return "", false, classify(err)
		}
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Timestamp == m.Thread {
				continue
			}
			if ref, ok := found(msgs[i]); ok {
				return ref, true, nil
			}
		}
		return "", false, nil
	}
	res, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: m.Channel, Oldest: after, Limit: 100})
	if err != nil {
		return "", false, classify(err)
	}
	for _, msg := range res.Messages { // newest first
		if msg.ThreadTimestamp != "" && msg.ThreadTimestamp != msg.Timestamp {
			continue
		}
		if ref, ok := found(msg); ok {
			return ref, true, nil
		}
	}
	return "", false, nil
}

// isTS reports whether ref is a message's timestamp ("1700000000.000100"),
// not a file's ID.
func isTS(ref string) bool {
	secs, frac, ok := strings.Cut(ref, ".")
	digits := func(s string) bool {
		return s != "" && strings.Trim(s, "0123456789") == ""
	}
	return ok && digits(secs) && digits(frac)
}

// tsLess orders Slack timestamps ("1700000000.000100").
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	if as != bs {
		return as < bs
	}
	return af < bf
}

// OpenDM returns the direct message channel with a user, opening it if
// needed.
func (a *Adapter) OpenDM(ctx context.Context, user string) (string, error) {
	a.mu.Lock()
	ch, ok := a.dms[user]
	a.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", fmt.Errorf("slack: conversations.open: %w", classify(err))
	}
	a.mu.Lock()
	a.dms[user] = c.ID
	a.mu.Unlock()
	return c.ID, nil
}

// AddReaction adds an emoji (a Slack name such as "+1") to a message.
func (a *Adapter) AddReaction(ctx context.Context, channel, messageRef, emoji string) error {
	err := a.api.AddReactionContext(ctx, strings.Trim(emoji, ":"), slack.ItemRef{Channel: channel, Timestamp: messageRef})
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "already_reacted" {
		return nil
	}
	return classify(err)
}

// Reactions reads a message's reactions as Slack shows them now, with every
// user (reactions.get with full=true).
func (a *Adapter) Reactions(ctx context.Context, channel, messageRef string) ([]bot.Reaction, error) {
	item, err := a.api.GetReactionsContext(ctx, slack.ItemRef{Channel: channel, Timestamp: messageRef}, slack.GetReactionsParameters{Full: true})
	if err != nil {
		return nil, classify(err)
	}
	byName := map[string]int{}
	var out []bot.Reaction
	for _, r := range item.Reactions {
		name := EmojiName(r.Name)
		i, ok := byName[name]
		if !ok {
			i = len(out)
			byName[name] = i
			out = append(out, bot.Reaction{Emoji: name})
		}
		out[i].Users = append(out[i].Users, r.Users...)
	}
	return out, nil
}

// Replies reads a thread's replies, oldest first, page by page.
func (a *Adapter) Replies(ctx context.Context, channel, threadRef string) ([]bot.Event, error) {
	var out []bot.Event
	seen := map[string]bool{threadRef: true} // the root is not a reply
	cursor := ""
	for {
		msgs, hasMore, next, err := a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: threadRef, Cursor: cursor, Limit: a.repliesPage})
		if err != nil {
			return nil, classify(err)
		}
		for _, m := range msgs {
			if seen[m.Timestamp] || m.BotID != "" || m.User == a.BotUserID() || !messageSubtypes[m.SubType] {
				continue
			}
			seen[m.Timestamp] = true
			out = append(out, bot.Event{ID: messageID(channel, m.Timestamp), Platform: bot.Slack, Workspace: a.TeamID(),
				Channel: channel, Thread: threadRef, MessageRef: m.Timestamp, User: m.User, Kind: bot.KindMessage, Text: unescape(m.Text)})
		}
		if !hasMore || next == "" {
			return out, nil
		}
		cursor = next
	}
}
