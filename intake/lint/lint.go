// Package lint checks that a measure is worded so that one can answer yes
// or no to whether it was carried out, as the planning guidance asks. It
// flags vague verbs without a concrete deliverable, a missing responsible
// unit, a missing deadline, and promises of "more" or "better" without a
// number. It is advice: the project leader may override it with a reason.
package lint

import (
	"regexp"
	"strings"
	"unicode"
)

// Code names a problem.
type Code string

const (
	VagueVerb     Code = "vague_verb"
	NoResponsible Code = "no_responsible"
	NoDeadline    Code = "no_deadline"
	NoQuantity    Code = "no_quantity"
)

// Problem is one reason a measure cannot be checked.
type Problem struct {
	Code Code
	Word string // the vague verb or promise word, for VagueVerb and NoQuantity
}

// Result is the verdict on a measure's wording.
type Result struct {
	Problems []Problem
}

// Checkable reports whether nothing was flagged.
func (r Result) Checkable() bool { return len(r.Problems) == 0 }

// Has reports whether a problem of the code was found.
func (r Result) Has(c Code) bool {
	for _, p := range r.Problems {
		if p.Code == c {
			return true
		}
	}
	return false
}

// Measure is what the lint reads: the text, and the responsible unit and
// deadline when they are set apart from it.
type Measure struct {
	Text        string
	Responsible string
	Deadline    string
}

// vagueVerbs are the verbs of weak plan language, bokmål and nynorsk, in
// the forms they take in measures. Longer phrases come first.
var vagueVerbs = []string{
	"legge til rette for", "leggje til rette for", "legges til rette for", "leggjast til rette for", "tilrettelegge for",
	"ha fokus på", "ha fokus pa", "fokusere på", "fokusere mer på", "sette fokus på", "setje fokus på",
	"jobbe for", "jobbe med", "jobbe mot", "arbeide for", "arbeide med", "arbeide mot",
	"bidra til", "bidra med", "se på", "sjå på", "se nærmere på", "sjå nærare på", "ta sikte på", "satse på", "satse mer på",
	"øke bevisstheten", "auke medvitet", "øke oppmerksomheten", "være en pådriver", "vere ein pådrivar",
	"vurdere", "vurderer", "vurderast", "vurderes", "styrke", "styrker", "styrkes", "styrkje", "styrkjer", "styrkjast",
	"sikre", "sikrer", "sikres", "sikrast", "utvikle", "utvikler", "utvikles", "utviklast", "videreutvikle", "vidareutvikle",
	"videreutvikles", "vidareutviklast", "forbedre", "forbetre", "forbedres", "forbetrast", "fremme", "fremje", "bedre", "betre",
	"prioritere", "prioriterer", "ivareta", "ivaretar", "ivaretas", "motivere", "stimulere", "tilstrebe", "etterstrebe",
}

// concreteVerbs are actions whose result one can point to.
var concreteVerbs = []string{
	"etablere", "etablerer", "etableres", "etablerast", "opprette", "oppretter", "opprettes", "opprettast", "innføre", "innfører",
	"innføres", "innførast", "vedta", "vedtar", "vedtas", "vedtakast", "kjøpe", "kjøper", "kjøpes", "kjøpast", "bygge", "bygger",
	"bygges", "byggje", "byggjer", "ansette", "ansetter", "ansettes", "tilsette", "tilset", "gjennomføre", "gjennomfører",
	"gjennomføres", "gjennomførast", "lage", "lager", "lages", "lagar", "utarbeide", "utarbeider", "utarbeides", "utarbeidast",
	"legge fram", "legger fram", "legges fram", "leggje fram", "leggjast fram", "legge frem", "legger frem", "legges frem",
	"ta i bruk", "tar i bruk", "tas i bruk", "starte", "starter", "startes", "byrje", "byrjar", "tildele", "tildeler", "tildeles",
	"holde", "holder", "holdes", "halde", "held", "haldast", "arrangere", "arrangerer", "arrangeres", "publisere", "publiserer",
	"publiseres", "sende", "sender", "sendes", "sendast", "levere", "leverer", "leveres", "leverast", "inngå", "inngår", "inngås",
	"skrive", "skriver", "skrives", "oversette", "oversetter", "oversettes", "kartlegge", "kartlegger", "kartlegges",
	"evaluere", "evaluerer", "evalueres", "evaluerast", "rapportere", "rapporterer", "oppdatere", "oppdaterer", "oppdateres",
	"åpne", "åpner", "åpnes", "opne", "opnar", "ferdigstille", "ferdigstiller", "ferdigstilles", "utvide", "utvider",
	"utvides", "utvidast", "endre", "endrer", "endres", "endrast", "samle", "samler", "samles", "gi", "gir", "gis",
	"tilby", "tilbyr", "tilbys", "øremerke", "øremerker", "øremerkes", "avsette", "avsetter", "avsettes", "søke", "søker", "søkes",
}

// deliverables are things whose existence one can check.
var deliverables = []string{
	"plan", "handlingsplan", "strategi", "ordning", "skjema", "søknadsskjema", "rutine", "rutiner", "veileder", "rettleiar",
	"avtale", "samarbeidsavtale", "kurs", "opplæring", "stilling", "stillinger", "stillingar", "team", "tilbud", "tilbod",
	"rapport", "kartlegging", "evaluering", "nettside", "nettsted", "brosjyre", "møteplass", "kontor", "kontordag", "fond",
	"retningslinjer", "retningslinje", "prosjekt", "pilot", "prøveordning", "system", "register", "database", "app",
	"boliger", "bustader", "leiligheter", "husvære", "plasser", "tilskudd", "tilskot", "garanti", "depositumsgaranti",
}

// promiseWords promise an amount without naming it.
var promiseWords = []string{"flere", "fleire", "økt", "økte", "auka", "auke", "øke", "øker", "mer", "meir", "bedre", "betre",
	"færre", "redusere", "redusert", "raskere", "raskare", "kortere", "kortare", "større", "mindre", "høyere", "høgare", "lavere", "lågare"}

// units name who acts: a unit ending or a known body.
var units = regexp.MustCompile(`(?i)(kontoret|kontor\b|tjenesten|tjenestene|tenesta|tenestene|avdelingen|avdelinga|etaten|etaten|enheten|eininga|` +
	`seksjonen|stiftelsen|stiftinga|foreningen|foreininga|rådet|utvalget|utvalet|\bnav\b|husbanken|kommunedirektøren|kommunedirektøre?n?|` +
	`kommunalsjef|rådmannen|kommunestyret|formannskapet|prosjektgruppen|prosjektgruppa|prosjektleder|prosjektleiar|styringsgruppen|` +
	`styringsgruppa|referansegruppen|referansegruppa|plan og bygg|helse og omsorg|barn og familie|boligkontoret|bustadkontoret|` +
	`boligstiftelse|bustadstifting|bymisjon|frelsesarmeen|politiet|fylkeskommunen|statsforvalteren|skolen|skulen|barnevernet|` +
	`barnevernstjenesten|eiendom|eigedom|flyktningtjenesten|\bansvar(lig)?\s*:|\(ansvar)`)

// deadlines name when: a year, a month, a date, a part of a year.
var deadlines = regexp.MustCompile(`(?i)(\b20[2-9][0-9]\b|\b\d{1,2}\.\s?\d{1,2}\.(\s?\d{2,4})?|\binnen\s+\d|\bjanuar|\bfebruar|\bmars\b|\bapril\b|\bmai\b|` +
	`\bjuni\b|\bjuli\b|\baugust\b|\bseptember\b|\boktober\b|\bnovember\b|\bdesember\b|halvår|kvartal|\bq[1-4]\b|` +
	`innen utgangen av|innan utgangen av|i løpet av (neste|dette|første|andre)|i løpet av \d|hvert år|kvart år|årlig|årleg|` +
	`innen\s+(to|tre|fire|fem|seks|\d+)\s+(dager|dagar|uker|veker|måneder|månader|virkedager|yrkedagar))`)

var number = regexp.MustCompile(`\d|\b(en|ett|ei|ein|eitt|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|tjue|tretti|femti|hundre|halvparten|alle)\b`)

// Check judges a measure's wording.
func Check(m Measure) Result {
	text := strings.ToLower(m.Text)
	var r Result
	if verb := firstPhrase(text, vagueVerbs); verb != "" && !concrete(text) {
		r.Problems = append(r.Problems, Problem{Code: VagueVerb, Word: verb})
	}
	if strings.TrimSpace(m.Responsible) == "" && !units.MatchString(m.Text) {
		r.Problems = append(r.Problems, Problem{Code: NoResponsible})
	}
	if strings.TrimSpace(m.Deadline) == "" && !deadlines.MatchString(m.Text) {
		r.Problems = append(r.Problems, Problem{Code: NoDeadline})
	}
	if w := firstPhrase(text, promiseWords); w != "" && !number.MatchString(withoutDates(text)) {
		r.Problems = append(r.Problems, Problem{Code: NoQuantity, Word: w})
	}
	return r
}

// concrete reports whether the text names an action with a result one can
// point to: a concrete verb, or a deliverable.
func concrete(text string) bool {
	return firstPhrase(text, concreteVerbs) != "" && firstPhrase(text, deliverables) != ""
}

// withoutDates removes years and dates, which are not the amount a
// promise of "more" needs.
var dateLike = regexp.MustCompile(`\b20[2-9][0-9]\b|\b\d{1,2}\.\s?\d{1,2}\.(\s?\d{2,4})?|\b\d{1,2}\.\s+(januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember)`)

func withoutDates(text string) string { return dateLike.ReplaceAllString(text, " ") }

// firstPhrase returns the first of phrases that occurs in text as whole
// words, or "".
func firstPhrase(text string, phrases []string) string {
	for _, p := range phrases {
		i := 0
		for {
			j := strings.Index(text[i:], p)
			if j < 0 {
				break
			}
			start, end := i+j, i+j+len(p)
			if boundary(text, start-1) && boundary(text, end) {
				return p
			}
			i = start + 1
		}
	}
	return ""
}

func boundary(text string, i int) bool {
	if i < 0 || i >= len(text) {
		return true
	}
	r := rune(text[i])
	if r >= 0x80 { // inside a multi-byte letter
		return false
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
