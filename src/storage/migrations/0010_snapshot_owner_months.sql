-- What the forecast accuracy reads of each stored snapshot (issue 10): per
-- owner, how many rows it has and, by the month its commit rows close in,
-- their amounts. Accuracy read every row of every snapshot (305k on the
-- large demo) to learn each snapshot's owners and its commit closing in
-- the snapshot's quarter, and quarters are whole months.
--
-- Each row's key, kept as a virtual column (one definition for the fill,
-- the triggers and a bulk import's refill): the month of its close date
-- ('YYYY-MM') when it is a commit with an amount and a close date; '' for
-- any other row pipedeck could have written; '?' for a row whose values
-- pipedeck does not write (another tool's: a close date not in the form
-- YYYY-MM-DD or not a real day, a category not one of ours, an amount not
-- an integer, a non-text id or stage), whose snapshot accuracy then reads
-- row by row, as before.
ALTER TABLE snapshot_rows ADD COLUMN sum_month TEXT GENERATED ALWAYS AS (
    CASE
        WHEN typeof(opportunity_id) <> 'text' OR typeof(owner_id) <> 'text'
          OR typeof(stage) <> 'text'
          OR (amount IS NOT NULL AND typeof(amount) <> 'integer')
          OR (close_date IS NOT NULL AND date(close_date) IS NOT close_date)
          OR (forecast_category IS NOT NULL AND forecast_category NOT IN
                ('pipeline', 'best_case', 'commit', 'omitted', 'closed'))
            THEN '?'
        WHEN forecast_category = 'commit' AND amount IS NOT NULL AND close_date IS NOT NULL
            THEN substr(close_date, 1, 7)
        ELSE ''
    END) VIRTUAL;
-- The row's commit amount under its key: the amount of a commit with a
-- close date, else 0 (and whatever a '?' row sums to is never read).
ALTER TABLE snapshot_rows ADD COLUMN sum_cents INTEGER GENERATED ALWAYS AS (
    CASE WHEN forecast_category = 'commit' AND close_date IS NOT NULL
         THEN coalesce(amount, 0) ELSE 0 END) VIRTUAL;

CREATE TABLE snapshot_owner_months (
    snapshot_id  INTEGER NOT NULL,
    owner_id     TEXT NOT NULL,
    close_month  TEXT NOT NULL,
    commit_cents INTEGER NOT NULL,
    rows         INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, owner_id, close_month)
) WITHOUT ROWID;

INSERT INTO snapshot_owner_months (snapshot_id, owner_id, close_month, commit_cents, rows)
SELECT snapshot_id, owner_id, sum_month, SUM(sum_cents), COUNT(*)
FROM snapshot_rows GROUP BY snapshot_id, owner_id, sum_month;

-- Snapshot rows are never edited (an UPDATE is refused since 0001); the
-- triggers below keep the sums exact on every insert and delete, in the
-- same transaction. A row is never replaced either: SQLite's REPLACE
-- deletes the old row without its delete trigger, so an insert over an
-- existing row is refused like an edit. (A bulk import into an empty
-- database drops the first two triggers and fills the table in one pass
-- after its rows land: `Tx::defer_indexes_if_empty`.)
CREATE TRIGGER snapshot_rows_no_replace BEFORE INSERT ON snapshot_rows
WHEN EXISTS (SELECT 1 FROM snapshot_rows
             WHERE snapshot_id = NEW.snapshot_id AND opportunity_id = NEW.opportunity_id)
BEGIN SELECT RAISE(ABORT, 'forecast snapshots are never edited'); END;

CREATE TRIGGER snapshot_rows_owner_month_insert AFTER INSERT ON snapshot_rows
BEGIN
    INSERT INTO snapshot_owner_months (snapshot_id, owner_id, close_month, commit_cents, rows)
    VALUES (NEW.snapshot_id, NEW.owner_id, NEW.sum_month, NEW.sum_cents, 1)
    ON CONFLICT (snapshot_id, owner_id, close_month) DO UPDATE
    SET commit_cents = commit_cents + excluded.commit_cents, rows = rows + 1;
END;

CREATE TRIGGER snapshot_rows_owner_month_delete AFTER DELETE ON snapshot_rows
BEGIN
    UPDATE snapshot_owner_months
    SET commit_cents = commit_cents - OLD.sum_cents, rows = rows - 1
    WHERE snapshot_id = OLD.snapshot_id AND owner_id = OLD.owner_id
      AND close_month = OLD.sum_month;
    DELETE FROM snapshot_owner_months WHERE rows = 0 AND snapshot_id = OLD.snapshot_id;
END;

-- Which snapshots hold a won deal: accuracy reads it from the won deals'
-- side (a deal won by a snapshot's day and among its rows is in its call
-- once, through the rows).
CREATE INDEX snapshot_rows_deal ON snapshot_rows (opportunity_id, snapshot_id);
