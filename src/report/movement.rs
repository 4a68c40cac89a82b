//! How the call moved since last week (SPEC §8, the founder's "why"): the
//! team call of a period as it stood at the end of a past day, rebuilt from
//! history (`dataset_as_of_with_snapshots`), against the call now, and the
//! deals that moved into or out of it, each with the reason.
//!
//! A deal is *in the call* of period P on day D when it was won in P on or
//! before D, or was open in category `commit` with its close date in P
//! (the call's own definition, `domain::forecast`). Unknown amounts count
//! as 0 in the movement lists and are never in the call's sum.

use super::Input;
use crate::domain::asof::Rewind;
use crate::domain::forecast::{open_in, won_in};
use crate::domain::period::Calendar;
use crate::domain::{ForecastCategory, Money, OppId, Opportunity, Period, RepId, Status, Taken};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;

/// One deal that moved into or out of the call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallMove {
    pub opportunity_id: OppId,
    pub name: String,
    pub owner_id: RepId,
    #[serde(serialize_with = "crate::report::money_major::opt::serialize")]
    pub amount: Option<Money>,
    /// Why it moved: `new`, `pulled in`, `committed`, `pushed out`, `lost`,
    /// `decommitted`, …
    pub why: String,
}

/// The call then and now, and the deals between.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallMovement {
    pub period: Period,
    /// The past day (its end) the call is rebuilt at.
    pub then: NaiveDate,
    pub now: NaiveDate,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub call_then: Money,
    #[serde(serialize_with = "crate::report::money_major::serialize")]
    pub call_now: Money,
    pub moved_in: Vec<CallMove>,
    pub moved_out: Vec<CallMove>,
}

fn in_call(o: &Opportunity, input: &Input, p: Period, day: NaiveDate) -> bool {
    won_in(o, input.cal, p, day)
        || (open_in(o, p) && o.forecast_category == Some(ForecastCategory::Commit))
}

fn call(
    deals: &[Opportunity],
    input: &Input,
    p: Period,
    day: NaiveDate,
    owner: Option<&RepId>,
) -> (Money, Vec<OppId>) {
    let mut sum = Money::ZERO;
    let mut ids = Vec::new();
    for o in deals
        .iter()
        .filter(|o| owner.is_none_or(|r| &o.owner_id == r))
        .filter(|o| in_call(o, input, p, day))
    {
        sum += o.amount.unwrap_or(Money::ZERO);
        ids.push(o.id.clone());
    }
    (sum, ids)
}

/// The day `days` before `today`, and the end of it (the instant the call
/// is taken back to).
pub fn then_and_end(cal: &Calendar, today: NaiveDate, days: u64) -> (NaiveDate, DateTime<Utc>) {
    let then = today.checked_sub_days(Days::new(days)).unwrap_or(today);
    (then, cal.end_of(then))
}

/// The snapshot [`CallMovement::build`] reads among the stored ones: the
/// one the deals without history take at the end of `days` days ago.
pub fn reads<'s, T: Taken>(
    cal: &Calendar,
    today: NaiveDate,
    days: u64,
    snapshots: &'s [T],
) -> Option<&'s T> {
    crate::domain::asof::overlay_source(snapshots, then_and_end(cal, today, days).1)
}

impl CallMovement {
    /// The movement of the call of `period` from the end of `days` days ago
    /// to today (the dataset as it is now, edits included); `owner`: only
    /// that rep's deals (the rep's own view).
    pub fn build(input: &Input, period: Period, days: u64, owner: Option<&RepId>) -> CallMovement {
        let (then, end) = then_and_end(input.cal, input.today, days);
        // The deals alone as they stood then: the call reads nothing else.
        let past = Rewind::new(input.data, input.snapshots).opportunities_at(end);
        let (call_then, ids_then) = call(&past, input, period, then, owner);
        let (call_now, ids_now) =
            call(&input.data.opportunities, input, period, input.today, owner);
        let past_by: std::collections::HashMap<&OppId, &Opportunity> =
            past.iter().map(|o| (&o.id, o)).collect();
        let now_by = input.data.opportunities_by_id();
        let mk = |o: &Opportunity, why: String| CallMove {
            opportunity_id: o.id.clone(),
            name: o.name.clone(),
            owner_id: o.owner_id.clone(),
            amount: o.amount,
            why,
        };
        let mut moved_in: Vec<CallMove> = ids_now
            .iter()
            .filter(|id| !ids_then.contains(id))
            .filter_map(|id| now_by.get(id))
            .map(|o| {
                let why = match past_by.get(&o.id) {
                    None => "new".to_string(),
                    Some(p) if p.status != Status::Open => format!("re-opened (was {})", p.status),
                    // Won before pulled in: a deal won today gets today's
                    // close date, which is "in the period" for any deal.
                    Some(p) if o.status == Status::Won => {
                        format!(
                            "won (was {})",
                            p.forecast_category
                                .map_or("—".to_string(), |c| c.to_string())
                        )
                    }
                    Some(p) if !p.close_date.is_some_and(|d| period.contains(d)) => {
                        "pulled in".to_string()
                    }
                    Some(p) => format!(
                        "committed (was {})",
                        p.forecast_category
                            .map_or("—".to_string(), |c| c.to_string())
                    ),
                };
                mk(o, why)
            })
            .collect();
        let mut moved_out: Vec<CallMove> = ids_then
            .iter()
            .filter(|id| !ids_now.contains(id))
            .filter_map(|id| past_by.get(id))
            .map(|p| {
                let why = match now_by.get(&p.id) {
                    None => "deleted".to_string(),
                    Some(o) if o.status == Status::Lost => "lost".to_string(),
                    Some(o) if o.status == Status::Won => "won outside the period".to_string(),
                    Some(o) if !o.close_date.is_some_and(|d| period.contains(d)) => format!(
                        "pushed out (to {})",
                        o.close_date.map_or("—".to_string(), |d| d.to_string())
                    ),
                    Some(o) => format!(
                        "decommitted (now {})",
                        o.forecast_category
                            .map_or("—".to_string(), |c| c.to_string())
                    ),
                };
                mk(now_by.get(&p.id).copied().unwrap_or(p), why)
            })
            .collect();
        let by_size = |a: &CallMove, b: &CallMove| {
            b.amount
                .cmp(&a.amount)
                .then_with(|| a.opportunity_id.cmp(&b.opportunity_id))
        };
        moved_in.sort_by(by_size);
        moved_out.sort_by(by_size);
        CallMovement {
            period,
            then,
            now: input.today,
            call_then,
            call_now,
            moved_in,
            moved_out,
        }
    }
}

/// `pipedeck report movement`: the same movement the forecast pane shows,
/// between any two days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MovementReport {
    pub currency: String,
    #[serde(flatten)]
    pub movement: CallMovement,
}

impl MovementReport {
    /// The movement of the call of `period` from the end of `from` to the
    /// input's today (the end of `--to`); `Err` when `from` is after it.
    pub fn build(
        input: &Input,
        period: Period,
        from: NaiveDate,
        owner: Option<&RepId>,
    ) -> Result<MovementReport, String> {
        let days = (input.today - from).num_days();
        if days < 0 {
            return Err(format!(
                "--from {from} is after --to {}: the movement runs forward in time",
                input.today
            ));
        }
        Ok(MovementReport {
            currency: input.settings.currency.clone(),
            movement: CallMovement::build(input, period, days as u64, owner),
        })
    }
}

/// A signed amount (`+12,500`, `-3,000`, `0`).
fn signed(cents: i64) -> String {
    match cents {
        0 => "0".into(),
        c if c > 0 => format!("+{}", Money(c)),
        c => format!("-{}", Money(-c)),
    }
}

fn sum(v: &[CallMove]) -> i64 {
    v.iter().map(|x| x.amount.map_or(0, |a| a.0)).sum()
}

impl super::Report for MovementReport {
    fn tables(&self) -> Vec<super::Table> {
        use super::{Column, Table};
        let m = &self.movement;
        let mut head = Table::new(
            Some(format!(
                "How the call of {}..{} moved from {} to {} ({})",
                m.period.from, m.period.to, m.then, m.now, self.currency
            )),
            vec![
                Column::left("figure"),
                Column::right("deals"),
                Column::right("amount"),
            ],
        );
        let moved_in = sum(&m.moved_in);
        let moved_out = sum(&m.moved_out);
        let changed = m.call_now.0 - m.call_then.0 - moved_in + moved_out;
        head.rows = vec![
            vec![
                format!("call on {}", m.then),
                String::new(),
                m.call_then.to_string(),
            ],
            vec![
                "moved in".into(),
                m.moved_in.len().to_string(),
                signed(moved_in),
            ],
            vec![
                "moved out".into(),
                m.moved_out.len().to_string(),
                signed(-moved_out),
            ],
            vec![
                "amount changes (the rest of the difference)".into(),
                String::new(),
                signed(changed),
            ],
            vec![
                format!("call on {}", m.now),
                String::new(),
                m.call_now.to_string(),
            ],
        ];
        head.notes.push(format!(
            "The call of {} is rebuilt from history (snapshots where history is missing).",
            m.then
        ));
        let list = |title: &str, moves: &[CallMove], sign: &str| {
            let mut t = Table::new(
                Some(format!("{title}: {} deal(s)", moves.len())),
                vec![
                    Column::left("deal"),
                    Column::left("name"),
                    Column::left("owner"),
                    Column::right("amount"),
                    Column::left("why"),
                ],
            );
            for d in moves {
                t.rows.push(vec![
                    d.opportunity_id.to_string(),
                    d.name.clone(),
                    d.owner_id.to_string(),
                    d.amount.map_or("—".into(), |a| format!("{sign}{a}")),
                    d.why.clone(),
                ]);
            }
            if moves.is_empty() {
                t.notes.push("None.".into());
            }
            t
        };
        vec![
            head,
            list("Moved into the call", &m.moved_in, "+"),
            list("Moved out of the call", &m.moved_out, "-"),
        ]
    }
}
