//! Tests of `domain::forecast`: hand-worked literals.

#![allow(clippy::type_complexity)]
use super::*;
use crate::domain::model::*;
use chrono::{TimeZone, Utc};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn rep(id: &str, role: Role, quota: i64, end: Option<NaiveDate>) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: format!("{}{}", id[..1].to_uppercase(), &id[1..]),
        email: None,
        role,
        team: None,
        manager_id: None,
        start_date: None,
        end_date: end,
        quota_amount: Some(Money::from_major(quota)),
        quota_meetings: None,
    }
}

type Spec<'a> = (
    &'a str,
    &'a str,
    Status,
    &'a str,
    Option<ForecastCategory>,
    Option<i64>,
    NaiveDate,
);

fn opp((id, owner, status, stage, cat, amount, date): Spec) -> Opportunity {
    let closed = status != Status::Open;
    Opportunity {
        id: OppId(id.into()),
        name: id.into(),
        account_id: None,
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at: None,
        stage: stage.into(),
        amount: amount.map(Money::from_major),
        close_date: (!closed).then_some(date),
        forecast_category: cat,
        status,
        closed_at: closed.then(|| Utc.from_utc_datetime(&date.and_hms_opt(15, 0, 0).unwrap())),
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

fn stage(name: &str, position: i64, probability: f64) -> Stage {
    Stage {
        name: name.into(),
        position,
        probability,
        max_days: None,
        kind: StageKind::Open,
    }
}

/// Q1 2026 seen on 15 Feb. Quotas: ann 100k, bob 50k (cid left in 2025, sue is an SDR).
fn fixture() -> Dataset {
    use ForecastCategory::*;
    use Status::*;
    let specs: Vec<Spec> = vec![
        ("w1", "ann", Won, "Won", None, Some(20_000), d(2026, 1, 20)),
        ("w2", "bob", Won, "Won", None, None, d(2026, 2, 10)),
        ("w3", "ann", Won, "Won", None, Some(5_000), d(2025, 12, 30)),
        ("w4", "ann", Won, "Won", None, Some(7_000), d(2026, 2, 16)), // after today
        (
            "o1",
            "ann",
            Open,
            "Proposal",
            Some(Commit),
            Some(30_000),
            d(2026, 2, 20),
        ),
        (
            "o2",
            "ann",
            Open,
            "Demo",
            Some(BestCase),
            Some(40_000),
            d(2026, 3, 10),
        ),
        (
            "o3",
            "bob",
            Open,
            "Demo",
            Some(Pipeline),
            Some(10_000),
            d(2026, 3, 31),
        ),
        (
            "o4",
            "bob",
            Open,
            "Proposal",
            Some(Commit),
            Some(99_000),
            d(2026, 4, 1),
        ),
        (
            "o5",
            "bob",
            Open,
            "Weird",
            Some(Commit),
            Some(8_000),
            d(2026, 1, 31),
        ),
        (
            "o6",
            "ann",
            Open,
            "Proposal",
            Some(Commit),
            None,
            d(2026, 3, 1),
        ),
    ];
    Dataset {
        reps: vec![
            rep("ann", Role::Ae, 100_000, None),
            rep("bob", Role::Ae, 50_000, None),
            rep("cid", Role::Ae, 60_000, Some(d(2025, 12, 1))),
            rep("sue", Role::Sdr, 1_000, None),
        ],
        opportunities: specs.into_iter().map(opp).collect(),
        stages: vec![stage("Demo", 0, 0.25), stage("Proposal", 1, 0.5)],
        ..Dataset::default()
    }
}

const RULE: CoverageRule = CoverageRule {
    target: 3.0,
    light: 2.0,
};

/// (label, won, won n, won no-amt, commit, best open, open, open n, open no-amt,
///  no-prob, call, best case, pipeline, weighted, quota, to close, coverage, status)
type Row = (
    &'static str,
    [i64; 10],
    [u64; 4],
    Option<f64>,
    CoverageStatus,
);

fn figures(l: &ForecastLine) -> Row {
    let m = |x: Money| x.0 / 100;
    (
        "",
        [
            m(l.won),
            m(l.commit),
            m(l.best_case_open),
            m(l.open),
            m(l.call),
            m(l.best_case),
            m(l.pipeline),
            m(l.weighted),
            l.quota.map_or(-1, m),
            l.to_close.map_or(-1, m),
        ],
        [
            l.won_count,
            l.won_without_amount,
            l.open_count,
            l.open_without_amount,
        ],
        l.coverage.map(|c| (c * 10_000.0).round() / 10_000.0),
        l.coverage_status,
    )
}

#[test]
fn team_quarter_and_months_worked_by_hand() {
    let data = fixture();
    let cal = Calendar::default();
    let q1 = cal.fiscal_quarter(2026, 1).unwrap();
    let f = forecast(&data, &cal, q1, d(2026, 2, 15), RULE);
    use CoverageStatus::*;
    // Q1: won w1 20k (w2 no amount, w3 last year, w4 after today); open o1 o2 o3 o5 o6
    // (o4 closes 1 Apr). commit o1 30k + o5 8k = 38k; best o2 40k; open 88k (o6 no amount).
    // weighted open = o1 30k×.5 + o2 40k×.25 + o3 10k×.25 = 27.5k (o5 stage unknown).
    // quota 150k, to close 130k, coverage 88/130 = 0.6769 → light.
    // Jan: w1 20k; o5 8k commit; quota 50k → to close 30k; Jan is over on 15 Feb: no coverage.
    // Feb: w2 (no amount); o1 30k commit; 30/50 = 0.6.
    // Mar: o2 40k best, o3 10k, o6 commit no amount; weighted 10k + 2.5k; 50/50 = 1.0.
    let expected: Vec<Row> = vec![
        (
            "2026-Q1",
            [
                20_000, 38_000, 40_000, 88_000, 58_000, 98_000, 108_000, 47_500, 150_000, 130_000,
            ],
            [2, 1, 5, 1],
            Some(0.6769),
            Light,
        ),
        (
            "2026-01",
            [
                20_000, 8_000, 0, 8_000, 28_000, 28_000, 28_000, 20_000, 50_000, 30_000,
            ],
            [1, 0, 1, 0],
            None,
            Ended,
        ),
        (
            "2026-02",
            [
                0, 30_000, 0, 30_000, 30_000, 30_000, 30_000, 15_000, 50_000, 50_000,
            ],
            [1, 1, 1, 0],
            Some(0.6),
            Light,
        ),
        (
            "2026-03",
            [
                0, 0, 40_000, 50_000, 0, 40_000, 50_000, 12_500, 50_000, 50_000,
            ],
            [0, 0, 3, 1],
            Some(1.0),
            Light,
        ),
    ];
    assert_eq!(f.team.len(), 4);
    for (line, exp) in f.team.iter().zip(expected) {
        let mut got = figures(line);
        got.0 = exp.0;
        assert_eq!(line.label, exp.0);
        assert_eq!(got, exp, "{}", exp.0);
    }
    // won_count counts w2 too (no amount): Q1 has 2 won deals, 1 without amount.
    assert_eq!((f.team[0].won_count, f.team[0].won_without_amount), (2, 1));
    assert_eq!(f.team[0].open_without_probability, 1);
}

#[test]
fn per_rep_lines_use_the_rep_quota() {
    let data = fixture();
    let cal = Calendar::default();
    let q1 = cal.fiscal_quarter(2026, 1).unwrap();
    let f = forecast(&data, &cal, q1, d(2026, 2, 15), RULE);
    use CoverageStatus::*;
    // ann: won 20k; open o1 30k + o2 40k (+o6 unknown) = 70k; commit 30k → call 50k;
    // best 90k; weighted 20k + 15k + 10k = 45k; quota 100k → to close 80k; 70/80 = 0.875.
    // bob: won 0 (w2 unknown); open o3 10k + o5 8k = 18k; commit 8k; weighted 2.5k;
    // quota 50k → 18/50 = 0.36. cid (left) and sue (SDR, no deals) are not listed.
    let got: Vec<(String, Row)> = f.reps.iter().map(|l| (l.key.clone(), figures(l))).collect();
    let expected: Vec<(String, Row)> = vec![
        (
            "ann".into(),
            (
                "",
                [
                    20_000, 30_000, 40_000, 70_000, 50_000, 90_000, 90_000, 45_000, 100_000, 80_000,
                ],
                [1, 0, 3, 1],
                Some(0.875),
                Light,
            ),
        ),
        (
            "bob".into(),
            (
                "",
                [
                    0, 8_000, 0, 18_000, 8_000, 8_000, 18_000, 2_500, 50_000, 50_000,
                ],
                [1, 1, 2, 0],
                Some(0.36),
                Light,
            ),
        ),
    ];
    assert_eq!(got, expected);
}

#[test]
fn coverage_status_thresholds_and_quota_met() {
    let cal = Calendar::default();
    let q1 = cal.fiscal_quarter(2026, 1).unwrap();
    let today = d(2026, 2, 15);
    // (won, open, quota) in major units → (coverage, status)
    let cases: Vec<(i64, i64, Option<i64>, Option<f64>, CoverageStatus)> = vec![
        (0, 30_000, Some(10_000), Some(3.0), CoverageStatus::OnTarget),
        (
            0,
            29_999,
            Some(10_000),
            Some(2.9999),
            CoverageStatus::BelowTarget,
        ),
        (
            0,
            20_000,
            Some(10_000),
            Some(2.0),
            CoverageStatus::BelowTarget,
        ),
        (0, 19_999, Some(10_000), Some(1.9999), CoverageStatus::Light),
        (
            4_000,
            12_000,
            Some(10_000),
            Some(2.0),
            CoverageStatus::BelowTarget,
        ),
        (10_000, 5_000, Some(10_000), None, CoverageStatus::QuotaMet),
        (12_000, 5_000, Some(10_000), None, CoverageStatus::QuotaMet),
        (0, 5_000, None, None, CoverageStatus::NoQuota),
    ];
    // A period seen after it ended has no coverage.
    let data = Dataset::default();
    let jan = cal.month_containing(d(2026, 1, 1));
    let l = forecast_line(
        &data,
        &cal,
        jan,
        d(2026, 2, 1),
        None,
        Some(Money(1)),
        RULE,
        ("t".into(), "t".into()),
    );
    assert_eq!(
        (l.coverage, l.coverage_status),
        (None, CoverageStatus::Ended)
    );
    for (won, open, quota, cov, status) in cases {
        let data = Dataset {
            opportunities: vec![
                opp((
                    "w",
                    "ann",
                    Status::Won,
                    "Won",
                    None,
                    Some(won),
                    d(2026, 1, 5),
                )),
                opp((
                    "o",
                    "ann",
                    Status::Open,
                    "Demo",
                    None,
                    Some(open),
                    d(2026, 3, 5),
                )),
            ],
            ..Dataset::default()
        };
        let l = forecast_line(
            &data,
            &cal,
            q1,
            today,
            None,
            quota.map(Money::from_major),
            RULE,
            ("team".into(), "t".into()),
        );
        let got = l.coverage.map(|c| (c * 10_000.0).round() / 10_000.0);
        assert_eq!(
            (got, l.coverage_status),
            (cov, status),
            "{won} {open} {quota:?}"
        );
    }
}

#[test]
fn an_ae_counts_in_a_period_through_their_end_date() {
    // SPEC §2: end date "(inactive after)". Q1 2026 starts 1 Jan: an AE whose
    // last day is 1 Jan worked one day of Q1 (active); one who left 31 Dec did not.
    let q1 = Calendar::default().fiscal_quarter(2026, 1).unwrap();
    let cases = [
        (Some(d(2026, 1, 1)), true),
        (Some(d(2025, 12, 31)), false),
        (None, true),
    ];
    for (end, want) in cases {
        let r = rep("ann", Role::Ae, 100_000, end);
        assert_eq!(active_ae_in(&r, q1), want, "{end:?}");
    }
}

#[test]
fn month_quota_is_a_third_rounded_to_the_cent() {
    let cal = Calendar::default();
    let jan = cal.month_containing(d(2026, 1, 1));
    let r = rep("ann", Role::Ae, 100_000, None); // 10,000,000 cents ÷ 3 = 3,333,333.33…
    assert_eq!(
        quota_for(std::iter::once(&r), quota_share(&cal, jan)),
        Some(Money(3_333_333))
    );
    let week = cal.week_containing(d(2026, 1, 5));
    assert_eq!(
        quota_for(std::iter::once(&r), quota_share(&cal, week)),
        None
    );
}
