// Package discordfake is a fake Discord for tests: a local httptest server
// that speaks Discord's REST API (v9) and gateway WebSocket protocol well
// enough to drive the real discordgo v0.29.0 client.
//
// # Use
//
//	fake := discordfake.New(t, discordfake.Config{HeartbeatInterval: 100 * time.Millisecond}) // closed by t.Cleanup
//	s, _ := discordgo.New("Bot " + fake.Config().Token)
//	s.Client = fake.HTTPClient()     // rewrites https://discord.com/… to the fake
//	s.Identify.Intents = discordfake.DefaultIntents
//	s.SyncEvents, s.ShouldReconnectOnError = true, true
//	s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) { … })
//	_ = s.Open()
//	t.Cleanup(func() { discordfake.CloseSession(s) }) // runs before the fake's cleanup
//	fake.Dispatch(discordfake.EventMessageCreate, fake.MessageCreate(discordfake.MessageParams{Content: "hei"}))
//	sends, ok := fake.WaitSends(1, time.Second)
//
// fake.Session() does the wiring above in one call. HTTPClient leaves
// discordgo's Endpoint* globals alone, so tests can run in parallel. For a
// proxy-style setting (DUGNAD_DISCORD_API_URL) APIURL returns
// "http://127.0.0.1:port/api/v9/": the fake answers under /api/v9/ however
// the request got there. Close discordgo sessions with CloseSession: plain
// Session.Close can race with discordgo's heartbeat goroutine and bring the
// session back (see CloseSession).
//
// # REST
//
// Every response is JSON with the X-RateLimit-Limit/-Remaining/-Reset/
// -Reset-After/-Bucket headers (Config.BucketLimit, BucketWindow). Calls
// need "authorization: Bot <token>" (else 401 {"message":"401:
// Unauthorized","code":0}), except GET /gateway and the interaction and
// webhook routes, where the token in the path authenticates. Errors carry
// Discord's codes: 10003 Unknown Channel, 10008 Unknown Message, 10015
// Unknown Webhook, 10062 Unknown interaction, 40060 already acknowledged,
// 50005 editing another user's message, 50006 empty message, 50035 Invalid
// Form Body (content over 2000 characters, malformed components,
// allowed_mentions parse/users conflicts, limit outside 1–100, invalid
// command names), 40005 Request entity too large (files over
// Config.MaxUploadSize). Routes:
//
//	GET    /gateway, /gateway/bot                  {"url":"ws://host/gateway"}
//	GET    /users/@me, /users/{id}
//	POST   /users/@me/channels                     the bot's DM with recipient_id, stable per user
//	GET    /channels/{c}
//	POST   /channels/{c}/messages                  JSON, or multipart (payload_json + files[n]); recorded in Sends
//	GET    /channels/{c}/messages                  ?limit (≤100, default 50) &before &after &around
//	GET    /channels/{c}/messages/{m}              with the reactions summary
//	PATCH  /channels/{c}/messages/{m}              the bot's own messages; recorded in Edits
//	DELETE /channels/{c}/messages/{m}
//	PUT    /channels/{c}/messages/{m}/reactions/{emoji}/@me   204; recorded in ReactionCalls
//	DELETE /channels/{c}/messages/{m}/reactions/{emoji}/@me
//	GET    /channels/{c}/messages/{m}/reactions/{emoji}       users by ID, ?after &limit (≤100, default 25)
//	POST   /channels/{c}/messages/{m}/threads, /channels/{c}/threads
//	POST   /interactions/{id}/{token}/callback     204 within Config.InteractionDeadline
//	POST   /webhooks/{app}/{token}                 follow-up (?wait=true returns the message)
//	GET    /webhooks/{app}/{token}/messages/{m|@original}
//	PATCH  /webhooks/{app}/{token}/messages/{m|@original}
//	GET/PUT/POST /applications/{app}/commands, /applications/{app}/guilds/{g}/commands
//
// Any other path under /api/v9/ answers 404 {"message":"404: Not Found","code":0}.
//
// Messages live in per-channel histories: the bot's sends, interaction
// responses and follow-ups, messages a test adds (AddMessage), and those
// carried by MESSAGE_CREATE dispatches. IDs are snowflakes minted from the
// current time, increasing. GET /channels/{c}/messages lists newest first;
// with after it returns the oldest messages after the ID (still newest
// first), so a client backfills by paging forward. REST messages have no
// guild_id, member or nonce (gateway-only fields, as on Discord).
//
// A multipart send carries its JSON in the payload_json part and each file
// in a files[n] part (discordgo's MessageSend.Files); the files become the
// message's "attachments" (id, filename, size, url, proxy_url,
// content_type) and are recorded, bytes and all, in Send.Files.
//
// Emoji in reaction paths are unicode (percent-encoded on the wire) or
// "name:id" for custom ones. SetReactions sets who reacted; reaction
// dispatches and the bot's PUTs change it too.
//
// An interaction can be answered once (a second callback gets 40060) and
// only within Config.InteractionDeadline of its dispatch (later: 10062).
// Response type 4 posts a message in the channel, 5 a "thinking" one that
// PATCH …/@original fills in, 7 updates the message holding the component;
// ephemeral messages (flag 64) are not put in the channel history.
// Follow-ups and @original need an acknowledged interaction (else 10015)
// and work for 15 minutes.
//
// SetRateLimit answers a share of message sends (or of all calls) with 429;
// see RateLimit for the headers and for how discordgo reacts to them.
//
// # Gateway
//
// GET /gateway names ws://host/gateway; discordgo dials
// ws://host/gateway/?v=9&encoding=json. The fake sends text frames only.
// A connection gets op 10 HELLO (the recorded frame, heartbeat_interval from
// Config.HeartbeatInterval), every op 1 is answered with op 11 (unless
// SetHeartbeatAcks(false)), op 2 IDENTIFY starts a session with a fresh
// session_id and answers READY (s = 1) then, unless Config.NoGuildCreate,
// a GUILD_CREATE per guild. A bad token closes with 4004, a second
// IDENTIFY with 4005, an unknown opcode with 4001.
//
// Each session numbers its dispatches from 1 and keeps them. op 6 RESUME of
// a known session (unless InvalidateSession or Config.RefuseResumes)
// replays, in order, every dispatch after the client's seq, then sends
// RESUMED with the next sequence number; otherwise the fake sends op 9
// INVALID_SESSION d:false (the recorded frame) and forgets the session.
//
// Dispatch sends to the current session (the one last identified or
// resumed). While the client is disconnected the session keeps the events
// for the resume; if the resume is refused they are lost, as on Discord, and
// the client must backfill over REST, where MESSAGE_CREATEs are stored
// whether delivered or not. Before the first IDENTIFY, Dispatch drops
// events. Dispatch also filters by the session's intents, like Discord (see
// Config.IgnoreIntents).
//
// Drop cuts every connection without a close frame; RequestReconnect sends
// op 7; SendInvalidSession sends op 9 now. WaitConnected, WaitIdentified and
// WaitResumed wait for the client's reaction; Identifies, Resumes,
// ClientFrames and ClientCloses record what it sent.
//
// What discordgo v0.29.0 does with these (checked by this package's tests):
// it answers op 7 with a 1012 close and a RESUME on a new connection, a
// dropped connection with a RESUME, and op 9 (either d) with an IDENTIFY on
// the same connection. Open reads the frame after IDENTIFY or RESUME
// itself, so with SyncEvents the handlers of READY, and after a RESUME of
// the first replayed event, run inside Open while it holds the session's
// write lock (a handler calling a Session method that takes the lock, such
// as UpdateGameStatus, would deadlock). Every close, and so every
// reconnect, takes a second (CloseWithCode sleeps).
//
// # Payloads
//
// The builders (MessageCreate, ReactionAdd, ReactionRemove,
// ButtonInteraction, SlashCommand) start from the real payloads in
// PayloadDir() (shared/payloads/discord), keep their key order and
// substitute fresh snowflakes, tokens, channels, users and content. HELLO,
// READY, the heartbeat ACK, op 7 and op 9 come from the recorded frames.
//
// All Server methods are safe for concurrent use; accessors return copies.
// Close ends every goroutine the fake started.
package discordfake
