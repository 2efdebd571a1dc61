package intaketest

import (
	"context"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
)

// Phase3 is what ScriptPhase3 made, by name.
type Phase3 struct {
	Suggestions []store.Suggestion
	Measures    map[string]store.Measure // "approved", "returned", "anchored", "heard", "on_hearing", "draft"
	Hearings    []store.Hearing
}

// ScriptPhase3 plays a small phase 3 on the example plan through the store,
// the same way every time: invitations, suggestions from several actors
// (one of whom then removes their name), measures made of them, a closed
// hearing with votes and comments, the steering group's approval and
// return, an anchoring, a second hearing still open, and a draft.
func ScriptPhase3(t testing.TB, st *store.Store, plan store.Plan) Phase3 {
	t.Helper()
	ctx := context.Background()
	out := Phase3{Measures: map[string]store.Measure{}}
	err := st.InTx(ctx, func(tx *store.Tx) error {
		actor := func(key string) store.Actor {
			a, err := tx.ActorByKey(ctx, plan.ID, key)
			if err != nil {
				t.Fatalf("actor %s: %v", key, err)
			}
			return a
		}
		strategy := func(key string) store.Strategy {
			s, err := tx.StrategyByKey(ctx, plan.ID, key)
			if err != nil {
				t.Fatalf("strategy %s: %v", key, err)
			}
			return s
		}
		leader := actor("pl-ingrid")
		by := store.By{ActorID: leader.ID, Label: "script"}

		batch, err := tx.CreateInvitationBatch(ctx, by, store.InvitationBatch{PlanID: plan.ID, InvitedBy: leader.ID, ReplyPlatform: store.ConsolePlatform, ReplyChannel: "dm:pl-ingrid", ReplyLanguage: store.Bokmal})
		if err != nil {
			return err
		}
		for _, key := range []string{"ext-nav-jonas", "ext-ffo", "ext-bymisjon", "ext-boligstiftelse", "ext-eldrerad"} {
			if _, _, err := tx.CreateInvitation(ctx, by, store.Invitation{PlanID: plan.ID, ActorID: actor(key).ID, BatchID: batch.ID, Platform: store.ConsolePlatform}); err != nil {
				return err
			}
		}
		if _, err := tx.MarkInvitation(ctx, by, actor("ext-eldrerad").ID, store.MarkDeclined); err != nil {
			return err
		}

		type sug struct {
			actor, strategy string
			question        int
			text            string
			basis           store.Basis
			who             store.WhoActs
		}
		for _, s := range []sug{
			{"ext-nav-jonas", "S3", 1, "Et felles kontaktpunkt i NAV og boligkontoret for husholdninger med husleierestanse.", store.BasisMust, store.WhoTogether},
			{"ext-nav-jonas", "S5", 2, "Flere akuttplasser som ikke er hospits, med oppfølging fra første dag.", store.BasisShould, store.WhoSelf},
			{"ext-ffo", "S4", 1, "Tilskudd til tilpasning av bolig må kunne søkes digitalt og behandles innen tre uker.", store.BasisMust, store.WhoSelf},
			{"ext-ffo", "S4", 4, "Informasjon om startlån og tilskudd på klarspråk og i lettlest versjon.", store.BasisShould, store.WhoSelf},
			{"ext-bymisjon", "S5", 1, "Housing First som fast tilbud, ikke prosjekt, med 15 plasser innen 2028.", store.BasisMust, store.WhoTogether},
			{"ext-bymisjon", "S6", 5, "Faste samarbeidsmøter mellom bo-oppfølging og rustjenesten hver måned.", store.BasisWill, store.WhoTogether},
			{"ext-boligstiftelse", "S2", 3, "Prioriter kjøp av mindre leiligheter spredt i ordinære bomiljø.", store.BasisShould, store.WhoOthers},
			{"ext-boligstiftelse", "S1", 1, "Leie-til-eie for barnefamilier som har hatt kommunal bolig i mer enn tre år.", store.BasisCan, store.WhoTogether},
			{"pg-samira", "S7", 6, "Kurs for ansatte i barnevern og NAV om boligsosiale virkemidler.", store.BasisShould, store.WhoSelf},
		} {
			a := actor(s.actor)
			filed, err := tx.FileSuggestion(ctx, store.By{ActorID: a.ID, Label: "script"}, store.Suggestion{PlanID: plan.ID, StrategyID: strategy(s.strategy).ID,
				Question: s.question, Text: s.text, Language: store.Bokmal, ActorID: a.ID, Basis: s.basis, WhoActs: s.who,
				Source: store.SourceRef{Platform: store.ConsolePlatform}})
			if err != nil {
				return err
			}
			out.Suggestions = append(out.Suggestions, filed)
		}
		// The housing foundation's leader removes their name.
		if _, err := tx.UnlinkActor(ctx, by, actor("ext-boligstiftelse")); err != nil {
			return err
		}

		type mk struct {
			name, strategy, text, responsible, deadline string
			from                                        []int
			tasks                                       []string
			basis                                       store.Basis
			who                                         store.WhoActs
		}
		made := map[string]store.Measure{}
		for _, m := range []mk{
			{"approved", "S3", "NAV og boligkontoret oppretter ett felles kontaktpunkt for husholdninger med husleierestanse", "Boligkontoret", "2027-06-01", []int{0}, []string{"tjenester"}, store.BasisMust, store.WhoTogether},
			{"returned", "S5", "Kommunen oppretter 10 akuttplasser med oppfølging fra første dag", "Helse og omsorg", "2027-12-31", []int{1}, nil, store.BasisShould, store.WhoSelf},
			{"anchored", "S4", "Boligkontoret behandler søknader om tilskudd til tilpasning innen tre uker", "Boligkontoret", "2027-03-01", []int{2, 3}, []string{"boligfinansiering"}, store.BasisMust, store.WhoSelf},
			{"heard", "S5", "Kommunen gjør Housing First til et fast tilbud med 15 plasser", "Helse og omsorg", "2028-01-01", []int{4}, nil, store.BasisMust, store.WhoTogether},
			{"on_hearing", "S2", "Boligkontoret kjøper 12 mindre leiligheter spredt i ordinære bomiljø", "Boligkontoret", "2028-06-30", []int{6}, []string{"fremskaffe"}, store.BasisShould, store.WhoOthers},
			{"draft", "S6", "Styrke samarbeidet mellom bo-oppfølging og rustjenesten", "", "", []int{5}, nil, "", ""},
		} {
			var from []int64
			for _, i := range m.from {
				from = append(from, out.Suggestions[i].ID)
			}
			var tasks []string
			for _, k := range m.tasks {
				tasks = append(tasks, taskKey(t, ctx, tx, plan, k))
			}
			created, err := tx.CreateMeasure(ctx, by, store.Measure{PlanID: plan.ID, StrategyID: strategy(m.strategy).ID, Text: m.text,
				Responsible: m.responsible, Deadline: m.deadline, Basis: m.basis, WhoActs: m.who, CreatedBy: leader.ID}, from, tasks)
			if err != nil {
				return err
			}
			made[m.name] = created
		}

		channel := func(key string) int64 {
			chans, err := tx.Channels(ctx, plan.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range chans {
				if c.Key == key && c.Platform == store.ConsolePlatform {
					return c.ID
				}
			}
			t.Fatalf("no console channel %s", key)
			return 0
		}
		quorum := 0.5
		h1, items, err := tx.OpenHearing(ctx, by, store.Hearing{PlanID: plan.ID, ChannelID: channel("referansegruppe"),
			Deadline: time.Now().Add(time.Hour), Quorum: &quorum, OpenedBy: &leader.ID},
			[]int64{made["approved"].ID, made["returned"].ID, made["anchored"].ID, made["heard"].ID})
		if err != nil {
			return err
		}
		vote := func(item store.HearingItem, key string, c store.VoteChoice) {
			a := actor(key)
			if err := tx.SetVote(ctx, store.By{ActorID: a.ID, Label: "script"}, item.ID, a.ID, c, string(c), store.ConsolePlatform); err != nil {
				t.Fatal(err)
			}
		}
		for _, key := range []string{"ext-nav-jonas", "ext-ffo", "ext-bymisjon", "pg-samira"} {
			vote(items[0], key, store.VoteSupport)
		}
		vote(items[1], "ext-nav-jonas", store.VoteOppose)
		vote(items[1], "ext-ffo", store.VoteUnsure)
		vote(items[2], "ext-ffo", store.VoteSupport)
		vote(items[2], "ext-mental-helse", store.VoteSupport)
		vote(items[2], "ext-bymisjon", store.VoteSupport)
		vote(items[2], "ext-nav-jonas", store.VoteSupport)
		vote(items[3], "ext-bymisjon", store.VoteSupport)
		vote(items[3], "ext-ffo", store.VoteOppose)
		comment := func(item store.HearingItem, key, text string, member bool) {
			c := store.HearingComment{HearingItemID: item.ID, Text: text, IsMember: member, Platform: store.ConsolePlatform, MessageRef: "c-" + key + "-" + text[:8]}
			if a, err := tx.ActorByKey(ctx, plan.ID, key); err == nil {
				c.ActorID.Int64, c.ActorID.Valid, c.AuthorName = a.ID, true, a.Name
			} else {
				c.AuthorName = key
			}
			if _, err := tx.AddHearingComment(ctx, by, c); err != nil {
				t.Fatal(err)
			}
		}
		comment(items[0], "ext-ffo", "Husk at kontaktpunktet må være tilgjengelig for dem som ikke bruker digitale tjenester.", true)
		comment(items[1], "pg-espen", "Hvor skal plassene ligge? Det bør stå i tiltaket.", false)
		comment(items[1], "ext-nav-jonas", "Ti plasser er for lite for en kommune på vår størrelse.", true)
		if _, err := tx.CloseHearing(ctx, by, h1.ID); err != nil {
			return err
		}
		steering := actor("sg-bjorn")
		sby := store.By{ActorID: steering.ID, Label: "script"}
		if _, err := tx.RecordDecision(ctx, sby, made["approved"].ID, store.DecisionApprove, ""); err != nil {
			return err
		}
		if _, err := tx.RecordDecision(ctx, sby, made["returned"].ID, store.DecisionReturn, "Mangler plassering og kostnadsoverslag."); err != nil {
			return err
		}
		if _, err := tx.RecordDecision(ctx, sby, made["anchored"].ID, store.DecisionApprove, ""); err != nil {
			return err
		}
		if _, err := tx.RecordDecision(ctx, by, made["anchored"].ID, store.DecisionAnchor, ""); err != nil {
			return err
		}
		h2, items2, err := tx.OpenHearing(ctx, by, store.Hearing{PlanID: plan.ID, ChannelID: channel("referansegruppe"),
			Deadline: time.Now().Add(72 * time.Hour), OpenedBy: &leader.ID}, []int64{made["on_hearing"].ID})
		if err != nil {
			return err
		}
		vote(items2[0], "ext-nav-jonas", store.VoteUnsure)
		for name, m := range made {
			if out.Measures[name], err = tx.MeasureByID(ctx, m.ID); err != nil {
				return err
			}
		}
		h1, err = tx.HearingByID(ctx, h1.ID)
		out.Hearings = []store.Hearing{h1, h2}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// taskKey finds the central task whose key starts with prefix.
func taskKey(t testing.TB, ctx context.Context, tx *store.Tx, plan store.Plan, prefix string) string {
	t.Helper()
	tasks, err := tx.CentralTasks(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tasks {
		if len(c.Key) >= len(prefix) && c.Key[:len(prefix)] == prefix {
			return c.Key
		}
	}
	t.Fatalf("no central task %s…", prefix)
	return ""
}
