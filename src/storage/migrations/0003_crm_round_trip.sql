-- pipedeck schema, version 3: the round trip with the CRM (SPEC §13).

-- Which CRM record each imported deal is, and when it was last imported.
CREATE TABLE crm_records (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) DEFERRABLE INITIALLY DEFERRED,
    crm            TEXT NOT NULL CHECK (crm IN ('salesforce', 'hubspot', 'pipedrive')),
    crm_id         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    PRIMARY KEY (opportunity_id, crm)
);

-- The latest local edit of each synced field of each deal. `base_value` is
-- the CRM's value as last known; `state` pending until an import brings the
-- same value (seen) or replaces it with --overwrite-local (overwritten).
CREATE TABLE local_edits (
    opportunity_id TEXT NOT NULL REFERENCES opportunities (id) DEFERRABLE INITIALLY DEFERRED,
    field          TEXT NOT NULL,
    local_value    TEXT,
    base_value     TEXT,
    edited_at      TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'seen', 'overwritten')),
    resolved_at    TEXT,
    PRIMARY KEY (opportunity_id, field)
);

-- A CRM's "last activity" date for a deal, when its export has no
-- activities: a last real touch for the untouched rule, never an activity.
CREATE TABLE crm_last_touch (
    opportunity_id TEXT PRIMARY KEY REFERENCES opportunities (id) DEFERRABLE INITIALLY DEFERRED,
    touched_at     TEXT NOT NULL
);
