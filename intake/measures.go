package intake

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake/classify"
	"github.com/kommune-dugnad/dugnad/intake/lint"
	"github.com/kommune-dugnad/dugnad/store"
)

// Systematising: the project leader and group list suggestions, make
// measures of them, and see what is covered. The same commands serve the
// chat and the command line.

// Leader is who runs a systematising command, and where: in a chat (the
// platform, to reach authors on) or on the command line.
type Leader struct {
	Plan     store.Plan
	By       store.By
	Lang     store.Language
	Platform string
}

// nearDuplicateThreshold is the TF-IDF cosine at which two suggestions are
// shown as saying nearly the same thing.
const nearDuplicateThreshold = 0.5

// listLimit is how many suggestions one listing shows.
const listLimit = 60

var idList = regexp.MustCompile(`^#?\d+(,#?\d+)*,?$`)

// Measures runs "tiltak …": list, create, show or edit measures. It returns
// the answer and the messages to send (authors told that their suggestion
// became part of a measure).
func Measures(ctx context.Context, tx *store.Tx, l Leader, arg string) (string, []bot.Message, error) {
	fields := strings.Fields(arg)
	if len(fields) == 0 {
		return listMeasures(ctx, tx, l)
	}
	if w := strings.ToLower(fields[0]); w == "ny" || w == "new" {
		return newMeasure(ctx, tx, l, fields[1:])
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(fields[0], "#"), 10, 64)
	if err != nil {
		return tr(l.Lang, "measure_usage"), nil, nil
	}
	m, err := tx.MeasureByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.PlanID != l.Plan.ID) {
		return tr(l.Lang, "no_measure", id), nil, nil
	} else if err != nil {
		return "", nil, err
	}
	if len(fields) == 1 {
		text, err := showMeasure(ctx, tx, l, m)
		return text, nil, err
	}
	return editMeasure(ctx, tx, l, m, strings.ToLower(fields[1]), strings.Join(fields[2:], " "))
}

func newMeasure(ctx context.Context, tx *store.Tx, l Leader, fields []string) (string, []bot.Message, error) {
	if len(fields) < 2 {
		return tr(l.Lang, "measure_usage"), nil, nil
	}
	st, err := tx.StrategyByKey(ctx, l.Plan.ID, fields[0])
	if errors.Is(err, store.ErrNotFound) {
		return tr(l.Lang, "unknown_strategy", fields[0]), nil, nil
	} else if err != nil {
		return "", nil, err
	}
	var from []int64
	rest := fields[1:]
	if idList.MatchString(rest[0]) {
		from, err = parseIDs(rest[0])
		if err != nil {
			return tr(l.Lang, "measure_usage"), nil, nil
		}
		rest = rest[1:]
	}
	text := strings.Join(rest, " ")
	if strings.TrimSpace(text) == "" {
		return tr(l.Lang, "measure_needs_text"), nil, nil
	}
	if problem := textProblem(l.Lang, text); problem != "" {
		return problem, nil, nil
	}
	for _, id := range from {
		if s, err := tx.SuggestionByID(ctx, id); errors.Is(err, store.ErrNotFound) || (err == nil && s.PlanID != l.Plan.ID) {
			return tr(l.Lang, "no_suggestion", id), nil, nil
		} else if err != nil {
			return "", nil, err
		}
	}
	m, err := tx.CreateMeasure(ctx, l.By, store.Measure{PlanID: l.Plan.ID, StrategyID: st.ID, Text: text, CreatedBy: l.By.ActorID}, from, nil)
	if err != nil {
		return "", nil, err
	}
	notes, err := notifyAuthors(ctx, tx, l, m)
	if err != nil {
		return "", nil, err
	}
	shown, err := showMeasure(ctx, tx, l, m)
	return tr(l.Lang, "measure_created", m.ID) + "\n\n" + shown, notes, err
}

func parseIDs(s string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(strings.Trim(s, ","), ",") {
		id, err := strconv.ParseInt(strings.TrimPrefix(part, "#"), 10, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// editMeasure changes one field of a measure, or links more suggestions.
func editMeasure(ctx context.Context, tx *store.Tx, l Leader, m store.Measure, field, value string) (string, []bot.Message, error) {
	value = strings.TrimSpace(value)
	var e store.MeasureEdit
	switch field {
	case "tekst", "text":
		if value == "" {
			return tr(l.Lang, "measure_needs_text"), nil, nil
		}
		if problem := textProblem(l.Lang, value); problem != "" {
			return problem, nil, nil
		}
		e.Text = &value
	case "ansvar", "ansvarlig", "responsible":
		if value == "" {
			return tr(l.Lang, "measure_usage"), nil, nil
		}
		e.Responsible = &value
	case "frist", "deadline":
		d, err := parseDate(value, l.Plan.Location())
		if err != nil {
			return tr(l.Lang, "bad_date", value), nil, nil
		}
		if d.Before(today(l.Plan.Location())) {
			return tr(l.Lang, "deadline_past", longDate(l.Lang, d)), nil, nil
		}
		iso := d.Format(time.DateOnly)
		e.Deadline = &iso
	case "grunnlag", "basis":
		b, ok := basisWord(value)
		if !ok {
			return tr(l.Lang, "bad_basis", value), nil, nil
		}
		e.Basis = &b
	case "hvem", "kven", "who":
		w, ok := whoWord(value)
		if !ok {
			return tr(l.Lang, "bad_who", value), nil, nil
		}
		e.WhoActs = &w
	case "oppgaver", "oppgåver", "tasks":
		keys, bad, err := taskKeys(ctx, tx, l.Plan, value)
		if err != nil {
			return "", nil, err
		}
		if bad != "" {
			return tr(l.Lang, "bad_task", bad), nil, nil
		}
		e.Tasks = &keys
	case "innspill", "innspel", "suggestions":
		ids, err := parseIDs(value)
		if err != nil || len(ids) == 0 {
			return tr(l.Lang, "measure_usage"), nil, nil
		}
		_, err = tx.LinkSuggestions(ctx, l.By, m.ID, ids)
		var inv *store.InvalidError
		if errors.As(err, &inv) {
			return tr(l.Lang, "no_suggestion_in", value), nil, nil
		} else if err != nil {
			return "", nil, err
		}
		notes, err := notifyAuthors(ctx, tx, l, m)
		if err != nil {
			return "", nil, err
		}
		shown, err := showMeasure(ctx, tx, l, m)
		return shown, notes, err
	case "overstyr", "override":
		if value == "" {
			return tr(l.Lang, "override_needs_reason"), nil, nil
		}
		if problem := textProblem(l.Lang, value); problem != "" {
			return problem, nil, nil
		}
		updated, err := tx.OverrideLint(ctx, l.By, m.ID, value)
		if err != nil {
			return "", nil, err
		}
		shown, err := showMeasure(ctx, tx, l, updated)
		return shown, nil, err
	default:
		return tr(l.Lang, "measure_usage"), nil, nil
	}
	updated, err := tx.UpdateMeasure(ctx, l.By, m.ID, e)
	var inv *store.InvalidError
	if errors.As(err, &inv) {
		return tr(l.Lang, "measure_locked", m.ID), nil, nil
	} else if err != nil {
		return "", nil, err
	}
	shown, err := showMeasure(ctx, tx, l, updated)
	return shown, nil, err
}

func basisWord(s string) (store.Basis, bool) {
	switch strings.ToLower(s) {
	case "må", "ma", "must":
		return store.BasisMust, true
	case "bør", "bor", "should":
		return store.BasisShould, true
	case "vil", "will":
		return store.BasisWill, true
	case "kan", "can":
		return store.BasisCan, true
	}
	return "", false
}

func whoWord(s string) (store.WhoActs, bool) {
	switch strings.ToLower(strings.Fields(s + " x")[0]) {
	case "selv", "sjølv", "self", "kommunen":
		return store.WhoSelf, true
	case "sammen", "saman", "together":
		return store.WhoTogether, true
	case "overlate", "andre", "others":
		return store.WhoOthers, true
	}
	return "", false
}

// taskKeys reads central tasks by key or by their number in the plan's
// list; it returns the first it does not know.
func taskKeys(ctx context.Context, tx *store.Tx, plan store.Plan, value string) ([]string, string, error) {
	tasks, err := tx.CentralTasks(ctx, plan.ID)
	if err != nil {
		return nil, "", err
	}
	var out []string
	for _, part := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' }) {
		found := ""
		for i, t := range tasks {
			if t.Key == part || strconv.Itoa(i+1) == part {
				found = t.Key
			}
		}
		if found == "" {
			return nil, part, nil
		}
		out = append(out, found)
	}
	return out, "", nil
}

var statusWords = map[store.MeasureStatus][3]string{
	store.StatusDraft:     {"utkast", "utkast", "draft"},
	store.StatusOnHearing: {"på høring", "på høyring", "on hearing"},
	store.StatusHeard:     {"hørt", "høyrd", "heard"},
	store.StatusApproved:  {"godkjent", "godkjent", "approved"},
	store.StatusReturned:  {"sendt tilbake", "send tilbake", "returned"},
	store.StatusAnchored:  {"forankret", "forankra", "anchored"},
}

func listMeasures(ctx context.Context, tx *store.Tx, l Leader) (string, []bot.Message, error) {
	ms, err := tx.Measures(ctx, l.Plan.ID)
	if err != nil {
		return "", nil, err
	}
	if len(ms) == 0 {
		return tr(l.Lang, "no_measures"), nil, nil
	}
	lines := []string{tr(l.Lang, "measures_header", len(ms))}
	for _, m := range ms {
		mark := "✓"
		if !lint.Check(lint.Measure{Text: m.Text, Responsible: m.Responsible, Deadline: m.Deadline}).Checkable() {
			mark = "⚠"
		}
		lines = append(lines, fmt.Sprintf("%s %d (%s, %s): %s", mark, m.ID, m.StrategyKey, statusWords[m.Status][l.Lang.Index()], display(m.Text, 160)))
	}
	return strings.Join(lines, "\n"), nil, nil
}

// showMeasure is a measure in full: its fields, the wording check with the
// yes/no question it must answer, and the suggestions it came from.
func showMeasure(ctx context.Context, tx *store.Tx, l Leader, m store.Measure) (string, error) {
	lang := l.Lang
	lines := []string{tr(lang, "measure_title", m.ID, m.StrategyKey, statusWords[m.Status][lang.Index()], display(m.Text, 0))}
	var facts []string
	orNone := func(s string) string {
		if s == "" {
			return tr(lang, "not_set")
		}
		return s
	}
	facts = append(facts, tr(lang, "measure_responsible", orNone(m.Responsible)))
	deadline := ""
	if m.Deadline != "" {
		d, _ := time.ParseInLocation(time.DateOnly, m.Deadline, l.Plan.Location())
		deadline = longDate(lang, d)
	}
	facts = append(facts, tr(lang, "measure_deadline", orNone(deadline)))
	basis, who := "", ""
	if m.Basis != "" {
		basis = strings.ToLower(basisLabels[m.Basis][lang.Index()])
	}
	if m.WhoActs != "" {
		who = strings.ToLower(whoLabels[m.WhoActs][lang.Index()])
	}
	facts = append(facts, tr(lang, "measure_basis", orNone(basis)), tr(lang, "measure_who", orNone(who)))
	taskKeys, err := tx.MeasureTasks(ctx, m.ID)
	if err != nil {
		return "", err
	}
	tasks, err := tx.CentralTasks(ctx, l.Plan.ID)
	if err != nil {
		return "", err
	}
	var names []string
	for _, t := range tasks {
		for _, k := range taskKeys {
			if k == t.Key {
				names = append(names, t.Name)
			}
		}
	}
	facts = append(facts, tr(lang, "measure_tasks", orNone(strings.Join(names, ", "))))
	lines = append(lines, strings.Join(facts, " · "))

	if deadline != "" {
		lines = append(lines, tr(lang, "yes_no_by", display(m.Text, 200), deadline))
	} else {
		lines = append(lines, tr(lang, "yes_no", display(m.Text, 200)))
	}
	verdict := lint.Check(lint.Measure{Text: m.Text, Responsible: m.Responsible, Deadline: m.Deadline})
	if verdict.Checkable() {
		lines = append(lines, tr(lang, "lint_ok"))
	} else {
		var why []string
		for _, p := range verdict.Problems {
			if p.Word != "" {
				why = append(why, tr(lang, "lint_"+string(p.Code), p.Word))
			} else {
				why = append(why, tr(lang, "lint_"+string(p.Code)))
			}
		}
		lines = append(lines, tr(lang, "lint_problems", strings.Join(why, "; ")))
		if m.LintOverride != "" {
			lines = append(lines, tr(lang, "lint_overridden", display(m.LintOverride, 300)))
		} else {
			lines = append(lines, tr(lang, "lint_example"), tr(lang, "lint_override_how", m.ID))
		}
	}
	from, err := tx.MeasureSuggestions(ctx, m.ID)
	if err != nil {
		return "", err
	}
	if len(from) > 0 {
		lines = append(lines, tr(lang, "measure_from", len(from)))
		for _, s := range from {
			lines = append(lines, "• "+suggestionLine(lang, s, false))
		}
	}
	return strings.Join(lines, "\n"), nil
}

// suggestionLine is one suggestion in a listing.
func suggestionLine(lang store.Language, s store.Suggestion, used bool) string {
	author := s.ActorName
	if author == "" {
		author = tr(lang, "no_name")
	}
	if s.Organisation != "" {
		author += " (" + s.Organisation + ")"
	}
	where := s.StrategyKey
	if where == "" {
		where = tr(lang, "unfiled")
	}
	if s.Question > 0 {
		where += "/" + strconv.Itoa(s.Question)
	}
	line := fmt.Sprintf("#%d %s %s: «%s»", s.ID, where, author, display(s.Text, 200))
	if used {
		line += " " + tr(lang, "in_measure")
	}
	return line
}

// notifyAuthors tells the authors of a measure's suggestions, each once,
// that their suggestion became part of it.
func notifyAuthors(ctx context.Context, tx *store.Tx, l Leader, m store.Measure) ([]bot.Message, error) {
	pending, err := tx.Unnotified(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	var out []bot.Message
	for _, s := range pending {
		ok, err := tx.MarkNotified(ctx, m.ID, s.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		a, err := tx.ActorByID(ctx, s.ActorID)
		if err != nil {
			return nil, err
		}
		platform, channel, err := whereToReach(ctx, tx, a, l.Platform)
		if err != nil {
			return nil, err
		}
		if platform == "" {
			continue
		}
		lang, err := actorLang(ctx, tx, l.Plan, a)
		if err != nil {
			return nil, err
		}
		out = append(out, bot.Message{Platform: platform, Channel: channel,
			Text: tr(lang, "became_measure", display(s.Text, 200), m.ID, display(m.Text, 300))})
	}
	return out, nil
}

// whereToReach is where to write to an actor: where they last talked to
// the bot, or where an invitation would reach them.
func whereToReach(ctx context.Context, tx *store.Tx, a store.Actor, from string) (string, string, error) {
	if d, err := tx.DialogByActor(ctx, a.ID); err == nil && d.Platform != "" {
		return d.Platform, d.Channel, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", "", err
	}
	if from == "" {
		from = bot.Console
	}
	return reach(ctx, tx, a, from)
}

// Suggestions runs "innspill …": the plan's suggestions by strategy,
// question, actor or organisation, or those not used in any measure, with
// groups of near-duplicates.
func Suggestions(ctx context.Context, tx *store.Tx, l Leader, arg string) (string, error) {
	all, err := tx.Suggestions(ctx, l.Plan.ID)
	if err != nil {
		return "", err
	}
	used, err := tx.UsedSuggestions(ctx, l.Plan.ID)
	if err != nil {
		return "", err
	}
	filter, title, ok := suggestionFilter(l.Lang, arg)
	if !ok {
		return tr(l.Lang, "list_usage"), nil
	}
	var picked []store.Suggestion
	for _, s := range all {
		if filter(s, used[s.ID]) {
			picked = append(picked, s)
		}
	}
	if len(picked) == 0 {
		return tr(l.Lang, "list_none", title), nil
	}
	lines := []string{tr(l.Lang, "list_header", title, len(picked))}
	for i, s := range picked {
		if i == listLimit {
			lines = append(lines, tr(l.Lang, "list_more", len(picked)-listLimit))
			break
		}
		lines = append(lines, suggestionLine(l.Lang, s, used[s.ID]))
	}
	// Near-duplicates are looked for within each strategy.
	byStrategy := map[string][]store.Suggestion{}
	for _, s := range picked {
		byStrategy[s.StrategyKey] = append(byStrategy[s.StrategyKey], s)
	}
	var dupLines []string
	for _, group := range orderedKeys(byStrategy) {
		list := byStrategy[group]
		texts := make([]string, len(list))
		for i, s := range list {
			texts[i] = s.Text
		}
		for _, g := range classify.NearDuplicates(texts, nearDuplicateThreshold) {
			var ids []string
			for _, i := range g {
				ids = append(ids, "#"+strconv.FormatInt(list[i].ID, 10))
			}
			dupLines = append(dupLines, "• "+strings.Join(ids, " ≈ "))
		}
	}
	if len(dupLines) > 0 {
		lines = append(lines, "", tr(l.Lang, "list_duplicates"))
		lines = append(lines, dupLines...)
	}
	return strings.Join(lines, "\n"), nil
}

func orderedKeys(m map[string][]store.Suggestion) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// suggestionFilter reads a listing's filter: "", "S3", "spørsmål 2",
// "aktør KEY", "org NAME", "ubrukte".
func suggestionFilter(lang store.Language, arg string) (func(store.Suggestion, bool) bool, string, bool) {
	arg = strings.TrimSpace(arg)
	word, rest, _ := strings.Cut(arg, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(word) {
	case "":
		return func(store.Suggestion, bool) bool { return true }, tr(lang, "list_all"), true
	case "ubrukte", "ubrukt", "unused":
		return func(_ store.Suggestion, used bool) bool { return !used }, tr(lang, "list_unused"), true
	case "spørsmål", "sporsmal", "spm", "question":
		q, err := strconv.Atoi(rest)
		if err != nil || q < 1 || q > store.QuestionCount {
			return nil, "", false
		}
		return func(s store.Suggestion, _ bool) bool { return s.Question == q }, tr(lang, "list_question", q), true
	case "aktør", "aktor", "actor":
		return func(s store.Suggestion, _ bool) bool { return s.ActorKey == rest }, rest, rest != ""
	case "org", "organisasjon", "organisation":
		lower := strings.ToLower(rest)
		return func(s store.Suggestion, _ bool) bool {
			return rest != "" && strings.Contains(strings.ToLower(s.Organisation), lower)
		}, rest, rest != ""
	case "ufilert", "unfiled":
		return func(s store.Suggestion, _ bool) bool { return s.StrategyKey == "" }, tr(lang, "unfiled"), true
	}
	if rest == "" {
		return func(s store.Suggestion, _ bool) bool { return strings.EqualFold(s.StrategyKey, word) }, word, true
	}
	return nil, "", false
}

// Coverage runs "dekning": each strategy's and central task's measures,
// each guiding question's suggestions; gaps stand out.
func Coverage(ctx context.Context, tx *store.Tx, l Leader) (string, error) {
	lang := l.Lang
	strategies, err := tx.Strategies(ctx, l.Plan.ID)
	if err != nil {
		return "", err
	}
	measures, err := tx.Measures(ctx, l.Plan.ID)
	if err != nil {
		return "", err
	}
	byStrategy := map[string]int{}
	byTask := map[string]int{}
	for _, m := range measures {
		byStrategy[m.StrategyKey]++
		keys, err := tx.MeasureTasks(ctx, m.ID)
		if err != nil {
			return "", err
		}
		for _, k := range keys {
			byTask[k]++
		}
	}
	count := func(n int, key string) string {
		if n == 0 {
			return "⚠ " + tr(lang, key+"_none")
		}
		return tr(lang, key+"_n", n)
	}
	lines := []string{tr(lang, "coverage_title", l.Plan.Title), "", tr(lang, "coverage_strategies")}
	for _, s := range strategies {
		lines = append(lines, fmt.Sprintf("• %s %s: %s", s.Key, s.Title, count(byStrategy[s.Key], "measures")))
	}
	tasks, err := tx.CentralTasks(ctx, l.Plan.ID)
	if err != nil {
		return "", err
	}
	lines = append(lines, "", tr(lang, "coverage_tasks"))
	for _, t := range tasks {
		lines = append(lines, fmt.Sprintf("• %s: %s", t.Name, count(byTask[t.Key], "measures")))
	}
	sugg, err := tx.Suggestions(ctx, l.Plan.ID)
	if err != nil {
		return "", err
	}
	byQuestion := map[int]int{}
	for _, s := range sugg {
		byQuestion[s.Question]++
	}
	lines = append(lines, "", tr(lang, "coverage_questions"))
	for q := 1; q <= store.QuestionCount; q++ {
		lines = append(lines, fmt.Sprintf("• %d. %s %s", q, shortQuestion(lang, q), count(byQuestion[q], "answers")))
	}
	return strings.Join(lines, "\n"), nil
}

// leaderCommand runs a project leader's command from the chat.
func (s *Service) leaderCommand(ctx context.Context, tx *store.Tx, req *bot.Request, cmd command, arg string) ([]bot.Message, error) {
	if cmd == cmdInvite {
		return s.invite(ctx, tx, req, arg) // says itself who may invite
	}
	lang, err := actorLang(ctx, tx, *req.Plan, *req.Actor)
	if err != nil {
		return nil, err
	}
	if !canInvite(req) {
		return []bot.Message{req.Reply(tr(lang, "leader_only"))}, nil
	}
	l := Leader{Plan: *req.Plan, By: req.By(), Lang: lang, Platform: req.Platform}
	var text string
	var out []bot.Message
	switch cmd {
	case cmdIdea:
		return s.idea(ctx, tx, req, arg, lang)
	case cmdMeasure:
		text, out, err = Measures(ctx, tx, l, arg)
	case cmdList:
		text, err = Suggestions(ctx, tx, l, arg)
	case cmdCoverage:
		text, err = Coverage(ctx, tx, l)
	case cmdHearing:
		return s.hearingCommand(ctx, tx, req, lang, arg)
	case cmdAnchor:
		return s.anchorCommand(ctx, tx, req, lang, arg)
	case cmdDigest:
		return s.digestCommand(ctx, tx, req, lang, arg)
	}
	if err != nil {
		return nil, err
	}
	return append([]bot.Message{req.Reply(text)}, out...), nil
}
