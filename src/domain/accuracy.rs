//! Forecast accuracy of past quarters (SPEC §8), per rep and for the team.
//!
//! For a closed fiscal quarter Q (Q ends on or before `today`) and a snapshot
//! S taken in Q:
//! - **call at S** = Σ amount of deals won from Q's start until S was taken
//!   (at or before S's instant, or on S's local date, and not among S's rows:
//!   a snapshot may be dated by the end of its day) + Σ amount of S's rows in
//!   category `commit` closing in Q;
//! - **actual** = Σ amount of deals won with a closed date in Q;
//! - **error** = (call − actual) ÷ actual, undefined when actual is 0;
//! - **flagged** when |error| > 25 %; a **red flag** when the quarter's
//!   headline is flagged and so was the previous quarter's.
//! - **headline**: the call of the earliest snapshot taken in Q's first 7 days
//!   ("the first day of the quarter", which with weekly snapshots is the first
//!   one); none when no snapshot was taken then.
//! - **band** of the headline error: worse than ±40 %, within ±40 %, ±15 %,
//!   ±10 %, ±5 % (bounds inclusive: exactly 15 % is within ±15 %).
//!
//! Only quarters that contain a snapshot are reported. Unknown amounts are not
//! summed; the count of won deals without an amount is shown beside.

use super::model::{Dataset, ForecastCategory, OppId, PeriodKind, RepId, Snapshot, Status};
use super::money::Money;
use super::period::{Calendar, Period};
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// Errors worse than this (in absolute value) are flagged.
pub const FLAG_THRESHOLD: f64 = 0.25;

/// The bands a maturing team moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// |error| > 40 %.
    Over40,
    /// 15 % < |error| ≤ 40 %.
    Within40,
    /// 10 % < |error| ≤ 15 %.
    Within15,
    /// 5 % < |error| ≤ 10 %.
    Within10,
    /// |error| ≤ 5 %.
    Within5,
}

impl Band {
    pub fn of(error: f64) -> Band {
        let e = error.abs();
        if e > 0.40 {
            Band::Over40
        } else if e > 0.15 {
            Band::Within40
        } else if e > 0.10 {
            Band::Within15
        } else if e > 0.05 {
            Band::Within10
        } else {
            Band::Within5
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Over40 => "worse than ±40%",
            Band::Within40 => "±40%",
            Band::Within15 => "±15%",
            Band::Within10 => "±10%",
            Band::Within5 => "±5%",
        }
    }
}

/// (call − actual) ÷ actual; `None` when actual is 0.
pub fn forecast_error(call: Money, actual: Money) -> Option<f64> {
    (actual.0 != 0).then(|| (call.0 - actual.0) as f64 / actual.0 as f64)
}

/// Whether an error is worse than ±25 %.
pub fn is_flagged(error: Option<f64>) -> bool {
    error.is_some_and(|e| e.abs() > FLAG_THRESHOLD)
}

/// The call made at one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotCall {
    pub taken_on: NaiveDate,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub call: Money,
    pub error: Option<f64>,
    pub flagged: bool,
}

/// Accuracy of one quarter for one rep or the team.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterAccuracy {
    /// Rep id, or `team`.
    pub key: String,
    pub label: String,
    pub quarter: Period,
    /// `2026-Q1`.
    pub quarter_label: String,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub actual: Money,
    pub actual_without_amount: u64,
    /// The first-day-of-quarter call (see module doc), if a snapshot was taken then.
    pub headline: Option<SnapshotCall>,
    pub flagged: bool,
    pub red_flag: bool,
    pub band: Option<Band>,
    /// Every snapshot's call in the quarter, oldest first.
    pub calls: Vec<SnapshotCall>,
}

/// Accuracy of every closed quarter that has a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accuracy {
    /// The team, oldest quarter first.
    pub team: Vec<QuarterAccuracy>,
    /// Per rep, oldest quarter first, then by rep name.
    pub reps: Vec<QuarterAccuracy>,
}

/// Accuracy on `today`; `snapshots` in any order.
pub fn accuracy<'s>(
    data: &Dataset,
    snapshots: impl IntoIterator<Item = &'s Snapshot>,
    cal: &Calendar,
    today: NaiveDate,
) -> Accuracy {
    let mut snaps: Vec<&Snapshot> = snapshots.into_iter().collect();
    snaps.sort_by_key(|s| s.taken_at);
    let mut quarters: Vec<Period> = snaps
        .iter()
        .map(|s| cal.quarter_containing(s.taken_on))
        .filter(|q| q.to <= today)
        .collect();
    quarters.dedup();
    let mut team = Vec::new();
    let mut reps = Vec::new();
    for &q in &quarters {
        let in_q: Vec<&Snapshot> = snaps
            .iter()
            .copied()
            .filter(|s| q.contains(s.taken_on))
            .collect();
        let facts = QuarterFacts::of(data, &in_q, cal, q);
        team.push(quarter_accuracy(data, &facts, cal, q, None));
        let mut owners: Vec<RepId> = in_q
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| r.owner_id.clone()))
            .chain(
                data.opportunities
                    .iter()
                    .filter(|o| {
                        o.status == Status::Won
                            && o.closed_at.is_some_and(|t| q.contains_instant(cal, t))
                    })
                    .map(|o| o.owner_id.clone()),
            )
            .collect();
        owners.sort();
        owners.dedup();
        let mut lines: Vec<QuarterAccuracy> = owners
            .iter()
            .map(|id| quarter_accuracy(data, &facts, cal, q, Some(id)))
            .collect();
        lines.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.key.cmp(&b.key)));
        reps.extend(lines);
    }
    mark_red_flags(&mut team, cal);
    mark_red_flags(&mut reps, cal);
    Accuracy { team, reps }
}

/// A red flag: flagged this quarter and the previous quarter, same key.
fn mark_red_flags(lines: &mut [QuarterAccuracy], cal: &Calendar) {
    let flagged: std::collections::HashSet<(String, NaiveDate)> = lines
        .iter()
        .filter(|l| l.flagged)
        .map(|l| (l.key.clone(), l.quarter.from))
        .collect();
    for l in lines.iter_mut() {
        let prev = cal.shift(PeriodKind::Quarter, l.quarter, -1);
        l.red_flag = l.flagged && flagged.contains(&(l.key.clone(), prev.from));
    }
}

/// What every line of a quarter reads, gathered once for the team and all
/// its reps: the deals won in the quarter, and per snapshot the deals among
/// its rows and the commit closing in the quarter per owner.
struct QuarterFacts<'a> {
    /// Instant, amount, id and owner of each deal won in the quarter.
    won: Vec<(
        chrono::DateTime<chrono::Utc>,
        Option<Money>,
        &'a OppId,
        &'a RepId,
    )>,
    snaps: Vec<SnapFacts<'a>>,
}

struct SnapFacts<'a> {
    snap: &'a Snapshot,
    in_rows: std::collections::HashSet<&'a OppId>,
    commit_by_owner: std::collections::HashMap<&'a RepId, Money>,
}

impl<'a> QuarterFacts<'a> {
    fn of(data: &'a Dataset, snaps: &[&'a Snapshot], cal: &Calendar, q: Period) -> Self {
        let won = data
            .opportunities
            .iter()
            .filter(|o| o.status == Status::Won)
            .filter_map(|o| {
                o.closed_at
                    .filter(|&t| q.contains_instant(cal, t))
                    .map(|t| (t, o.amount, &o.id, &o.owner_id))
            })
            .collect();
        let snaps = snaps
            .iter()
            .map(|s| {
                let mut commit_by_owner = std::collections::HashMap::new();
                for r in s.rows.iter().filter(|r| {
                    r.forecast_category == Some(ForecastCategory::Commit)
                        && r.close_date.is_some_and(|d| q.contains(d))
                }) {
                    if let Some(a) = r.amount {
                        *commit_by_owner.entry(&r.owner_id).or_insert(Money(0)) += a;
                    }
                }
                SnapFacts {
                    snap: s,
                    in_rows: s.rows.iter().map(|r| &r.opportunity_id).collect(),
                    commit_by_owner,
                }
            })
            .collect();
        QuarterFacts { won, snaps }
    }
}

fn quarter_accuracy(
    data: &Dataset,
    facts: &QuarterFacts<'_>,
    cal: &Calendar,
    q: Period,
    owner: Option<&RepId>,
) -> QuarterAccuracy {
    let won: Vec<_> = facts
        .won
        .iter()
        .filter(|(_, _, _, o)| owner.is_none_or(|r| *o == r))
        .map(|&(t, a, id, _)| (t, a, id))
        .collect();
    let actual: Money = won.iter().filter_map(|(_, a, _)| *a).sum();
    let calls: Vec<SnapshotCall> = facts
        .snaps
        .iter()
        .map(|f| {
            let s = f.snap;
            let won_so_far: Money = won
                .iter()
                .filter(|(t, _, id)| {
                    (*t <= s.taken_at || cal.local_date(*t) <= s.taken_on)
                        && !f.in_rows.contains(id)
                })
                .filter_map(|(_, a, _)| *a)
                .sum();
            let commit: Money = match owner {
                Some(o) => f.commit_by_owner.get(o).copied().unwrap_or(Money(0)),
                None => f.commit_by_owner.values().copied().sum(),
            };
            let call = won_so_far + commit;
            let error = forecast_error(call, actual);
            SnapshotCall {
                taken_on: s.taken_on,
                call,
                error,
                flagged: is_flagged(error),
            }
        })
        .collect();
    let first_week_end = q.from + Days::new(7);
    let headline = calls
        .iter()
        .find(|c| c.taken_on >= q.from && c.taken_on < first_week_end)
        .cloned();
    let error = headline.as_ref().and_then(|h| h.error);
    let (y, n) = cal.fiscal_label(q.from);
    let (key, label) = match owner {
        None => ("team".to_string(), "Team".to_string()),
        Some(id) => (
            id.0.to_string(),
            data.rep(id)
                .map_or_else(|| id.0.to_string(), |r| r.name.clone()),
        ),
    };
    QuarterAccuracy {
        key,
        label,
        quarter: q,
        quarter_label: format!("{y}-Q{n}"),
        actual,
        actual_without_amount: won.iter().filter(|(_, a, _)| a.is_none()).count() as u64,
        flagged: is_flagged(error),
        red_flag: false,
        band: error.map(Band::of),
        headline,
        calls,
    }
}

#[cfg(test)]
#[allow(clippy::type_complexity)]
mod tests {
    use super::*;
    use crate::domain::model::*;
    use chrono::{TimeZone, Utc};

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn error_flag_and_band_table() {
        // (call, actual) in major units → (error, flagged, band)
        let cases: Vec<(i64, i64, Option<f64>, bool, Option<Band>)> = vec![
            (100, 100, Some(0.0), false, Some(Band::Within5)),
            (105, 100, Some(0.05), false, Some(Band::Within5)),
            (106, 100, Some(0.06), false, Some(Band::Within10)),
            (90, 100, Some(-0.10), false, Some(Band::Within10)),
            (115, 100, Some(0.15), false, Some(Band::Within15)),
            (80, 100, Some(-0.20), false, Some(Band::Within40)),
            (125, 100, Some(0.25), false, Some(Band::Within40)),
            (74, 100, Some(-0.26), true, Some(Band::Within40)),
            (140, 100, Some(0.40), true, Some(Band::Within40)),
            (50, 100, Some(-0.50), true, Some(Band::Over40)),
            (300, 100, Some(2.0), true, Some(Band::Over40)),
            (100, 0, None, false, None),
        ];
        for (call, actual, err, flag, band) in cases {
            let e = forecast_error(Money::from_major(call), Money::from_major(actual));
            let rounded = e.map(|x| (x * 1000.0).round() / 1000.0);
            assert_eq!(rounded, err, "{call}/{actual}");
            assert_eq!(is_flagged(e), flag, "{call}/{actual}");
            assert_eq!(e.map(Band::of), band, "{call}/{actual}");
        }
    }

    fn won(id: &str, owner: &str, amount: Option<i64>, m: u32, day: u32) -> Opportunity {
        Opportunity {
            id: OppId(id.into()),
            name: id.into(),
            account_id: None,
            owner_id: RepId(owner.into()),
            source_rep_id: None,
            created_at: None,
            stage: "Won".into(),
            amount: amount.map(Money::from_major),
            close_date: None,
            forecast_category: Some(ForecastCategory::Closed),
            status: Status::Won,
            closed_at: Some(Utc.with_ymd_and_hms(2026, m, day, 12, 0, 0).unwrap()),
            loss_reason: None,
            next_step: None,
            next_step_date: None,
            list_amount: None,
            channel: None,
        }
    }

    fn snap(m: u32, day: u32, rows: &[(&str, &str, i64, u32, ForecastCategory)]) -> Snapshot {
        Snapshot {
            taken_on: d(m, day),
            taken_at: Utc.with_ymd_and_hms(2026, m, day, 7, 0, 0).unwrap(),
            rows: rows
                .iter()
                .map(|&(id, owner, amount, close_m, cat)| SnapshotRow {
                    opportunity_id: OppId(id.into()),
                    owner_id: RepId(owner.into()),
                    stage: "Demo".into(),
                    amount: Some(Money::from_major(amount)),
                    close_date: Some(d(close_m, 15)),
                    forecast_category: Some(cat),
                })
                .collect(),
        }
    }

    /// Q1 and Q2 2026, seen on 1 Aug (Q3 is open: its snapshot is ignored).
    /// Q1: snapshots 5 Jan (Mon) and 9 Feb. Won: a1 ann 60 on 20 Jan, b1 bob 40 on
    /// 20 Feb → actual team 100, ann 60, bob 40.
    ///   5 Jan: won so far 0; commit ann 50 (Feb) + bob 20 (Mar); ann 30 best case → team 70.
    ///     team error (70−100)/100 = −0.30 → flagged, band ±40%. ann 50 → −1/6 −16.7 %,
    ///     bob 20 → −0.5 flagged, over 40.
    ///   9 Feb: won so far a1 60; commit bob 40 (Mar) → team 100, error 0.
    /// Q2: snapshot 6 Apr (the first week): commit ann 200 (May), bob 10 (Jun);
    ///     won a2 ann 100 on 10 May, b2 bob (no amount) → actual 100 (1 without amount).
    ///     team (210−100)/100 = +1.10 flagged → red flag (Q1 flagged too); over 40.
    ///     ann (200−100)/100 = 1.0 flagged, not red (Q1 ann not flagged); bob actual 0 → undefined.
    #[test]
    fn quarters_reps_and_red_flags_worked_by_hand() {
        use ForecastCategory::*;
        let data = Dataset {
            opportunities: vec![
                won("a1", "ann", Some(60), 1, 20),
                won("b1", "bob", Some(40), 2, 20),
                won("a2", "ann", Some(100), 5, 10),
                won("b2", "bob", None, 6, 1),
            ],
            ..Dataset::default()
        };
        let snaps = vec![
            snap(
                4,
                6,
                &[("p", "ann", 200, 5, Commit), ("q", "bob", 10, 6, Commit)],
            ),
            snap(
                1,
                5,
                &[
                    ("a1", "ann", 50, 2, Commit),
                    ("b1", "bob", 20, 3, Commit),
                    ("x", "ann", 30, 3, BestCase),
                    ("y", "ann", 999, 4, Commit),
                ],
            ),
            snap(2, 9, &[("b1", "bob", 40, 3, Commit)]),
            snap(7, 6, &[("z", "bob", 1, 8, Commit)]),
        ];
        let acc = accuracy(&data, &snaps, &Calendar::default(), d(8, 1));
        let team: Vec<_> = acc
            .team
            .iter()
            .map(|l| {
                (
                    l.quarter_label.as_str(),
                    l.actual.0 / 100,
                    l.headline.as_ref().map(|h| h.call.0 / 100),
                    l.headline
                        .as_ref()
                        .and_then(|h| h.error)
                        .map(|e| (e * 1000.0).round() / 1000.0),
                    l.flagged,
                    l.red_flag,
                    l.band,
                    l.calls.iter().map(|c| c.call.0 / 100).collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(
            team,
            vec![
                (
                    "2026-Q1",
                    100,
                    Some(70),
                    Some(-0.3),
                    true,
                    false,
                    Some(Band::Within40),
                    vec![70, 100]
                ),
                (
                    "2026-Q2",
                    100,
                    Some(210),
                    Some(1.1),
                    true,
                    true,
                    Some(Band::Over40),
                    vec![210]
                ),
            ]
        );
        let reps: Vec<_> = acc
            .reps
            .iter()
            .map(|l| {
                (
                    l.quarter_label.as_str(),
                    l.key.as_str(),
                    l.actual.0 / 100,
                    l.actual_without_amount,
                    l.headline
                        .as_ref()
                        .and_then(|h| h.error)
                        .map(|e| (e * 1000.0).round() / 1000.0),
                    l.flagged,
                    l.red_flag,
                    l.band,
                )
            })
            .collect();
        assert_eq!(
            reps,
            vec![
                (
                    "2026-Q1",
                    "ann",
                    60,
                    0,
                    Some(-0.167),
                    false,
                    false,
                    Some(Band::Within40)
                ),
                (
                    "2026-Q1",
                    "bob",
                    40,
                    0,
                    Some(-0.5),
                    true,
                    false,
                    Some(Band::Over40)
                ),
                (
                    "2026-Q2",
                    "ann",
                    100,
                    0,
                    Some(1.0),
                    true,
                    false,
                    Some(Band::Over40)
                ),
                ("2026-Q2", "bob", 0, 1, None, false, false, None),
            ]
        );
    }

    /// A snapshot dated 5 Jan, taken 07:00; deals won on 5 Jan at 12:00:
    /// u (60, not in the rows: the snapshot was dated by the end of the day) counts
    /// as won so far; v (40, still a commit row at the snapshot) counts once, via
    /// its row. Call = 60 + 40 = 100 = actual → error 0.
    #[test]
    fn deals_won_on_the_snapshot_day_count_once() {
        use ForecastCategory::*;
        let data = Dataset {
            opportunities: vec![
                won("u", "ann", Some(60), 1, 5),
                won("v", "ann", Some(40), 1, 5),
            ],
            ..Dataset::default()
        };
        let snaps = vec![snap(1, 5, &[("v", "ann", 40, 1, Commit)])];
        let acc = accuracy(&data, &snaps, &Calendar::default(), d(8, 1));
        let h = acc.team[0].headline.clone().unwrap();
        assert_eq!((h.call.0 / 100, h.error), (100, Some(0.0)));
    }

    #[test]
    fn no_headline_without_a_snapshot_in_the_first_week() {
        let snaps = vec![snap(1, 12, &[])];
        let acc = accuracy(&Dataset::default(), &snaps, &Calendar::default(), d(8, 1));
        assert_eq!(acc.team.len(), 1);
        assert_eq!(
            (acc.team[0].headline.clone(), acc.team[0].band),
            (None, None)
        );
        assert_eq!(acc.team[0].calls.len(), 1);
    }
}
