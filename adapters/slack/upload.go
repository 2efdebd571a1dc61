package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/kommune-dugnad/dugnad/bot"
)

// commentLimit is the most characters of a message's text sent as a file's
// initial comment: Slack's limit on a message's text (it truncates longer
// text; api.slack.com/methods/chat.postMessage, "Truncating content").
const commentLimit = 40000

// sendFile shares m.File in m.Channel (a channel ID: Send has opened a DM
// already) with Slack's external upload flow, which slack-go's
// UploadFileContext runs in three calls: files.getUploadURLExternal (name,
// length) → POST of the bytes to the upload URL it returned →
// files.completeUploadExternal (file ID and title, channel_id, thread_ts,
// and comment as initial_comment: the message's text, which Send has
// escaped as in every post and cut to commentLimit).
// A failure in any of them is classified like a post, so a 429 becomes a
// *bot.RetryAfterError and the whole flow runs again later: a file
// uploaded but never completed is not shown by Slack, so nothing appears
// twice.
//
// An upload carries no buttons: completeUploadExternal takes either an
// initial comment or blocks, and the blocks are for rich text. Choices on a
// message with a file are therefore not sent on Slack.
//
// It returns the file's ID: completeUploadExternal answers with the files,
// not with the message that shares them (Slack shares a file
// asynchronously, and finding that message's ts would need files.info and
// the files:read scope), so the file ID is the only reference Slack gives.
// Reactions on it (Message.React) will fail and be logged by the bot.
func (a *Adapter) sendFile(ctx context.Context, m bot.Message, comment string) (string, error) {
	f := m.File
	if f.Name == "" || len(f.Data) == 0 {
		// slack-go refuses both before calling Slack; no retry can help.
		return "", bot.Permanent(fmt.Errorf("slack: file %q of %d bytes: a file needs a name and content", f.Name, len(f.Data)))
	}
	if len(m.Choices) > 0 {
		a.log.Warn("a message with a file is sent without its buttons", "channel", m.Channel, "file", f.Name)
	}
	title := f.Title
	if title == "" {
		title = f.Name
	}
	file, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:          bytes.NewReader(f.Data), // a fresh reader for each attempt
		FileSize:        len(f.Data),
		Filename:        f.Name,
		Title:           title,
		InitialComment:  comment,
		Channel:         m.Channel,
		ThreadTimestamp: m.Thread,
	})
	if err != nil {
		return "", fmt.Errorf("slack: upload %s: %w", f.Name, classify(err))
	}
	if file == nil || file.ID == "" {
		return "", errors.New("slack: upload " + f.Name + ": Slack answered without the file")
	}
	return file.ID, nil
}
