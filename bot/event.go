// Package bot is the hub between the platforms and the work of phase 3: it
// owns the neutral event and message types, the adapter port, the routing
// of every inbound event (exactly once) to the handler, role lookup, and the
// delivery of outgoing messages through the store's outbox.
//
// Adapters import bot; bot imports store; intake implements Handler.
package bot

import (
	"strings"
	"time"
)

// Platform names.
const (
	Console = "console"
	Slack   = "slack"
	Discord = "discord"
)

// Kind is what happened on the platform.
type Kind string

const (
	// KindMessage is a message written by a user.
	KindMessage Kind = "message"
	// KindChoice is a button pressed, or a numbered option picked.
	KindChoice Kind = "choice"
	// KindReactionAdded and KindReactionRemoved are emoji reactions on a message.
	KindReactionAdded   Kind = "reaction_added"
	KindReactionRemoved Kind = "reaction_removed"
	// KindCommand is a command (/dugnad mine, or a typed command word).
	KindCommand Kind = "command"
	// KindHome is a user opening the bot's home view (Slack's App Home).
	KindHome Kind = "home"
)

// Event is one thing a user did on a platform, in terms the bot
// understands. Adapters fill it from the platform's payload.
type Event struct {
	// ID is the platform's own ID for the event (Slack event_id, a
	// Discord message or interaction ID, …). An event with an ID seen
	// before on the same platform has no effect.
	ID       string
	Platform string
	// Workspace is the Slack team, the Discord server ("" in a Discord
	// DM), or the console's plan key.
	Workspace string
	Channel   string
	DM        bool
	// Thread is the reference of the thread's root message when the event
	// happened in a thread; empty at top level.
	Thread string
	// MessageRef is the message this event is (KindMessage) or acts on
	// (KindChoice, reactions).
	MessageRef string
	User       string // the platform user who caused the event
	UserName   string // their display name, when the platform says
	Kind       Kind
	Text       string // KindMessage: the text; KindCommand: the arguments
	Command    string // KindCommand: the command word as written
	Choice     string // KindChoice: the chosen option's ID
	Emoji      string // reactions: the emoji's name or character
	// Mention is true when a channel message addresses the bot by name.
	Mention bool
	// Origin is, for KindChoice on platforms that can edit messages, the
	// message the choice was made in, as it was shown. The bot then
	// updates that message to show what was picked, without buttons, so
	// a choice cannot be made twice by accident.
	Origin *Message
	At     time.Time
}

// Message is something the bot says. Text is plain text: adapters escape it
// for their platform, so nothing in it (a user's words shown back
// included) can ping anyone or inject markup.
type Message struct {
	Platform string   `json:"platform"`
	Channel  string   `json:"channel"`
	Thread   string   `json:"thread,omitempty"`
	Text     string   `json:"text"`
	Choices  []Choice `json:"choices,omitempty"`
	// Replace names a message the bot sent earlier to update in place,
	// for platforms that can (a button row answered, for example).
	Replace string `json:"replace,omitempty"`
	// File is a document sent with the message (a digest), as an upload
	// on Slack, an attachment on Discord, a file on disk on the console.
	File *File `json:"file,omitempty"`
	// React lists emoji the adapter adds to the message after posting it
	// (a hearing's vote reactions), where the platform has reactions.
	React []string `json:"react,omitempty"`
	// Correlation ties the message to what sent it (say "invite:12"),
	// so that its delivery can be followed (see DeliveryWatcher).
	Correlation string `json:"correlation,omitempty"`
}

// DMTo names, as a Message's Channel, the direct conversation with a user
// of the message's platform; the adapter opens it when it sends. Use it
// to write to someone who has not written to the bot.
func DMTo(user string) string { return "@" + user }

// HomeOf names, as a Message's Channel, a user's home view on platforms
// that have one (Slack's App Home): the message replaces what it shows.
func HomeOf(user string) string { return "home:" + user }

// HomeUser returns the user a HomeOf channel names.
func HomeUser(channel string) (string, bool) {
	user, ok := strings.CutPrefix(channel, "home:")
	return user, ok && user != ""
}

// DMUser returns the user a DMTo channel names.
func DMUser(channel string) (string, bool) {
	if len(channel) > 1 && channel[0] == '@' {
		return channel[1:], true
	}
	return "", false
}

// Choice is an option the user can pick: a button on Slack and Discord, a
// numbered line in the console.
type Choice struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Style Style  `json:"style,omitempty"`
}

// Style hints how prominent a choice is.
type Style string

const (
	StylePlain   Style = ""
	StylePrimary Style = "primary"
	StyleDanger  Style = "danger"
)

// File is a document attached to a message.
type File struct {
	Name  string `json:"name"`            // file name, with extension: "digest-fjordvik.html"
	Title string `json:"title,omitempty"` // shown instead of the name where the platform can
	MIME  string `json:"mime"`            // "text/html; charset=utf-8"
	Data  []byte `json:"data"`
}
