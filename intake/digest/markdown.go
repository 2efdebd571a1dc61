package digest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Summary is the digest in a few lines, for a chat: counts, gaps and what
// changed.
func (d *Digest) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", d.t("title"), d.Plan.Title)
	if f := d.filterText(); f != "" {
		b.WriteString(f + "\n")
	}
	b.WriteString(d.totalsText() + "\n")
	b.WriteString(d.statusText() + "\n")
	if gaps := d.gapsText(); gaps != "" {
		b.WriteString(gaps + "\n")
	}
	b.WriteString(d.changesText())
	return strings.TrimRight(b.String(), "\n")
}

func (d *Digest) filterText() string {
	var parts []string
	if d.Filter.Strategy != "" {
		parts = append(parts, d.t("filter_strategy", d.Filter.Strategy))
	}
	if d.Filter.Status != "" {
		parts = append(parts, d.t("filter_status", d.status(d.Filter.Status)))
	}
	if d.Filter.Since != "" {
		parts = append(parts, d.t("filter_since", d.day(d.Filter.Since)))
	}
	if len(parts) == 0 {
		return ""
	}
	return d.t("filter", strings.Join(parts, ", "))
}

func (d *Digest) totalsText() string {
	t := d.Totals
	return d.t("totals", t.Suggestions, t.Unused, t.Measures, t.Votes, t.Comments)
}

func (d *Digest) statusText() string {
	var parts []string
	for _, s := range Statuses {
		parts = append(parts, fmt.Sprintf("%s %d", d.status(s), d.Totals.ByStatus[s]))
	}
	return d.t("by_status") + ": " + strings.Join(parts, " · ")
}

// gapsText is coverage in two short lines, or "" when nothing is missing.
func (d *Digest) gapsText() string {
	var lines []string
	if s := d.strategiesWithout(); len(s) > 0 {
		lines = append(lines, d.t("cov_strategies")+": "+strings.Join(s, ", "))
	}
	if s := d.tasksWithout(); len(s) > 0 {
		lines = append(lines, d.t("cov_tasks")+": "+strings.Join(s, ", "))
	}
	return strings.Join(lines, "\n")
}

func (d *Digest) strategiesWithout() []string {
	var out []string
	for _, s := range d.Coverage.Strategies {
		if s.Measures == 0 {
			out = append(out, s.Key)
		}
	}
	return out
}

func (d *Digest) tasksWithout() []string {
	var out []string
	for _, t := range d.Coverage.Tasks {
		if t.Measures == 0 {
			out = append(out, t.Name)
		}
	}
	return out
}

// changeLines are what changed, one line each.
func (d *Digest) changeLines() []string {
	c := d.Changes
	var lines []string
	if c.NewSuggestions > 0 {
		lines = append(lines, d.t("new_suggestions", c.NewSuggestions))
	}
	if len(c.NewMeasures) > 0 {
		lines = append(lines, d.t("new_measures", joinIDs(c.NewMeasures)))
	}
	for _, s := range c.StatusChanges {
		lines = append(lines, d.t("status_change", s.Measure, d.status(s.From), d.status(s.To)))
	}
	if len(c.ClosedHearings) > 0 {
		lines = append(lines, d.t("closed_hearings", joinIDs(c.ClosedHearings)))
	}
	return lines
}

func (d *Digest) changesText() string {
	if d.Changes == nil {
		return d.t("changes_first")
	}
	lines := d.changeLines()
	if len(lines) == 0 {
		return d.t("changes", d.dateTime(d.Changes.Since)) + ": " + d.t("changes_none")
	}
	return d.t("changes", d.dateTime(d.Changes.Since)) + ":\n• " + strings.Join(lines, "\n• ")
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// mdEscaper keeps what people wrote from being read as Markdown or HTML.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", "&lt;", ">", "&gt;", "|", `\|`, "#", `\#`, "\r\n", " ", "\n", " ", "\r", " ")

func md(s string) string { return mdEscaper.Replace(strings.TrimSpace(s)) }

// Markdown writes the digest as Markdown for the plan document.
func (d *Digest) Markdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# %s\n\n", md(d.t("title")))
	p("%s\n\n", md(d.t("subtitle", d.Plan.Municipality, d.Plan.Title, d.dateTime(d.GeneratedAt))))
	if f := d.filterText(); f != "" {
		p("%s\n\n", md(f))
	}

	p("## %s\n\n%s\n\n", d.t("overview"), md(d.totalsText()))
	p("| %s | %s |\n|---|---:|\n", d.t("status"), d.t("measures"))
	for _, s := range Statuses {
		p("| %s | %d |\n", d.status(s), d.Totals.ByStatus[s])
	}
	b.WriteString("\n")
	if d.Changes == nil {
		p("%s\n\n", md(d.t("changes_first")))
	} else {
		p("### %s\n\n", md(d.t("changes", d.dateTime(d.Changes.Since))))
		lines := d.changeLines()
		if len(lines) == 0 {
			p("%s\n\n", d.t("changes_none"))
		}
		for _, l := range lines {
			p("- %s\n", md(l))
		}
		if len(lines) > 0 {
			b.WriteString("\n")
		}
	}

	p("## %s\n\n", d.t("goals"))
	for _, g := range d.Goals {
		p("### %s\n\n", md(d.t("goal", g.Key, g.Text)))
		for _, s := range g.Strategies {
			p("#### %s\n\n%s\n\n", md(d.t("strategy", s.Key, s.Title)), md(d.t("strategy_counts", len(s.Measures), s.Suggestions)))
			if len(s.Measures) == 0 {
				p("%s\n\n", d.t("no_measures"))
			}
			for _, m := range s.Measures {
				d.markdownMeasure(&b, m)
			}
		}
	}

	p("## %s\n\n", d.t("unused"))
	if len(d.Unused) == 0 {
		p("%s\n\n", d.t("unused_none"))
	}
	for _, g := range d.Unused {
		p("### %s – %s\n\n", md(d.strategyName(g.Strategy)), d.questionName(g.Question))
		for _, s := range g.Suggestions {
			p("- #%d «%s» – %s\n", s.ID, md(s.Text), md(d.authorOf(s)))
		}
		b.WriteString("\n")
	}

	p("## %s\n\n", d.t("coverage"))
	p("- %s: %s\n", d.t("cov_strategies"), md(orNone(d, d.strategiesWithout())))
	p("- %s: %s\n", d.t("cov_tasks"), md(orNone(d, d.tasksWithout())))
	var gaps []string
	for _, q := range d.Coverage.QuestionsWithoutAnswers {
		gaps = append(gaps, q.Strategy+": "+joinInts(q.Questions))
	}
	p("- %s: %s\n\n", d.t("cov_questions"), md(orNone(d, gaps)))

	pa := d.Participation
	p("## %s\n\n%s\n\n", d.t("participation"), md(d.t("part_totals", pa.Actors, pa.Invited, pa.Answered, pa.Declined)))
	p("| %s | %s | %s | %s | %s |\n|---|---:|---:|---:|---:|\n", d.t("group"), d.t("actors"), d.t("invited"), d.t("answered"), d.t("suggestions"))
	for _, r := range pa.ByGroup {
		p("| %s | %d | %d | %d | %d |\n", md(d.role(r.Name)), r.Actors, r.Invited, r.Answered, r.Suggestions)
	}
	p("\n| %s | %s | %s | %s | %s |\n|---|---:|---:|---:|---:|\n", d.t("organisation"), d.t("actors"), d.t("invited"), d.t("answered"), d.t("suggestions"))
	for _, r := range pa.ByOrganisation {
		p("| %s | %d | %d | %d | %d |\n", md(d.orgName(r.Name)), r.Actors, r.Invited, r.Answered, r.Suggestions)
	}
	b.WriteString("\n")
	for _, nv := range pa.NonVoters {
		who := d.t("everyone_voted")
		if len(nv.Members) > 0 {
			who = strings.Join(nv.Members, ", ")
		}
		p("%s: %s\n\n", md(d.t("non_voters", nv.Hearing)), md(who))
	}
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

func (d *Digest) markdownMeasure(b *strings.Builder, m Measure) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("**%s** – %s\n\n%s\n\n", d.t("measure", m.ID), d.status(m.Status), md(m.Text))
	p("| | |\n|---|---|\n")
	for _, row := range d.measureFacts(m) {
		p("| %s | %s |\n", row[0], md(row[1]))
	}
	b.WriteString("\n")
	if len(m.Comments) > 0 {
		p("%s:\n\n", d.t("comments", len(m.Comments)))
		for _, c := range m.Comments {
			p("- %s: «%s»\n", md(d.commenter(c)), md(c.Text))
		}
		b.WriteString("\n")
	}
	if len(m.Suggestions) > 0 {
		p("%s:\n\n", d.t("from_suggestions", len(m.Suggestions)))
		for _, s := range m.Suggestions {
			p("- #%d «%s» – %s, %s\n", s.ID, md(s.Text), md(d.authorOf(s)), d.questionName(s.Question))
		}
		b.WriteString("\n")
	}
}

// measureFacts are a measure's fields as label–value rows.
func (d *Digest) measureFacts(m Measure) [][2]string {
	none := d.t("none")
	or := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	wording := d.t("wording_ok")
	if !m.Checkable {
		var ps []string
		for _, p := range m.Problems {
			ps = append(ps, d.word(problemWords, p))
		}
		wording = d.t("wording_problems", strings.Join(ps, ", "))
		if m.LintOverride != "" {
			wording += "; " + d.t("wording_override", m.LintOverride)
		}
	}
	rows := [][2]string{
		{d.t("responsible"), or(m.Responsible)},
		{d.t("deadline"), or(d.day(m.Deadline))},
		{d.t("basis"), or(d.basis(m.Basis))},
		{d.t("who"), or(d.who(m.WhoActs))},
		{d.t("tasks"), or(d.taskNames(m.CentralTasks))},
		{d.t("wording"), wording},
		{d.t("hearing"), d.hearingText(m.Hearing)},
	}
	if m.Decision != nil {
		text := d.t("decision_by", d.t(m.Decision.Decision), or(m.Decision.By), d.date(m.Decision.At))
		if m.Decision.Reason != "" {
			text += "; " + d.t("decision_reason", m.Decision.Reason)
		}
		if m.AnchoredAt != nil {
			text += "; " + d.t("anchored_at", d.date(*m.AnchoredAt))
		}
		rows = append(rows, [2]string{d.t("decision"), text})
	}
	return rows
}

func (d *Digest) hearingText(h *Hearing) string {
	if h == nil {
		return d.t("not_heard")
	}
	text := d.t("hearing_tally", h.Support, h.Oppose, h.Unsure, h.Voters, h.Members)
	if h.Closed {
		text += " " + d.t("hearing_closed", h.ID)
	} else {
		text += " " + d.t("hearing_open", h.ID)
	}
	if h.QuorumMet != nil {
		if *h.QuorumMet {
			text += "; " + d.t("quorum_met")
		} else {
			text += "; " + d.t("quorum_not_met")
		}
	}
	return text
}

// taskNames names central tasks by their keys.
func (d *Digest) taskNames(keys []string) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k
		for _, t := range d.Coverage.Tasks {
			if t.Key == k {
				names[i] = t.Name
			}
		}
	}
	return strings.Join(names, ", ")
}

func (d *Digest) commenter(c Comment) string {
	if c.IsMember {
		return c.Author
	}
	return c.Author + " (" + d.t("outside_group") + ")"
}

// authorOf is "Name, Organisation", without the name when the author
// removed their personal link.
func (d *Digest) authorOf(s Suggestion) string {
	name := s.Author
	if name == "" {
		name = d.t("no_name")
	}
	if s.Organisation != "" {
		return name + ", " + s.Organisation
	}
	return name
}

func (d *Digest) questionName(q int) string {
	if q == 0 {
		return d.t("no_question")
	}
	return d.t("question_n", q)
}

func (d *Digest) strategyName(key string) string {
	if key == "" {
		return d.t("unfiled")
	}
	for _, s := range d.Coverage.Strategies {
		if s.Key == key {
			return key + " " + s.Title
		}
	}
	return key
}

func (d *Digest) orgName(o string) string {
	if o == "" {
		return d.t("no_org")
	}
	return o
}

func orNone(d *Digest, items []string) string {
	if len(items) == 0 {
		return d.t("cov_all")
	}
	return strings.Join(items, ", ")
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}
