//! The records behind the hand-made week's metrics (see `metrics/tests.rs`
//! for how each value was worked out): the ids are written out, and their
//! count is the metric's value.

use super::*;
use crate::domain::metrics::fixture::{d, fixture, week};
use crate::domain::metrics::{Unit, compute};
use crate::domain::period::Calendar;

fn rec(rep: &str, role: Role, metric: &str) -> MetricRecords {
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]).with_today(d("2026-11-24"));
    records(&ix, &RepId(rep.into()), role, week(), metric).expect("a metric of the role")
}

/// (id, side, counts) of each record, activities then deals.
fn ids(r: &MetricRecords) -> Vec<(String, String, Counts)> {
    r.activities
        .iter()
        .map(|a| (a.id.clone(), a.side.clone(), a.counts))
        .chain(
            r.deals
                .iter()
                .map(|o| (o.id.clone(), o.side.clone(), o.counts)),
        )
        .collect()
}

fn s(rows: &[(&str, &str, Counts)]) -> Vec<(String, String, Counts)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
        .collect()
}

use Counts::{Both, Denominator, Numerator, Value};

#[test]
fn the_meetings_behind_ann_s_meetings_are_the_three_held() {
    let r = rec("ann", Role::Ae, "meetings");
    // a1, a2 (no outcome = held), a7 on the last second; a3 was a no-show.
    assert_eq!(
        ids(&r),
        s(&[
            ("a1", "held", Value),
            ("a2", "held", Value),
            ("a7", "held", Value)
        ])
    );
    assert_eq!(r.in_numerator(), 3); // meetings = 3
    let a7 = &r.activities[2];
    assert_eq!(
        (
            a7.date,
            a7.kind,
            a7.deal_id.as_deref(),
            a7.account_id.as_deref()
        ),
        (d("2026-11-08"), "meeting", Some("o2"), Some("A2"))
    );
}

#[test]
fn the_deals_behind_ann_s_win_rate_are_won_then_lost() {
    let r = rec("ann", Role::Ae, "win_rate");
    // win rate 2 ÷ 3: o1 and o4 won, o3 lost.
    assert_eq!(
        ids(&r),
        s(&[
            ("o1", "won", Both),
            ("o4", "won", Both),
            ("o3", "lost", Denominator)
        ])
    );
    assert_eq!((r.in_numerator(), r.counted()), (2, 3));
    assert_eq!(r.deals[0].close_date, Some(d("2026-11-08")));
    assert_eq!(r.deals[1].amount, Some(300.5));
}

#[test]
fn shares_and_ratios_list_both_sides() {
    type Want<'a> = &'a [(&'a str, &'a str, Counts)];
    let rows: &[(&str, Role, &str, Want)] = &[
        (
            "ann",
            Role::Ae,
            "first_to_follow_up",
            &[
                ("a1", "first", Numerator),
                ("a2", "follow-up", Denominator),
                ("a7", "first", Numerator),
            ],
        ),
        // o2 and o5 entered Demo; neither moved on.
        (
            "ann",
            Role::Ae,
            "stage_conversion.Demo",
            &[
                ("o2", "not moved on", Denominator),
                ("o5", "not moved on", Denominator),
            ],
        ),
        (
            "ann",
            Role::Ae,
            "untouched_opps",
            &[("o5", "untouched", Value)],
        ),
        // a7 (ann's, on o2 which sam sourced), then sam's own s7.
        (
            "sam",
            Role::Sdr,
            "meetings_set",
            &[
                ("a7", "first meeting set", Value),
                ("s7", "first meeting set", Value),
            ],
        ),
        (
            "sam",
            Role::Sdr,
            "sourced_win_rate",
            &[("o4", "won", Both), ("s1", "lost", Denominator)],
        ),
    ];
    for (rep, role, metric, want) in rows {
        assert_eq!(ids(&rec(rep, *role, metric)), s(want), "{rep} {metric}");
    }
}

/// Every count's records are its value, every share's records its num and
/// den, for every metric of the fixture's AE and SDR.
#[test]
fn the_records_add_up_to_every_count_and_share() {
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]).with_today(d("2026-11-24"));
    for (rep, role) in [("ann", Role::Ae), ("sam", Role::Sdr), ("eve", Role::Ae)] {
        let rep = RepId(rep.into());
        let m = compute(&ix, &rep, role, week());
        for (id, v) in &m {
            let def = find(role, id.as_str()).expect("registered");
            let r = records(&ix, &rep, role, week(), id.as_str())
                .unwrap_or_else(|| panic!("no records for {id}"));
            let distinct = r.note.as_deref().is_some_and(|n| n.contains("distinct"));
            match def.unit {
                Unit::Count if !distinct && id != "talk_minutes" => {
                    assert_eq!(Some(r.in_numerator() as f64), v.value, "{id}")
                }
                Unit::Share if !distinct => {
                    assert_eq!(
                        (Some(r.in_numerator() as f64), Some(r.counted() as f64)),
                        (v.num, v.den),
                        "{id}"
                    )
                }
                _ => {}
            }
        }
    }
}

#[test]
fn a_metric_the_role_does_not_have_has_no_records() {
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    assert!(records(&ix, &RepId("sam".into()), Role::Sdr, week(), "win_rate").is_none());
    assert!(records(&ix, &RepId("ann".into()), Role::Ae, week(), "nonsense").is_none());
}
