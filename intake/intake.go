// Package intake is the work of phase 3: it asks actors the guiding
// questions and files their answers as suggestions against the plan's
// strategies. It implements bot.Handler and never imports an adapter.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// Service handles the bot's events for phase 3.
type Service struct {
	log *slog.Logger
}

var _ bot.Handler = (*Service)(nil)

// New makes the phase-3 handler.
func New(log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{log: log}
}

// Handle does the work of one event inside its transaction.
func (s *Service) Handle(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	switch {
	case req.Kind == bot.KindReactionAdded, req.Kind == bot.KindReactionRemoved:
		if req.DM {
			return nil, nil
		}
		return s.reaction(ctx, tx, req)
	case req.Kind == bot.KindMessage && !req.DM:
		if cmd, arg, ok := parseCommand(req.Text); ok && req.Mention {
			// "@Dugnad hjelp" in a channel is a command.
			req.Kind, req.Command, req.Text = bot.KindCommand, string(cmd), arg
			break
		}
		return s.channelMessage(ctx, tx, req)
	}
	if req.Plan == nil {
		if !req.DM && req.Kind != bot.KindCommand {
			return nil, nil
		}
		return []bot.Message{req.Reply(tr(store.Bokmal, "no_plan"))}, nil
	}
	if req.Actor == nil {
		a, err := s.admit(ctx, tx, req)
		if err != nil || a == nil {
			return s.unknownUser(ctx, tx, req, err)
		}
		req.Actor = a
	}
	switch {
	case req.Kind == bot.KindHome:
		return s.home(ctx, tx, req)
	case req.Kind == bot.KindChoice && strings.HasPrefix(req.Choice, "cls|"):
		return s.fileChoice(ctx, tx, req)
	case req.Kind == bot.KindChoice && (strings.HasPrefix(req.Choice, choiceApprove) || strings.HasPrefix(req.Choice, choiceReturn)):
		lang, err := actorLang(ctx, tx, *req.Plan, *req.Actor)
		if err != nil {
			return nil, err
		}
		return s.steeringChoice(ctx, tx, req, lang)
	}
	cmd, arg, err := commandIn(ctx, tx, req)
	if err != nil {
		return nil, err
	}
	switch {
	case cmd == cmdStatus:
		return s.status(ctx, tx, req)
	case steeringCommands[cmd]:
		lang, err := actorLang(ctx, tx, *req.Plan, *req.Actor)
		if err != nil {
			return nil, err
		}
		return s.steeringCommand(ctx, tx, req, lang, cmd, arg)
	case leaderCommands[cmd]:
		return s.leaderCommand(ctx, tx, req, cmd, arg)
	}
	if !req.DM {
		// The dialog is personal: a command given in a channel is
		// answered in a direct message.
		req.Channel, req.DM, req.Thread = bot.DMTo(req.User), true, ""
	}
	return converse(ctx, tx, req)
}

// admit makes an unknown user a new external actor when the plan allows
// open intake; otherwise it returns nil.
func (s *Service) admit(ctx context.Context, tx *store.Tx, req *bot.Request) (*store.Actor, error) {
	if !req.Plan.OpenIntake {
		return nil, nil
	}
	name := req.UserName
	if name == "" {
		name = fmt.Sprintf("%s-bruker %s", req.Platform, req.User)
	}
	a, err := tx.CreateOpenIntakeActor(ctx, req.Plan.ID, name, store.Identity{Platform: req.Platform, Workspace: req.Workspace, UserID: req.User})
	if err != nil {
		return nil, err
	}
	s.log.Info("open intake: new external actor", "plan", req.Plan.Key, "actor", a.Key)
	return &a, nil
}

func (s *Service) unknownUser(ctx context.Context, tx *store.Tx, req *bot.Request, err error) ([]bot.Message, error) {
	if err != nil {
		return nil, err
	}
	if !req.DM && req.Kind != bot.KindCommand {
		return nil, nil
	}
	leader := "?"
	switch ls, err := tx.Members(ctx, req.Plan.ID, store.RoleProjectLeader); {
	case err != nil:
		return nil, err
	case len(ls) > 0:
		leader = ls[0].Name
	}
	lang := req.Plan.Language
	return []bot.Message{req.Reply(tr(lang, "unknown_user", req.Plan.Title, req.Plan.Municipality, leader))}, nil
}

// textProblem says, in the actor's language, why an answer cannot be
// stored, or returns "".
func textProblem(l store.Language, text string) string {
	var te *store.TextError
	if err := store.CheckText(text); errors.As(err, &te) {
		switch te.Reason {
		case store.TextEmpty:
			return tr(l, "text_empty")
		case store.TextTooLong:
			return tr(l, "text_too_long", te.Length, store.MaxTextLength)
		case store.TextInvalidUTF8:
			return tr(l, "text_invalid_utf8")
		case store.TextControl:
			return tr(l, "text_control", te.Rune)
		}
	}
	if containsNationalID(text) {
		return tr(l, "text_national_id")
	}
	return ""
}

// commandIn reads a command from a command event or a direct message.
// Typed in a direct message, a word that could start an answer ("Tiltak
// for unge …") is a command only where it cannot be an answer: the
// leader's commands for the project leader and group when they are not
// answering a question, "språk" with a language.
func commandIn(ctx context.Context, tx *store.Tx, req *bot.Request) (command, string, error) {
	switch {
	case req.Kind == bot.KindCommand:
		cmd, arg, _ := parseCommand(strings.TrimSpace(req.Command + " " + req.Text))
		return cmd, arg, nil
	case req.Kind != bot.KindMessage || !req.DM:
		return "", "", nil
	}
	cmd, arg, ok := parseCommand(req.Text)
	switch {
	case !ok:
		return "", "", nil
	case cmd == cmdLanguage && arg != "":
		if _, ok := parseLanguage(arg); !ok {
			return "", "", nil
		}
	case leaderCommands[cmd] || cmd == cmdStatus || steeringCommands[cmd]:
		// Someone else's command word is an answer, except "digest",
		// which no one writes as one: they are told it is not theirs.
		if leaderCommands[cmd] && !canInvite(req) && cmd != cmdDigest || steeringCommands[cmd] && !req.Has(store.RoleSteeringGroup) {
			return "", "", nil
		}
		if answering, err := atQuestion(ctx, tx, req.Actor.ID); err != nil || answering {
			return "", "", err
		}
	}
	return cmd, arg, nil
}

// dialogCommand reads a command of the dialog's own from typed text.
func dialogCommand(text string) (command, string, bool) {
	cmd, arg, ok := parseCommand(text)
	switch {
	case !ok, leaderCommands[cmd], steeringCommands[cmd], cmd == cmdStatus:
		return "", "", false
	case cmd == cmdLanguage && arg != "":
		if _, ok := parseLanguage(arg); !ok {
			return "", "", false
		}
	}
	return cmd, arg, true
}

// atQuestion reports whether the actor's dialog waits for an answer.
func atQuestion(ctx context.Context, tx *store.Tx, actorID int64) (bool, error) {
	d, err := tx.DialogByActor(ctx, actorID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	var st state
	if err := json.Unmarshal(d.State, &st); err != nil {
		return false, err
	}
	return st.Step == stepQuestion, nil
}
