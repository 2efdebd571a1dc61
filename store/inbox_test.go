package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// The inbox keeps one row per event, hands out each conversation's oldest
// only, and a failed event stops holding up its conversation.
func TestInboxRecordsOnceAndClaimsInOrderPerConversation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ev := func(id, conv string) store.InboxEvent {
			return store.InboxEvent{Platform: "slack", EventID: id, Conv: conv, Payload: []byte(`{"id":"` + id + `"}`)}
		}
		if err := s.RecordInbox(ctx, []store.InboxEvent{ev("a1", "A"), ev("b1", "B"), ev("a2", "A")}); err != nil {
			t.Fatal(err)
		}
		// A redelivery while the event waits is not a second row.
		if err := s.RecordInbox(ctx, []store.InboxEvent{ev("a1", "A"), ev("a3", "A")}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PendingInbox(ctx); err != nil || n != 4 {
			t.Fatalf("pending = %d, %v; want 4", n, err)
		}
		claim := func(worker string) []store.InboxEvent {
			got, err := s.ClaimInbox(ctx, worker, time.Minute, 10)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		first := claim("w1")
		if len(first) != 2 || first[0].EventID != "a1" || first[1].EventID != "b1" || string(first[0].Payload) != `{"id":"a1"}` {
			t.Fatalf("first claim = %+v", first)
		}
		if other := claim("w2"); len(other) != 0 {
			t.Fatalf("a second worker claimed %+v while leased", other)
		}
		// Applied: gone, and the conversation's next is due.
		if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.DoneInbox(ctx, first[0].ID) }); err != nil {
			t.Fatal(err)
		}
		next := claim("w2")
		if len(next) != 1 || next[0].EventID != "a2" {
			t.Fatalf("after a1 applied: %+v", next)
		}
		// A retry later keeps the order behind it; a failure lets it go.
		if err := s.RetryInbox(ctx, next[0].ID, time.Now().Add(time.Hour), "boom"); err != nil {
			t.Fatal(err)
		}
		if got := claim("w3"); len(got) != 0 {
			t.Fatalf("claimed %+v behind a deferred event", got)
		}
		if err := s.FailInbox(ctx, next[0].ID, "boom"); err != nil {
			t.Fatal(err)
		}
		if got := claim("w3"); len(got) != 1 || got[0].EventID != "a3" || got[0].Attempts != 0 {
			t.Fatalf("after a2 failed: %+v", got)
		}
		// A dead worker's claims are freed.
		n, err := s.ReleaseClaims(ctx, func(w string) bool { return w == "w1" })
		if err != nil || n != 1 {
			t.Fatalf("released %d, %v; want b1's claim", n, err)
		}
		if got := claim("w4"); len(got) != 1 || got[0].EventID != "b1" {
			t.Fatalf("after w1 died: %+v", got)
		}
		if n, _ := s.PendingInbox(ctx); n != 2 {
			t.Errorf("pending = %d, want 2 (a3, b1; a2 set aside)", n)
		}
	})
}
