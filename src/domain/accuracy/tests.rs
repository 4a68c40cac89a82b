//! Accuracy, worked by hand.

#![allow(clippy::type_complexity)]

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

/// A deal won at noon of 2026-`m`-`day` (`amount` in major units).
fn won(id: &str, owner: &str, amount: Option<i64>, m: u32, day: u32) -> Opportunity {
    let closed = format!("2026-{m:02}-{day:02}T12:00:00");
    Opportunity {
        stage: "Won".into(),
        forecast_category: Some(ForecastCategory::Closed),
        ..crate::domain::metrics::tests::opp(
            id,
            owner,
            None,
            None,
            None,
            Status::Won,
            Some(&closed),
            amount.map(|a| Money::from_major(a).0),
        )
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

#[test]
fn the_quarters_rebuilt_are_the_closed_ones_with_no_snapshot_in_their_first_week() {
    // First deal 10 Feb 2025: Q1 2025 started before it (no call then), so
    // the first quarter with data is Q2 2025. Snapshots on 3 Apr 2025 (Q2's
    // first week), 9 Jul 2025 (Q3, but its 9th day: too late) and 2 Jan 2026
    // (Q1 2026). Today 15 May 2026: Q2 2026 is not closed.
    let y = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let days = [y(2025, 7, 9), y(2025, 4, 3), y(2026, 1, 2)];
    let rebuilt = quarters_to_rebuild(&Calendar::default(), y(2025, 2, 10), &days, y(2026, 5, 15));
    assert_eq!(rebuilt, [y(2025, 7, 1), y(2025, 10, 1)]);
    // A first deal on a quarter's first day: that quarter has data.
    let from_day_one =
        quarters_to_rebuild(&Calendar::default(), y(2025, 4, 1), &[], y(2025, 10, 1));
    assert_eq!(from_day_one, [y(2025, 4, 1), y(2025, 7, 1)]);
}
