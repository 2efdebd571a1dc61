package digest

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Tables are the digest's flat tables, for a spreadsheet or CSV: measures,
// suggestions, votes and comments.
var Tables = []string{"measures", "suggestions", "votes", "comments"}

// table is a header and rows.
type table struct {
	Sheet  string // the sheet's name in the digest's language
	Header []string
	Rows   [][]any
}

// Table returns one of Tables in the digest's language; false if there is
// no such table.
func (d *Digest) table(name string) (table, bool) {
	yesNo := func(b bool) string {
		if b {
			return d.t("yes")
		}
		return d.t("no")
	}
	switch name {
	case "measures":
		t := table{Sheet: d.t("measures"), Header: []string{"ID", d.t("strategy_col"), d.t("text"), d.t("status"), d.t("responsible"),
			d.t("deadline"), d.t("basis"), d.t("who"), d.t("tasks"), d.t("wording"), d.t("support"), d.t("oppose"), d.t("unsure"),
			d.t("votes"), d.t("comments_col"), d.t("decision_col"), d.t("reason"), d.t("suggestions")}}
		for _, m := range d.measures() {
			row := []any{m.ID, m.Strategy, m.Text, d.status(m.Status), m.Responsible, m.Deadline, d.basis(m.Basis), d.who(m.WhoActs),
				d.taskNames(m.CentralTasks), yesNo(m.Checkable)}
			if h := m.Hearing; h != nil {
				row = append(row, h.Support, h.Oppose, h.Unsure, h.Voters)
			} else {
				row = append(row, "", "", "", "")
			}
			row = append(row, len(m.Comments))
			if m.Decision != nil {
				row = append(row, d.t(m.Decision.Decision), m.Decision.Reason)
			} else {
				row = append(row, "", "")
			}
			var ids []string
			for _, s := range m.Suggestions {
				ids = append(ids, strconv.FormatInt(s.ID, 10))
			}
			t.Rows = append(t.Rows, append(row, strings.Join(ids, ", ")))
		}
		return t, true
	case "suggestions":
		t := table{Sheet: d.t("suggestions"), Header: []string{"ID", d.t("strategy_col"), d.t("question_col"), d.t("text"), d.t("author"),
			d.t("organisation"), d.t("basis"), d.t("who"), d.t("used_in"), d.t("time")}}
		usedIn := map[int64][]string{}
		for _, m := range d.measures() {
			for _, s := range m.Suggestions {
				usedIn[s.ID] = append(usedIn[s.ID], strconv.FormatInt(m.ID, 10))
			}
		}
		add := func(s Suggestion) {
			q := any(s.Question)
			if s.Question == 0 {
				q = ""
			}
			t.Rows = append(t.Rows, []any{s.ID, s.Strategy, q, s.Text, s.Author, s.Organisation, d.basis(s.Basis), d.who(s.WhoActs),
				strings.Join(usedIn[s.ID], ", "), s.CreatedAt.In(d.loc()).Format("2006-01-02 15:04")})
		}
		seen := map[int64]bool{}
		for _, m := range d.measures() {
			for _, s := range m.Suggestions {
				if !seen[s.ID] {
					seen[s.ID] = true
					add(s)
				}
			}
		}
		for _, g := range d.Unused {
			for _, s := range g.Suggestions {
				add(s)
			}
		}
		return t, true
	case "votes":
		t := table{Sheet: d.t("votes"), Header: []string{d.t("measure_col"), d.t("hearing"), d.t("support"), d.t("oppose"), d.t("unsure"),
			d.t("votes"), d.t("members_col"), d.t("quorum_col")}}
		for _, m := range d.measures() {
			if h := m.Hearing; h != nil {
				quorum := ""
				if h.QuorumMet != nil {
					quorum = yesNo(*h.QuorumMet)
				}
				t.Rows = append(t.Rows, []any{m.ID, h.ID, h.Support, h.Oppose, h.Unsure, h.Voters, h.Members, quorum})
			}
		}
		return t, true
	case "comments":
		t := table{Sheet: d.t("comments_col"), Header: []string{d.t("measure_col"), d.t("author"), d.t("is_member"), d.t("text"), d.t("time")}}
		for _, m := range d.measures() {
			for _, c := range m.Comments {
				t.Rows = append(t.Rows, []any{m.ID, c.Author, yesNo(c.IsMember), c.Text, c.CreatedAt.In(d.loc()).Format("2006-01-02 15:04")})
			}
		}
		return t, true
	}
	return table{}, false
}

// measures lists the digest's measures in plan order.
func (d *Digest) measures() []Measure {
	var out []Measure
	for _, g := range d.Goals {
		for _, s := range g.Strategies {
			out = append(out, s.Measures...)
		}
	}
	return out
}

// XLSX writes the digest as a workbook with a sheet per table.
func (d *Digest) XLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, name := range Tables {
		t, _ := d.table(name)
		sheet := t.Sheet
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		header := make([]any, len(t.Header))
		for j, h := range t.Header {
			header[j] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", header); err != nil {
			return err
		}
		for r, row := range t.Rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, row); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("digest: xlsx: %w", err)
	}
	return nil
}

// CSV writes one table as UTF-8 with a byte order mark (so that Excel
// reads the letters æøå right) and the given separator (Norwegian Excel
// expects ';').
func (d *Digest) CSV(w io.Writer, name string, sep rune) error {
	t, ok := d.table(name)
	if !ok {
		return fmt.Errorf("digest: no table %q (there are %s)", name, strings.Join(Tables, ", "))
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.Comma = sep
	cw.UseCRLF = true
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	rec := make([]string, len(t.Header))
	for _, row := range t.Rows {
		for i, v := range row {
			rec[i] = fmt.Sprint(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// JSON writes the digest as JSON (see Format).
func (d *Digest) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
