package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// Where things stand: for the project leader and group, every actor's
// invitation and answers; for an actor, what they have answered and what
// is open.

type actorStatus string

const (
	statusNotInvited  actorStatus = "status_not_invited"
	statusInvited     actorStatus = "status_invited"
	statusStarted     actorStatus = "status_started"
	statusFinished    actorStatus = "status_finished"
	statusDeclined    actorStatus = "status_declined"
	statusUnreachable actorStatus = "status_unreachable"
)

// statusOrder is the order statuses are counted in.
var statusOrder = []actorStatus{statusInvited, statusStarted, statusFinished, statusDeclined, statusUnreachable, statusNotInvited}

func statusOf(inv *store.Invitation, a store.Actor, answered int) actorStatus {
	switch {
	case inv != nil && inv.DeclinedAt != nil:
		return statusDeclined
	case inv != nil && inv.FinishedAt != nil:
		return statusFinished
	case (inv != nil && inv.StartedAt != nil) || a.ConsentedAt != nil || answered > 0:
		return statusStarted
	case inv != nil && !inv.Reachable():
		return statusUnreachable
	case inv != nil:
		return statusInvited
	}
	return statusNotInvited
}

// overview is what the status views are made of.
type overview struct {
	plan        store.Plan
	strategies  []store.Strategy
	actors      []store.Actor
	invitations map[int64]*store.Invitation
	answered    map[int64]map[string]int // actor → strategy → suggestions
	actorsOf    map[string]map[int64]bool
	perStrategy map[string]int
}

func loadOverview(ctx context.Context, tx *store.Tx, plan store.Plan) (*overview, error) {
	o := &overview{plan: plan, invitations: map[int64]*store.Invitation{}, answered: map[int64]map[string]int{},
		actorsOf: map[string]map[int64]bool{}, perStrategy: map[string]int{}}
	var err error
	if o.strategies, err = tx.Strategies(ctx, plan.ID); err != nil {
		return nil, err
	}
	if o.actors, err = tx.Actors(ctx, plan.ID); err != nil {
		return nil, err
	}
	invs, err := tx.Invitations(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	for i := range invs {
		o.invitations[invs[i].ActorID] = &invs[i]
	}
	sugg, err := tx.Suggestions(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range sugg {
		o.perStrategy[s.StrategyKey]++
		if s.ActorID == 0 {
			continue
		}
		if o.answered[s.ActorID] == nil {
			o.answered[s.ActorID] = map[string]int{}
		}
		o.answered[s.ActorID][s.StrategyKey]++
		if o.actorsOf[s.StrategyKey] == nil {
			o.actorsOf[s.StrategyKey] = map[int64]bool{}
		}
		o.actorsOf[s.StrategyKey][s.ActorID] = true
	}
	return o, nil
}

func (o *overview) total(actor int64) int {
	n := 0
	for _, c := range o.answered[actor] {
		n += c
	}
	return n
}

// leaderView is the whole picture, for the project leader and group.
func (o *overview) leaderView(l store.Language) string {
	counts := map[actorStatus]int{}
	type orgStat struct {
		actors int
		status map[actorStatus]int
		sugg   int
	}
	orgs := map[string]*orgStat{}
	var actorLines []string
	for _, a := range o.actors {
		inv := o.invitations[a.ID]
		st := statusOf(inv, a, o.total(a.ID))
		counts[st]++
		org := a.Organisation
		if org == "" {
			org = tr(l, "no_organisation")
		}
		if orgs[org] == nil {
			orgs[org] = &orgStat{status: map[actorStatus]int{}}
		}
		orgs[org].actors++
		orgs[org].status[st]++
		orgs[org].sugg += o.total(a.ID)
		line := "• " + a.Name
		if a.Organisation != "" {
			line += " (" + a.Organisation + ")"
		}
		line += ": " + tr(l, string(st))
		if inv != nil && inv.AnswerBy != "" && (st == statusInvited || st == statusStarted) {
			d, _ := time.ParseInLocation(time.DateOnly, inv.AnswerBy, o.plan.Location())
			line += " – " + tr(l, "answer_by", longDate(l, d))
		}
		if n := o.total(a.ID); n > 0 {
			line += " · " + tr(l, "n_suggestions", n) + " (" + o.strategyList(o.answered[a.ID]) + ")"
		}
		actorLines = append(actorLines, line)
	}
	var parts []string
	for _, st := range statusOrder {
		parts = append(parts, fmt.Sprintf("%s: %d", tr(l, string(st)), counts[st]))
	}
	out := []string{tr(l, "status_title", o.plan.Title, longDate(l, time.Now().In(o.plan.Location()))), strings.Join(parts, " · "), "",
		tr(l, "status_actors")}
	out = append(out, actorLines...)
	out = append(out, "", tr(l, "status_orgs"))
	names := make([]string, 0, len(orgs))
	for n := range orgs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		os := orgs[n]
		var sts []string
		for _, st := range statusOrder {
			if c := os.status[st]; c > 0 {
				sts = append(sts, fmt.Sprintf("%d %s", c, tr(l, string(st))))
			}
		}
		out = append(out, fmt.Sprintf("• %s: %s – %s · %s", n, tr(l, "n_actors", os.actors), strings.Join(sts, ", "), tr(l, "n_suggestions", os.sugg)))
	}
	out = append(out, "", tr(l, "status_strategies"))
	for _, s := range o.strategies {
		out = append(out, fmt.Sprintf("• %s %s: %s %s", s.Key, s.Title, tr(l, "n_suggestions", o.perStrategy[s.Key]), tr(l, "from_n_actors", len(o.actorsOf[s.Key]))))
	}
	return strings.Join(out, "\n")
}

func (o *overview) strategyList(m map[string]int) string {
	var parts []string
	for _, s := range o.strategies {
		if n := m[s.Key]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", s.Key, n))
		}
	}
	return strings.Join(parts, ", ")
}

// actorView is what one actor has answered and what is open to them.
func (o *overview) actorView(ctx context.Context, tx *store.Tx, l store.Language, a store.Actor) (string, error) {
	assigned, err := tx.ActorStrategies(ctx, a.ID)
	if err != nil {
		return "", err
	}
	mine := map[string]bool{}
	for _, k := range assigned {
		mine[k] = true
	}
	var open []string
	for _, s := range o.strategies {
		if (len(mine) == 0 || mine[s.Key]) && o.answered[a.ID][s.Key] == 0 {
			open = append(open, s.Key)
		}
	}
	var out []string
	if n := o.total(a.ID); n > 0 {
		out = append(out, tr(l, "you_answered", o.strategyList(o.answered[a.ID])))
	} else {
		out = append(out, tr(l, "mine_none"))
	}
	if len(open) > 0 {
		out = append(out, tr(l, "still_open", strings.Join(open, ", ")))
	}
	if inv := o.invitations[a.ID]; inv != nil && inv.AnswerBy != "" && inv.FinishedAt == nil && inv.DeclinedAt == nil {
		d, _ := time.ParseInLocation(time.DateOnly, inv.AnswerBy, o.plan.Location())
		out = append(out, tr(l, "answer_by_sentence", longDate(l, d)))
	}
	switch d, err := tx.DialogByActor(ctx, a.ID); {
	case err == nil:
		var st state
		if json.Unmarshal(d.State, &st) == nil && len(st.Drafts) > 0 {
			out = append(out, tr(l, "mine_drafts", len(st.Drafts)))
		}
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	return strings.Join(out, "\n"), nil
}

// status answers /dugnad status: the whole picture for the leader and
// group, one's own for anyone else.
func (s *Service) status(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	text, err := statusText(ctx, tx, req)
	if err != nil {
		return nil, err
	}
	return []bot.Message{req.Reply(text)}, nil
}

func statusText(ctx context.Context, tx *store.Tx, req *bot.Request) (string, error) {
	lang, err := actorLang(ctx, tx, *req.Plan, *req.Actor)
	if err != nil {
		return "", err
	}
	o, err := loadOverview(ctx, tx, *req.Plan)
	if err != nil {
		return "", err
	}
	if canInvite(req) {
		return o.leaderView(lang), nil
	}
	return o.actorView(ctx, tx, lang, *req.Actor)
}

// home answers a Slack App Home being opened with the same view.
func (s *Service) home(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	text, err := statusText(ctx, tx, req)
	if err != nil {
		return nil, err
	}
	return []bot.Message{{Platform: req.Platform, Channel: bot.HomeOf(req.User), Text: text}}, nil
}
