-- Where a user is in a dialogue (renaming an item, proving an order) when no Redis is set: in
-- the database, so that a restart or another worker goes on with the dialogue.
CREATE TABLE dialogues (
    dialogue_key TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    state TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    updated_at INTEGER NOT NULL
);

CREATE INDEX dialogues_by_user ON dialogues (user_id);

CREATE INDEX dialogues_by_time ON dialogues (updated_at);
