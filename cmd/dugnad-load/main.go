// Command dugnad-load measures Dugnad under load on PostgreSQL: simulated
// actors go through the guiding-question dialog, in-process (no platform)
// and over the Slack fake, and the tool reports events per second, the
// latency from an event to the bot's reply, and memory; it measures the
// database's own ceiling with pgbench (a one-row insert per transaction at
// the same concurrency) and prints the ratio; it opens many dialogs and
// reports resident memory; and it measures outbound delivery to one busy
// channel against the rate the adapter is allowed.
//
//	go run ./cmd/dugnad-load -db postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// It works in a schema of its own, dropped at the end.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	slackadapter "github.com/kommune-dugnad/dugnad/adapters/slack"
	"github.com/kommune-dugnad/dugnad/adapters/slack/slackfake"
	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/examples"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/planfile"
	"github.com/kommune-dugnad/dugnad/store"
)

func main() {
	dbURL := flag.String("db", envOr("DUGNAD_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL to measure on (a schema of its own is made and dropped)")
	actors := flag.Int("actors", 200, "actors in dialogs at once")
	events := flag.Int("events", 25, "events per actor in each run")
	think := flag.Duration("think", 0, "an actor's mean pause between a reply and its next event (0: none, for the throughput ceiling)")
	modes := flag.String("modes", "inproc,slack", "inproc (no platform) and/or slack (over the Slack fake)")
	dialogs := flag.Int("dialogs", 10000, "dialogs to open for the memory figure (0: skip)")
	pgbenchTime := flag.Duration("pgbench", 10*time.Second, "how long pgbench measures the ceiling (0: skip)")
	busy := flag.Int("busy", 100, "messages sent to one busy channel for the outbound rate (0: skip)")
	busyRate := flag.Float64("busy-rate", 10, "the per-channel rate the Slack adapter is allowed in the busy-channel run (Slack's guidance is 1/s)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the dialog runs to this file")
	inbox := flag.Bool("inbox", true, "record each event and acknowledge it before applying it, as dugnad run does (false: apply before acknowledging)")
	intakeEvents := flag.Int("intake", 20000, "events sent as fast as they are taken, from 20 senders, for the intake rate against pgbench (0: skip)")
	flag.Parse()
	ctx := context.Background()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}

	schemaURL, drop, err := schema(ctx, *dbURL)
	if err != nil {
		fail(err)
	}
	defer drop()
	st, err := store.Open(ctx, schemaURL)
	if err != nil {
		fail(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		fail(err)
	}
	total := max(*actors, *dialogs)
	start := time.Now()
	plan, users, err := loadPlan(ctx, st, total)
	if err != nil {
		fail(err)
	}
	fmt.Printf("plan with %d actors imported in %s\n", total, time.Since(start).Round(time.Millisecond))
	fmt.Printf("machine: %d CPUs, %s\n\n", runtime.NumCPU(), runtime.Version())

	useInbox = *inbox
	fmt.Printf("inbox: %v\n\n", *inbox)
	var inprocEPS, intakeEPS float64
	if *intakeEvents > 0 {
		intakeEPS = runIntake(ctx, st, plan, users[:*actors], *intakeEvents)
	}
	for _, mode := range strings.Split(*modes, ",") {
		switch strings.TrimSpace(mode) {
		case "inproc":
			r := runInProcess(ctx, st, plan, users[:*actors], *events, *think)
			r.print(fmt.Sprintf("in-process (no platform), %d actors, think time %s", *actors, *think))
			if *think == 0 {
				inprocEPS = r.eps
			}
		case "slack":
			r := runSlack(ctx, st, plan, users[:*actors], *events, *think)
			r.print(fmt.Sprintf("over the Slack fake (Socket Mode), %d actors, think time %s", *actors, *think))
		}
	}
	if *pgbenchTime > 0 {
		// The second run at the actors' concurrency, as far as the server
		// takes it beside the bot's own connections.
		wide := *actors
		if n, err := maxConnections(ctx, schemaURL); err == nil && wide > n-30 {
			wide = max(20, n-30)
			fmt.Printf("(pgbench at %d clients, not %d: the server takes %d connections, the bot holds up to 20 of them)\n", wide, *actors, n)
		}
		for _, c := range slices.Compact([]int{20, wide}) {
			tps, err := pgbench(ctx, schemaURL, c, *pgbenchTime)
			if err != nil {
				fmt.Printf("pgbench -c %d: %v\n", c, err)
				continue
			}
			fmt.Printf("pgbench, one-row insert per transaction, %d clients: %.0f tps", c, tps)
			if intakeEPS > 0 {
				fmt.Printf("; intake (events taken) / ceiling = %.2f", intakeEPS/tps)
			}
			if inprocEPS > 0 {
				fmt.Printf("; dialog events answered / ceiling = %.2f", inprocEPS/tps)
			}
			fmt.Println()
		}
		fmt.Println("(the bot holds at most 20 connections to PostgreSQL; pgbench at 20 clients is the like-for-like ceiling)")
		fmt.Println()
	}
	if *dialogs > 0 {
		openDialogs(ctx, st, plan, users[:*dialogs])
	}
	if *busy > 0 {
		busyChannel(ctx, st, plan, *busy, *busyRate)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "dugnad-load:", err)
	os.Exit(1)
}

// schema makes a schema of its own in the database and returns a URL whose
// connections use it, and a function that drops it.
func schema(ctx context.Context, base string) (string, func(), error) {
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		return "", nil, err
	}
	var b [4]byte
	rand.Read(b[:])
	name := "load_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		admin.ExecContext(context.Background(), `DROP SCHEMA `+name+` CASCADE`)
		admin.Close()
	}, nil
}

const team = "T0LOAD"

// loadPlan imports the example plan with n actors of its own, each with a
// Slack account, and returns their keys and Slack IDs.
func loadPlan(ctx context.Context, st *store.Store, n int) (store.Plan, []user, error) {
	f, err := planfile.Parse(examples.FjordvikName, examples.Fjordvik)
	if err != nil {
		return store.Plan{}, nil, err
	}
	spec := f.Spec
	spec.Key, spec.Workspaces, spec.Channels = "load", []store.Workspace{{Platform: bot.Slack, ID: team}}, []store.ChannelSpec{
		{Key: "busy", Purpose: store.PurposeProjectGroup, Platform: bot.Slack, Channel: "C0BUSY"}}
	spec.Actors = nil
	var users []user
	for i := range n {
		u := user{key: fmt.Sprintf("ld-%05d", i+1), slack: fmt.Sprintf("U0LD%05d", i+1)}
		users = append(users, u)
		spec.Actors = append(spec.Actors, store.ActorSpec{Key: u.key, Name: fmt.Sprintf("Aktør %d", i+1), Organisation: fmt.Sprintf("Org %d", i%40),
			Kind: store.External, Identities: []store.Identity{{Platform: bot.Slack, Workspace: team, UserID: u.slack}}})
	}
	spec.Groups = map[store.Role][]string{store.RoleProjectLeader: {users[0].key}}
	var plan store.Plan
	err = st.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ApplyPlan(ctx, store.By{Label: "load"}, spec)
		if err != nil {
			return err
		}
		plan, err = tx.PlanByID(ctx, res.PlanID)
		return err
	})
	return plan, users, err
}

type user struct{ key, slack string }

// tracker follows, per actor, how many replies the bot decided on (counted
// as the handler returns them) and how many were delivered.
type tracker struct {
	mu        sync.Mutex
	cond      *sync.Cond
	expected  map[string]int
	handled   map[string]int
	delivered map[string]int
	last      map[string]delivered
	first     map[string]time.Time // the first reply since the actor's last event
}

type delivered struct {
	at      time.Time
	choices []bot.Choice
	ts      string // Slack: the message's ts (for a button click)
	actions []string
}

func newTracker() *tracker {
	t := &tracker{expected: map[string]int{}, handled: map[string]int{}, delivered: map[string]int{}, last: map[string]delivered{},
		first: map[string]time.Time{}}
	t.cond = sync.NewCond(&t.mu)
	return t
}

// wrap counts the replies a handler decides on for the event's user.
func (t *tracker) wrap(h bot.Handler) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
		out, err := h.Handle(ctx, tx, req)
		if err != nil {
			return out, err
		}
		n := 0
		for _, m := range out {
			if m.Replace != "" {
				continue
			}
			if u, ok := bot.DMUser(m.Channel); (ok && u == req.User) || (m.Channel == req.Channel && req.DM) {
				n++
			}
		}
		t.mu.Lock()
		t.expected[req.User] += n
		t.handled[req.User]++
		t.cond.Broadcast()
		t.mu.Unlock()
		return out, nil
	})
}

// sending notes that the actor is about to send an event.
func (t *tracker) sending(user string) {
	t.mu.Lock()
	delete(t.first, user)
	t.mu.Unlock()
}

func (t *tracker) deliver(user string, d delivered) {
	t.mu.Lock()
	if _, ok := t.first[user]; !ok {
		t.first[user] = d.at
	}
	t.delivered[user]++
	t.last[user] = d
	t.cond.Broadcast()
	t.mu.Unlock()
}

// await waits until the actor's event number k (from 1) was handled and
// all its replies delivered; it returns when the first reply after sent
// arrived.
func (t *tracker) await(user string, k int, sent time.Time, timeout time.Duration) (first time.Time, last delivered, ok bool) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { t.mu.Lock(); t.cond.Broadcast(); t.mu.Unlock() })
	defer timer.Stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.handled[user] < k || t.delivered[user] < t.expected[user] {
		if time.Now().After(deadline) {
			return time.Time{}, t.last[user], false
		}
		t.cond.Wait()
	}
	first = t.first[user]
	if first.Before(sent) {
		first = sent // a reply to the previous event, late: no latency to speak of
	}
	return first, t.last[user], true
}

// result is one run's figures.
type result struct {
	events     int
	elapsed    time.Duration
	eps        float64
	latencies  []time.Duration // event to its first reply
	timeouts   int
	heapPeakMB float64
	rssPeakMB  float64
	limiter    time.Duration // time spent waiting for the platform's rate limit (Slack)
}

func (r result) print(title string) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	q := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))].Round(100 * time.Microsecond)
	}
	fmt.Printf("%s: %d events in %s = %.0f events/s; event→reply p50 %s, p99 %s, max %s; %d timeouts; peak heap %.0f MB, peak RSS %.0f MB\n",
		title, r.events, r.elapsed.Round(time.Millisecond), r.eps, q(0.5), q(0.99), q(1), r.timeouts, r.heapPeakMB, r.rssPeakMB)
	if r.limiter > 0 {
		fmt.Printf("  (waits for Slack's per-channel rate limit, excluded above: %s in all)\n", r.limiter.Round(time.Millisecond))
	}
	fmt.Println()
}

// inprocAdapter is a platform that delivers at once and tells the tracker.
type inprocAdapter struct{ t *tracker }

func (a *inprocAdapter) Platform() string { return bot.Console }
func (a *inprocAdapter) Run(ctx context.Context, _ bot.Sink) error {
	<-ctx.Done()
	return nil
}
func (a *inprocAdapter) Send(_ context.Context, m bot.Message) (string, error) {
	if m.Replace != "" {
		return m.Replace, nil
	}
	u, ok := bot.DMUser(m.Channel)
	if !ok {
		u = strings.TrimPrefix(m.Channel, "dm:")
	}
	a.t.deliver(u, delivered{at: time.Now(), choices: m.Choices})
	return "out-" + strconv.FormatInt(time.Now().UnixNano(), 36), nil
}

// answers are what the simulated actors write.
var answers = []string{
	"Flere utleieboliger for unge i sentrum, med fast kontaktperson i boligkontoret.",
	"NAV og boligkontoret bør samarbeide om startlån til barnefamilier.",
	"Bo-oppfølging hjemme for personer med rusutfordringer, hver uke det første året.",
	"Informasjon om bostøtte på flere språk og i lettlest versjon.",
}

// runInProcess drives the actors through the bot core directly.
func runInProcess(ctx context.Context, st *store.Store, plan store.Plan, users []user, events int, think time.Duration) result {
	tr := newTracker()
	a := &inprocAdapter{t: tr}
	b := bot.New(st, tr.wrap(intake.New(nil)), bot.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond, Inbox: useInbox}, a)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	var seq atomic.Int64
	return drive(users, events, think, tr, func(u user) string { return u.key }, func(u user, k int, last delivered) error {
		ev := bot.Event{ID: "load-" + strconv.FormatInt(seq.Add(1), 10), Platform: bot.Console, Workspace: plan.Key,
			Channel: "dm:" + u.key, DM: true, User: u.key, UserName: u.key, At: time.Now()}
		ev.MessageRef = ev.ID
		if len(last.choices) > 0 && k%7 != 0 {
			ev.Kind, ev.Choice = bot.KindChoice, last.choices[0].ID
		} else {
			ev.Kind, ev.Text = bot.KindMessage, answers[k%len(answers)]
		}
		return b.Handle(ctx, ev)
	})
}

// useInbox is -inbox: whether the bots record events before applying them.
var useInbox bool

// runIntake sends n events from 20 senders (the bot's database pool, and
// pgbench's like-for-like concurrency), each as soon as the one before
// was taken: recorded and acknowledged with -inbox, handled without. It
// reports how fast they were taken, and how long applying them all took.
func runIntake(ctx context.Context, st *store.Store, plan store.Plan, users []user, n int) float64 {
	tr := newTracker()
	b := bot.New(st, intake.New(nil), bot.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond, Inbox: useInbox},
		&inprocAdapter{t: tr})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { cancel(); <-done }()

	const senders = 20
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				u := users[int(i)%len(users)]
				ev := bot.Event{ID: "intake-" + strconv.FormatInt(i, 10), Platform: bot.Console, Workspace: plan.Key,
					Channel: "dm:" + u.key, DM: true, User: u.key, UserName: u.key, Kind: bot.KindMessage,
					Text: answers[int(i)%len(answers)], At: time.Now()}
				ev.MessageRef = ev.ID
				if err := b.Handle(ctx, ev); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	taken := time.Since(start)
	flushCtx, stop := context.WithTimeout(ctx, 10*time.Minute)
	defer stop()
	if err := b.Flush(flushCtx, bot.Console); err != nil {
		fmt.Fprintln(os.Stderr, "intake: flush:", err)
	}
	applied := time.Since(start)
	eps := float64(n) / taken.Seconds()
	fmt.Printf("intake, %d events from %d senders as fast as they are taken: taken in %s = %.0f events/s (%d failed); all applied and answered after %s = %.0f events/s\n\n",
		n, senders, taken.Round(time.Millisecond), eps, failed.Load(), applied.Round(time.Millisecond), float64(n)/applied.Seconds())
	return eps
}

// drive runs each actor's events one after another, each sent by send once
// the replies to the one before are in, and measures.
func drive(users []user, events int, think time.Duration, tr *tracker, id func(user) string, send func(u user, k int, last delivered) error) result {
	mem := sampleMemory()
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	start := time.Now()
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last delivered
			// With think time, actors join as people do, not all in the
			// same millisecond: each first pauses as between two events.
			// (Without it, all start at once: the throughput ceiling.)
			if think > 0 {
				time.Sleep(time.Duration(mrand.Int64N(int64(think))))
			}
			for k := 1; k <= events; k++ {
				tr.sending(id(u))
				sent := time.Now()
				if err := send(u, k, last); err != nil {
					fmt.Fprintln(os.Stderr, "send:", err)
					return
				}
				first, l, ok := tr.await(id(u), k, sent, 10*time.Second)
				mu.Lock()
				res.events++
				if ok {
					res.latencies = append(res.latencies, first.Sub(sent))
				} else {
					res.timeouts++
				}
				mu.Unlock()
				last = l
				pause(think)
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.eps = float64(res.events) / res.elapsed.Seconds()
	res.heapPeakMB, res.rssPeakMB = mem()
	return res
}

// runSlack drives the actors over the Slack fake: their messages and
// button clicks go through Socket Mode, the replies are read from the
// fake's record of chat.postMessage.
func runSlack(ctx context.Context, st *store.Store, plan store.Plan, users []user, events int, think time.Duration) result {
	tb := &loadTB{}
	defer tb.cleanup()
	fake := slackfake.New(tb, slackfake.Config{TeamID: team, PingInterval: time.Second})
	for _, u := range users {
		fake.AddUser(slackfake.User{ID: u.slack, Name: u.key, RealName: u.key})
	}
	cfg := fake.Config()
	// The per-channel limit is raised so that the latency is the bot's;
	// each actor's channel is its own DM, well under Slack's 1/s anyway
	// at one reply per event, but a reply of two messages would wait.
	a := slackadapter.New(slackadapter.Config{BotToken: cfg.BotToken, AppToken: cfg.AppToken, APIURL: fake.APIURL(), ChannelRate: 1000,
		Logger: slog.New(slog.DiscardHandler)})
	tr := newTracker()
	b := bot.New(st, tr.wrap(intake.New(nil)), bot.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond, Inbox: useInbox}, a)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	if !fake.WaitConnected(1, 10*time.Second) {
		fail(fmt.Errorf("the Slack adapter did not connect to the fake"))
	}
	bySlack := map[string]string{}
	for _, u := range users {
		bySlack["D"+u.slack] = u.slack
	}
	// Read the bot's posts as they come.
	stop := make(chan struct{})
	var readerDone sync.WaitGroup
	readerDone.Add(1)
	go func() {
		defer readerDone.Done()
		seen := 0
		for {
			for _, p := range fake.PostsFrom(seen) {
				seen++
				if u, ok := bySlack[p.Channel]; ok {
					tr.deliver(u, delivered{at: time.Now(), ts: p.TS, actions: actionIDs(p.Blocks)})
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(500 * time.Microsecond):
			}
		}
	}()
	defer func() { close(stop); readerDone.Wait() }()

	return drive(users, events, think, tr, func(u user) string { return u.slack }, func(u user, k int, last delivered) error {
		if len(last.actions) > 0 && k%7 != 0 {
			fake.SendEvent(slackfake.Interactive, fake.BlockActionsPayload(slackfake.BlockActionParams{
				ActionID: last.actions[0], Channel: "D" + u.slack, MessageTS: last.ts, User: u.slack}))
		} else {
			fake.SendEvent(slackfake.EventsAPI, fake.MessageEvent(slackfake.MessageParams{User: u.slack, Text: answers[k%len(answers)]}))
		}
		return nil
	})
}

// pause waits about d (between half and one and a half times it), as a
// person reading and typing would.
func pause(d time.Duration) {
	if d > 0 {
		time.Sleep(d/2 + time.Duration(mrand.Int64N(int64(d))))
	}
}

var actionPattern = regexp.MustCompile(`"action_id":"([^"]+)"`)

func actionIDs(blocks json.RawMessage) []string {
	var out []string
	for _, m := range actionPattern.FindAllStringSubmatch(string(blocks), -1) {
		out = append(out, m[1])
	}
	return out
}

// sampleMemory samples the heap and resident size until the returned
// function is called, which reports the peaks in MB.
func sampleMemory() func() (float64, float64) {
	var peakHeap, peakRSS atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peakHeap.Load() {
				peakHeap.Store(m.HeapAlloc)
			}
			if r := rss(); r > peakRSS.Load() {
				peakRSS.Store(r)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() (float64, float64) {
		close(stop)
		<-done
		return float64(peakHeap.Load()) / (1 << 20), float64(peakRSS.Load()) / (1 << 20)
	}
}

// rss is the process's resident size in bytes (Linux), 0 elsewhere.
func rss() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// openDialogs opens a dialog for each actor (a greeting and consent) and
// reports the process's resident size with them all open.
func openDialogs(ctx context.Context, st *store.Store, plan store.Plan, users []user) {
	tr := newTracker()
	a := &inprocAdapter{t: tr}
	b := bot.New(st, tr.wrap(intake.New(nil)), bot.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 50 * time.Millisecond}, a)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	runtime.GC()
	before := rss()
	mem := sampleMemory()
	start := time.Now()
	var seq atomic.Int64
	var wg sync.WaitGroup
	work := make(chan user)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				for k, kind := range []bot.Kind{bot.KindMessage, bot.KindChoice} {
					ev := bot.Event{ID: "open-" + strconv.FormatInt(seq.Add(1), 10), Platform: bot.Console, Workspace: plan.Key,
						Channel: "dm:" + u.key, DM: true, User: u.key, Kind: kind, Text: "hei", At: time.Now()}
					if kind == bot.KindChoice {
						tr.mu.Lock()
						if cs := tr.last[u.key].choices; len(cs) > 0 {
							ev.Choice = cs[0].ID
						}
						tr.mu.Unlock()
					}
					if err := b.Handle(ctx, ev); err != nil {
						fmt.Fprintln(os.Stderr, "handle:", err)
						return
					}
					tr.await(u.key, k+1, time.Now(), 10*time.Second)
				}
			}
		}()
	}
	for _, u := range users {
		work <- u
	}
	close(work)
	wg.Wait()
	open := countDialogs(ctx, st, plan)
	runtime.GC()
	heap, peak := mem()
	fmt.Printf("%d dialogs open (%d in the database) after %s: resident %.0f MB (peak %.0f MB, heap peak %.0f MB; %.0f MB before)\n\n",
		len(users), open, time.Since(start).Round(time.Millisecond), float64(rss())/(1<<20), peak, heap, float64(before)/(1<<20))
}

func countDialogs(ctx context.Context, st *store.Store, plan store.Plan) int {
	n := -1
	st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountDialogs(ctx, plan.ID)
		return err
	})
	return n
}

// busyChannel sends n messages to one channel over the Slack fake with
// the adapter allowed rate per second, and reports the rate achieved; a
// share of the sends is answered with 429, which must all be handled.
func busyChannel(ctx context.Context, st *store.Store, plan store.Plan, n int, rate float64) {
	tb := &loadTB{}
	defer tb.cleanup()
	fake := slackfake.New(tb, slackfake.Config{TeamID: team, Channels: []string{"C0BUSY"}, PingInterval: time.Second})
	cfg := fake.Config()
	a := slackadapter.New(slackadapter.Config{BotToken: cfg.BotToken, AppToken: cfg.AppToken, APIURL: fake.APIURL(), ChannelRate: rate,
		Logger: slog.New(slog.DiscardHandler)})
	b := bot.New(st, intake.New(nil), bot.Config{Logger: slog.New(slog.DiscardHandler), PollInterval: 20 * time.Millisecond}, a)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	if !fake.WaitConnected(1, 10*time.Second) {
		fail(fmt.Errorf("the Slack adapter did not connect to the fake"))
	}
	for _, limited := range []bool{false, true} {
		if limited {
			fake.SetRateLimit(slackfake.RateLimit{Fraction: 0.05, RetryAfter: 1, Seed: 3})
		}
		before := len(fake.Posts())
		limitedBefore := fake.RateLimited()
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for i := range n {
				if err := bot.Enqueue(ctx, tx, plan.ID, bot.Message{Platform: bot.Slack, Channel: "C0BUSY", Text: fmt.Sprintf("melding %d", i+1)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fail(err)
		}
		b.Wake()
		start := time.Now()
		posts, ok := fake.WaitPosts(before+n, time.Duration((float64(n)/rate*3+30)*float64(time.Second)))
		elapsed := time.Since(start)
		got := len(posts) - before
		order := true
		for i, p := range posts[before:] {
			if p.Text != fmt.Sprintf("melding %d", i+1) {
				order = false
			}
		}
		// The first three go at once (the limiter's burst); the rest at the
		// allowed rate.
		achieved := float64(got-3) / elapsed.Seconds()
		label := "no 429s"
		if limited {
			label = fmt.Sprintf("5 %% of sends answered 429 with Retry-After 1 s (%d 429s)", fake.RateLimited()-limitedBefore)
		}
		fmt.Printf("busy channel, allowed %.0f msg/s, %s: %d of %d delivered (complete: %v, in order: %v) in %s = %.2f msg/s after the burst, %.0f %% of the allowed rate\n",
			rate, label, got, n, ok, order, elapsed.Round(time.Millisecond), achieved, 100*achieved/rate)
	}
	fmt.Println()
}

// pgbench measures PostgreSQL's ceiling for one-row-insert transactions
// at c clients.
// maxConnections is the server's max_connections.
func maxConnections(ctx context.Context, dbURL string) (int, error) {
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.GetContext(ctx, &n, `SELECT current_setting('max_connections')::int`)
	return n, err
}

func pgbench(ctx context.Context, schemaURL string, c int, d time.Duration) (float64, error) {
	u, err := url.Parse(schemaURL)
	if err != nil {
		return 0, err
	}
	schemaName := u.Query().Get("search_path")
	db, err := sqlx.Open("postgres", schemaURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS load_ceiling (id BIGSERIAL PRIMARY KEY, x INTEGER NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return 0, err
	}
	script := filepath.Join(os.TempDir(), fmt.Sprintf("dugnad-load-%d.sql", os.Getpid()))
	if err := os.WriteFile(script, []byte("INSERT INTO "+schemaName+".load_ceiling (x) VALUES (1);\n"), 0o644); err != nil {
		return 0, err
	}
	defer os.Remove(script)
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	cmd := exec.CommandContext(ctx, "pgbench", "-n", "-c", strconv.Itoa(c), "-j", strconv.Itoa(min(c, runtime.NumCPU())),
		"-T", strconv.Itoa(int(d.Seconds())), "-f", script, u.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no tps in pgbench's output:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// loadTB is what the Slack fake needs of its user, outside a test.
type loadTB struct {
	mu       sync.Mutex
	cleanups []func()
}

func (t *loadTB) Helper() {}
func (t *loadTB) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "slack fake: "+format+"\n", args...)
}
func (t *loadTB) Fatalf(format string, args ...any) { fail(fmt.Errorf(format, args...)) }
func (t *loadTB) Cleanup(f func()) {
	t.mu.Lock()
	t.cleanups = append(t.cleanups, f)
	t.mu.Unlock()
}
func (t *loadTB) cleanup() {
	t.mu.Lock()
	fs := slices.Clone(t.cleanups)
	t.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
