-- The newest message the bot has handled in each channel, so that an
-- adapter that was disconnected can fetch what it missed.
CREATE TABLE channel_cursors (
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    last_ref TEXT NOT NULL,
    updated_at {{ts}} NOT NULL,
    PRIMARY KEY (platform, channel)
);
