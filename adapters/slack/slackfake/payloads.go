package slackfake

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kommune-dugnad/dugnad/internal/jsonobj"
	"github.com/kommune-dugnad/dugnad/internal/payloads"
)

// The recorded payload files the event builders start from.
const (
	fileMessage      = "socket_mode_events_api_message.json"     // envelope; its payload is used
	fileAppMention   = "socket_mode_events_api_app_mention.json" // envelope; its payload is used
	fileReaction     = "events_api_reaction_added.json"          // Events API body
	fileBlockActions = "interactive_block_actions_message_button.json"
	fileSlashCommand = "socket_mode_slash_commands.json" // envelope; its payload is used
)

// PayloadDir returns the directory holding the real Slack payloads
// (shared/payloads/slack, beside the repository checkout).
func PayloadDir() string { return payloads.Dir("slack") }

// templates holds the raw bytes of the payload files, read once by New.
type templates struct {
	message, appMention, reaction, blockActions, slashCommand []byte
}

func loadTemplates() (templates, error) {
	dir := PayloadDir()
	read := func(name string, envelope bool) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("slackfake: read payload template: %w", err)
		}
		if !envelope {
			return b, nil
		}
		var env struct {
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(b, &env); err != nil || len(env.Payload) == 0 {
			return nil, fmt.Errorf("slackfake: payload template %s: no envelope payload (%v)", name, err)
		}
		return env.Payload, nil
	}
	var t templates
	var err error
	if t.message, err = read(fileMessage, true); err != nil {
		return t, err
	}
	if t.appMention, err = read(fileAppMention, true); err != nil {
		return t, err
	}
	if t.reaction, err = read(fileReaction, false); err != nil {
		return t, err
	}
	if t.blockActions, err = read(fileBlockActions, false); err != nil {
		return t, err
	}
	if t.slashCommand, err = read(fileSlashCommand, true); err != nil {
		return t, err
	}
	return t, nil
}

// tmpl parses a fresh, mutable copy of a template. The templates are checked
// by New, so a failure here is a bug.
func tmpl(b []byte) *jsonobj.Object {
	o, err := jsonobj.ParseObject(b)
	if err != nil {
		panic(fmt.Sprintf("slackfake: parse template: %v", err))
	}
	return o
}
