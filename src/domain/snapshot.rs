//! Forecast snapshots (SPEC §2): a frozen copy of every open opportunity.

use super::model::{Dataset, Opportunity, Snapshot, SnapshotRow, Status};
use super::period::Calendar;
use chrono::{DateTime, Utc};

/// The snapshot of `data` taken at `now`: every open deal (stage, amount,
/// close date, category, owner), ordered by id; dated by `now`'s local date.
pub fn take_snapshot(data: &Dataset, cal: &Calendar, now: DateTime<Utc>) -> Snapshot {
    snapshot_of(&data.opportunities, cal, now)
}

/// [`take_snapshot`] of these deals.
pub fn snapshot_of(opportunities: &[Opportunity], cal: &Calendar, now: DateTime<Utc>) -> Snapshot {
    let mut rows: Vec<SnapshotRow> = opportunities
        .iter()
        .filter(|o| o.status == Status::Open)
        .map(|o| SnapshotRow {
            opportunity_id: o.id.clone(),
            owner_id: o.owner_id.clone(),
            stage: o.stage.clone(),
            amount: o.amount,
            close_date: o.close_date,
            forecast_category: o.forecast_category,
        })
        .collect();
    rows.sort_by(|a, b| a.opportunity_id.cmp(&b.opportunity_id));
    Snapshot {
        taken_on: cal.local_date(now),
        taken_at: now,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Money;
    use crate::domain::model::*;
    use chrono::{NaiveDate, TimeZone};

    #[test]
    fn keeps_open_deals_only_sorted_by_id_and_dates_in_local_zone() {
        let mk = |id: &str, status: Status| Opportunity {
            id: OppId(id.into()),
            name: id.into(),
            account_id: None,
            owner_id: RepId("ann".into()),
            source_rep_id: None,
            created_at: None,
            stage: "Demo".into(),
            amount: Some(Money(100)),
            close_date: None,
            forecast_category: None,
            status,
            closed_at: None,
            loss_reason: None,
            next_step: None,
            next_step_date: None,
            list_amount: None,
            channel: None,
        };
        let data = Dataset {
            opportunities: vec![
                mk("z", Status::Open),
                mk("w", Status::Won),
                mk("a", Status::Open),
            ],
            ..Dataset::default()
        };
        let cal = Calendar {
            tz: chrono_tz::Tz::America__New_York,
            ..Calendar::default()
        };
        // 02:00 UTC on 3 March is 21:00 on 2 March in New York.
        let s = take_snapshot(
            &data,
            &cal,
            Utc.with_ymd_and_hms(2026, 3, 3, 2, 0, 0).unwrap(),
        );
        assert_eq!(s.taken_on, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        let ids: Vec<&str> = s.rows.iter().map(|r| r.opportunity_id.as_str()).collect();
        assert_eq!(ids, vec!["a", "z"]);
    }
}
