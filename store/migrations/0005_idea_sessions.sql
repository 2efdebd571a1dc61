-- Idea sessions (idédugnad): the bot walks a strategy's guiding questions
-- in a channel, one message per question; replies in a question's thread
-- are suggestions for that question.
CREATE TABLE idea_sessions (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    strategy_id {{ref}} NOT NULL REFERENCES strategies (id),
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    question INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    started_by {{ref}} REFERENCES actors (id),
    created_at {{ts}} NOT NULL,
    closed_at {{ts}}
);
CREATE INDEX idea_sessions_channel ON idea_sessions (platform, channel, status);

-- The message that asked each question, once delivered: its thread
-- collects the answers.
CREATE TABLE idea_questions (
    session_id {{ref}} NOT NULL REFERENCES idea_sessions (id),
    question INTEGER NOT NULL,
    message_ref TEXT NOT NULL,
    PRIMARY KEY (session_id, question, message_ref)
);
CREATE INDEX idea_questions_ref ON idea_questions (message_ref);
