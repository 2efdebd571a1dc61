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
	// Run does what is due and reports how many messages it queued.
	Run func(ctx context.Context, env JobEnv) (queued int, err error)
}

// JobEnv is what a job works with.
type JobEnv struct {
	Store *store.Store
	Now   time.Time
	// Worker names this process, for leases.
	Worker string
	// Adapter returns the running adapter of a platform, or nil: for work
	// that reads the platform back (a hearing's reactions and replies).
	Adapter func(platform string) Adapter
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
	for i, j := range b.jobs {
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
				case <-b.kicks[i]:
				}
			}
		}()
	}
	wg.Wait()
}

// kickJobs has every job run now, instead of at its next tick.
func (b *Bot) kickJobs() {
	for _, k := range b.kicks {
		select {
		case k <- struct{}{}:
		default: // a run is already due
		}
	}
}

// JobEnv is what the bot's jobs get when they run at now: for running a
// job's work by hand (tests, the command line).
func (b *Bot) JobEnv(now time.Time) JobEnv {
	return JobEnv{Store: b.store, Now: now, Worker: b.cfg.Worker, Adapter: func(p string) Adapter { return b.adapters[p] }}
}

func (b *Bot) runJob(ctx context.Context, j Job) {
	queued, err := j.Run(ctx, b.JobEnv(time.Now()))
	if err != nil && ctx.Err() == nil {
		b.log.Error("scheduled job failed", "job", j.Name, "err", err)
	}
	if queued > 0 {
		b.log.Info("scheduled job queued messages", "job", j.Name, "messages", queued)
		b.Wake()
	}
}
