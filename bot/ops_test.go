package bot_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/bot/bottest"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/intaketest"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// connecting is a recording adapter whose connection the test switches.
type connecting struct {
	*bottest.Recorder
	mu   sync.Mutex
	down error
}

var _ bot.HealthChecker = (*connecting)(nil)

func (c *connecting) Healthy() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.down
}

func (c *connecting) set(err error) {
	c.mu.Lock()
	c.down = err
	c.mu.Unlock()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

func TestHealthzNeedsTheStoreAndConnectedAdapters(t *testing.T) {
	t.Parallel()
	storetest.EachBackend(t, func(t *testing.T, b storetest.Backend) {
		storetest.Open(t, b.URL) // migrated
		st, err := store.Open(context.Background(), b.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		slack := &connecting{Recorder: bottest.NewRecorder(bot.Slack), down: errors.New("socket mode connecting")}
		// The recorder has no health of its own: it counts as connected.
		console := bottest.NewRecorder(bot.Console)
		bt := bot.New(st, echo(1), bot.Config{}, slack, console)
		srv := httptest.NewServer(bot.OpsHandler(bt, prometheus.NewRegistry(), nil))
		defer srv.Close()

		code, body := get(t, srv.URL+"/healthz")
		if code != http.StatusServiceUnavailable || body != "store: ok\nconsole: ok\nslack: socket mode connecting\n" {
			t.Errorf("before slack connects: /healthz = %d %q; want 503 naming slack", code, body)
		}
		slack.set(nil)
		code, body = get(t, srv.URL+"/healthz")
		if code != http.StatusOK || body != "store: ok\nconsole: ok\nslack: ok\n" {
			t.Errorf("connected: /healthz = %d %q; want 200", code, body)
		}
		if code, body := get(t, srv.URL+"/livez"); code != http.StatusOK || body != "ok\n" {
			t.Errorf("/livez = %d %q", code, body)
		}

		st.Close()
		code, body = get(t, srv.URL+"/healthz")
		if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "store: store: ping") || !strings.HasSuffix(body, "console: ok\nslack: ok\n") {
			t.Errorf("store closed: /healthz = %d %q; want 503 naming the store", code, body)
		}
		if code, _ := get(t, srv.URL+"/livez"); code != http.StatusOK {
			t.Errorf("store closed: /livez = %d; the process is alive", code)
		}
	})
}

// scrape reads /metrics as Prometheus would.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, url+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d\n%s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus text: %v\n%s", err, body)
	}
	return families
}

// value is the value of the series of a family with the labels (name,
// value pairs); ok is false when there is no such series.
func value(families map[string]*dto.MetricFamily, name string, labels ...string) (v float64, ok bool) {
	f := families[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

func TestMetricsCountEventsSendsAndTheBacklog(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := storetest.LoadExample(t, s, nil)
		reg := prometheus.NewRegistry()
		h := bottest.NewHarnessWith(t, s, intake.New(nil), bot.Console, p.Key, bot.Config{Metrics: bot.NewMetrics(reg, s)})
		srv := httptest.NewServer(bot.OpsHandler(h.Bot, reg, nil))
		defer srv.Close()

		want := func(families map[string]*dto.MetricFamily, v float64, name string, labels ...string) {
			t.Helper()
			got, ok := value(families, name, labels...)
			if !ok || got != v {
				t.Errorf("%s%q = %v (present %v), want %v", name, labels, got, ok, v)
			}
		}
		// Before anything happens the platform's series are there, at zero.
		m := scrape(t, srv.URL)
		want(m, 0, "dugnad_sends_total", "platform", "console", "outcome", "ok")
		want(m, 0, "dugnad_events_duplicate_total", "platform", "console")
		want(m, 0, "dugnad_outbox_pending", "platform", "console")
		want(m, 0, "dugnad_dialogs_in_progress")
		want(m, 0, "dugnad_hearings_open")

		// The first reply is refused once with a 429, then goes out.
		var limited, refused atomic.Int32
		h.Rec.SendHook = func(bot.Message) error {
			if limited.Add(1) == 1 {
				return &bot.RetryAfterError{After: 5 * time.Millisecond, Err: errors.New("429 Too Many Requests")}
			}
			return nil
		}
		h.Say("ext-nav-jonas", "hei")
		// An event delivered twice has effect once.
		ev := h.Event("ext-nav-jonas", bot.KindMessage)
		ev.Text = "hei igjen"
		h.Send(ev)
		h.Send(ev)
		// Replies the platform will never take.
		h.Rec.SendHook = func(bot.Message) error {
			refused.Add(1)
			return bot.Permanent(errors.New("channel_not_found"))
		}
		help := h.Event("ext-ffo", bot.KindCommand)
		help.Command = "hjelp"
		h.Send(help)
		h.Rec.SendHook = nil
		// A message for a platform this process does not serve waits.
		err := s.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Enqueue(ctx, store.OutboxMessage{PlanID: p.ID, Platform: bot.Discord, Channel: "1190000000000000202", Payload: []byte(`{}`)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // for an age above zero

		m = scrape(t, srv.URL)
		ok := float64(len(h.Rec.Messages("")))
		if ok == 0 || refused.Load() == 0 {
			t.Fatalf("%v messages delivered, %v refused; the test needs both", ok, refused.Load())
		}
		want(m, 3, "dugnad_events_received_total", "platform", "console", "kind", "message")
		want(m, 1, "dugnad_events_received_total", "platform", "console", "kind", "command")
		want(m, 2, "dugnad_events_applied_total", "platform", "console", "kind", "message")
		want(m, 1, "dugnad_events_applied_total", "platform", "console", "kind", "command")
		want(m, 1, "dugnad_events_duplicate_total", "platform", "console")
		want(m, 0, "dugnad_events_failed_total", "platform", "console")
		want(m, ok, "dugnad_sends_total", "platform", "console", "outcome", "ok")
		want(m, 1, "dugnad_sends_total", "platform", "console", "outcome", "retry")
		want(m, float64(refused.Load()), "dugnad_sends_total", "platform", "console", "outcome", "failed")
		want(m, 1, "dugnad_rate_limited_total", "platform", "console")
		want(m, 0, "dugnad_outbox_pending", "platform", "console")
		want(m, 0, "dugnad_outbox_oldest_age_seconds", "platform", "console")
		want(m, 1, "dugnad_outbox_pending", "platform", "discord")
		if age, _ := value(m, "dugnad_outbox_oldest_age_seconds", "platform", "discord"); age <= 0 || age > 60 {
			t.Errorf("age of the waiting discord message = %v s", age)
		}
		// Both actors who wrote have a dialog, neither finished.
		want(m, 2, "dugnad_dialogs_in_progress")
		want(m, 0, "dugnad_hearings_open")

		intaketest.MakeMeasures(t, s, p, 1)
		deadline := time.Now().AddDate(0, 0, 14).Format("2.1.2006")
		if reply := h.Say("pl-ingrid", "høring åpne alle frist "+deadline); !strings.Contains(reply.Text, "er åpnet") {
			t.Fatalf("opening the hearing was answered %q", reply.Text)
		}
		m = scrape(t, srv.URL)
		want(m, 1, "dugnad_hearings_open")
		want(m, 4, "dugnad_events_received_total", "platform", "console", "kind", "message")
	})
}
