package bot

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kommune-dugnad/dugnad/store"
)

// Metrics counts what the bot does, for Prometheus, and reports the
// store's backlog when scraped. Make one with NewMetrics and give it to
// Config.Metrics. A nil *Metrics counts nothing; its methods are safe for
// concurrent use.
type Metrics struct {
	received    *prometheus.CounterVec // platform, kind
	applied     *prometheus.CounterVec // platform, kind
	duplicates  *prometheus.CounterVec // platform
	failed      *prometheus.CounterVec // platform
	sends       *prometheus.CounterVec // platform, outcome
	rateLimited *prometheus.CounterVec // platform
	stats       *statsCollector
}

// Send outcomes, the values of dugnad_sends_total's outcome label.
const (
	SendOK     = "ok"     // the platform took the message
	SendRetry  = "retry"  // not now (a 429, a network error): tried again later
	SendFailed = "failed" // never: the message is given up on
)

// StatsTimeout bounds the store queries of one scrape.
const StatsTimeout = 2 * time.Second

// NewMetrics registers the bot's metrics with reg:
//
//	dugnad_events_received_total{platform,kind}   events the adapters handed to the bot
//	dugnad_events_applied_total{platform,kind}    events recorded the first time, their effects committed
//	dugnad_events_duplicate_total{platform}       redelivered events, dropped
//	dugnad_events_failed_total{platform}          events not recorded (left for the platform to redeliver)
//	dugnad_sends_total{platform,outcome}          send attempts: ok, retry or failed
//	dugnad_rate_limited_total{platform}           429s (Retry-After) from the platform
//
// and, read from st at each scrape (within StatsTimeout):
//
//	dugnad_outbox_pending{platform}               undelivered messages
//	dugnad_outbox_oldest_age_seconds{platform}    age of the oldest undelivered message
//	dugnad_dialogs_in_progress                    actors in the middle of the guiding questions
//	dugnad_hearings_open                          hearings open
//
// The backlog figures count every process on the database.
func NewMetrics(reg prometheus.Registerer, st *store.Store) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "dugnad", Name: name, Help: help}, labels)
	}
	m := &Metrics{
		received:    counter("events_received_total", "Inbound events the adapters handed to the bot.", "platform", "kind"),
		applied:     counter("events_applied_total", "Inbound events recorded for the first time, with their effects committed.", "platform", "kind"),
		duplicates:  counter("events_duplicate_total", "Inbound events seen before (platform redeliveries), dropped.", "platform"),
		failed:      counter("events_failed_total", "Inbound events that could not be recorded; nothing of them was kept.", "platform"),
		sends:       counter("sends_total", "Outgoing message send attempts by outcome: ok, retry or failed.", "platform", "outcome"),
		rateLimited: counter("rate_limited_total", "Requests the platform refused with 429 and a Retry-After.", "platform"),
		stats:       newStatsCollector(st),
	}
	reg.MustRegister(m.received, m.applied, m.duplicates, m.failed, m.sends, m.rateLimited, m.stats)
	return m
}

// serve starts the series of the bot's platforms at zero, so that a rate
// over them is defined before the first event.
func (m *Metrics) serve(platforms []string) {
	if m == nil {
		return
	}
	for _, p := range platforms {
		m.duplicates.WithLabelValues(p)
		m.failed.WithLabelValues(p)
		m.rateLimited.WithLabelValues(p)
		for _, o := range []string{SendOK, SendRetry, SendFailed} {
			m.sends.WithLabelValues(p, o)
		}
	}
	m.stats.serve(platforms)
}

func (m *Metrics) eventReceived(ev Event) {
	if m != nil {
		m.received.WithLabelValues(ev.Platform, string(ev.Kind)).Inc()
	}
}

func (m *Metrics) eventApplied(ev Event) {
	if m != nil {
		m.applied.WithLabelValues(ev.Platform, string(ev.Kind)).Inc()
	}
}

func (m *Metrics) eventDuplicate(ev Event) {
	if m != nil {
		m.duplicates.WithLabelValues(ev.Platform).Inc()
	}
}

func (m *Metrics) eventFailed(ev Event) {
	if m != nil {
		m.failed.WithLabelValues(ev.Platform).Inc()
	}
}

func (m *Metrics) sent(platform, outcome string) {
	if m != nil {
		m.sends.WithLabelValues(platform, outcome).Inc()
	}
}

func (m *Metrics) limited(platform string) {
	if m != nil {
		m.rateLimited.WithLabelValues(platform).Inc()
	}
}

// statsCollector reads the store's figures at each scrape.
type statsCollector struct {
	st                                     *store.Store
	pending, oldest, dialogs, openHearings *prometheus.Desc
	inboxPending, inboxFailed              *prometheus.Desc

	mu        sync.Mutex
	platforms []string // reported at zero when nothing is pending
}

func newStatsCollector(st *store.Store) *statsCollector {
	return &statsCollector{st: st,
		pending: prometheus.NewDesc("dugnad_outbox_pending", "Outgoing messages not yet delivered (nor given up on), by platform.", []string{"platform"}, nil),
		oldest: prometheus.NewDesc("dugnad_outbox_oldest_age_seconds",
			"Age of the oldest undelivered outgoing message, by platform; 0 when none is waiting.", []string{"platform"}, nil),
		dialogs:      prometheus.NewDesc("dugnad_dialogs_in_progress", "Dialogs in progress: actors in the guiding questions who have not submitted or declined.", nil, nil),
		openHearings: prometheus.NewDesc("dugnad_hearings_open", "Hearings open for votes.", nil, nil),
		inboxPending: prometheus.NewDesc("dugnad_inbox_pending", "Inbound events recorded and acknowledged, not yet applied (all processes).", nil, nil),
		inboxFailed:  prometheus.NewDesc("dugnad_inbox_failed", "Inbound events set aside after repeated failures to apply them; kept in the inbox.", nil, nil),
	}
}

func (c *statsCollector) serve(platforms []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.platforms = append(c.platforms, platforms...)
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.oldest
	ch <- c.dialogs
	ch <- c.openHearings
	ch <- c.inboxPending
	ch <- c.inboxFailed
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), StatsTimeout)
	defer cancel()
	st, err := c.st.Stats(ctx)
	if err != nil {
		// The scrape reports the error; the counters are still served.
		for _, d := range []*prometheus.Desc{c.pending, c.oldest, c.dialogs, c.openHearings, c.inboxPending, c.inboxFailed} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	now := time.Now()
	seen := map[string]bool{}
	for _, o := range st.Outbox {
		seen[o.Platform] = true
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(o.Pending), o.Platform)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, max(now.Sub(o.Oldest).Seconds(), 0), o.Platform)
	}
	c.mu.Lock()
	platforms := slices.Clone(c.platforms)
	c.mu.Unlock()
	for _, p := range platforms {
		if !seen[p] {
			seen[p] = true
			ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, 0, p)
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, 0, p)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.dialogs, prometheus.GaugeValue, float64(st.DialogsInProgress))
	ch <- prometheus.MustNewConstMetric(c.openHearings, prometheus.GaugeValue, float64(st.OpenHearings))
	ch <- prometheus.MustNewConstMetric(c.inboxPending, prometheus.GaugeValue, float64(st.InboxPending))
	ch <- prometheus.MustNewConstMetric(c.inboxFailed, prometheus.GaugeValue, float64(st.InboxFailed))
}
