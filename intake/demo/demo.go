// Package demo fills a database with a synthetic plan at any scale: the
// example plan's goals and strategies, thousands of actors, their
// suggestions, measures made of them, hearings with votes and comments,
// and the steering group's decisions. It is for trying the digest on a
// large plan and for measuring it; nothing in it is real.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/kommune-dugnad/dugnad/examples"
	"github.com/kommune-dugnad/dugnad/intake/planfile"
	"github.com/kommune-dugnad/dugnad/store"
)

// Full is the size of a plan at scale 1: a large municipality's, or a
// national operator's, phase 3.
var Full = Counts{Actors: 5000, Suggestions: 50000, Measures: 2000, Votes: 40000, Comments: 10000}

// Counts are how much a seeded plan holds.
type Counts struct {
	Actors      int `json:"actors"`
	Suggestions int `json:"suggestions"`
	Measures    int `json:"measures"`
	Votes       int `json:"votes"`
	Comments    int `json:"comments"`
	Hearings    int `json:"hearings"`
}

// Scaled is Full times scale (at least one of each).
func Scaled(scale float64) Counts {
	s := func(n int) int { return max(1, int(float64(n)*scale+0.5)) }
	return Counts{Actors: s(Full.Actors), Suggestions: s(Full.Suggestions), Measures: s(Full.Measures), Votes: s(Full.Votes), Comments: s(Full.Comments)}
}

// Options are a seeding's plan key, size and random seed.
type Options struct {
	Key    string // the plan's key; "demo" when empty
	Counts Counts
	Seed   uint64 // the same seed gives the same plan
}

// referenceGroup is how many synthetic actors vote in hearings.
const referenceGroup = 50

// measuresPerHearing is how many measures go on one hearing.
const measuresPerHearing = 100

// Seed creates the plan and fills it. The plan's key must be new.
func Seed(ctx context.Context, st *store.Store, o Options) (store.Plan, Counts, error) {
	if o.Key == "" {
		o.Key = "demo"
	}
	c := o.Counts
	if c.Actors < 1 || c.Suggestions < 1 || c.Measures < 1 {
		return store.Plan{}, Counts{}, fmt.Errorf("demo: a plan needs at least one actor, suggestion and measure")
	}
	if _, err := st.PlanByKey(ctx, o.Key); err == nil {
		return store.Plan{}, Counts{}, fmt.Errorf("demo: a plan %q exists already; choose another key", o.Key)
	}
	f, err := planfile.Parse(examples.FjordvikName, examples.Fjordvik)
	if err != nil {
		return store.Plan{}, Counts{}, err
	}
	spec := f.Spec
	spec.Key, spec.Municipality, spec.Title = o.Key, "Demokommune", "Demo: temaplan for bolig og velferd"
	spec.Workspaces = nil
	spec.Channels = []store.ChannelSpec{{Key: "referansegruppe", Purpose: store.PurposeReferenceGroup, Platform: store.ConsolePlatform,
		Channel: store.ConsoleChannel(o.Key, "referansegruppe")}}
	r := rand.New(rand.NewPCG(o.Seed, 0x64756e676e6164))
	spec.Actors = nil
	orgs := organisations()
	for i := range c.Actors {
		spec.Actors = append(spec.Actors, store.ActorSpec{Key: fmt.Sprintf("demo-%05d", i+1),
			Name:         firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))],
			Organisation: orgs[r.IntN(len(orgs))], Kind: store.External})
	}
	spec.Groups = map[store.Role][]string{store.RoleProjectLeader: {spec.Actors[0].Key}}
	for i := 1; i < min(len(spec.Actors), 1+referenceGroup); i++ {
		spec.Groups[store.RoleReferenceGroup] = append(spec.Groups[store.RoleReferenceGroup], spec.Actors[i].Key)
	}
	if len(spec.Actors) > 1+referenceGroup+3 {
		spec.Groups[store.RoleSteeringGroup] = []string{spec.Actors[1+referenceGroup].Key, spec.Actors[2+referenceGroup].Key, spec.Actors[3+referenceGroup].Key}
	}

	var plan store.Plan
	got := Counts{}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		by := store.By{Label: "demo seed"}
		res, err := tx.ApplyPlan(ctx, by, spec)
		if err != nil {
			return err
		}
		if plan, err = tx.PlanByID(ctx, res.PlanID); err != nil {
			return err
		}
		got, err = fill(ctx, tx, plan, c, r)
		if err != nil {
			return err
		}
		return tx.RecordSeed(ctx, by, plan.ID, got)
	})
	return plan, got, err
}

// fill writes the plan's synthetic record.
func fill(ctx context.Context, tx *store.Tx, plan store.Plan, c Counts, r *rand.Rand) (Counts, error) {
	got := Counts{}
	strategies, err := tx.Strategies(ctx, plan.ID)
	if err != nil {
		return got, err
	}
	tasks, err := tx.CentralTasks(ctx, plan.ID)
	if err != nil {
		return got, err
	}
	actors, err := tx.Actors(ctx, plan.ID)
	if err != nil {
		return got, err
	}
	got.Actors = len(actors)
	members, err := tx.Members(ctx, plan.ID, store.RoleReferenceGroup)
	if err != nil {
		return got, err
	}
	steering, err := tx.Members(ctx, plan.ID, store.RoleSteeringGroup)
	if err != nil {
		return got, err
	}
	chans, err := tx.Channels(ctx, plan.ID)
	if err != nil {
		return got, err
	}
	base := time.Now().UTC().Add(-60 * 24 * time.Hour).Truncate(time.Second)
	at := func(i, n int) time.Time {
		return base.Add(time.Duration(int64(i) * int64(50*24*time.Hour) / int64(max(n, 1))))
	}

	// Invitations: most actors were asked.
	batch, err := tx.CreateInvitationBatch(ctx, store.By{Label: "demo seed"}, store.InvitationBatch{PlanID: plan.ID, InvitedBy: actors[0].ID,
		ReplyPlatform: store.ConsolePlatform, ReplyChannel: "dm:" + actors[0].Key, ReplyLanguage: store.Bokmal})
	if err != nil {
		return got, err
	}
	var rows [][]any
	for i, a := range actors {
		if i%5 == 4 {
			continue
		}
		var declined any
		if i%23 == 0 {
			declined = at(i, len(actors))
		}
		rows = append(rows, []any{plan.ID, a.ID, batch.ID, actors[0].ID, store.ConsolePlatform, "dm:" + a.Key, declined, base})
	}
	if err := tx.InsertRows(ctx, "invitations", []string{"plan_id", "actor_id", "batch_id", "invited_by", "platform", "channel", "declined_at", "created_at"}, rows); err != nil {
		return got, err
	}

	// Suggestions.
	bases := []any{"must", "should", "will", "can", nil}
	whos := []any{"self", "together", "others", nil}
	rows = rows[:0]
	for i := range c.Suggestions {
		a := actors[r.IntN(len(actors))]
		s := strategies[r.IntN(len(strategies))]
		rows = append(rows, []any{plan.ID, s.ID, 1 + r.IntN(store.QuestionCount), sentence(r), "nb", a.ID, a.Organisation,
			bases[r.IntN(len(bases))], whos[r.IntN(len(whos))], "dialog", store.ConsolePlatform, at(i, c.Suggestions)})
	}
	if err := tx.InsertRows(ctx, "suggestions", []string{"plan_id", "strategy_id", "question", "text", "language", "actor_id", "organisation",
		"basis", "who_acts", "origin", "source_platform", "created_at"}, rows); err != nil {
		return got, err
	}
	suggestionIDs, err := tx.IDs(ctx, "suggestions", plan.ID)
	if err != nil {
		return got, err
	}
	got.Suggestions = len(suggestionIDs)

	// Measures: the first tenth drafts, the rest through hearings of a
	// hundred; the last hearing is still open.
	hearingCount := 0
	onHearing := c.Measures - c.Measures/10
	perHearing := max(1, min(measuresPerHearing, (onHearing+1)/2)) // at least two hearings: one still open
	if onHearing > 0 {
		hearingCount = (onHearing + perHearing - 1) / perHearing
	}
	statusOf := func(i int) (store.MeasureStatus, int) { // status, hearing index (-1: none)
		if i < c.Measures/10 {
			return store.StatusDraft, -1
		}
		h := (i - c.Measures/10) / perHearing
		if h == hearingCount-1 && hearingCount > 1 {
			return store.StatusOnHearing, h
		}
		switch i % 7 {
		case 0:
			return store.StatusHeard, h
		case 1:
			return store.StatusReturned, h
		case 2, 3:
			return store.StatusAnchored, h
		}
		return store.StatusApproved, h
	}
	rows = rows[:0]
	for i := range c.Measures {
		status, _ := statusOf(i)
		s := strategies[r.IntN(len(strategies))]
		reason := ""
		if status == store.StatusReturned {
			reason = "Mangler kostnadsoverslag."
		}
		rows = append(rows, []any{plan.ID, s.ID, measureText(r), units[r.IntN(len(units))], fmt.Sprintf("20%d-%02d-01", 27+r.IntN(3), 1+r.IntN(12)),
			bases[r.IntN(4)], whos[r.IntN(3)], status, reason, actors[0].ID, at(i, c.Measures), at(i, c.Measures)})
	}
	if err := tx.InsertRows(ctx, "measures", []string{"plan_id", "strategy_id", "text", "responsible", "deadline", "basis", "who_acts", "status",
		"return_reason", "created_by", "created_at", "updated_at"}, rows); err != nil {
		return got, err
	}
	measureIDs, err := tx.IDs(ctx, "measures", plan.ID)
	if err != nil {
		return got, err
	}
	got.Measures = len(measureIDs)
	links := map[[2]int64]bool{}
	var linkRows, taskRows [][]any
	for _, m := range measureIDs {
		for range 1 + r.IntN(5) {
			s := suggestionIDs[r.IntN(len(suggestionIDs))]
			if !links[[2]int64{m, s}] {
				links[[2]int64{m, s}] = true
				linkRows = append(linkRows, []any{m, s})
			}
		}
		taskRows = append(taskRows, []any{m, tasks[r.IntN(len(tasks))].ID})
	}
	if err := tx.InsertRows(ctx, "measure_suggestions", []string{"measure_id", "suggestion_id"}, linkRows); err != nil {
		return got, err
	}
	if err := tx.InsertRows(ctx, "measure_tasks", []string{"measure_id", "task_id"}, taskRows); err != nil {
		return got, err
	}

	// Hearings, items, votes, comments and decisions.
	if hearingCount == 0 || len(members) == 0 {
		return got, nil
	}
	var channelID int64
	for _, ch := range chans {
		if ch.Purpose == store.PurposeReferenceGroup {
			channelID = ch.ID
		}
	}
	rows = rows[:0]
	for h := range hearingCount {
		opened := base.Add(time.Duration(h) * 24 * time.Hour)
		status, closed, deadline := "closed", any(opened.Add(14*24*time.Hour)), opened.Add(14*24*time.Hour)
		if h == hearingCount-1 && hearingCount > 1 {
			status, closed, deadline = "open", nil, time.Now().UTC().Add(7*24*time.Hour).Truncate(time.Second)
		}
		rows = append(rows, []any{plan.ID, channelID, status, deadline, 0.5, false, actors[0].ID, opened, closed})
	}
	if err := tx.InsertRows(ctx, "hearings", []string{"plan_id", "channel_id", "status", "deadline", "quorum", "hide_tally", "opened_by", "opened_at", "closed_at"}, rows); err != nil {
		return got, err
	}
	hearingIDs, err := tx.IDs(ctx, "hearings", plan.ID)
	if err != nil {
		return got, err
	}
	got.Hearings = len(hearingIDs)
	perItem := max(1, c.Votes/max(onHearing, 1))
	perItem = min(perItem, len(members))
	commentsPer := c.Comments / max(onHearing, 1)
	extra := c.Comments - commentsPer*onHearing
	type item struct {
		measure int64
		votes   [][]any // actor, choice
		closed  bool
	}
	var items []item
	rows = rows[:0]
	choices := []string{"support", "support", "support", "oppose", "unsure"}
	for i, m := range measureIDs {
		status, h := statusOf(i)
		if h < 0 {
			continue
		}
		it := item{measure: m, closed: status != store.StatusOnHearing}
		perm := r.Perm(len(members))[:perItem]
		counts := map[string]int{}
		for _, p := range perm {
			ch := choices[r.IntN(len(choices))]
			counts[ch]++
			it.votes = append(it.votes, []any{members[p].ID, ch})
		}
		var support, oppose, unsure any
		if it.closed {
			support, oppose, unsure = counts["support"], counts["oppose"], counts["unsure"]
		}
		rows = append(rows, []any{hearingIDs[h], m, store.ConsolePlatform, store.ConsoleChannel(plan.Key, "referansegruppe"), fmt.Sprintf("demo-post-%d", m), support, oppose, unsure})
		items = append(items, it)
	}
	if err := tx.InsertRows(ctx, "hearing_items", []string{"hearing_id", "measure_id", "platform", "channel", "message_ref", "support", "oppose", "unsure"}, rows); err != nil {
		return got, err
	}
	itemIDs := make(map[int64]int64, len(items)) // measure → item
	all, err := tx.PlanHearingItems(ctx, plan.ID)
	if err != nil {
		return got, err
	}
	for _, it := range all {
		itemIDs[it.MeasureID] = it.ID
	}
	var voteRows, commentRows, approvalRows [][]any
	for i, it := range items {
		id := itemIDs[it.measure]
		for _, v := range it.votes {
			voteRows = append(voteRows, []any{id, v[0], v[1], v[1], store.ConsolePlatform, base})
		}
		n := commentsPer
		if i < extra {
			n++
		}
		for k := range n {
			a := actors[r.IntN(len(actors))]
			member := false
			for _, m := range members {
				if m.ID == a.ID {
					member = true
				}
			}
			commentRows = append(commentRows, []any{id, a.ID, a.Name, member, sentence(r), store.ConsolePlatform, fmt.Sprintf("demo-comment-%d-%d", id, k), base})
		}
	}
	if err := tx.InsertRows(ctx, "votes", []string{"hearing_item_id", "actor_id", "choice", "emoji", "platform", "updated_at"}, voteRows); err != nil {
		return got, err
	}
	got.Votes = len(voteRows)
	if err := tx.InsertRows(ctx, "hearing_comments", []string{"hearing_item_id", "actor_id", "author_name", "is_member", "text", "platform", "message_ref", "created_at"}, commentRows); err != nil {
		return got, err
	}
	got.Comments = len(commentRows)
	decider := actors[0].ID
	if len(steering) > 0 {
		decider = steering[0].ID
	}
	for i, m := range measureIDs {
		status, _ := statusOf(i)
		switch status {
		case store.StatusApproved:
			approvalRows = append(approvalRows, []any{m, decider, "approve", "", base})
		case store.StatusReturned:
			approvalRows = append(approvalRows, []any{m, decider, "return", "Mangler kostnadsoverslag.", base})
		case store.StatusAnchored:
			approvalRows = append(approvalRows, []any{m, decider, "approve", "", base}, []any{m, actors[0].ID, "anchor", "", base})
		}
	}
	if err := tx.InsertRows(ctx, "approvals", []string{"measure_id", "actor_id", "decision", "reason", "created_at"}, approvalRows); err != nil {
		return got, err
	}
	return got, nil
}

func organisations() []string {
	out := []string{"Fjordvik kommune, boligkontoret", "Fjordvik kommune, helse og omsorg", "NAV Fjordvik", "Husbanken", "Kirkens Bymisjon",
		"Frelsesarmeen", "Mental Helse", "FFO", "Leieboerforeningen", "Utleierforeningen", "Eldrerådet", "Ungdomsrådet", "Rådet for personer med funksjonsnedsettelse"}
	for i := 1; len(out) < 60; i++ {
		out = append(out, fmt.Sprintf("Borettslag %d", i))
	}
	return out
}

var (
	firstNames = []string{"Anne", "Arne", "Bjørn", "Camilla", "Eirik", "Elin", "Geir", "Hilde", "Ingrid", "Jonas", "Kari", "Kjetil",
		"Linn", "Marte", "Maria", "Nils", "Ola", "Randi", "Samira", "Sigrid", "Tone", "Trond", "Yusuf", "Åse"}
	lastNames = []string{"Berg", "Dahl", "Eide", "Haugen", "Hansen", "Johansen", "Larsen", "Lie", "Moen", "Nilsen", "Olsen",
		"Pedersen", "Solberg", "Strand", "Søreide", "Tveit", "Aas", "Haddad", "Nguyen", "Ali"}
	subjects = []string{"Kommunen", "NAV", "Boligkontoret", "Helse og omsorg", "Kommunen og Husbanken", "Bo-oppfølgingstjenesten", "Eiendomsavdelingen"}
	verbs    = []string{"bør tilby", "må opprette", "kan prøve ut", "skal innføre", "bør styrke", "må samordne", "kan utvide"}
	objects  = []string{"flere utleieboliger for unge", "startlån til barnefamilier", "bo-oppfølging hjemme", "en digital søknad om bostøtte",
		"faste kontaktpersoner for leietakere", "akuttplasser med oppfølging", "informasjon på flere språk", "Housing First-plasser",
		"tilskudd til tilpasning av bolig", "et boligsosialt team", "samarbeid med private utleiere", "leie-til-eie"}
	places = []string{"i sentrum", "i hele kommunen", "for personer med rusutfordringer", "for flyktninger", "for eldre", "for barnefamilier", ""}
	units  = []string{"Boligkontoret", "NAV Fjordvik", "Helse og omsorg", "Eiendomsavdelingen", "Plan og bygg"}
)

// sentence is a suggestion-like text.
func sentence(r *rand.Rand) string {
	s := subjects[r.IntN(len(subjects))] + " " + verbs[r.IntN(len(verbs))] + " " + objects[r.IntN(len(objects))]
	if p := places[r.IntN(len(places))]; p != "" {
		s += " " + p
	}
	return s + "."
}

// measureText is a measure-like text with a number and a deadline.
func measureText(r *rand.Rand) string {
	return strings.TrimSuffix(units[r.IntN(len(units))]+" etablerer "+fmt.Sprint(2+r.IntN(40))+" "+objects[r.IntN(len(objects))], ".")
}
