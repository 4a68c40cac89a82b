//! What a window reads from before each of its ranges on the deals it
//! loads: the latest activity on each deal and on each account of one,
//! as rows (the metrics: the gap before a deal's first activity in a
//! range reads that row) or as instants only (`Scope::with_touches_before`:
//! rules that look back for a last touch and nothing else).

use super::{ACTIVITY_COLUMNS, Scope};
use crate::domain::model::{AccountId, Activity, OppId};
use crate::storage::codec::*;
use crate::storage::{Result, Store};
use chrono::{DateTime, Utc};

/// The accounts of the deals whose ids `table` holds. CROSS JOIN keeps
/// those deals outermost: SQLite scanned every deal instead.
fn accounts_of(table: &str) -> String {
    format!(
        "SELECT DISTINCT o.account_id FROM {table} s
         CROSS JOIN opportunities o ON o.id = s.id
         WHERE o.account_id IS NOT NULL"
    )
}

/// The latest activity row before `?1` on each deal whose id `table` holds
/// and on each account of one: an index seek each (the id is in the
/// `(deal, time)` and `(account, time)` indexes, migration 0014).
fn latest_rows_sql(table: &str) -> String {
    format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE rowid IN (
           SELECT (SELECT a.rowid FROM activities a
                   WHERE a.opportunity_id = s.id AND a.occurred_at < ?1
                   ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1)
           FROM {table} s
           UNION
           SELECT (SELECT a.rowid FROM activities a
                   WHERE a.account_id = acc.account_id AND a.occurred_at < ?1
                   ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1)
           FROM ({}) acc)",
        accounts_of(table)
    )
}

/// The latest activity instant before each range on each loaded deal and
/// on each account of one (`Lookback::deal_touches`, `account_touches`).
pub(super) type Touches = (Vec<(OppId, DateTime<Utc>)>, Vec<(AccountId, DateTime<Utc>)>);

impl Store {
    /// The latest activity before each range on each deal whose id `table`
    /// holds (the loaded ones, `temp.scope_opps`), and on each account of
    /// one (before a range after a gap, it may lie in the gap: the previous
    /// touch of a deal's first activity in the range).
    pub(super) fn latest_rows_before(&self, scope: &Scope, table: &str) -> Result<Vec<Activity>> {
        let mut out = Vec::new();
        let sql = latest_rows_sql(table);
        for (start, _) in &scope.ranges {
            out.extend(self.collect_params(
                &sql,
                &[instant_to_sql(*start)],
                crate::storage::read::activity_from_row,
            )?);
        }
        Ok(out)
    }

    /// The activities logged in a review session that lie outside every
    /// range (one logged with a date long past): with the last touches
    /// alone, none of them would be read, and a session's closing report
    /// counts them all. The partial index `activities_session` holds only
    /// the rows with a session.
    pub(super) fn session_rows_outside(&self, scope: &Scope) -> Result<Vec<Activity>> {
        let (in_range, params) = scope.predicate("occurred_at");
        self.collect_params(
            &format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities
                 WHERE review_session_id IS NOT NULL AND NOT ({in_range})"
            ),
            &params,
            crate::storage::read::activity_from_row,
        )
    }

    /// The instants of the same activities, from the indexes on (deal,
    /// time) and (account, time) alone: no row is read, and no tie between
    /// two activities at one instant is broken.
    pub(super) fn latest_touches_before(&self, scope: &Scope, table: &str) -> Result<Touches> {
        let (mut deals, mut accounts) = (Vec::new(), Vec::new());
        for (start, _) in &scope.ranges {
            deals.extend(self.latest_before(
                "opportunity_id",
                &format!("SELECT id AS k FROM {table}"),
                *start,
            )?);
            accounts.extend(self.latest_before(
                "account_id",
                &format!("SELECT account_id AS k FROM ({})", accounts_of(table)),
                *start,
            )?);
        }
        Ok((deals, accounts))
    }

    /// For each key `k` of `keys`, the latest activity instant before
    /// `start` among those whose `column` is `k`, where there is one. The
    /// keys without one are dropped here: a `WHERE` on the subquery's
    /// value made SQLite run it twice per key.
    fn latest_before<K: rusqlite::types::FromSql>(
        &self,
        column: &str,
        keys: &str,
        start: DateTime<Utc>,
    ) -> Result<Vec<(K, DateTime<Utc>)>> {
        let rows = self.collect_params(
            &format!(
                "SELECT keys.k, (SELECT MAX(a.occurred_at) FROM activities a
                                 WHERE a.{column} = keys.k AND a.occurred_at < ?1)
                 FROM ({keys}) keys"
            ),
            &[instant_to_sql(start)],
            |r| match r.get::<_, Option<String>>(1)? {
                Some(t) => Ok(Some((r.get::<_, K>(0)?, instant_from_sql(&t)?))),
                None => Ok(None),
            },
        )?;
        Ok(rows.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::latest_rows_sql;
    use crate::storage::scope::window::query_plan;

    /// The latest activity before an instant on a deal, and on an account,
    /// is one seek in the index on (deal or account, instant, id): no look
    /// at the rows of its instant to break a tie.
    #[test]
    fn the_latest_row_before_an_instant_is_an_index_seek() {
        let store = crate::storage::Store::open_in_memory().unwrap();
        let conn = store.conn();
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_opps (id TEXT PRIMARY KEY) WITHOUT ROWID;",
        )
        .unwrap();
        let plan = query_plan(conn, &latest_rows_sql("temp.scope_opps"));
        assert!(
            plan.contains("COVERING INDEX activities_opportunity_time"),
            "{plan}"
        );
        assert!(
            plan.contains("COVERING INDEX activities_account_time"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE FOR RIGHT PART"), "{plan}");
    }
}
