package bot

import (
	"context"
	"hash/fnv"
	"sync"
)

// Pool runs work on a fixed number of goroutines, keeping the order of work
// with the same key (a conversation) while work with different keys runs
// in parallel. Close waits for all submitted work to finish.
type Pool struct {
	queues []chan func()
	wg     sync.WaitGroup
	once   sync.Once
}

// NewPool starts workers goroutines, each with a queue of depth.
func NewPool(workers, depth int) *Pool {
	p := &Pool{queues: make([]chan func(), workers)}
	for i := range p.queues {
		q := make(chan func(), depth)
		p.queues[i] = q
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for fn := range q {
				fn()
			}
		}()
	}
	return p
}

// Submit queues fn behind earlier work with the same key, waiting while the
// queue is full (so a flood slows the reader instead of growing memory).
// It returns ctx's error if ctx ends first. Submit must not be called after
// Close.
func (p *Pool) Submit(ctx context.Context, key string, fn func()) error {
	h := fnv.New32a()
	h.Write([]byte(key))
	select {
	case p.queues[h.Sum32()%uint32(len(p.queues))] <- fn:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking work and waits until everything submitted has run.
func (p *Pool) Close() {
	p.once.Do(func() {
		for _, q := range p.queues {
			close(q)
		}
	})
	p.wg.Wait()
}
