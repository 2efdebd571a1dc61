// Command dugnad is the Dugnad bot: run it, migrate its database, import
// and export plans, and export what phase 3 has gathered.
//
//	dugnad [run]                   run the bot (console by default)
//	dugnad migrate                 bring the database schema up to date
//	dugnad plan import FILE        create or update a plan from a plan file
//	dugnad plan export [-o FILE]   write a plan back as a plan file
//	dugnad export --format json    print a plan with all its suggestions
//	dugnad tiltak | innspill | dekning …  the project group's measures, suggestions, coverage
//
// The database is DUGNAD_DATABASE_URL (or --db): postgres://… for
// PostgreSQL, or a SQLite file path; ./dugnad.db by default.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first SIGTERM or Ctrl-C shuts down gracefully (the bot drains,
	// for up to --drain-timeout); a second one kills at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// env is how the commands read the environment (a parameter, for tests).
type env func(string) string

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv env) int {
	l := cliLang(getenv)
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "run":
		err = runBot(ctx, args, stdin, stdout, stderr, getenv)
	case "migrate":
		err = migrate(ctx, args, stdout, getenv)
	case "plan":
		if len(args) == 0 {
			err = usageError(l.t("plan_usage"))
			break
		}
		switch args[0] {
		case "import":
			err = planImport(ctx, args[1:], stdin, stdout, getenv)
		case "export":
			err = planExport(ctx, args[1:], stdout, getenv)
		default:
			err = usageError(l.t("plan_usage"))
		}
	case "export":
		err = export(ctx, args, stdout, getenv)
	case "digest", "sammendrag", "samandrag":
		err = digestCmd(ctx, args, stdout, getenv)
	case "demo":
		err = demoCmd(ctx, args, stdout, getenv)
	case "tiltak", "measure", "innspill", "suggestions", "dekning", "coverage":
		err = systematise(ctx, cmd, args, stdout, getenv)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, l.t("usage"))
		return 0
	default:
		err = usageError(l.t("unknown_command", cmd) + "\n\n" + l.t("usage"))
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, string(ue))
		return 2
	}
	fmt.Fprintln(stderr, "dugnad:", err)
	return 1
}

// usageError is a command line the program cannot follow.
type usageError string

func (e usageError) Error() string { return string(e) }
