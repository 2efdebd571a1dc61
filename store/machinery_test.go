package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

func TestMarkEventProcessedOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mark := func(platform, id string) bool {
			var fresh bool
			if err := s.InTx(ctx, func(tx *store.Tx) error {
				var err error
				fresh, err = tx.MarkEventProcessed(ctx, platform, id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return fresh
		}
		if !mark("slack", "Ev1") {
			t.Error("first delivery not fresh")
		}
		if mark("slack", "Ev1") {
			t.Error("redelivery reported fresh")
		}
		if !mark("discord", "Ev1") {
			t.Error("same ID on another platform is another event")
		}
		// Concurrent deliveries of one event: exactly one is fresh.
		var wg sync.WaitGroup
		var mu sync.Mutex
		freshCount := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.InTx(ctx, func(tx *store.Tx) error {
					fresh, err := tx.MarkEventProcessed(ctx, "slack", "Ev-race")
					if fresh {
						mu.Lock()
						freshCount++
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if freshCount != 1 {
			t.Errorf("%d concurrent deliveries were fresh, want 1", freshCount)
		}
	})
}

func TestSaveDialogDetectsConcurrentChange(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		a, _ := s.ActorByKey(ctx, p.ID, "ext-ffo")
		save := func(d store.Dialog) (store.Dialog, error) {
			var out store.Dialog
			err := s.InTx(ctx, func(tx *store.Tx) error {
				var err error
				out, err = tx.SaveDialog(ctx, store.By{ActorID: a.ID, Label: "test"}, d, nil, map[string]string{"step": "x"})
				return err
			})
			return out, err
		}
		d, err := save(store.Dialog{PlanID: p.ID, ActorID: a.ID, Platform: "console", Channel: "dm:ext-ffo", State: []byte(`{"step":"consent"}`)})
		if err != nil || d.Version != 1 {
			t.Fatalf("create: %+v, %v", d, err)
		}
		if _, err := save(store.Dialog{PlanID: p.ID, ActorID: a.ID, Platform: "console", Channel: "dm:ext-ffo", State: []byte(`{}`)}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second create: %v, want ErrConflict", err)
		}
		stale := d
		d.State = []byte(`{"step":"strategy"}`)
		if d, err = save(d); err != nil || d.Version != 2 {
			t.Fatalf("update: %+v, %v", d, err)
		}
		stale.State = []byte(`{"step":"lost"}`)
		if _, err := save(stale); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale update: %v, want ErrConflict", err)
		}
		got, err := s.DialogByActor(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.State) != `{"step":"strategy"}` {
			t.Errorf("state = %s", got.State)
		}
	})
}

func TestOutboxDeliversInOrderPerChannel(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		err := s.InTx(ctx, func(tx *store.Tx) error {
			for _, ch := range []string{"A", "B", "A", "A", "B"} {
				if _, err := tx.Enqueue(ctx, store.OutboxMessage{Platform: "slack", Channel: ch, Payload: []byte(`{}`)}); err != nil {
					return err
				}
			}
			_, err := tx.Enqueue(ctx, store.OutboxMessage{Platform: "discord", Channel: "A", Payload: []byte(`{}`)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		claim := func(worker string) []store.OutboxMessage {
			got, err := s.ClaimOutbox(ctx, []string{"slack"}, worker, time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		// Only each channel's head is due; another worker gets nothing
		// while those are leased.
		first := claim("w1")
		if len(first) != 2 || first[0].Channel != "A" || first[1].Channel != "B" || first[0].ID != 1 || first[1].ID != 2 {
			t.Fatalf("first claim = %+v", first)
		}
		if other := claim("w2"); len(other) != 0 {
			t.Fatalf("second worker claimed %+v while leased", other)
		}
		// A retry later keeps the channel's order: nothing behind it moves.
		if err := s.MarkRetry(ctx, first[0].ID, time.Now().Add(time.Hour), "429"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDelivered(ctx, first[1].ID, "ts-2", nil); err != nil {
			t.Fatal(err)
		}
		next := claim("w2")
		if len(next) != 1 || next[0].Channel != "B" || next[0].ID != 5 {
			t.Fatalf("after B delivered and A deferred: %+v", next)
		}
		if n, _ := s.PendingOutbox(ctx, "slack"); n != 4 {
			t.Errorf("pending = %d, want 4", n)
		}
		due, err := s.NextOutboxAttempt(ctx, []string{"slack"})
		if err != nil || due.Before(time.Now().Add(-time.Minute)) {
			t.Errorf("next attempt = %v, %v", due, err)
		}
		// A message the platform will never take stops blocking its channel.
		if err := s.MarkFailed(ctx, first[0].ID, "channel_not_found", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDelivered(ctx, next[0].ID, "ts-5", nil); err != nil {
			t.Fatal(err)
		}
		if got := claim("w3"); len(got) != 1 || got[0].ID != 3 {
			t.Fatalf("after A's head failed: %+v", got)
		}
	})
}

func TestHearingFlowKeepsOneVotePerMember(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		a := fileOne(t, s, p, "ext-nav-jonas", "S3", "Depositumsgaranti innen to dager")
		b := fileOne(t, s, p, "ext-utleierforening", "S3", "Faste kontaktpersoner for utleiere")
		st, _ := s.StrategyByKey(ctx, p.ID, "S3")
		leader, _ := s.ActorByKey(ctx, p.ID, "pl-ingrid")
		by := store.By{ActorID: leader.ID, Label: "test"}
		var m store.Measure
		err := s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			m, err = tx.CreateMeasure(ctx, by, store.Measure{PlanID: p.ID, StrategyID: st.ID,
				Text:        "NAV innfører svar på søknad om depositumsgaranti innen to virkedager innen 1. juni 2027.",
				Responsible: "NAV Fjordvik", Deadline: "2027-06-01", Basis: store.BasisShould, WhoActs: store.WhoTogether},
				[]int64{a.ID, b.ID}, []string{"boligfinansiering"})
			return err
		})
		if err != nil || m.Status != store.StatusDraft {
			t.Fatalf("create measure: %+v, %v", m, err)
		}
		if from, _ := s.MeasureSuggestions(ctx, m.ID); len(from) != 2 {
			t.Errorf("measure links %d suggestions, want 2", len(from))
		}
		channels, _ := s.Channels(ctx, p.ID)
		var ref store.Channel
		for _, c := range channels {
			if c.Purpose == store.PurposeReferenceGroup && c.Platform == "slack" {
				ref = c
			}
		}
		var items []store.HearingItem
		var h store.Hearing
		err = s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			h, items, err = tx.OpenHearing(ctx, by, store.Hearing{PlanID: p.ID, ChannelID: ref.ID, Deadline: time.Now().Add(72 * time.Hour), OpenedBy: &leader.ID}, []int64{m.ID})
			return err
		})
		if err != nil || len(items) != 1 {
			t.Fatalf("open hearing: %v", err)
		}
		// Opening another hearing on the same measure is refused.
		err = s.InTx(ctx, func(tx *store.Tx) error {
			_, _, err := tx.OpenHearing(ctx, by, store.Hearing{PlanID: p.ID, ChannelID: ref.ID, Deadline: time.Now().Add(time.Hour)}, []int64{m.ID})
			return err
		})
		var inv *store.InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("second hearing on the same measure: %v", err)
		}
		jonas, _ := s.ActorByKey(ctx, p.ID, "ext-nav-jonas")
		ffo, _ := s.ActorByKey(ctx, p.ID, "ext-ffo")
		vote := func(actor int64, c store.VoteChoice, emoji string) error {
			return s.InTx(ctx, func(tx *store.Tx) error {
				return tx.SetVote(ctx, store.By{ActorID: actor, Label: "test"}, items[0].ID, actor, c, emoji, "slack")
			})
		}
		for _, step := range []struct {
			actor int64
			c     store.VoteChoice
			emoji string
		}{{jonas.ID, store.VoteSupport, "+1"}, {jonas.ID, store.VoteOppose, "-1"}, {ffo.ID, store.VoteUnsure, "thinking_face"}, {ffo.ID, "", ""}, {ffo.ID, store.VoteSupport, "+1"}} {
			if err := vote(step.actor, step.c, step.emoji); err != nil {
				t.Fatal(err)
			}
		}
		votes, _ := s.Votes(ctx, items[0].ID)
		if len(votes) != 2 {
			t.Fatalf("votes = %+v, want one per member", votes)
		}
		closed := false
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			var err error
			closed, err = tx.CloseHearing(ctx, by, h.ID)
			return err
		}); err != nil || !closed {
			t.Fatalf("close: %v, %v", closed, err)
		}
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			again, err := tx.CloseHearing(ctx, by, h.ID)
			if again {
				t.Error("closed twice")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		frozen, _ := s.HearingItems(ctx, h.ID)
		if *frozen[0].Support != 1 || *frozen[0].Oppose != 1 || *frozen[0].Unsure != 0 {
			t.Errorf("tally = %d/%d/%d, want 1/1/0", *frozen[0].Support, *frozen[0].Oppose, *frozen[0].Unsure)
		}
		if err := vote(jonas.ID, store.VoteSupport, "+1"); !errors.As(err, &inv) {
			t.Errorf("vote on a closed hearing: %v", err)
		}
		// Approving needs a heard measure; returning needs a reason.
		err = s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.RecordDecision(ctx, by, m.ID, store.DecisionReturn, "")
			return err
		})
		if !errors.As(err, &inv) {
			t.Errorf("return without reason: %v", err)
		}
		err = s.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.RecordDecision(ctx, by, m.ID, store.DecisionApprove, ""); err != nil {
				return err
			}
			_, err := tx.RecordDecision(ctx, by, m.ID, store.DecisionAnchor, "")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.MeasureByID(ctx, m.ID)
		if got.Status != store.StatusAnchored {
			t.Errorf("status = %s", got.Status)
		}
		if ap, _ := s.Approvals(ctx, m.ID); len(ap) != 2 {
			t.Errorf("approvals = %+v", ap)
		}
		changes, _ := s.AuditLog(ctx, store.AuditFilter{Entity: "measure", EntityID: strconv.FormatInt(m.ID, 10), Action: "measure.status"})
		if len(changes) != 4 { // on hearing, heard, approved, anchored
			t.Errorf("%d status changes audited, want 4", len(changes))
		}
	})
}

func TestReleaseClaimsOfDeadWorkers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			for _, ch := range []string{"A", "B"} {
				if _, err := tx.Enqueue(ctx, store.OutboxMessage{Platform: "console", Channel: ch, Payload: []byte(`{}`)}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ClaimOutbox(ctx, []string{"console"}, "dead", time.Hour, 1); len(got) != 1 {
			t.Fatal("claim for dead failed")
		}
		if got, _ := s.ClaimOutbox(ctx, []string{"console"}, "alive", time.Hour, 1); len(got) != 1 {
			t.Fatal("claim for alive failed")
		}
		n, err := s.ReleaseClaims(ctx, func(w string) bool { return w == "dead" })
		if err != nil || n != 1 {
			t.Fatalf("released %d, %v; want 1", n, err)
		}
		got, _ := s.ClaimOutbox(ctx, []string{"console"}, "new", time.Hour, 10)
		if len(got) != 1 || got[0].Channel != "A" {
			t.Errorf("after release, claimable = %+v; want channel A's message only", got)
		}
	})
}

func TestCursorOnlyMovesForward(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		advance := func(ref string) {
			if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.AdvanceCursor(ctx, "discord", "C1", ref) }); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := s.Cursor(ctx, "discord", "C1"); got != "" {
			t.Errorf("fresh cursor = %q", got)
		}
		for _, ref := range []string{"999999999999999999", "1000000000000000001", "1000000000000000000", "99"} {
			advance(ref)
		}
		if got, _ := s.Cursor(ctx, "discord", "C1"); got != "1000000000000000001" {
			t.Errorf("cursor = %q, want the newest (numerically) ref", got)
		}
	})
}

func TestWatchedChannelsAreIntakeChannelsAndDialogs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := loadExample(t, s)
		a, _ := s.ActorByKey(ctx, p.ID, "ext-ffo")
		if err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.SaveDialog(ctx, store.By{Label: "test"}, store.Dialog{PlanID: p.ID, ActorID: a.ID, Platform: "discord", Channel: "1190000000000000900", State: []byte(`{}`)}, nil, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.WatchedChannels(ctx, "discord")
		if err != nil || strings.Join(got, ",") != "1190000000000000201,1190000000000000900" {
			t.Errorf("watched = %v, %v; want the intake channel and the dialog's DM", got, err)
		}
	})
}

// BenchmarkClaimOutboxBacklog claims from a backlog of 10,000 messages in
// 40 channels, fresh (no ANALYZE yet), as after a burst. The claim must not
// grow with the backlog per message: it once took seconds here.
//
//	go test -run '^$' -bench ClaimOutboxBacklog ./store/
func BenchmarkClaimOutboxBacklog(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			s := storetest.Open(b, storetest.New(b, name).URL)
			ctx := context.Background()
			err := s.InTx(ctx, func(tx *store.Tx) error {
				for i := range 10000 {
					if _, err := tx.Enqueue(ctx, store.OutboxMessage{Platform: "slack", Channel: fmt.Sprintf("C%02d", i%40), Payload: []byte(`{}`)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				got, err := s.ClaimOutbox(ctx, []string{"slack"}, fmt.Sprintf("w%d", i), time.Nanosecond, 16)
				if err != nil || len(got) != 16 {
					b.Fatalf("claimed %d: %v", len(got), err)
				}
			}
		})
	}
}
