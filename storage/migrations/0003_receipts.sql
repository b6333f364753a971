-- Digests of accepted webhook pushes: a replayed push is recognised and refused.
CREATE TABLE receipts (
    digest TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
);

CREATE INDEX receipts_by_time ON receipts (received_at);
