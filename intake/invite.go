package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// Invitations: the project leader (or project group) invites actors, the
// bot opens the conversation in a direct message, follows up once before
// the answer-by date, and tells the leader where things stand.

// remindLaterAfter is how long "remind me later" waits.
const remindLaterAfter = 48 * time.Hour

// inviteCorrelation ties a batch's invitation messages together.
func inviteCorrelation(batchID int64) string { return "invite:" + strconv.FormatInt(batchID, 10) }

// actorLang is the language to speak to an actor in: the one chosen in the
// chat, the plan file's for the actor, or the plan's.
func actorLang(ctx context.Context, tx *store.Tx, plan store.Plan, a store.Actor) (store.Language, error) {
	d, err := tx.DialogByActor(ctx, a.ID)
	switch {
	case err == nil:
		var st state
		if json.Unmarshal(d.State, &st) == nil && st.Lang != "" {
			return st.Lang, nil
		}
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	if a.Language != "" {
		return a.Language, nil
	}
	return plan.Language, nil
}

func canInvite(req *bot.Request) bool {
	return req.Has(store.RoleProjectLeader) || req.Has(store.RoleProjectGroup)
}

// inviteArgs is a parsed invite command.
type inviteArgs struct {
	target   string
	strategy string
	answerBy time.Time // zero: none
}

var (
	strategyWords = map[string]bool{"strategi": true, "strategy": true}
	byWords       = map[string]bool{"innen": true, "frist": true, "by": true, "svarfrist": true, "før": true}
)

// parseInvite reads "TARGET [strategi S3] [innen 15.1.2027]"; it returns a
// message key (and arguments) for the person when it cannot.
func parseInvite(arg string, loc *time.Location) (inviteArgs, string, []any) {
	var out inviteArgs
	var target []string
	fields := strings.Fields(arg)
	for i := 0; i < len(fields); i++ {
		w := strings.ToLower(fields[i])
		switch {
		case strategyWords[w] && i+1 < len(fields):
			out.strategy = fields[i+1]
			i++
		case byWords[w] && i+1 < len(fields):
			d, err := parseDate(fields[i+1], loc)
			if err != nil {
				return out, "bad_date", []any{fields[i+1]}
			}
			out.answerBy = d
			i++
		default:
			target = append(target, fields[i])
		}
	}
	out.target = strings.Join(target, " ")
	if out.target == "" {
		return out, "invite_usage", nil
	}
	return out, "", nil
}

// parseDate reads a date as Norwegians write it (15.1.2027, 15.01.2027) or
// as ISO 8601 (2027-01-15), as the start of that day in loc.
func parseDate(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2.1.2006", "02.01.2006", "2006-01-02", "2.1.06"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

var monthNames = [3][12]string{
	{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
	{"januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"},
	{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// longDate writes a date the way the language does: "15. januar 2027",
// "15 January 2027".
func longDate(l store.Language, t time.Time) string {
	m := monthNames[l.Index()][t.Month()-1]
	if l == store.English {
		return fmt.Sprintf("%d %s %d", t.Day(), m, t.Year())
	}
	return fmt.Sprintf("%d. %s %d", t.Day(), m, t.Year())
}

// groupNames maps what a leader may write to a group.
var groupNames = map[string]store.Role{
	"prosjektgruppe": store.RoleProjectGroup, "prosjektgruppa": store.RoleProjectGroup, "prosjektgruppen": store.RoleProjectGroup,
	"project-group": store.RoleProjectGroup, "project_group": store.RoleProjectGroup, "project group": store.RoleProjectGroup,
	"referansegruppe": store.RoleReferenceGroup, "referansegruppa": store.RoleReferenceGroup, "referansegruppen": store.RoleReferenceGroup,
	"reference-group": store.RoleReferenceGroup, "reference_group": store.RoleReferenceGroup, "reference group": store.RoleReferenceGroup,
	"styringsgruppe": store.RoleSteeringGroup, "styringsgruppa": store.RoleSteeringGroup, "styringsgruppen": store.RoleSteeringGroup,
	"steering-group": store.RoleSteeringGroup, "steering_group": store.RoleSteeringGroup, "steering group": store.RoleSteeringGroup,
}

var everyoneWords = map[string]bool{"alle": true, "all": true, "everyone": true}

// inviteTargets resolves a target to actors: an actor ID, a group, an
// organisation, or everyone not yet asked.
func inviteTargets(ctx context.Context, tx *store.Tx, plan store.Plan, target string) ([]store.Actor, bool, error) {
	lower := strings.ToLower(strings.TrimSpace(target))
	actors, err := tx.Actors(ctx, plan.ID)
	if err != nil {
		return nil, false, err
	}
	if everyoneWords[lower] {
		invited, err := tx.Invitations(ctx, plan.ID)
		if err != nil {
			return nil, false, err
		}
		asked := map[int64]bool{}
		for _, inv := range invited {
			asked[inv.ActorID] = true
		}
		leaders, err := tx.Members(ctx, plan.ID, store.RoleProjectLeader)
		if err != nil {
			return nil, false, err
		}
		for _, l := range leaders {
			asked[l.ID] = true
		}
		var out []store.Actor
		for _, a := range actors {
			if !asked[a.ID] {
				out = append(out, a)
			}
		}
		return out, true, nil
	}
	if role, ok := groupNames[lower]; ok {
		members, err := tx.Members(ctx, plan.ID, role)
		return members, true, err
	}
	for _, a := range actors {
		if a.Key == target {
			return []store.Actor{a}, true, nil
		}
	}
	// An organisation: its exact name, or a part of one organisation's name.
	var exact, partial []store.Actor
	orgs := map[string]bool{}
	for _, a := range actors {
		org := strings.ToLower(a.Organisation)
		if org == "" {
			continue
		}
		if org == lower {
			exact = append(exact, a)
		} else if strings.Contains(org, lower) {
			partial = append(partial, a)
			orgs[org] = true
		}
	}
	if len(exact) > 0 {
		return exact, true, nil
	}
	if len(orgs) == 1 {
		return partial, true, nil
	}
	return nil, false, nil
}

// reach chooses where to invite an actor: on the console when the leader
// is there (everyone can be played there), else on the platform the plan
// marks as preferred, else the one the actor has, else nowhere.
func reach(ctx context.Context, tx *store.Tx, a store.Actor, from string) (platform, channel string, err error) {
	if from == bot.Console {
		return bot.Console, bot.DMTo(a.Key), nil
	}
	ids, err := tx.Identities(ctx, a.ID)
	if err != nil {
		return "", "", err
	}
	byPlatform := map[string]string{}
	for _, id := range ids {
		if id.Platform != store.ConsolePlatform {
			byPlatform[id.Platform] = id.UserID
		}
	}
	for _, p := range []string{a.PreferredPlatform, from, bot.Slack, bot.Discord} {
		if user, ok := byPlatform[p]; ok && p != "" {
			return p, bot.DMTo(user), nil
		}
	}
	return "", "", nil
}

// invite handles the leader's invite command.
func (s *Service) invite(ctx context.Context, tx *store.Tx, req *bot.Request, arg string) ([]bot.Message, error) {
	plan := *req.Plan
	lang, err := actorLang(ctx, tx, plan, *req.Actor)
	if err != nil {
		return nil, err
	}
	reply := func(key string, args ...any) ([]bot.Message, error) {
		return []bot.Message{req.Reply(tr(lang, key, args...))}, nil
	}
	if !canInvite(req) {
		return reply("invite_not_allowed")
	}
	loc := plan.Location()
	args, problem, pargs := parseInvite(arg, loc)
	if problem != "" {
		return reply(problem, pargs...)
	}
	if !args.answerBy.IsZero() && args.answerBy.Before(today(loc)) {
		return reply("date_past", longDate(lang, args.answerBy))
	}
	var strategy store.Strategy
	if args.strategy != "" {
		strategy, err = tx.StrategyByKey(ctx, plan.ID, args.strategy)
		if errors.Is(err, store.ErrNotFound) {
			return reply("unknown_strategy", args.strategy)
		} else if err != nil {
			return nil, err
		}
	}
	targets, ok, err := inviteTargets(ctx, tx, plan, args.target)
	if err != nil {
		return nil, err
	}
	if !ok {
		return reply("unknown_target", args.target)
	}
	if len(targets) == 0 {
		return reply("nobody_to_invite")
	}
	leader, err := projectLeaderName(ctx, tx, plan)
	if err != nil {
		return nil, err
	}

	batch, err := tx.CreateInvitationBatch(ctx, req.By(), store.InvitationBatch{PlanID: plan.ID, InvitedBy: req.Actor.ID,
		ReplyPlatform: req.Platform, ReplyChannel: req.Channel, ReplyLanguage: lang})
	if err != nil {
		return nil, err
	}
	var out []bot.Message
	var already, sent int
	var unreachable []string
	for _, a := range targets {
		platform, channel, err := reach(ctx, tx, a, req.Platform)
		if err != nil {
			return nil, err
		}
		inv := store.Invitation{PlanID: plan.ID, ActorID: a.ID, BatchID: batch.ID, InvitedBy: req.Actor.ID,
			Platform: platform, Channel: channel, StrategyKey: strategy.Key, RemindAt: reminderTime(plan, args.answerBy)}
		if !args.answerBy.IsZero() {
			inv.AnswerBy = args.answerBy.Format(time.DateOnly)
		}
		inv, created, err := tx.CreateInvitation(ctx, req.By(), inv)
		if err != nil {
			return nil, err
		}
		if !created {
			already++
			continue
		}
		if platform == "" {
			unreachable = append(unreachable, a.Name)
			continue
		}
		msg, err := invitationMessage(ctx, tx, plan, a, inv, leader, strategy)
		if err != nil {
			return nil, err
		}
		msg.Correlation = inviteCorrelation(batch.ID)
		out = append(out, msg)
		sent++
	}
	var lines []string
	lines = append(lines, tr(lang, "invite_sending", sent))
	if already > 0 {
		lines = append(lines, tr(lang, "invite_already", already))
	}
	if len(unreachable) > 0 {
		lines = append(lines, tr(lang, "invite_unreachable", len(unreachable), strings.Join(unreachable, ", ")))
	}
	if sent > 0 {
		lines = append(lines, tr(lang, "invite_will_tell"))
	} else if _, err := tx.FinishBatch(ctx, batch.ID); err != nil {
		return nil, err
	}
	return append([]bot.Message{req.Reply(strings.Join(lines, "\n"))}, out...), nil
}

func today(loc *time.Location) time.Time {
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// reminderTime is when an invited actor who has not finished is reminded:
// the plan's reminder lead before the end of the answer-by day, unless
// that leaves too little time to be of use.
func reminderTime(plan store.Plan, answerBy time.Time) *time.Time {
	if answerBy.IsZero() {
		return nil
	}
	lead := plan.Settings.ReminderBefore
	if lead <= 0 {
		lead = 48 * time.Hour
	}
	at := answerBy.AddDate(0, 0, 1).Add(-lead)
	if at.Before(time.Now().Add(time.Hour)) {
		return nil
	}
	at = at.UTC()
	return &at
}

func projectLeaderName(ctx context.Context, tx *store.Tx, plan store.Plan) (string, error) {
	ls, err := tx.Members(ctx, plan.ID, store.RoleProjectLeader)
	if err != nil || len(ls) == 0 {
		return "?", err
	}
	return ls[0].Name, nil
}

// invitationMessage is the invitation itself, in the actor's language, with
// buttons to start now, later, or not at all.
func invitationMessage(ctx context.Context, tx *store.Tx, plan store.Plan, a store.Actor, inv store.Invitation, leader string, strategy store.Strategy) (bot.Message, error) {
	lang, err := actorLang(ctx, tx, plan, a)
	if err != nil {
		return bot.Message{}, err
	}
	var about, by string
	if strategy.Key != "" {
		about = tr(lang, "invite_about", strategy.Key, strategy.Title)
	}
	if inv.AnswerBy != "" {
		d, _ := time.ParseInLocation(time.DateOnly, inv.AnswerBy, plan.Location())
		by = tr(lang, "invite_by", longDate(lang, d))
	}
	text := tr(lang, "invitation", a.Name, plan.Municipality, plan.Title, leader, about, by)
	return bot.Message{Platform: inv.Platform, Channel: inv.Channel, Text: text, Choices: []bot.Choice{
		{ID: "inv|start", Label: tr(lang, "invite_start"), Style: bot.StylePrimary},
		{ID: "inv|later", Label: tr(lang, "invite_later")},
		{ID: "inv|decline", Label: tr(lang, "invite_decline")},
	}}, nil
}

// Jobs is the scheduled work of phase 3 (bot.Scheduler).
func (s *Service) Jobs() []bot.Job {
	return []bot.Job{
		{Name: "invitation reminders", Every: time.Minute, Run: func(ctx context.Context, env bot.JobEnv) (int, error) {
			return RemindInvitations(ctx, env.Store, env.Now)
		}},
		{Name: "hearing reminders", Every: time.Minute, Run: RemindHearings},
		{Name: "closing hearings", Every: 30 * time.Second, Run: CloseHearings},
	}
}

// RemindInvitations sends the reminders due at now, each once even with
// several processes: the reminder is claimed and queued in one
// transaction. It reports how many it queued.
func RemindInvitations(ctx context.Context, st *store.Store, now time.Time) (int, error) {
	due, err := st.DueReminders(ctx, now, 200)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, inv := range due {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			claimed, err := tx.ClaimReminder(ctx, store.System, inv, now)
			if err != nil || !claimed {
				return err
			}
			m, err := reminderMessage(ctx, tx, inv)
			if err != nil {
				return err
			}
			sent++
			return bot.Enqueue(ctx, tx, inv.PlanID, m)
		})
		if err != nil {
			return sent, fmt.Errorf("intake: reminder for invitation %d: %w", inv.ID, err)
		}
	}
	return sent, nil
}

// reminderMessage asks an invited actor again: to begin, or to go on where
// they left off. It goes where the actor last talked to the bot, or where
// the invitation went.
func reminderMessage(ctx context.Context, tx *store.Tx, inv store.Invitation) (bot.Message, error) {
	plan, err := tx.PlanByID(ctx, inv.PlanID)
	if err != nil {
		return bot.Message{}, err
	}
	a, err := tx.ActorByID(ctx, inv.ActorID)
	if err != nil {
		return bot.Message{}, err
	}
	lang, err := actorLang(ctx, tx, plan, a)
	if err != nil {
		return bot.Message{}, err
	}
	leader, err := projectLeaderName(ctx, tx, plan)
	if err != nil {
		return bot.Message{}, err
	}
	m := bot.Message{Platform: inv.Platform, Channel: inv.Channel}
	if d, err := tx.DialogByActor(ctx, a.ID); err == nil && d.Platform != "" {
		m.Platform, m.Channel = d.Platform, d.Channel
	}
	var by string
	if inv.AnswerBy != "" {
		d, _ := time.ParseInLocation(time.DateOnly, inv.AnswerBy, plan.Location())
		by = tr(lang, "invite_by", longDate(lang, d))
	}
	if inv.StartedAt != nil || a.ConsentedAt != nil {
		m.Text = tr(lang, "reminder_started", a.Name, leader, plan.Title, by)
		m.Choices = []bot.Choice{{ID: "inv|resume", Label: tr(lang, "resume"), Style: bot.StylePrimary}}
		return m, nil
	}
	m.Text = tr(lang, "reminder_invited", a.Name, leader, plan.Title, by)
	m.Choices = []bot.Choice{
		{ID: "inv|start", Label: tr(lang, "invite_start"), Style: bot.StylePrimary},
		{ID: "inv|later", Label: tr(lang, "invite_later")},
		{ID: "inv|decline", Label: tr(lang, "invite_decline")},
	}
	return m, nil
}

// Delivered follows the delivery of correlated messages
// (bot.DeliveryWatcher): it records where an idea session's question was
// asked, and tells the leader once all of an invite command's invitations
// have gone out.
func (s *Service) Delivered(ctx context.Context, tx *store.Tx, om store.OutboxMessage) (int, error) {
	if strings.HasPrefix(om.Correlation, "idea:") {
		return 0, ideaDelivered(ctx, tx, om)
	}
	if strings.HasPrefix(om.Correlation, hearingItemCorrelation) || strings.HasPrefix(om.Correlation, hearingIntroCorrelation) {
		return 0, hearingDelivered(ctx, tx, om)
	}
	idText, ok := strings.CutPrefix(om.Correlation, "invite:")
	if !ok {
		return 0, nil
	}
	batchID, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return 0, nil
	}
	if err := tx.LockInvitationBatch(ctx, batchID); err != nil {
		return 0, err
	}
	pending, failed, err := tx.OutboxProgress(ctx, om.Correlation)
	if err != nil || pending > 0 {
		return 0, err
	}
	done, err := tx.FinishBatch(ctx, batchID)
	if err != nil || !done {
		return 0, err
	}
	b, err := tx.InvitationBatchByID(ctx, batchID)
	if err != nil {
		return 0, err
	}
	sent, err := sentInBatch(ctx, tx, b)
	if err != nil {
		return 0, err
	}
	text := tr(b.ReplyLanguage, "invite_all_sent", sent-failed)
	if failed > 0 {
		text += " " + tr(b.ReplyLanguage, "invite_failed", failed)
	}
	return 1, bot.Enqueue(ctx, tx, b.PlanID, bot.Message{Platform: b.ReplyPlatform, Channel: b.ReplyChannel, Text: text})
}

// sentInBatch counts a batch's invitations that went by chat.
func sentInBatch(ctx context.Context, tx *store.Tx, b store.InvitationBatch) (int, error) {
	all, err := tx.Invitations(ctx, b.PlanID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, inv := range all {
		if inv.BatchID == b.ID && inv.Reachable() {
			n++
		}
	}
	return n, nil
}
