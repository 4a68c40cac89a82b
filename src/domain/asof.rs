//! The pipeline as it stood at an instant, rebuilt from append-only history
//! (SPEC §8 "As of any date").
//!
//! Rule: a deal created at or after `end` did not exist yet and is dropped.
//! Every remaining deal is rewound by undoing, newest first, each history
//! entry with `changed_at ≥ end` (the field takes the entry's `old_value`).
//! A deal whose status is open after rewinding has no closed date or loss
//! reason. Activities, snoozes, tags, action items and history entries at or
//! after `end` are dropped; an action item done after `end` is still open.
//!
//! Deals without any history entry cannot be rewound field by field: for
//! them [`dataset_as_of_with_snapshots`] falls back to the nearest snapshot
//! taken before `end` (see `docs/forecast.md`).

use super::model::{
    Dataset, ForecastCategory, HistoryEntry, HistoryField, OppId, Opportunity, RepId, Snapshot,
    Status, Taken,
};
use super::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// The dataset as it stood at `end` (exclusive), from history alone.
pub fn dataset_as_of(data: &Dataset, end: DateTime<Utc>) -> Dataset {
    with_deals_as_of(data, Rewind::new(data, &[]).opportunities_at(end), end)
}

/// The dataset at `end` around `opportunities`, the deals as they stood then.
fn with_deals_as_of(
    data: &Dataset,
    opportunities: Vec<Opportunity>,
    end: DateTime<Utc>,
) -> Dataset {
    Dataset {
        reps: data.reps.clone(),
        accounts: data.accounts.clone(),
        contacts: data.contacts.clone(),
        opportunities,
        history: data
            .history
            .iter()
            .filter(|h| h.changed_at < end)
            .cloned()
            .collect(),
        activities: data
            .activities
            .iter()
            .filter(|a| a.occurred_at < end)
            .cloned()
            .collect(),
        stages: data.stages.clone(),
        snoozes: data
            .snoozes
            .iter()
            .filter(|s| s.created_at < end)
            .cloned()
            .collect(),
        tags: data
            .tags
            .iter()
            .filter(|t| t.set_at < end)
            .cloned()
            .collect(),
        crm_last_touch: data
            .crm_last_touch
            .iter()
            .filter(|t| t.1 < end)
            .cloned()
            .collect(),
        action_items: data
            .action_items
            .iter()
            .filter(|a| a.created_at < end)
            .map(|a| {
                let mut a = a.clone();
                if a.done_at.is_some_and(|d| d >= end) {
                    a.done_at = None;
                }
                a
            })
            .collect(),
        lookback: data
            .lookback
            .as_ref()
            .map(|l| crate::domain::model::Lookback {
                first_activity_at: l.first_activity_at.filter(|t| *t < end),
                first_touch: l
                    .first_touch
                    .iter()
                    .filter(|(_, _, t)| *t < end)
                    .cloned()
                    .collect(),
            }),
    }
}

/// One deal as it stood at `end` (exclusive), by the rule of this module;
/// `None` if it was created at or after `end`. `later` are the deal's own
/// history entries with `changed_at ≥ end`, in history order (entries
/// before `end` are ignored, so a deal's whole history may be passed).
pub fn opportunity_as_of(
    o: &Opportunity,
    later: &[&HistoryEntry],
    end: DateTime<Utc>,
) -> Option<Opportunity> {
    if o.created_at.is_some_and(|c| c >= end) {
        return None;
    }
    let mut o = o.clone();
    let later = || later.iter().filter(|h| h.changed_at >= end);
    // History is ordered by changed_at, then insertion: undo newest first.
    for h in later().collect::<Vec<_>>().into_iter().rev() {
        undo(&mut o, h);
    }
    if o.status == Status::Open {
        o.closed_at = None;
        o.loss_reason = None;
    } else if o.closed_at.is_some_and(|c| c >= end)
        && !later().any(|h| h.field == HistoryField::Status)
    {
        // Closed after `end` and no status history says otherwise: open then.
        o.status = Status::Open;
        o.closed_at = None;
        o.loss_reason = None;
    }
    if o.status == Status::Open && o.forecast_category == Some(ForecastCategory::Closed) {
        // Closed later with no category history to rewind (imports):
        // while open, its category is unknown, never `closed`.
        o.forecast_category = None;
    }
    Some(o)
}

/// The dataset as it stood at `end`, from history, with deals that have no
/// history at all taken from the nearest snapshot taken before `end` (when
/// they are in it: stage, amount, close date, category and owner, and open).
/// `snapshots` may be in any order.
pub fn dataset_as_of_with_snapshots(
    data: &Dataset,
    snapshots: &[Snapshot],
    end: DateTime<Utc>,
) -> Dataset {
    with_deals_as_of(
        data,
        Rewind::new(data, snapshots).opportunities_at(end),
        end,
    )
}

/// The deals alone as they stood at `end` (by the rule of this module,
/// snapshots as fallback), for one instant or many over the same data (the
/// accuracy report's rebuilt quarter starts): the history is grouped by deal
/// once, and nothing but the deals is rewound.
pub struct Rewind<'a> {
    data: &'a Dataset,
    snapshots: &'a [Snapshot],
    by_deal: foldhash::HashMap<&'a OppId, Vec<&'a HistoryEntry>>,
}

impl<'a> Rewind<'a> {
    pub fn new(data: &'a Dataset, snapshots: &'a [Snapshot]) -> Rewind<'a> {
        let mut by_deal = foldhash::HashMap::<&OppId, Vec<&HistoryEntry>>::default();
        for h in &data.history {
            by_deal.entry(&h.opportunity_id).or_default().push(h);
        }
        Rewind {
            data,
            snapshots,
            by_deal,
        }
    }

    /// The deals at `end`: `dataset_as_of_with_snapshots(…).opportunities`.
    pub fn opportunities_at(&self, end: DateTime<Utc>) -> Vec<Opportunity> {
        self.rewound(end, false)
    }

    /// The deals open at `end`: `opportunities_at(end)` less the deals
    /// closed then, in the same order. A deal closed before `end` with no
    /// history entry at or after it stays as it is (closed), so it is
    /// passed over without a copy (most of the deals, for an instant years
    /// back: the accuracy report's rebuilt quarter starts).
    pub fn open_at(&self, end: DateTime<Utc>) -> Vec<Opportunity> {
        let mut opps = self.rewound(end, true);
        opps.retain(|o| o.status == Status::Open);
        opps
    }

    /// The deals at `end`, less (when `skip_closed`) those closed before
    /// it with nothing at or after it to undo.
    fn rewound(&self, end: DateTime<Utc>, skip_closed: bool) -> Vec<Opportunity> {
        let mut opps: Vec<Opportunity> = self
            .data
            .opportunities
            .iter()
            .filter_map(|o| {
                // The deal's whole history: entries before `end` are passed over.
                let history = self.by_deal.get(&o.id).map_or(&[][..], |v| v.as_slice());
                let closed_then = skip_closed
                    && o.status.is_closed()
                    && o.closed_at.is_some_and(|c| c < end)
                    && history.iter().all(|h| h.changed_at < end);
                if closed_then {
                    return None;
                }
                opportunity_as_of(o, history, end)
            })
            .collect();
        overlay_snapshot(&mut opps, &self.by_deal, self.snapshots, end);
        opps
    }
}

/// Deals without history take the nearest snapshot before `end` (see the
/// module doc).
fn overlay_snapshot(
    opportunities: &mut [Opportunity],
    with_history: &foldhash::HashMap<&OppId, Vec<&HistoryEntry>>,
    snapshots: &[Snapshot],
    end: DateTime<Utc>,
) {
    let Some(snap) = overlay_source(snapshots, end) else {
        return;
    };
    let rows: HashMap<&OppId, _> = snap.rows.iter().map(|r| (&r.opportunity_id, r)).collect();
    for o in opportunities {
        if with_history.contains_key(&o.id) {
            continue;
        }
        let Some(r) = rows.get(&o.id) else { continue };
        if o.status.is_closed() && o.closed_at.is_some_and(|c| c < end) {
            continue; // it closed between the snapshot and `end`
        }
        o.owner_id = r.owner_id.clone();
        o.stage = r.stage.clone();
        o.amount = r.amount;
        o.close_date = r.close_date;
        o.forecast_category = r.forecast_category;
        o.status = Status::Open;
        o.closed_at = None;
        o.loss_reason = None;
    }
}

/// The snapshot the deals without history take at `end`: the latest one
/// taken before it (the same pick on the rows or on their heads).
pub fn overlay_source<T: Taken>(snapshots: &[T], end: DateTime<Utc>) -> Option<&T> {
    snapshots
        .iter()
        .filter(|s| s.taken_at() < end)
        .max_by_key(|s| s.taken_at())
}

/// Puts back the value a field had before `h`. Values that don't parse
/// (foreign data) leave the field as it is.
fn undo(o: &mut Opportunity, h: &HistoryEntry) {
    let old = h
        .old_value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match h.field {
        HistoryField::Stage => {
            if let Some(s) = old {
                o.stage = s.to_string();
            }
        }
        HistoryField::Amount => match old {
            None => o.amount = None,
            Some(s) => {
                if let Ok(c) = s.parse::<i64>() {
                    o.amount = Some(Money(c));
                }
            }
        },
        HistoryField::CloseDate => match old {
            None => o.close_date = None,
            Some(s) => {
                if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    o.close_date = Some(d);
                }
            }
        },
        HistoryField::ForecastCategory => match old {
            None => o.forecast_category = None,
            Some(s) => {
                if let Ok(c) = s.parse::<ForecastCategory>() {
                    o.forecast_category = Some(c);
                }
            }
        },
        HistoryField::OwnerId => {
            if let Some(s) = old {
                o.owner_id = RepId::from(s);
            }
        }
        HistoryField::Status => {
            if let Some(Ok(s)) = old.map(str::parse::<Status>) {
                o.status = s;
            }
        }
        HistoryField::NextStep => o.next_step = old.map(str::to_string),
        HistoryField::NextStepDate => {
            o.next_step_date = old.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        }
    }
}

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;
    use crate::domain::model::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn opp(id: &str, created: Option<DateTime<Utc>>) -> Opportunity {
        Opportunity {
            id: OppId(id.into()),
            name: id.into(),
            account_id: None,
            owner_id: RepId("ann".into()),
            source_rep_id: None,
            created_at: created,
            stage: "Proposal".into(),
            amount: Some(Money::from_major(900)),
            close_date: Some(day(30)),
            forecast_category: Some(ForecastCategory::Commit),
            status: Status::Open,
            closed_at: None,
            loss_reason: None,
            next_step: None,
            next_step_date: None,
            list_amount: None,
            channel: None,
        }
    }

    fn hist(
        id: &str,
        t: DateTime<Utc>,
        f: HistoryField,
        old: Option<&str>,
        new: &str,
    ) -> HistoryEntry {
        HistoryEntry {
            opportunity_id: OppId(id.into()),
            changed_at: t,
            field: f,
            old_value: old.map(Into::into),
            new_value: Some(new.to_string().into()),
            changed_by: None,
            review_session_id: None,
        }
    }

    /// Deal "a": created 1 Mar at 500 in Demo, closing 20 Mar, pipeline;
    /// on 5 Mar amount 500→700, stage Demo→Proposal; on 10 Mar amount 700→900,
    /// close date 20→30 Mar, category pipeline→commit. Deal "b" created 8 Mar.
    fn fixture() -> Dataset {
        use HistoryField::*;
        Dataset {
            opportunities: vec![opp("a", Some(at(1, 9))), opp("b", Some(at(8, 9)))],
            history: vec![
                hist("a", at(1, 9), Stage, None, "Demo"),
                hist("a", at(5, 10), Amount, Some("50000"), "70000"),
                hist("a", at(5, 10), Stage, Some("Demo"), "Proposal"),
                hist("b", at(8, 9), Stage, None, "Proposal"),
                hist("a", at(10, 10), Amount, Some("70000"), "90000"),
                hist("a", at(10, 10), CloseDate, Some("2026-03-20"), "2026-03-30"),
                hist(
                    "a",
                    at(10, 10),
                    ForecastCategory,
                    Some("pipeline"),
                    "commit",
                ),
            ],
            ..Dataset::default()
        }
    }

    #[test]
    fn rewinds_fields_and_drops_later_deals() {
        let data = fixture();
        // (end, deal ids, a's amount in cents, a's stage, a's close day, a's category, history kept)
        let cases: Vec<(
            DateTime<Utc>,
            Vec<&str>,
            i64,
            &str,
            u32,
            ForecastCategory,
            usize,
        )> = vec![
            // Before 5 Mar 10:00: nothing of a's changes happened; b doesn't exist.
            (
                at(5, 10),
                vec!["a"],
                50_000,
                "Demo",
                20,
                ForecastCategory::Pipeline,
                1,
            ),
            // Between: amount 700, Proposal; b exists (created 8 Mar 09:00).
            (
                at(9, 0),
                vec!["a", "b"],
                70_000,
                "Proposal",
                20,
                ForecastCategory::Pipeline,
                4,
            ),
            // After everything: as now.
            (
                at(11, 0),
                vec!["a", "b"],
                90_000,
                "Proposal",
                30,
                ForecastCategory::Commit,
                7,
            ),
        ];
        for (end, ids, amount, stage, close, cat, hist_len) in cases {
            let d = dataset_as_of(&data, end);
            let got: Vec<&str> = d.opportunities.iter().map(|o| o.id.as_str()).collect();
            assert_eq!(got, ids, "deals at {end}");
            let a = &d.opportunities[0];
            assert_eq!(a.amount, Some(Money(amount)), "amount at {end}");
            assert_eq!(a.stage, stage, "stage at {end}");
            assert_eq!(a.close_date, Some(day(close)), "close at {end}");
            assert_eq!(a.forecast_category, Some(cat), "category at {end}");
            assert_eq!(d.history.len(), hist_len, "history at {end}");
        }
    }

    #[test]
    fn a_next_step_set_later_is_rewound_with_its_date() {
        let mut data = fixture();
        data.opportunities[0].next_step = Some("Send SOW".into());
        data.opportunities[0].next_step_date = Some(day(25));
        data.history.push(hist(
            "a",
            at(12, 9),
            HistoryField::NextStep,
            None,
            "Send SOW",
        ));
        data.history.push(hist(
            "a",
            at(12, 9),
            HistoryField::NextStepDate,
            Some("2026-03-18"),
            "2026-03-25",
        ));
        let before = dataset_as_of(&data, at(12, 9));
        let a = &before.opportunities[0];
        assert_eq!(
            (a.next_step.as_deref(), a.next_step_date),
            (None, Some(day(18)))
        );
        let after = dataset_as_of(&data, at(12, 10));
        let a = &after.opportunities[0];
        assert_eq!(
            (a.next_step.as_deref(), a.next_step_date),
            (Some("Send SOW"), Some(day(25)))
        );
    }

    #[test]
    fn a_deal_imported_closed_is_open_before_with_no_category() {
        let mut data = fixture();
        // b was won on 12 Mar; the import brought no history for it at all.
        data.history.retain(|h| h.opportunity_id.as_str() != "b");
        let b = &mut data.opportunities[1];
        b.status = Status::Won;
        b.forecast_category = Some(ForecastCategory::Closed);
        b.closed_at = Some(at(12, 15));
        let before = dataset_as_of(&data, at(12, 15));
        let b = &before.opportunities[1];
        assert_eq!((b.status, b.forecast_category), (Status::Open, None));
        let after = dataset_as_of(&data, at(12, 16));
        let b = &after.opportunities[1];
        assert_eq!(
            (b.status, b.forecast_category),
            (Status::Won, Some(ForecastCategory::Closed))
        );
    }

    #[test]
    fn a_deal_won_later_is_open_before() {
        let mut data = fixture();
        data.opportunities[1].status = Status::Won;
        data.opportunities[1].stage = "Closed Won".into();
        data.opportunities[1].closed_at = Some(at(12, 15));
        data.history.push(hist(
            "b",
            at(12, 15),
            HistoryField::Status,
            Some("open"),
            "won",
        ));
        data.history.push(hist(
            "b",
            at(12, 15),
            HistoryField::Stage,
            Some("Proposal"),
            "Closed Won",
        ));
        let before = dataset_as_of(&data, at(12, 15));
        let b = &before.opportunities[1];
        assert_eq!(
            (b.status, b.stage.as_str(), b.closed_at),
            (Status::Open, "Proposal", None)
        );
        let after = dataset_as_of(&data, at(12, 16));
        assert_eq!(after.opportunities[1].status, Status::Won);
        // The deals alone, rewound from history grouped by deal: the same.
        let rewind = Rewind::new(&data, &[]);
        let b = &rewind.opportunities_at(at(12, 15))[1];
        assert_eq!(
            (b.status, b.stage.as_str(), b.closed_at),
            (Status::Open, "Proposal", None)
        );
        assert_eq!(rewind.opportunities_at(at(12, 16))[1].status, Status::Won);
    }

    #[test]
    fn deals_without_history_fall_back_to_the_nearest_earlier_snapshot() {
        let mut data = Dataset {
            opportunities: vec![opp("c", None)],
            ..Dataset::default()
        };
        data.opportunities[0].status = Status::Lost;
        data.opportunities[0].closed_at = Some(at(20, 9));
        let row = |amount: i64, stage: &str| SnapshotRow {
            opportunity_id: OppId("c".into()),
            owner_id: RepId("bob".into()),
            stage: stage.into(),
            amount: Some(Money(amount)),
            close_date: Some(day(25)),
            forecast_category: Some(ForecastCategory::BestCase),
        };
        let snaps = vec![
            Snapshot {
                taken_on: day(9),
                taken_at: at(9, 7),
                rows: vec![row(30_000, "Demo")],
            },
            Snapshot {
                taken_on: day(2),
                taken_at: at(2, 7),
                rows: vec![row(10_000, "Discovery")],
            },
        ];
        // The whole dataset rewound, and the deals alone (the accuracy
        // report's rebuilt quarter starts): the same deals.
        let rewind = Rewind::new(&data, &snaps);
        let whole = |end| dataset_as_of_with_snapshots(&data, &snaps, end).opportunities;
        let alone = |end| rewind.opportunities_at(end);
        let paths: [&dyn Fn(DateTime<Utc>) -> Vec<Opportunity>; 2] = [&whole, &alone];
        for at_end in paths {
            // As of 10 Mar: the 9 Mar snapshot (nearest before) gives the deal, open.
            let c = &at_end(at(10, 0))[0];
            assert_eq!(
                (c.status, c.amount, c.stage.as_str(), c.owner_id.as_str()),
                (Status::Open, Some(Money(30_000)), "Demo", "bob")
            );
            // As of 5 Mar: the 2 Mar snapshot.
            assert_eq!(at_end(at(5, 0))[0].amount, Some(Money(10_000)));
            // As of 21 Mar: it was lost on 20 Mar, the live record stands.
            assert_eq!(at_end(at(21, 0))[0].status, Status::Lost);
            // Before any snapshot: history alone (closed later, so open).
            let c = &at_end(at(1, 0))[0];
            assert_eq!((c.status, c.amount), (Status::Open, Some(Money(90_000))));
        }
    }
}
