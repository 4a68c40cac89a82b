//! The ranges of single reps' work (the new-hire rule's first weeks):
//! written for SQL, and their activities read.

use super::Scope;
use super::ranges::outside;
use crate::domain::model::Activity;
use crate::storage::codec::instant_to_sql;
use crate::storage::{Result, Store};

/// The activities of the rep ranges: each rep's own, and those on the deals
/// they sourced (an SDR's meetings set count those whoever logged them).
/// CROSS JOIN keeps the ranges outermost: SQLite scanned every activity.
const REP_RANGE_ACTIVITIES: &str = "\
     SELECT a.id, a.rep_id, a.kind, a.meeting_type, a.label, a.opportunity_id, a.account_id, \
            a.contact_id, a.occurred_at, a.outcome, a.duration_min, a.direction, \
            a.review_session_id
     FROM temp.scope_rep_ranges r JOIN activities a ON a.rep_id = r.rep_id
     WHERE a.occurred_at >= r.from_at AND a.occurred_at < r.to_at
     UNION ALL
     SELECT a.id, a.rep_id, a.kind, a.meeting_type, a.label, a.opportunity_id, a.account_id, \
            a.contact_id, a.occurred_at, a.outcome, a.duration_min, a.direction, \
            a.review_session_id
     FROM temp.scope_rep_ranges r CROSS JOIN opportunities o ON o.source_rep_id = r.rep_id
     CROSS JOIN activities a ON a.opportunity_id = o.id
     WHERE a.occurred_at >= r.from_at AND a.occurred_at < r.to_at";

impl Store {
    /// The activities of the rep ranges (`temp.scope_rep_ranges`), with the
    /// deals they touch put in `temp.scope_opps`.
    pub(super) fn rep_range_activities(&self) -> Result<Vec<Activity>> {
        let rows = self.collect_params(
            &format!("SELECT * FROM ({REP_RANGE_ACTIVITIES})"),
            &[],
            crate::storage::read::activity_from_row,
        )?;
        let deals: foldhash::HashSet<&str> = rows
            .iter()
            .filter_map(|a| a.opportunity_id.as_ref().map(|o| o.as_str()))
            .collect();
        let mut insert = self
            .conn()
            .prepare_cached("INSERT OR IGNORE INTO temp.scope_opps VALUES (?1)")?;
        for d in deals {
            insert.execute([d])?;
        }
        Ok(rows)
    }

    /// Writes the scope's rep ranges into `temp.scope_rep_ranges`. When
    /// every activity of the ranges is read, with the deals those touch
    /// (`Scope::window_read_whole`), only what of a rep range lies outside
    /// them is written:
    /// the rest of that rep's work is read with the window (the new-hire
    /// rule's windows of recent hires fall in the report's own ranges, and
    /// were read twice, then matched row by row).
    pub(super) fn fill_rep_ranges(&self, scope: &Scope) -> Result<()> {
        let conn = self.conn();
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_rep_ranges
               (rep_id TEXT NOT NULL, from_at TEXT NOT NULL, to_at TEXT NOT NULL);
             DELETE FROM temp.scope_rep_ranges;",
        )?;
        let mut insert =
            conn.prepare_cached("INSERT INTO temp.scope_rep_ranges VALUES (?1, ?2, ?3)")?;
        for (rep, a, b) in &scope.rep_ranges {
            let pieces = match scope.window_read_whole() {
                true => outside(*a, *b, &scope.ranges),
                false => vec![(*a, *b)],
            };
            for (a, b) in pieces {
                insert.execute([rep.as_str(), &instant_to_sql(a), &instant_to_sql(b)])?;
            }
        }
        Ok(())
    }
}
