package intake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake/digest"
	"github.com/kommune-dugnad/dugnad/store"
)

// fileLimits are the largest files a bot may send on a platform, where
// there is a limit a digest can reach (Discord's default upload limit).
var fileLimits = map[string]int{bot.Discord: 10 << 20}

// DigestFormats are the digest's file formats.
var DigestFormats = []string{"html", "md", "xlsx", "csv", "json"}

var digestFormatWords = map[string]string{
	"html": "html", "md": "md", "markdown": "md", "xlsx": "xlsx", "excel": "xlsx", "regneark": "xlsx", "csv": "csv", "json": "json",
}

// DigestRequest is a digest to make: its format, filter, and who pulls it
// (Label names them, so that their next digest says what changed since).
type DigestRequest struct {
	Format  string // one of DigestFormats
	Options digest.Options
	Table   string // for csv: one of digest.Tables
	Sep     rune   // for csv; ';' when zero
	Label   string
	By      store.By
}

// DigestResult is a made digest: the chat summary and the file.
type DigestResult struct {
	Summary string
	File    bot.File
}

// MakeDigest builds the plan's digest, renders it and records the pull.
func MakeDigest(ctx context.Context, tx *store.Tx, plan store.Plan, r DigestRequest) (DigestResult, error) {
	now := r.Options.Now
	if now.IsZero() {
		now = time.Now()
		r.Options.Now = now
	}
	if r.Label != "" {
		prev, ok, err := tx.LastDigestPull(ctx, plan.ID, r.Label)
		if err != nil {
			return DigestResult{}, err
		}
		if ok {
			r.Options.Previous = prev
		}
	}
	d, err := digest.Build(ctx, tx, plan, r.Options)
	if err != nil {
		return DigestResult{}, err
	}
	var buf bytes.Buffer
	name := fmt.Sprintf("sammendrag-%s-%s", plan.Key, now.In(plan.Location()).Format("2006-01-02"))
	summary := d.Summary()
	file := bot.File{Title: strings.SplitN(summary, "\n", 2)[0]}
	switch r.Format {
	case "html":
		err = d.HTML(&buf)
		file.Name, file.MIME = name+".html", "text/html; charset=utf-8"
	case "md":
		err = d.Markdown(&buf)
		file.Name, file.MIME = name+".md", "text/markdown; charset=utf-8"
	case "xlsx":
		err = d.XLSX(&buf)
		file.Name, file.MIME = name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "csv":
		table, sep := r.Table, r.Sep
		if table == "" {
			table = "measures"
		}
		if sep == 0 {
			sep = ';'
		}
		err = d.CSV(&buf, table, sep)
		file.Name, file.MIME = name+"-"+table+".csv", "text/csv; charset=utf-8"
	case "json":
		err = d.JSON(&buf)
		file.Name, file.MIME = name+".json", "application/json"
	default:
		return DigestResult{}, fmt.Errorf("intake: digest format %q", r.Format)
	}
	if err != nil {
		return DigestResult{}, err
	}
	file.Data = buf.Bytes()
	if r.Label != "" {
		if err := tx.RecordDigestPull(ctx, r.By, plan.ID, r.Label, r.Format, now); err != nil {
			return DigestResult{}, err
		}
	}
	return DigestResult{Summary: summary, File: file}, nil
}

// parseDigest reads "[html|md|xlsx|csv|json] [S3] [status godkjent]
// [siden 1.3.2027]"; it returns a message key and arguments when it cannot.
func parseDigest(ctx context.Context, tx *store.Tx, plan store.Plan, arg string) (DigestRequest, string, []any, error) {
	r := DigestRequest{Format: "html"}
	fields := strings.Fields(arg)
	for i := 0; i < len(fields); i++ {
		w := strings.ToLower(fields[i])
		next := ""
		if i+1 < len(fields) {
			next = fields[i+1]
		}
		switch {
		case digestFormatWords[w] != "":
			r.Format = digestFormatWords[w]
		case (w == "status") && next != "":
			s, ok := statusByWord(next)
			if !ok {
				return r, "digest_bad_status", []any{next}, nil
			}
			r.Options.Status = s
			i++
		case (w == "siden" || w == "sidan" || w == "since" || w == "fra" || w == "frå") && next != "":
			t, err := parseDate(next, plan.Location())
			if err != nil {
				return r, "bad_date", []any{next}, nil
			}
			r.Options.Since = t
			i++
		default:
			if _, err := tx.StrategyByKey(ctx, plan.ID, fields[i]); errors.Is(err, store.ErrNotFound) {
				return r, "digest_usage", nil, nil
			} else if err != nil {
				return r, "", nil, err
			}
			r.Options.Strategy = fields[i]
		}
	}
	return r, "", nil, nil
}

// StatusByWord reads a measure status in any of the languages.
func StatusByWord(w string) (store.MeasureStatus, bool) { return statusByWord(w) }

// ParseDate reads a date as Norwegians write it (15.1.2027) or as ISO 8601,
// as the start of that day in loc.
func ParseDate(s string, loc *time.Location) (time.Time, bool) {
	t, err := parseDate(s, loc)
	return t, err == nil
}

// statusByWord reads a measure status in any of the languages.
func statusByWord(w string) (store.MeasureStatus, bool) {
	w = strings.ToLower(strings.ReplaceAll(w, "_", " "))
	for s, words := range statusWords {
		if w == string(s) || strings.ReplaceAll(string(s), "_", " ") == w {
			return s, true
		}
		for _, x := range words {
			if w == x {
				return s, true
			}
		}
	}
	switch w {
	case "høring", "høyring", "hearing":
		return store.StatusOnHearing, true
	case "returnert":
		return store.StatusReturned, true
	}
	return "", false
}

// digestCommand answers "/dugnad digest …" with a summary and the digest
// as a file, in a direct message to the one who asked.
func (s *Service) digestCommand(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, arg string) ([]bot.Message, error) {
	private := func(text string) []bot.Message {
		return []bot.Message{{Platform: req.Platform, Channel: bot.DMTo(req.User), Text: text}}
	}
	r, problem, pargs, err := parseDigest(ctx, tx, *req.Plan, arg)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		return private(tr(lang, problem, pargs...)), nil
	}
	r.Label, r.By = "actor:"+req.Actor.Key, req.By() // the document is in the plan's language
	res, err := MakeDigest(ctx, tx, *req.Plan, r)
	if err != nil {
		return nil, err
	}
	file := res.File
	out := private(res.Summary)
	if limit, ok := fileLimits[req.Platform]; ok && len(file.Data) > limit {
		out[0].Text += "\n\n" + tr(lang, "digest_too_large", len(file.Data)>>20, limit>>20)
	} else {
		out[0].File = &file
	}
	if !req.DM {
		// Said in a channel: the digest goes privately; say so there.
		out = append(out, req.Reply(tr(lang, "digest_sent_privately")))
	}
	return out, nil
}
