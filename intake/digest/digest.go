// Package digest is what the project leader takes from phase 3 to the plan
// document: goals → strategies → measures with their hearing and decision
// and the suggestions behind them, unused suggestions, coverage gaps,
// participation and what changed since the last digest, rendered as a chat
// summary, Markdown, HTML with charts, a spreadsheet, CSV or JSON.
package digest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/kommune-dugnad/dugnad/intake/lint"
	"github.com/kommune-dugnad/dugnad/store"
)

// Format names the JSON digest's version. Fields are added, never renamed
// or removed, within a version.
const Format = "dugnad-digest/1"

// QuestionCount is how many guiding questions there are.
const QuestionCount = store.QuestionCount

// Digest is the state of phase 3 for one plan, as filtered. Its JSON field
// names are stable (see Format).
type Digest struct {
	Format      string         `json:"format"`
	GeneratedAt time.Time      `json:"generated_at"`
	Language    store.Language `json:"language"`
	Timezone    string         `json:"timezone"`
	Plan        Plan           `json:"plan"`
	Filter      Filter         `json:"filter"`
	Totals      Totals         `json:"totals"`
	Goals       []Goal         `json:"goals"`
	// Unused are the suggestions not used in any measure, by strategy and
	// guiding question.
	Unused        []UnusedGroup `json:"unused"`
	Coverage      Coverage      `json:"coverage"`
	Participation Participation `json:"participation"`
	// Changes is what changed since the reader's previous digest; nil
	// when this is their first.
	Changes *Changes `json:"changes,omitempty"`
}

// Plan is the plan's own fields.
type Plan struct {
	Key          string `json:"key"`
	Municipality string `json:"municipality"`
	Title        string `json:"title"`
}

// Filter is what the digest was narrowed to; empty fields are "all".
type Filter struct {
	Strategy string              `json:"strategy,omitempty"`
	Status   store.MeasureStatus `json:"status,omitempty"`
	Since    string              `json:"since,omitempty"` // YYYY-MM-DD in the plan's time zone
}

// Totals are counts over what the filter lets through.
type Totals struct {
	Suggestions int                         `json:"suggestions"`
	Unused      int                         `json:"unused_suggestions"`
	Measures    int                         `json:"measures"`
	ByStatus    map[store.MeasureStatus]int `json:"measures_by_status"`
	Comments    int                         `json:"comments"`
	Votes       int                         `json:"votes"`
}

// Goal is a goal with its strategies.
type Goal struct {
	Key        string     `json:"key"`
	Text       string     `json:"text"`
	Strategies []Strategy `json:"strategies"`
}

// Strategy is a strategy with its measures.
type Strategy struct {
	Key         string    `json:"key"`
	Title       string    `json:"title"`
	Suggestions int       `json:"suggestions"` // filed under it (all, used or not)
	Measures    []Measure `json:"measures"`
}

// Measure is a measure with everything known of it.
type Measure struct {
	ID           int64               `json:"id"`
	Strategy     string              `json:"strategy"`
	Text         string              `json:"text"`
	Status       store.MeasureStatus `json:"status"`
	Responsible  string              `json:"responsible,omitempty"`
	Deadline     string              `json:"deadline,omitempty"` // YYYY-MM-DD
	Basis        store.Basis         `json:"basis,omitempty"`
	WhoActs      store.WhoActs       `json:"who_acts,omitempty"`
	CentralTasks []string            `json:"central_tasks"`
	// Checkable is the wording check's verdict; Problems its findings
	// (vague_verb, no_responsible, no_deadline, no_quantity).
	Checkable    bool         `json:"checkable"`
	Problems     []string     `json:"problems"`
	LintOverride string       `json:"lint_override,omitempty"`
	Hearing      *Hearing     `json:"hearing,omitempty"`
	Comments     []Comment    `json:"comments"`
	Decision     *Decision    `json:"decision,omitempty"` // the latest approve or return
	AnchoredAt   *time.Time   `json:"anchored_at,omitempty"`
	ReturnReason string       `json:"return_reason,omitempty"`
	Suggestions  []Suggestion `json:"suggestions"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// Hearing is a measure's tally on its latest hearing: frozen when the
// hearing has closed, else the votes so far.
type Hearing struct {
	ID        int64 `json:"id"`
	Closed    bool  `json:"closed"`
	Support   int   `json:"support"`
	Oppose    int   `json:"oppose"`
	Unsure    int   `json:"unsure"`
	Voters    int   `json:"voters"`
	Members   int   `json:"members"`
	QuorumMet *bool `json:"quorum_met,omitempty"` // nil: the plan sets no quorum
}

// Comment is a hearing comment.
type Comment struct {
	Author    string    `json:"author"`
	IsMember  bool      `json:"is_member"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Decision is the steering group's decision on a measure.
type Decision struct {
	Decision string    `json:"decision"` // approve or return
	Reason   string    `json:"reason,omitempty"`
	By       string    `json:"by,omitempty"`
	At       time.Time `json:"at"`
}

// Suggestion is a suggestion as the digest shows it. Author is empty when
// the actor removed their personal link ("glem meg"); the organisation
// stays.
type Suggestion struct {
	ID           int64         `json:"id"`
	Strategy     string        `json:"strategy,omitempty"`
	Question     int           `json:"question,omitempty"`
	Text         string        `json:"text"`
	Author       string        `json:"author,omitempty"`
	Organisation string        `json:"organisation,omitempty"`
	Basis        store.Basis   `json:"basis,omitempty"`
	WhoActs      store.WhoActs `json:"who_acts,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
}

// UnusedGroup is the unused suggestions under one strategy and question
// (question 0: not an answer to a guiding question).
type UnusedGroup struct {
	Strategy    string       `json:"strategy"` // "" for suggestions not yet filed
	Question    int          `json:"question"`
	Suggestions []Suggestion `json:"suggestions"`
}

// Coverage is what has no measure or no answer yet.
type Coverage struct {
	Strategies []StrategyCoverage `json:"strategies"`
	Tasks      []TaskCoverage     `json:"central_tasks"`
	// QuestionsWithoutAnswers are, per strategy, the guiding questions no
	// suggestion answers.
	QuestionsWithoutAnswers []QuestionGap `json:"questions_without_answers"`
}

// StrategyCoverage is a strategy's count of measures and suggestions.
type StrategyCoverage struct {
	Key         string `json:"key"`
	Title       string `json:"title"`
	Measures    int    `json:"measures"`
	Suggestions int    `json:"suggestions"`
}

// TaskCoverage is a central task's count of measures.
type TaskCoverage struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Measures int    `json:"measures"`
}

// QuestionGap is a strategy's guiding questions without answers.
type QuestionGap struct {
	Strategy  string `json:"strategy"`
	Questions []int  `json:"questions"`
}

// Participation is who took part.
type Participation struct {
	Actors   int `json:"actors"`
	Invited  int `json:"invited"`
	Answered int `json:"answered"` // with at least one suggestion
	Declined int `json:"declined"`
	// ByOrganisation and ByGroup count actors, invitations, answers and
	// suggestions.
	ByOrganisation []ParticipationRow `json:"by_organisation"`
	ByGroup        []ParticipationRow `json:"by_group"`
	// NonVoters are, per hearing, the reference-group members who did not
	// vote on any of its measures.
	NonVoters []NonVoters `json:"non_voters"`
}

// ParticipationRow is one organisation's or group's participation.
type ParticipationRow struct {
	Name        string `json:"name"`
	Actors      int    `json:"actors"`
	Invited     int    `json:"invited"`
	Answered    int    `json:"answered"`
	Suggestions int    `json:"suggestions"`
}

// NonVoters are one hearing's members who did not vote.
type NonVoters struct {
	Hearing int64    `json:"hearing"`
	Closed  bool     `json:"closed"`
	Members []string `json:"members"` // "Name (Organisation)"
}

// Changes is what changed since the reader's previous digest.
type Changes struct {
	Since          time.Time      `json:"since"`
	NewSuggestions int            `json:"new_suggestions"`
	NewMeasures    []int64        `json:"new_measures"`
	StatusChanges  []StatusChange `json:"status_changes"`
	ClosedHearings []int64        `json:"closed_hearings"`
}

// StatusChange is a measure's move.
type StatusChange struct {
	Measure int64               `json:"measure"`
	From    store.MeasureStatus `json:"from"`
	To      store.MeasureStatus `json:"to"`
	At      time.Time           `json:"at"`
}

// Options narrow and place a digest.
type Options struct {
	Strategy string              // a strategy key; "" for all
	Status   store.MeasureStatus // "" for all
	Since    time.Time           // zero: all time; else suggestions and measures new or changed since
	// Language overrides the plan's.
	Language store.Language
	// Previous is when the reader pulled their last digest; zero: never.
	Previous time.Time
	// Now is the digest's time (time.Now when zero).
	Now time.Time
}

// Reader is what Build reads: a store or one of its transactions.
type Reader interface {
	Goals(ctx context.Context, planID int64) ([]store.Goal, error)
	Strategies(ctx context.Context, planID int64) ([]store.Strategy, error)
	CentralTasks(ctx context.Context, planID int64) ([]store.CentralTask, error)
	Actors(ctx context.Context, planID int64) ([]store.Actor, error)
	PlanRoles(ctx context.Context, planID int64) (map[int64][]store.Role, error)
	Invitations(ctx context.Context, planID int64) ([]store.Invitation, error)
	Suggestions(ctx context.Context, planID int64) ([]store.Suggestion, error)
	Measures(ctx context.Context, planID int64) ([]store.Measure, error)
	MeasureLinks(ctx context.Context, planID int64) (map[int64][]int64, error)
	MeasureTaskKeys(ctx context.Context, planID int64) (map[int64][]string, error)
	Hearings(ctx context.Context, planID int64) ([]store.Hearing, error)
	PlanHearingItems(ctx context.Context, planID int64) ([]store.HearingItem, error)
	PlanVotes(ctx context.Context, planID int64) ([]store.Vote, error)
	PlanComments(ctx context.Context, planID int64) ([]store.HearingComment, error)
	PlanApprovals(ctx context.Context, planID int64) ([]store.Approval, error)
	StatusChangesSince(ctx context.Context, planID int64, t time.Time) ([]store.StatusChange, error)
}

// ErrUnknownStrategy is a filter naming a strategy the plan does not have.
type ErrUnknownStrategy struct{ Key string }

func (e *ErrUnknownStrategy) Error() string { return fmt.Sprintf("digest: no strategy %q", e.Key) }

// Build reads a plan's phase 3 into a digest.
func Build(ctx context.Context, r Reader, plan store.Plan, o Options) (*Digest, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	lang := plan.Language
	if o.Language != "" {
		lang = o.Language
	}
	loc := plan.Location()
	d := &Digest{Format: Format, GeneratedAt: o.Now.UTC().Truncate(time.Second), Language: lang, Timezone: loc.String(),
		Plan:   Plan{Key: plan.Key, Municipality: plan.Municipality, Title: plan.Title},
		Filter: Filter{Strategy: o.Strategy, Status: o.Status},
		Totals: Totals{ByStatus: map[store.MeasureStatus]int{}}, Goals: []Goal{}, Unused: []UnusedGroup{}}
	if !o.Since.IsZero() {
		d.Filter.Since = o.Since.In(loc).Format(time.DateOnly)
	}

	goals, err := r.Goals(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	strategies, err := r.Strategies(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	if o.Strategy != "" && !slices.ContainsFunc(strategies, func(s store.Strategy) bool { return s.Key == o.Strategy }) {
		return nil, &ErrUnknownStrategy{Key: o.Strategy}
	}
	wanted := func(key string) bool { return o.Strategy == "" || key == o.Strategy }
	tasks, err := r.CentralTasks(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	actors, err := r.Actors(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	actorByID := make(map[int64]store.Actor, len(actors))
	for _, a := range actors {
		actorByID[a.ID] = a
	}
	roles, err := r.PlanRoles(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	invitations, err := r.Invitations(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	suggestions, err := r.Suggestions(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	measures, err := r.Measures(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	links, err := r.MeasureLinks(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	taskKeys, err := r.MeasureTaskKeys(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	hearings, err := r.Hearings(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	items, err := r.PlanHearingItems(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	votes, err := r.PlanVotes(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	comments, err := r.PlanComments(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	approvals, err := r.PlanApprovals(ctx, plan.ID)
	if err != nil {
		return nil, err
	}

	// Suggestions.
	sugByID := make(map[int64]store.Suggestion, len(suggestions))
	perStrategy := map[string]int{}
	answered := map[string]map[int]bool{}
	suggestionsBy := map[int64]int{}
	for _, s := range suggestions {
		sugByID[s.ID] = s
		perStrategy[s.StrategyKey]++
		if s.Question > 0 {
			if answered[s.StrategyKey] == nil {
				answered[s.StrategyKey] = map[int]bool{}
			}
			answered[s.StrategyKey][s.Question] = true
		}
		if s.ActorID != 0 {
			suggestionsBy[s.ActorID]++
		}
	}
	used := map[int64]bool{}
	for _, ids := range links {
		for _, id := range ids {
			used[id] = true
		}
	}
	since := func(t time.Time) bool { return o.Since.IsZero() || !t.Before(o.Since) }

	// Hearing tallies, by measure: its latest hearing.
	members := 0
	for _, rs := range roles {
		if slices.Contains(rs, store.RoleReferenceGroup) {
			members++
		}
	}
	hearingByID := map[int64]store.Hearing{}
	for _, h := range hearings {
		hearingByID[h.ID] = h
	}
	votesByItem := map[int64][]store.Vote{}
	for _, v := range votes {
		votesByItem[v.HearingItemID] = append(votesByItem[v.HearingItemID], v)
	}
	commentsByItem := map[int64][]store.HearingComment{}
	for _, c := range comments {
		commentsByItem[c.HearingItemID] = append(commentsByItem[c.HearingItemID], c)
	}
	latestItem := map[int64]store.HearingItem{}
	itemsByMeasure := map[int64][]store.HearingItem{}
	for _, it := range items {
		latestItem[it.MeasureID] = it // items come in hearing order
		itemsByMeasure[it.MeasureID] = append(itemsByMeasure[it.MeasureID], it)
	}
	decisions := map[int64]*Decision{}
	anchored := map[int64]time.Time{}
	for _, a := range approvals {
		by := ""
		if a.ActorID.Valid {
			by = actorByID[a.ActorID.Int64].Name
		}
		switch store.Decision(a.Decision) {
		case store.DecisionAnchor:
			anchored[a.MeasureID] = a.CreatedAt.UTC()
		default:
			decisions[a.MeasureID] = &Decision{Decision: a.Decision, Reason: a.Reason, By: by, At: a.CreatedAt.UTC()}
		}
	}

	// Measures, by strategy.
	byStrategy := map[string][]Measure{}
	measureCount := map[string]int{}
	taskCount := map[string]int{}
	for _, m := range measures {
		measureCount[m.StrategyKey]++
		for _, k := range taskKeys[m.ID] {
			taskCount[k]++
		}
		if !wanted(m.StrategyKey) || (o.Status != "" && m.Status != o.Status) || !(since(m.CreatedAt) || since(m.UpdatedAt)) {
			continue
		}
		verdict := lint.Check(lint.Measure{Text: m.Text, Responsible: m.Responsible, Deadline: m.Deadline})
		dm := Measure{ID: m.ID, Strategy: m.StrategyKey, Text: m.Text, Status: m.Status, Responsible: m.Responsible,
			Deadline: m.Deadline, Basis: m.Basis, WhoActs: m.WhoActs, CentralTasks: orEmpty(taskKeys[m.ID]),
			Checkable: verdict.Checkable(), Problems: []string{}, LintOverride: m.LintOverride, Comments: []Comment{},
			Decision: decisions[m.ID], ReturnReason: m.ReturnReason, Suggestions: []Suggestion{},
			CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
		for _, p := range verdict.Problems {
			dm.Problems = append(dm.Problems, string(p.Code))
		}
		if t, ok := anchored[m.ID]; ok {
			dm.AnchoredAt = &t
		}
		if it, ok := latestItem[m.ID]; ok {
			h := hearingByID[it.HearingID]
			dh := &Hearing{ID: h.ID, Closed: h.Status == "closed", Members: members}
			if it.Support != nil {
				dh.Support, dh.Oppose, dh.Unsure = *it.Support, deref(it.Oppose), deref(it.Unsure)
			} else {
				for _, v := range votesByItem[it.ID] {
					switch store.VoteChoice(v.Choice) {
					case store.VoteSupport:
						dh.Support++
					case store.VoteOppose:
						dh.Oppose++
					case store.VoteUnsure:
						dh.Unsure++
					}
				}
			}
			dh.Voters = dh.Support + dh.Oppose + dh.Unsure
			if h.Quorum != nil {
				met := members == 0 || float64(dh.Voters) >= *h.Quorum*float64(members)-1e-9
				dh.QuorumMet = &met
			}
			dm.Hearing = dh
			d.Totals.Votes += dh.Voters
		}
		for _, it := range itemsByMeasure[m.ID] {
			for _, c := range commentsByItem[it.ID] {
				dm.Comments = append(dm.Comments, Comment{Author: c.AuthorName, IsMember: c.IsMember, Text: c.Text, CreatedAt: c.CreatedAt.UTC()})
			}
		}
		d.Totals.Comments += len(dm.Comments)
		for _, id := range links[m.ID] {
			if s, ok := sugByID[id]; ok {
				dm.Suggestions = append(dm.Suggestions, suggestionOf(s))
			}
		}
		byStrategy[m.StrategyKey] = append(byStrategy[m.StrategyKey], dm)
		d.Totals.Measures++
		d.Totals.ByStatus[m.Status]++
	}
	for _, g := range goals {
		dg := Goal{Key: g.Key, Text: g.Text, Strategies: []Strategy{}}
		for _, s := range strategies {
			if s.GoalID != g.ID || !wanted(s.Key) {
				continue
			}
			ms := byStrategy[s.Key]
			if ms == nil {
				ms = []Measure{}
			}
			dg.Strategies = append(dg.Strategies, Strategy{Key: s.Key, Title: s.Title, Suggestions: perStrategy[s.Key], Measures: ms})
		}
		if len(dg.Strategies) > 0 {
			d.Goals = append(d.Goals, dg)
		}
	}

	// Unused suggestions, by strategy (in the plan's order) and question.
	order := map[string]int{"": len(strategies)}
	for i, s := range strategies {
		order[s.Key] = i
	}
	groups := map[[2]any][]Suggestion{}
	for _, s := range suggestions {
		if !wanted(s.StrategyKey) || !since(s.CreatedAt) {
			continue
		}
		d.Totals.Suggestions++
		if used[s.ID] {
			continue
		}
		d.Totals.Unused++
		k := [2]any{s.StrategyKey, s.Question}
		groups[k] = append(groups[k], suggestionOf(s))
	}
	for k, ss := range groups {
		d.Unused = append(d.Unused, UnusedGroup{Strategy: k[0].(string), Question: k[1].(int), Suggestions: ss})
	}
	sort.Slice(d.Unused, func(i, j int) bool {
		a, b := d.Unused[i], d.Unused[j]
		if order[a.Strategy] != order[b.Strategy] {
			return order[a.Strategy] < order[b.Strategy]
		}
		return a.Question < b.Question
	})

	// Coverage.
	d.Coverage = Coverage{Strategies: []StrategyCoverage{}, Tasks: []TaskCoverage{}, QuestionsWithoutAnswers: []QuestionGap{}}
	for _, s := range strategies {
		if !wanted(s.Key) {
			continue
		}
		d.Coverage.Strategies = append(d.Coverage.Strategies, StrategyCoverage{Key: s.Key, Title: s.Title, Measures: measureCount[s.Key], Suggestions: perStrategy[s.Key]})
		var missing []int
		for q := 1; q <= QuestionCount; q++ {
			if !answered[s.Key][q] {
				missing = append(missing, q)
			}
		}
		if len(missing) > 0 {
			d.Coverage.QuestionsWithoutAnswers = append(d.Coverage.QuestionsWithoutAnswers, QuestionGap{Strategy: s.Key, Questions: missing})
		}
	}
	for _, t := range tasks {
		d.Coverage.Tasks = append(d.Coverage.Tasks, TaskCoverage{Key: t.Key, Name: t.Name, Measures: taskCount[t.Key]})
	}

	d.Participation = participation(actors, roles, invitations, suggestionsBy, hearings, items, votesByItem)

	if !o.Previous.IsZero() {
		ch := &Changes{Since: o.Previous.UTC(), NewMeasures: []int64{}, StatusChanges: []StatusChange{}, ClosedHearings: []int64{}}
		for _, s := range suggestions {
			if s.CreatedAt.After(o.Previous) && wanted(s.StrategyKey) {
				ch.NewSuggestions++
			}
		}
		strategyOf := map[int64]string{}
		for _, m := range measures {
			strategyOf[m.ID] = m.StrategyKey
			if m.CreatedAt.After(o.Previous) && wanted(m.StrategyKey) {
				ch.NewMeasures = append(ch.NewMeasures, m.ID)
			}
		}
		moves, err := r.StatusChangesSince(ctx, plan.ID, o.Previous)
		if err != nil {
			return nil, err
		}
		for _, c := range moves {
			if wanted(strategyOf[c.MeasureID]) {
				ch.StatusChanges = append(ch.StatusChanges, StatusChange{Measure: c.MeasureID, From: c.From, To: c.To, At: c.At.UTC()})
			}
		}
		for _, h := range hearings {
			if h.ClosedAt != nil && h.ClosedAt.After(o.Previous) {
				ch.ClosedHearings = append(ch.ClosedHearings, h.ID)
			}
		}
		d.Changes = ch
	}
	return d, nil
}

func participation(actors []store.Actor, roles map[int64][]store.Role, invitations []store.Invitation, suggestionsBy map[int64]int,
	hearings []store.Hearing, items []store.HearingItem, votesByItem map[int64][]store.Vote) Participation {
	p := Participation{ByOrganisation: []ParticipationRow{}, ByGroup: []ParticipationRow{}, NonVoters: []NonVoters{}}
	invited := map[int64]bool{}
	declined := map[int64]bool{}
	for _, inv := range invitations {
		invited[inv.ActorID] = true
		if inv.DeclinedAt != nil {
			declined[inv.ActorID] = true
		}
	}
	orgs := map[string]*ParticipationRow{}
	groups := map[store.Role]*ParticipationRow{}
	add := func(row *ParticipationRow, a store.Actor) {
		row.Actors++
		if invited[a.ID] {
			row.Invited++
		}
		if suggestionsBy[a.ID] > 0 {
			row.Answered++
		}
		row.Suggestions += suggestionsBy[a.ID]
	}
	for _, a := range actors {
		if a.Archived {
			continue
		}
		p.Actors++
		if invited[a.ID] {
			p.Invited++
		}
		if declined[a.ID] {
			p.Declined++
		}
		if suggestionsBy[a.ID] > 0 {
			p.Answered++
		}
		org := a.Organisation
		if orgs[org] == nil {
			orgs[org] = &ParticipationRow{Name: org}
		}
		add(orgs[org], a)
		for _, r := range roles[a.ID] {
			if groups[r] == nil {
				groups[r] = &ParticipationRow{Name: string(r)}
			}
			add(groups[r], a)
		}
	}
	for _, row := range orgs {
		p.ByOrganisation = append(p.ByOrganisation, *row)
	}
	sort.Slice(p.ByOrganisation, func(i, j int) bool {
		a, b := p.ByOrganisation[i], p.ByOrganisation[j]
		if a.Suggestions != b.Suggestions {
			return a.Suggestions > b.Suggestions
		}
		return a.Name < b.Name
	})
	for _, r := range store.Roles {
		if groups[r] != nil {
			p.ByGroup = append(p.ByGroup, *groups[r])
		}
	}
	voted := map[int64]map[int64]bool{} // hearing → actors
	for _, it := range items {
		for _, v := range votesByItem[it.ID] {
			if voted[it.HearingID] == nil {
				voted[it.HearingID] = map[int64]bool{}
			}
			voted[it.HearingID][v.ActorID] = true
		}
	}
	for _, h := range hearings {
		nv := NonVoters{Hearing: h.ID, Closed: h.Status == "closed", Members: []string{}}
		for _, a := range actors {
			if a.Archived || !slices.Contains(roles[a.ID], store.RoleReferenceGroup) || voted[h.ID][a.ID] {
				continue
			}
			name := a.Name
			if a.Organisation != "" {
				name += " (" + a.Organisation + ")"
			}
			nv.Members = append(nv.Members, name)
		}
		p.NonVoters = append(p.NonVoters, nv)
	}
	return p
}

func suggestionOf(s store.Suggestion) Suggestion {
	return Suggestion{ID: s.ID, Strategy: s.StrategyKey, Question: s.Question, Text: s.Text, Author: s.ActorName,
		Organisation: s.Organisation, Basis: s.Basis, WhoActs: s.WhoActs, CreatedAt: s.CreatedAt.UTC()}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
