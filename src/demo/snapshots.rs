//! A forecast snapshot every Monday of the history, replayed from the deals'
//! own history so it agrees with what `--as-of` would say.

use super::World;
use super::deals::Deal;
use crate::domain::{ForecastCategory, HistoryField, Money, Snapshot, SnapshotRow, Status};
use chrono::{Datelike, Days, NaiveTime, Weekday};

/// Every Monday in `[start, today]`: each deal open at the end of that Monday,
/// as it stood then; `taken_at` is the Monday at 18:00 UTC.
pub fn build(w: &World, deals: &[Deal]) -> Vec<Snapshot> {
    let mut out = Vec::new();
    let mut day = w.start;
    while day.weekday() != Weekday::Mon {
        day = day + Days::new(1);
    }
    while day <= w.today {
        let moment = w.cal.end_of(day);
        let mut rows = Vec::new();
        for d in deals {
            if d.created >= moment {
                continue;
            }
            if let Some(row) = state_at(d, moment) {
                rows.push(row);
            }
        }
        rows.sort_by(|a, b| a.opportunity_id.cmp(&b.opportunity_id));
        out.push(Snapshot {
            taken_on: day,
            taken_at: day
                .and_time(NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default())
                .and_utc(),
            rows,
        });
        day = day + Days::new(7);
    }
    out
}

/// The deal as it stood just before `moment`, or `None` when it was closed.
pub(super) fn state_at(d: &Deal, moment: chrono::DateTime<chrono::Utc>) -> Option<SnapshotRow> {
    let mut stage = String::new();
    let mut amount = None;
    let mut close = None;
    let mut category = None;
    let mut status = Status::Open;
    for e in d.events.iter().take_while(|e| e.changed_at < moment) {
        let v = e.new_value.clone().unwrap_or_default();
        match e.field {
            HistoryField::Stage => stage = v.to_string(),
            HistoryField::Amount => amount = v.parse::<i64>().ok().map(Money),
            HistoryField::CloseDate => close = v.parse().ok(),
            HistoryField::ForecastCategory => category = v.parse::<ForecastCategory>().ok(),
            HistoryField::Status => status = v.parse().unwrap_or(Status::Open),
            _ => {}
        }
    }
    (status == Status::Open).then(|| SnapshotRow {
        opportunity_id: d.row.id.clone(),
        owner_id: d.row.owner_id.clone(),
        stage,
        amount,
        close_date: close,
        forecast_category: category,
    })
}
