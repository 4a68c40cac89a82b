-- pipedeck schema, version 1. Never edit a released migration: add a new file.
-- Instants are UTC text 'YYYY-MM-DDTHH:MM:SSZ'; dates 'YYYY-MM-DD'; money integer cents.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE reps (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    email          TEXT,
    role           TEXT NOT NULL CHECK (role IN ('AE', 'SDR', 'CSM', 'Manager')),
    team           TEXT,
    manager_id     TEXT REFERENCES reps (id) DEFERRABLE INITIALLY DEFERRED,
    start_date     TEXT,
    end_date       TEXT,
    quota_amount   INTEGER,
    quota_meetings INTEGER
);

CREATE TABLE accounts (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    segment   TEXT,
    icp_tier  TEXT CHECK (icp_tier IN ('A', 'B', 'C')),
    industry  TEXT,
    employees INTEGER
);

CREATE TABLE contacts (
    id         TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
    name       TEXT NOT NULL,
    title      TEXT
);

CREATE TABLE stages (
    name        TEXT PRIMARY KEY,
    position    INTEGER NOT NULL,
    probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
    max_days    INTEGER,
    kind        TEXT NOT NULL CHECK (kind IN ('open', 'won', 'lost'))
);

CREATE TABLE opportunities (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    account_id        TEXT REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
    owner_id          TEXT NOT NULL REFERENCES reps (id) DEFERRABLE INITIALLY DEFERRED,
    source_rep_id     TEXT REFERENCES reps (id) DEFERRABLE INITIALLY DEFERRED,
    created_at        TEXT,
    stage             TEXT NOT NULL,
    amount            INTEGER,
    close_date        TEXT,
    forecast_category TEXT,
    status            TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    closed_at         TEXT,
    loss_reason       TEXT,
    next_step         TEXT,
    next_step_date    TEXT,
    channel           TEXT
);
CREATE INDEX opportunities_owner ON opportunities (owner_id);

CREATE TABLE review_sessions (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    facilitator     TEXT,
    report_markdown TEXT
);

-- Append-only: the triggers below refuse every UPDATE and DELETE.
CREATE TABLE opportunity_history (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    opportunity_id    TEXT NOT NULL REFERENCES opportunities (id) DEFERRABLE INITIALLY DEFERRED,
    changed_at        TEXT NOT NULL,
    field             TEXT NOT NULL,
    old_value         TEXT,
    new_value         TEXT,
    changed_by        TEXT,
    review_session_id INTEGER REFERENCES review_sessions (id)
);
CREATE INDEX history_opportunity ON opportunity_history (opportunity_id, changed_at);
CREATE UNIQUE INDEX history_identity ON opportunity_history (
    opportunity_id, changed_at, field, ifnull(old_value, ''), ifnull(new_value, '')
);
CREATE TRIGGER history_no_update BEFORE UPDATE ON opportunity_history
BEGIN SELECT RAISE(ABORT, 'opportunity history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON opportunity_history
BEGIN SELECT RAISE(ABORT, 'opportunity history is append-only'); END;

CREATE TABLE activities (
    id                TEXT PRIMARY KEY,
    rep_id            TEXT NOT NULL REFERENCES reps (id) DEFERRABLE INITIALLY DEFERRED,
    kind              TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting')),
    meeting_type      TEXT,
    label             TEXT,
    opportunity_id    TEXT REFERENCES opportunities (id) DEFERRABLE INITIALLY DEFERRED,
    account_id        TEXT REFERENCES accounts (id) DEFERRABLE INITIALLY DEFERRED,
    contact_id        TEXT REFERENCES contacts (id) DEFERRABLE INITIALLY DEFERRED,
    occurred_at       TEXT NOT NULL,
    outcome           TEXT,
    duration_min      INTEGER,
    direction         TEXT,
    review_session_id INTEGER REFERENCES review_sessions (id)
);
CREATE INDEX activities_occurred ON activities (occurred_at);
CREATE INDEX activities_opportunity ON activities (opportunity_id);

CREATE TABLE goals (
    role      TEXT NOT NULL,
    metric    TEXT NOT NULL,
    period    TEXT NOT NULL CHECK (period IN ('week', 'month', 'quarter')),
    target    REAL NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('at_least', 'at_most')),
    PRIMARY KEY (role, metric, period)
);

CREATE TABLE forecast_snapshots (
    id       INTEGER PRIMARY KEY,
    taken_on TEXT NOT NULL UNIQUE,
    taken_at TEXT NOT NULL
);
CREATE TABLE snapshot_rows (
    snapshot_id       INTEGER NOT NULL REFERENCES forecast_snapshots (id),
    opportunity_id    TEXT NOT NULL,
    owner_id          TEXT NOT NULL,
    stage             TEXT NOT NULL,
    amount            INTEGER,
    close_date        TEXT,
    forecast_category TEXT,
    PRIMARY KEY (snapshot_id, opportunity_id)
);
CREATE TRIGGER snapshot_rows_no_update BEFORE UPDATE ON snapshot_rows
BEGIN SELECT RAISE(ABORT, 'forecast snapshots are never edited'); END;

CREATE TABLE snoozes (
    id                INTEGER PRIMARY KEY,
    opportunity_id    TEXT NOT NULL REFERENCES opportunities (id),
    reason            TEXT NOT NULL,
    until             TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        TEXT,
    review_session_id INTEGER REFERENCES review_sessions (id)
);

CREATE TABLE deal_tags (
    id                INTEGER PRIMARY KEY,
    opportunity_id    TEXT NOT NULL REFERENCES opportunities (id),
    tag               TEXT NOT NULL CHECK (tag IN ('red', 'yellow', 'green')),
    note              TEXT,
    set_at            TEXT NOT NULL,
    review_session_id INTEGER REFERENCES review_sessions (id)
);

CREATE TABLE action_items (
    id                INTEGER PRIMARY KEY,
    opportunity_id    TEXT REFERENCES opportunities (id),
    owner_id          TEXT NOT NULL REFERENCES reps (id),
    text              TEXT NOT NULL,
    due_date          TEXT,
    created_at        TEXT NOT NULL,
    done_at           TEXT,
    review_session_id INTEGER REFERENCES review_sessions (id)
);
