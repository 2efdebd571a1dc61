package intake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kommune-dugnad/dugnad/bot"
	"github.com/kommune-dugnad/dugnad/store"
)

// RemindHearings sends, for each open hearing whose reminder is due, one
// direct message to each reference-group member who has not voted on every
// measure, listing what is left. The reminder is claimed in the database
// (a conditional update that takes the hearing's row lock), so with several
// processes each goes once.
func RemindHearings(ctx context.Context, env bot.JobEnv) (int, error) {
	hs, err := env.Store.OpenHearings(ctx)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, h := range hs {
		if h.RemindAt == nil || h.RemindedAt != nil || h.RemindAt.After(env.Now) || !h.Deadline.After(env.Now) {
			continue
		}
		err := env.Store.InTx(ctx, func(tx *store.Tx) error {
			claimed, err := tx.ClaimHearingReminder(ctx, store.System, h, env.Now)
			if err != nil || !claimed {
				return err
			}
			msgs, err := hearingReminders(ctx, tx, h)
			if err != nil {
				return err
			}
			for _, m := range msgs {
				if err := bot.Enqueue(ctx, tx, h.PlanID, m); err != nil {
					return err
				}
			}
			queued += len(msgs)
			return nil
		})
		if err != nil {
			return queued, fmt.Errorf("intake: remind hearing %d: %w", h.ID, err)
		}
	}
	return queued, nil
}

func hearingReminders(ctx context.Context, tx *store.Tx, h store.Hearing) ([]bot.Message, error) {
	plan, err := tx.PlanByID(ctx, h.PlanID)
	if err != nil {
		return nil, err
	}
	ch, err := channelByID(ctx, tx, plan.ID, h.ChannelID)
	if err != nil {
		return nil, err
	}
	items, err := tx.HearingItems(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	voted := map[int64]map[int64]bool{} // actor → items
	for _, it := range items {
		votes, err := tx.Votes(ctx, it.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range votes {
			if voted[v.ActorID] == nil {
				voted[v.ActorID] = map[int64]bool{}
			}
			voted[v.ActorID][it.ID] = true
		}
	}
	members, err := tx.Members(ctx, plan.ID, store.RoleReferenceGroup)
	if err != nil {
		return nil, err
	}
	var out []bot.Message
	for _, a := range members {
		var left []store.HearingItem
		for _, it := range items {
			if !voted[a.ID][it.ID] {
				left = append(left, it)
			}
		}
		if len(left) == 0 {
			continue
		}
		channel, err := memberDM(ctx, tx, a, ch.Platform)
		if err != nil {
			return nil, err
		}
		if channel == "" {
			continue // not on the hearing's platform: they cannot vote there either
		}
		lang, err := actorLang(ctx, tx, plan, a)
		if err != nil {
			return nil, err
		}
		lines := []string{tr(lang, "hearing_reminder", longDateTime(lang, h.Deadline, plan.Location()), ch.Key, len(left), len(items))}
		for _, it := range left {
			m, err := tx.MeasureByID(ctx, it.MeasureID)
			if err != nil {
				return nil, err
			}
			lines = append(lines, fmt.Sprintf("• %s %d: «%s»", tr(lang, "measure_word"), m.ID, display(m.Text, 140)))
		}
		lines = append(lines, tr(lang, "hearing_reminder_how", voteLegend(plan, lang)))
		out = append(out, bot.Message{Platform: ch.Platform, Channel: channel, Text: strings.Join(lines, "\n")})
	}
	return out, nil
}

// memberDM is where to write privately to an actor on a platform, or ""
// when they have no account there.
func memberDM(ctx context.Context, tx *store.Tx, a store.Actor, platform string) (string, error) {
	if platform == bot.Console {
		return bot.DMTo(a.Key), nil
	}
	ids, err := tx.Identities(ctx, a.ID)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if id.Platform == platform {
			return bot.DMTo(id.UserID), nil
		}
	}
	return "", nil
}

// reachOn is where to write privately to an actor about something that
// happened on a platform: there, if they have an account there, else where
// they can be reached.
func reachOn(ctx context.Context, tx *store.Tx, a store.Actor, platform string) (string, string, error) {
	channel, err := memberDM(ctx, tx, a, platform)
	if err != nil || channel != "" {
		return platform, channel, err
	}
	return whereToReach(ctx, tx, a, platform)
}

// CloseHearings closes each open hearing whose deadline has passed: it
// reads each post's reactions and replies back from the platform,
// reconciles the stored votes and comments with them, freezes the tally,
// posts the result and hands the heard measures to the steering group.
// A hearing is closed by one process (it holds a lease while it reads the
// platform; the close itself is a conditional update), also when the
// deadline passed while no process ran.
func CloseHearings(ctx context.Context, env bot.JobEnv) (int, error) {
	hs, err := env.Store.OpenHearings(ctx)
	if err != nil {
		return 0, err
	}
	queued := 0
	var errs []error
	for _, h := range hs {
		if h.Deadline.After(env.Now) {
			continue
		}
		n, err := closeOne(ctx, env, h)
		queued += n
		if err != nil {
			errs = append(errs, fmt.Errorf("intake: close hearing %d: %w", h.ID, err))
		}
	}
	return queued, errors.Join(errs...)
}

// platformView is what the platform shows of a hearing: per item, each
// user's vote emoji, and the thread's replies.
type platformView struct {
	reactions map[int64][]bot.Reaction
	replies   map[int64][]bot.Event
	read      bool // false: the platform could not be read
}

func closeOne(ctx context.Context, env bot.JobEnv, h store.Hearing) (int, error) {
	lease := "hearing-close:" + strconv.FormatInt(h.ID, 10)
	got, err := env.Store.ClaimLease(ctx, lease, env.Worker, closeLease)
	if err != nil || !got {
		return 0, err
	}
	defer env.Store.ReleaseLease(context.WithoutCancel(ctx), lease, env.Worker) //nolint:errcheck // it lapses by itself

	items, err := env.Store.HearingItems(ctx, h.ID)
	if err != nil {
		return 0, err
	}
	platform := ""
	if len(items) > 0 {
		platform = items[0].Platform
	}
	view, err := readPlatform(ctx, env, platform, items)
	if err != nil || (!view.read && env.Now.Before(h.Deadline.Add(closeGrace))) {
		// Try again next round, perhaps from a process that runs the
		// platform; after the grace period close on what was registered.
		return 0, err
	}
	queued := 0
	err = env.Store.InTx(ctx, func(tx *store.Tx) error {
		queued = 0
		current, err := tx.HearingByID(ctx, h.ID)
		if err != nil || current.Status != "open" {
			return err
		}
		plan, err := tx.PlanByID(ctx, h.PlanID)
		if err != nil {
			return err
		}
		if view.read {
			if err := reconcile(ctx, tx, plan, current, items, view); err != nil {
				return err
			}
		}
		closed, err := tx.CloseHearing(ctx, store.System, h.ID)
		if err != nil || !closed {
			return err
		}
		current, err = tx.HearingByID(ctx, h.ID)
		if err != nil {
			return err
		}
		msgs, err := hearingResults(ctx, tx, plan, current, view.read)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if err := bot.Enqueue(ctx, tx, plan.ID, m); err != nil {
				return err
			}
		}
		queued = len(msgs)
		return nil
	})
	return queued, err
}

// readPlatform reads every post's reactions and thread, where the platform
// can be read from this process.
func readPlatform(ctx context.Context, env bot.JobEnv, platform string, items []store.HearingItem) (platformView, error) {
	v := platformView{reactions: map[int64][]bot.Reaction{}, replies: map[int64][]bot.Event{}}
	var a bot.Adapter
	if env.Adapter != nil {
		a = env.Adapter(platform)
	}
	if a == nil {
		return v, nil
	}
	reactor, canReact := a.(bot.Reactor)
	threads, canThread := a.(bot.ThreadReader)
	if !canReact && !canThread {
		// Nothing to read back: what the bot registered is all there is.
		v.read = true
		return v, nil
	}
	for _, it := range items {
		if it.MessageRef == "" {
			continue // never posted: nobody could react
		}
		if canReact {
			rs, err := reactor.Reactions(ctx, it.Channel, it.MessageRef)
			if err != nil {
				return v, fmt.Errorf("read reactions of measure %d: %w", it.MeasureID, err)
			}
			v.reactions[it.ID] = rs
		}
		if canThread {
			rs, err := threads.Replies(ctx, it.Channel, it.MessageRef)
			if err != nil {
				return v, fmt.Errorf("read thread of measure %d: %w", it.MeasureID, err)
			}
			v.replies[it.ID] = rs
		}
	}
	v.read = true
	return v, nil
}

// reconcile makes the stored votes of members what the platform shows (a
// member with several vote emoji keeps the stored vote if it is among
// them, else the first shown), and stores replies the bot missed. Each
// change is audited as the reconciliation's.
func reconcile(ctx context.Context, tx *store.Tx, plan store.Plan, h store.Hearing, items []store.HearingItem, v platformView) error {
	members, err := tx.Members(ctx, plan.ID, store.RoleReferenceGroup)
	if err != nil {
		return err
	}
	platform := ""
	if len(items) > 0 {
		platform = items[0].Platform
	}
	byUser := map[string]int64{}
	for _, a := range members {
		if platform == bot.Console {
			byUser[a.Key] = a.ID
			continue
		}
		ids, err := tx.Identities(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if id.Platform == platform {
				byUser[id.UserID] = a.ID
			}
		}
	}
	by := store.By{Label: "reconcile"}
	changed, added := 0, 0
	for _, it := range items {
		rs, ok := v.reactions[it.ID]
		if ok {
			shown := map[int64][]store.VoteChoice{}
			emojiOf := map[int64]map[store.VoteChoice]string{}
			for _, r := range rs {
				c, isVote := voteOf(plan, r.Emoji)
				if !isVote {
					continue
				}
				for _, u := range r.Users {
					a, member := byUser[u]
					if !member || slices.Contains(shown[a], c) {
						continue
					}
					shown[a] = append(shown[a], c)
					if emojiOf[a] == nil {
						emojiOf[a] = map[store.VoteChoice]string{}
					}
					emojiOf[a][c] = normEmoji(r.Emoji)
				}
			}
			votes, err := tx.Votes(ctx, it.ID)
			if err != nil {
				return err
			}
			stored := map[int64]store.VoteChoice{}
			for _, vote := range votes {
				stored[vote.ActorID] = store.VoteChoice(vote.Choice)
			}
			for a, c := range stored {
				if len(shown[a]) == 0 {
					if err := tx.SetVote(ctx, by, it.ID, a, "", "", platform); err != nil {
						return err
					}
					changed++
				} else if !slices.Contains(shown[a], c) {
					first := shown[a][0]
					if err := tx.SetVote(ctx, by, it.ID, a, first, emojiOf[a][first], platform); err != nil {
						return err
					}
					changed++
				}
			}
			for a, cs := range shown {
				if _, ok := stored[a]; !ok {
					if err := tx.SetVote(ctx, by, it.ID, a, cs[0], emojiOf[a][cs[0]], platform); err != nil {
						return err
					}
					changed++
				}
			}
		}
		existing, err := tx.HearingComments(ctx, it.ID)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, c := range existing {
			have[c.MessageRef] = true
		}
		for _, ev := range v.replies[it.ID] {
			if have[ev.MessageRef] || strings.TrimSpace(ev.Text) == "" || textProblem(plan.Language, ev.Text) != "" {
				continue
			}
			a, err := actorOn(ctx, tx, plan, ev)
			if err != nil {
				return err
			}
			c, err := commentOf(ctx, tx, plan, it, ev, a)
			if err != nil {
				return err
			}
			if _, err := tx.AddHearingComment(ctx, by, c); err != nil {
				return err
			}
			added++
		}
	}
	return tx.RecordReconcile(ctx, by, h, map[string]int{"votes_changed": changed, "comments_added": added})
}

// actorOn finds the plan's actor behind a platform account, or nil.
func actorOn(ctx context.Context, tx *store.Tx, plan store.Plan, ev bot.Event) (*store.Actor, error) {
	if ev.Platform == bot.Console {
		a, err := tx.ActorByKey(ctx, plan.ID, ev.User)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return &a, err
	}
	for _, ws := range []string{ev.Workspace, ""} {
		a, err := tx.ActorByIdentity(ctx, store.Identity{Platform: ev.Platform, Workspace: ws, UserID: ev.User})
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if a.PlanID == plan.ID {
			return &a, nil
		}
	}
	return nil, nil
}

// hearingResults are what a closed hearing posts: a result in each
// measure's thread, a summary in the channel, the heard measures to the
// steering group, and a note to the project leader who opened it.
func hearingResults(ctx context.Context, tx *store.Tx, plan store.Plan, h store.Hearing, reconciled bool) ([]bot.Message, error) {
	lang := plan.Language
	ch, err := channelByID(ctx, tx, plan.ID, h.ChannelID)
	if err != nil {
		return nil, err
	}
	members, err := tx.Members(ctx, plan.ID, store.RoleReferenceGroup)
	if err != nil {
		return nil, err
	}
	items, err := tx.HearingItems(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	var out []bot.Message
	for _, it := range items {
		if it.MessageRef == "" {
			continue
		}
		t, err := tallyOf(ctx, tx, it)
		if err != nil {
			return nil, err
		}
		text := tr(lang, "hearing_item_result", it.MeasureID, tallyText(plan, t), t.voters, len(members))
		out = append(out, bot.Message{Platform: it.Platform, Channel: it.Channel, Thread: it.MessageRef, Text: text})
	}
	lines, err := tallyLines(ctx, tx, plan, lang, h, len(members), false)
	if err != nil {
		return nil, err
	}
	summary := tr(lang, "hearing_closed_summary", h.ID, longDateTime(lang, *h.ClosedAt, plan.Location())) + "\n" + strings.Join(lines, "\n")
	if !reconciled {
		summary += "\n" + tr(lang, "hearing_not_reconciled")
	}
	summary += "\n" + tr(lang, "hearing_to_steering")
	out = append(out, bot.Message{Platform: ch.Platform, Channel: ch.Channel, Text: summary})
	steering, err := toSteeringGroup(ctx, tx, plan, h, ch.Platform, items, len(members))
	if err != nil {
		return nil, err
	}
	out = append(out, steering...)
	if h.OpenedBy != nil {
		leader, err := tx.ActorByID(ctx, *h.OpenedBy)
		if err != nil {
			return nil, err
		}
		platform, channel, err := reachOn(ctx, tx, leader, ch.Platform)
		if err != nil {
			return nil, err
		}
		if platform != "" {
			llang, err := actorLang(ctx, tx, plan, leader)
			if err != nil {
				return nil, err
			}
			out = append(out, bot.Message{Platform: platform, Channel: channel, Text: tr(llang, "hearing_closed_leader", h.ID, ch.Key)})
		}
	}
	return out, nil
}

// toSteeringGroup is each heard measure with its tally and comments, and
// buttons to approve or return it: in the steering group's channel on the
// hearing's platform, else to each member directly.
func toSteeringGroup(ctx context.Context, tx *store.Tx, plan store.Plan, h store.Hearing, platform string, items []store.HearingItem, members int) ([]bot.Message, error) {
	chans, err := tx.Channels(ctx, plan.ID)
	if err != nil {
		return nil, err
	}
	type target struct {
		platform, channel string
		lang              store.Language
	}
	var targets []target
	for _, c := range chans {
		if c.Purpose == store.PurposeSteeringGroup && c.Platform == platform && !c.Archived {
			targets = []target{{c.Platform, c.Channel, plan.Language}}
			break
		}
	}
	if len(targets) == 0 {
		group, err := tx.Members(ctx, plan.ID, store.RoleSteeringGroup)
		if err != nil {
			return nil, err
		}
		for _, a := range group {
			p, channel, err := reachOn(ctx, tx, a, platform)
			if err != nil {
				return nil, err
			}
			if p == "" {
				continue
			}
			lang, err := actorLang(ctx, tx, plan, a)
			if err != nil {
				return nil, err
			}
			targets = append(targets, target{p, channel, lang})
		}
	}
	var out []bot.Message
	for _, tg := range targets {
		out = append(out, bot.Message{Platform: tg.platform, Channel: tg.channel, Text: tr(tg.lang, "steering_intro", h.ID, len(items))})
		for _, it := range items {
			text, err := heardMeasure(ctx, tx, plan, tg.lang, it, members)
			if err != nil {
				return nil, err
			}
			id := strconv.FormatInt(it.MeasureID, 10)
			out = append(out, bot.Message{Platform: tg.platform, Channel: tg.channel, Text: text, Choices: []bot.Choice{
				{ID: choiceApprove + id, Label: tr(tg.lang, "button_approve")},
				{ID: choiceReturn + id, Label: tr(tg.lang, "button_return")},
			}})
		}
	}
	return out, nil
}

// heardMeasure is a measure after its hearing: its text, tally and the
// comments made on it.
func heardMeasure(ctx context.Context, tx *store.Tx, plan store.Plan, lang store.Language, it store.HearingItem, members int) (string, error) {
	post, err := measurePost(ctx, tx, plan, lang, it.MeasureID)
	if err != nil {
		return "", err
	}
	t, err := tallyOf(ctx, tx, it)
	if err != nil {
		return "", err
	}
	lines := []string{post, tr(lang, "steering_votes", tallyText(plan, t), t.voters, members)}
	comments, err := tx.HearingComments(ctx, it.ID)
	if err != nil {
		return "", err
	}
	const shown = 8
	for i, c := range comments {
		if i == shown {
			lines = append(lines, tr(lang, "steering_more_comments", len(comments)-shown))
			break
		}
		who := c.AuthorName
		if !c.IsMember {
			who += " " + tr(lang, "outside_group")
		}
		lines = append(lines, fmt.Sprintf("💬 %s: «%s»", display(who, 80), display(c.Text, 300)))
	}
	return strings.Join(lines, "\n"), nil
}
