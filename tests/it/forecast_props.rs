//! Properties over random histories: a simulated team edits deals for a few
//! weeks (every change recorded in history, as the app does) and a snapshot
//! is taken from the live data at the end of every day. Then:
//! - the snapshot of `dataset_as_of(final, end_of(D))` equals the one taken on D;
//! - every waterfall between two snapshots adds up to end − start to the cent.

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use pipedeck::domain::asof::dataset_as_of;
use pipedeck::domain::model::*;
use pipedeck::domain::period::Calendar;
use pipedeck::domain::snapshot::take_snapshot;
use pipedeck::domain::waterfall::waterfall;
use pipedeck::domain::{Money, Period, Settings};
use proptest::prelude::*;

const DAYS: u64 = 35;

/// New York: the simulated month crosses the start of daylight saving time (8 March).
fn cal() -> Calendar {
    Calendar {
        tz: chrono_tz::Tz::America__New_York,
        ..Calendar::default()
    }
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
}

/// One random change: (day, minute, kind, deal index, parameter).
type Event = (u64, i64, u8, usize, i64);

struct Sim {
    data: Dataset,
    next_id: usize,
}

impl Sim {
    fn log(
        &mut self,
        id: &OppId,
        t: DateTime<Utc>,
        field: HistoryField,
        old: Option<String>,
        new: Option<String>,
    ) {
        self.data.history.push(HistoryEntry {
            opportunity_id: id.clone(),
            changed_at: t,
            field,
            old_value: old.map(Into::into),
            new_value: new.map(Into::into),
            changed_by: None,
            review_session_id: None,
        });
    }

    fn apply(&mut self, t: DateTime<Utc>, kind: u8, idx: usize, p: i64) {
        let stages = [
            "Qualification",
            "Discovery",
            "Demo",
            "Proposal",
            "Negotiation",
        ];
        let cats = [
            ForecastCategory::Pipeline,
            ForecastCategory::BestCase,
            ForecastCategory::Commit,
            ForecastCategory::Omitted,
        ];
        let owners = ["ann", "bob", "cy"];
        let day = |p: i64| first_day() + Days::new((p.rem_euclid(90)) as u64) - Days::new(20);
        let amount = |p: i64| (p % 7 != 0).then(|| Money(p.rem_euclid(5_000_000) + 1));
        if kind == 0 || self.data.opportunities.is_empty() {
            let id = OppId(format!("o{:03}", self.next_id).into());
            self.next_id += 1;
            let stage = stages[p.rem_euclid(5) as usize].to_string();
            self.data.opportunities.push(Opportunity {
                id: id.clone(),
                name: id.0.to_string(),
                account_id: None,
                owner_id: RepId(owners[p.rem_euclid(3) as usize].into()),
                source_rep_id: None,
                created_at: Some(t),
                stage: stage.clone(),
                amount: amount(p),
                close_date: Some(day(p / 3)),
                forecast_category: Some(cats[p.rem_euclid(4) as usize]),
                status: Status::Open,
                closed_at: None,
                loss_reason: None,
                next_step: None,
                next_step_date: None,
                list_amount: None,
                channel: None,
            });
            self.log(&id, t, HistoryField::Stage, None, Some(stage));
            return;
        }
        let i = idx % self.data.opportunities.len();
        let o = self.data.opportunities[i].clone();
        let mut n = o.clone();
        let cents = |m: Option<Money>| m.map(|m| m.0.to_string());
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
        match kind {
            1 => {
                n.amount = amount(p);
                self.log(
                    &o.id,
                    t,
                    HistoryField::Amount,
                    cents(o.amount),
                    cents(n.amount),
                );
            }
            2 => {
                n.close_date = if p % 11 == 0 { None } else { Some(day(p)) };
                self.log(
                    &o.id,
                    t,
                    HistoryField::CloseDate,
                    date(o.close_date),
                    date(n.close_date),
                );
            }
            3 => {
                n.forecast_category = Some(cats[p.rem_euclid(4) as usize]);
                let c = |c: Option<ForecastCategory>| c.map(|c| c.as_str().to_string());
                self.log(
                    &o.id,
                    t,
                    HistoryField::ForecastCategory,
                    c(o.forecast_category),
                    c(n.forecast_category),
                );
            }
            4 => {
                n.stage = stages[p.rem_euclid(5) as usize].to_string();
                self.log(
                    &o.id,
                    t,
                    HistoryField::Stage,
                    Some(o.stage.clone()),
                    Some(n.stage.clone()),
                );
            }
            5 => {
                n.owner_id = RepId(owners[p.rem_euclid(3) as usize].into());
                self.log(
                    &o.id,
                    t,
                    HistoryField::OwnerId,
                    Some(o.owner_id.0.to_string()),
                    Some(n.owner_id.0.to_string()),
                );
            }
            6 if o.status == Status::Open => {
                let (status, stage) = if p % 2 == 0 {
                    (Status::Won, "Closed Won")
                } else {
                    (Status::Lost, "Closed Lost")
                };
                n.status = status;
                n.stage = stage.into();
                n.closed_at = Some(t);
                n.forecast_category = Some(ForecastCategory::Closed);
                self.log(
                    &o.id,
                    t,
                    HistoryField::Stage,
                    Some(o.stage.clone()),
                    Some(n.stage.clone()),
                );
                self.log(
                    &o.id,
                    t,
                    HistoryField::Status,
                    Some("open".into()),
                    Some(status.as_str().into()),
                );
                let c = |c: Option<ForecastCategory>| c.map(|c| c.as_str().to_string());
                self.log(
                    &o.id,
                    t,
                    HistoryField::ForecastCategory,
                    c(o.forecast_category),
                    Some("closed".into()),
                );
            }
            7 if o.status != Status::Open => {
                // Re-opened.
                n.status = Status::Open;
                n.stage = "Negotiation".into();
                n.closed_at = None;
                n.forecast_category = Some(ForecastCategory::Commit);
                self.log(
                    &o.id,
                    t,
                    HistoryField::Status,
                    Some(o.status.as_str().into()),
                    Some("open".into()),
                );
                self.log(
                    &o.id,
                    t,
                    HistoryField::Stage,
                    Some(o.stage.clone()),
                    Some(n.stage.clone()),
                );
                let c = |c: Option<ForecastCategory>| c.map(|c| c.as_str().to_string());
                self.log(
                    &o.id,
                    t,
                    HistoryField::ForecastCategory,
                    c(o.forecast_category),
                    Some("commit".into()),
                );
            }
            _ => return,
        }
        self.data.opportunities[i] = n;
    }
}

/// Runs the events; returns the final data and the end-of-day snapshots.
fn simulate(mut events: Vec<Event>) -> (Dataset, Vec<Snapshot>) {
    events.sort_by_key(|e| (e.0, e.1));
    let cal = cal();
    let mut sim = Sim {
        data: Dataset {
            stages: Settings::default().stage_list(),
            ..Dataset::default()
        },
        next_id: 0,
    };
    let mut snaps = Vec::new();
    let mut it = events.into_iter().peekable();
    for d in 0..DAYS {
        let day = first_day() + Days::new(d);
        while let Some(&(ed, minute, kind, idx, p)) = it.peek() {
            if ed != d {
                break;
            }
            // Minutes of the local day (23 hours on 8 March).
            let len = (cal.end_of(day) - cal.start_of(day)).num_minutes() - 1;
            sim.apply(
                cal.start_of(day) + Duration::minutes(minute.min(len)),
                kind,
                idx,
                p,
            );
            it.next();
        }
        snaps.push(take_snapshot(
            &sim.data,
            &cal,
            cal.end_of(day) - Duration::seconds(1),
        ));
    }
    (sim.data, snaps)
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(
        (0..DAYS, 0i64..1440, 0u8..8, 0usize..50, 0i64..10_000_000),
        0..80,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn as_of_a_day_equals_the_snapshot_taken_that_day(ev in events()) {
        let (data, snaps) = simulate(ev);
        let cal = cal();
        for s in &snaps {
            let past = dataset_as_of(&data, cal.end_of(s.taken_on));
            let rebuilt = take_snapshot(&past, &cal, s.taken_at);
            prop_assert_eq!(&rebuilt, s, "as of {}", s.taken_on);
        }
    }

    #[test]
    fn waterfall_parts_add_up_to_the_cent(ev in events(), i in 0..DAYS as usize, j in 0..DAYS as usize, month in any::<bool>()) {
        let (data, snaps) = simulate(ev);
        let (a, b) = (&snaps[i.min(j)], &snaps[i.max(j)]);
        let cal = cal();
        let period: Period = if month {
            cal.month_containing(b.taken_on)
        } else {
            cal.quarter_containing(b.taken_on)
        };
        let w = waterfall(a, b, &data, &cal, period);
        prop_assert_eq!(w.new + w.pulled_in - w.pushed_out - w.won - w.lost + w.amount_changes, w.end - w.start);
        // start and end are the period's rows of A and B, summed directly.
        let total = |s: &Snapshot| -> Money {
            s.rows
                .iter()
                .filter(|r| r.close_date.is_some_and(|d| period.contains(d)))
                .filter_map(|r| r.amount)
                .sum()
        };
        prop_assert_eq!(w.start, total(a));
        prop_assert_eq!(w.end, total(b));
        // Every part's deal list sums to the part.
        let part = |k| w.moves.iter().filter(|m| m.kind == k).map(|m| m.amount).sum::<Money>();
        use pipedeck::domain::waterfall::MoveKind::*;
        prop_assert_eq!(
            [part(New), part(PulledIn), part(PushedOut), part(Won), part(Lost), part(AmountChange)],
            [w.new, w.pulled_in, w.pushed_out, w.won, w.lost, w.amount_changes]
        );
    }
}

#[test]
fn simulation_does_something() {
    // A fixed run: a deal created on day 0, pushed on day 2, won on day 4.
    let (data, snaps) = simulate(vec![
        (0, 60, 0, 0, 3_000_000),
        (2, 60, 2, 0, 45),
        (4, 60, 6, 0, 2),
    ]);
    assert_eq!(data.opportunities.len(), 1);
    assert_eq!(data.opportunities[0].status, Status::Won);
    let open: Vec<usize> = snaps.iter().map(|s| s.rows.len()).collect();
    assert_eq!(&open[..6], &[1, 1, 1, 1, 0, 0]);
    let _ = Utc.timestamp_opt(0, 0);
}
