-- What the forecast accuracy reads of each stored snapshot (issue 10): per
-- owner, how many rows it has and, by the month its commit rows close in,
-- their amounts. Accuracy read every row of every snapshot (305k on the
-- large demo) to learn each snapshot's owners and its commit closing in
-- the snapshot's quarter, and quarters are whole months. A row counts
-- under the month of its close date ('YYYY-MM') when it is a commit with an
-- amount and a close date, and under '' otherwise. Snapshot rows are never
-- edited; the triggers below keep this table exact on every insert and
-- delete, in the same transaction.
CREATE TABLE snapshot_owner_months (
    snapshot_id INTEGER NOT NULL,
    owner_id    TEXT NOT NULL,
    close_month TEXT NOT NULL,
    commit_cents INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, owner_id, close_month)
) WITHOUT ROWID;

INSERT INTO snapshot_owner_months (snapshot_id, owner_id, close_month, commit_cents, rows)
SELECT snapshot_id, owner_id,
       CASE WHEN forecast_category = 'commit' AND amount IS NOT NULL AND close_date IS NOT NULL
            THEN substr(close_date, 1, 7) ELSE '' END,
       SUM(CASE WHEN forecast_category = 'commit' AND amount IS NOT NULL AND close_date IS NOT NULL
            THEN amount ELSE 0 END),
       COUNT(*)
FROM snapshot_rows
GROUP BY 1, 2, 3;

-- (A bulk import into an empty database drops this trigger and fills the
-- table in one pass after its rows land: `Tx::defer_indexes_if_empty`.)
CREATE TRIGGER snapshot_rows_owner_month_insert AFTER INSERT ON snapshot_rows
BEGIN
    INSERT INTO snapshot_owner_months (snapshot_id, owner_id, close_month, commit_cents, rows)
    VALUES (NEW.snapshot_id, NEW.owner_id,
            CASE WHEN NEW.forecast_category = 'commit' AND NEW.amount IS NOT NULL
                      AND NEW.close_date IS NOT NULL
                 THEN substr(NEW.close_date, 1, 7) ELSE '' END,
            CASE WHEN NEW.forecast_category = 'commit' AND NEW.amount IS NOT NULL
                      AND NEW.close_date IS NOT NULL
                 THEN NEW.amount ELSE 0 END,
            1)
    ON CONFLICT (snapshot_id, owner_id, close_month) DO UPDATE
    SET commit_cents = commit_cents + excluded.commit_cents, rows = rows + 1;
END;

CREATE TRIGGER snapshot_rows_owner_month_delete AFTER DELETE ON snapshot_rows
BEGIN
    UPDATE snapshot_owner_months
    SET commit_cents = commit_cents -
            CASE WHEN OLD.forecast_category = 'commit' AND OLD.amount IS NOT NULL
                      AND OLD.close_date IS NOT NULL
                 THEN OLD.amount ELSE 0 END,
        rows = rows - 1
    WHERE snapshot_id = OLD.snapshot_id AND owner_id = OLD.owner_id
      AND close_month = CASE WHEN OLD.forecast_category = 'commit' AND OLD.amount IS NOT NULL
                                  AND OLD.close_date IS NOT NULL
                             THEN substr(OLD.close_date, 1, 7) ELSE '' END;
    DELETE FROM snapshot_owner_months WHERE rows = 0 AND snapshot_id = OLD.snapshot_id;
END;

-- Which snapshots hold a deal: accuracy asks it of the deals won in a
-- quarter (a deal won before a snapshot yet among its rows is in its call
-- once, through the rows).
CREATE INDEX snapshot_rows_deal ON snapshot_rows (opportunity_id, snapshot_id);
