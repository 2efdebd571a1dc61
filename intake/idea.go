package intake

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// The idea session (idédugnad): in a channel, the bot posts a strategy and
// then its guiding questions one at a time; every reply in a question's
// thread is a suggestion for that question.

// ideaCorrelation marks the message that asks a question of a session, so
// that its platform reference is recorded when it is delivered.
func ideaCorrelation(sessionID int64, question int) string {
	return fmt.Sprintf("idea:%d:%d", sessionID, question)
}

// idea handles /dugnad idedugnad start S3 | neste | tilbake | stopp.
func (s *Service) idea(ctx context.Context, tx *store.Tx, req *bot.Request, arg string, lang store.Language) ([]bot.Message, error) {
	reply := func(text string) ([]bot.Message, error) { return []bot.Message{req.Reply(text)}, nil }
	if req.DM {
		return reply(tr(lang, "idea_in_channel"))
	}
	sub, rest, _ := strings.Cut(strings.TrimSpace(arg), " ")
	sub = strings.ToLower(sub)
	plan := *req.Plan
	if sub == "start" || sub == "begynn" || sub == "byrj" {
		key := strings.TrimSpace(rest)
		if key == "" {
			return reply(tr(lang, "idea_usage"))
		}
		st, err := tx.StrategyByKey(ctx, plan.ID, key)
		if errors.Is(err, store.ErrNotFound) {
			return reply(tr(lang, "unknown_strategy", key))
		} else if err != nil {
			return nil, err
		}
		session, err := tx.OpenIdeaSession(ctx, req.By(), store.IdeaSession{PlanID: plan.ID, StrategyID: st.ID,
			Platform: req.Platform, Channel: req.Channel, StartedBy: req.Actor.ID})
		var inv *store.InvalidError
		if errors.As(err, &inv) {
			return reply(tr(lang, "idea_already_open"))
		} else if err != nil {
			return nil, err
		}
		intro := tr(lang, "idea_intro", st.Key, st.Title)
		if st.Description != "" {
			intro += "\n" + st.Description
		}
		intro += "\n\n" + tr(lang, "idea_how")
		return []bot.Message{req.Reply(intro), questionMessage(req, lang, session, 1)}, nil
	}
	session, err := tx.OpenIdeaSessionIn(ctx, req.Platform, req.Channel)
	if errors.Is(err, store.ErrNotFound) {
		return reply(tr(lang, "idea_none_open"))
	} else if err != nil {
		return nil, err
	}
	switch sub {
	case "neste", "next":
		if session.Question >= store.QuestionCount {
			return s.closeIdea(ctx, tx, req, lang, session)
		}
		if err := tx.MoveIdeaSession(ctx, req.By(), session, session.Question+1); err != nil {
			return nil, err
		}
		return []bot.Message{questionMessage(req, lang, session, session.Question+1)}, nil
	case "tilbake", "back", "attende":
		if session.Question <= 1 {
			return reply(tr(lang, "cant_here"))
		}
		if err := tx.MoveIdeaSession(ctx, req.By(), session, session.Question-1); err != nil {
			return nil, err
		}
		return []bot.Message{questionMessage(req, lang, session, session.Question-1)}, nil
	case "stopp", "stop", "slutt":
		return s.closeIdea(ctx, tx, req, lang, session)
	}
	return reply(tr(lang, "idea_usage"))
}

// questionMessage asks one question in the channel; replies go in its
// thread.
func questionMessage(req *bot.Request, lang store.Language, session store.IdeaSession, q int) bot.Message {
	m := req.Reply(tr(lang, "idea_question", q, store.QuestionCount, Question(lang, q)))
	m.Thread = ""
	m.Correlation = ideaCorrelation(session.ID, q)
	return m
}

// closeIdea ends the session and posts how many answers each question got.
func (s *Service) closeIdea(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, session store.IdeaSession) ([]bot.Message, error) {
	if _, err := tx.CloseIdeaSession(ctx, req.By(), session); err != nil {
		return nil, err
	}
	counts, err := tx.IdeaSessionCounts(ctx, session)
	if err != nil {
		return nil, err
	}
	lines := []string{tr(lang, "idea_closed", session.StrategyKey)}
	total := 0
	for q := 1; q <= store.QuestionCount; q++ {
		lines = append(lines, fmt.Sprintf("%d. %s – %s", q, shortQuestion(lang, q), tr(lang, "n_suggestions", counts[q])))
		total += counts[q]
	}
	lines = append(lines, tr(lang, "idea_total", total))
	m := req.Reply(strings.Join(lines, "\n"))
	m.Thread = ""
	return []bot.Message{m}, nil
}

// shortQuestion is a question's first sentence.
func shortQuestion(lang store.Language, q int) string {
	text := Question(lang, q)
	if i := strings.Index(text, "?"); i > 0 {
		return text[:i+1]
	}
	return text
}

// ideaDelivered records where a question was asked, once its message is
// delivered, so that replies in its thread are filed under it.
func ideaDelivered(ctx context.Context, tx *store.Tx, om store.OutboxMessage) error {
	rest, ok := strings.CutPrefix(om.Correlation, "idea:")
	if !ok || om.MessageRef == "" {
		return nil
	}
	idText, qText, _ := strings.Cut(rest, ":")
	id, err1 := strconv.ParseInt(idText, 10, 64)
	q, err2 := strconv.Atoi(qText)
	if err1 != nil || err2 != nil {
		return nil
	}
	return tx.RecordIdeaQuestion(ctx, id, q, om.MessageRef)
}
