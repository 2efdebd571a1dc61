package digest

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed digest.html.tmpl
var htmlTemplate string

//go:embed digest.css
var htmlStyle string

var page = template.Must(template.New("digest").Funcs(template.FuncMap{
	"t": func(d *Digest, key string, args ...any) string { return d.t(key, args...) },
}).Parse(htmlTemplate))

// htmlView is what the template shows: the digest and what is worked out
// for it.
type htmlView struct {
	D        *Digest
	Style    template.CSS
	Subtitle string
	Filter   string
	Totals   string
	Statuses []statusCount
	Changes  []string
	// ChangesTitle heads Changes.
	ChangesTitle string
	Charts       []template.HTML
	Goals        []htmlGoal
	Unused       []htmlUnused
	Coverage     [][2]string
	PartTotal    string
	Groups       []ParticipationRow
	Orgs         []ParticipationRow
	NonVoters    [][2]string
}

type statusCount struct {
	Name  string
	Count int
}

type htmlGoal struct {
	Title      string
	Strategies []htmlStrategy
}

type htmlStrategy struct {
	ID, Title, Counts string
	Measures          []htmlMeasure
}

type htmlMeasure struct {
	ID          string
	Title       string
	Text        string
	Facts       [][2]string
	Comments    []string
	Suggestions []string
	Status      string
}

type htmlUnused struct {
	Title       string
	Suggestions []string
}

// HTML writes the digest as one self-contained page: inline style, charts
// as inline SVG with text alternatives, no scripts and nothing fetched.
func (d *Digest) HTML(w io.Writer) error {
	v := htmlView{D: d, Style: template.CSS(htmlStyle),
		Subtitle: d.t("subtitle", d.Plan.Municipality, d.Plan.Title, d.dateTime(d.GeneratedAt)),
		Filter:   d.filterText(), Totals: d.totalsText()}
	for _, s := range Statuses {
		v.Statuses = append(v.Statuses, statusCount{d.status(s), d.Totals.ByStatus[s]})
	}
	if d.Changes == nil {
		v.ChangesTitle = d.t("changes_first")
	} else {
		v.ChangesTitle = d.t("changes", d.dateTime(d.Changes.Since))
		if v.Changes = d.changeLines(); len(v.Changes) == 0 {
			v.Changes = []string{d.t("changes_none")}
		}
	}
	v.Charts = d.charts()
	for _, g := range d.Goals {
		hg := htmlGoal{Title: d.t("goal", g.Key, g.Text)}
		for _, s := range g.Strategies {
			hs := htmlStrategy{ID: "strategi-" + s.Key, Title: d.t("strategy", s.Key, s.Title), Counts: d.t("strategy_counts", len(s.Measures), s.Suggestions)}
			for _, m := range s.Measures {
				hm := htmlMeasure{ID: fmt.Sprintf("tiltak-%d", m.ID), Title: d.t("measure", m.ID), Status: d.status(m.Status), Text: m.Text, Facts: d.measureFacts(m)}
				for _, c := range m.Comments {
					hm.Comments = append(hm.Comments, d.commenter(c)+": «"+c.Text+"»")
				}
				for _, s := range m.Suggestions {
					hm.Suggestions = append(hm.Suggestions, fmt.Sprintf("#%d «%s» – %s, %s", s.ID, s.Text, d.authorOf(s), d.questionName(s.Question)))
				}
				hs.Measures = append(hs.Measures, hm)
			}
			hg.Strategies = append(hg.Strategies, hs)
		}
		v.Goals = append(v.Goals, hg)
	}
	for _, g := range d.Unused {
		hu := htmlUnused{Title: d.strategyName(g.Strategy) + " – " + d.questionName(g.Question)}
		for _, s := range g.Suggestions {
			hu.Suggestions = append(hu.Suggestions, fmt.Sprintf("#%d «%s» – %s", s.ID, s.Text, d.authorOf(s)))
		}
		v.Unused = append(v.Unused, hu)
	}
	var gaps []string
	for _, q := range d.Coverage.QuestionsWithoutAnswers {
		gaps = append(gaps, q.Strategy+": "+joinInts(q.Questions))
	}
	v.Coverage = [][2]string{
		{d.t("cov_strategies"), orNone(d, d.strategiesWithout())},
		{d.t("cov_tasks"), orNone(d, d.tasksWithout())},
		{d.t("cov_questions"), orNone(d, gaps)},
	}
	pa := d.Participation
	v.PartTotal = d.t("part_totals", pa.Actors, pa.Invited, pa.Answered, pa.Declined)
	for _, r := range pa.ByGroup {
		r.Name = d.role(r.Name)
		v.Groups = append(v.Groups, r)
	}
	for _, r := range pa.ByOrganisation {
		r.Name = d.orgName(r.Name)
		v.Orgs = append(v.Orgs, r)
	}
	for _, nv := range pa.NonVoters {
		who := d.t("everyone_voted")
		if len(nv.Members) > 0 {
			who = strings.Join(nv.Members, ", ")
		}
		v.NonVoters = append(v.NonVoters, [2]string{d.t("non_voters", nv.Hearing), who})
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := page.Execute(bw, v); err != nil {
		return fmt.Errorf("digest: html: %w", err)
	}
	return bw.Flush()
}

// series is one kind of bar in a chart.
type series struct {
	Name  string
	Class string // the CSS class that colours it
}

// barRow is one row of a chart: a label and a value per series.
type barRow struct {
	Label  string
	Values []int
}

// charts are the digest's diagrams: votes per measure, coverage of
// strategies and central tasks, participation per group.
func (d *Digest) charts() []template.HTML {
	var out []template.HTML
	var votes []barRow
	for _, g := range d.Goals {
		for _, s := range g.Strategies {
			for _, m := range s.Measures {
				if h := m.Hearing; h != nil {
					votes = append(votes, barRow{Label: d.t("measure", m.ID), Values: []int{h.Support, h.Oppose, h.Unsure}})
				}
			}
		}
	}
	if len(votes) > 0 {
		out = append(out, barChart("chart-votes", d.t("chart_votes"), d, votes, true,
			[]series{{d.t("support"), "s-support"}, {d.t("oppose"), "s-oppose"}, {d.t("unsure"), "s-unsure"}}))
	}
	var strategies []barRow
	for _, s := range d.Coverage.Strategies {
		strategies = append(strategies, barRow{Label: s.Key, Values: []int{s.Measures, s.Suggestions}})
	}
	if len(strategies) > 0 {
		out = append(out, barChart("chart-strategies", d.t("chart_strategies"), d, strategies, false,
			[]series{{d.t("measures"), "s-measures"}, {d.t("suggestions"), "s-suggestions"}}))
	}
	var tasks []barRow
	for _, t := range d.Coverage.Tasks {
		tasks = append(tasks, barRow{Label: t.Name, Values: []int{t.Measures}})
	}
	if len(tasks) > 0 {
		out = append(out, barChart("chart-tasks", d.t("chart_tasks"), d, tasks, false, []series{{d.t("measures"), "s-measures"}}))
	}
	var groups []barRow
	for _, r := range d.Participation.ByGroup {
		groups = append(groups, barRow{Label: d.role(r.Name), Values: []int{r.Actors, r.Answered}})
	}
	if len(groups) > 0 {
		out = append(out, barChart("chart-participation", d.t("chart_part"), d, groups, false,
			[]series{{d.t("actors"), "s-actors"}, {d.t("answered"), "s-answered"}}))
	}
	return out
}

// barChart draws horizontal bars (stacked, or side by side) as inline SVG
// with a title and description for screen readers, a legend, and the
// figures in a table under it.
func barChart(id, title string, d *Digest, rows []barRow, stacked bool, ss []series) template.HTML {
	const labelW, chartW, barH, gap, top = 190, 420, 14, 6, 8
	perRow := barH
	if !stacked {
		perRow = barH * len(ss)
	}
	max := 1
	for _, r := range rows {
		total := 0
		for _, v := range r.Values {
			total += v
			if !stacked && v > max {
				max = v
			}
		}
		if stacked && total > max {
			max = total
		}
	}
	height := top + len(rows)*(perRow+gap) + 4
	e := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><figcaption>%s</figcaption>`, id, e(title))
	b.WriteString(`<ul class="legend">`)
	for _, s := range ss {
		fmt.Fprintf(&b, `<li><span class="swatch %s"></span>%s</li>`, s.Class, e(s.Name))
	}
	b.WriteString(`</ul>`)
	var desc []string
	for _, r := range rows {
		var parts []string
		for i, v := range r.Values {
			parts = append(parts, fmt.Sprintf("%s %d", ss[i].Name, v))
		}
		desc = append(desc, r.Label+": "+strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, `<svg role="img" aria-labelledby="%[1]s-t %[1]s-d" viewBox="0 0 %[2]d %[3]d" width="100%%" preserveAspectRatio="xMinYMin meet">`,
		id, labelW+chartW+40, height)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, e(title), id, e(strings.Join(desc, "; ")))
	for i, r := range rows {
		y := top + i*(perRow+gap)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="label" text-anchor="end">%s</text>`, labelW-6, y+perRow/2+4, e(truncateLabel(r.Label, 30)))
		x := labelW
		for j, v := range r.Values {
			w := v * chartW / max
			if stacked {
				if w > 0 {
					fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="%s"/>`, x, y, w, barH, ss[j].Class)
				}
				x += w
				continue
			}
			by := y + j*barH
			if w > 0 {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="%s"/>`, labelW, by, w, barH-2, ss[j].Class)
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="value">%d</text>`, labelW+w+4, by+barH-4, v)
		}
		if stacked {
			total := 0
			for _, v := range r.Values {
				total += v
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" class="value">%d</text>`, x+4, y+barH-3, total)
		}
	}
	b.WriteString(`</svg>`)
	fmt.Fprintf(&b, `<details><summary>%s</summary><table><thead><tr><th scope="col"></th>`, e(d.t("chart_alt")))
	for _, s := range ss {
		fmt.Fprintf(&b, `<th scope="col">%s</th>`, e(s.Name))
	}
	b.WriteString(`</tr></thead><tbody>`)
	for _, r := range rows {
		fmt.Fprintf(&b, `<tr><th scope="row">%s</th>`, e(r.Label))
		for _, v := range r.Values {
			fmt.Fprintf(&b, `<td>%d</td>`, v)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></details></figure>`)
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}

func truncateLabel(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
