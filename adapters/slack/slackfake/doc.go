// Package slackfake is a fake Slack for tests: a local httptest server that
// speaks Slack's Web API and Socket Mode wire protocols well enough to drive
// the real slack-go v0.35.0 client, plus helpers for the Events API over
// HTTP (request signing).
//
// # Use
//
//	fake := slackfake.New(t, slackfake.Config{})      // closed by t.Cleanup
//	api := fake.Client()                               // or slack.New(token, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(…))
//	sm := socketmode.New(api, socketmode.OptionPingInterval(2*time.Second))
//	go sm.RunContext(ctx)
//	fake.WaitConnected(1, time.Second)
//	id := fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{User: "U1", Text: "hei"}))
//	payload, ok := fake.WaitAck(id, time.Second)
//	posts, ok := fake.WaitPosts(1, time.Second)
//
// # Web API
//
// Served under APIURL() ("http://host/api/"). Requests are form posts (or
// JSON); the token comes from the form's token field or an
// "Authorization: Bearer" header. A missing token answers not_authed, an
// unknown one invalid_auth, the wrong kind (xapp- for a bot method or the
// reverse) not_allowed_token_type. Bot-token responses carry X-OAuth-Scopes;
// a method whose scope is missing answers missing_scope. Implemented:
// auth.test, apps.connections.open, chat.postMessage, chat.update,
// conversations.open, conversations.replies, files.getUploadURLExternal,
// files.completeUploadExternal, reactions.add, reactions.remove,
// reactions.get, users.info, views.publish; any other method answers
// unknown_method.
//
// File uploads follow Slack's external upload flow:
// files.getUploadURLExternal (filename, length) answers an upload_url on the
// fake's own server (slack-go sends its token only to the API URL's host)
// and a file_id; a POST of the bytes there, raw or multipart, answers
// "OK - <length>"; files.completeUploadExternal (files, channel_id or
// channels, initial_comment or blocks, thread_ts) shares them in a message
// and answers {"files":[{"id","title"}]}. Uploads lists what was shared.
//
// The fake keeps a small workspace: users (AddUser), known channels
// (Config.Channels, AddChannel, DMs opened by conversations.open or a
// chat.postMessage to a user ID, channels of stored messages) and messages
// (posted by the bot, AddMessage, or carried by message events sent with
// SendEvent). Posting to an unknown channel answers channel_not_found;
// chat.update, reactions.* and conversations.replies need a stored message
// (message_not_found / thread_not_found). Timestamps come from one counter:
// "1700000000.000100", "1700000000.000200", …
//
// conversations.replies returns the thread root first, then the replies in
// ts order, limit at a time, with has_more and
// response_metadata.next_cursor; the root is on the first page only
// (whether Slack repeats it on later pages is not verified, so clients
// should de-duplicate by ts). reactions.get returns every reacting user
// whether or not full=true is sent.
//
// # Socket Mode
//
// apps.connections.open (app token) returns a fresh single-use URL
// ws://host/socket?ticket=…. On connect the fake sends a hello frame shaped
// like Slack's and WebSocket PINGs every Config.PingInterval (slack-go drops
// a connection that gets none within its OptionPingInterval). Envelopes from
// SendEvent go to an open connection, or wait in order until one opens, so
// nothing sent while the client reconnects is lost; an envelope written to a
// connection that then dies is lost unless Config.RedeliverAfter re-sends
// unacknowledged envelopes, as Slack does. Disconnect sends a disconnect
// frame (slack-go reconnects through apps.connections.open);
// DropConnections cuts connections without one.
//
// # Payloads
//
// The builders (MessageEvent, AppMentionEvent, ReactionEvent,
// BlockActionsPayload, SlashCommandPayload) start from the real payloads in
// PayloadDir() (shared/payloads/slack) and substitute IDs, text and
// timestamps, keeping the recorded key order, so the bytes look like
// Slack's. HTTPBody converts a payload to what Slack POSTs over HTTP, and
// NewEventsRequest signs it (Sign) for an Events API handler.
//
// All Server methods are safe for concurrent use; accessors return copies.
package slackfake
