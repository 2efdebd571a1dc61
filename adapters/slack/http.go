package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/kommune-dugnad/dugnad/bot"
)

// maxBody bounds what an Events API request may carry.
const maxBody = 1 << 20

// ackWithin is how long a request may take before Slack gives up on it
// (3 s) less a margin; an event not recorded by then is answered 500, and
// Slack's retry is recorded once.
const ackWithin = 2500 * time.Millisecond

// Handler serves the Events API over HTTP: /slack/events (event
// subscriptions, including Slack's url_verification), /slack/interactivity
// (button clicks) and /slack/commands (/dugnad). Every request is verified
// with the signing secret — HMAC over the raw body, within five minutes of
// its timestamp — before it is read; a bad one gets 401 and changes
// nothing. A retried delivery (X-Slack-Retry-Num) is recorded once. ctx
// bounds the work done for requests.
func (a *Adapter) Handler(ctx context.Context, sink bot.Sink) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		e, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
		if err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		if e.Type == slackevents.URLVerification {
			var v slackevents.ChallengeResponse
			if err := json.Unmarshal(body, &v); err != nil {
				http.Error(w, "bad challenge", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, v.Challenge)
			return
		}
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			a.log.Info("slack retried an event", "retry_num", n, "retry_reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		a.serve(ctx, w, sink, func(ctx context.Context) (bot.Event, bool, error) {
			ev, ok := a.fromEventsAPI(ctx, e)
			return ev, ok, nil
		})
	}))
	mux.HandleFunc("POST /slack/interactivity", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		ic, err := slack.InteractionCallbackParse(r)
		if err != nil {
			http.Error(w, "bad interaction", http.StatusBadRequest)
			return
		}
		a.serve(ctx, w, sink, func(context.Context) (bot.Event, bool, error) {
			ev, ok := a.fromInteraction(ic, ic.ActionTs)
			return ev, ok, nil
		})
	}))
	mux.HandleFunc("POST /slack/commands", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		sc, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "bad command", http.StatusBadRequest)
			return
		}
		a.serve(ctx, w, sink, func(ctx context.Context) (bot.Event, bool, error) { return a.fromSlashCommand(ctx, sc) })
	}))
	return mux
}

// verified reads the raw body and checks Slack's signature before the
// handler sees anything.
func (a *Adapter) verified(h func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err == nil {
			_, err = sv.Write(body)
		}
		if err == nil {
			err = sv.Ensure()
		}
		if err != nil {
			a.log.Warn("refused an unverified request", "path", r.URL.Path, "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		h(w, r, body)
	}
}

// serve records one event within Slack's deadline and answers 200, or 500
// so that Slack sends it again.
func (a *Adapter) serve(ctx context.Context, w http.ResponseWriter, sink bot.Sink, read func(context.Context) (bot.Event, bool, error)) {
	ctx, cancel := context.WithTimeout(ctx, ackWithin)
	defer cancel()
	ev, ok, err := read(ctx)
	if err == nil && ok {
		err = sink.Handle(ctx, ev)
	}
	if err != nil {
		a.log.Error("event not recorded; slack will retry", "event_id", ev.ID, "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}
