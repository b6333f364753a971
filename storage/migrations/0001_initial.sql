-- Initial schema. Times are INTEGER epoch milliseconds (UTC); booleans are 0/1.
-- Each statement ends with a semicolon at the end of a line (see storage/migrate.py).

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    language TEXT,
    tg_language TEXT,
    timezone TEXT,
    quiet_hours TEXT,
    notifications INTEGER NOT NULL DEFAULT 1 CHECK (notifications IN (0, 1)),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL
);

-- One row per number at a source, however many users follow it.
-- followers counts subscriptions; kept by SubscriptionsRepo.add/delete so that
-- delete_orphans reads a small partial index instead of scanning every shipment.
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    status_text TEXT NOT NULL DEFAULT '',
    carrier TEXT,
    linked_code TEXT,
    created_at INTEGER NOT NULL,
    checked_at INTEGER,
    next_check_at INTEGER,
    last_event_at INTEGER,
    error_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    followers INTEGER NOT NULL DEFAULT 0 CHECK (followers >= 0),
    UNIQUE (source, code)
);

-- The poller's queue: only rows still polled, read in next_check_at order.
CREATE INDEX shipments_due ON shipments (next_check_at) WHERE next_check_at IS NOT NULL;

CREATE INDEX shipments_orphans ON shipments (id) WHERE followers = 0;

-- label_folded is the label after str.casefold(): SQL lower() does not fold Cyrillic.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    label TEXT NOT NULL DEFAULT '',
    label_folded TEXT NOT NULL DEFAULT '',
    muted INTEGER NOT NULL DEFAULT 0 CHECK (muted IN (0, 1)),
    archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at INTEGER NOT NULL,
    refreshed_at INTEGER,
    UNIQUE (user_id, shipment_id)
);

CREATE INDEX subscriptions_by_user ON subscriptions (user_id, archived, created_at);

CREATE INDEX subscriptions_by_shipment ON subscriptions (shipment_id);

-- The same event is the same time, status and place; a reworded description is not new.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
    occurred_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    UNIQUE (shipment_id, occurred_at, status, location)
);

-- Sent, failed and dropped rows stay so that a dedup_key is delivered at most once.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedup_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed', 'dropped')),
    not_before INTEGER NOT NULL,
    claimed_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);

CREATE INDEX outbox_due ON outbox (not_before) WHERE state = 'pending';

CREATE INDEX outbox_pending_by_user ON outbox (user_id) WHERE state = 'pending';
