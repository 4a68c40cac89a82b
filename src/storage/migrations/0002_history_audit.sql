-- pipedeck schema, version 2: history is an audit trail (SPEC §12).
-- Every edit appends a row, even one identical to an earlier row; only
-- imported rows are deduplicated (re-imports stay idempotent) by import_key,
-- which imports fill and edits leave NULL.
DROP INDEX history_identity;
ALTER TABLE opportunity_history ADD COLUMN import_key TEXT;
-- Rows already there were unique by their identity; they keep it as their key
-- (the one time history is touched: the trigger is lifted for this update only).
DROP TRIGGER history_no_update;
UPDATE opportunity_history SET import_key =
    opportunity_id || char(31) || changed_at || char(31) || field || char(31)
    || ifnull(old_value, '') || char(31) || ifnull(new_value, '');
CREATE TRIGGER history_no_update BEFORE UPDATE ON opportunity_history
BEGIN SELECT RAISE(ABORT, 'opportunity history is append-only'); END;
CREATE UNIQUE INDEX history_import_key ON opportunity_history (import_key)
    WHERE import_key IS NOT NULL;
