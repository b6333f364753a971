-- Work is claimed, not assumed: a worker takes due shipments until claimed_until, so several
-- workers share the queue, and the shipments of a worker that died come back after the lease.
ALTER TABLE shipments ADD COLUMN claimed_until INTEGER;

-- The claim queries read oldest first with id as the tie-break; with id in the index the
-- engine walks it in that order and stops at the limit (SQLite's rowid was there implicitly).
DROP INDEX shipments_due;

CREATE INDEX shipments_due ON shipments (next_check_at, id) WHERE next_check_at IS NOT NULL;

DROP INDEX outbox_due;

CREATE INDEX outbox_due ON outbox (not_before, id) WHERE state = 'pending';
