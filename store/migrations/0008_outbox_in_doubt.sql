-- A claimed message may have been sent by a process that died before it
-- could record the delivery. in_doubt_since is set when a message is
-- claimed for sending and cleared when the outcome is recorded; a claim
-- that finds it set asks the platform whether the message is there before
-- sending it again.
ALTER TABLE outbox ADD COLUMN in_doubt_since {{ts}};
