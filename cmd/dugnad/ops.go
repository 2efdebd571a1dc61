package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// newMetrics makes the registry /metrics serves: the bot's metrics, the
// store's backlog, and the Go runtime's and the process's own.
func newMetrics(st *store.Store) (*prometheus.Registry, *bot.Metrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg, bot.NewMetrics(reg, st)
}

// serveOps serves h (/healthz, /livez, /metrics) on addr, a listener of
// its own beside the Slack Events API's, until the returned stop is
// called. An address that cannot be listened on is an error at once.
func serveOps(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("operations endpoints stopped", "err", err)
		}
	}()
	log.Info("operations endpoints listening", "addr", ln.Addr().String(), "paths", "/healthz /livez /metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}
