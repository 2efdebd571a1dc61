package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	consoleadapter "github.com/kommune-dugnad/dugnad/adapters/console"
	discordadapter "github.com/kommune-dugnad/dugnad/adapters/discord"
	slackadapter "github.com/kommune-dugnad/dugnad/adapters/slack"
	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/examples"
	"github.com/kommune-dugnad/dugnad/intake"
	"github.com/kommune-dugnad/dugnad/intake/demo"
	"github.com/kommune-dugnad/dugnad/intake/digest"
	"github.com/kommune-dugnad/dugnad/intake/planfile"
	"github.com/kommune-dugnad/dugnad/store"
)

// dbFlag adds --db, defaulting to DUGNAD_DATABASE_URL, then ./dugnad.db.
func dbFlag(fs *flag.FlagSet, getenv env) *string {
	def := getenv("DUGNAD_DATABASE_URL")
	if def == "" {
		def = "dugnad.db"
	}
	return fs.String("db", def, "database: postgres://… or a SQLite file (env DUGNAD_DATABASE_URL)")
}

func newFlags(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dugnad "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

// parse parses flags given before, between or after the positional
// arguments (`plan import FILE --db URL` as well as `plan import --db URL
// FILE`) and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseFlagsOnly parses a command that takes flags and no arguments.
func parseFlagsOnly(fs *flag.FlagSet, args []string, l lang) error {
	rest, err := parse(fs, args)
	if err == nil && len(rest) > 0 {
		err = usageError(l.t("unexpected_args", strings.Join(rest, " ")))
	}
	return err
}

// openStoreWaiting is openStore for the bot: a database that cannot be
// reached (PostgreSQL restarting, a container not up yet) is tried again,
// with growing pauses, for up to wait; a database with the wrong schema is
// not.
func openStoreWaiting(ctx context.Context, url string, migrate bool, l lang, wait time.Duration, log *slog.Logger) (*store.Store, error) {
	if _, isSQLite := store.SQLitePath(url); !isSQLite {
		deadline := time.Now().Add(wait)
		pause := 250 * time.Millisecond
		for {
			st, err := store.Open(ctx, url) // connects
			if err == nil {
				st.Close()
				break
			}
			if time.Now().Add(pause).After(deadline) || ctx.Err() != nil {
				return nil, err
			}
			log.Warn("database not reachable; trying again", "err", err, "retry_in", pause)
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			pause = min(2*pause, 5*time.Second)
		}
	}
	return openStore(ctx, url, migrate, l)
}

// openStore opens the database and migrates it (or, with migrate false,
// refuses a schema this binary does not expect, and a SQLite file that
// does not exist).
func openStore(ctx context.Context, url string, migrate bool, l lang) (*store.Store, error) {
	if path, ok := store.SQLitePath(url); ok && !migrate {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, errors.New(l.t("no_database", path))
		}
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if migrate {
		_, err = st.Migrate(ctx)
	} else {
		err = st.CheckSchema(ctx)
	}
	if err != nil {
		st.Close()
		var se *store.SchemaError
		if errors.As(err, &se) {
			if se.Have < se.Want {
				return nil, errors.New(l.t("schema_outdated", se.DB, se.Have, se.Want))
			}
			return nil, errors.New(l.t("schema_too_new", se.DB, se.Have, se.Want))
		}
		return nil, err
	}
	return st, nil
}

// choosePlan picks the plan named by key, or the only plan.
// openPlan opens an existing database (not migrating it) and picks the
// plan, for the commands that read or change one plan.
func openPlan(ctx context.Context, db, planKey string, l lang) (*store.Store, store.Plan, error) {
	st, err := openStore(ctx, db, false, l)
	if err != nil {
		return nil, store.Plan{}, err
	}
	p, err := choosePlan(ctx, st, planKey, l)
	if err != nil {
		st.Close()
		return nil, store.Plan{}, err
	}
	return st, p, nil
}

func choosePlan(ctx context.Context, st *store.Store, key string, l lang) (store.Plan, error) {
	plans, err := st.Plans(ctx)
	if err != nil {
		return store.Plan{}, err
	}
	var ks []string
	for _, p := range plans {
		if p.Key == key {
			return p, nil
		}
		ks = append(ks, p.Key)
	}
	switch {
	case key != "":
		return store.Plan{}, errors.New(l.t("no_such_plan", key, strings.Join(ks, ", ")))
	case len(plans) == 0:
		return store.Plan{}, errors.New(l.t("no_plans"))
	case len(plans) > 1:
		return store.Plan{}, errors.New(l.t("which_plan", strings.Join(ks, ", ")))
	}
	return plans[0], nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

func runBot(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) error {
	l := cliLang(getenv)
	fs := newFlags("run", stderr)
	db := dbFlag(fs, getenv)
	planKey := fs.String("plan", "", "the plan to run the console for (needed when the database has several)")
	as := fs.String("as", "", "the actor to start the console as (an actor ID from the plan, or a role such as prosjektleder)")
	withConsole := fs.Bool("console", false, "run the console too when Slack or Discord is configured")
	doMigrate := fs.Bool("migrate", true, "bring the database schema up to date at start-up")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (default warn with the console only, else info)")
	logFormat := fs.String("log-format", "text", "text or json")
	listen := fs.String("listen", getenv("DUGNAD_LISTEN"), "serve /healthz, /livez and /metrics at this address, usually 127.0.0.1:9090 (env DUGNAD_LISTEN; default: not served)")
	drainTimeout := fs.Duration("drain-timeout", 10*time.Second, "on SIGTERM or Ctrl-C, how long to finish the events in hand and deliver the queued messages")
	dbWait := fs.Duration("db-wait", 2*time.Minute, "how long to keep trying to reach the database at start-up (it may be restarting)")
	inbox := fs.Bool("inbox", getenv("DUGNAD_INBOX") != "false", "acknowledge an event once it is recorded, and apply it right after (env DUGNAD_INBOX=false: apply it before acknowledging)")
	if err := parseFlagsOnly(fs, args, l); err != nil {
		return err
	}
	slackCfg, useSlack, err := slackadapter.FromEnv(getenv)
	if err != nil {
		return err
	}
	discordCfg, useDiscord, err := discordadapter.FromEnv(getenv)
	if err != nil {
		return err
	}
	console := *withConsole || (!useSlack && !useDiscord)
	level := *logLevel
	if level == "" {
		level = "info"
		if !useSlack && !useDiscord {
			level = "warn"
		}
	}
	log, err := newLogger(stderr, level, *logFormat)
	if err != nil {
		return usageError(err.Error())
	}
	if *drainTimeout <= 0 {
		return usageError("--drain-timeout must be positive")
	}
	st, err := openStoreWaiting(ctx, *db, *doMigrate, l, *dbWait, log)
	if err != nil {
		return err
	}
	defer st.Close()

	var adapters []bot.Adapter
	if useSlack {
		slackCfg.Logger = log
		adapters = append(adapters, slackadapter.New(slackCfg))
	}
	plans, err := st.Plans(ctx)
	if err != nil {
		return err
	}
	if useDiscord {
		// /dugnad is registered in the servers the plans name; with
		// none, globally.
		for _, p := range plans {
			ws, err := st.Workspaces(ctx, p.ID)
			if err != nil {
				return err
			}
			for _, w := range ws {
				if w.Platform == bot.Discord {
					discordCfg.Guilds = append(discordCfg.Guilds, w.ID)
				}
			}
		}
		discordCfg.Logger = log
		d, err := discordadapter.New(discordCfg)
		if err != nil {
			return err
		}
		adapters = append(adapters, d)
	}
	if console {
		if len(plans) == 0 {
			p, _, err := importPlan(ctx, st, examples.FjordvikName, examples.Fjordvik, store.By{Label: "example"}, l)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, l.t("loaded_example", p.Municipality, p.Title))
		}
		plan, err := choosePlan(ctx, st, *planKey, l)
		if err != nil {
			return err
		}
		interactive := false
		if f, ok := stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				interactive = true
			}
		}
		adapters = append(adapters, consoleadapter.New(consoleadapter.Config{
			In: stdin, Out: stdout, Interactive: interactive,
			Plan: plan.Key, Language: string(plan.Language), Actor: *as,
			People: func(ctx context.Context) ([]consoleadapter.Person, error) { return people(ctx, st, plan.ID) },
		}))
	} else if len(plans) == 0 {
		log.Warn("the database has no plan; import one with dugnad plan import FILE", "db", st.String())
	}
	cfg := bot.Config{Logger: log, DrainTimeout: *drainTimeout, Inbox: *inbox}
	var reg *prometheus.Registry
	if *listen != "" {
		reg, cfg.Metrics = newMetrics(st)
	}
	b := bot.New(st, intake.New(log), cfg, adapters...)
	if *listen != "" {
		stopOps, err := serveOps(*listen, bot.OpsHandler(b, reg, log), log)
		if err != nil {
			return err
		}
		// After Run: /healthz says "shutting down" and /metrics counts
		// the drain until the end.
		defer stopOps()
	}
	log.Info("dugnad running", "db", st.String(), "slack", useSlack, "discord", useDiscord, "console", console)
	err = b.Run(ctx)
	var scopes *slackadapter.MissingScopesError
	if errors.As(err, &scopes) {
		return errors.New(l.t("slack_scopes", strings.Join(scopes.Missing, ", ")))
	}
	return err
}

// people lists the plan's actors for the console.
func people(ctx context.Context, st *store.Store, planID int64) ([]consoleadapter.Person, error) {
	actors, err := st.Actors(ctx, planID)
	if err != nil {
		return nil, err
	}
	out := make([]consoleadapter.Person, 0, len(actors))
	for _, a := range actors {
		roles, err := st.ActorRoles(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		p := consoleadapter.Person{Key: a.Key, Name: a.Name, Organisation: a.Organisation}
		for _, r := range roles {
			p.Roles = append(p.Roles, string(r))
		}
		out = append(out, p)
	}
	return out, nil
}

func migrate(ctx context.Context, args []string, stdout io.Writer, getenv env) error {
	l := cliLang(getenv)
	fs := newFlags("migrate", stdout)
	db := dbFlag(fs, getenv)
	if err := parseFlagsOnly(fs, args, l); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, l.t("up_to_date", store.SchemaVersion()))
	} else {
		fmt.Fprintln(stdout, l.t("migrated", store.SchemaVersion(), applied))
	}
	return nil
}

// importPlan parses and stores a plan file in one transaction; problems
// are reported by line, in the command line's language, and change
// nothing.
func importPlan(ctx context.Context, st *store.Store, name string, data []byte, by store.By, l lang) (store.Plan, store.ApplyResult, error) {
	f, err := planfile.Parse(name, data)
	if err != nil {
		var pe *planfile.Error
		if errors.As(err, &pe) {
			return store.Plan{}, store.ApplyResult{}, errors.New(pe.Format(store.Language(l.code())))
		}
		return store.Plan{}, store.ApplyResult{}, err
	}
	var res store.ApplyResult
	err = st.InTx(ctx, func(tx *store.Tx) error {
		res, err = tx.ApplyPlan(ctx, by, f.Spec)
		return err
	})
	var conflict *store.ConflictError
	var invalid *store.InvalidError
	switch {
	case errors.As(err, &conflict):
		return store.Plan{}, res, errors.New(f.ConflictError(conflict).Format(store.Language(l.code())))
	case errors.As(err, &invalid):
		return store.Plan{}, res, errors.New(l.t("invalid_plan", invalid.Msg))
	case err != nil:
		return store.Plan{}, res, err
	}
	p, err := st.PlanByID(ctx, res.PlanID)
	return p, res, err
}

func planImport(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, getenv env) error {
	l := cliLang(getenv)
	fs := newFlags("plan import", stdout)
	db := dbFlag(fs, getenv)
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usageError(l.t("need_file"))
	}
	name := files[0]
	var data []byte
	if name == "-" {
		name = "<stdin>"
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	st, err := openStore(ctx, *db, true, l)
	if err != nil {
		return err
	}
	defer st.Close()
	p, res, err := importPlan(ctx, st, name, data, store.By{Label: "cli"}, l)
	if err != nil {
		return err
	}
	switch {
	case res.Created:
		fmt.Fprintln(stdout, l.t("imported_new", p.Key, p.Municipality, res.Changes))
	case res.Changes == 0:
		fmt.Fprintln(stdout, l.t("unchanged", p.Key))
	default:
		fmt.Fprintln(stdout, l.t("imported", p.Key, res.Changes))
	}
	return nil
}

func planExport(ctx context.Context, args []string, stdout io.Writer, getenv env) error {
	l := cliLang(getenv)
	fs := newFlags("plan export", stdout)
	db := dbFlag(fs, getenv)
	planKey := fs.String("plan", "", "the plan to export (needed when the database has several)")
	outFile := fs.String("o", "", "write to this file instead of standard output")
	if err := parseFlagsOnly(fs, args, l); err != nil {
		return err
	}
	st, p, err := openPlan(ctx, *db, *planKey, l)
	if err != nil {
		return err
	}
	defer st.Close()
	spec, err := st.PlanSpecOf(ctx, p.ID)
	if err != nil {
		return err
	}
	data, err := planfile.Marshal(spec)
	if err != nil {
		return err
	}
	return writeOut(*outFile, stdout, data)
}

func export(ctx context.Context, args []string, stdout io.Writer, getenv env) error {
	l := cliLang(getenv)
	fs := newFlags("export", stdout)
	db := dbFlag(fs, getenv)
	planKey := fs.String("plan", "", "the plan to export (needed when the database has several)")
	format := fs.String("format", "json", "json")
	outFile := fs.String("o", "", "write to this file instead of standard output")
	if err := parseFlagsOnly(fs, args, l); err != nil {
		return err
	}
	if *format != "json" {
		return usageError(l.t("bad_format", *format))
	}
	st, p, err := openPlan(ctx, *db, *planKey, l)
	if err != nil {
		return err
	}
	defer st.Close()
	doc, err := intake.BuildExport(ctx, st, p.ID)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return writeOut(*outFile, stdout, append(data, '\n'))
}

// digestCmd writes the plan's digest in a format, to standard output or a
// file. The command-line user's pulls are remembered under "cli:USER", so
// that the next digest says what changed since.
func digestCmd(ctx context.Context, args []string, stdout io.Writer, getenv env) error {
	l := cliLang(getenv)
	fs := newFlags("digest", stdout)
	db := dbFlag(fs, getenv)
	planKey := fs.String("plan", "", "the plan (needed when the database has several)")
	format := fs.String("format", "md", "html, md, xlsx, csv or json")
	strategy := fs.String("strategy", "", "only this strategy (S3)")
	status := fs.String("status", "", "only measures with this status")
	since := fs.String("since", "", "only what is new or changed since this date (1.3.2027)")
	table := fs.String("table", "measures", "for csv: measures, suggestions, votes or comments")
	sep := fs.String("sep", ";", "for csv: the separator")
	outFile := fs.String("o", "", "write to this file instead of standard output")
	if err := parseFlagsOnly(fs, args, l); err != nil {
		return err
	}
	if !slices.Contains(intake.DigestFormats, *format) {
		return usageError(l.t("bad_digest_format", *format))
	}
	if !slices.Contains(digest.Tables, *table) {
		return usageError(l.t("bad_table", *table))
	}
	if utf8.RuneCountInString(*sep) != 1 {
		return usageError(l.t("bad_sep"))
	}
	st, p, err := openPlan(ctx, *db, *planKey, l)
	if err != nil {
		return err
	}
	defer st.Close()
	r := intake.DigestRequest{Format: *format, Table: *table, By: store.By{Label: "cli"}, Label: "cli:" + cliUser(getenv)}
	r.Sep, _ = utf8.DecodeRuneInString(*sep)
	r.Options.Strategy = *strategy
	if *status != "" {
		s, ok := intake.StatusByWord(*status)
		if !ok {
			return usageError(l.t("bad_status", *status))
		}
		r.Options.Status = s
	}
	if *since != "" {
		t, ok := intake.ParseDate(*since, p.Location())
		if !ok {
			return usageError(l.t("bad_since", *since))
		}
		r.Options.Since = t
	}
	var res intake.DigestResult
	err = st.InTx(ctx, func(tx *store.Tx) error {
		res, err = intake.MakeDigest(ctx, tx, p, r)
		return err
	})
	var unknown *digest.ErrUnknownStrategy
	if errors.As(err, &unknown) {
		return usageError(l.t("unknown_strategy", unknown.Key))
	}
	if err != nil {
		return err
	}
	return writeOut(*outFile, stdout, res.File.Data)
}

// demoCmd runs "demo seed": a synthetic plan at a scale, for trying the
// digest on a large plan and for measuring it.
func demoCmd(ctx context.Context, args []string, stdout io.Writer, getenv env) error {
	l := cliLang(getenv)
	if len(args) == 0 || args[0] != "seed" {
		return usageError(l.t("demo_usage"))
	}
	fs := newFlags("demo seed", stdout)
	db := dbFlag(fs, getenv)
	key := fs.String("plan", "demo", "the new plan's key")
	scale := fs.Float64("scale", 1, "1 is 5,000 actors, 50,000 suggestions, 2,000 measures, 40,000 votes and 10,000 comments")
	seed := fs.Uint64("seed", 1, "the same seed makes the same plan")
	if err := parseFlagsOnly(fs, args[1:], l); err != nil {
		return err
	}
	if *scale <= 0 || *scale > 100 {
		return usageError(l.t("bad_scale"))
	}
	st, err := openStore(ctx, *db, true, l)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	p, got, err := demo.Seed(ctx, st, demo.Options{Key: *key, Counts: demo.Scaled(*scale), Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, l.t("demo_seeded", p.Key, got.Actors, got.Suggestions, got.Measures, got.Hearings, got.Votes, got.Comments,
		time.Since(start).Round(100*time.Millisecond)))
	return nil
}

// cliUser names the person at the command line, for "what changed since
// your last digest".
func cliUser(getenv env) string {
	for _, k := range []string{"DUGNAD_USER", "USER", "USERNAME"} {
		if u := getenv(k); u != "" {
			return u
		}
	}
	return "cli"
}

func writeOut(path string, stdout io.Writer, data []byte) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// systematise runs the project group's commands on the command line, as
// they run in the chat: "tiltak …", "innspill …", "dekning". Messages they
// cause (authors told their suggestion became part of a measure) are
// queued and go out when the bot runs.
func systematise(ctx context.Context, cmd string, args []string, stdout io.Writer, getenv env) error {
	l := cliLang(getenv)
	fs := newFlags(cmd, stdout)
	db := dbFlag(fs, getenv)
	planKey := fs.String("plan", "", "the plan (needed when the database has several)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	st, p, err := openPlan(ctx, *db, *planKey, l)
	if err != nil {
		return err
	}
	defer st.Close()
	leader := intake.Leader{Plan: p, By: store.By{Label: "cli"}, Lang: store.Language(l.code())}
	arg := strings.Join(rest, " ")
	var text string
	err = st.InTx(ctx, func(tx *store.Tx) error {
		var out []bot.Message
		var err error
		switch cmd {
		case "tiltak", "measure":
			text, out, err = intake.Measures(ctx, tx, leader, arg)
		case "innspill", "suggestions":
			text, err = intake.Suggestions(ctx, tx, leader, arg)
		default:
			text, err = intake.Coverage(ctx, tx, leader)
		}
		if err != nil {
			return err
		}
		for _, m := range out {
			if err := bot.Enqueue(ctx, tx, p.ID, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, text)
	return err
}
