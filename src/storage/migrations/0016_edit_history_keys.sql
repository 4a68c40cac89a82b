-- pipedeck schema, version 16: every history row has its identity key.
-- Edits used to leave import_key NULL, so restoring a backup into the
-- database it came from brought each edit's row back a second time (the
-- import's INSERT OR IGNORE on the key never met it). Edits now take the
-- key an import of their export would give them: the identity (deal,
-- instant, field, old, new), then `#n` for the n-th row alike. The rows
-- already there get it here: the n-th NULL row alike, after the keyed rows
-- alike (an import's keys of one identity are always its first ones, so
-- the numbers taken follow them). A key already taken (which no import
-- makes) leaves its row NULL rather than failing the upgrade. The one
-- other time history is touched after 0002: the trigger is lifted for
-- this update only.
DROP TRIGGER history_no_update;
UPDATE OR IGNORE opportunity_history
SET import_key = n.base || CASE WHEN n.nth = 1 THEN '' ELSE char(31) || '#' || n.nth END
FROM (
    SELECT u.seq,
           u.base,
           ROW_NUMBER() OVER (PARTITION BY u.base ORDER BY u.seq)
           + (SELECT count(*) FROM opportunity_history k
              WHERE k.import_key IS NOT NULL
                AND k.opportunity_id = u.opportunity_id
                AND k.changed_at = u.changed_at
                AND k.field = u.field
                AND ifnull(k.old_value, '') = ifnull(u.old_value, '')
                AND ifnull(k.new_value, '') = ifnull(u.new_value, '')) AS nth
    FROM (SELECT seq, opportunity_id, changed_at, field, old_value, new_value,
                 opportunity_id || char(31) || changed_at || char(31) || field
                 || char(31) || ifnull(old_value, '') || char(31)
                 || ifnull(new_value, '') AS base
          FROM opportunity_history WHERE import_key IS NULL) AS u
) AS n
WHERE n.seq = opportunity_history.seq;
CREATE TRIGGER history_no_update BEFORE UPDATE ON opportunity_history
BEGIN SELECT RAISE(ABORT, 'opportunity history is append-only'); END;
