-- The reference query of SPEC §14 / issue 10: one per-rep quarter aggregate
-- (meetings held, calls, outbound emails, won, lost, bookings, win rate) for
-- 2026-Q3, as a person would write it in SQLite's own shell. `pipedeck bench
-- --db` runs the same text through the bundled SQLite to time it beside the
-- reports. Instants are stored as RFC 3339 text in UTC.
WITH acts AS (
  SELECT rep_id,
         SUM(kind = 'meeting' AND COALESCE(outcome, 'held') = 'held') AS meetings,
         SUM(kind = 'call') AS calls,
         SUM(kind = 'email' AND COALESCE(direction, 'outbound') = 'outbound') AS emails
  FROM activities
  WHERE occurred_at >= '2026-07-01' AND occurred_at < '2026-10-01'
  GROUP BY rep_id
), closed AS (
  SELECT owner_id AS rep_id,
         SUM(status = 'won') AS won,
         SUM(status = 'lost') AS lost,
         SUM(CASE WHEN status = 'won' THEN amount ELSE 0 END) / 100.0 AS bookings
  FROM opportunities
  WHERE closed_at >= '2026-07-01' AND closed_at < '2026-10-01'
  GROUP BY owner_id
)
SELECT r.id, COALESCE(a.meetings, 0), COALESCE(a.calls, 0), COALESCE(a.emails, 0),
       COALESCE(c.won, 0), COALESCE(c.lost, 0), COALESCE(c.bookings, 0),
       CASE WHEN COALESCE(c.won, 0) + COALESCE(c.lost, 0) > 0
            THEN 1.0 * c.won / (c.won + c.lost) END AS win_rate
FROM reps r
LEFT JOIN acts a ON a.rep_id = r.id
LEFT JOIN closed c ON c.rep_id = r.id
ORDER BY r.id;
