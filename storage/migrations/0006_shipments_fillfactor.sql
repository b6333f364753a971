-- PostgreSQL: leave a fifth of each shipments page free, so that an update touching no indexed
-- column (a poller's claim) can stay on its page and skip every index (a HOT update), instead
-- of adding an entry to each of the table's indexes. SQLite has no such setting and skips this.
ALTER TABLE shipments SET (fillfactor = 80);
