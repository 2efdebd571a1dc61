package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func TestStatsCountBacklogDialogsAndHearings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		if st, err := s.Stats(ctx); err != nil || len(st.Outbox) != 0 || st.DialogsInProgress != 0 || st.OpenHearings != 0 {
			t.Fatalf("stats of a fresh plan = %+v, %v; want all zero", st, err)
		}
		actors, err := s.Actors(ctx, p.ID)
		if err != nil || len(actors) < 4 {
			t.Fatalf("actors: %d, %v", len(actors), err)
		}
		channels, err := s.Channels(ctx, p.ID)
		if err != nil || len(channels) == 0 {
			t.Fatalf("channels: %v, %v", channels, err)
		}

		var ids []int64
		var createdFirstPending time.Time
		err = s.InTx(ctx, func(tx *store.Tx) error {
			for _, m := range []store.OutboxMessage{
				{Platform: "slack", Channel: "D1"}, {Platform: "slack", Channel: "D1"},
				{Platform: "slack", Channel: "D2"}, {Platform: "discord", Channel: "9"},
			} {
				m.PlanID, m.Payload = p.ID, []byte(`{}`)
				id, err := tx.Enqueue(ctx, m)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			for i, step := range []string{"question", "paused", "finished", "declined"} {
				state, _ := json.Marshal(map[string]any{"step": step, "prompt": 1})
				d := store.Dialog{PlanID: p.ID, ActorID: actors[i].ID, Platform: "slack", Channel: "D1", State: state}
				if _, err := tx.SaveDialog(ctx, store.System, d, nil, nil); err != nil {
					return err
				}
			}
			strategy, err := tx.StrategyByKey(ctx, p.ID, "S1")
			if err != nil {
				return err
			}
			m, err := tx.CreateMeasure(ctx, store.System, store.Measure{PlanID: p.ID, StrategyID: strategy.ID,
				Text: "Boligkontoret oppretter 20 nye utleieboliger", Responsible: "Boligkontoret", Deadline: "2027-12-31"}, nil, nil)
			if err != nil {
				return err
			}
			_, _, err = tx.OpenHearing(ctx, store.System, store.Hearing{PlanID: p.ID, ChannelID: channels[0].ID,
				Deadline: time.Now().Add(24 * time.Hour)}, []int64{m.ID})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDelivered(ctx, ids[0], "1.1", nil); err != nil {
			t.Fatal(err)
		}
		msgs, err := s.OutboxMessages(ctx, "slack")
		if err != nil {
			t.Fatal(err)
		}
		createdFirstPending = msgs[1].CreatedAt

		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Outbox) != 2 || st.Outbox[0].Platform != "discord" || st.Outbox[0].Pending != 1 ||
			st.Outbox[1].Platform != "slack" || st.Outbox[1].Pending != 2 {
			t.Errorf("outbox stats = %+v; want discord 1, slack 2", st.Outbox)
		}
		if len(st.Outbox) == 2 && !st.Outbox[1].Oldest.Equal(createdFirstPending) {
			t.Errorf("oldest pending slack message queued at %v, want %v (the delivered one does not count)", st.Outbox[1].Oldest, createdFirstPending)
		}
		if st.DialogsInProgress != 2 {
			t.Errorf("dialogs in progress = %d, want 2 (question and paused; not finished or declined)", st.DialogsInProgress)
		}
		if st.OpenHearings != 1 {
			t.Errorf("open hearings = %d, want 1", st.OpenHearings)
		}
	})
}
