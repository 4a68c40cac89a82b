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
