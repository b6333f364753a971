-- Telegram updates taken by a process in webhook mode: held while one process handles the update
-- (a repeat elsewhere is asked to come back later), kept once handled (a repeat is skipped), and
-- free again when the process holding it died or failed (the repeat is handled).
CREATE TABLE update_claims (
    update_id INTEGER PRIMARY KEY,
    held_until INTEGER NOT NULL,
    handled INTEGER NOT NULL DEFAULT 0 CHECK (handled IN (0, 1))
);

CREATE INDEX update_claims_by_time ON update_claims (held_until);

-- Updates used to be remembered among the push receipts.
DELETE FROM receipts WHERE digest LIKE 'update:%';
