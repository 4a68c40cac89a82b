//! Forecast snapshot queries beyond loading them all.

use super::codec::date_from_sql;
use super::{Result, Store};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;

impl Store {
    /// The date of the latest forecast snapshot, if any.
    pub fn latest_snapshot_date(&self) -> Result<Option<NaiveDate>> {
        let text: Option<String> = self
            .conn()
            .query_row("SELECT MAX(taken_on) FROM forecast_snapshots", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        text.map(|t| date_from_sql(&t)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::Snapshot;
    use crate::storage::Store;
    use chrono::{NaiveDate, TimeZone, Utc};

    /// 600 rows, written 256 a statement: every row lands once, and the
    /// per-owner sums the triggers keep count them all (three owners, 200
    /// commit rows of 1.00 each closing in March: 200.00 and 200 rows).
    /// A deal twice among them fails the snapshot whole.
    #[test]
    fn a_snapshot_past_one_statement_lands_whole_or_not_at_all() {
        use crate::domain::{ForecastCategory, Money, OppId, RepId, SnapshotRow};
        let mut store = Store::open_in_memory().unwrap();
        let row = |i: usize| SnapshotRow {
            opportunity_id: OppId(format!("o{i:03}").into()),
            owner_id: RepId(format!("r{}", i % 3).into()),
            stage: "Demo".into(),
            amount: Some(Money(100)),
            close_date: NaiveDate::from_ymd_opt(2026, 3, 15),
            forecast_category: Some(ForecastCategory::Commit),
        };
        let snap = |day: u32, rows: Vec<SnapshotRow>| Snapshot {
            taken_on: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
            taken_at: Utc.with_ymd_and_hms(2026, 3, day, 8, 0, 0).unwrap(),
            rows,
        };
        let rows: Vec<SnapshotRow> = (0..600).map(row).collect();
        let mut tx = store.begin().unwrap();
        assert!(tx.insert_snapshot(&snap(2, rows.clone())).unwrap());
        tx.commit().unwrap();
        let stored = store.load_snapshots().unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].rows, rows);
        let mut stmt = store
            .conn()
            .prepare(
                "SELECT owner_id, close_month, commit_cents, rows FROM snapshot_owner_months
                 ORDER BY owner_id",
            )
            .unwrap();
        let sums: Vec<(String, String, i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let want = |owner: &str| (owner.to_string(), "2026-03".to_string(), 20_000, 200);
        assert_eq!(sums, [want("r0"), want("r1"), want("r2")]);
        drop(stmt);
        // Row 400 (in the second statement) names o010 again.
        let mut twice: Vec<SnapshotRow> = (0..600).map(row).collect();
        twice[400].opportunity_id = OppId("o010".into());
        let mut tx = store.begin().unwrap();
        assert!(tx.insert_snapshot(&snap(9, twice)).is_err());
        drop(tx);
        assert_eq!(store.load_snapshots().unwrap().len(), 1);
    }

    #[test]
    fn latest_snapshot_date_is_the_max_taken_on() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.latest_snapshot_date().unwrap(), None);
        let mut tx = store.begin().unwrap();
        for (m, d) in [(3, 9), (3, 16), (3, 2)] {
            let s = Snapshot {
                taken_on: NaiveDate::from_ymd_opt(2026, m, d).unwrap(),
                taken_at: Utc.with_ymd_and_hms(2026, m, d, 8, 0, 0).unwrap(),
                rows: vec![],
            };
            assert!(tx.insert_snapshot(&s).unwrap());
        }
        tx.commit().unwrap();
        assert_eq!(
            store.latest_snapshot_date().unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 16)
        );
    }
}
