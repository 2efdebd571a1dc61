package intake

import (
	"context"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
)

// ExportFormat names the JSON export's version. Fields are added, never
// renamed or removed, within a version.
const ExportFormat = "dugnad-export/1"

// Export is everything phase 3 has gathered for one plan, for backup and
// for other systems: the plan, its people, every suggestion, and the
// measures, hearings and decisions made of them.
type Export struct {
	Format       string             `json:"format"`
	ExportedAt   time.Time          `json:"exported_at"`
	Plan         ExportPlan         `json:"plan"`
	Goals        []ExportGoal       `json:"goals"`
	CentralTasks []ExportTask       `json:"central_tasks"`
	Actors       []ExportActor      `json:"actors"`
	Suggestions  []store.Suggestion `json:"suggestions"`
	Measures     []ExportMeasure    `json:"measures"`
	Hearings     []ExportHearing    `json:"hearings"`
}

// ExportPlan is the plan's own fields.
type ExportPlan struct {
	Key          string         `json:"key"`
	Municipality string         `json:"municipality"`
	Title        string         `json:"title"`
	Language     store.Language `json:"language"`
	Timezone     string         `json:"timezone"`
}

// ExportGoal is a goal with its strategies.
type ExportGoal struct {
	Key        string           `json:"key"`
	Text       string           `json:"text"`
	Strategies []ExportStrategy `json:"strategies"`
}

// ExportStrategy is a strategy.
type ExportStrategy struct {
	Key         string   `json:"key"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Keywords    []string `json:"keywords"`
}

// ExportTask is a central task of the housing and welfare field.
type ExportTask struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// ExportActor is an actor and their groups.
type ExportActor struct {
	Key          string          `json:"key"`
	Name         string          `json:"name"`
	Organisation string          `json:"organisation,omitempty"`
	Kind         store.ActorKind `json:"kind"`
	Source       string          `json:"source"`
	Roles        []store.Role    `json:"roles"`
	ConsentedAt  *time.Time      `json:"consented_at,omitempty"`
}

// ExportMeasure is a measure with the suggestions it came from.
type ExportMeasure struct {
	store.Measure
	Suggestions  []int64          `json:"suggestions"`
	CentralTasks []string         `json:"central_tasks"`
	Decisions    []ExportDecision `json:"decisions"`
}

// ExportDecision is a steering-group decision or an anchoring.
type ExportDecision struct {
	Decision string    `json:"decision"`
	Reason   string    `json:"reason,omitempty"`
	Actor    string    `json:"actor,omitempty"`
	At       time.Time `json:"at"`
}

// ExportHearing is a hearing with each measure's votes and comments.
type ExportHearing struct {
	ID       int64               `json:"id"`
	Channel  string              `json:"channel"`
	Status   string              `json:"status"`
	Deadline time.Time           `json:"deadline"`
	OpenedAt time.Time           `json:"opened_at"`
	ClosedAt *time.Time          `json:"closed_at,omitempty"`
	Items    []ExportHearingItem `json:"items"`
}

// ExportHearingItem is one measure's post on a hearing.
type ExportHearingItem struct {
	Measure    int64           `json:"measure"`
	Platform   string          `json:"platform"`
	MessageRef string          `json:"message_ref,omitempty"`
	Tally      *ExportTally    `json:"tally,omitempty"` // frozen at close
	Votes      []ExportVote    `json:"votes"`
	Comments   []ExportComment `json:"comments"`
}

// ExportTally is a closed hearing's count for one measure.
type ExportTally struct {
	Support int `json:"support"`
	Oppose  int `json:"oppose"`
	Unsure  int `json:"unsure"`
}

// ExportVote is a member's vote.
type ExportVote struct {
	Actor     string    `json:"actor"`
	Choice    string    `json:"choice"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ExportComment is a hearing comment.
type ExportComment struct {
	Actor     string    `json:"actor,omitempty"`
	Author    string    `json:"author"`
	IsMember  bool      `json:"is_member"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// BuildExport reads one plan's phase-3 record.
func BuildExport(ctx context.Context, st *store.Store, planID int64) (Export, error) {
	p, err := st.PlanByID(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	out := Export{Format: ExportFormat, ExportedAt: time.Now().UTC().Truncate(time.Second),
		Plan:  ExportPlan{Key: p.Key, Municipality: p.Municipality, Title: p.Title, Language: p.Language, Timezone: p.Timezone},
		Goals: []ExportGoal{}, CentralTasks: []ExportTask{}, Actors: []ExportActor{},
		Suggestions: []store.Suggestion{}, Measures: []ExportMeasure{}, Hearings: []ExportHearing{}}

	goals, err := st.Goals(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	strategies, err := st.Strategies(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	for _, g := range goals {
		eg := ExportGoal{Key: g.Key, Text: g.Text, Strategies: []ExportStrategy{}}
		for _, s := range strategies {
			if s.GoalID == g.ID {
				eg.Strategies = append(eg.Strategies, ExportStrategy{Key: s.Key, Title: s.Title, Description: s.Description, Keywords: s.Keywords})
			}
		}
		out.Goals = append(out.Goals, eg)
	}
	tasks, err := st.CentralTasks(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	for _, t := range tasks {
		out.CentralTasks = append(out.CentralTasks, ExportTask{Key: t.Key, Name: t.Name})
	}
	actors, err := st.Actors(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	actorKey := map[int64]string{}
	for _, a := range actors {
		roles, err := st.ActorRoles(ctx, a.ID)
		if err != nil {
			return Export{}, err
		}
		if roles == nil {
			roles = []store.Role{}
		}
		actorKey[a.ID] = a.Key
		out.Actors = append(out.Actors, ExportActor{Key: a.Key, Name: a.Name, Organisation: a.Organisation, Kind: a.Kind,
			Source: a.Source, Roles: roles, ConsentedAt: a.ConsentedAt})
	}
	if out.Suggestions, err = st.Suggestions(ctx, planID); err != nil {
		return Export{}, err
	}
	if out.Suggestions == nil {
		out.Suggestions = []store.Suggestion{}
	}
	measures, err := st.Measures(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	for _, m := range measures {
		em := ExportMeasure{Measure: m, Suggestions: []int64{}, Decisions: []ExportDecision{}}
		from, err := st.MeasureSuggestions(ctx, m.ID)
		if err != nil {
			return Export{}, err
		}
		for _, s := range from {
			em.Suggestions = append(em.Suggestions, s.ID)
		}
		if em.CentralTasks, err = st.MeasureTasks(ctx, m.ID); err != nil {
			return Export{}, err
		}
		if em.CentralTasks == nil {
			em.CentralTasks = []string{}
		}
		decisions, err := st.Approvals(ctx, m.ID)
		if err != nil {
			return Export{}, err
		}
		for _, d := range decisions {
			em.Decisions = append(em.Decisions, ExportDecision{Decision: d.Decision, Reason: d.Reason, Actor: actorKey[d.ActorID.Int64], At: d.CreatedAt.UTC()})
		}
		out.Measures = append(out.Measures, em)
	}
	hearings, err := st.Hearings(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	channels, err := st.Channels(ctx, planID)
	if err != nil {
		return Export{}, err
	}
	channelKey := map[int64]string{}
	for _, c := range channels {
		channelKey[c.ID] = c.Key
	}
	for _, h := range hearings {
		eh := ExportHearing{ID: h.ID, Channel: channelKey[h.ChannelID], Status: h.Status, Deadline: h.Deadline.UTC(),
			OpenedAt: h.OpenedAt.UTC(), ClosedAt: h.ClosedAt, Items: []ExportHearingItem{}}
		items, err := st.HearingItems(ctx, h.ID)
		if err != nil {
			return Export{}, err
		}
		for _, it := range items {
			ei := ExportHearingItem{Measure: it.MeasureID, Platform: it.Platform, MessageRef: it.MessageRef, Votes: []ExportVote{}, Comments: []ExportComment{}}
			if it.Support != nil {
				ei.Tally = &ExportTally{Support: *it.Support, Oppose: deref(it.Oppose), Unsure: deref(it.Unsure)}
			}
			votes, err := st.Votes(ctx, it.ID)
			if err != nil {
				return Export{}, err
			}
			for _, v := range votes {
				ei.Votes = append(ei.Votes, ExportVote{Actor: actorKey[v.ActorID], Choice: v.Choice, UpdatedAt: v.UpdatedAt.UTC()})
			}
			comments, err := st.HearingComments(ctx, it.ID)
			if err != nil {
				return Export{}, err
			}
			for _, c := range comments {
				ei.Comments = append(ei.Comments, ExportComment{Actor: actorKey[c.ActorID.Int64], Author: c.AuthorName, IsMember: c.IsMember, Text: c.Text, CreatedAt: c.CreatedAt.UTC()})
			}
			eh.Items = append(eh.Items, ei)
		}
		out.Hearings = append(out.Hearings, eh)
	}
	return out, nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
