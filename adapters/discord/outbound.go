package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/internal/textsplit"
)

// Discord's limits (discord.com/developers/docs/resources/message).
const (
	contentLimit  = 2000
	labelLimit    = 80
	buttonsPerRow = 5
	rowsLimit     = 5
)

// noMentions is sent with every message: nothing in it may ping anyone.
// Parse must be an empty list, not null (PLATFORMS.md §4).
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

var mentionLike = regexp.MustCompile(`@(everyone|here|[!&]?[0-9]{17,20})`)

// Neutralise breaks mention syntax in text with a zero-width space, so
// @everyone, @here, <@id> and <@&role> show as written even where
// allowed_mentions were ignored.
func Neutralise(text string) string { return mentionLike.ReplaceAllString(text, "@\u200b$1") }

// Send posts a message (as a reply to Thread when set) or, with Replace,
// edits one sent before and removes its buttons. Text longer than Discord
// allows is sent as several messages, the buttons and the File (an
// attachment, in a multipart request) on the last. An edit does not add a
// file.
func (a *Adapter) Send(ctx context.Context, m bot.Message) (string, error) {
	if user, ok := bot.DMUser(m.Channel); ok {
		ch, err := a.OpenDM(ctx, user)
		if err != nil {
			return "", err
		}
		m.Channel = ch
	}
	text := Neutralise(m.Text)
	opt := discordgo.WithContext(ctx)
	if m.Replace != "" {
		if m.File != nil {
			a.log.Warn("an edit cannot add a file; sent without it", "channel", m.Channel, "file", m.File.Name)
		}
		content := textsplit.Truncate(text, contentLimit)
		components := rows(m.Choices)
		_, err := a.api.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: m.Replace, Channel: m.Channel, Content: &content,
			Components: &components, AllowedMentions: noMentions()}, opt)
		return m.Replace, classify(err)
	}
	chunks := textsplit.Split(text, contentLimit)
	switch {
	case len(chunks) == 0 && m.File != nil:
		chunks = []string{""} // the file alone is a message
	case len(chunks) == 0:
		chunks = []string{"\u200b"}
	}
	// A reply in a thread goes into the thread's own channel; any other
	// thread is a message answered inline.
	a.mu.Lock()
	parent, isThread := a.parents[m.Thread]
	a.mu.Unlock()
	if m.Thread != "" && isThread && parent != "" {
		m.Channel, m.Thread = m.Thread, ""
	}
	var ref string
	for i, chunk := range chunks {
		send := &discordgo.MessageSend{Content: chunk, AllowedMentions: noMentions()}
		if i == len(chunks)-1 {
			send.Components = rows(m.Choices)
			if f := m.File; f != nil {
				// A fresh reader on every Send: a retried message is read again.
				send.Files = []*discordgo.File{{Name: f.Name, ContentType: f.MIME, Reader: bytes.NewReader(f.Data)}}
			}
		}
		if i == 0 && m.Thread != "" && m.Thread != m.Channel {
			no := false
			send.Reference = &discordgo.MessageReference{MessageID: m.Thread, ChannelID: m.Channel, FailIfNotExists: &no}
		}
		msg, err := a.api.ChannelMessageSendComplex(m.Channel, send, opt)
		if err != nil {
			return ref, classify(err)
		}
		ref = msg.ID
	}
	return ref, nil
}

// rows lays choices out as buttons, five to a row.
func rows(choices []bot.Choice) []discordgo.MessageComponent {
	out := []discordgo.MessageComponent{}
	for start := 0; start < len(choices) && len(out) < rowsLimit; start += buttonsPerRow {
		row := &discordgo.ActionsRow{}
		for _, c := range choices[start:min(start+buttonsPerRow, len(choices))] {
			style := discordgo.SecondaryButton
			switch c.Style {
			case bot.StylePrimary:
				style = discordgo.PrimaryButton
			case bot.StyleDanger:
				style = discordgo.DangerButton
			}
			row.Components = append(row.Components, discordgo.Button{Label: textsplit.Truncate(c.Label, labelLimit), Style: style, CustomID: c.ID})
		}
		out = append(out, row)
	}
	return out
}

// permanentCodes are Discord JSON error codes no retry will cure.
var permanentCodes = map[int]bool{
	10003: true, // unknown channel
	10008: true, // unknown message
	10013: true, // unknown user
	50001: true, // missing access
	50007: true, // cannot send messages to this user
	50013: true, // missing permissions
	50035: true, // invalid form body
	40005: true, // request entity too large (a file over the upload limit)
	50006: true, // cannot send an empty message
}

// classify turns a REST failure into the bot's: a 429 discordgo gave up on
// into a retry after Discord's retry_after, a hopeless one into a
// permanent error.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch {
		case re.Response.StatusCode == http.StatusTooManyRequests:
			after := time.Second
			var tm discordgo.TooManyRequests
			if json := re.ResponseBody; len(json) > 0 && tm.UnmarshalJSON(json) == nil && tm.RetryAfter > 0 {
				after = tm.RetryAfter
			}
			return &bot.RetryAfterError{After: after, Err: err}
		case re.Message != nil && permanentCodes[re.Message.Code]:
			return bot.Permanent(err)
		case re.Response.StatusCode == http.StatusNotFound || re.Response.StatusCode == http.StatusForbidden:
			return bot.Permanent(err)
		}
	}
	return fmt.Errorf("discord: %w", err)
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
	c, err := a.api.UserChannelCreate(user, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: open DM: %w", classify(err))
	}
	a.mu.Lock()
	a.dms[user] = c.ID
	a.direct[c.ID] = true
	a.mu.Unlock()
	return c.ID, nil
}

// FindSent looks for a message the bot posted where m goes (its thread's
// channel, or its channel, or the direct conversation) after the message
// after. Snowflakes grow with time across channels, so "after" holds in a
// thread too.
func (a *Adapter) FindSent(ctx context.Context, m bot.Message, after string) (string, bool, error) {
	if user, ok := bot.DMUser(m.Channel); ok {
		ch, err := a.OpenDM(ctx, user)
		if err != nil {
			return "", false, err
		}
		m.Channel = ch
	}
	target := m.Channel
	a.mu.Lock()
	if parent, isThread := a.parents[m.Thread]; m.Thread != "" && isThread && parent != "" {
		target = m.Thread
	}
	a.mu.Unlock()
	// After a known message: the next ones; else the newest hundred.
	page, err := a.api.ChannelMessages(target, 100, "", after, "", discordgo.WithContext(ctx))
	if err != nil {
		return "", false, classify(err)
	}
	newest := ""
	for _, msg := range page {
		if msg.Author != nil && msg.Author.ID == a.BotUserID() && (newest == "" || snowflakeLess(newest, msg.ID)) {
			newest = msg.ID // the last part of a message sent in several
		}
	}
	return newest, newest != "", nil
}

// AddReaction adds an emoji (a character, or name:id for a custom one).
func (a *Adapter) AddReaction(ctx context.Context, channel, messageRef, emoji string) error {
	return classify(a.api.MessageReactionAdd(channel, messageRef, emoji, discordgo.WithContext(ctx)))
}

// Reactions reads every user's reactions on a message as Discord shows
// them now: the message's emoji, then each emoji's users, page by page.
func (a *Adapter) Reactions(ctx context.Context, channel, messageRef string) ([]bot.Reaction, error) {
	opt := discordgo.WithContext(ctx)
	msg, err := a.api.ChannelMessage(channel, messageRef, opt)
	if err != nil {
		return nil, classify(err)
	}
	var out []bot.Reaction
	for _, r := range msg.Reactions {
		if r == nil || r.Emoji == nil {
			continue
		}
		emoji := EmojiName(*r.Emoji)
		got := bot.Reaction{Emoji: emoji}
		after := ""
		for {
			users, err := a.api.MessageReactions(channel, messageRef, emoji, 100, "", after, opt)
			if err != nil {
				return nil, classify(err)
			}
			for _, u := range users {
				got.Users = append(got.Users, u.ID)
				after = u.ID
			}
			if len(users) < 100 {
				break
			}
		}
		out = append(out, got)
	}
	return out, nil
}

// Replies reads the messages of a thread (a thread is a channel whose ID is
// that of the message it was started from), oldest first.
func (a *Adapter) Replies(ctx context.Context, channel, threadRef string) ([]bot.Event, error) {
	opt := discordgo.WithContext(ctx)
	var out []bot.Event
	after := "0"
	for {
		page, err := a.api.ChannelMessages(threadRef, 100, "", after, "", opt)
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeUnknownChannel {
			return nil, nil // no one started a thread on the message
		}
		if err != nil {
			return nil, classify(err)
		}
		sort.Slice(page, func(i, j int) bool { return snowflakeLess(page[i].ID, page[j].ID) })
		for _, m := range page {
			after = m.ID
			if ev, ok := a.fromMessage(m); ok {
				ev.Thread = threadRef
				out = append(out, ev)
			}
		}
		if len(page) < 100 {
			return out, nil
		}
	}
}
