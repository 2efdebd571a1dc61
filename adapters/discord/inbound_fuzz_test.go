package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/kommune-dugnad/dugnad/bot"
)

// fuzzBot is the bot's user ID in FuzzGateway; a seed mentions it.
const fuzzBot = "1190000000000000999"

// FuzzGateway feeds gateway frames to the adapter's dispatch handler
// (onEvent) as discordgo hands them over, and checks the neutral events
// that reach the sink. The seeds in testdata/fuzz/FuzzGateway are the real
// payloads of shared/payloads/discord beside the repository (those that
// are only a dispatch's data wrapped in its frame), a few edited to reach
// /dugnad and a mention of the bot, and the crashers found.
//
// Nothing panics; every event has an ID, the Discord platform and a known
// kind; no message or reaction is the bot's own; text is valid UTF-8 (the
// JSON decoder makes every string so, and the adapter must not cut one);
// and every interaction is answered without allowing mentions.
func FuzzGateway(f *testing.F) {
	f.Fuzz(func(t *testing.T, frame []byte) {
		api := &fuzzREST{}
		events := dispatch(t.Context(), api, frame)
		if len(events) > 1 {
			t.Fatalf("one dispatch gave %d events", len(events))
		}
		for _, ev := range events {
			if ev.ID == "" || ev.Platform != bot.Discord || !eventKinds[ev.Kind] {
				t.Fatalf("event %+v: want an ID, platform %q and a known kind", ev, bot.Discord)
			}
			switch ev.Kind {
			case bot.KindMessage, bot.KindReactionAdded, bot.KindReactionRemoved:
				if ev.User == fuzzBot {
					t.Errorf("the bot's own %s: %+v", ev.Kind, ev)
				}
			}
			texts := []string{ev.ID, ev.Workspace, ev.Channel, ev.Thread, ev.MessageRef, ev.User, ev.UserName,
				ev.Text, ev.Command, ev.Choice, ev.Emoji}
			if o := ev.Origin; o != nil {
				texts = append(texts, o.Text)
				for _, c := range o.Choices {
					texts = append(texts, c.ID, c.Label)
				}
			}
			for _, s := range texts {
				if !utf8.ValidString(s) {
					t.Errorf("event %+v: %q is not valid UTF-8", ev, s)
				}
			}
		}
		for _, r := range api.responses {
			if d := r.Data; d != nil && (d.AllowedMentions == nil || d.AllowedMentions.Parse == nil || len(d.AllowedMentions.Parse) > 0) {
				t.Errorf("interaction answered allowing mentions: %+v", d.AllowedMentions)
			}
		}
	})
}

var eventKinds = map[bot.Kind]bool{bot.KindMessage: true, bot.KindChoice: true, bot.KindReactionAdded: true,
	bot.KindReactionRemoved: true, bot.KindCommand: true}

// dispatch decodes frame as discordgo v0.29.0 does (wsapi.go, onEvent):
// the first JSON value is the frame; only op 0 is a dispatch; its data is
// decoded into the struct registered for its type and handed on even when
// that fails part way. It then runs the adapter's handler for it and
// returns the events recorded.
func dispatch(ctx context.Context, api *fuzzREST, frame []byte) []bot.Event {
	var e *discordgo.Event
	if err := json.NewDecoder(bytes.NewReader(frame)).Decode(&e); err != nil || e == nil || e.Operation != 0 {
		return nil
	}
	switch e.Type {
	case "READY":
		e.Struct = &discordgo.Ready{}
	case "RESUMED":
		e.Struct = &discordgo.Resumed{}
	case "MESSAGE_CREATE":
		e.Struct = &discordgo.MessageCreate{}
	case "MESSAGE_REACTION_ADD":
		e.Struct = &discordgo.MessageReactionAdd{}
	case "MESSAGE_REACTION_REMOVE":
		e.Struct = &discordgo.MessageReactionRemove{}
	case "INTERACTION_CREATE":
		e.Struct = &discordgo.InteractionCreate{}
	default:
		return nil // the adapter handles no other dispatch
	}
	_ = json.Unmarshal(e.RawData, e.Struct)

	a := newAdapter(Config{}, nil, api)
	sink := &fuzzSink{}
	a.mu.Lock()
	a.botUserID, a.sessionID = fuzzBot, "fuzz-session"
	a.sink, a.runCtx, a.pool = sink, ctx, bot.NewPool(1, 1)
	a.mu.Unlock()
	a.onEvent(e)
	a.pool.Close()
	a.workers.Wait()
	return sink.events
}

// fuzzREST answers the REST calls translating an event makes: a channel's
// type (by its ID's last digit: 1 a thread, 2 a DM, 3 unknown, else a
// server channel) and an interaction's response. Any other call panics on
// the nil restAPI.
type fuzzREST struct {
	restAPI
	mu        sync.Mutex
	responses []*discordgo.InteractionResponse
}

func (*fuzzREST) Channel(id string, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	switch {
	case id == "" || strings.HasSuffix(id, "3"):
		return nil, errors.New("unknown channel")
	case strings.HasSuffix(id, "1"):
		return &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeGuildPublicThread, ParentID: "1190000000000000200"}, nil
	case strings.HasSuffix(id, "2"):
		return &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeDM}, nil
	}
	return &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeGuildText}, nil
}

func (r *fuzzREST) InteractionRespond(_ *discordgo.Interaction, resp *discordgo.InteractionResponse, _ ...discordgo.RequestOption) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.responses = append(r.responses, resp)
	return nil
}

type fuzzSink struct {
	mu     sync.Mutex
	events []bot.Event
}

func (s *fuzzSink) Handle(_ context.Context, ev bot.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, ev)
	return nil
}

func (s *fuzzSink) Flush(context.Context, string) error { return nil }
