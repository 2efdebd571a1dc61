package digest_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/intake/demo"
	"github.com/kommune-dugnad/dugnad/intake/digest"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// BenchmarkHTMLDigest builds and renders the HTML digest of a seeded plan
// at three sizes (scale 1: 5,000 actors, 50,000 suggestions, 2,000
// measures, 40,000 votes, 10,000 comments), on PostgreSQL when
// DUGNAD_TEST_DATABASE_URL is set, else SQLite. It reports the peak heap
// during a digest and the page's size.
//
//	DUGNAD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench HTMLDigest -benchtime 5x ./intake/digest/
func BenchmarkHTMLDigest(b *testing.B) {
	backend := "sqlite"
	if os.Getenv(storetest.EnvURL) != "" {
		backend = "postgres"
	}
	for _, scale := range []float64{0.25, 0.5, 1} {
		b.Run(fmt.Sprintf("%s/scale=%.2f", backend, scale), func(b *testing.B) {
			ctx := context.Background()
			s := storetest.Open(b, storetest.New(b, backend).URL)
			seedStart := time.Now()
			p, counts, err := demo.Seed(ctx, s, demo.Options{Counts: demo.Scaled(scale), Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("seeded %+v in %s", counts, time.Since(seedStart).Round(time.Millisecond))
			runtime.GC()
			var base runtime.MemStats
			runtime.ReadMemStats(&base)
			var peak atomic.Uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // sample the heap while digests run
				defer wg.Done()
				var m runtime.MemStats
				for {
					select {
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
					runtime.ReadMemStats(&m)
					if m.HeapAlloc > peak.Load() {
						peak.Store(m.HeapAlloc)
					}
				}
			}()
			var size countingWriter
			b.ResetTimer()
			for b.Loop() {
				d, err := digest.Build(ctx, s, p, digest.Options{})
				if err != nil {
					b.Fatal(err)
				}
				size = 0
				if err := d.HTML(io.MultiWriter(io.Discard, &size)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(size)/(1<<20), "page-MB")
		})
	}
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
