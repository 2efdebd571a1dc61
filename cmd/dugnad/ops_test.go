package main

// Operations: the health and metrics endpoints of a running bot, secrets
// kept out of its logs, and a graceful stop on SIGTERM.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kommune-dugnad/dugnad/adapters/discord/discordfake"
	"github.com/kommune-dugnad/dugnad/adapters/slack/slackfake"
	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
	"github.com/kommune-dugnad/dugnad/store/storetest"
)

// logRecord is one line of --log-format json.
type logRecord map[string]any

// logRecords parses JSON log lines; a line that is not JSON fails the test
// (everything on stderr must be a structured record).
func logRecords(t *testing.T, stderr string) []logRecord {
	t.Helper()
	var out []logRecord
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r logRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Errorf("a line on stderr is not a JSON log record: %q", sc.Text())
			continue
		}
		out = append(out, r)
	}
	return out
}

// waitLog waits until the session has logged a record with the message,
// and returns it.
func (s *session) waitLog(msg string) logRecord {
	s.t.Helper()
	deadline := time.Now().Add(replyTimeout)
	for {
		for _, line := range strings.Split(s.stderr.String(), "\n") {
			var r logRecord
			if json.Unmarshal([]byte(line), &r) == nil && r["msg"] == msg {
				return r
			}
		}
		if time.Now().After(deadline) {
			s.fail("no %q in the log within %v", msg, replyTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// terminate sends SIGTERM and waits for the process to exit, reading the
// rest of its output; it returns the exit code.
func (s *session) terminate() int {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.fail("SIGTERM: %v", err)
	}
	timer := time.NewTimer(2 * replyTimeout)
	defer timer.Stop()
	for open := true; open; {
		select {
		case l, ok := <-s.lines:
			if ok {
				s.seen = append(s.seen, l)
			}
			open = ok
		case <-timer.C:
			s.fail("dugnad did not exit within %v of SIGTERM", 2*replyTimeout)
		}
	}
	s.done = true
	s.cmd.Wait()
	return s.cmd.ProcessState.ExitCode()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// The bot on Slack (Socket Mode) and Discord at once, at debug level with
// JSON logs: events go through both, /healthz and /metrics answer, SIGTERM
// stops it with exit code 0, and no secret appears anywhere in what it
// wrote: not the tokens (one of them read from a file), the signing
// secret, nor (on PostgreSQL) the database password.
func TestRunningBotKeepsSecretsOutOfItsLogs(t *testing.T) {
	t.Parallel()
	const (
		team     = "T0FJORDVIK"
		jonas    = "U0JONAS"
		ingridDC = "1190000000000000101"
	)
	secrets := map[string]string{
		"slack bot token":      "xoxb-7101-dugnadsecretbot-Q3vKp9",
		"slack app token":      "xapp-1-A0DUGNAD-7102-dugnadsecretapp-Zr8w",
		"slack signing secret": "8f0e5c1d2b3a49d7secretsigning6c7b",
	}
	sfake := slackfake.New(t, slackfake.Config{TeamID: team, BotToken: secrets["slack bot token"], AppToken: secrets["slack app token"], PingInterval: time.Second})
	dfake := discordfake.New(t, discordfake.Config{HeartbeatInterval: 200 * time.Millisecond, GuildID: "1190000000000000001"})
	secrets["discord token"] = dfake.Config().Token

	dir := t.TempDir()
	db := filepath.Join(dir, "dugnad.db")
	if os.Getenv(storetest.EnvURL) != "" {
		// PostgreSQL, with a password in the URL (the test server
		// trusts loopback connections, so any password does).
		u, err := url.Parse(storetest.New(t, "postgres").URL)
		if err != nil {
			t.Fatal(err)
		}
		secrets["database password"] = "pgsecret-7301-dugnad"
		u.User = url.UserPassword(u.User.Username(), secrets["database password"])
		db = u.String()
	}
	example, _ := filepath.Abs(filepath.Join("..", "..", "examples", "fjordvik.yaml"))
	if r := dugnad(t, invocation{dir: dir}, "plan", "import", "--db", db, example); r.code != 0 {
		t.Fatalf("plan import:\n%v", r)
	}
	// One secret from a file, as a container's secrets come.
	appTokenFile := filepath.Join(dir, "slack-app-token")
	if err := os.WriteFile(appTokenFile, []byte(secrets["slack app token"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(
		"SLACK_BOT_TOKEN="+secrets["slack bot token"],
		"SLACK_APP_TOKEN_FILE="+appTokenFile,
		"SLACK_SIGNING_SECRET="+secrets["slack signing secret"],
		"DUGNAD_SLACK_API_URL="+sfake.APIURL(),
		"DISCORD_BOT_TOKEN="+secrets["discord token"],
		"DUGNAD_DISCORD_API_URL="+dfake.APIURL(),
		"DUGNAD_LISTEN=127.0.0.1:0",
	)
	s := startSession(t, "slack and discord", dir, env, "run", "--db", db, "--log-level", "debug", "--log-format", "json")
	ops := fmt.Sprint(s.waitLog("operations endpoints listening")["addr"])
	if !sfake.WaitConnected(1, replyTimeout) || !dfake.WaitIdentified(1, replyTimeout) {
		s.fail("the adapters did not connect")
	}

	// Healthy once both are connected.
	deadline := time.Now().Add(replyTimeout)
	for {
		code, body := httpGet(t, "http://"+ops+"/healthz")
		if code == http.StatusOK {
			if body != "store: ok\ndiscord: ok\nslack: ok\n" {
				t.Errorf("/healthz body = %q", body)
			}
			break
		}
		if time.Now().After(deadline) {
			s.fail("/healthz = %d %q after the adapters connected", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A DM and a slash command on Slack, a DM on Discord.
	for _, payload := range []struct {
		typ  slackfake.EnvelopeType
		body json.RawMessage
	}{
		{slackfake.EventsAPI, sfake.MessageEvent(slackfake.MessageParams{User: jonas, Text: "hei"})},
		{slackfake.SlashCommands, sfake.SlashCommandPayload(slackfake.SlashCommandParams{User: jonas, Text: "hjelp"})},
	} {
		id := sfake.SendEvent(payload.typ, payload.body)
		if _, ok := sfake.WaitAck(id, replyTimeout); !ok {
			s.fail("slack envelope %s was not acknowledged", id)
		}
	}
	if _, ok := sfake.WaitPosts(2, replyTimeout); !ok {
		s.fail("the bot did not answer on slack")
	}
	dfake.Dispatch(discordfake.EventMessageCreate, dfake.MessageCreate(discordfake.MessageParams{DM: true, AuthorID: ingridDC, Content: "hei"}))
	if _, ok := dfake.WaitSends(1, replyTimeout); !ok {
		s.fail("the bot did not answer on discord")
	}

	code, metrics := httpGet(t, "http://"+ops+"/metrics")
	for _, want := range []string{
		`dugnad_events_applied_total{kind="message",platform="slack"} 1`,
		`dugnad_events_applied_total{kind="command",platform="slack"} 1`,
		`dugnad_events_applied_total{kind="message",platform="discord"} 1`,
		`dugnad_outbox_pending{platform="slack"}`,
		`dugnad_dialogs_in_progress`,
		`go_goroutines`,
	} {
		if code != http.StatusOK || !strings.Contains(metrics, want) {
			t.Errorf("/metrics (%d) lacks %s; the bot's warnings:\n%s", code, want, warnings(s.stderr.String()))
		}
	}

	if code := s.terminate(); code != 0 {
		s.fail("exit code %d after SIGTERM, want 0", code)
	}
	stderr, stdout := s.stderr.String(), strings.Join(s.seen, "\n")
	for name, secret := range secrets {
		if strings.Contains(stderr, secret) || strings.Contains(stdout, secret) {
			t.Errorf("the %s appears in the output", name)
		}
	}
	var debug, handled int
	for _, r := range logRecords(t, stderr) {
		if r["level"] == "DEBUG" {
			debug++
		}
		if r["msg"] == "event handled" {
			handled++
		}
		if r["level"] == "ERROR" {
			t.Errorf("error logged: %v", r)
		}
	}
	if debug == 0 || handled < 3 {
		t.Errorf("%d debug records, %d events handled; the test needs the debug log of the events", debug, handled)
	}
}

// The same in HTTP mode: Slack's Events API on a listener of its own beside
// the operations endpoints; a signed request is taken, a forged one
// refused, and the signing secret is never logged.
func TestEventsAPIBesideTheOperationsEndpoints(t *testing.T) {
	t.Parallel()
	const signing = "c0ffee5ecretsigning4dugnad9b1a"
	const botToken = "xoxb-7201-dugnadsecrethttp-Lm4q"
	sfake := slackfake.New(t, slackfake.Config{TeamID: "T0FJORDVIK", BotToken: botToken})
	dir := t.TempDir()
	db := filepath.Join(dir, "dugnad.db")
	example, _ := filepath.Abs(filepath.Join("..", "..", "examples", "fjordvik.yaml"))
	if r := dugnad(t, invocation{dir: dir}, "plan", "import", "--db", db, example); r.code != 0 {
		t.Fatalf("plan import:\n%v", r)
	}
	env := cleanEnv("SLACK_BOT_TOKEN="+botToken, "SLACK_SIGNING_SECRET="+signing,
		"DUGNAD_SLACK_API_URL="+sfake.APIURL(), "DUGNAD_SLACK_ADDR=127.0.0.1:0")
	s := startSession(t, "slack over http", dir, env, "run", "--db", db, "--log-level", "debug", "--log-format", "json", "--listen", "127.0.0.1:0")
	ops := fmt.Sprint(s.waitLog("operations endpoints listening")["addr"])
	events := fmt.Sprint(s.waitLog("slack events API listening")["addr"])
	if ops == events {
		t.Fatalf("one address for both: %s", ops)
	}
	if code, body := httpGet(t, "http://"+ops+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %q", code, body)
	}
	// The Events API's mux does not serve the operator's paths, nor the
	// reverse.
	if code, _ := httpGet(t, "http://"+events+"/healthz"); code != http.StatusNotFound {
		t.Errorf("/healthz on the Events API listener = %d, want 404", code)
	}

	body := slackfake.HTTPBody(slackfake.EventsAPI, sfake.MessageEvent(slackfake.MessageParams{User: "U0JONAS", Text: "hei"}))
	for _, c := range []struct {
		secret string
		want   int
	}{{"forged", http.StatusUnauthorized}, {signing, http.StatusOK}} {
		req := slackfake.NewEventsRequest(t, "http://"+events+"/slack/events", c.secret, body, 0)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("request signed with %q: %d, want %d", c.secret, res.StatusCode, c.want)
		}
	}
	if _, ok := sfake.WaitPosts(1, replyTimeout); !ok {
		s.fail("the bot did not answer the verified event")
	}
	if code := s.terminate(); code != 0 {
		s.fail("exit code %d after SIGTERM, want 0", code)
	}
	if out := s.stderr.String(); strings.Contains(out, signing) || strings.Contains(out, botToken) {
		t.Error("a secret appears in the log")
	}
	refused := false
	for _, r := range logRecords(t, s.stderr.String()) {
		refused = refused || r["msg"] == "refused an unverified request"
	}
	if !refused {
		t.Error("the forged request was not logged as refused")
	}
}

// SIGTERM right after a line is typed: the process stops taking input,
// finishes what it had in hand, prints every reply it queued, and exits
// 0. The signal lands at a different moment in each round: before the
// line is read, while it is handled, while its replies go out.
func TestSIGTERMDrainsTheOutboxAndExitsZero(t *testing.T) {
	t.Parallel()
	for round, delay := range []time.Duration{0, time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond} {
		t.Run(fmt.Sprint(delay), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := startSession(t, fmt.Sprintf("round %d", round), dir, cleanEnv(), "--log-level", "info", "--log-format", "json", "--drain-timeout", "10s")
			s.waitFor("Vil du være med?")
			s.waitFor("2) Nei takk")
			s.send("1") // Ja, jeg vil være med
			time.Sleep(delay)
			if code := s.terminate(); code != 0 {
				s.fail("exit code %d after SIGTERM, want 0", code)
			}
			records := logRecords(t, s.stderr.String())
			var shutdown, drained bool
			for _, r := range records {
				switch {
				case r["level"] == "ERROR" || r["level"] == "WARN":
					t.Errorf("%s logged: %v", r["level"], r)
				case r["msg"] == "shutting down: finishing the events in hand and delivering what is queued":
					shutdown = true
				case r["msg"] == "shut down: the outbox is drained":
					drained = true
				}
			}
			if !shutdown || !drained {
				t.Errorf("the log does not show the shutdown (%v) and the drain (%v):\n%s", shutdown, drained, s.stderr.String())
			}

			// Everything queued was delivered, and is on the screen.
			st, err := store.Open(context.Background(), filepath.Join(dir, "dugnad.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			msgs, err := st.OutboxMessages(context.Background(), bot.Console)
			if err != nil {
				t.Fatal(err)
			}
			out := strings.Join(s.seen, "\n")
			for _, om := range msgs {
				var m bot.Message
				if err := json.Unmarshal(om.Payload, &m); err != nil {
					t.Fatal(err)
				}
				first, _, _ := strings.Cut(m.Text, "\n")
				switch {
				case om.DeliveredAt == nil:
					t.Errorf("message %d was not delivered before the exit: %q", om.ID, first)
				case !strings.Contains(out, first):
					t.Errorf("message %d is recorded as delivered but was not printed: %q\n%s", om.ID, first, out)
				}
			}
			// If the line was taken, its reply is there too.
			if strings.Contains(out, "Hvilken strategi") {
				if len(msgs) < 2 {
					t.Errorf("the reply to the line was printed but %d messages are recorded", len(msgs))
				}
			}
		})
	}
}

// warnings are the log lines at WARN or above in a JSON log.
func warnings(log string) string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
