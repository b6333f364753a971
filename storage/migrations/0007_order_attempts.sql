-- Attempts to prove an order is yours (a contact checked with the shop), kept in the database so
-- that the hourly limit holds across restarts and across all processes of one bot.
CREATE TABLE order_attempts (
    user_id INTEGER NOT NULL,
    attempted_at INTEGER NOT NULL
);

CREATE INDEX order_attempts_by_user ON order_attempts (user_id, attempted_at);
