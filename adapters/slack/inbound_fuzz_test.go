package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/kommune-dugnad/dugnad/adapters/slack/slackfake"
	"github.com/kommune-dugnad/dugnad/bot"
)

// How a fuzzed payload reaches the adapter: as a Socket Mode frame, or as
// the body of a signed request to one of Handler's three endpoints.
const (
	viaSocketMode = iota
	viaEvents
	viaInteractivity
	viaCommands
	routes
)

var routePaths = [routes]string{viaEvents: "/slack/events", viaInteractivity: "/slack/interactivity", viaCommands: "/slack/commands"}

const (
	fuzzSecret  = "fuzz-signing-secret"
	fuzzBotUser = "U111" // the bot the real payloads in testdata mention
)

// FuzzInbound feeds Slack payloads to the adapter the two ways they come:
// Socket Mode frames, decoded as slack-go's socketmode client decodes them
// and translated as runSocketMode does; and Events API requests, signed,
// through Handler. The seeds in testdata/fuzz/FuzzInbound are the real
// payloads of shared/payloads/slack beside the repository, a few edited to
// reach the bot's buttons, DMs and App Home.
//
// Nothing panics; a request signed with another secret is refused and
// records nothing; a signed one is answered 200, 400 or 413 and records at
// most one event; every event recorded has an ID, the Slack platform and
// a known kind, is not the bot's own message or reaction, has a thread
// other than itself, and carries valid UTF-8 wherever the payload was
// valid UTF-8.
func FuzzInbound(f *testing.F) {
	f.Add(uint8(viaEvents), []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`))
	f.Fuzz(func(t *testing.T, via uint8, body []byte) {
		via %= routes
		a := newAdapter(Config{SigningSecret: fuzzSecret}, nil, fuzzAPI{})
		a.botUserID, a.teamID = fuzzBotUser, "T111"
		sink := &fuzzSink{}
		if via == viaSocketMode {
			if ev, ok, err := socketModeEvent(t.Context(), a, body); err == nil && ok {
				sink.events = append(sink.events, ev)
			}
		} else {
			serveSigned(t, a, sink, routePaths[via], body)
		}
		if len(sink.events) > 1 {
			t.Fatalf("one payload recorded %d events", len(sink.events))
		}
		for _, ev := range sink.events {
			checkEvent(t, ev, via != viaCommands || formIsUTF8(body))
		}
	})
}

// socketModeEvent decodes a Socket Mode frame the way slack-go's
// socketmode client does (socket_mode_managed_conn.go, parseEvent) and
// translates it the way runSocketMode does (socketEvent).
func socketModeEvent(ctx context.Context, a *Adapter, frame []byte) (bot.Event, bool, error) {
	var req socketmode.Request
	if err := json.Unmarshal(frame, &req); err != nil {
		return bot.Event{}, false, err
	}
	switch req.Type {
	case socketmode.RequestTypeEventsAPI:
		e, err := slackevents.ParseEvent(req.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			return bot.Event{}, false, err
		}
		ev, ok := a.fromEventsAPI(ctx, e)
		return ev, ok, nil
	case socketmode.RequestTypeSlashCommands:
		var sc slack.SlashCommand
		if err := json.Unmarshal(req.Payload, &sc); err != nil {
			return bot.Event{}, false, err
		}
		return a.fromSlashCommand(ctx, sc)
	case socketmode.RequestTypeInteractive:
		var ic slack.InteractionCallback
		if err := json.Unmarshal(req.Payload, &ic); err != nil {
			return bot.Event{}, false, err
		}
		ev, ok := a.fromInteraction(ic, req.EnvelopeID)
		return ev, ok, nil
	}
	return bot.Event{}, false, nil
}

// serveSigned sends body to Handler at path twice: signed with another
// secret, which must be refused, and signed properly.
func serveSigned(t *testing.T, a *Adapter, sink *fuzzSink, path string, body []byte) {
	t.Helper()
	h := a.Handler(t.Context(), sink)
	do := func(secret string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, bytes.NewReader(body))
		if path == routePaths[viaEvents] {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		ts, sig := slackfake.Sign(secret, body, time.Now())
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("another secret"); rec.Code != http.StatusUnauthorized || len(sink.events) > 0 {
		t.Fatalf("%s with a forged signature: %d, %d events", path, rec.Code, len(sink.events))
	}
	rec := do(fuzzSecret)
	switch rec.Code {
	case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
	}
	if rec.Code != http.StatusOK && len(sink.events) > 0 {
		t.Fatalf("%s: %d, yet an event was recorded", path, rec.Code)
	}
}

var eventKinds = map[bot.Kind]bool{bot.KindMessage: true, bot.KindChoice: true, bot.KindReactionAdded: true,
	bot.KindReactionRemoved: true, bot.KindCommand: true, bot.KindHome: true}

func checkEvent(t *testing.T, ev bot.Event, validInput bool) {
	t.Helper()
	if ev.ID == "" || ev.Platform != bot.Slack || !eventKinds[ev.Kind] {
		t.Fatalf("event %+v: want an ID, platform %q and a known kind", ev, bot.Slack)
	}
	switch ev.Kind {
	case bot.KindMessage, bot.KindReactionAdded, bot.KindReactionRemoved, bot.KindHome:
		if ev.User == "" || ev.User == fuzzBotUser {
			t.Errorf("%s event by user %q", ev.Kind, ev.User)
		}
	}
	if ev.Thread != "" && ev.Thread == ev.MessageRef {
		t.Errorf("event %+v is its own thread", ev)
	}
	if !validInput {
		return
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

// formIsUTF8 reports whether every name and value of a form body decodes
// to valid UTF-8 (percent-encoding can spell any bytes).
func formIsUTF8(body []byte) bool {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return false
	}
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

// fuzzAPI answers users.info, the only Web API call translating an event
// makes (a DM's author's name); any other call panics on the nil webAPI.
type fuzzAPI struct{ webAPI }

func (fuzzAPI) GetUserInfoContext(_ context.Context, user string, _ ...slack.GetUserInfoOption) (*slack.User, error) {
	if strings.HasPrefix(user, "UERR") {
		return nil, errors.New("user_not_found")
	}
	return &slack.User{ID: user, RealName: "Kari " + user, Profile: slack.UserProfile{DisplayName: strings.ToLower(user)}}, nil
}

type fuzzSink struct{ events []bot.Event }

func (s *fuzzSink) Handle(_ context.Context, ev bot.Event) error {
	s.events = append(s.events, ev)
	return nil
}

func (s *fuzzSink) Flush(context.Context, string) error { return nil }
