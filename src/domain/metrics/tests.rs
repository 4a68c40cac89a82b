//! Every metric on one hand-made week. The period is Mon 2026-11-02 ..
//! Mon 2026-11-09 (UTC); every expected value below was worked out by hand
//! from the fixture, as the comment beside it says.

use super::*;
use crate::domain::baseline::TeamPeriod;
use crate::domain::model::*;
use crate::domain::money::Money;
use crate::domain::period::Calendar;
use chrono::{DateTime, NaiveDate, Utc};

pub(crate) fn t(s: &str) -> DateTime<Utc> {
    let s = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        format!("{s}Z")
    };
    s.parse().expect("test instant")
}

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

pub(crate) fn rep(id: &str, role: Role, start: Option<&str>, end: Option<&str>) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: id.to_uppercase(),
        email: None,
        role,
        team: None,
        manager_id: None,
        start_date: start.map(d),
        end_date: end.map(d),
        quota_amount: None,
        quota_meetings: None,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn opp(
    id: &str,
    owner: &str,
    source: Option<&str>,
    account: Option<&str>,
    created: Option<&str>,
    status: Status,
    closed: Option<&str>,
    cents: Option<i64>,
) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: id.into(),
        account_id: account.map(|a| AccountId(a.into())),
        owner_id: RepId(owner.into()),
        source_rep_id: source.map(|s| RepId(s.into())),
        created_at: created.map(t),
        stage: "Demo".into(),
        amount: cents.map(Money),
        close_date: None,
        forecast_category: None,
        status,
        closed_at: closed.map(t),
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        channel: None,
    }
}

/// An activity; `spec` is "kind[/meeting type][/outcome][/direction]".
#[allow(clippy::too_many_arguments)]
pub(crate) fn act(
    id: &str,
    rep: &str,
    spec: &str,
    at: &str,
    opp: Option<&str>,
    account: Option<&str>,
    contact: Option<&str>,
    minutes: Option<i64>,
) -> Activity {
    let mut parts = spec.split('/');
    let kind: ActivityKind = parts.next().unwrap_or("call").parse().expect("kind");
    let mut a = Activity {
        id: ActivityId(id.into()),
        rep_id: RepId(rep.into()),
        kind,
        meeting_type: None,
        label: None,
        opportunity_id: opp.map(|o| OppId(o.into())),
        account_id: account.map(|a| AccountId(a.into())),
        contact_id: contact.map(|c| ContactId(c.into())),
        occurred_at: t(at),
        outcome: None,
        duration_min: minutes,
        direction: None,
        review_session_id: None,
    };
    for p in parts {
        if let Ok(m) = p.parse() {
            a.meeting_type = Some(m);
        } else if let Ok(o) = p.parse() {
            a.outcome = Some(o);
        } else {
            a.direction = Some(p.parse().expect("spec part"));
        }
    }
    a
}

pub(crate) fn stage_move(opp: &str, at: &str, from: Option<&str>, to: &str) -> HistoryEntry {
    HistoryEntry {
        opportunity_id: OppId(opp.into()),
        changed_at: t(at),
        field: HistoryField::Stage,
        old_value: from.map(String::from),
        new_value: Some(to.into()),
        changed_by: None,
        review_session_id: None,
    }
}

fn contact(id: &str, account: &str) -> Contact {
    Contact {
        id: ContactId(id.into()),
        account_id: Some(AccountId(account.into())),
        name: id.into(),
        title: None,
    }
}

fn fixture() -> Dataset {
    use Status::*;
    let mut activities = vec![
        // ann
        act(
            "a0",
            "ann",
            "call",
            "2026-10-20T09:00:00",
            None,
            None,
            Some("c1"),
            None,
        ),
        act(
            "a1",
            "ann",
            "meeting/first/held",
            "2026-11-02T09:00:00",
            Some("o1"),
            Some("A1"),
            Some("c1"),
            Some(30),
        ),
        act(
            "a2",
            "ann",
            "meeting/follow_up",
            "2026-11-03T10:00:00",
            Some("o1"),
            None,
            Some("c2"),
            None,
        ),
        act(
            "a3",
            "ann",
            "meeting/follow_up/no_show",
            "2026-11-04T10:00:00",
            Some("o2"),
            Some("A2"),
            None,
            None,
        ),
        act(
            "a4",
            "ann",
            "call/connected",
            "2026-11-04T11:00:00",
            None,
            Some("A2"),
            Some("c3"),
            Some(5),
        ),
        act(
            "a5",
            "ann",
            "email/outbound",
            "2026-11-05T08:00:00",
            None,
            None,
            Some("c1"),
            None,
        ),
        act(
            "a6",
            "ann",
            "email/inbound",
            "2026-11-06T08:00:00",
            None,
            Some("A3"),
            Some("c4"),
            None,
        ),
        act(
            "a7",
            "ann",
            "meeting/first/held",
            "2026-11-08T23:59:59",
            Some("o2"),
            None,
            None,
            None,
        ),
        act(
            "a8",
            "ann",
            "call",
            "2026-11-09T00:00:00",
            None,
            Some("A1"),
            None,
            None,
        ),
        // bob (left 2026-11-05)
        act(
            "b0",
            "bob",
            "meeting/follow_up/held",
            "2026-10-30T09:00:00",
            Some("o1"),
            None,
            None,
            None,
        ),
        act(
            "b1",
            "bob",
            "call/connected",
            "2026-11-03T09:00:00",
            None,
            None,
            None,
            Some(4),
        ),
        // sam (SDR)
        act(
            "s1",
            "sam",
            "call/connected",
            "2026-11-02T10:00:00",
            None,
            None,
            Some("c5"),
            Some(10),
        ),
        act(
            "s2",
            "sam",
            "call/no_answer",
            "2026-11-02T11:00:00",
            None,
            Some("A4"),
            None,
            Some(1),
        ),
        act(
            "s3",
            "sam",
            "call/connected",
            "2026-11-03T10:00:00",
            None,
            Some("A5"),
            None,
            Some(20),
        ),
        act(
            "s4",
            "sam",
            "email/outbound/replied",
            "2026-11-04T10:00:00",
            None,
            None,
            Some("c6"),
            None,
        ),
        act(
            "s5",
            "sam",
            "email",
            "2026-11-04T11:00:00",
            None,
            Some("A5"),
            None,
            None,
        ),
        act(
            "s6",
            "sam",
            "email/inbound",
            "2026-11-05T10:00:00",
            None,
            Some("A6"),
            None,
            None,
        ),
        act(
            "s7",
            "sam",
            "meeting/first",
            "2026-11-05T15:00:00",
            None,
            Some("A4"),
            None,
            None,
        ),
    ];
    activities.sort_by_key(|a| a.occurred_at);
    Dataset {
        reps: vec![
            rep("ann", Role::Ae, Some("2020-01-01"), None),
            rep("bob", Role::Ae, Some("2020-01-01"), Some("2026-11-05")),
            rep("cat", Role::Ae, Some("2026-10-01"), None),
            rep("dan", Role::Ae, None, None),
            rep("eve", Role::Ae, None, None),
            rep("old", Role::Ae, Some("2020-01-01"), Some("2026-10-01")),
            rep("sam", Role::Sdr, Some("2020-01-01"), None),
        ],
        contacts: vec![
            contact("c1", "A1"),
            contact("c2", "A1"),
            contact("c5", "A4"),
            contact("c6", "A6"),
        ],
        opportunities: vec![
            opp(
                "o1",
                "ann",
                None,
                Some("A1"),
                Some("2026-10-01T12:00:00"),
                Won,
                Some("2026-11-08T23:59:59"),
                Some(100_000),
            ),
            opp(
                "o2",
                "ann",
                Some("sam"),
                Some("A2"),
                Some("2026-11-03T09:00:00"),
                Open,
                None,
                None,
            ),
            opp(
                "o3",
                "ann",
                None,
                None,
                Some("2026-09-01"),
                Lost,
                Some("2026-11-04T12:00:00"),
                Some(50_000),
            ),
            opp(
                "o4",
                "ann",
                Some("sam"),
                None,
                Some("2026-11-05"),
                Won,
                Some("2026-11-06"),
                Some(30_050),
            ),
            opp(
                "o5",
                "ann",
                None,
                None,
                Some("2026-08-01"),
                Open,
                None,
                Some(200_000),
            ),
            opp(
                "o6",
                "ann",
                None,
                Some("A9"),
                Some("2026-10-20"),
                Won,
                Some("2026-11-09T00:00:00"),
                Some(40_000),
            ),
            opp(
                "o7",
                "ann",
                None,
                None,
                Some("2026-11-10"),
                Open,
                None,
                Some(1),
            ),
            opp("o8", "eve", None, None, None, Open, None, None),
            opp(
                "s1",
                "old",
                Some("sam"),
                None,
                Some("2026-10-01"),
                Lost,
                Some("2026-11-07"),
                Some(80_000),
            ),
        ],
        history: vec![
            stage_move("o6", "2026-10-25T10:00:00", Some("Proposal"), "Negotiation"),
            stage_move("o2", "2026-11-03T09:00:00", None, "Discovery"),
            stage_move("o5", "2026-11-04T09:00:00", Some("Proposal"), "Demo"),
            stage_move("o3", "2026-11-04T12:00:00", Some("Demo"), "Closed Lost"),
            stage_move("o2", "2026-11-06T10:00:00", Some("Discovery"), "Demo"),
            stage_move(
                "o1",
                "2026-11-08T23:59:59",
                Some("Negotiation"),
                "Closed Won",
            ),
        ],
        activities,
        stages: crate::domain::Settings::default().stage_list(),
        ..Dataset::default()
    }
}

fn week() -> Period {
    Period {
        from: d("2026-11-02"),
        to: d("2026-11-09"),
    }
}

/// (value, num, den) of a metric; num/den are None for counts.
type Got = (Option<f64>, Option<f64>, Option<f64>);

fn check(rep: &str, role: Role, rows: &[(&str, Got)]) {
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let m = compute(&ix, &RepId(rep.into()), role, week());
    for (id, (value, num, den)) in rows {
        let got = m
            .get(*id)
            .unwrap_or_else(|| panic!("{rep}: no metric {id}"));
        let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        };
        assert!(
            close(got.value, *value),
            "{rep} {id}: value {:?} ≠ {value:?}",
            got.value
        );
        assert!(
            close(got.num, *num),
            "{rep} {id}: num {:?} ≠ {num:?}",
            got.num
        );
        assert!(
            close(got.den, *den),
            "{rep} {id}: den {:?} ≠ {den:?}",
            got.den
        );
    }
}

const fn n(v: f64) -> Got {
    (Some(v), None, None)
}

fn r(num: f64, den: f64) -> Got {
    ((den != 0.0).then(|| num / den), Some(num), Some(den))
}

#[test]
fn ae_quantity_metrics() {
    check(
        "ann",
        Role::Ae,
        &[
            // a1 held, a2 no outcome = held, a7 held on the last second; a3 no-show is not.
            ("meetings", n(3.0)),
            ("first_meetings", n(2.0)),     // a1, a7
            ("follow_up_meetings", n(1.0)), // a2 (a3 was a no-show)
            ("calls", n(1.0)),              // a4; a0 before, a8 on the first second after
            ("emails", n(1.0)),             // a5 outbound; a6 inbound is not sent
            ("opps_created", n(2.0)),       // o2 (11-03), o4 (11-05); o7 is after
            // o2 Discovery→Demo and o1 Negotiation→Closed Won; o5 went back,
            // o3 into Closed Lost, o6 moved before the period.
            ("progressions", n(2.0)),
            // A1 (a1, a2 via c2, a5 via c1), A2 (a3, a4, a7 via o2), A3 (a6).
            ("accounts_engaged", n(3.0)),
            // c1, c2, c3, c4 touched; c1 first touched 10-20 (a0), so 3 new.
            ("contacts_engaged_new", n(3.0)),
            // o2, o5 open; o6 closed on 11-09 00:00 so still open at the end; o7 not yet created.
            ("open_opps", n(3.0)),
            ("pipeline_value", n(2400.0)), // o5 2000 + o6 400; o2 has no amount
            ("won", n(2.0)),               // o1 (last second), o4; o6 closed after
            ("lost", n(1.0)),              // o3
            ("closed", n(3.0)),
            ("bookings", n(1300.5)), // 1000 + 300.50
        ],
    );
}

#[test]
fn ae_quality_metrics() {
    check(
        "ann",
        Role::Ae,
        &[
            ("win_rate", r(2.0, 3.0)),        // 2 won ÷ (2 + 1 lost)
            ("cohort_win_rate", r(1.0, 2.0)), // of o2, o4 created: o4 won
            ("avg_deal_size", r(1300.5, 2.0)),
            // o1 10-01 → 11-08 = 38 days; o4 11-05 → 11-06 = 1 day.
            ("sales_cycle_days", r(39.0, 2.0)),
            // at 11-08: o2 (11-03) 5, o5 (08-01) 99, o6 (10-20) 19.
            ("open_opp_age_days", r(123.0, 3.0)),
            // last stage change before the end: o2 11-06 → 2, o5 11-04 → 4, o6 10-25 → 14.
            ("stage_age_days", r(20.0, 3.0)),
            // o5 untouched since created 08-01 (99 days); o2 touched 11-08; o6 created 10-20.
            ("untouched_opps", n(1.0)),
            // o1: b0 10-30 09:00 → a1 11-02 09:00 = 3 d, a1 → a2 = 25 h;
            // o2: a3 11-04 10:00 → a7 11-08 23:59:59 = 4 d 13:59:59.
            // (259200 + 90000 + 395999) s ÷ 86400 = 745199/86400 days over 3 gaps.
            ("days_between_touches", r(745_199.0 / 86_400.0, 3.0)),
            ("meetings_per_opp", r(3.0, 2.0)), // a1, a2 on o1; a7 on o2
            ("contacts_per_account", r(4.0, 3.0)), // c1..c4 over A1..A3
            ("first_to_follow_up", r(2.0, 1.0)),
            // o2 entered Discovery 11-03 and later Demo: 1/1.
            ("stage_conversion.Discovery", r(1.0, 1.0)),
            // o2 (11-06) and o5 (11-04) entered Demo, neither moved on: 0/2.
            ("stage_conversion.Demo", r(0.0, 2.0)),
            // Nothing entered Proposal in the period: undefined, not 0.
            ("stage_conversion.Proposal", r(0.0, 0.0)),
        ],
    );
}

#[test]
fn sdr_metrics() {
    check(
        "sam",
        Role::Sdr,
        &[
            // a7 (ann's first meeting on o2, which sam sourced) and s7 (sam's own).
            ("meetings_set", n(2.0)),
            ("pipeline_created", n(300.5)), // o2 (no amount) + o4 300.50
            ("calls", n(3.0)),
            ("connected_calls", n(2.0)),
            ("talk_minutes", n(31.0)),        // 10 + 1 + 20
            ("emails", n(2.0)),               // s4 outbound, s5 no direction; s6 inbound is not
            ("accounts_engaged", n(3.0)), // A4 (s1 via c5, s2, s7), A5 (s3, s5), A6 (s4 via c6, s6)
            ("contacts_engaged_new", n(2.0)), // c5, c6
            ("connect_rate", r(2.0, 3.0)),
            ("reply_rate", r(1.0, 2.0)),
            ("contacts_per_account", r(2.0, 3.0)),
            ("activities_per_account", r(7.0, 3.0)),
            // accounts with a meeting set: A2 (a7 via o2), A4 (s7); engaged: A4, A5, A6.
            ("account_to_meeting", r(1.0, 3.0)),
            ("sourced_win_rate", r(1.0, 2.0)), // o4 won 11-06, s1 lost 11-07
            ("sourced_avg_deal_size", r(300.5, 1.0)),
        ],
    );
}

#[test]
fn a_rep_with_no_activity_gets_zero_counts_and_undefined_ratios() {
    let undefined: Got = (None, Some(0.0), Some(0.0));
    check(
        "dan",
        Role::Ae,
        &[
            ("meetings", n(0.0)),
            ("won", n(0.0)),
            ("bookings", n(0.0)),
            ("win_rate", undefined),
            ("cohort_win_rate", undefined),
            ("avg_deal_size", undefined),
            ("sales_cycle_days", undefined),
            ("days_between_touches", undefined),
            ("meetings_per_opp", undefined),
            ("contacts_per_account", undefined),
            ("first_to_follow_up", undefined),
        ],
    );
}

#[test]
fn a_deal_with_unknown_created_date_is_open_but_never_created() {
    check(
        "eve",
        Role::Ae,
        &[
            ("open_opps", n(1.0)),
            ("opps_created", n(0.0)),
            ("open_opp_age_days", (None, Some(0.0), Some(0.0))),
            // Never touched and no created date: untouched.
            ("untouched_opps", n(1.0)),
        ],
    );
}

#[test]
fn a_rep_who_left_mid_period_keeps_the_part_they_were_active() {
    // bob left 11-05: active in the week; his call of 11-03 counts.
    check("bob", Role::Ae, &[("calls", n(1.0)), ("meetings", n(0.0))]);
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let team = TeamPeriod::build(&ix, week(), 90, d("2026-11-24"));
    let ids: Vec<(&str, bool)> = team
        .rows
        .iter()
        .map(|r| (r.rep.id.as_str(), r.ramping))
        .collect();
    // old left 10-01: not active. cat started 10-01: ramping (38 days < 90) on 11-08.
    assert_eq!(
        ids,
        vec![
            ("ann", false),
            ("bob", false),
            ("cat", true),
            ("dan", false),
            ("eve", false),
            ("sam", false)
        ]
    );
}

#[test]
fn periods_read_in_the_calendar_time_zone() {
    // In New York, a7 (11-08 23:59:59 UTC) is on 11-08 local and a8
    // (11-09 00:00 UTC) is 11-08 19:00 local: both in the week. a1
    // (11-02 09:00 UTC = 04:00 local) stays in. So 4 held… a8 is a call:
    // calls = a4 + a8 = 2.
    let data = fixture();
    let cal = Calendar {
        tz: chrono_tz::America::New_York,
        ..Calendar::default()
    };
    let ix = Index::new(&data, cal, 30, &[]);
    let m = compute(&ix, &RepId("ann".into()), Role::Ae, week());
    assert_eq!(m["calls"].value, Some(2.0));
}

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

#[test]
fn point_in_time_metrics_of_an_unfinished_period_are_read_today() {
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]).with_today(d("2026-11-06"));
    let m = compute(&ix, &RepId("ann".into()), Role::Ae, week());
    let age = m.get("open_opp_age_days").expect("metric");
    // Read on 11-06, not the period's last day 11-08: o2 (11-03) 3 days,
    // o5 (08-01) 31 + 30 + 31 + 5 = 97, o6 (10-20) 11 + 6 = 17; 117 over 3.
    assert_eq!(
        (age.value, age.num, age.den),
        (Some(39.0), Some(117.0), Some(3.0))
    );
}
