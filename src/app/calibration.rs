//! `report score-calibration` over every day a deal closed (no `--period`),
//! read a quarter of closes at a time (issue 10): each quarter's load holds
//! its closes and the look-back of their replays (`load::Need::Calibration`),
//! so the report never holds all history at once (on the large demo it held
//! 5M activities, 1.2 GB). Each deal is replayed from its own quarter's read
//! exactly as from all of history; the quarters' counts add up
//! (`calibration::Tally`).

use super::load::{Facts, Need, Snaps, load};
use crate::domain::Settings;
use crate::domain::model::PeriodKind;
use crate::domain::period::{Calendar, Period};
use crate::domain::score::ScoreIndex;
use crate::domain::score::calibration::{Calibration, Tally, tally};
use crate::storage::{Result, Store};
use chrono::{Days, NaiveDate};

/// The calibration of every deal closed by `today` (as the data stood at
/// the end of `as_of` when given, by then), replayed `days` before it
/// closed; its period is every such day a deal closed, or `today`
/// (`--as-of`) when none did. A close dated after it has not happened.
pub fn every_close(
    store: &Store,
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
    as_of: Option<NaiveDate>,
    days: i64,
) -> Result<Calibration> {
    let day = as_of.unwrap_or(today);
    let mut total = Tally::default();
    // Under `--as-of` a deal may have closed then and reopened since: its
    // close is one of its status changes.
    if let Some((first, last)) = store.close_span(as_of.is_some())? {
        let from = cal.local_date(first);
        let to = (cal.local_date(last) + Days::new(1)).min(day + Days::new(1));
        // The reps and goals, read once for every quarter's load.
        let facts = Facts::read(store, settings, false)?;
        let cx = facts.context(settings, cal, day);
        let mut q = cal.quarter_containing(from);
        while q.from < to {
            let slice = Period {
                from: q.from.max(from),
                to: q.to.min(to),
            };
            let need = Need::Calibration(Some(slice), days);
            let (data, _) = load(store, settings, cal, need, &cx, as_of, Snaps::None)?;
            let stages = settings.effective_stages(&data.stages);
            let ix = ScoreIndex::new(&data, &stages, settings, *cal);
            total += tally(&ix, slice, days);
            q = cal.shift(PeriodKind::Quarter, q, 1);
        }
    }
    Ok(total.over_every_close(day, days))
}
