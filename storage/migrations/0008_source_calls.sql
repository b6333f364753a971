-- Calls made to a source with a daily allowance (Russian Post), per source and day (the source's
-- own calendar day, as YYYY-MM-DD), so the count holds across restarts and every process.
CREATE TABLE source_calls (
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (source, day)
);
