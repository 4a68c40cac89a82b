//! The ranges of single reps' work (the new-hire rule's first weeks, the
//! drill's previous period): written for SQL, and their activities read.

use super::Scope;
use super::ranges::outside;
use crate::domain::model::Activity;
use crate::storage::codec::instant_to_sql;
use crate::storage::{Result, Store};

/// The activities of the rep ranges: each rep's own, and those on the deals
/// they sourced (an SDR's meetings set count those whoever logged them).
/// CROSS JOIN keeps the ranges outermost: SQLite scanned every activity.
/// Each is the `FROM` of a `SELECT` of the activity `a` ([`select_all`]).
const REP_RANGE_ACTIVITIES: [&str; 2] = [
    "temp.scope_rep_ranges r JOIN activities a ON a.rep_id = r.rep_id
     WHERE a.occurred_at >= r.from_at AND a.occurred_at < r.to_at",
    "temp.scope_rep_ranges r CROSS JOIN opportunities o ON o.source_rep_id = r.rep_id
     CROSS JOIN activities a ON a.opportunity_id = o.id
     WHERE a.occurred_at >= r.from_at AND a.occurred_at < r.to_at",
];

/// What else a rep's metrics read in a range (`Scope::with_deep_rep_ranges`):
/// every activity on the deals they own (`days_between_touches` counts any
/// rep's) and every one touching an account of those deals, directly,
/// through one of its deals or through one of its contacts (the untouched
/// rule's account touches, `metrics::index::account_of`). A superset: the
/// Index resolves each row as the whole window's load would.
/// `temp.scope_rep_accounts` holds the accounts with their ranges; the
/// deals and contacts are scanned once (no index on their account), the
/// activities sought by deal, account and contact.
const DEEP_ACTIVITIES: [&str; 4] = [
    "temp.scope_rep_ranges r CROSS JOIN opportunities o ON o.owner_id = r.rep_id
     CROSS JOIN activities a ON a.opportunity_id = o.id
     WHERE a.occurred_at >= r.from_at AND a.occurred_at < r.to_at",
    "temp.scope_rep_accounts c CROSS JOIN activities a ON a.account_id = c.account_id
     WHERE a.occurred_at >= c.from_at AND a.occurred_at < c.to_at",
    "opportunities o CROSS JOIN temp.scope_rep_accounts c ON c.account_id = o.account_id
     CROSS JOIN activities a ON a.opportunity_id = o.id
     WHERE a.occurred_at >= c.from_at AND a.occurred_at < c.to_at",
    "contacts k CROSS JOIN temp.scope_rep_accounts c ON c.account_id = k.account_id
     CROSS JOIN activities a ON a.contact_id = k.id
     WHERE a.occurred_at >= c.from_at AND a.occurred_at < c.to_at",
];

/// The latest activity before each deep rep range on each deal the rep
/// owns and on each of those deals' accounts, as the window's load reads
/// them before its ranges (`lookback::latest_rows_before`): the gap
/// before a deal's first activity in the range.
const DEEP_BEFORE: &str = "activities a WHERE a.rowid IN (
       SELECT (SELECT x.rowid FROM activities x
               WHERE x.opportunity_id = o.id AND x.occurred_at < r.from_at
               ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1)
       FROM temp.scope_rep_ranges r CROSS JOIN opportunities o ON o.owner_id = r.rep_id
       UNION
       SELECT (SELECT x.rowid FROM activities x
               WHERE x.account_id = c.account_id AND x.occurred_at < c.from_at
               ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1)
       FROM temp.scope_rep_accounts c)";

/// The activity rows of `a` from each of `froms`, one after the other.
fn select_all<'a>(froms: impl IntoIterator<Item = &'a str>) -> String {
    let columns: Vec<String> = super::ACTIVITY_COLUMNS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect();
    let columns = columns.join(", ");
    froms
        .into_iter()
        .map(|from| format!("SELECT {columns} FROM {from}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// The rep ranges' activities: those in the ranges, and those before a
/// deep one ([`DEEP_BEFORE`]), which may lie in the window's ranges.
#[derive(Default)]
pub(super) struct Rows {
    pub(super) within: Vec<Activity>,
    pub(super) before: Vec<Activity>,
}

impl Store {
    /// The activities of the rep ranges (`temp.scope_rep_ranges`), with the
    /// deals they touch put in `temp.scope_opps`; `deep`, all a rep's
    /// metrics read there (see `Scope::with_deep_rep_ranges`).
    pub(super) fn rep_range_activities(&self, deep: bool) -> Result<Rows> {
        let deep_froms: &[&str] = match deep {
            true => {
                self.fill_deep_rep_ranges()?;
                &DEEP_ACTIVITIES
            }
            false => &[],
        };
        let read =
            |sql: &str| self.collect_params(sql, &[], crate::storage::read::activity_from_row);
        let rows = read(&select_all(
            REP_RANGE_ACTIVITIES
                .into_iter()
                .chain(deep_froms.iter().copied()),
        ))?;
        let before = match deep {
            true => read(&select_all([DEEP_BEFORE]))?,
            false => Vec::new(),
        };
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
        Ok(Rows {
            within: rows,
            before,
        })
    }

    /// For deep rep ranges: the accounts of the deals each rep owns, with
    /// the range, in `temp.scope_rep_accounts`; and the deals they own with
    /// a history entry in it put in `temp.scope_opps` (`progressions`
    /// counts a stage move in the range it was made in, whenever the deal
    /// closed, as the window's load does with `Scope::with_named_deals`).
    fn fill_deep_rep_ranges(&self) -> Result<()> {
        self.conn().execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_rep_accounts
               (account_id TEXT NOT NULL, from_at TEXT NOT NULL, to_at TEXT NOT NULL,
                PRIMARY KEY (account_id, from_at, to_at)) WITHOUT ROWID;
             DELETE FROM temp.scope_rep_accounts;
             INSERT OR IGNORE INTO temp.scope_rep_accounts
               SELECT o.account_id, r.from_at, r.to_at
               FROM temp.scope_rep_ranges r CROSS JOIN opportunities o ON o.owner_id = r.rep_id
               WHERE o.account_id IS NOT NULL;
             INSERT OR IGNORE INTO temp.scope_opps
               SELECT o.id FROM temp.scope_rep_ranges r
               CROSS JOIN opportunities o ON o.owner_id = r.rep_id
               WHERE EXISTS (SELECT 1 FROM opportunity_history h
                             WHERE h.opportunity_id = o.id
                               AND h.changed_at >= r.from_at AND h.changed_at < r.to_at);",
        )?;
        Ok(())
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
