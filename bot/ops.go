package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HealthChecker is an adapter that can tell whether it is connected to its
// platform and taking events. An adapter without it counts as healthy.
type HealthChecker interface {
	// Healthy returns nil when the adapter is connected, else an error
	// saying what is not (for an operator to read). It must not block.
	Healthy() error
}

// HealthTimeout bounds the store's ping in a health check.
const HealthTimeout = 2 * time.Second

// Check is one part of the bot's health: "store" or a platform, with nil
// when it is ready.
type Check struct {
	Name string
	Err  error
}

// Health checks the parts the bot needs: the store answers a ping within
// ctx (and HealthTimeout), and each adapter that is a HealthChecker is
// connected. Once shutdown has begun the bot reports itself not ready. The
// checks come in a stable order: "bot", "store", then the platforms by
// name.
func (b *Bot) Health(ctx context.Context) []Check {
	var checks []Check
	if b.stopping.Load() {
		checks = append(checks, Check{Name: "bot", Err: errors.New("shutting down")})
	}
	ctx, cancel := context.WithTimeout(ctx, HealthTimeout)
	defer cancel()
	checks = append(checks, Check{Name: "store", Err: b.store.Ping(ctx)})
	platforms := make([]string, 0, len(b.adapters))
	for p := range b.adapters {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	for _, p := range platforms {
		var err error
		if h, ok := b.adapters[p].(HealthChecker); ok {
			err = h.Healthy()
		}
		checks = append(checks, Check{Name: p, Err: err})
	}
	return checks
}

// OpsHandler serves the operator's endpoints:
//
//	/livez    200 while the process runs
//	/healthz  200 when Health finds every part ready, else 503; the body
//	          has a line per part: "store: ok", "slack: not connected …"
//	/metrics  g in Prometheus's text format
//
// Errors of a scrape (the store not answering) are logged to log and the
// rest of the metrics are still served.
func OpsHandler(b *Bot, g prometheus.Gatherer, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		var body strings.Builder
		status := http.StatusOK
		for _, c := range b.Health(r.Context()) {
			if c.Err != nil {
				status = http.StatusServiceUnavailable
				fmt.Fprintf(&body, "%s: %v\n", c.Name, c.Err)
			} else {
				fmt.Fprintf(&body, "%s: ok\n", c.Name)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		io.WriteString(w, body.String())
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return mux
}
