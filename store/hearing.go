package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Hearing is a round in which the reference group votes on measure drafts.
type Hearing struct {
	ID         int64      `db:"id"`
	PlanID     int64      `db:"plan_id"`
	ChannelID  int64      `db:"channel_id"`
	Status     string     `db:"status"` // "open" or "closed"
	Deadline   time.Time  `db:"deadline"`
	RemindAt   *time.Time `db:"remind_at"`
	RemindedAt *time.Time `db:"reminded_at"`
	Quorum     *float64   `db:"quorum"`
	HideTally  bool       `db:"hide_tally"`
	OpenedBy   *int64     `db:"opened_by"`
	OpenedAt   time.Time  `db:"opened_at"`
	ClosedAt   *time.Time `db:"closed_at"`
	IntroRef   string     `db:"intro_ref"`
}

// HearingItem is one measure's post on a hearing.
type HearingItem struct {
	ID         int64  `db:"id"`
	HearingID  int64  `db:"hearing_id"`
	MeasureID  int64  `db:"measure_id"`
	Platform   string `db:"platform"`
	Channel    string `db:"channel"`
	MessageRef string `db:"message_ref"`
	Support    *int   `db:"support"` // frozen at close; nil while open
	Oppose     *int   `db:"oppose"`
	Unsure     *int   `db:"unsure"`
}

// Vote is a member's current vote on a hearing item.
type Vote struct {
	HearingItemID int64     `db:"hearing_item_id"`
	ActorID       int64     `db:"actor_id"`
	Choice        string    `db:"choice"`
	Emoji         string    `db:"emoji"`
	Platform      string    `db:"platform"`
	UpdatedAt     time.Time `db:"updated_at"`
}

// HearingComment is a reply in a measure's thread on a hearing.
type HearingComment struct {
	ID            int64         `db:"id"`
	HearingItemID int64         `db:"hearing_item_id"`
	ActorID       sql.NullInt64 `db:"actor_id"`
	AuthorName    string        `db:"author_name"`
	IsMember      bool          `db:"is_member"`
	Text          string        `db:"text"`
	Platform      string        `db:"platform"`
	MessageRef    string        `db:"message_ref"`
	CreatedAt     time.Time     `db:"created_at"`
}

// Approval is a steering-group decision, or an anchoring, on a measure.
type Approval struct {
	ID        int64         `db:"id"`
	MeasureID int64         `db:"measure_id"`
	ActorID   sql.NullInt64 `db:"actor_id"`
	Decision  string        `db:"decision"`
	Reason    string        `db:"reason"`
	CreatedAt time.Time     `db:"created_at"`
}

// OpenHearing opens a hearing on draft measures in one of the plan's
// channels and moves each measure to "on hearing". A measure can be on one
// open hearing at a time.
func (tx *Tx) OpenHearing(ctx context.Context, by By, h Hearing, measureIDs []int64) (Hearing, []HearingItem, error) {
	if len(measureIDs) == 0 {
		return Hearing{}, nil, invalidf("a hearing needs at least one measure")
	}
	t := now()
	if !h.Deadline.After(t) {
		return Hearing{}, nil, invalidf("the deadline has passed")
	}
	var ch channelRow
	if err := tx.get(ctx, &ch, `SELECT * FROM channels WHERE id = ? AND plan_id = ? AND NOT archived`, h.ChannelID, h.PlanID); err != nil {
		return Hearing{}, nil, invalidf("channel %d is not one of this plan's", h.ChannelID)
	}
	id, err := tx.insertID(ctx, `INSERT INTO hearings (plan_id, channel_id, status, deadline, remind_at, quorum, hide_tally, opened_by, opened_at)
		VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?)`, h.PlanID, h.ChannelID, h.Deadline.UTC(), nullTime(h.RemindAt), h.Quorum, h.HideTally, h.OpenedBy, t)
	if err != nil {
		return Hearing{}, nil, fmt.Errorf("store: insert hearing: %w", err)
	}
	var items []HearingItem
	for _, mid := range measureIDs {
		m, err := tx.MeasureByID(ctx, mid)
		if errors.Is(err, ErrNotFound) || (err == nil && m.PlanID != h.PlanID) {
			return Hearing{}, nil, invalidf("measure %d is not a measure of this plan", mid)
		} else if err != nil {
			return Hearing{}, nil, err
		}
		if _, err := tx.SetMeasureStatus(ctx, by, mid, StatusOnHearing, ""); err != nil {
			return Hearing{}, nil, err
		}
		itemID, err := tx.insertID(ctx, `INSERT INTO hearing_items (hearing_id, measure_id, platform, channel) VALUES (?, ?, ?, ?)`, id, mid, ch.Platform, ch.Channel)
		if err != nil {
			return Hearing{}, nil, fmt.Errorf("store: insert hearing item: %w", err)
		}
		items = append(items, HearingItem{ID: itemID, HearingID: id, MeasureID: mid, Platform: ch.Platform, Channel: ch.Channel})
	}
	opened, err := tx.HearingByID(ctx, id)
	if err != nil {
		return Hearing{}, nil, err
	}
	if err := tx.audit(ctx, h.PlanID, by, "hearing.open", "hearing", id, nil, map[string]any{"hearing": opened, "measures": measureIDs}); err != nil {
		return Hearing{}, nil, err
	}
	return opened, items, nil
}

// HearingByID returns a hearing, or ErrNotFound.
func (q queries) HearingByID(ctx context.Context, id int64) (Hearing, error) {
	var h Hearing
	if err := q.get(ctx, &h, `SELECT * FROM hearings WHERE id = ?`, id); err != nil {
		return Hearing{}, fmt.Errorf("store: hearing %d: %w", id, err)
	}
	return h, nil
}

// HearingItems lists a hearing's items in the order they were posted.
func (q queries) HearingItems(ctx context.Context, hearingID int64) ([]HearingItem, error) {
	var out []HearingItem
	if err := q.sel(ctx, &out, `SELECT * FROM hearing_items WHERE hearing_id = ? ORDER BY id`, hearingID); err != nil {
		return nil, fmt.Errorf("store: hearing items: %w", err)
	}
	return out, nil
}

// Votes lists the current votes on a hearing item.
func (q queries) Votes(ctx context.Context, itemID int64) ([]Vote, error) {
	var out []Vote
	if err := q.sel(ctx, &out, `SELECT * FROM votes WHERE hearing_item_id = ? ORDER BY actor_id`, itemID); err != nil {
		return nil, fmt.Errorf("store: votes: %w", err)
	}
	return out, nil
}

func (tx *Tx) openItem(ctx context.Context, itemID int64) (HearingItem, Hearing, error) {
	var item HearingItem
	if err := tx.get(ctx, &item, `SELECT * FROM hearing_items WHERE id = ?`, itemID); err != nil {
		return HearingItem{}, Hearing{}, fmt.Errorf("store: hearing item %d: %w", itemID, err)
	}
	h, err := tx.HearingByID(ctx, item.HearingID)
	if err != nil {
		return HearingItem{}, Hearing{}, err
	}
	if h.Status != "open" {
		return HearingItem{}, Hearing{}, invalidf("the hearing is closed")
	}
	return item, h, nil
}

// SetVote records a member's vote on an item of an open hearing, replacing
// their earlier vote. choice "" withdraws the vote.
func (tx *Tx) SetVote(ctx context.Context, by By, itemID, actorID int64, choice VoteChoice, emoji, platform string) error {
	_, h, err := tx.openItem(ctx, itemID)
	if err != nil {
		return err
	}
	var before *Vote
	var old Vote
	switch err := tx.get(ctx, &old, `SELECT * FROM votes WHERE hearing_item_id = ? AND actor_id = ?`, itemID, actorID); {
	case err == nil:
		before = &old
	case !errors.Is(err, ErrNotFound):
		return err
	}
	if choice == "" {
		if before == nil {
			return nil
		}
		if _, err := tx.exec(ctx, `DELETE FROM votes WHERE hearing_item_id = ? AND actor_id = ?`, itemID, actorID); err != nil {
			return fmt.Errorf("store: withdraw vote: %w", err)
		}
		return tx.audit(ctx, h.PlanID, by, "vote.withdraw", "hearing_item", itemID, before, nil)
	}
	if choice != VoteSupport && choice != VoteOppose && choice != VoteUnsure {
		return invalidf("unknown vote %q", choice)
	}
	if before != nil && before.Choice == string(choice) && before.Emoji == emoji {
		return nil
	}
	after := Vote{HearingItemID: itemID, ActorID: actorID, Choice: string(choice), Emoji: emoji, Platform: platform, UpdatedAt: now()}
	_, err = tx.exec(ctx, `INSERT INTO votes (hearing_item_id, actor_id, choice, emoji, platform, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (hearing_item_id, actor_id) DO UPDATE SET choice = excluded.choice, emoji = excluded.emoji, platform = excluded.platform, updated_at = excluded.updated_at`,
		itemID, actorID, choice, emoji, platform, after.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: set vote: %w", err)
	}
	return tx.audit(ctx, h.PlanID, by, "vote.set", "hearing_item", itemID, before, after)
}

// AddHearingComment stores a reply in a measure's thread. A reply already
// stored (same platform message) is not stored twice.
func (tx *Tx) AddHearingComment(ctx context.Context, by By, c HearingComment) (HearingComment, error) {
	if err := CheckText(c.Text); err != nil {
		return HearingComment{}, err
	}
	_, h, err := tx.openItem(ctx, c.HearingItemID)
	if err != nil {
		return HearingComment{}, err
	}
	c.CreatedAt = now()
	id, err := tx.insertID(ctx, `INSERT INTO hearing_comments (hearing_item_id, actor_id, author_name, is_member, text, platform, message_ref, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, message_ref) DO NOTHING`,
		c.HearingItemID, c.ActorID, c.AuthorName, c.IsMember, c.Text, c.Platform, c.MessageRef, c.CreatedAt)
	if isNoRows(err) {
		return c, nil
	}
	if err != nil {
		return HearingComment{}, fmt.Errorf("store: insert comment: %w", err)
	}
	c.ID = id
	return c, tx.audit(ctx, h.PlanID, by, "comment.create", "hearing_item", c.HearingItemID, nil, c)
}

// HearingComments lists the comments on a hearing item.
func (q queries) HearingComments(ctx context.Context, itemID int64) ([]HearingComment, error) {
	var out []HearingComment
	if err := q.sel(ctx, &out, `SELECT * FROM hearing_comments WHERE hearing_item_id = ? ORDER BY id`, itemID); err != nil {
		return nil, fmt.Errorf("store: comments: %w", err)
	}
	return out, nil
}

// CloseHearing freezes each item's tally from the stored votes, closes the
// hearing and moves its measures to "heard". It reports false when the
// hearing was already closed (by another process, or earlier).
func (tx *Tx) CloseHearing(ctx context.Context, by By, hearingID int64) (bool, error) {
	h, err := tx.HearingByID(ctx, hearingID)
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `UPDATE hearings SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'`, now(), hearingID)
	if err != nil {
		return false, fmt.Errorf("store: close hearing: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	items, err := tx.HearingItems(ctx, hearingID)
	if err != nil {
		return false, err
	}
	for _, it := range items {
		_, err := tx.exec(ctx, `UPDATE hearing_items SET
			support = (SELECT COUNT(*) FROM votes WHERE hearing_item_id = ? AND choice = 'support'),
			oppose = (SELECT COUNT(*) FROM votes WHERE hearing_item_id = ? AND choice = 'oppose'),
			unsure = (SELECT COUNT(*) FROM votes WHERE hearing_item_id = ? AND choice = 'unsure')
			WHERE id = ?`, it.ID, it.ID, it.ID, it.ID)
		if err != nil {
			return false, fmt.Errorf("store: freeze tally: %w", err)
		}
		if _, err := tx.SetMeasureStatus(ctx, by, it.MeasureID, StatusHeard, ""); err != nil {
			return false, err
		}
	}
	frozen, err := tx.HearingItems(ctx, hearingID)
	if err != nil {
		return false, err
	}
	return true, tx.audit(ctx, h.PlanID, by, "hearing.close", "hearing", hearingID, h, frozen)
}

// RecordDecision records a steering-group approval or return of a heard
// measure, or the project leader's anchoring of an approved one, and moves
// the measure accordingly. A return needs a reason.
func (tx *Tx) RecordDecision(ctx context.Context, by By, measureID int64, d Decision, reason string) (Measure, error) {
	to := map[Decision]MeasureStatus{DecisionApprove: StatusApproved, DecisionReturn: StatusReturned, DecisionAnchor: StatusAnchored}[d]
	if to == "" {
		return Measure{}, invalidf("unknown decision %q", d)
	}
	if d == DecisionReturn && reason == "" {
		return Measure{}, invalidf("a return needs a reason")
	}
	m, err := tx.SetMeasureStatus(ctx, by, measureID, to, reason)
	if err != nil {
		return Measure{}, err
	}
	if _, err := tx.insertID(ctx, `INSERT INTO approvals (measure_id, actor_id, decision, reason, created_at) VALUES (?, ?, ?, ?, ?)`,
		measureID, nullID(by.ActorID), d, reason, now()); err != nil {
		return Measure{}, fmt.Errorf("store: insert approval: %w", err)
	}
	return m, nil
}

// Approvals lists the decisions on a measure in order.
func (q queries) Approvals(ctx context.Context, measureID int64) ([]Approval, error) {
	var out []Approval
	if err := q.sel(ctx, &out, `SELECT * FROM approvals WHERE measure_id = ? ORDER BY id`, measureID); err != nil {
		return nil, fmt.Errorf("store: approvals: %w", err)
	}
	return out, nil
}

// Hearings lists the plan's hearings, oldest first.
func (q queries) Hearings(ctx context.Context, planID int64) ([]Hearing, error) {
	var out []Hearing
	if err := q.sel(ctx, &out, `SELECT * FROM hearings WHERE plan_id = ? ORDER BY id`, planID); err != nil {
		return nil, fmt.Errorf("store: hearings: %w", err)
	}
	return out, nil
}

// HearingItemByMessage returns the hearing item posted as a platform
// message, with its hearing, or ErrNotFound.
func (q queries) HearingItemByMessage(ctx context.Context, platform, channel, ref string) (HearingItem, Hearing, error) {
	var it HearingItem
	if err := q.get(ctx, &it, `SELECT * FROM hearing_items WHERE platform = ? AND channel = ? AND message_ref = ? AND message_ref <> ''`,
		platform, channel, ref); err != nil {
		return HearingItem{}, Hearing{}, fmt.Errorf("store: hearing item for %s: %w", ref, err)
	}
	h, err := q.HearingByID(ctx, it.HearingID)
	return it, h, err
}

// HearingItemByID returns a hearing item, or ErrNotFound.
func (q queries) HearingItemByID(ctx context.Context, id int64) (HearingItem, error) {
	var it HearingItem
	if err := q.get(ctx, &it, `SELECT * FROM hearing_items WHERE id = ?`, id); err != nil {
		return HearingItem{}, fmt.Errorf("store: hearing item %d: %w", id, err)
	}
	return it, nil
}

// SetHearingItemRef records the message a hearing item was posted as.
func (tx *Tx) SetHearingItemRef(ctx context.Context, itemID int64, ref string) error {
	if _, err := tx.exec(ctx, `UPDATE hearing_items SET message_ref = ? WHERE id = ?`, ref, itemID); err != nil {
		return fmt.Errorf("store: set hearing item ref: %w", err)
	}
	return nil
}

// OpenHearings lists the open hearings of every plan.
func (q queries) OpenHearings(ctx context.Context) ([]Hearing, error) {
	var out []Hearing
	if err := q.sel(ctx, &out, `SELECT * FROM hearings WHERE status = 'open' ORDER BY deadline, id`); err != nil {
		return nil, fmt.Errorf("store: open hearings: %w", err)
	}
	return out, nil
}

// ClaimHearingReminder marks a hearing's reminder sent if it was due and no
// one claimed it first; it reports whether the caller may send it.
func (tx *Tx) ClaimHearingReminder(ctx context.Context, by By, h Hearing, now time.Time) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE hearings SET reminded_at = ? WHERE id = ? AND status = 'open' AND reminded_at IS NULL AND remind_at <= ?`,
		now.UTC(), h.ID, now.UTC())
	if err != nil {
		return false, fmt.Errorf("store: claim hearing reminder: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, tx.audit(ctx, h.PlanID, by, "hearing.remind", "hearing", h.ID, nil, map[string]time.Time{"reminded_at": now.UTC()})
}

// MoveHearingDeadline sets an open hearing's deadline (the project leader
// closing it early sets it to now).
func (tx *Tx) MoveHearingDeadline(ctx context.Context, by By, h Hearing, deadline time.Time) error {
	res, err := tx.exec(ctx, `UPDATE hearings SET deadline = ? WHERE id = ? AND status = 'open'`, deadline.UTC(), h.ID)
	if err != nil {
		return fmt.Errorf("store: move hearing deadline: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return invalidf("the hearing is closed")
	}
	return tx.audit(ctx, h.PlanID, by, "hearing.deadline", "hearing", h.ID, map[string]time.Time{"deadline": h.Deadline}, map[string]time.Time{"deadline": deadline.UTC()})
}

// NoticeOnce records that a platform user was told something (kind) about
// a hearing; it reports false if they were told before.
func (tx *Tx) NoticeOnce(ctx context.Context, hearingID int64, kind, platform, user string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO hearing_notices (hearing_id, kind, platform, user_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, hearingID, kind, platform, user)
	if err != nil {
		return false, fmt.Errorf("store: hearing notice: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// OpenHearingOf returns the open hearing a measure is on, or ErrNotFound.
func (q queries) OpenHearingOf(ctx context.Context, measureID int64) (Hearing, error) {
	var h Hearing
	err := q.get(ctx, &h, `SELECT h.* FROM hearings h JOIN hearing_items i ON i.hearing_id = h.id WHERE i.measure_id = ? AND h.status = 'open'`, measureID)
	if err != nil {
		return Hearing{}, fmt.Errorf("store: open hearing of measure %d: %w", measureID, err)
	}
	return h, nil
}

// SetHearingIntroRef records the message a hearing's introduction was
// posted as.
func (tx *Tx) SetHearingIntroRef(ctx context.Context, hearingID int64, ref string) error {
	if _, err := tx.exec(ctx, `UPDATE hearings SET intro_ref = ? WHERE id = ?`, ref, hearingID); err != nil {
		return fmt.Errorf("store: set hearing intro ref: %w", err)
	}
	return nil
}

// RecordReconcile audits what reading a hearing back from its platform
// changed (each changed vote is audited by itself as well).
func (tx *Tx) RecordReconcile(ctx context.Context, by By, h Hearing, changes any) error {
	return tx.audit(ctx, h.PlanID, by, "hearing.reconcile", "hearing", h.ID, nil, changes)
}
