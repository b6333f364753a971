-- Uses of a per-user allowance over a sliding window, one row per use: attempts to prove an
-- order ('order_proof', formerly order_attempts) and numbers new to the bot that a user added
-- ('new_number'; each one costs the operator a registration at the source). The rows outlive
-- /forget, since erasing them would hand out a fresh allowance; housekeeping deletes them once
-- they are older than the longest window.
CREATE TABLE allowance_uses (
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    used_at INTEGER NOT NULL
);

CREATE INDEX allowance_uses_by_user ON allowance_uses (user_id, kind, used_at);

CREATE INDEX allowance_uses_by_time ON allowance_uses (used_at);

INSERT INTO allowance_uses (user_id, kind, used_at)
SELECT user_id, 'order_proof', attempted_at FROM order_attempts;

DROP TABLE order_attempts;
