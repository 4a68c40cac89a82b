-- Each rep's first touch of each contact (issue 10): the metrics' "new
-- contacts engaged" asks, for every (rep, contact) pair touched in a
-- period, when the rep first touched that contact, ever. One index seek
-- per pair was a fifth of a quarter's metrics; this table, kept exact by
-- the triggers below in the transaction of every write to the activities,
-- answers a period with one range scan of the pairs first touched in it.
CREATE TABLE first_touches (
    rep_id     TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    first_at   TEXT NOT NULL,
    PRIMARY KEY (rep_id, contact_id)
) WITHOUT ROWID;

INSERT INTO first_touches (rep_id, contact_id, first_at)
SELECT rep_id, contact_id, MIN(occurred_at) FROM activities
WHERE contact_id IS NOT NULL
GROUP BY contact_id, rep_id;

CREATE INDEX first_touches_at ON first_touches (first_at);

-- A new activity can only move its pair's first touch earlier. (A bulk
-- import into an empty database drops this trigger and fills the table in
-- one pass after its rows land: `Tx::defer_indexes_if_empty`.)
CREATE TRIGGER activities_first_touch_insert AFTER INSERT ON activities
WHEN NEW.contact_id IS NOT NULL
BEGIN
    INSERT INTO first_touches (rep_id, contact_id, first_at)
    VALUES (NEW.rep_id, NEW.contact_id, NEW.occurred_at)
    ON CONFLICT (rep_id, contact_id) DO UPDATE SET first_at = excluded.first_at
    WHERE excluded.first_at < first_touches.first_at;
END;

-- A deleted or changed activity may have been its pair's first touch: the
-- pairs it leaves and joins are read again from the activities.
CREATE TRIGGER activities_first_touch_delete AFTER DELETE ON activities
WHEN OLD.contact_id IS NOT NULL
BEGIN
    DELETE FROM first_touches WHERE rep_id = OLD.rep_id AND contact_id = OLD.contact_id;
    INSERT INTO first_touches (rep_id, contact_id, first_at)
    SELECT rep_id, contact_id, MIN(occurred_at) FROM activities
    WHERE contact_id = OLD.contact_id AND rep_id = OLD.rep_id
    GROUP BY contact_id, rep_id;
END;

CREATE TRIGGER activities_first_touch_update AFTER UPDATE OF rep_id, contact_id, occurred_at
ON activities
WHEN OLD.rep_id IS NOT NEW.rep_id OR OLD.contact_id IS NOT NEW.contact_id
  OR OLD.occurred_at IS NOT NEW.occurred_at
BEGIN
    DELETE FROM first_touches
    WHERE (rep_id = OLD.rep_id AND contact_id = OLD.contact_id)
       OR (rep_id = NEW.rep_id AND contact_id = NEW.contact_id);
    INSERT INTO first_touches (rep_id, contact_id, first_at)
    SELECT rep_id, contact_id, MIN(occurred_at) FROM activities
    WHERE (contact_id = OLD.contact_id AND rep_id = OLD.rep_id)
       OR (contact_id = NEW.contact_id AND rep_id = NEW.rep_id)
    GROUP BY contact_id, rep_id;
END;
