package discordfake

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
	"github.com/kommune-dugnad/dugnad/internal/payloads"
)

// The recorded payload files the fake's frames and builders start from.
const (
	fileHello          = "gateway_hello.json"
	fileReady          = "gateway_ready.json"
	fileHeartbeatAck   = "gateway_heartbeat_ack.json"
	fileInvalidSession = "gateway_invalid_session.json"
	fileReconnect      = "gateway_reconnect.json"
	fileMessageCreate  = "gateway_message_create_guild.json"
	fileMessageReply   = "gateway_message_create_reply.json"
	fileReactionAdd    = "gateway_message_reaction_add.json"
	fileReactionCustom = "gateway_message_reaction_add_custom_emoji_d.json" // only the d object
	fileReactionRemove = "gateway_message_reaction_remove.json"
	fileSlashCommand   = "gateway_interaction_create_slash.json"
	fileSlashDocs      = "interaction_slash_command_docs.json" // only the interaction (d)
	fileButton         = "interaction_button_docs.json"        // only the interaction (d)
)

// PayloadDir returns the directory holding the real Discord payloads
// (shared/payloads/discord, beside the repository checkout).
func PayloadDir() string { return payloads.Dir("discord") }

// templates holds the payload files, read and checked once by New. Gateway
// frames are kept whole (the control frames are sent byte for byte); for
// dispatches and interactions only the d object is kept.
type templates struct {
	hello, heartbeatAck, invalidSession, reconnect []byte // whole frames
	ready, messageCreate, messageReply             []byte // d objects
	reactionAdd, reactionCustom, reactionRemove    []byte
	slashCommand, slashDocs, button                []byte
}

func loadTemplates() (templates, error) {
	dir := PayloadDir()
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("discordfake: read payload template: %w", err)
		}
		if _, err := jsonobj.ParseObject(b); err != nil {
			return nil, fmt.Errorf("discordfake: payload template %s: %w", name, err)
		}
		return b, nil
	}
	readD := func(name string) ([]byte, error) {
		b, err := read(name)
		if err != nil {
			return nil, err
		}
		var f struct {
			D json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(b, &f); err != nil || len(f.D) == 0 || f.D[0] != '{' {
			return nil, fmt.Errorf("discordfake: payload template %s: no d object (%v)", name, err)
		}
		return f.D, nil
	}
	var t templates
	var err error
	for _, f := range []struct {
		dst  *[]byte
		name string
		d    bool
	}{
		{&t.hello, fileHello, false},
		{&t.heartbeatAck, fileHeartbeatAck, false},
		{&t.invalidSession, fileInvalidSession, false},
		{&t.reconnect, fileReconnect, false},
		{&t.ready, fileReady, true},
		{&t.messageCreate, fileMessageCreate, true},
		{&t.messageReply, fileMessageReply, true},
		{&t.reactionAdd, fileReactionAdd, true},
		{&t.reactionCustom, fileReactionCustom, false},
		{&t.reactionRemove, fileReactionRemove, true},
		{&t.slashCommand, fileSlashCommand, true},
		{&t.slashDocs, fileSlashDocs, false},
		{&t.button, fileButton, false},
	} {
		if f.d {
			*f.dst, err = readD(f.name)
		} else {
			*f.dst, err = read(f.name)
		}
		if err != nil {
			return t, err
		}
	}
	return t, nil
}

// tmpl parses a fresh, mutable copy of a template. The templates are checked
// by New, so a failure here is a bug.
func tmpl(b []byte) *jsonobj.Object {
	o, err := jsonobj.ParseObject(b)
	if err != nil {
		panic(fmt.Sprintf("discordfake: parse template: %v", err))
	}
	return o
}
