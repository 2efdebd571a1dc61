package digest

import (
	"fmt"
	"time"

	"github.com/kommune-dugnad/dugnad/store"
)

// The digest's words, in bokmål, nynorsk and English (in that order).

// t renders a label in the digest's language.
func (d *Digest) t(key string, args ...any) string {
	w, ok := labels[key]
	if !ok {
		panic("digest: no label " + key) // a programming error, caught by the label test
	}
	if len(args) == 0 {
		return w[d.Language.Index()]
	}
	return fmt.Sprintf(w[d.Language.Index()], args...)
}

var labels = map[string][3]string{
	"title":            {"Sammendrag av tiltaksarbeidet", "Samandrag av tiltaksarbeidet", "Digest of the work on measures"},
	"subtitle":         {"%[1]s – %[2]s. Laget %[3]s.", "%[1]s – %[2]s. Laga %[3]s.", "%[1]s – %[2]s. Made %[3]s."},
	"filter":           {"Utvalg: %[1]s.", "Utval: %[1]s.", "Selection: %[1]s."},
	"filter_strategy":  {"strategi %[1]s", "strategi %[1]s", "strategy %[1]s"},
	"filter_status":    {"status «%[1]s»", "status «%[1]s»", "status “%[1]s”"},
	"filter_since":     {"nytt eller endret siden %[1]s", "nytt eller endra sidan %[1]s", "new or changed since %[1]s"},
	"overview":         {"Oversikt", "Oversyn", "Overview"},
	"totals":           {"%[1]d innspill (%[2]d ikke brukt i noe tiltak), %[3]d tiltak, %[4]d stemmer og %[5]d kommentarer i høringer.", "%[1]d innspel (%[2]d ikkje brukte i noko tiltak), %[3]d tiltak, %[4]d røyster og %[5]d kommentarar i høyringar.", "%[1]d suggestion(s) (%[2]d not used in any measure), %[3]d measure(s), %[4]d vote(s) and %[5]d comment(s) in hearings."},
	"by_status":        {"Tiltak etter status", "Tiltak etter status", "Measures by status"},
	"changes":          {"Endret siden forrige sammendrag (%[1]s)", "Endra sidan førre samandrag (%[1]s)", "Changed since the previous digest (%[1]s)"},
	"changes_first":    {"Dette er ditt første sammendrag av planen.", "Dette er det første samandraget ditt av planen.", "This is your first digest of the plan."},
	"changes_none":     {"Ingenting er endret.", "Ingenting er endra.", "Nothing has changed."},
	"new_suggestions":  {"%[1]d nye innspill", "%[1]d nye innspel", "%[1]d new suggestion(s)"},
	"new_measures":     {"nye tiltak: %[1]s", "nye tiltak: %[1]s", "new measures: %[1]s"},
	"status_change":    {"tiltak %[1]d: %[2]s → %[3]s", "tiltak %[1]d: %[2]s → %[3]s", "measure %[1]d: %[2]s → %[3]s"},
	"closed_hearings":  {"høringer lukket: %[1]s", "høyringar lukka: %[1]s", "hearings closed: %[1]s"},
	"goals":            {"Mål, strategier og tiltak", "Mål, strategiar og tiltak", "Goals, strategies and measures"},
	"goal":             {"Mål %[1]s: %[2]s", "Mål %[1]s: %[2]s", "Goal %[1]s: %[2]s"},
	"strategy":         {"Strategi %[1]s: %[2]s", "Strategi %[1]s: %[2]s", "Strategy %[1]s: %[2]s"},
	"strategy_counts":  {"%[1]d tiltak, %[2]d innspill.", "%[1]d tiltak, %[2]d innspel.", "%[1]d measure(s), %[2]d suggestion(s)."},
	"no_measures":      {"Ingen tiltak ennå.", "Ingen tiltak enno.", "No measures yet."},
	"measure":          {"Tiltak %[1]d", "Tiltak %[1]d", "Measure %[1]d"},
	"status":           {"Status", "Status", "Status"},
	"responsible":      {"Ansvarlig", "Ansvarleg", "Responsible"},
	"deadline":         {"Frist", "Frist", "Deadline"},
	"basis":            {"Grunnlag", "Grunnlag", "Basis"},
	"who":              {"Hvem", "Kven", "Who acts"},
	"tasks":            {"Sentrale oppgaver", "Sentrale oppgåver", "Central tasks"},
	"wording":          {"Etterprøvbar", "Etterprøvbar", "Checkable"},
	"wording_ok":       {"ja", "ja", "yes"},
	"wording_problems": {"nei: %[1]s", "nei: %[1]s", "no: %[1]s"},
	"wording_override": {"overstyrt: %[1]s", "overstyrt: %[1]s", "overridden: %[1]s"},
	"hearing":          {"Høring", "Høyring", "Hearing"},
	"hearing_tally":    {"%[1]d støtter, %[2]d mot, %[3]d usikre – %[4]d av %[5]d i referansegruppen stemte", "%[1]d støttar, %[2]d mot, %[3]d usikre – %[4]d av %[5]d i referansegruppa røysta", "%[1]d support, %[2]d oppose, %[3]d unsure – %[4]d of %[5]d in the reference group voted"},
	"hearing_open":     {"(høring %[1]d pågår)", "(høyring %[1]d pågår)", "(hearing %[1]d open)"},
	"hearing_closed":   {"(høring %[1]d)", "(høyring %[1]d)", "(hearing %[1]d)"},
	"quorum_met":       {"kravet til deltakelse er nådd", "kravet til deltaking er nådd", "quorum met"},
	"quorum_not_met":   {"kravet til deltakelse er ikke nådd", "kravet til deltaking er ikkje nådd", "quorum not met"},
	"not_heard":        {"ikke på høring ennå", "ikkje på høyring enno", "not yet on hearing"},
	"decision":         {"Styringsgruppen", "Styringsgruppa", "Steering group"},
	"approve":          {"godkjent", "godkjent", "approved"},
	"return":           {"returnert", "returnert", "returned"},
	"decision_by":      {"%[1]s av %[2]s, %[3]s", "%[1]s av %[2]s, %[3]s", "%[1]s by %[2]s, %[3]s"},
	"decision_reason":  {"begrunnelse: %[1]s", "grunngjeving: %[1]s", "reason: %[1]s"},
	"anchored_at":      {"forankret %[1]s", "forankra %[1]s", "anchored %[1]s"},
	"comments":         {"Kommentarer (%[1]d)", "Kommentarar (%[1]d)", "Comments (%[1]d)"},
	"outside_group":    {"utenfor referansegruppen", "utanfor referansegruppa", "outside the reference group"},
	"from_suggestions": {"Bygger på %[1]d innspill", "Byggjer på %[1]d innspel", "Based on %[1]d suggestion(s)"},
	"no_name":          {"uten navn", "utan namn", "no name"},
	"question_n":       {"spørsmål %[1]d", "spørsmål %[1]d", "question %[1]d"},
	"no_question":      {"utenom spørsmålene", "utanom spørsmåla", "outside the questions"},
	"unused":           {"Innspill som ikke er brukt i noe tiltak", "Innspel som ikkje er brukte i noko tiltak", "Suggestions not used in any measure"},
	"unused_none":      {"Alle innspill er brukt.", "Alle innspel er brukte.", "Every suggestion is used."},
	"unfiled":          {"Uten strategi", "Utan strategi", "No strategy"},
	"coverage":         {"Dekning", "Dekning", "Coverage"},
	"cov_strategies":   {"Strategier uten tiltak", "Strategiar utan tiltak", "Strategies without measures"},
	"cov_tasks":        {"Sentrale oppgaver uten tiltak", "Sentrale oppgåver utan tiltak", "Central tasks without measures"},
	"cov_questions":    {"Veiledende spørsmål uten svar", "Rettleiande spørsmål utan svar", "Guiding questions without answers"},
	"cov_all":          {"ingen", "ingen", "none"},
	"participation":    {"Deltakelse", "Deltaking", "Participation"},
	"part_totals":      {"%[1]d aktører, %[2]d invitert, %[3]d har gitt innspill, %[4]d takket nei.", "%[1]d aktørar, %[2]d inviterte, %[3]d har gitt innspel, %[4]d takka nei.", "%[1]d actors, %[2]d invited, %[3]d gave suggestions, %[4]d declined."},
	"organisation":     {"Organisasjon", "Organisasjon", "Organisation"},
	"group":            {"Gruppe", "Gruppe", "Group"},
	"actors":           {"Aktører", "Aktørar", "Actors"},
	"invited":          {"Invitert", "Invitert", "Invited"},
	"answered":         {"Har svart", "Har svart", "Answered"},
	"suggestions":      {"Innspill", "Innspel", "Suggestions"},
	"no_org":           {"(uten organisasjon)", "(utan organisasjon)", "(no organisation)"},
	"non_voters":       {"Medlemmer av referansegruppen som ikke stemte i høring %[1]d", "Medlemmer av referansegruppa som ikkje røysta i høyring %[1]d", "Reference group members who did not vote in hearing %[1]d"},
	"everyone_voted":   {"alle stemte", "alle røysta", "everyone voted"},
	"chart_votes":      {"Stemmer per tiltak", "Røyster per tiltak", "Votes per measure"},
	"chart_strategies": {"Tiltak og innspill per strategi", "Tiltak og innspel per strategi", "Measures and suggestions per strategy"},
	"chart_tasks":      {"Tiltak per sentral oppgave", "Tiltak per sentral oppgåve", "Measures per central task"},
	"chart_part":       {"Deltakelse per gruppe", "Deltaking per gruppe", "Participation per group"},
	"support":          {"Støtter", "Støttar", "Support"},
	"oppose":           {"Mot", "Mot", "Oppose"},
	"unsure":           {"Usikker", "Usikker", "Unsure"},
	"measures":         {"Tiltak", "Tiltak", "Measures"},
	"text":             {"Tekst", "Tekst", "Text"},
	"strategy_col":     {"Strategi", "Strategi", "Strategy"},
	"question_col":     {"Spørsmål", "Spørsmål", "Question"},
	"author":           {"Forfatter", "Forfattar", "Author"},
	"measure_col":      {"Tiltak", "Tiltak", "Measure"},
	"member":           {"Medlem", "Medlem", "Member"},
	"vote":             {"Stemme", "Røyst", "Vote"},
	"time":             {"Tidspunkt", "Tidspunkt", "Time"},
	"is_member":        {"Medlem av referansegruppen", "Medlem av referansegruppa", "Reference group member"},
	"yes":              {"ja", "ja", "yes"},
	"no":               {"nei", "nei", "no"},
	"votes":            {"Stemmer", "Røyster", "Votes"},
	"decision_col":     {"Beslutning", "Avgjerd", "Decision"},
	"reason":           {"Begrunnelse", "Grunngjeving", "Reason"},
	"used_in":          {"Brukt i tiltak", "Brukt i tiltak", "Used in measures"},
	"chart_alt":        {"Tallene i diagrammet står i tabellen under.", "Tala i diagrammet står i tabellen under.", "The figures in the chart are in the table below."},
	"none":             {"–", "–", "–"},
	"comments_col":     {"Kommentarer", "Kommentarar", "Comments"},
	"members_col":      {"Medlemmer", "Medlemmer", "Members"},
	"quorum_col":       {"Kravet nådd", "Kravet nådd", "Quorum met"},
}

var statusWords = map[store.MeasureStatus][3]string{
	store.StatusDraft:     {"utkast", "utkast", "draft"},
	store.StatusOnHearing: {"på høring", "på høyring", "on hearing"},
	store.StatusHeard:     {"hørt", "høyrd", "heard"},
	store.StatusApproved:  {"godkjent", "godkjent", "approved"},
	store.StatusReturned:  {"returnert", "returnert", "returned"},
	store.StatusAnchored:  {"forankret", "forankra", "anchored"},
}

// Statuses in the order of the process.
var Statuses = []store.MeasureStatus{store.StatusDraft, store.StatusOnHearing, store.StatusHeard, store.StatusApproved, store.StatusReturned, store.StatusAnchored}

var basisWords = map[store.Basis][3]string{
	store.BasisMust: {"må", "må", "must"}, store.BasisShould: {"bør", "bør", "should"},
	store.BasisWill: {"vil", "vil", "will"}, store.BasisCan: {"kan", "kan", "can"},
}

var whoWords = map[store.WhoActs][3]string{
	store.WhoSelf:     {"kommunen selv", "kommunen sjølv", "the municipality itself"},
	store.WhoTogether: {"sammen med andre", "saman med andre", "together with others"},
	store.WhoOthers:   {"overlate til andre", "overlate til andre", "leave to others"},
}

var roleWords = map[store.Role][3]string{
	store.RoleProjectLeader:  {"Prosjektleder", "Prosjektleiar", "Project leader"},
	store.RoleProjectGroup:   {"Prosjektgruppen", "Prosjektgruppa", "Project group"},
	store.RoleReferenceGroup: {"Referansegruppen", "Referansegruppa", "Reference group"},
	store.RoleSteeringGroup:  {"Styringsgruppen", "Styringsgruppa", "Steering group"},
}

var problemWords = map[string][3]string{
	"vague_verb":     {"vagt verb", "vagt verb", "vague verb"},
	"no_responsible": {"ingen ansvarlig", "ingen ansvarleg", "no responsible unit"},
	"no_deadline":    {"ingen frist", "ingen frist", "no deadline"},
	"no_quantity":    {"mer uten tall", "meir utan tal", "more without a number"},
}

var months = [3][12]string{
	{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
	{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
	{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

func (d *Digest) word(m map[string][3]string, k string) string {
	if w, ok := m[k]; ok {
		return w[d.Language.Index()]
	}
	return k
}

func (d *Digest) status(s store.MeasureStatus) string { return statusWords[s][d.Language.Index()] }

func (d *Digest) basis(b store.Basis) string {
	if b == "" {
		return ""
	}
	return basisWords[b][d.Language.Index()]
}

func (d *Digest) who(w store.WhoActs) string {
	if w == "" {
		return ""
	}
	return whoWords[w][d.Language.Index()]
}

func (d *Digest) role(r string) string { return roleWords[store.Role(r)][d.Language.Index()] }

func (d *Digest) loc() *time.Location {
	if loc, err := time.LoadLocation(d.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// date writes a day as the language does: "15. januar 2027".
func (d *Digest) date(t time.Time) string {
	t = t.In(d.loc())
	m := months[d.Language.Index()][t.Month()-1]
	if d.Language == store.English {
		return fmt.Sprintf("%d %s %d", t.Day(), m, t.Year())
	}
	return fmt.Sprintf("%d. %s %d", t.Day(), m, t.Year())
}

// dateTime is date with the time of day: "15. januar 2027 kl. 12.00".
func (d *Digest) dateTime(t time.Time) string {
	lt := t.In(d.loc())
	if d.Language == store.English {
		return fmt.Sprintf("%s at %02d:%02d", d.date(t), lt.Hour(), lt.Minute())
	}
	return fmt.Sprintf("%s kl. %02d.%02d", d.date(t), lt.Hour(), lt.Minute())
}

// day writes a YYYY-MM-DD date as date does, or returns it as it is.
func (d *Digest) day(s string) string {
	if t, err := time.ParseInLocation(time.DateOnly, s, d.loc()); err == nil {
		return d.date(t)
	}
	return s
}
