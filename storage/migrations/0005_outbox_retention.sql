-- Settled messages (sent, failed, dropped) are forgotten after a retention period; this index
-- lets that clean-up read only what it deletes, oldest first, whatever the outbox holds.
CREATE INDEX outbox_settled ON outbox (created_at, id) WHERE state <> 'pending';
