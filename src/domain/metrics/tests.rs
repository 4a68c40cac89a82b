//! Every metric on one hand-made week. The period is Mon 2026-11-02 ..
//! Mon 2026-11-09 (UTC); every expected value below was worked out by hand
//! from the fixture, as the comment beside it says.

pub(crate) use super::fixture::*;
use super::*;
use crate::domain::baseline::TeamPeriod;
use crate::domain::model::*;
use crate::domain::period::Calendar;

/// (value, num, den) of a metric; num/den are None for counts.
type Got = (Option<f64>, Option<f64>, Option<f64>);

fn check(rep: &str, role: Role, rows: &[(&str, Got)]) {
    check_with(compute, rep, role, rows);
}

type ComputeFn = fn(&Index<'_>, &RepId, Role, Period) -> MetricSet;

fn check_with(compute: ComputeFn, rep: &str, role: Role, rows: &[(&str, Got)]) {
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

/// The new-hire rule's quantity-only compute gives the same quantity
/// values (the literals of `ae_quantity_metrics`) and skips the quality ones.
#[test]
fn quantity_only_compute() {
    check_with(
        compute_quantity,
        "ann",
        Role::Ae,
        &[
            ("meetings", n(3.0)),
            ("first_meetings", n(2.0)),
            ("follow_up_meetings", n(1.0)),
            ("calls", n(1.0)),
            ("emails", n(1.0)),
            ("opps_created", n(2.0)),
            ("accounts_engaged", n(3.0)),
            ("contacts_engaged_new", n(3.0)),
        ],
    );
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let m = compute_quantity(&ix, &RepId("ann".into()), Role::Ae, week());
    assert!(!m.contains_key("win_rate") && !m.contains_key("velocity"));
}

/// The deal metrics alone (the sustained rule's periods of a deal goal):
/// the deal metrics' literals of `ae_quantity_metrics`,
/// `ae_quality_metrics` and `sdr_metrics`, equal to the whole compute's,
/// with every activity metric left out, though the fixture's week holds
/// activities; and no activity read over the deals window.
#[test]
fn deals_only_compute() {
    check_with(
        compute_deals,
        "ann",
        Role::Ae,
        &[
            ("opps_created", n(2.0)),
            ("progressions", n(2.0)),
            ("open_opps", n(3.0)),
            ("pipeline_value", n(2400.0)),
            ("won", n(2.0)),
            ("lost", n(1.0)),
            ("closed", n(3.0)),
            ("bookings", n(1300.5)),
            ("win_rate", r(2.0, 3.0)),
            ("avg_deal_size", r(1300.5, 2.0)),
            ("cohort_win_rate", r(1.0, 2.0)),
            ("sales_cycle_days", r(39.0, 2.0)),
            ("open_opp_age_days", r(123.0, 3.0)),
            ("stage_age_days", r(20.0, 3.0)),
            ("stage_conversion.Discovery", r(1.0, 1.0)),
            ("stage_conversion.Demo", r(0.0, 2.0)),
            ("stage_conversion.Proposal", r(0.0, 0.0)),
        ],
    );
    check_with(
        compute_deals,
        "sam",
        Role::Sdr,
        &[
            ("pipeline_created", n(300.5)),
            ("sourced_win_rate", r(1.0, 2.0)),
            ("sourced_avg_deal_size", r(300.5, 1.0)),
        ],
    );
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    for (rep, role) in [("ann", Role::Ae), ("sam", Role::Sdr)] {
        let rep = RepId(rep.into());
        let deals = compute_deals(&ix, &rep, role, week());
        let mut whole = compute(&ix, &rep, role, week());
        whole.retain(|id, _| !is_activity(id));
        assert_eq!(deals, whole, "{rep:?}");
        assert!(!deals.contains_key("meetings") && !deals.contains_key("meetings_set"));
    }
    // Over the deals window no activity is read: ann's own (a1..a7 in the
    // week) are not handed out, nor sam's meetings set (a7, s7), and the
    // touch metrics are not computed at all.
    let (ann, sam) = (RepId("ann".into()), RepId("sam".into()));
    let (all, deals) = (ix.window(week()), ix.deals_window(week()));
    assert!(!ix.rep_activities(&ann, &all).is_empty());
    assert!(ix.rep_activities(&ann, &deals).is_empty());
    assert_eq!(sdr::meetings_set(&ix, &sam, &all).len(), 2);
    assert!(sdr::meetings_set(&ix, &sam, &deals).is_empty());
    let over = compute_over(&ix, &ann, Role::Ae, &deals);
    assert!(!over.contains_key("untouched_opps") && !over.contains_key("days_between_touches"));
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

/// Every id of a role's registry is computed for a rep of that role, and
/// nothing else is (but the AE's per-stage conversions, one per open stage
/// of the fixture's default stages, entered or not).
#[test]
fn every_registry_id_is_computed_for_its_role() {
    let data = fixture();
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let open_stages = [
        "Prospecting",
        "Qualification",
        "Discovery",
        "Demo",
        "Proposal",
        "Negotiation",
    ];
    for (rep, role, count) in [("ann", Role::Ae, 29), ("sam", Role::Sdr, 15)] {
        let m = compute(&ix, &RepId(rep.into()), role, week());
        let registry = metrics_for(role);
        assert_eq!(registry.len(), count, "{role} registry size");
        for d in registry {
            assert!(m.contains_key(&d.id), "{role}: {} not computed", d.id);
        }
        let mut stages = Vec::new();
        for id in m.keys() {
            if let Some(stage) = id.stage() {
                assert_eq!(role, Role::Ae, "{role}: {id}");
                stages.push(stage.to_string());
            } else {
                assert!(
                    def_of(role, id).is_some(),
                    "{role}: {id} not in the registry"
                );
            }
        }
        let want: Vec<&str> = if role == Role::Ae {
            open_stages.to_vec()
        } else {
            vec![]
        };
        stages.sort();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(stages, want, "{role}: stage conversions");
        assert_eq!(m.len(), count + want.len(), "{role}: nothing else");
    }
}

/// The `activity` flag on the definitions: the metrics read from
/// activities, the same flag wherever an id appears in two roles.
#[test]
fn activity_flags_are_the_activity_metrics() {
    let flagged: Vec<&str> = AE_METRICS
        .iter()
        .chain(SDR_METRICS)
        .filter(|d| d.activity)
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(
        flagged,
        [
            "meetings",
            "first_meetings",
            "follow_up_meetings",
            "calls",
            "emails",
            "accounts_engaged",
            "contacts_engaged_new",
            "days_between_touches",
            "meetings_per_opp",
            "contacts_per_account",
            "first_to_follow_up",
            "untouched_opps",
            "meetings_set",
            "calls",
            "connected_calls",
            "talk_minutes",
            "emails",
            "accounts_engaged",
            "contacts_engaged_new",
            "connect_rate",
            "reply_rate",
            "contacts_per_account",
            "activities_per_account",
            "account_to_meeting",
        ]
    );
    for a in AE_METRICS {
        if let Some(s) = def_of(Role::Sdr, &a.id) {
            assert_eq!(a.activity, s.activity, "{}", a.id);
        }
    }
    assert!(!is_activity(&MetricId::stage_conversion("Demo")));
    assert!(is_activity(&MetricId::MeetingsSet));
    assert!(!is_activity(&MetricId::PipelineCreated));
    assert!(is_activity(&MetricId::TalkMinutes));
}

/// `pipeline_value` and `pipeline_over_90d` sum the amounts the open deals
/// had at the period's end, not today's.
#[test]
fn pipeline_amounts_are_those_at_the_period_end() {
    let mut data = fixture();
    let amount = |opp: &str, at: &str, old: &str, new: &str| HistoryEntry {
        field: HistoryField::Amount,
        old_value: Some(old.into()),
        new_value: Some(new.into()),
        ..stage_move(opp, at, None, "")
    };
    data.history.extend([
        // o5 (created 08-01, over 90 days): 1,500 until the day after the week.
        amount("o5", "2026-11-10T09:00:00", "150000", "200000"),
        // o6 (created 10-20): 300 → 400 inside the week, so 400 at its end.
        amount("o6", "2026-11-04T12:00:00", "30000", "40000"),
    ]);
    let ix = Index::new(&data, Calendar::default(), 30, &[]);
    let m = compute(&ix, &RepId("ann".into()), Role::Ae, week());
    // o5 1,500 + o6 400; o2 has no amount.
    assert_eq!(m.get("pipeline_value").unwrap().value, Some(1900.0));
    let over = m.get("pipeline_over_90d").unwrap();
    assert_eq!((over.num, over.den), (Some(1500.0), Some(1900.0)));
    // The drill lists each open deal at that amount.
    let r = records::records(
        &ix,
        &RepId("ann".into()),
        Role::Ae,
        week(),
        "pipeline_value",
    )
    .unwrap();
    let amounts: Vec<_> = r.deals.iter().map(|d| (d.id.as_str(), d.amount)).collect();
    assert_eq!(
        amounts,
        [("o2", None), ("o5", Some(1500.0)), ("o6", Some(400.0))]
    );
}

/// ann's metrics over the week, each as (value, numerator, denominator).
fn ann_over_week(data: &Dataset) -> impl Fn(&str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let ix = Index::new(data, Calendar::default(), 30, &[]);
    let m = compute(&ix, &RepId("ann".into()), Role::Ae, week());
    move |id| {
        let v = &m[id];
        (v.value, v.num, v.den)
    }
}

#[test]
fn stage_moves_count_only_inside_the_period() {
    // One deal of ann's, in the week 11-02 .. 11-09 (end excluded): it
    // entered Discovery and then Demo before the week, Proposal in it,
    // Negotiation at the very end of it (outside) and Closed Won after it.
    let data = Dataset {
        reps: vec![rep("ann", Role::Ae, Some("2025-01-05"), None)],
        opportunities: vec![opp(
            "o1",
            "ann",
            None,
            None,
            Some("2026-10-01T09:00:00"),
            Status::Won,
            Some("2026-11-12T09:00:00"),
            Some(10_000),
        )],
        history: vec![
            stage_move("o1", "2026-10-20T09:00:00", None, "Discovery"),
            stage_move("o1", "2026-10-28T09:00:00", Some("Discovery"), "Demo"),
            stage_move("o1", "2026-11-03T09:00:00", Some("Demo"), "Proposal"),
            stage_move("o1", "2026-11-09T00:00:00", Some("Proposal"), "Negotiation"),
            stage_move(
                "o1",
                "2026-11-12T09:00:00",
                Some("Negotiation"),
                "Closed Won",
            ),
        ],
        stages: crate::domain::Settings::default().stage_list(),
        ..Dataset::default()
    };
    let got = ann_over_week(&data);
    // Demo -> Proposal on 11-03 is the week's one forward move.
    assert_eq!(got("progressions"), (Some(1.0), None, None));
    // Entered Demo before the week: not entered in it, undefined.
    assert_eq!(got("stage_conversion.Demo"), (None, Some(0.0), Some(0.0)));
    // Entered Proposal on 11-03, later Negotiation: 1 of 1.
    assert_eq!(
        got("stage_conversion.Proposal"),
        (Some(1.0), Some(1.0), Some(1.0))
    );
    // Entered Negotiation at 11-09 00:00, the week's end, outside it.
    assert_eq!(
        got("stage_conversion.Negotiation"),
        (None, Some(0.0), Some(0.0))
    );
}

#[test]
fn a_deal_whose_stage_moves_lie_around_the_period_moves_in_it_only_at_its_start() {
    // Four deals of ann's and the week 11-02 .. 11-09 (end excluded): o1
    // moved once, at the very start of the week; o2 before it and after
    // it, never in it; o3 at the very end (outside); o4 only before it.
    let open = |id| {
        opp(
            id,
            "ann",
            None,
            None,
            Some("2026-10-01T09:00:00"),
            Status::Open,
            None,
            Some(1_000),
        )
    };
    let data = Dataset {
        reps: vec![rep("ann", Role::Ae, Some("2025-01-05"), None)],
        opportunities: ["o1", "o2", "o3", "o4"].into_iter().map(open).collect(),
        history: vec![
            stage_move("o1", "2026-11-02T00:00:00", Some("Discovery"), "Demo"),
            stage_move("o2", "2026-10-20T09:00:00", None, "Discovery"),
            stage_move("o2", "2026-11-12T09:00:00", Some("Discovery"), "Demo"),
            stage_move("o3", "2026-11-09T00:00:00", Some("Discovery"), "Demo"),
            stage_move("o4", "2026-10-28T09:00:00", Some("Discovery"), "Demo"),
        ],
        stages: crate::domain::Settings::default().stage_list(),
        ..Dataset::default()
    };
    let got = ann_over_week(&data);
    // o1's move into Demo is the week's one forward move.
    assert_eq!(got("progressions"), (Some(1.0), None, None));
    // o1 entered Demo in the week and has not moved on: 0 of 1.
    assert_eq!(
        got("stage_conversion.Demo"),
        (Some(0.0), Some(0.0), Some(1.0))
    );
    // No deal entered Discovery in the week.
    assert_eq!(
        got("stage_conversion.Discovery"),
        (None, Some(0.0), Some(0.0))
    );
}
