package bot

import (
	"context"
	"sync"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
)

// Job is scheduled work: reminders, closing hearings at their deadline.
// Several processes may run the same jobs on one database, so a job must
// claim each piece of work in the database (a conditional update, or row
// locks) and do it in the same transaction, so that it is done once.
type Job struct {
	Name  string
	Every time.Duration
	// Run does what is due at now and reports how many messages it queued.
	Run func(ctx context.Context, st *store.Store, now time.Time) (queued int, err error)
}

// Scheduler is a Handler with scheduled work.
type Scheduler interface {
	Jobs() []Job
}

// DeliveryWatcher is a Handler that follows the delivery of the messages it
// gave a Correlation: Delivered is called, in the transaction that records
// that such a message was delivered or given up on, and reports how many
// messages it queued.
type DeliveryWatcher interface {
	Delivered(ctx context.Context, tx *store.Tx, m store.OutboxMessage) (queued int, err error)
}

// runJobs runs each job every its interval until ctx ends, and waits for
// the rounds in progress.
func (b *Bot) runJobs(ctx context.Context) {
	var wg sync.WaitGroup
	for _, j := range b.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				b.runJob(ctx, j)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	wg.Wait()
}

func (b *Bot) runJob(ctx context.Context, j Job) {
	queued, err := j.Run(ctx, b.store, time.Now())
	if err != nil && ctx.Err() == nil {
		b.log.Error("scheduled job failed", "job", j.Name, "err", err)
	}
	if queued > 0 {
		b.log.Info("scheduled job queued messages", "job", j.Name, "messages", queued)
		b.Wake()
	}
}
