-- The project leader's invitations to actors, and their follow-up.
CREATE TABLE invitation_batches (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    invited_by {{ref}} REFERENCES actors (id),
    created_at {{ts}} NOT NULL,
    -- Where to tell the inviter that every invitation has gone out.
    reply_platform TEXT NOT NULL,
    reply_channel TEXT NOT NULL,
    reply_language TEXT NOT NULL,
    done_at {{ts}}
);

-- One invitation per actor and plan. platform is '' for an actor the bot
-- cannot reach by chat.
CREATE TABLE invitations (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    actor_id {{ref}} NOT NULL UNIQUE REFERENCES actors (id),
    batch_id {{ref}} NOT NULL REFERENCES invitation_batches (id),
    invited_by {{ref}} REFERENCES actors (id),
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    strategy_key TEXT NOT NULL DEFAULT '',
    answer_by TEXT,
    remind_at {{ts}},
    reminded_at {{ts}},
    started_at {{ts}},
    finished_at {{ts}},
    declined_at {{ts}},
    created_at {{ts}} NOT NULL
);
CREATE INDEX invitations_plan ON invitations (plan_id);
CREATE INDEX invitations_due ON invitations (remind_at) WHERE reminded_at IS NULL AND declined_at IS NULL AND finished_at IS NULL;

CREATE INDEX outbox_correlation ON outbox (correlation) WHERE correlation <> '';
