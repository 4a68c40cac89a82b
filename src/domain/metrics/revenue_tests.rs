//! `discount`, its guardrail bands, `pipeline_over_90d` and `velocity`, on a
//! hand-made quarter (Q4 2026, UTC), answers worked out by hand; and the
//! off-history rule on a rising discount.

use super::fixture::{d, opp, rep};
use super::revenue::{
    DiscountBand, band_of, deal_discount, deal_metrics, discount_bands, velocity,
};
use super::*;
use crate::domain::anomaly::{self, Kind, Verdict};
use crate::domain::model::*;
use crate::domain::money::Money;
use crate::domain::period::Calendar;
use crate::domain::settings::{DiscountSettings, Settings};

fn q4() -> Period {
    Period {
        from: d("2026-10-01"),
        to: d("2027-01-01"),
    }
}

fn with_list(mut o: Opportunity, list_major: Option<i64>) -> Opportunity {
    o.list_amount = list_major.map(Money::from_major);
    o
}

/// Ann's deals in Q4 2026 (amounts in major units):
/// won  w1 9,000 of 10,000 (10 %)   created 10-01, won 11-10 (40 days)
///      w2 8,000 of 10,000 (20 %)   created 10-21, won 11-20 (30)
///      w3 11,000 of 10,000 (−10 %) created 11-01, won 12-01 (30)
///      w4 5,000 of 7,000 (28.6 %)  created 11-05, won 12-05 (30)
///      w5 3,000, no list amount    created 11-06, won 12-06 (30)
///      w0 won 09-30: another quarter
/// lost l1 on 11-15
/// open o1 20,000 created 09-01 (121 days old on 12-31)
///      o2 10,000 created 10-02 (90 days: not over 90)
///      o3 5,000 created 10-01 (91 days)
///      o4 7,000 created unknown; o5 no amount.
fn ann() -> Dataset {
    use Status::*;
    let m = |x: i64| Some(x * 100);
    let won = |id, created, closed, amount, list| {
        with_list(
            opp(
                id,
                "ann",
                None,
                None,
                Some(created),
                Won,
                Some(closed),
                m(amount),
            ),
            list,
        )
    };
    let open = |id, created: Option<&str>, amount: Option<i64>| {
        opp(
            id,
            "ann",
            None,
            None,
            created,
            Open,
            None,
            amount.and_then(m),
        )
    };
    Dataset {
        reps: vec![rep("ann", Role::Ae, None, None)],
        opportunities: vec![
            won(
                "w1",
                "2026-10-01",
                "2026-11-10T10:00:00",
                9_000,
                Some(10_000),
            ),
            won(
                "w2",
                "2026-10-21",
                "2026-11-20T10:00:00",
                8_000,
                Some(10_000),
            ),
            won(
                "w3",
                "2026-11-01",
                "2026-12-01T10:00:00",
                11_000,
                Some(10_000),
            ),
            won(
                "w4",
                "2026-11-05",
                "2026-12-05T10:00:00",
                5_000,
                Some(7_000),
            ),
            won("w5", "2026-11-06", "2026-12-06T10:00:00", 3_000, None),
            won(
                "w0",
                "2026-08-01",
                "2026-09-30T10:00:00",
                1_000,
                Some(5_000),
            ),
            opp(
                "l1",
                "ann",
                None,
                None,
                Some("2026-10-01"),
                Lost,
                Some("2026-11-15"),
                None,
            ),
            open("o1", Some("2026-09-01"), Some(20_000)),
            open("o2", Some("2026-10-02"), Some(10_000)),
            open("o3", Some("2026-10-01"), Some(5_000)),
            open("o4", None, Some(7_000)),
            open("o5", Some("2026-12-01"), None),
        ],
        ..Dataset::default()
    }
}

#[test]
fn discount_pipeline_age_and_velocity_of_a_rep() {
    let data = ann();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let m = compute(&ix, &RepId("ann".into()), Role::Ae, q4());
    // Discount: amounts 9,000 + 8,000 + 11,000 + 5,000 = 33,000 of lists
    // 37,000 → num 4,000, den 37,000 = 0.108108…; 4 deals, w5 left out.
    let disc = &m["discount"];
    assert_eq!((disc.num, disc.den), (Some(4_000.0), Some(37_000.0)));
    assert!((disc.value.expect("defined") - 4.0 / 37.0).abs() < 1e-12);
    assert_eq!((disc.deals, disc.without_amount), (Some(4), Some(1)));
    // Over 90 days: o1 20,000 + o3 5,000 of 35,000 (o1, o2, o3); o4, o5 out.
    let age = &m["pipeline_over_90d"];
    assert_eq!((age.num, age.den), (Some(25_000.0), Some(35_000.0)));
    assert_eq!((age.deals, age.without_amount), (Some(3), Some(2)));
    // Velocity: 5 open × 5/6 won × 7,200 average ÷ 32 days (160/5) = 937.5 a day.
    assert_eq!(m["win_rate"].value, Some(5.0 / 6.0));
    assert_eq!(m["avg_deal_size"].value, Some(7_200.0));
    assert_eq!(m["sales_cycle_days"].value, Some(32.0));
    assert!((m["velocity"].value.expect("defined") - 937.5).abs() < 1e-9);
}

#[test]
fn a_group_of_deals_has_the_same_metrics_as_the_rep_who_owns_them() {
    let data = ann();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let rep = compute(&ix, &RepId("ann".into()), Role::Ae, q4());
    let deals: Vec<&Opportunity> = data.opportunities.iter().collect();
    let group = deal_metrics(&ix, &deals, &ix.window(q4()));
    for (id, v) in &group {
        assert_eq!(Some(v), rep.get(id), "{id}");
    }
    assert_eq!(group.len(), 11);
}

#[test]
fn discount_of_a_single_deal_and_its_band() {
    let s = DiscountSettings::default();
    let o = |amount: i64, list: Option<i64>| {
        with_list(
            opp(
                "x",
                "ann",
                None,
                None,
                None,
                Status::Won,
                None,
                Some(amount * 100),
            ),
            list,
        )
    };
    // (amount, list, discount, band)
    let cases = [
        (9_000, Some(10_000), Some(0.1), DiscountBand::RepCall),
        (
            8_000,
            Some(10_000),
            Some(0.2),
            DiscountBand::ManagerApproval,
        ),
        (7_999, Some(10_000), Some(0.2001), DiscountBand::Exception),
        (11_000, Some(10_000), Some(-0.1), DiscountBand::RepCall),
        (100, Some(0), None, DiscountBand::Unknown),
        (100, None, None, DiscountBand::Unknown),
    ];
    for (amount, list, want, band) in cases {
        let got = deal_discount(&o(amount, list));
        match (got, want) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{amount}/{list:?}: {g}"),
            _ => assert_eq!(got, want, "{amount}/{list:?}"),
        }
        assert_eq!(band_of(got, &s), band, "{amount}/{list:?}");
    }
}

#[test]
fn won_deals_and_amount_per_guardrail_band() {
    let data = ann();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let deals: Vec<&Opportunity> = data.opportunities.iter().collect();
    let got: Vec<(DiscountBand, u64, f64)> =
        discount_bands(&deals, &ix.window(q4()), &DiscountSettings::default())
            .into_iter()
            .map(|b| (b.band, b.deals, b.amount))
            .collect();
    assert_eq!(
        got,
        [
            (DiscountBand::RepCall, 2, 20_000.0),
            (DiscountBand::ManagerApproval, 1, 8_000.0),
            (DiscountBand::Exception, 1, 5_000.0),
            (DiscountBand::Unknown, 1, 3_000.0),
        ]
    );
}

#[test]
fn velocity_is_undefined_when_any_part_is() {
    // (open, win rate, deal size, cycle, velocity)
    let cases = [
        (5.0, Some(0.5), Some(1_000.0), Some(10.0), Some(250.0)),
        (0.0, Some(0.5), Some(1_000.0), Some(10.0), Some(0.0)),
        (5.0, None, Some(1_000.0), Some(10.0), None),
        (5.0, Some(0.5), None, Some(10.0), None),
        (5.0, Some(0.5), Some(1_000.0), None, None),
        (5.0, Some(0.5), Some(1_000.0), Some(0.0), None),
    ];
    for (n, w, a, c, want) in cases {
        assert_eq!(velocity(n, w, a, c).value, want, "{n} {w:?} {a:?} {c:?}");
    }
}

#[test]
fn undefined_without_a_sample() {
    let data = Dataset {
        reps: vec![rep("bob", Role::Ae, None, None)],
        ..Dataset::default()
    };
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let m = compute(&ix, &RepId("bob".into()), Role::Ae, q4());
    for id in ["discount", "pipeline_over_90d", "velocity"] {
        assert_eq!(m[id].value, None, "{id}");
    }
}

/// Four AEs; each month Sep–Nov 2026 each wins 10 deals of list 1,000.
/// Peers give 10 % every month; "dan" gives 5 %, 8 %, 12 %.
fn discount_team() -> Dataset {
    let months = ["2026-09", "2026-10", "2026-11"];
    let reps = [
        ("ann", [900; 3]),
        ("bea", [900; 3]),
        ("cal", [900; 3]),
        ("dan", [950, 920, 880]),
    ];
    let mut opps = Vec::new();
    for (r, amounts) in reps {
        for (m, amount) in months.iter().zip(amounts) {
            for i in 0..10 {
                let id = format!("{r}-{m}-{i}");
                let mut o = opp(
                    &id,
                    r,
                    None,
                    None,
                    Some(&format!("{m}-01")),
                    Status::Won,
                    Some(&format!("{m}-{:02}T10:00:00", 10 + i)),
                    Some(amount * 100),
                );
                o.list_amount = Some(Money::from_major(1_000));
                opps.push(o);
            }
        }
    }
    Dataset {
        reps: reps
            .iter()
            .map(|(r, _)| rep(r, Role::Ae, None, None))
            .collect(),
        opportunities: opps,
        ..Dataset::default()
    }
}

#[test]
fn a_discount_rising_three_months_while_the_team_holds_is_off_history() {
    let data = discount_team();
    let settings = Settings::default();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let today = d("2026-12-02");
    let cx = anomaly::Ctx::new(&ix, &settings.anomalies, &[], today, 90);
    let nov = Period {
        from: d("2026-11-01"),
        to: d("2026-12-01"),
    };
    let found: Vec<_> = anomaly::detect(&cx, nov)
        .into_iter()
        .filter(|a| a.metric == "discount")
        .map(|a| (a.rep_id, a.kind, a.direction, a.reference, a.value))
        .collect();
    // 5 % → 8 % → 12 %: up 140 % of 5 %, the team at 10 % each month.
    assert_eq!(found.len(), 1, "{found:?}");
    let (rep, kind, dir, from, to) = &found[0];
    assert_eq!(
        (rep.as_str(), *kind, *dir),
        ("dan", Kind::OffHistory, Verdict::Bad)
    );
    assert!((from - 0.05).abs() < 1e-12 && (to - 0.12).abs() < 1e-12);
}

/// Ann's deals spread over accounts: w1, w2, l1 at "small" (SMB), w3, o1 at
/// "big" (Enterprise), w4 at "none" (no segment), the rest without account.
fn ann_with_accounts() -> Dataset {
    let mut data = ann();
    let acc = |id: &str, segment: Option<&str>| Account {
        id: AccountId(id.into()),
        name: id.into(),
        segment: segment.map(str::to_string),
        icp_tier: None,
        industry: None,
        employees: None,
    };
    data.accounts = vec![
        acc("small", Some("SMB")),
        acc("big", Some("Enterprise")),
        acc("none", None),
    ];
    for o in &mut data.opportunities {
        let a = match o.id.as_str() {
            "w1" | "w2" | "l1" => "small",
            "w3" | "o1" => "big",
            "w4" => "none",
            _ => continue,
        };
        o.account_id = Some(AccountId(a.into()));
    }
    data
}

#[test]
fn cut_by_segment_with_unknown_as_its_own_row() {
    use super::cuts::{Dimension, cut, team};
    let data = ann_with_accounts();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let rows = cut(&ix, Dimension::Segment, q4());
    #[allow(clippy::type_complexity)]
    let got: Vec<(
        Option<&str>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    )> = rows
        .iter()
        .map(|(v, m)| {
            (
                v.as_deref(),
                m["won"].value,
                m["lost"].value,
                m["bookings"].value,
                m["discount"].value,
            )
        })
        .collect();
    // Enterprise: w3 won 11,000 at list 10,000 → discount −10 %.
    // SMB: w1 + w2 won 17,000 of 20,000 → 15 %; l1 lost.
    // Unknown: w4 (account without segment), w5 and the rest (no account):
    // won 8,000, discount 1 − 5,000/7,000 = 2/7.
    assert_eq!(
        got,
        [
            (
                Some("Enterprise"),
                Some(1.0),
                Some(0.0),
                Some(11_000.0),
                Some(-0.1)
            ),
            (
                Some("SMB"),
                Some(2.0),
                Some(1.0),
                Some(17_000.0),
                Some(0.15)
            ),
            (
                None,
                Some(2.0),
                Some(0.0),
                Some(8_000.0),
                Some(2_000.0 / 7_000.0)
            ),
        ]
    );
    // The rows add up to the team: 5 won, 1 lost, 36,000 booked.
    let all = team(&ix, q4());
    assert_eq!(
        (all["won"].value, all["lost"].value, all["bookings"].value),
        (Some(5.0), Some(1.0), Some(36_000.0))
    );
    // Open pipeline: o1 (20,000) in Enterprise, the rest unknown.
    assert_eq!(rows[0].1["pipeline_value"].value, Some(20_000.0));
}

#[test]
fn cut_by_stage_at_creation_reads_the_first_stage_entry() {
    use super::cuts::{Dimension, cut};
    use super::fixture::stage_move;
    let mut data = ann();
    data.history = vec![
        stage_move("w1", "2026-10-01T09:00:00", None, "Discovery"),
        stage_move("w1", "2026-10-20T09:00:00", Some("Discovery"), "Demo"),
        stage_move("w2", "2026-10-21T09:00:00", None, "Demo"),
    ];
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let rows = cut(&ix, Dimension::StageAtCreation, q4());
    let got: Vec<(Option<&str>, Option<f64>)> = rows
        .iter()
        .map(|(v, m)| (v.as_deref(), m["won"].value))
        .collect();
    // w1 was created in Discovery (its later move to Demo doesn't count), w2 in Demo.
    assert_eq!(
        got,
        [
            (Some("Demo"), Some(1.0)),
            (Some("Discovery"), Some(1.0)),
            (None, Some(3.0))
        ]
    );
}
