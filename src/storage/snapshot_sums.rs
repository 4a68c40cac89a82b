//! The snapshot sums a bulk load adds up as it writes its snapshot rows,
//! while the trigger that keeps `snapshot_owner_months` (migration 0010) on
//! insert is set aside (`Tx::defer_indexes_if_empty`, `Tx::rebuild_indexes`).

use super::Result;
use crate::domain::model::{ForecastCategory, SnapshotRow};

/// What the snapshot rows a bulk load writes add to `snapshot_owner_months`
/// while its insert trigger is set aside: per snapshot, owner and key, the
/// commit amount and the rows. Added up as the rows are written and merged
/// into the table once (the table, exact for the rows there before, keeps
/// them: a bulk load only inserts snapshot rows, and a delete's trigger
/// stays on). Refilling the table from the rows read each row's virtual key
/// columns back, date parse and all: 0.4 s of the large demo's first import
/// for 305k rows. A row this cannot key as the columns do (a close date
/// outside the years 0 to 9999), or a sum past `i64`, makes the load refill
/// the table from the rows as before ([`SUMS_REFILL`]): exact, and an
/// overflow fails the import as SQLite's `SUM` does.
#[derive(Debug)]
pub(super) struct SnapshotSums {
    /// The sums by snapshot, owner and key; `None` once the table is to be
    /// refilled from the rows instead.
    sums: Option<Sums>,
}

/// (snapshot id, owner, key) → (commit cents, rows).
type Sums = foldhash::HashMap<(i64, String, String), (i64, i64)>;

impl Default for SnapshotSums {
    fn default() -> Self {
        SnapshotSums {
            sums: Some(Default::default()),
        }
    }
}

/// `snapshot_owner_months` afresh from every snapshot row.
const SUMS_REFILL: &str = "DELETE FROM snapshot_owner_months;
     INSERT INTO snapshot_owner_months (snapshot_id, owner_id, close_month, commit_cents, rows)
     SELECT snapshot_id, owner_id, sum_month, SUM(sum_cents), COUNT(*)
     FROM snapshot_rows GROUP BY snapshot_id, owner_id, sum_month;";

impl SnapshotSums {
    pub(super) fn add(&mut self, snapshot_id: i64, r: &SnapshotRow) {
        let (Some(sums), Some((key, cents))) = (&mut self.sums, sum_key(r)) else {
            self.sums = None;
            return;
        };
        let sum = sums
            .entry((snapshot_id, r.owner_id.0.to_string(), key))
            .or_default();
        match sum.0.checked_add(cents) {
            Some(total) => *sum = (total, sum.1 + 1),
            None => self.sums = None,
        }
    }

    pub(super) fn write(self, tx: &rusqlite::Transaction) -> Result<()> {
        let Some(sums) = self.sums else {
            tx.execute_batch(SUMS_REFILL)?;
            return Ok(());
        };
        let mut stmt = tx.prepare(
            "INSERT INTO snapshot_owner_months (snapshot_id, owner_id, close_month, commit_cents, rows)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (snapshot_id, owner_id, close_month) DO UPDATE
             SET commit_cents = commit_cents + excluded.commit_cents, rows = rows + excluded.rows",
        )?;
        for ((snapshot, owner, key), (cents, rows)) in sums {
            stmt.execute(rusqlite::params![snapshot, owner, key, cents, rows])?;
        }
        Ok(())
    }
}

/// A row's key and commit amount as the columns `sum_month` and `sum_cents`
/// of `snapshot_rows` compute them (migration 0010), for a row as pipedeck
/// writes it: ids, stage and category as text, the amount in whole cents,
/// the close date as `YYYY-MM-DD`, which SQLite's `date()` reads back as
/// itself for every day of the years 0 to 9999. `None` for a close date in
/// another year (written in another form, which `date()` reads back or not
/// depending on the year): the columns decide those.
fn sum_key(r: &SnapshotRow) -> Option<(String, i64)> {
    use chrono::Datelike;
    let commit = r.forecast_category == Some(ForecastCategory::Commit);
    let cents = match (commit, r.close_date) {
        (true, Some(_)) => r.amount.map_or(0, |m| m.0),
        _ => 0,
    };
    let key = match r.close_date {
        Some(d) if !(0..=9999).contains(&d.year()) => return None,
        Some(d) if commit && r.amount.is_some() => super::codec::month_key(d),
        _ => String::new(),
    };
    Some((key, cents))
}

#[cfg(test)]
mod tests {
    use crate::domain::model::*;
    use crate::storage::Store;
    use chrono::NaiveDate;

    fn row(
        deal: &str,
        owner: &str,
        cents: Option<i64>,
        close: Option<NaiveDate>,
        c: ForecastCategory,
    ) -> SnapshotRow {
        SnapshotRow {
            opportunity_id: OppId(deal.into()),
            owner_id: RepId(owner.into()),
            stage: "Proposal".into(),
            amount: cents.map(crate::domain::Money),
            close_date: close,
            forecast_category: Some(c),
        }
    }

    fn snapshot(day: NaiveDate, rows: Vec<SnapshotRow>) -> Snapshot {
        Snapshot {
            taken_on: day,
            taken_at: day.and_hms_opt(18, 0, 0).unwrap().and_utc(),
            rows,
        }
    }

    type Sums = Vec<(String, String, String, i64, i64)>;

    fn read(store: &Store, sql: &str) -> Sums {
        let mut stmt = store.conn().prepare(sql).unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// The table, by snapshot day, owner and key.
    fn table(store: &Store) -> Sums {
        read(
            store,
            "SELECT s.taken_on, m.owner_id, m.close_month, m.commit_cents, m.rows
             FROM snapshot_owner_months m JOIN forecast_snapshots s ON s.id = m.snapshot_id
             ORDER BY 1, 2, 3",
        )
    }

    /// A bulk load adds its snapshot rows up as it writes them, under the
    /// keys SQLite's columns give them, and keeps the sums of a snapshot
    /// stored before it.
    #[test]
    fn a_bulk_loads_sums_equal_the_rows_keys() {
        use ForecastCategory::{Commit, Pipeline};
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        let before = vec![row(
            "o1",
            "sam",
            Some(100_000),
            Some(d(2026, 1, 10)),
            Commit,
        )];
        tx.insert_snapshot(&snapshot(d(2025, 12, 29), before))
            .unwrap();
        tx.commit().unwrap();

        let mut tx = store.begin().unwrap();
        let deferred = tx.defer_indexes_if_empty().unwrap();
        let rows = vec![
            row("o1", "sam", Some(100_000), Some(d(2026, 2, 15)), Commit),
            row("o2", "sam", None, Some(d(2026, 2, 20)), Commit),
            row("o3", "kim", Some(50_000), None, Commit),
            row("o4", "kim", Some(70_000), Some(d(2026, 3, 1)), Pipeline),
            row("o6", "sam", Some(20_000), Some(d(2026, 2, 28)), Commit),
        ];
        tx.insert_snapshot(&snapshot(d(2026, 1, 5), rows)).unwrap();
        // Added up beside the table, not by the trigger (set aside).
        let in_table: i64 = tx
            .raw()
            .query_row("SELECT COUNT(*) FROM snapshot_owner_months", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(in_table, 1);
        assert_eq!(
            tx.snapshot_sums
                .as_ref()
                .map(|s| (s.sums.as_ref().map_or(0, |m| m.len()), s.sums.is_none())),
            Some((3, false))
        );
        tx.rebuild_indexes(deferred).unwrap();
        tx.commit().unwrap();

        let table = table(&store);
        let s = |day: &str, owner: &str, key: &str, cents, rows| {
            (
                day.to_string(),
                owner.to_string(),
                key.to_string(),
                cents,
                rows,
            )
        };
        assert_eq!(
            table,
            vec![
                s("2025-12-29", "sam", "2026-01", 100_000, 1),
                s("2026-01-05", "kim", "", 0, 2),
                s("2026-01-05", "sam", "", 0, 1),
                s("2026-01-05", "sam", "2026-02", 120_000, 2),
            ]
        );
        let columns = read(
            &store,
            "SELECT s.taken_on, r.owner_id, r.sum_month, SUM(r.sum_cents), COUNT(*)
             FROM snapshot_rows r JOIN forecast_snapshots s ON s.id = r.snapshot_id
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        );
        assert_eq!(table, columns);
        // The trigger is back: a row written after the load is summed by it.
        let exists: bool = store
            .conn()
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master
                 WHERE type = 'trigger' AND name = 'snapshot_rows_owner_month_insert')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(exists);
    }

    /// A close date outside the years 0 to 9999 (another written form,
    /// which SQLite reads back or not by year) and a sum past `i64` make
    /// the load refill the table from the rows: the columns' own keys, and
    /// the overflow an error, as SQLite's `SUM` gives it.
    #[test]
    fn odd_years_and_overflow_refill_from_the_rows() {
        use ForecastCategory::Commit;
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let load = |rows: Vec<SnapshotRow>| {
            let mut store = Store::open_in_memory().unwrap();
            let mut tx = store.begin().unwrap();
            let deferred = tx.defer_indexes_if_empty().unwrap();
            tx.insert_snapshot(&snapshot(d(2026, 1, 5), rows)).unwrap();
            assert_eq!(
                tx.snapshot_sums.as_ref().map(|s| s.sums.is_none()),
                Some(true)
            );
            let done = tx.rebuild_indexes(deferred).map(|_| tx.commit().unwrap());
            (store, done)
        };
        let (store, done) = load(vec![
            row("o1", "sam", Some(100_000), Some(d(2026, 2, 15)), Commit),
            row("o2", "sam", Some(30_000), Some(d(10_000, 1, 1)), Commit),
            row("o3", "kim", Some(20_000), Some(d(-1, 3, 1)), Commit),
        ]);
        done.unwrap();
        let s = |owner: &str, key: &str, cents, rows| {
            (
                "2026-01-05".to_string(),
                owner.to_string(),
                key.to_string(),
                cents,
                rows,
            )
        };
        let table = table(&store);
        // Year 10000 is written `+10000-01-01`, which `date()` does not
        // read; year -1 is `-0001-03-01`, which it does.
        assert_eq!(
            table,
            vec![
                s("kim", "-0001-0", 20_000, 1),
                s("sam", "2026-02", 100_000, 1),
                s("sam", "?", 30_000, 1),
            ]
        );
        // Past `Money::MAX`, which an import refuses; the writer takes it.
        let max = i64::MAX;
        let (_, done) = load(vec![
            row("o1", "sam", Some(max), Some(d(2026, 2, 15)), Commit),
            row("o2", "sam", Some(max), Some(d(2026, 2, 20)), Commit),
        ]);
        assert!(done.unwrap_err().to_string().contains("integer overflow"));
    }
}
