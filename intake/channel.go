package intake

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake/classify"
	"github.com/kommune-dugnad/dugnad/store"
)

// What people write in the plan's channels: answers in an idea session's
// question threads, and free text in intake channels. Both are filed as
// suggestions; free text gets the bot's guess of its strategy to confirm.

// examplesPerStrategy is how many filed suggestions per strategy the
// strategy guess learns from.
const examplesPerStrategy = 200

// channelMessage files a message written in a channel, when it is an
// answer in an idea session's thread or free text in an intake channel;
// other channel talk is not the bot's.
func (s *Service) channelMessage(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	if req.Plan == nil {
		return nil, nil
	}
	if out, ok, err := s.hearingReply(ctx, tx, req); ok || err != nil {
		return out, err
	}
	var session store.IdeaSession
	question := 0
	switch {
	case req.Thread != "":
		sess, q, err := tx.IdeaQuestionOf(ctx, req.Platform, req.Channel, req.Thread)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		session, question = sess, q
	case req.PlanChannel != nil && (req.PlanChannel.Purpose == store.PurposeIntake || req.PlanChannel.Purpose == store.PurposeIdeaSession):
	default:
		return nil, nil
	}
	lang := req.Plan.Language
	thread := req.Thread
	if thread == "" {
		thread = req.MessageRef
	}
	inThread := func(text string, choices ...bot.Choice) []bot.Message {
		m := req.Reply(text, choices...)
		m.Thread = thread
		return []bot.Message{m}
	}
	if req.Actor == nil {
		a, err := s.admit(ctx, tx, req)
		if err != nil {
			return nil, err
		}
		if a == nil {
			leader, err := projectLeaderName(ctx, tx, *req.Plan)
			if err != nil {
				return nil, err
			}
			return inThread(tr(lang, "unknown_user", req.Plan.Title, req.Plan.Municipality, leader)), nil
		}
		req.Actor = a
	}
	if l, err := actorLang(ctx, tx, *req.Plan, *req.Actor); err == nil {
		lang = l
	} else {
		return nil, err
	}
	if problem := textProblem(lang, req.Text); problem != "" {
		return inThread(problem), nil
	}
	source := store.SourceRef{Platform: req.Platform, Channel: req.Channel, Ref: req.MessageRef}
	if question > 0 {
		_, err := tx.FileSuggestion(ctx, req.By(), store.Suggestion{PlanID: req.Plan.ID, StrategyID: session.StrategyID,
			Question: question, Text: req.Text, Language: lang, ActorID: req.Actor.ID, Origin: store.OriginIdeaSession, Source: source})
		return nil, err
	}
	sugg, err := tx.FileSuggestion(ctx, req.By(), store.Suggestion{PlanID: req.Plan.ID, Text: req.Text, Language: lang,
		ActorID: req.Actor.ID, Origin: store.OriginIntakeChannel, Source: source})
	if err != nil {
		return nil, err
	}
	text, choices, err := guessReply(ctx, tx, *req.Plan, lang, sugg)
	if err != nil {
		return nil, err
	}
	return inThread(text, choices...), nil
}

// guessReply is the bot's answer to free text: it is stored, the strategy
// the bot guesses it belongs to, and buttons to confirm, pick another of
// the best three, see all, or leave it unfiled.
func guessReply(ctx context.Context, tx *store.Tx, plan store.Plan, lang store.Language, sugg store.Suggestion) (string, []bot.Choice, error) {
	strategies, err := tx.Strategies(ctx, plan.ID)
	if err != nil {
		return "", nil, err
	}
	examples, err := tx.FiledExamples(ctx, plan.ID, examplesPerStrategy)
	if err != nil {
		return "", nil, err
	}
	titles := map[string]string{}
	for _, s := range strategies {
		titles[s.Key] = s.Title
	}
	id := strconv.FormatInt(sugg.ID, 10)
	ranked := classify.Guess(strategies, examples, sugg.Text)
	lines := []string{tr(lang, "intake_stored")}
	var choices []bot.Choice
	if len(ranked) == 0 {
		lines = append(lines, tr(lang, "intake_no_guess"))
		for _, s := range strategies {
			choices = append(choices, bot.Choice{ID: "cls|" + id + "|" + s.Key, Label: s.Key + " – " + s.Title})
		}
	} else {
		best := ranked[0].ID
		lines = append(lines, tr(lang, "intake_guess", best, titles[best]))
		choices = append(choices, bot.Choice{ID: "cls|" + id + "|" + best, Label: "✓ " + best + " – " + titles[best], Style: bot.StylePrimary})
		for _, r := range ranked[1:min(3, len(ranked))] {
			if r.Score > 0 {
				choices = append(choices, bot.Choice{ID: "cls|" + id + "|" + r.ID, Label: r.ID + " – " + titles[r.ID]})
			}
		}
		choices = append(choices, bot.Choice{ID: "cls|" + id + "|*", Label: tr(lang, "intake_other")})
	}
	choices = append(choices, bot.Choice{ID: "cls|" + id + "|-", Label: tr(lang, "intake_leave")})
	lines = append(lines, tr(lang, "intake_privacy"))
	return strings.Join(lines, "\n"), choices, nil
}

// fileChoice acts on the buttons under free text: the author, or the
// project leader or group, files it under a strategy or leaves it.
func (s *Service) fileChoice(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	parts := strings.SplitN(req.Choice, "|", 3)
	if len(parts) != 3 {
		return nil, nil
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return nil, nil
	}
	lang, err := actorLang(ctx, tx, *req.Plan, *req.Actor)
	if err != nil {
		return nil, err
	}
	sugg, err := tx.SuggestionByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sugg.PlanID != req.Plan.ID) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if sugg.ActorID != req.Actor.ID && !canInvite(req) {
		return []bot.Message{req.Reply(tr(lang, "intake_not_yours"))}, nil
	}
	out, err := s.file(ctx, tx, req, lang, id, parts[1], parts[2])
	if err != nil {
		return nil, err
	}
	if u, ok := bot.ChoiceMade(req.Event); ok && len(out) > 0 && len(out[0].Choices) == 0 {
		out = append([]bot.Message{u}, out...)
	}
	return out, nil
}

// file files a suggestion under the chosen strategy, leaves it, or offers
// all strategies.
func (s *Service) file(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, id int64, idText, key string) ([]bot.Message, error) {
	parts := []string{"cls", idText, key}
	switch key := parts[2]; key {
	case "-":
		if _, err := tx.FileUnder(ctx, req.By(), id, 0); err != nil {
			return nil, err
		}
		return []bot.Message{req.Reply(tr(lang, "intake_left"))}, nil
	case "*":
		strategies, err := tx.Strategies(ctx, req.Plan.ID)
		if err != nil {
			return nil, err
		}
		var choices []bot.Choice
		for _, st := range strategies {
			choices = append(choices, bot.Choice{ID: "cls|" + parts[1] + "|" + st.Key, Label: st.Key + " – " + st.Title})
		}
		choices = append(choices, bot.Choice{ID: "cls|" + parts[1] + "|-", Label: tr(lang, "intake_leave")})
		return []bot.Message{req.Reply(tr(lang, "intake_pick"), choices...)}, nil
	default:
		st, err := tx.StrategyByKey(ctx, req.Plan.ID, key)
		if errors.Is(err, store.ErrNotFound) {
			return []bot.Message{req.Reply(tr(lang, "unknown_strategy", key))}, nil
		} else if err != nil {
			return nil, err
		}
		if _, err := tx.FileUnder(ctx, req.By(), id, st.ID); err != nil {
			return nil, err
		}
		return []bot.Message{req.Reply(tr(lang, "intake_filed", st.Key, st.Title))}, nil
	}
}
