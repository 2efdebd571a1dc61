package main

import "fmt"

// lang is the command line's language: DUGNAD_LANG (nb, nn or en), bokmål
// by default.
type lang int

func cliLang(getenv env) lang {
	switch getenv("DUGNAD_LANG") {
	case "nn":
		return 1
	case "en":
		return 2
	}
	return 0
}

func (l lang) code() string { return [3]string{"nb", "nn", "en"}[l] }

func (l lang) t(key string, args ...any) string {
	s, ok := cliTexts[key]
	if !ok {
		return key
	}
	if len(args) == 0 {
		return s[l]
	}
	return fmt.Sprintf(s[l], args...)
}

var cliTexts = map[string][3]string{
	"usage": {
		`Bruk: dugnad [kommando] [valg]

  dugnad [run]                     kjør boten (i terminalen når ingen plattform er satt opp)
  dugnad migrate                   oppdater databaseskjemaet
  dugnad plan import FIL           opprett eller oppdater en plan fra en planfil (YAML)
  dugnad plan export [-o FIL]      skriv en plan tilbake som planfil
  dugnad export --format json      skriv ut en plan med alle innspill som JSON
  dugnad digest --format html|md|xlsx|csv|json [--strategy S3] [--status godkjent] [--since 1.3.2027] [-o FIL]
                                   sammendrag av tiltaksarbeidet til plandokumentet
  dugnad innspill [S3|ubrukte|…]   list innspill, med innspill som sier nesten det samme
  dugnad tiltak [ny S3 12,15 TEKST | 4 | 4 frist 1.6.2027 …]   lag, vis og endre tiltak
  dugnad dekning                   strategier, sentrale oppgaver og spørsmål uten tiltak

Databasen er DUGNAD_DATABASE_URL eller --db: postgres://… for PostgreSQL,
eller en filsti for SQLite (standard: ./dugnad.db). «dugnad KOMMANDO -h» viser valgene.`,
		`Bruk: dugnad [kommando] [val]

  dugnad [run]                     køyr boten (i terminalen når ingen plattform er sett opp)
  dugnad migrate                   oppdater databaseskjemaet
  dugnad plan import FIL           opprett eller oppdater ein plan frå ei planfil (YAML)
  dugnad plan export [-o FIL]      skriv ein plan tilbake som planfil
  dugnad export --format json      skriv ut ein plan med alle innspel som JSON
  dugnad digest --format html|md|xlsx|csv|json [--strategy S3] [--status godkjent] [--since 1.3.2027] [-o FIL]
                                   samandrag av tiltaksarbeidet til plandokumentet
  dugnad innspel [S3|ubrukte|…]    list innspel, med innspel som seier nesten det same
  dugnad tiltak [ny S3 12,15 TEKST | 4 | 4 frist 1.6.2027 …]   lag, vis og endre tiltak
  dugnad dekning                   strategiar, sentrale oppgåver og spørsmål utan tiltak

Databasen er DUGNAD_DATABASE_URL eller --db: postgres://… for PostgreSQL,
eller ei filsti for SQLite (standard: ./dugnad.db). «dugnad KOMMANDO -h» viser vala.`,
		`Usage: dugnad [command] [options]

  dugnad [run]                     run the bot (in the terminal when no platform is set up)
  dugnad migrate                   bring the database schema up to date
  dugnad plan import FILE          create or update a plan from a plan file (YAML)
  dugnad plan export [-o FILE]     write a plan back as a plan file
  dugnad export --format json      print a plan with all suggestions as JSON
  dugnad digest --format html|md|xlsx|csv|json [--strategy S3] [--status approved] [--since 1.3.2027] [-o FILE]
                                   a digest of the work on measures, for the plan document
  dugnad suggestions [S3|unused|…] list suggestions, with those that say nearly the same
  dugnad measure [new S3 12,15 TEXT | 4 | 4 deadline 1.6.2027 …]   make, show and edit measures
  dugnad coverage                  strategies, central tasks and questions without measures

The database is DUGNAD_DATABASE_URL or --db: postgres://… for PostgreSQL,
or a file path for SQLite (default: ./dugnad.db). "dugnad COMMAND -h" lists the options.`,
	},
	"plan_usage":      {"Bruk: dugnad plan import FIL | dugnad plan export [-o FIL]", "Bruk: dugnad plan import FIL | dugnad plan export [-o FIL]", "Usage: dugnad plan import FILE | dugnad plan export [-o FILE]"},
	"unknown_command": {"ukjent kommando «%s»", "ukjend kommando «%s»", "unknown command %q"},
	"need_file":       {"Bruk: dugnad plan import FIL (eller - for standard inn)", "Bruk: dugnad plan import FIL (eller - for standard inn)", "Usage: dugnad plan import FILE (or - for standard input)"},
	"imported_new":    {"Planen «%s» (%s) er opprettet med %d endringer.", "Planen «%s» (%s) er oppretta med %d endringar.", "Plan %q (%s) created with %d changes."},
	"imported":        {"Planen «%s» er oppdatert: %d endringer.", "Planen «%s» er oppdatert: %d endringar.", "Plan %q updated: %d changes."},
	"unchanged":       {"Planen «%s» er allerede slik filen beskriver den; ingenting er endret.", "Planen «%s» er alt slik fila skildrar han; ingenting er endra.", "Plan %q already matches the file; nothing changed."},
	"migrated":        {"Databaseskjemaet er oppdatert til versjon %d (kjørte %v).", "Databaseskjemaet er oppdatert til versjon %d (køyrde %v).", "Database schema is at version %d (applied %v)."},
	"up_to_date":      {"Databaseskjemaet er allerede på versjon %d.", "Databaseskjemaet er alt på versjon %d.", "Database schema is already at version %d."},
	"no_plans":        {"Databasen har ingen planer. Importer en med «dugnad plan import FIL».", "Databasen har ingen planar. Importer ein med «dugnad plan import FIL».", "The database has no plans. Import one with \"dugnad plan import FILE\"."},
	"which_plan":      {"Databasen har flere planer (%s); velg en med --plan.", "Databasen har fleire planar (%s); vel ein med --plan.", "The database has several plans (%s); choose one with --plan."},
	"no_such_plan":    {"Ingen plan heter «%s». Planer: %s", "Ingen plan heiter «%s». Planar: %s", "No plan is called %q. Plans: %s"},
	"loaded_example":  {"Databasen var tom, så jeg har lastet eksempelplanen: %s, «%s».", "Databasen var tom, så eg har lasta eksempelplanen: %s, «%s».", "The database was empty, so I loaded the example plan: %s, %q."},
	"bad_format":      {"ukjent format «%s» (bruk json)", "ukjent format «%s» (bruk json)", "unknown format %q (use json)"},
	"unexpected_args": {"uventede argumenter: %s", "uventa argument: %s", "unexpected arguments: %s"},
	"no_database":     {"databasefilen %s finnes ikke; kjør boten eller «dugnad plan import» først", "databasefila %s finst ikkje; køyr boten eller «dugnad plan import» først", "database file %s does not exist; run the bot or \"dugnad plan import\" first"},
	"schema_outdated": {"databasen %s har skjemaversjon %d, men dette programmet trenger %d: kjør «dugnad migrate» (med --db eller DUGNAD_DATABASE_URL slik du gjør for boten)",
		"databasen %s har skjemaversjon %d, men dette programmet treng %d: køyr «dugnad migrate» (med --db eller DUGNAD_DATABASE_URL slik du gjer for boten)",
		"database %s is at schema version %d, this program needs %d: run \"dugnad migrate\" (with --db or DUGNAD_DATABASE_URL as you do for the bot)"},
	"schema_too_new": {"databasen %s har skjemaversjon %d, men dette programmet kjenner bare versjoner til og med %d: bruk en nyere dugnad (databasen er oppdatert av en nyere versjon) eller hent fram en sikkerhetskopi",
		"databasen %s har skjemaversjon %d, men dette programmet kjenner berre versjonar til og med %d: bruk ein nyare dugnad (databasen er oppdatert av ein nyare versjon) eller hent fram ein tryggingskopi",
		"database %s is at schema version %d, but this program only knows versions up to %d: run a newer dugnad (the database was migrated by one) or restore a backup"},
	"bad_digest_format": {"ukjent format «%s» (bruk html, md, xlsx, csv eller json)", "ukjent format «%s» (bruk html, md, xlsx, csv eller json)", "unknown format %q (use html, md, xlsx, csv or json)"},
	"bad_status":        {"ukjent status «%s» (bruk utkast, høring, hørt, godkjent, returnert eller forankret)", "ukjend status «%s» (bruk utkast, høyring, høyrd, godkjent, returnert eller forankra)", "unknown status %q (use draft, on_hearing, heard, approved, returned or anchored)"},
	"bad_since":         {"«%s» er ikke en dato (skriv for eksempel 1.3.2027)", "«%s» er ikkje ein dato (skriv til dømes 1.3.2027)", "%q is not a date (write, for example, 1.3.2027)"},
	"bad_sep":           {"skilletegnet må være ett tegn, for eksempel ';' eller ','", "skiljeteiknet må vere eitt teikn, til dømes ';' eller ','", "the separator must be one character, such as ';' or ','"},
	"bad_table":         {"ukjent tabell «%s» (bruk measures, suggestions, votes eller comments)", "ukjend tabell «%s» (bruk measures, suggestions, votes eller comments)", "unknown table %q (use measures, suggestions, votes or comments)"},
	"unknown_strategy":  {"planen har ingen strategi «%s»", "planen har ingen strategi «%s»", "the plan has no strategy %q"},
	"demo_usage":        {"Bruk: dugnad demo seed [--scale 1] [--plan demo] [--seed 1] [--db URL]", "Bruk: dugnad demo seed [--scale 1] [--plan demo] [--seed 1] [--db URL]", "Usage: dugnad demo seed [--scale 1] [--plan demo] [--seed 1] [--db URL]"},
	"bad_scale":         {"--scale må være over 0 og høyst 100", "--scale må vere over 0 og høgst 100", "--scale must be above 0 and at most 100"},
	"demo_seeded": {"Planen «%s» er fylt med %d aktører, %d innspill, %d tiltak, %d høringer, %d stemmer og %d kommentarer (%s). Prøv «dugnad digest --plan %[1]s --format html -o demo.html».",
		"Planen «%s» er fylt med %d aktørar, %d innspel, %d tiltak, %d høyringar, %d røyster og %d kommentarar (%s). Prøv «dugnad digest --plan %[1]s --format html -o demo.html».",
		"Plan %q is filled with %d actors, %d suggestions, %d measures, %d hearings, %d votes and %d comments (%s). Try \"dugnad digest --plan %[1]s --format html -o demo.html\"."},
	"invalid_plan": {"planen er ugyldig: %s", "planen er ugyldig: %s", "the plan is invalid: %s"},
}
