-- The whole of phase 3: the plan, its people, what they suggest, the
-- measures made of it, the hearing, and the machinery that keeps each
-- platform event to one effect and every outgoing message delivered.

CREATE TABLE plans (
    id {{id}},
    key TEXT NOT NULL UNIQUE,
    municipality TEXT NOT NULL,
    title TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
    timezone TEXT NOT NULL,
    open_intake BOOLEAN NOT NULL DEFAULT FALSE,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at {{ts}} NOT NULL,
    updated_at {{ts}} NOT NULL
);

CREATE TABLE goals (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    key TEXT NOT NULL,
    text TEXT NOT NULL,
    position INTEGER NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (plan_id, key)
);

CREATE TABLE strategies (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    goal_id {{ref}} NOT NULL REFERENCES goals (id),
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (plan_id, key)
);

-- The central tasks of the housing and welfare field that measures serve.
CREATE TABLE central_tasks (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (plan_id, key)
);

CREATE TABLE actors (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('internal', 'external')),
    language TEXT CHECK (language IN ('nb', 'nn', 'en')),
    preferred_platform TEXT,
    source TEXT NOT NULL CHECK (source IN ('plan', 'open_intake')),
    consented_at {{ts}},
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {{ts}} NOT NULL,
    updated_at {{ts}} NOT NULL,
    UNIQUE (plan_id, key)
);

-- The strategies an actor is asked about; none means all of them.
CREATE TABLE actor_strategies (
    actor_id {{ref}} NOT NULL REFERENCES actors (id),
    strategy_id {{ref}} NOT NULL REFERENCES strategies (id),
    PRIMARY KEY (actor_id, strategy_id)
);

-- A platform account of an actor. One account belongs to one actor; an
-- actor may have several (Slack and Discord: the same person to the bot).
CREATE TABLE identities (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    actor_id {{ref}} NOT NULL REFERENCES actors (id),
    platform TEXT NOT NULL,
    workspace TEXT NOT NULL,
    user_id TEXT NOT NULL,
    UNIQUE (platform, workspace, user_id)
);
CREATE INDEX identities_actor ON identities (actor_id);

-- A Slack workspace, Discord server or console belongs to one plan.
CREATE TABLE workspaces (
    platform TEXT NOT NULL,
    workspace TEXT NOT NULL,
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    PRIMARY KEY (platform, workspace)
);

CREATE TABLE channels (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    key TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('intake', 'reference_group', 'steering_group', 'project_group', 'idea_session')),
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    strategy_id {{ref}} REFERENCES strategies (id),
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (platform, channel),
    UNIQUE (plan_id, key, platform)
);

CREATE TABLE memberships (
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    actor_id {{ref}} NOT NULL REFERENCES actors (id),
    role TEXT NOT NULL CHECK (role IN ('project_leader', 'project_group', 'reference_group', 'steering_group')),
    PRIMARY KEY (actor_id, role)
);
CREATE INDEX memberships_plan_role ON memberships (plan_id, role);

-- An actor's answer to a guiding question, filed against a strategy. The
-- text is stored exactly as written. actor_id is cleared (and unlinked_at
-- set) when the actor removes their personal link.
CREATE TABLE suggestions (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    strategy_id {{ref}} REFERENCES strategies (id),
    question INTEGER CHECK (question BETWEEN 1 AND 7),
    text TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
    actor_id {{ref}} REFERENCES actors (id),
    organisation TEXT NOT NULL DEFAULT '',
    basis TEXT CHECK (basis IN ('must', 'should', 'will', 'can')),
    who_acts TEXT CHECK (who_acts IN ('self', 'together', 'others')),
    origin TEXT NOT NULL CHECK (origin IN ('dialog', 'idea_session', 'intake_channel', 'import')),
    source_platform TEXT NOT NULL,
    source_channel TEXT NOT NULL DEFAULT '',
    source_ref TEXT NOT NULL DEFAULT '',
    unlinked_at {{ts}},
    created_at {{ts}} NOT NULL
);
CREATE INDEX suggestions_plan_strategy ON suggestions (plan_id, strategy_id);
CREATE INDEX suggestions_actor ON suggestions (actor_id);

CREATE TABLE measures (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    strategy_id {{ref}} NOT NULL REFERENCES strategies (id),
    text TEXT NOT NULL,
    responsible TEXT NOT NULL DEFAULT '',
    deadline TEXT,
    basis TEXT CHECK (basis IN ('must', 'should', 'will', 'can')),
    who_acts TEXT CHECK (who_acts IN ('self', 'together', 'others')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'on_hearing', 'heard', 'approved', 'returned', 'anchored')),
    return_reason TEXT NOT NULL DEFAULT '',
    lint_override TEXT NOT NULL DEFAULT '',
    created_by {{ref}} REFERENCES actors (id),
    created_at {{ts}} NOT NULL,
    updated_at {{ts}} NOT NULL
);
CREATE INDEX measures_plan_strategy ON measures (plan_id, strategy_id);

-- The suggestions a measure came from. Links are never removed by a merge.
CREATE TABLE measure_suggestions (
    measure_id {{ref}} NOT NULL REFERENCES measures (id),
    suggestion_id {{ref}} NOT NULL REFERENCES suggestions (id),
    notified_at {{ts}},
    PRIMARY KEY (measure_id, suggestion_id)
);
CREATE INDEX measure_suggestions_suggestion ON measure_suggestions (suggestion_id);

CREATE TABLE measure_tasks (
    measure_id {{ref}} NOT NULL REFERENCES measures (id),
    task_id {{ref}} NOT NULL REFERENCES central_tasks (id),
    PRIMARY KEY (measure_id, task_id)
);

CREATE TABLE hearings (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    channel_id {{ref}} NOT NULL REFERENCES channels (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    deadline {{ts}} NOT NULL,
    remind_at {{ts}},
    reminded_at {{ts}},
    quorum REAL,
    hide_tally BOOLEAN NOT NULL DEFAULT FALSE,
    opened_by {{ref}} REFERENCES actors (id),
    opened_at {{ts}} NOT NULL,
    closed_at {{ts}},
    intro_ref TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hearings_open ON hearings (status, deadline);

-- One measure on one hearing: the post members react to and comment under.
CREATE TABLE hearing_items (
    id {{id}},
    hearing_id {{ref}} NOT NULL REFERENCES hearings (id),
    measure_id {{ref}} NOT NULL REFERENCES measures (id),
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    message_ref TEXT NOT NULL DEFAULT '',
    support INTEGER,
    oppose INTEGER,
    unsure INTEGER,
    UNIQUE (hearing_id, measure_id)
);
CREATE INDEX hearing_items_message ON hearing_items (platform, channel, message_ref);

-- One current vote per member per measure on a hearing.
CREATE TABLE votes (
    hearing_item_id {{ref}} NOT NULL REFERENCES hearing_items (id),
    actor_id {{ref}} NOT NULL REFERENCES actors (id),
    choice TEXT NOT NULL CHECK (choice IN ('support', 'oppose', 'unsure')),
    emoji TEXT NOT NULL,
    platform TEXT NOT NULL,
    updated_at {{ts}} NOT NULL,
    PRIMARY KEY (hearing_item_id, actor_id)
);

CREATE TABLE hearing_comments (
    id {{id}},
    hearing_item_id {{ref}} NOT NULL REFERENCES hearing_items (id),
    actor_id {{ref}} REFERENCES actors (id),
    author_name TEXT NOT NULL DEFAULT '',
    is_member BOOLEAN NOT NULL,
    text TEXT NOT NULL,
    platform TEXT NOT NULL,
    message_ref TEXT NOT NULL,
    created_at {{ts}} NOT NULL,
    UNIQUE (platform, message_ref)
);
CREATE INDEX hearing_comments_item ON hearing_comments (hearing_item_id);

-- The steering group's decisions and the project leader's anchoring.
CREATE TABLE approvals (
    id {{id}},
    measure_id {{ref}} NOT NULL REFERENCES measures (id),
    actor_id {{ref}} REFERENCES actors (id),
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'return', 'anchor')),
    reason TEXT NOT NULL DEFAULT '',
    created_at {{ts}} NOT NULL
);
CREATE INDEX approvals_measure ON approvals (measure_id);

-- Every inbound platform event, by its platform's own ID. Recording it
-- commits with its effects, so a redelivered event has none.
CREATE TABLE processed_events (
    platform TEXT NOT NULL,
    event_id TEXT NOT NULL,
    processed_at {{ts}} NOT NULL,
    PRIMARY KEY (platform, event_id)
);

-- Where an actor is in the guiding-question dialog. state is JSON owned by
-- intake; version guards against two writers.
CREATE TABLE dialogs (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    actor_id {{ref}} NOT NULL UNIQUE REFERENCES actors (id),
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at {{ts}} NOT NULL,
    updated_at {{ts}} NOT NULL
);

-- Messages to send, written in the transaction that decided to send them and
-- delivered in order per channel by the dispatcher.
CREATE TABLE outbox (
    id {{id}},
    plan_id {{ref}} REFERENCES plans (id),
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    correlation TEXT NOT NULL DEFAULT '',
    created_at {{ts}} NOT NULL,
    next_attempt_at {{ts}} NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claimed_until {{ts}},
    delivered_at {{ts}},
    failed_at {{ts}},
    message_ref TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (platform, channel, id) WHERE delivered_at IS NULL AND failed_at IS NULL;

-- Who changed what, when, from what to what. Append-only (see 0002).
CREATE TABLE audit_log (
    id {{id}},
    plan_id {{ref}} REFERENCES plans (id),
    at {{ts}} NOT NULL,
    actor_id {{ref}} REFERENCES actors (id),
    by_label TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_plan_at ON audit_log (plan_id, at);
