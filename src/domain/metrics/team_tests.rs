//! Goals, baselines and who counts as a peer: the team rules around the
//! per-metric table of `tests.rs`, on the same hand-made week.

use super::tests::{d, fixture, rep, week};
use super::*;
use crate::domain::baseline::TeamPeriod;
use crate::domain::model::*;
use crate::domain::period::Calendar;

#[test]
fn goals_merge_and_prorate() {
    use crate::domain::metrics::goals::{goal_for, goal_to_date, merge};
    let g = |metric: &str, per: PeriodKind, target: f64| Goal {
        role: Role::Ae,
        metric: metric.into(),
        period: per,
        target,
        direction: GoalDirection::AtLeast,
    };
    let config = vec![
        g("meetings", PeriodKind::Week, 15.0),
        g("win_rate", PeriodKind::Quarter, 0.25),
    ];
    let db = vec![g("meetings", PeriodKind::Week, 12.0)];
    let goals = merge(&config, &db);
    let cal = Calendar::default();
    let meetings = find(Role::Ae, "meetings").expect("metric");
    let win_rate = find(Role::Ae, "win_rate").expect("metric");
    // A whole week: the DB's 12, not the config's 15.
    let wk = goal_for(&goals, Role::Ae, &meetings, "meetings", week(), &cal).expect("goal");
    assert_eq!(wk.target, 12.0);
    // Two weeks (14 days): 12 × 14 / 7 = 24.
    let two = Period {
        from: d("2026-11-02"),
        to: d("2026-11-16"),
    };
    assert_eq!(
        goal_for(&goals, Role::Ae, &meetings, "meetings", two, &cal).map(|g| g.target),
        Some(24.0)
    );
    // A ratio is never prorated.
    assert_eq!(
        goal_for(&goals, Role::Ae, &win_rate, "win_rate", week(), &cal).map(|g| g.target),
        Some(0.25)
    );
    assert!(goal_for(&goals, Role::Sdr, &meetings, "meetings", week(), &cal).is_none());
    // The week read on its Thursday (11-05): 4 of 7 days elapsed, 12 × 4 / 7.
    let thu = d("2026-11-05");
    let part = goal_to_date(&goals, Role::Ae, &meetings, "meetings", week(), &cal, thu);
    assert_eq!(part.map(|g| g.target), Some(48.0 / 7.0));
    // Read after it ended, the whole goal; a ratio is never prorated.
    let later = d("2026-11-20");
    let whole = goal_to_date(&goals, Role::Ae, &meetings, "meetings", week(), &cal, later);
    assert_eq!(whole.map(|g| g.target), Some(12.0));
    let wr = goal_to_date(&goals, Role::Ae, &win_rate, "win_rate", week(), &cal, thu);
    assert_eq!(wr.map(|g| g.target), Some(0.25));
}

#[test]
fn baselines_leave_one_out_skip_ramping_and_need_three_peers() {
    // calls in the week: ann 1 (a4), bob 1 (b1), cat 0 (ramping), dan 0, eve 0.
    // ann's peers: bob 1, dan 0, eve 0 → median 0 (cat is ramping: not a peer).
    // cat's peers: ann 1, bob 1, dan 0, eve 0 → median 0.5 (compared, though ramping).
    // sam is the only SDR: no peers, no baseline (nor would two SDRs have one).
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let team = TeamPeriod::build(&ix, week(), 90, d("2026-11-24"));
    let base = |rep: &str, metric: &str| {
        let row = team.row(&RepId(rep.into())).expect("active rep");
        team.baseline(row, metric).map(|b| (b.median, b.peers))
    };
    assert_eq!(base("ann", "calls"), Some((0.0, 3)));
    assert_eq!(base("cat", "calls"), Some((0.5, 4)));
    assert_eq!(base("sam", "calls"), None);
    // win_rate is defined for ann only (2/3): nobody has 3 defined peers.
    assert_eq!(base("bob", "win_rate"), None);
}

#[test]
fn a_rep_who_has_not_started_yet_is_ramping_not_a_peer() {
    // Report on Wed 11-04 for the week 11-02..11-09; "new" starts Fri 11-06:
    // active in the week (start < 11-09) but the ramp is judged on 11-04,
    // before the start. Not started is not ramped: ramping, so ann's calls
    // peers stay bob 1, dan 0, eve 0 (3 peers, median 0), not 4 with new's 0.
    let mut data = fixture();
    data.reps
        .push(rep("new", Role::Ae, Some("2026-11-06"), None));
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let team = TeamPeriod::build(&ix, week(), 90, d("2026-11-04"));
    let row = team.row(&RepId("new".into())).expect("active in the week");
    assert!(row.ramping);
    let ann = team.row(&RepId("ann".into())).expect("active rep");
    let b = team.baseline(ann, "calls").expect("3 peers");
    assert_eq!((b.median, b.peers), (0.0, 3));
}

#[test]
fn a_rep_is_active_through_their_end_date() {
    // SPEC §2: end date "(inactive after)": a rep whose end date is 11-02,
    // the week's first day, worked that day, so is active in the week
    // 11-02..11-09 (and on 11-02 itself), but not in the week after, nor on 11-03.
    let r = rep("lea", Role::Ae, Some("2026-01-05"), Some("2026-11-02"));
    assert!(active_in(&r, week()));
    let next = Period {
        from: d("2026-11-03"),
        to: d("2026-11-10"),
    };
    assert!(!active_in(&r, next));
    assert!(r.is_active_on(d("2026-11-02")));
    assert!(!r.is_active_on(d("2026-11-03")));
}

/// A goal on the conversion of a stage that is not an open stage in force
/// (misspelt, in another case, or closed) applies to no one, and says so.
#[test]
fn a_goal_on_no_open_stage_is_named() {
    use crate::domain::metrics::goals::on_no_open_stage;
    let stage = |name: &str, position: i64, kind: StageKind| Stage {
        name: name.into(),
        position,
        probability: 0.5,
        max_days: None,
        kind,
    };
    // Out of pipeline order: the sentence lists the open ones in order.
    let stages = vec![
        stage("Demo", 1, StageKind::Open),
        stage("Discovery", 0, StageKind::Open),
        stage("Won", 2, StageKind::Won),
        stage("Lost", 3, StageKind::Lost),
    ];
    let g = |metric: &str| Goal {
        role: Role::Ae,
        metric: metric.into(),
        period: PeriodKind::Quarter,
        target: 0.5,
        direction: GoalDirection::AtLeast,
    };
    let goals = [
        g("stage_conversion.Demo"),
        g("stage_conversion.Dmeo"),
        g("meetings"),
        g("stage_conversion.demo"),
        g("stage_conversion.Won"),
    ];
    assert_eq!(
        on_no_open_stage(&goals, &stages),
        [
            "goal of AE per quarter on stage_conversion.Dmeo: no open stage is named \"Dmeo\" \
             (the open stages: Discovery, Demo); the goal applies to no one",
            "goal of AE per quarter on stage_conversion.demo: no open stage is named \"demo\" \
             (the open stages: Discovery, Demo); the goal applies to no one",
            "goal of AE per quarter on stage_conversion.Won: no open stage is named \"Won\" \
             (the open stages: Discovery, Demo); the goal applies to no one",
        ]
    );
    assert!(on_no_open_stage(&goals[..1], &stages).is_empty());
}
