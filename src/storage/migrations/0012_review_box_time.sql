-- The seconds a review session spent in each box of its agenda (SPEC §7:
-- a timer against each box), kept so a review resumed after the cockpit
-- closed carries its boxes' timers on. No report reads it: it draws no
-- write stamp, and saving a timer leaves every kept result standing.
CREATE TABLE review_box_time (
    session_id INTEGER NOT NULL REFERENCES review_sessions (id),
    box        INTEGER NOT NULL CHECK (box >= 0),
    seconds    INTEGER NOT NULL CHECK (seconds >= 0),
    PRIMARY KEY (session_id, box)
) WITHOUT ROWID;
