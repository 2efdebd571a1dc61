-- Who pulled a digest when, so that the next one can say what changed
-- since (per person: an actor, or a command-line user by label).
CREATE TABLE digest_pulls (
    id {{id}},
    plan_id {{ref}} NOT NULL REFERENCES plans (id),
    actor_id {{ref}} REFERENCES actors (id),
    label TEXT NOT NULL,
    format TEXT NOT NULL,
    pulled_at {{ts}} NOT NULL
);
CREATE INDEX digest_pulls_who ON digest_pulls (plan_id, label, pulled_at);
