//! What the hygiene rules read from the dataset, gathered once per run:
//! last real touches, stage entries, close-date pushes, snoozes in force.
//! Everything dated after today is ignored.

use super::SnoozeNote;
use crate::domain::model::{AccountId, Dataset, HistoryField, OppId, Snooze};
use crate::domain::period::Calendar;
use crate::domain::settings::Settings;
use chrono::{Days, NaiveDate};
use std::collections::HashMap;

/// Local date of the latest activity per deal and per account, up to today.
pub(super) struct Touches {
    pub(super) by_deal: HashMap<OppId, NaiveDate>,
    pub(super) by_account: HashMap<AccountId, NaiveDate>,
}

pub(super) fn last_touches(data: &Dataset, cal: &Calendar, today: NaiveDate) -> Touches {
    let mut t = Touches {
        by_deal: HashMap::new(),
        by_account: HashMap::new(),
    };
    // A CRM's last activity date counts as a touch of the deal (SPEC §13).
    for (o, at) in &data.crm_last_touch {
        let day = cal.local_date(*at);
        if day <= today {
            let e = t.by_deal.entry(o.clone()).or_insert(day);
            *e = (*e).max(day);
        }
    }
    for a in &data.activities {
        let day = cal.local_date(a.occurred_at);
        if day > today {
            continue;
        }
        if let Some(o) = &a.opportunity_id {
            let e = t.by_deal.entry(o.clone()).or_insert(day);
            *e = (*e).max(day);
        }
        if let Some(acc) = &a.account_id {
            let e = t.by_account.entry(acc.clone()).or_insert(day);
            *e = (*e).max(day);
        }
    }
    t
}

/// Local date of each deal's latest `stage` history entry, up to today.
pub(super) fn stage_entries(
    data: &Dataset,
    cal: &Calendar,
    today: NaiveDate,
) -> HashMap<OppId, NaiveDate> {
    let mut out: HashMap<OppId, NaiveDate> = HashMap::new();
    for h in data
        .history
        .iter()
        .filter(|h| h.field == HistoryField::Stage)
    {
        let day = cal.local_date(h.changed_at);
        if day > today {
            continue;
        }
        let e = out.entry(h.opportunity_id.clone()).or_insert(day);
        *e = (*e).max(day);
    }
    out
}

/// Per deal, `close_date` history entries with new > old whose local date is
/// in `[today − window, today]`.
pub(super) fn close_date_pushes(
    data: &Dataset,
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
) -> HashMap<OppId, u32> {
    let window = settings.anomalies.slipping_window_days.max(0) as u64;
    let from = today.checked_sub_days(Days::new(window)).unwrap_or(today);
    let mut out: HashMap<OppId, u32> = HashMap::new();
    for h in data
        .history
        .iter()
        .filter(|h| h.field == HistoryField::CloseDate)
    {
        let day = cal.local_date(h.changed_at);
        if day < from || day > today {
            continue;
        }
        if let (Some(old), Some(new)) = h.dates()
            && new > old
        {
            *out.entry(h.opportunity_id.clone()).or_insert(0) += 1;
        }
    }
    out
}

/// Per deal, the latest snooze made up to today (latest `created_at`, then
/// id), when today is before its `until` date.
pub(super) fn snoozes_in_force(
    data: &Dataset,
    cal: &Calendar,
    today: NaiveDate,
) -> HashMap<OppId, SnoozeNote> {
    let mut latest: HashMap<&OppId, &Snooze> = HashMap::new();
    for s in data
        .snoozes
        .iter()
        .filter(|s| cal.local_date(s.created_at) <= today)
    {
        let e = latest.entry(&s.opportunity_id).or_insert(s);
        if (s.created_at, s.id) >= (e.created_at, e.id) {
            *e = s;
        }
    }
    latest
        .into_iter()
        .filter(|(_, s)| today < s.until)
        .map(|(id, s)| {
            (
                id.clone(),
                SnoozeNote {
                    until: s.until,
                    reason: s.reason.clone(),
                    by: s.created_by.clone(),
                },
            )
        })
        .collect()
}
