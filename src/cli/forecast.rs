//! `pipedeck snapshot`, and the once-a-day snapshot the cockpit takes when it opens.

use super::Ctx;
use crate::app::load::{Need, Snaps};
use crate::domain::Opportunity;
use crate::domain::asof::Rewind;
use crate::domain::period::Calendar;
use crate::domain::snapshot::snapshot_of;
use crate::storage::Store;
use chrono::{DateTime, NaiveDate, Utc};
use std::process::ExitCode;

/// The instant a snapshot "for `today`" is taken at: now when `today` is the
/// real local date, else the last second of `today` (a fixed `--today`).
pub fn snapshot_instant(cal: &Calendar, today: NaiveDate, now: DateTime<Utc>) -> DateTime<Utc> {
    if cal.local_date(now) == today {
        now
    } else {
        cal.end_of(today) - chrono::Duration::seconds(1)
    }
}

/// The deals a snapshot taken at `now` holds: those open today, with their
/// history from `now` on, rewound alone to `now` (a past `--today`: the
/// end of that day; a copy of the whole dataset is not needed).
pub fn open_for_snapshot(
    ctx: &Ctx,
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Opportunity>> {
    let end = now + chrono::Duration::seconds(1);
    let (live, _) = ctx.load(store, Need::Pipeline(end), None, Snaps::None)?;
    Ok(Rewind::new(&live, &[]).open_at(end))
}

/// Takes and stores a snapshot of `deals` at `now`, unless one was already
/// taken on `now`'s local date or later. Returns whether one was stored.
pub fn ensure_daily_snapshot(
    store: &mut Store,
    deals: &[Opportunity],
    cal: &Calendar,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let day = cal.local_date(now);
    if store.latest_snapshot_date()?.is_some_and(|d| d >= day) {
        return Ok(false);
    }
    let snap = snapshot_of(deals, cal, now);
    let mut tx = store.begin()?;
    let stored = tx.insert_snapshot(&snap)?;
    tx.commit()?;
    Ok(stored)
}

/// `pipedeck snapshot`: a forecast snapshot for today (at most one per day).
pub fn snapshot(ctx: &Ctx) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let now = snapshot_instant(&ctx.cal, ctx.today, Utc::now());
    let snap = snapshot_of(&open_for_snapshot(ctx, &store, now)?, &ctx.cal, now);
    let mut tx = store.begin()?;
    let stored = tx.insert_snapshot(&snap)?;
    tx.commit()?;
    if stored {
        println!(
            "snapshot taken for {}: {} open deals",
            snap.taken_on,
            snap.rows.len()
        );
    } else {
        println!(
            "a snapshot for {} already exists; nothing changed",
            snap.taken_on
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn daily_snapshot_is_taken_at_most_once_per_day() {
        use crate::domain::Dataset;
        let mut store = Store::open_in_memory().unwrap();
        let cal = Calendar::default();
        let data = Dataset::default();
        let t = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
        // (instant, stored?)
        let cases = [
            (t(2, 8), true),
            (t(2, 17), false),
            (t(1, 9), false),
            (t(3, 7), true),
        ];
        for (now, want) in cases {
            assert_eq!(
                ensure_daily_snapshot(&mut store, &data.opportunities, &cal, now).unwrap(),
                want,
                "{now}"
            );
        }
        let days: Vec<String> = store
            .load_snapshots()
            .unwrap()
            .iter()
            .map(|s| s.taken_on.to_string())
            .collect();
        assert_eq!(days, vec!["2026-03-02", "2026-03-03"]);
    }

    #[test]
    fn fixed_today_snapshots_at_its_last_second() {
        let cal = Calendar::default();
        let now = Utc.with_ymd_and_hms(2026, 3, 5, 10, 0, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(
            snapshot_instant(&cal, day, now),
            Utc.with_ymd_and_hms(2026, 3, 2, 23, 59, 59).unwrap()
        );
        assert_eq!(
            snapshot_instant(&cal, NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(), now),
            now
        );
    }
}
