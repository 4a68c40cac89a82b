//! Every anomaly kind, on small hand-made teams: cases that must flag and
//! cases that must not. Weeks start on Monday; today is Tue 2026-11-24, so
//! the last complete week is 2026-11-16..2026-11-23.

use super::*;
use crate::domain::metrics::tests::{act, d, opp, rep};
use crate::domain::model::*;
use crate::domain::settings::Settings;

const WEEKS: [&str; 3] = ["2026-11-02", "2026-11-09", "2026-11-16"];

fn today() -> NaiveDate {
    d("2026-11-24")
}

pub(super) fn last_week() -> Period {
    Period {
        from: d("2026-11-16"),
        to: d("2026-11-23"),
    }
}

/// `n` activities of `spec` by `rep` on the Monday `week` (one a minute from 09:00).
pub(super) fn many(out: &mut Vec<Activity>, rep: &str, spec: &str, day: &str, n: usize) {
    for i in 0..n {
        let at = format!("{day}T{:02}:{:02}:00", 9 + i / 60, i % 60);
        out.push(act(
            &format!("{rep}-{spec}-{day}-{i}"),
            rep,
            spec,
            &at,
            None,
            None,
            None,
            None,
        ));
    }
}

/// A team of AEs with weekly held meetings: (rep, start, [week 1, week 2, week 3]).
fn meetings_team(rows: &[(&str, &str, [usize; 3])]) -> Dataset {
    let mut acts = Vec::new();
    for (r, _, counts) in rows {
        for (w, n) in WEEKS.iter().zip(counts) {
            many(&mut acts, r, "meeting/first/held", w, *n);
        }
    }
    acts.sort_by_key(|a| a.occurred_at);
    Dataset {
        reps: rows
            .iter()
            .map(|(r, start, _)| rep(r, Role::Ae, Some(start), None))
            .collect(),
        activities: acts,
        stages: Settings::default().stage_list(),
        ..Dataset::default()
    }
}

pub(super) fn run(data: &Dataset, goals: &[Goal], p: Period) -> Vec<Anomaly> {
    let settings = Settings::default();
    let ix = Index::new(data, Calendar::default(), 30, &[]);
    let cx = Ctx::new(&ix, &settings.anomalies, goals, today(), 90);
    detect(&cx, p)
}

pub(super) fn flags(found: &[Anomaly], kind: Kind) -> Vec<(String, String, Verdict)> {
    found
        .iter()
        .filter(|a| a.kind == kind)
        .map(|a| (a.rep_id.clone(), a.metric.clone(), a.direction))
        .collect()
}

pub(super) fn meetings_goal(target: f64) -> Goal {
    Goal {
        role: Role::Ae,
        metric: "meetings".into(),
        period: PeriodKind::Week,
        target,
        direction: GoalDirection::AtLeast,
    }
}

const OLD: &str = "2024-01-01";

#[test]
fn below_goal_sustained() {
    // Goal 15 meetings a week; the last 2 complete weeks are 11-09 and 11-16.
    let data = meetings_team(&[
        ("dana", OLD, [20, 8, 8]),        // missed both: flag
        ("eli", OLD, [20, 8, 16]),        // met the last: no
        ("fay", OLD, [8, 20, 8]),         // missed only the last: no
        ("gus", OLD, [0, 7, 9]),          // missed both: flag (mean 8)
        ("new", "2026-10-01", [0, 1, 1]), // ramping: judged by the new-hire rule only
    ]);
    let found = run(&data, &[meetings_goal(15.0)], last_week());
    let got = flags(&found, Kind::BelowGoalSustained);
    assert_eq!(
        got,
        vec![
            ("dana".into(), "meetings".into(), Verdict::Bad),
            ("gus".into(), "meetings".into(), Verdict::Bad)
        ]
    );
    let dana = found
        .iter()
        .find(|a| a.rep_id == "dana" && a.kind == Kind::BelowGoalSustained)
        .expect("dana flagged");
    assert_eq!(
        dana.sentence,
        "DANA had 8 meetings held a week for the last 2 weeks; the goal is 15."
    );
    // 8 against 15: gap −7, 7/15 = 47 % → medium.
    assert_eq!((dana.value, dana.reference, dana.gap), (8.0, 15.0, -7.0));
    assert_eq!(dana.severity, Severity::Medium);
    let gus = found
        .iter()
        .find(|a| a.rep_id == "gus" && a.kind == Kind::BelowGoalSustained)
        .expect("gus flagged");
    assert!(
        gus.sentence.starts_with("GUS had 7 and 9 meetings held"),
        "{}",
        gus.sentence
    );
}

#[test]
fn below_a_deal_goal_sustained_over_periods_read_for_deals_alone() {
    // Goal: a win rate of at least 50 % a quarter. For the week 11-16..23
    // the last 2 complete quarters are Q2 (04-01..07-01) and Q3
    // (07-01..10-01): read for the deal metrics alone (no other rule reads
    // them for a week).
    let mut opps = Vec::new();
    let mut close = |rep: &str, on: &str, won: usize, lost: usize| {
        for (i, status) in
            (0..won + lost).map(|i| (i, if i < won { Status::Won } else { Status::Lost }))
        {
            let id = format!("{rep}-{on}-{i}");
            let at = format!("{on}T10:00:00");
            opps.push(opp(
                &id,
                rep,
                None,
                None,
                Some("2026-01-05T10:00:00"),
                status,
                Some(&at),
                Some(10_000),
            ));
        }
    };
    close("dana", "2026-05-12", 1, 3); // Q2 1/4 = 25 %
    close("dana", "2026-08-12", 1, 2); // Q3 1/3 = 33 %: missed both, flag
    close("eli", "2026-05-12", 1, 3); // Q2 25 %
    close("eli", "2026-08-12", 2, 1); // Q3 67 %: met the last, no
    close("fay", "2026-05-12", 3, 1); // 75 % both: no
    close("fay", "2026-08-12", 3, 1);
    // gus closed nothing: undefined, never a miss.
    let data = Dataset {
        reps: ["dana", "eli", "fay", "gus"]
            .iter()
            .map(|r| rep(r, Role::Ae, Some(OLD), None))
            .collect(),
        opportunities: opps,
        stages: Settings::default().stage_list(),
        ..Dataset::default()
    };
    let goal = Goal {
        role: Role::Ae,
        metric: "win_rate".into(),
        period: PeriodKind::Quarter,
        target: 0.5,
        direction: GoalDirection::AtLeast,
    };
    let settings = Settings::default();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let goals = [goal];
    let cx = Ctx::new(&ix, &settings.anomalies, &goals, today(), 90);
    let found = detect(&cx, last_week());
    let got = flags(&found, Kind::BelowGoalSustained);
    assert_eq!(got, vec![("dana".into(), "win_rate".into(), Verdict::Bad)]);
    let dana = found
        .iter()
        .find(|a| a.kind == Kind::BelowGoalSustained)
        .expect("dana flagged");
    assert_eq!(
        dana.sentence,
        "DANA's win rate was 25% and 33% respectively for the last 2 quarters; the goal is 50%."
    );
    // The mean of 1/4 and 1/3: 7/24.
    assert!((dana.value - 7.0 / 24.0).abs() < 1e-12 && dana.reference == 0.5);
    // Both quarters were computed for the deal metrics alone.
    let q2 = Period {
        from: d("2026-04-01"),
        to: d("2026-07-01"),
    };
    let q3 = Period {
        from: d("2026-07-01"),
        to: d("2026-10-01"),
    };
    for q in [q2, q3] {
        assert!(cx.deals_cache.borrow().contains_key(&q) && !cx.cache.borrow().contains_key(&q));
    }
    assert!(
        !cx.deals_cache.borrow()[&q2].rows[0]
            .metrics
            .contains_key("meetings")
    );
    // A quarterly report: the history rule reads Q1..Q3 whole, so the
    // goal's quarters are the whole teams, computed once; the same flag.
    let cx = Ctx::new(&ix, &settings.anomalies, &goals, today(), 90);
    let found = detect(&cx, q3);
    let got = flags(&found, Kind::BelowGoalSustained);
    assert_eq!(got, vec![("dana".into(), "win_rate".into(), Verdict::Bad)]);
    assert!(cx.deals_cache.borrow().is_empty() && cx.cache.borrow().contains_key(&q2));
}

#[test]
fn off_the_team_by_the_mad_rule() {
    // Last week: peers 10, 11, 12, 13. For eve (4): median 11.5, MAD 1
    // (deviations 1.5, .5, .5, 1.5), threshold 2 × 1.4826 × 1 = 2.97; gap
    // 7.5 > 2.97 and ≥ 25 % × 11.5 = 2.875 → flag, 7.5/11.5 = 65 % → high.
    // For ann (10): peers 11, 12, 13, 4 → median 11.5, MAD 1: gap 1.5 → no.
    // zed (30) is the good side: positive outlier. The ramping rep (0) is
    // neither flagged nor a peer (with it eve's peers' median would move).
    let data = meetings_team(&[
        ("ann", OLD, [0, 0, 10]),
        ("bea", OLD, [0, 0, 11]),
        ("cal", OLD, [0, 0, 12]),
        ("dov", OLD, [0, 0, 13]),
        ("eve", OLD, [0, 0, 4]),
        ("new", "2026-10-01", [0, 0, 0]),
    ]);
    let found = run(&data, &[], last_week());
    let off: Vec<_> = found
        .iter()
        .filter(|a| a.kind == Kind::OffTeam && a.metric == "meetings")
        .collect();
    assert_eq!(off.len(), 1, "{off:?}");
    assert_eq!(off[0].rep_id, "eve");
    assert_eq!((off[0].value, off[0].reference), (4.0, 11.5));
    assert_eq!(off[0].severity, Severity::High);
    assert_eq!(
        off[0].sentence,
        "EVE had 4 meetings held from 2026-11-16 to 2026-11-22; the other 4 AEs' median is 11.5."
    );

    let mut with_star = meetings_team(&[
        ("ann", OLD, [0, 0, 10]),
        ("bea", OLD, [0, 0, 11]),
        ("cal", OLD, [0, 0, 12]),
        ("zed", OLD, [0, 0, 30]),
    ]);
    with_star
        .reps
        .push(rep("new", Role::Ae, Some("2026-10-01"), None));
    let found = run(&with_star, &[], last_week());
    let good: Vec<_> = flags(&found, Kind::PositiveOutlier)
        .into_iter()
        .filter(|f| f.1 == "meetings")
        .collect();
    // zed: peers 10, 11, 12 → median 11, MAD 1 → 19 > 2.97 and ≥ 2.75.
    assert_eq!(good, vec![("zed".into(), "meetings".into(), Verdict::Good)]);
}

#[test]
fn no_baseline_with_fewer_than_three_peers() {
    // A role with three reps gives each two peers: no baseline, no off-team
    // flag (a role with two reps even less so). eve's 6 against peers 10 and
    // 11 (median 10.5, MAD 0.5: gap 4.5 > 1.48 and ≥ 2.6) would be flagged
    // with a third peer; nobody is twice their two peers' median either.
    let data = meetings_team(&[
        ("ann", OLD, [0, 0, 10]),
        ("bea", OLD, [0, 0, 11]),
        ("eve", OLD, [0, 0, 6]),
    ]);
    let found = run(&data, &[], last_week());
    assert!(flags(&found, Kind::OffTeam).is_empty(), "{found:?}");
    assert!(flags(&found, Kind::PositiveOutlier).is_empty());
}

/// AEs each with `won` of `closed` deals closed last week (Wednesday).
fn win_team(rows: &[(&str, u32, u32)]) -> Dataset {
    let mut opps = Vec::new();
    for (r, won, closed) in rows {
        for i in 0..*closed {
            let status = if i < *won { Status::Won } else { Status::Lost };
            opps.push(opp(
                &format!("{r}-{i}"),
                r,
                None,
                None,
                Some("2026-10-01"),
                status,
                Some("2026-11-18T12:00:00"),
                Some(100_000),
            ));
        }
    }
    Dataset {
        reps: rows
            .iter()
            .map(|(r, ..)| rep(r, Role::Ae, Some(OLD), None))
            .collect(),
        opportunities: opps,
        stages: Settings::default().stage_list(),
        ..Dataset::default()
    }
}

#[test]
fn win_rate_needs_a_sample_and_the_wilson_interval() {
    // Peers 5/10, 5/10, 6/10, 4/10: median 0.5, MAD 0.05, threshold 0.148.
    // low2: 2/10 = 0.2: gap 0.3 ≥ 0.148 and 0.125; Wilson 90 % of 2/10 is
    //   (0.069, 0.459): 0.5 outside → flag.
    // low3: 3/10: gap 0.2 passes the MAD rule, but Wilson (0.127, 0.558)
    //   holds 0.5 → no flag.
    // tiny: 1/5 = 0.2: only 5 closed < min sample 8 → no flag.
    for (who, won, closed, flagged) in [
        ("low2", 2, 10, true),
        ("low3", 3, 10, false),
        ("tiny", 1, 5, false),
    ] {
        let data = win_team(&[
            ("p1", 5, 10),
            ("p2", 5, 10),
            ("p3", 6, 10),
            ("p4", 4, 10),
            (who, won, closed),
        ]);
        let found = run(&data, &[], last_week());
        let hit = found
            .iter()
            .any(|a| a.rep_id == who && a.metric == "win_rate" && a.kind == Kind::OffTeam);
        assert_eq!(hit, flagged, "{who}: {found:?}");
    }
}

#[test]
fn off_their_own_history() {
    // Weekly meetings over 11-02, 11-09, 11-16.
    // ann 20 → 16 → 12: falls 40 % ≥ 30 % while peers hold at 20: flag (bad).
    // bob 20 → 18 → 16: falls 20 % < 30 %: no.
    // cyd 10 → 14 → 20: rises 100 %: positive outlier (good).
    let steady = [20, 20, 20];
    let data = meetings_team(&[
        ("ann", OLD, [20, 16, 12]),
        ("bob", OLD, [20, 18, 16]),
        ("cyd", OLD, [10, 14, 20]),
        ("p1", OLD, steady),
        ("p2", OLD, steady),
        ("p3", OLD, steady),
    ]);
    let found = run(&data, &[], last_week());
    // (Every meeting here is a first meeting, so first_meetings moves the same way.)
    assert_eq!(
        flags(&found, Kind::OffHistory),
        vec![
            ("ann".into(), "first_meetings".into(), Verdict::Bad),
            ("ann".into(), "meetings".into(), Verdict::Bad)
        ]
    );
    let ann = found
        .iter()
        .find(|a| a.kind == Kind::OffHistory && a.metric == "meetings")
        .expect("ann");
    assert_eq!(
        ann.sentence,
        "ANN's meetings held went 20 → 16 → 12 over the last 3 weeks while the team held at 20, 20, 20."
    );
    let good: Vec<_> = found
        .iter()
        .filter(|a| a.kind == Kind::PositiveOutlier && a.rule == Kind::OffHistory)
        .filter(|a| a.metric == "meetings")
        .map(|a| a.rep_id.as_str())
        .collect();
    assert_eq!(good, vec!["cyd"]);

    // The team moved too (peers 20 → 16 → 12 as well): not the rep's own drift.
    let falling = [20, 16, 12];
    let data = meetings_team(&[
        ("ann", OLD, [20, 16, 12]),
        ("p1", OLD, falling),
        ("p2", OLD, falling),
        ("p3", OLD, falling),
    ]);
    assert!(flags(&run(&data, &[], last_week()), Kind::OffHistory).is_empty());
}

#[test]
fn severity_bands() {
    // |value − reference| ÷ |reference|: 0.2 low, 0.4 medium, 0.7 high, zero reference high.
    let rows = [
        (8.0, 10.0, Severity::Low),
        (6.0, 10.0, Severity::Medium),
        (3.0, 10.0, Severity::High),
        (1.0, 0.0, Severity::High),
    ];
    for (v, r, s) in rows {
        assert_eq!(Severity::of(v, r), s, "{v} vs {r}");
    }
}

#[test]
fn activity_metrics_are_not_judged_on_data_without_activities() {
    // win_team records deals only (like the Maven set): a meetings goal of 15
    // would flag everyone with 0 meetings; it must not. The deal metrics still are.
    let data = win_team(&[
        ("p1", 5, 10),
        ("p2", 5, 10),
        ("p3", 6, 10),
        ("p4", 4, 10),
        ("low2", 2, 10),
    ]);
    let found = run(&data, &[meetings_goal(15.0)], last_week());
    assert!(
        flags(&found, Kind::BelowGoalSustained).is_empty(),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|a| !crate::domain::metrics::is_activity(&a.metric.parse().unwrap()))
    );
    assert!(
        found
            .iter()
            .any(|a| a.rep_id == "low2" && a.metric == "win_rate")
    );
}

#[test]
fn small_counts_are_not_judged_and_twice_two_peers_is_a_positive_outlier() {
    // Peers held 1 meeting each, ann 3: the MAD rule alone would flag it
    // (MAD 0), but the larger of 3 and 1 is under the minimum sample of 8.
    let data = meetings_team(&[
        ("ann", OLD, [0, 0, 3]),
        ("bea", OLD, [0, 0, 1]),
        ("cal", OLD, [0, 0, 1]),
        ("dov", OLD, [0, 0, 1]),
    ]);
    let found = run(&data, &[], last_week());
    assert!(found.iter().all(|a| a.rep_id != "ann"), "{found:?}");

    // Three SDRs: two peers each, so no baseline; emery engaged 28 accounts,
    // the others 14 and 14 → 28 ≥ 2 × 14 and ≥ 8: positive outlier. With
    // 27 it is not twice.
    for (emery, flagged) in [(28, true), (27, false)] {
        let mut acts = Vec::new();
        for (r, n) in [("emery", emery), ("sdr2", 14), ("sdr3", 14)] {
            for i in 0..n {
                let at = format!("2026-11-17T{:02}:{:02}:00", 9 + i / 60, i % 60);
                let account = format!("{r}-A{i}");
                acts.push(act(
                    &format!("{r}-{i}"),
                    r,
                    "call",
                    &at,
                    None,
                    Some(&account),
                    None,
                    None,
                ));
            }
        }
        acts.sort_by_key(|a| a.occurred_at);
        let data = Dataset {
            reps: ["emery", "sdr2", "sdr3"]
                .iter()
                .map(|r| rep(r, Role::Sdr, Some(OLD), None))
                .collect(),
            activities: acts,
            ..Dataset::default()
        };
        let found = run(&data, &[], last_week());
        let got: Vec<_> = found
            .iter()
            .filter(|a| a.metric == "accounts_engaged")
            .map(|a| (a.rep_id.as_str(), a.kind, a.direction, a.value, a.reference))
            .collect();
        let want = if flagged {
            vec![("emery", Kind::PositiveOutlier, Verdict::Good, 28.0, 14.0)]
        } else {
            vec![]
        };
        assert_eq!(got, want);
    }
}

#[test]
fn a_falling_win_rate_is_judged_against_the_peers_pooled_rate() {
    // Monthly closes (won/closed), report period October 2026:
    //        Aug    Sep    Oct
    // cas    6/23   4/22   2/17   → 26.1 % → 18.2 % → 11.8 %: −55 %, each den ≥ 8
    // p1     2/8    3/9    2/8
    // p2     3/12   3/10   3/10
    // p3     3/10   2/11   3/12
    // Peers' median rate: 25 %, 30 %, 25 % (Sep +20 %: outside ±10 %), but
    // pooled: 8/30 every month (26.7 %): the team held, so cas is flagged.
    let months = [
        ("2026-08-14T12:00:00", 0),
        ("2026-09-15T12:00:00", 1),
        ("2026-10-15T12:00:00", 2),
    ];
    let rows: [(&str, [(u32, u32); 3]); 4] = [
        ("cas", [(6, 23), (4, 22), (2, 17)]),
        ("p1", [(2, 8), (3, 9), (2, 8)]),
        ("p2", [(3, 12), (3, 10), (3, 10)]),
        ("p3", [(3, 10), (2, 11), (3, 12)]),
    ];
    let mut opps = Vec::new();
    for (r, by_month) in rows {
        for (at, m) in months {
            let (won, closed) = by_month[m];
            for i in 0..closed {
                let status = if i < won { Status::Won } else { Status::Lost };
                let id = format!("{r}-{m}-{i}");
                opps.push(opp(
                    &id,
                    r,
                    None,
                    None,
                    Some("2026-01-01"),
                    status,
                    Some(at),
                    Some(100_000),
                ));
            }
        }
    }
    let data = Dataset {
        reps: rows
            .iter()
            .map(|(r, _)| rep(r, Role::Ae, Some(OLD), None))
            .collect(),
        opportunities: opps,
        ..Dataset::default()
    };
    let october = Period {
        from: d("2026-10-01"),
        to: d("2026-11-01"),
    };
    let found = run(&data, &[], october);
    let got: Vec<_> = found
        .iter()
        .filter(|a| a.kind == Kind::OffHistory)
        .map(|a| (a.rep_id.as_str(), a.metric.as_str()))
        .collect();
    assert_eq!(got, vec![("cas", "win_rate")]);
    let cas = found
        .iter()
        .find(|a| a.kind == Kind::OffHistory)
        .expect("cas");
    assert_eq!(
        cas.sentence,
        "CAS's win rate went 26% → 18% → 12% over the last 3 months while the team held at 27%, 27%, 27%."
    );
}

#[test]
fn a_goal_on_a_deal_metric_reads_the_deals_of_its_periods_only() {
    let s = Settings::default();
    let cal = s.calendar().unwrap();
    let goal = |metric: &str, period| Goal {
        role: Role::Ae,
        metric: metric.to_string(),
        period,
        target: 1.0,
        direction: GoalDirection::AtLeast,
    };
    let q = |from: &str, to: &str| Period {
        from: d(from),
        to: d(to),
    };
    let goals = [
        goal("win_rate", PeriodKind::Quarter),
        goal("meetings", PeriodKind::Week),
        goal("no_such_metric", PeriodKind::Month),
    ];
    let needs = periods_needed(&cal, &s.anomalies, &goals, &[], 90, today(), last_week());
    // The last 2 complete quarters by the week's end (23 November): Q2, Q3.
    assert_eq!(
        needs.deal_periods,
        vec![q("2026-04-01", "2026-07-01"), q("2026-07-01", "2026-10-01")]
    );
    assert!(!needs.periods.contains(&q("2026-07-01", "2026-10-01")));
    // Meetings are read whole: the weeks of 9 and 16 November; an unknown
    // metric too: September and October.
    for p in [
        q("2026-11-09", "2026-11-16"),
        q("2026-11-16", "2026-11-23"),
        q("2026-09-01", "2026-10-01"),
        q("2026-10-01", "2026-11-01"),
    ] {
        assert!(needs.periods.contains(&p), "{p:?} in {:?}", needs.periods);
    }
}
