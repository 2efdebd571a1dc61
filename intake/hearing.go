package intake

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/intake/lint"
	"github.com/kommune-dugnad/dugnad/store"
)

// The hearing (høring): the project leader sends measure drafts to the
// reference group's channel; members vote with reactions and comment in
// each measure's thread; at the deadline the votes are read back from the
// platform, frozen and posted, and the steering group approves or returns
// each heard measure.

// Correlations of the hearing's posts, so that their delivery records
// where they are (see Delivered).
const (
	hearingItemCorrelation  = "hearing:"
	hearingIntroCorrelation = "hearing-intro:"
)

// Kinds of notice a person gets once per hearing.
const (
	noticeNonMember   = "non_member"
	noticeClosedVote  = "closed_vote"
	noticeLateComment = "late_comment"
)

// defaultReminderBefore is when members who have not voted are reminded,
// when the plan does not say.
const defaultReminderBefore = 24 * time.Hour

// closeGrace is how long after the deadline a hearing waits for its
// platform to be readable (its adapter running in some process) before it
// is closed on the votes the bot registered.
const closeGrace = time.Hour

// closeLease bounds how long one process may take to close a hearing
// before another may try.
const closeLease = 2 * time.Minute

var defaultVotes = map[store.VoteChoice][]string{
	store.VoteSupport: {"+1", "👍"},
	store.VoteOppose:  {"-1", "👎"},
	store.VoteUnsure:  {"thinking_face", "🤔"},
}

var voteOrder = []store.VoteChoice{store.VoteSupport, store.VoteOppose, store.VoteUnsure}

func planVotes(p store.Plan) map[store.VoteChoice][]string {
	if len(p.Settings.Votes) == 0 {
		return defaultVotes
	}
	return p.Settings.Votes
}

// normEmoji strips what does not change an emoji's meaning: colons and
// skin tones of Slack names ("+1::skin-tone-3"), skin-tone modifiers and
// variation selectors of Unicode emoji.
func normEmoji(e string) string {
	e = strings.Trim(strings.TrimSpace(e), ":")
	if i := strings.Index(e, "::"); i >= 0 {
		e = e[:i]
	}
	return strings.Map(func(r rune) rune {
		if (r >= 0x1F3FB && r <= 0x1F3FF) || r == 0xFE0F {
			return -1
		}
		return r
	}, e)
}

// voteOf returns the vote an emoji casts under the plan's settings.
func voteOf(p store.Plan, emoji string) (store.VoteChoice, bool) {
	e := normEmoji(emoji)
	for _, c := range voteOrder {
		for _, x := range planVotes(p)[c] {
			if normEmoji(x) == e {
				return c, true
			}
		}
	}
	return "", false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// seedEmoji is one emoji per vote in the form the platform takes: Slack
// names reactions ("+1"), Discord and the console use the characters.
func seedEmoji(p store.Plan, platform string) []string {
	var out []string
	for _, c := range voteOrder {
		for _, e := range planVotes(p)[c] {
			if isASCII(e) == (platform == bot.Slack) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// shownEmoji is how a vote is written in text: its character where the
// plan has one, else its name.
func shownEmoji(p store.Plan, c store.VoteChoice) string {
	votes := planVotes(p)[c]
	for _, e := range votes {
		if !isASCII(e) {
			return e
		}
	}
	if len(votes) > 0 {
		return ":" + votes[0] + ":"
	}
	return string(c)
}

var voteWords = map[store.VoteChoice][3]string{
	store.VoteSupport: {"støtter", "støttar", "support"},
	store.VoteOppose:  {"mot", "mot", "oppose"},
	store.VoteUnsure:  {"usikker", "usikker", "unsure"},
}

// voteLegend is "👍 støtter, 👎 mot, 🤔 usikker".
func voteLegend(p store.Plan, l store.Language) string {
	var parts []string
	for _, c := range voteOrder {
		parts = append(parts, shownEmoji(p, c)+" "+voteWords[c][l.Index()])
	}
	return strings.Join(parts, ", ")
}

// longDateTime writes a moment the way the language does, in loc:
// "15. januar 2027 kl. 12.00", "15 January 2027 at 12:00".
func longDateTime(l store.Language, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if l == store.English {
		return fmt.Sprintf("%s at %02d:%02d", longDate(l, t), t.Hour(), t.Minute())
	}
	return fmt.Sprintf("%s kl. %02d.%02d", longDate(l, t), t.Hour(), t.Minute())
}

var clockTime = regexp.MustCompile(`^(\d{1,2})(?:[.:](\d{2}))?$`)

// parseClock reads "12", "12.00" or "12:30".
func parseClock(s string) (int, int, bool) {
	m := clockTime.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mm := 0
	if m[2] != "" {
		mm, _ = strconv.Atoi(m[2])
	}
	if h > 23 || mm > 59 {
		return 0, 0, false
	}
	return h, mm, true
}

// hearingArgs is a parsed "høring åpne …".
type hearingArgs struct {
	all        bool
	strategies []string
	ids        []int64
	deadline   time.Time // zero: not given
	channel    string    // a channel key; "": the reference group's
}

var (
	deadlineWords = map[string]bool{"frist": true, "innen": true, "innan": true, "deadline": true, "by": true}
	clockWords    = map[string]bool{"kl": true, "kl.": true, "klokka": true, "klokken": true, "at": true}
	channelWords  = map[string]bool{"kanal": true, "channel": true, "i": true, "in": true}
)

// parseHearing reads "[S3 …|alle|4,5] frist 15.1.2027 [kl. 12.00] [kanal
// referansegruppe]"; it returns a message key and arguments when it cannot.
func parseHearing(fields []string, loc *time.Location) (hearingArgs, string, []any) {
	var out hearingArgs
	var date time.Time
	hour, minute := 23, 59 // a date alone: through that day
	for i := 0; i < len(fields); i++ {
		w := strings.ToLower(fields[i])
		next := ""
		if i+1 < len(fields) {
			next = fields[i+1]
		}
		switch {
		case deadlineWords[w] && next != "":
			d, err := parseDate(next, loc)
			if err != nil {
				return out, "bad_date", []any{next}
			}
			date = d
			i++
		case clockWords[w] && next != "":
			h, m, ok := parseClock(next)
			if !ok {
				return out, "hearing_bad_time", []any{next}
			}
			hour, minute = h, m
			i++
		case channelWords[w] && next != "":
			out.channel = strings.TrimPrefix(next, "#")
			i++
		case everyoneWords[w]:
			out.all = true
		case idList.MatchString(w):
			ids, err := parseIDs(w)
			if err != nil {
				return out, "hearing_usage", nil
			}
			out.ids = append(out.ids, ids...)
		default:
			if d, err := parseDate(fields[i], loc); err == nil {
				date = d // "høring åpne S3 15.1.2027"
				continue
			}
			out.strategies = append(out.strategies, fields[i])
		}
	}
	if date.IsZero() {
		return out, "hearing_needs_deadline", nil
	}
	out.deadline = time.Date(date.Year(), date.Month(), date.Day(), hour, minute, 0, 0, loc)
	if !out.all && len(out.strategies) == 0 && len(out.ids) == 0 {
		out.all = true // every draft
	}
	return out, "", nil
}

// isLeader is who may open and close hearings and anchor measures.
func isLeader(req *bot.Request) bool { return req.Has(store.RoleProjectLeader) }

// hearingCommand runs "høring …" for the project leader.
func (s *Service) hearingCommand(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, arg string) ([]bot.Message, error) {
	reply := func(key string, args ...any) ([]bot.Message, error) {
		return []bot.Message{req.Reply(tr(lang, key, args...))}, nil
	}
	if !isLeader(req) {
		return reply("hearing_leader_only")
	}
	fields := strings.Fields(arg)
	verb := ""
	if len(fields) > 0 {
		verb = strings.ToLower(fields[0])
	}
	switch verb {
	case "", "status", "vis", "show":
		text, err := HearingStatus(ctx, tx, *req.Plan, lang)
		if err != nil {
			return nil, err
		}
		return []bot.Message{req.Reply(text)}, nil
	case "åpne", "apne", "opne", "open", "start":
		return s.openHearing(ctx, tx, req, lang, fields[1:])
	case "lukk", "steng", "close":
		return closeHearingEarly(ctx, tx, req, lang, fields[1:])
	}
	return reply("hearing_usage")
}

// openHearing opens a hearing on the chosen drafts and queues its posts.
func (s *Service) openHearing(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, fields []string) ([]bot.Message, error) {
	plan := *req.Plan
	loc := plan.Location()
	reply := func(key string, args ...any) ([]bot.Message, error) {
		return []bot.Message{req.Reply(tr(lang, key, args...))}, nil
	}
	args, problem, pargs := parseHearing(fields, loc)
	if problem != "" {
		return reply(problem, pargs...)
	}
	if !args.deadline.After(time.Now()) {
		return reply("hearing_deadline_past", longDateTime(lang, args.deadline, loc))
	}
	ch, problem, pargs, err := hearingChannel(ctx, tx, plan, req.Platform, args.channel)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		return reply(problem, pargs...)
	}
	measures, problem, pargs, err := hearingMeasures(ctx, tx, plan, lang, args)
	if err != nil {
		return nil, err
	}
	if problem != "" {
		return reply(problem, pargs...)
	}
	var unclear []string
	for _, m := range measures {
		if m.LintOverride == "" && !lint.Check(lint.Measure{Text: m.Text, Responsible: m.Responsible, Deadline: m.Deadline}).Checkable() {
			unclear = append(unclear, strconv.FormatInt(m.ID, 10))
		}
	}
	if len(unclear) > 0 {
		return reply("hearing_unclear", strings.Join(unclear, ", "), unclear[0])
	}
	h := store.Hearing{PlanID: plan.ID, ChannelID: ch.ID, Deadline: args.deadline, HideTally: plan.Settings.HideRunningTally, OpenedBy: &req.Actor.ID}
	if q := plan.Settings.Quorum; q > 0 {
		h.Quorum = &q
	}
	remind := args.deadline.Add(-reminderBefore(plan))
	if now := time.Now(); !remind.After(now) {
		remind = now.Add(args.deadline.Sub(now) / 2) // a short hearing: remind half-way
	}
	h.RemindAt = &remind
	ids := make([]int64, len(measures))
	for i, m := range measures {
		ids[i] = m.ID
	}
	opened, items, err := tx.OpenHearing(ctx, req.By(), h, ids)
	var inv *store.InvalidError
	if errors.As(err, &inv) {
		return reply("hearing_cannot_open", inv.Error())
	} else if err != nil {
		return nil, err
	}
	posts, err := hearingPosts(ctx, tx, plan, opened, ch, items)
	if err != nil {
		return nil, err
	}
	confirm := tr(lang, "hearing_opened", opened.ID, ch.Key, len(items), longDateTime(lang, opened.Deadline, loc), longDateTime(lang, remind, loc))
	return append([]bot.Message{req.Reply(confirm)}, posts...), nil
}

func reminderBefore(p store.Plan) time.Duration {
	if p.Settings.ReminderBefore > 0 {
		return p.Settings.ReminderBefore
	}
	return defaultReminderBefore
}

// hearingChannel finds where the hearing is held: the channel named, else
// the reference group's, preferring the platform the leader writes on.
func hearingChannel(ctx context.Context, tx *store.Tx, plan store.Plan, platform, key string) (store.Channel, string, []any, error) {
	chans, err := tx.Channels(ctx, plan.ID)
	if err != nil {
		return store.Channel{}, "", nil, err
	}
	var refKeys []string
	var candidates []store.Channel
	for _, c := range chans {
		if c.Archived {
			continue
		}
		if c.Purpose == store.PurposeReferenceGroup && !slices.Contains(refKeys, c.Key) {
			refKeys = append(refKeys, c.Key)
		}
		if (key != "" && strings.EqualFold(c.Key, key)) || (key == "" && c.Purpose == store.PurposeReferenceGroup) {
			candidates = append(candidates, c)
		}
	}
	if len(candidates) == 0 {
		if key != "" {
			return store.Channel{}, "hearing_no_channel", []any{key, strings.Join(refKeys, ", ")}, nil
		}
		return store.Channel{}, "hearing_no_reference_channel", nil, nil
	}
	for _, c := range candidates {
		if c.Platform == platform {
			return c, "", nil, nil
		}
	}
	for _, c := range candidates {
		if c.Platform != store.ConsolePlatform {
			return c, "", nil, nil
		}
	}
	return candidates[0], "", nil, nil
}

// hearingMeasures picks the drafts a hearing is opened on.
func hearingMeasures(ctx context.Context, tx *store.Tx, plan store.Plan, lang store.Language, args hearingArgs) ([]store.Measure, string, []any, error) {
	all, err := tx.Measures(ctx, plan.ID)
	if err != nil {
		return nil, "", nil, err
	}
	ready := func(m store.Measure) bool { return m.Status == store.StatusDraft || m.Status == store.StatusReturned }
	byID := map[int64]store.Measure{}
	for _, m := range all {
		byID[m.ID] = m
	}
	var out []store.Measure
	for _, id := range args.ids {
		m, ok := byID[id]
		if !ok {
			return nil, "no_measure", []any{id}, nil
		}
		if !ready(m) {
			return nil, "hearing_not_draft", []any{id, statusWords[m.Status][lang.Index()]}, nil
		}
		if !slices.ContainsFunc(out, func(x store.Measure) bool { return x.ID == id }) {
			out = append(out, m)
		}
	}
	for _, key := range args.strategies {
		st, err := tx.StrategyByKey(ctx, plan.ID, key)
		if errors.Is(err, store.ErrNotFound) {
			return nil, "unknown_strategy", []any{key}, nil
		} else if err != nil {
			return nil, "", nil, err
		}
		for _, m := range all {
			if m.StrategyID == st.ID && ready(m) && !slices.ContainsFunc(out, func(x store.Measure) bool { return x.ID == m.ID }) {
				out = append(out, m)
			}
		}
	}
	if args.all {
		for _, m := range all {
			if ready(m) && !slices.ContainsFunc(out, func(x store.Measure) bool { return x.ID == m.ID }) {
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 {
		return nil, "hearing_no_measures", nil, nil
	}
	slices.SortFunc(out, func(a, b store.Measure) int { return int(a.ID - b.ID) })
	return out, "", nil, nil
}

// hearingPosts are the introduction and one post per measure, in the
// plan's language, with the vote reactions seeded.
func hearingPosts(ctx context.Context, tx *store.Tx, plan store.Plan, h store.Hearing, ch store.Channel, items []store.HearingItem) ([]bot.Message, error) {
	lang := plan.Language
	loc := plan.Location()
	intro := tr(lang, "hearing_intro", plan.Title, len(items), voteLegend(plan, lang), longDateTime(lang, h.Deadline, loc))
	if h.HideTally {
		intro += "\n" + tr(lang, "hearing_hidden_tally")
	}
	if h.Quorum != nil {
		intro += "\n" + tr(lang, "hearing_quorum_rule", percent(*h.Quorum))
	}
	out := []bot.Message{{Platform: ch.Platform, Channel: ch.Channel, Text: intro, Correlation: hearingIntroCorrelation + strconv.FormatInt(h.ID, 10)}}
	for _, it := range items {
		text, err := measurePost(ctx, tx, plan, lang, it.MeasureID)
		if err != nil {
			return nil, err
		}
		out = append(out, bot.Message{Platform: ch.Platform, Channel: ch.Channel, Text: text,
			React: seedEmoji(plan, ch.Platform), Correlation: hearingItemCorrelation + strconv.FormatInt(it.ID, 10)})
	}
	return out, nil
}

// measurePost is a measure as the reference group sees it: its text,
// strategy, responsible, deadline, basis, who acts and how many
// suggestions it came from.
func measurePost(ctx context.Context, tx *store.Tx, plan store.Plan, lang store.Language, measureID int64) (string, error) {
	m, err := tx.MeasureByID(ctx, measureID)
	if err != nil {
		return "", err
	}
	st, err := tx.StrategyByKey(ctx, plan.ID, m.StrategyKey)
	if err != nil {
		return "", err
	}
	from, err := tx.MeasureSuggestions(ctx, m.ID)
	if err != nil {
		return "", err
	}
	orNone := func(s string) string {
		if s == "" {
			return tr(lang, "not_set")
		}
		return s
	}
	deadline := ""
	if m.Deadline != "" {
		if d, err := time.ParseInLocation(time.DateOnly, m.Deadline, plan.Location()); err == nil {
			deadline = longDate(lang, d)
		}
	}
	basis, who := "", ""
	if m.Basis != "" {
		basis = strings.ToLower(basisLabels[m.Basis][lang.Index()])
	}
	if m.WhoActs != "" {
		who = strings.ToLower(whoLabels[m.WhoActs][lang.Index()])
	}
	lines := []string{
		tr(lang, "hearing_item_title", m.ID, st.Key, display(st.Title, 120)),
		"«" + display(m.Text, 0) + "»",
		tr(lang, "measure_responsible", orNone(m.Responsible)) + " · " + tr(lang, "measure_deadline", orNone(deadline)),
		tr(lang, "measure_basis", orNone(basis)) + " · " + tr(lang, "measure_who", orNone(who)),
		tr(lang, "hearing_item_from", len(from)),
	}
	return strings.Join(lines, "\n"), nil
}

func percent(q float64) string { return strconv.Itoa(int(q*100+0.5)) + " %" }

// hearingDelivered records where a hearing's post went, so that reactions
// and replies on it can be found.
func hearingDelivered(ctx context.Context, tx *store.Tx, om store.OutboxMessage) error {
	if om.MessageRef == "" {
		return nil
	}
	if idText, ok := strings.CutPrefix(om.Correlation, hearingItemCorrelation); ok {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return nil
		}
		return tx.SetHearingItemRef(ctx, id, om.MessageRef)
	}
	if idText, ok := strings.CutPrefix(om.Correlation, hearingIntroCorrelation); ok {
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil {
			return nil
		}
		return tx.SetHearingIntroRef(ctx, id, om.MessageRef)
	}
	return nil
}

// reaction handles a reaction added or removed: on a hearing post, from a
// reference-group member with a vote emoji, it is that member's vote.
func (s *Service) reaction(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, error) {
	if req.MessageRef == "" {
		return nil, nil
	}
	item, h, err := tx.HearingItemByMessage(ctx, req.Platform, req.Channel, req.MessageRef)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	plan, err := tx.PlanByID(ctx, h.PlanID)
	if err != nil {
		return nil, err
	}
	choice, ok := voteOf(plan, req.Emoji)
	if !ok {
		return nil, nil // other emoji are just reactions
	}
	added := req.Kind == bot.KindReactionAdded
	member := req.Actor != nil && req.Actor.PlanID == plan.ID && req.Has(store.RoleReferenceGroup)
	lang := plan.Language
	if req.Actor != nil && req.Actor.PlanID == plan.ID {
		if lang, err = actorLang(ctx, tx, plan, *req.Actor); err != nil {
			return nil, err
		}
	}
	private := func(kind, key string, args ...any) ([]bot.Message, error) {
		first, err := tx.NoticeOnce(ctx, h.ID, kind, req.Platform, req.User)
		if err != nil || !first {
			return nil, err
		}
		return []bot.Message{{Platform: req.Platform, Channel: bot.DMTo(req.User), Text: tr(lang, key, args...)}}, nil
	}
	if h.Status != "open" {
		if !added || !member || (h.ClosedAt != nil && !req.At.IsZero() && req.At.Before(*h.ClosedAt)) {
			// A reaction made before the close and delivered late was
			// read back from the platform when the hearing closed.
			return nil, nil
		}
		return private(noticeClosedVote, "hearing_closed_vote", item.MeasureID)
	}
	if !member {
		if !added {
			return nil, nil
		}
		return private(noticeNonMember, "hearing_not_member", item.MeasureID)
	}
	by := req.By()
	if added {
		return nil, tx.SetVote(ctx, by, item.ID, req.Actor.ID, choice, normEmoji(req.Emoji), req.Platform)
	}
	votes, err := tx.Votes(ctx, item.ID)
	if err != nil {
		return nil, err
	}
	for _, v := range votes {
		if v.ActorID == req.Actor.ID && v.Choice == string(choice) {
			return nil, tx.SetVote(ctx, by, item.ID, req.Actor.ID, "", "", req.Platform)
		}
	}
	return nil, nil // they removed a reaction that was not their vote
}

// hearingReply stores a reply in a hearing post's thread as a comment. It
// reports false when the thread is not a hearing post's.
func (s *Service) hearingReply(ctx context.Context, tx *store.Tx, req *bot.Request) ([]bot.Message, bool, error) {
	if req.Thread == "" || req.Kind != bot.KindMessage {
		return nil, false, nil
	}
	item, h, err := tx.HearingItemByMessage(ctx, req.Platform, req.Channel, req.Thread)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	} else if err != nil {
		return nil, true, err
	}
	plan, err := tx.PlanByID(ctx, h.PlanID)
	if err != nil {
		return nil, true, err
	}
	known := req.Actor != nil && req.Actor.PlanID == plan.ID
	lang := plan.Language
	if known {
		if lang, err = actorLang(ctx, tx, plan, *req.Actor); err != nil {
			return nil, true, err
		}
	}
	if h.Status != "open" {
		first, err := tx.NoticeOnce(ctx, h.ID, noticeLateComment, req.Platform, req.User)
		if err != nil || !first {
			return nil, true, err
		}
		return []bot.Message{req.Reply(tr(lang, "hearing_late_comment", longDateTime(lang, *h.ClosedAt, plan.Location())))}, true, nil
	}
	if strings.TrimSpace(req.Text) == "" {
		return nil, true, nil
	}
	if problem := textProblem(lang, req.Text); problem != "" {
		return []bot.Message{{Platform: req.Platform, Channel: bot.DMTo(req.User), Text: tr(lang, "hearing_comment_refused", item.MeasureID) + " " + problem}}, true, nil
	}
	c, err := commentOf(ctx, tx, plan, item, req.Event, req.Actor)
	if err != nil {
		return nil, true, err
	}
	_, err = tx.AddHearingComment(ctx, req.By(), c)
	return nil, true, err
}

// commentOf makes a hearing comment of a thread reply.
func commentOf(ctx context.Context, tx *store.Tx, plan store.Plan, item store.HearingItem, ev bot.Event, a *store.Actor) (store.HearingComment, error) {
	c := store.HearingComment{HearingItemID: item.ID, AuthorName: ev.UserName, Text: ev.Text, Platform: ev.Platform, MessageRef: ev.MessageRef}
	if a != nil && a.PlanID == plan.ID {
		c.ActorID.Int64, c.ActorID.Valid = a.ID, true
		c.AuthorName = a.Name
		roles, err := tx.ActorRoles(ctx, a.ID)
		if err != nil {
			return c, err
		}
		c.IsMember = slices.Contains(roles, store.RoleReferenceGroup)
	}
	if c.AuthorName == "" {
		c.AuthorName = ev.Platform + ":" + ev.User
	}
	return c, nil
}

// closeHearingEarly moves an open hearing's deadline to now; the closing
// job then reads it back from the platform and closes it.
func closeHearingEarly(ctx context.Context, tx *store.Tx, req *bot.Request, lang store.Language, fields []string) ([]bot.Message, error) {
	reply := func(key string, args ...any) ([]bot.Message, error) {
		return []bot.Message{req.Reply(tr(lang, key, args...))}, nil
	}
	hs, err := tx.Hearings(ctx, req.Plan.ID)
	if err != nil {
		return nil, err
	}
	var open []store.Hearing
	for _, h := range hs {
		if h.Status == "open" {
			open = append(open, h)
		}
	}
	var h store.Hearing
	switch {
	case len(fields) > 0:
		id, err := strconv.ParseInt(strings.TrimPrefix(fields[0], "#"), 10, 64)
		if err != nil {
			return reply("hearing_usage")
		}
		i := slices.IndexFunc(hs, func(x store.Hearing) bool { return x.ID == id })
		if i < 0 {
			return reply("hearing_unknown", id)
		}
		if h = hs[i]; h.Status != "open" {
			return reply("hearing_already_closed", id)
		}
	case len(open) == 0:
		return reply("hearing_none_open")
	case len(open) > 1:
		var ids []string
		for _, x := range open {
			ids = append(ids, strconv.FormatInt(x.ID, 10))
		}
		return reply("hearing_which", strings.Join(ids, ", "))
	default:
		h = open[0]
	}
	if err := tx.MoveHearingDeadline(ctx, req.By(), h, time.Now()); err != nil {
		return nil, err
	}
	req.RunJobs = true
	return reply("hearing_closing", h.ID)
}

// HearingStatus is the leader's view of the plan's hearings: each open
// one's deadline and progress, and each closed one's result.
func HearingStatus(ctx context.Context, tx *store.Tx, plan store.Plan, lang store.Language) (string, error) {
	hs, err := tx.Hearings(ctx, plan.ID)
	if err != nil {
		return "", err
	}
	if len(hs) == 0 {
		return tr(lang, "hearing_none"), nil
	}
	members, err := tx.Members(ctx, plan.ID, store.RoleReferenceGroup)
	if err != nil {
		return "", err
	}
	loc := plan.Location()
	var b strings.Builder
	for i, h := range hs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		ch, err := channelByID(ctx, tx, plan.ID, h.ChannelID)
		if err != nil {
			return "", err
		}
		if h.Status == "open" {
			fmt.Fprint(&b, tr(lang, "hearing_status_open", h.ID, ch.Key, longDateTime(lang, h.Deadline, loc)))
		} else {
			fmt.Fprint(&b, tr(lang, "hearing_status_closed", h.ID, ch.Key, longDateTime(lang, *h.ClosedAt, loc)))
		}
		lines, err := tallyLines(ctx, tx, plan, lang, h, len(members), h.Status == "open" && h.HideTally)
		if err != nil {
			return "", err
		}
		for _, l := range lines {
			b.WriteString("\n" + l)
		}
	}
	return b.String(), nil
}

func channelByID(ctx context.Context, tx *store.Tx, planID, id int64) (store.Channel, error) {
	chans, err := tx.Channels(ctx, planID)
	if err != nil {
		return store.Channel{}, err
	}
	for _, c := range chans {
		if c.ID == id {
			return c, nil
		}
	}
	return store.Channel{}, fmt.Errorf("intake: channel %d: %w", id, store.ErrNotFound)
}

// itemTally is an item's votes: frozen when the hearing is closed, else
// counted from the current votes.
type itemTally struct {
	counts map[store.VoteChoice]int
	voters int
}

func tallyOf(ctx context.Context, tx *store.Tx, it store.HearingItem) (itemTally, error) {
	t := itemTally{counts: map[store.VoteChoice]int{}}
	if it.Support != nil {
		t.counts[store.VoteSupport], t.counts[store.VoteOppose], t.counts[store.VoteUnsure] = *it.Support, *it.Oppose, *it.Unsure
		t.voters = *it.Support + *it.Oppose + *it.Unsure
		return t, nil
	}
	votes, err := tx.Votes(ctx, it.ID)
	if err != nil {
		return t, err
	}
	for _, v := range votes {
		t.counts[store.VoteChoice(v.Choice)]++
	}
	t.voters = len(votes)
	return t, nil
}

// tallyText is "👍 3 · 👎 1 · 🤔 0".
func tallyText(plan store.Plan, t itemTally) string {
	var parts []string
	for _, c := range voteOrder {
		parts = append(parts, fmt.Sprintf("%s %d", shownEmoji(plan, c), t.counts[c]))
	}
	return strings.Join(parts, " · ")
}

// tallyLines are a hearing's measures with their tallies (or, hidden, only
// how many have voted), comments and whether the quorum was reached.
func tallyLines(ctx context.Context, tx *store.Tx, plan store.Plan, lang store.Language, h store.Hearing, members int, hidden bool) ([]string, error) {
	items, err := tx.HearingItems(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, it := range items {
		m, err := tx.MeasureByID(ctx, it.MeasureID)
		if err != nil {
			return nil, err
		}
		t, err := tallyOf(ctx, tx, it)
		if err != nil {
			return nil, err
		}
		comments, err := tx.HearingComments(ctx, it.ID)
		if err != nil {
			return nil, err
		}
		votes := tallyText(plan, t)
		if hidden {
			votes = tr(lang, "hearing_voted_hidden", t.voters)
		}
		line := tr(lang, "hearing_tally_line", m.ID, m.StrategyKey, votes, t.voters, members, len(comments))
		if h.Quorum != nil && !quorate(*h.Quorum, t.voters, members) {
			line += " " + tr(lang, "hearing_no_quorum", percent(*h.Quorum))
		}
		out = append(out, line)
	}
	return out, nil
}

// quorate reports whether voters of members meet the quorum share.
func quorate(q float64, voters, members int) bool {
	return members == 0 || float64(voters) >= q*float64(members)-1e-9
}
