-- Inbound events recorded before they are applied (bot.Config.Inbox). The
-- platform is acknowledged once an event is here; appliers take each
-- conversation's oldest event in turn, under a lease, and delete it in the
-- transaction that applies it. An event that cannot be applied after some
-- attempts is kept with failed_at set, so it stops holding up its
-- conversation and an operator can see it.
CREATE TABLE inbox (
    id {{id}},
    platform TEXT NOT NULL,
    event_id TEXT NOT NULL,
    conv TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at {{ts}} NOT NULL,
    next_attempt_at {{ts}} NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until {{ts}},
    last_error TEXT NOT NULL DEFAULT '',
    failed_at {{ts}},
    UNIQUE (platform, event_id)
);
CREATE INDEX inbox_pending ON inbox (conv, id) WHERE failed_at IS NULL;
