// Package intake is the work of phase 3: it asks actors the guiding
// questions and files their answers as suggestions against the plan's
// strategies. It implements bot.Handler and never imports an adapter.
package intake

import (
	"context"
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
	switch req.Kind {
	case bot.KindReactionAdded, bot.KindReactionRemoved:
		return nil, nil // votes come with the hearing
	case bot.KindMessage:
		if !req.DM {
			return nil, nil // channel messages are filed by the idea session and intake channels
		}
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
	if req.Kind == bot.KindHome {
		return s.home(ctx, tx, req)
	}
	switch cmd, arg, _ := commandIn(req); cmd {
	case cmdInvite:
		return s.invite(ctx, tx, req, arg)
	case cmdStatus:
		return s.status(ctx, tx, req)
	}
	return converse(ctx, tx, req)
}

// commandIn reads a command from a command event or a direct message.
func commandIn(req *bot.Request) (command, string, bool) {
	switch {
	case req.Kind == bot.KindCommand:
		return parseCommand(strings.TrimSpace(req.Command + " " + req.Text))
	case req.Kind == bot.KindMessage && req.DM:
		return parseCommand(req.Text)
	}
	return "", "", false
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
