-- A window loads the deals with a history entry in its ranges (issue 10:
-- a stage move counts in the period it was made, whenever the deal
-- closed). With the deal beside the instant, SQLite answers from the index.
CREATE INDEX history_changed ON opportunity_history (changed_at, opportunity_id);
