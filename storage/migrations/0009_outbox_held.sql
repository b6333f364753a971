-- Messages held back for quiet hours, so that a start of the bot can put them before the
-- quiet-hours setting in force now (turned off: they go out at once).
ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));
