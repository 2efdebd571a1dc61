package intake

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// Quality assurance and anchoring: the steering group approves or returns
// each heard measure; the project leader marks approved measures anchored.

// Button IDs on the measures handed to the steering group.
const (
	choiceApprove = "apr|"
	choiceReturn  = "ret|"
)

// steeringChoice handles a steering-group button.
func (s *Service) steeringChoice(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language) ([]bot.Message, error) {
	approve := strings.HasPrefix(req.Choice, choiceApprove)
	id, err := strconv.ParseInt(req.Choice[len(choiceApprove):], 10, 64)
	if err != nil {
		return nil, nil // not a button of ours
	}
	if !approve {
		// A return needs a reason, which a button cannot carry.
		return []bot.Message{req.Reply(tr(lang, "return_how", id))}, nil
	}
	out, ok, err := s.decide(ctx, tx, req, lang, id, store.DecisionApprove, "")
	if err != nil || !ok {
		return out, err
	}
	if upd, ok := bot.ChoiceMade(req.Event); ok {
		out = append(out, upd)
	}
	return out, nil
}

// steeringCommand runs "godkjenn 4" and "returner 4 GRUNN".
func (s *Service) steeringCommand(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, cmd command, arg string) ([]bot.Message, error) {
	fields := strings.Fields(arg)
	usage := "approve_usage"
	if cmd == cmdReturn {
		usage = "return_usage"
	}
	if len(fields) == 0 {
		return []bot.Message{req.Reply(tr(lang, usage))}, nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(fields[0], "#"), 10, 64)
	if err != nil {
		return []bot.Message{req.Reply(tr(lang, usage))}, nil
	}
	if cmd == cmdApprove {
		out, _, err := s.decide(ctx, tx, req, lang, id, store.DecisionApprove, "")
		return out, err
	}
	reason := strings.TrimSpace(strings.Join(fields[1:], " "))
	if reason == "" {
		return []bot.Message{req.Reply(tr(lang, "return_needs_reason", id))}, nil
	}
	if problem := textProblem(lang, reason); problem != "" {
		return []bot.Message{req.Reply(problem)}, nil
	}
	out, _, err := s.decide(ctx, tx, req, lang, id, store.DecisionReturn, reason)
	return out, err
}

// decide records a steering-group decision on a heard measure and tells
// the project leader. It reports whether the decision was made.
func (s *Service) decide(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, id int64, d store.Decision, reason string) ([]bot.Message, bool, error) {
	reply := func(key string, args ...any) ([]bot.Message, bool, error) {
		return []bot.Message{req.Reply(tr(lang, key, args...))}, false, nil
	}
	if !req.Has(store.RoleSteeringGroup) {
		return reply("steering_only")
	}
	m, err := tx.MeasureByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.PlanID != req.Plan.ID) {
		return reply("no_measure", id)
	} else if err != nil {
		return nil, false, err
	}
	switch m.Status {
	case store.StatusHeard:
	case store.StatusApproved, store.StatusAnchored, store.StatusReturned:
		return reply("already_decided", id, statusWords[m.Status][lang.Index()])
	default:
		return reply("not_heard", id, statusWords[m.Status][lang.Index()])
	}
	m, err = tx.RecordDecision(ctx, req.By(), id, d, reason)
	if err != nil {
		return nil, false, err
	}
	key := "approved"
	if d == store.DecisionReturn {
		key = "returned"
	}
	out := []bot.Message{req.Reply(tr(lang, key, id))}
	leaders, err := tx.Members(ctx, req.Plan.ID, store.RoleProjectLeader)
	if err != nil {
		return nil, false, err
	}
	for _, l := range leaders {
		if l.ID == req.Actor.ID {
			continue
		}
		platform, channel, err := reachOn(ctx, tx, l, req.Platform)
		if err != nil {
			return nil, false, err
		}
		if platform == "" {
			continue
		}
		llang, err := actorLang(ctx, tx, *req.Plan, l)
		if err != nil {
			return nil, false, err
		}
		text := tr(llang, "leader_told_approved", req.Actor.Name, id, display(m.Text, 200))
		if d == store.DecisionReturn {
			text = tr(llang, "leader_told_returned", req.Actor.Name, id, display(m.Text, 200), display(reason, 500))
		}
		out = append(out, bot.Message{Platform: platform, Channel: channel, Text: text})
	}
	return out, true, nil
}

// anchorCommand runs "forankre 4,5" or "forankre alle": the project leader
// marks approved measures anchored in political and administrative
// leadership.
func (s *Service) anchorCommand(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, arg string) ([]bot.Message, error) {
	reply := func(key string, args ...any) ([]bot.Message, error) {
		return []bot.Message{req.Reply(tr(lang, key, args...))}, nil
	}
	if !isLeader(req) {
		return reply("anchor_leader_only")
	}
	all, err := tx.Measures(ctx, req.Plan.ID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]store.Measure{}
	for _, m := range all {
		byID[m.ID] = m
	}
	arg = strings.TrimSpace(arg)
	var ids []int64
	switch {
	case everyoneWords[strings.ToLower(arg)]:
		for _, m := range all {
			if m.Status == store.StatusApproved {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) == 0 {
			return reply("anchor_none")
		}
	case idList.MatchString(strings.ReplaceAll(arg, " ", "")):
		if ids, err = parseIDs(strings.ReplaceAll(arg, " ", "")); err != nil {
			return reply("anchor_usage")
		}
		for _, id := range ids {
			m, ok := byID[id]
			if !ok {
				return reply("no_measure", id)
			}
			if m.Status != store.StatusApproved {
				return reply("anchor_not_approved", id, statusWords[m.Status][lang.Index()])
			}
		}
	default:
		return reply("anchor_usage")
	}
	var done []string
	for _, id := range ids {
		if _, err := tx.RecordDecision(ctx, req.By(), id, store.DecisionAnchor, ""); err != nil {
			return nil, err
		}
		done = append(done, strconv.FormatInt(id, 10))
	}
	return reply("anchored", strings.Join(done, ", "))
}
