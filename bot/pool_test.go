package bot

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestPoolKeepsOrderPerKeyAndFinishesOnClose(t *testing.T) {
	p := NewPool(4, 2)
	var mu sync.Mutex
	got := map[string][]int{}
	for i := 0; i < 50; i++ {
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			if err := p.Submit(context.Background(), k, func() {
				time.Sleep(time.Microsecond * time.Duration(i%3))
				mu.Lock()
				got[k] = append(got[k], i)
				mu.Unlock()
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	p.Close()
	for k, seq := range got {
		if len(seq) != 50 {
			t.Fatalf("%s ran %d of 50", k, len(seq))
		}
		for i, v := range seq {
			if v != i {
				t.Fatalf("%s out of order: %v", k, seq)
			}
		}
	}
	if len(got) != 5 {
		t.Errorf("keys = %d", len(got))
	}
}

func TestPoolSubmitGivesUpWhenContextEnds(t *testing.T) {
	p := NewPool(1, 1)
	block := make(chan struct{})
	p.Submit(context.Background(), "k", func() { <-block })
	p.Submit(context.Background(), "k", func() {}) // fills the queue
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := p.Submit(ctx, "k", func() {}); err == nil {
		t.Error("Submit on a full queue returned nil after its context ended")
	}
	close(block)
	p.Close()
}
