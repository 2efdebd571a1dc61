-- Scheduled work that must run once across processes (closing a hearing:
-- reading the platform back, freezing, posting) is leased by name.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until {{ts}} NOT NULL
);

-- Someone whose reaction on a hearing does not count (not a member, or
-- the hearing is closed) is told once, privately, why.
CREATE TABLE hearing_notices (
    hearing_id {{ref}} NOT NULL REFERENCES hearings (id),
    kind TEXT NOT NULL,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (hearing_id, kind, platform, user_id)
);
