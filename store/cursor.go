package store

import (
	"context"
	"errors"
	"fmt"
)

// refLess orders platform message references: Discord snowflakes and Slack
// timestamps both sort by length, then character by character.
func refLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// AdvanceCursor records ref as the newest message handled in a channel,
// unless a newer one is recorded already. Call it in the transaction that
// handles the message.
func (tx *Tx) AdvanceCursor(ctx context.Context, platform, channel, ref string) error {
	if ref == "" || channel == "" {
		return nil
	}
	var last string
	switch err := tx.get(ctx, &last, `SELECT last_ref FROM channel_cursors WHERE platform = ? AND channel = ?`, platform, channel); {
	case errors.Is(err, ErrNotFound):
		_, err = tx.exec(ctx, `INSERT INTO channel_cursors (platform, channel, last_ref, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (platform, channel) DO NOTHING`, platform, channel, ref, now())
		if err != nil {
			return fmt.Errorf("store: insert cursor: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("store: read cursor: %w", err)
	case !refLess(last, ref):
		return nil
	}
	if _, err := tx.exec(ctx, `UPDATE channel_cursors SET last_ref = ?, updated_at = ? WHERE platform = ? AND channel = ?`, ref, now(), platform, channel); err != nil {
		return fmt.Errorf("store: update cursor: %w", err)
	}
	return nil
}

// Cursor returns the newest message handled in a channel, or "" when none.
func (q queries) Cursor(ctx context.Context, platform, channel string) (string, error) {
	var last string
	err := q.get(ctx, &last, `SELECT last_ref FROM channel_cursors WHERE platform = ? AND channel = ?`, platform, channel)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: cursor: %w", err)
	}
	return last, nil
}

// WatchedChannels lists a platform's channels whose messages the bot must
// not miss: the plans' intake and idea-session channels, and the direct
// conversations of dialogs.
func (q queries) WatchedChannels(ctx context.Context, platform string) ([]string, error) {
	var out []string
	err := q.sel(ctx, &out, `SELECT channel FROM channels WHERE platform = ? AND NOT archived AND purpose IN ('intake', 'idea_session')
		UNION SELECT channel FROM dialogs WHERE platform = ?
		ORDER BY 1`, platform, platform)
	if err != nil {
		return nil, fmt.Errorf("store: watched channels: %w", err)
	}
	return out, nil
}
