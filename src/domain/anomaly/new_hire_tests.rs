//! The new-hire rule (`new_hire.rs`) on hand-worked teams: a ramping rep
//! against the other reps' own first weeks.

use super::Kind;
use super::tests::{flags, last_week, many, run};
use crate::domain::metrics::tests::{d, rep};
use crate::domain::model::*;
use crate::domain::settings::Settings;

/// Ramped AEs with calls in their tenure week 4 (days 21–27 after start),
/// and a new hire who started Mon 2026-10-26 with `hire_calls` calls on
/// 2026-11-17: the last of their first 4 complete weeks (10-26..11-23).
fn new_hire_team(peers: &[(&str, &str, usize)], hire_calls: usize) -> Dataset {
    let mut acts = Vec::new();
    let mut reps = vec![rep("hire", Role::Ae, Some("2026-10-26"), None)];
    for (r, start, n) in peers {
        let day = d(start) + chrono::Days::new(21);
        many(&mut acts, r, "call", &day.to_string(), *n);
        reps.push(rep(r, Role::Ae, Some(start), None));
    }
    many(&mut acts, "hire", "call", "2026-11-17", hire_calls);
    // The data starts well before anyone's first weeks.
    many(&mut acts, "sdr", "email", "2025-12-01", 1);
    reps.push(rep("sdr", Role::Sdr, Some("2020-01-01"), None));
    acts.sort_by_key(|a| a.occurred_at);
    Dataset {
        reps,
        activities: acts,
        stages: Settings::default().stage_list(),
        ..Dataset::default()
    }
}

#[test]
fn new_hire_off_the_band() {
    // Peers' calls over their first 4 weeks 40, 50, 60, 70: the 25th percentile sits at
    // position 0.75 → 40 + 0.75 × 10 = 47.5. 30 calls is below: flag;
    // 50 is not. With only two ramped peers there is no band.
    let peers = [
        ("r1", "2026-01-05", 40),
        ("r2", "2026-02-02", 50),
        ("r3", "2026-03-02", 60),
        ("r4", "2026-04-06", 70),
    ];
    let found = run(&new_hire_team(&peers, 30), &[], last_week());
    let got: Vec<_> = found
        .iter()
        .filter(|a| a.kind == Kind::NewHireOffBand)
        .map(|a| (a.rep_id.as_str(), a.metric.as_str(), a.value, a.reference))
        .collect();
    assert_eq!(got, vec![("hire", "calls", 30.0, 47.5)]);
    assert_eq!(
        found[0].sentence,
        "HIRE had 30 calls in their first 4 weeks; the 25th percentile of the 4 other AEs \
         over their own first 4 weeks is 47.5."
    );
    assert!(
        flags(
            &run(&new_hire_team(&peers, 50), &[], last_week()),
            Kind::NewHireOffBand
        )
        .is_empty()
    );
    assert!(
        flags(
            &run(&new_hire_team(&peers[..2], 5), &[], last_week()),
            Kind::NewHireOffBand
        )
        .is_empty()
    );
    // The new hire is never flagged off the team while ramping.
    assert!(
        found
            .iter()
            .all(|a| a.rep_id != "hire" || a.kind == Kind::NewHireOffBand)
    );
}

#[test]
fn new_hires_of_the_same_day_are_each_judged_against_their_own_peers() {
    // A second hire started the same day as the first, with 80 calls on
    // 2026-11-17: each is the other's peer (their first 4 weeks end on
    // 2026-11-23). hire against 40, 50, 60, 70, 80: the 25th percentile sits
    // at position 0.25 × 4 = 1 → 50, so 30 is flagged; hire2 against 30, 40,
    // 50, 60, 70: at position 1 → 40, and 80 is not.
    let peers = [
        ("r1", "2026-01-05", 40),
        ("r2", "2026-02-02", 50),
        ("r3", "2026-03-02", 60),
        ("r4", "2026-04-06", 70),
    ];
    let mut data = new_hire_team(&peers, 30);
    data.reps
        .push(rep("hire2", Role::Ae, Some("2026-10-26"), None));
    many(&mut data.activities, "hire2", "call", "2026-11-17", 80);
    data.activities.sort_by_key(|a| a.occurred_at);
    let got: Vec<_> = run(&data, &[], last_week())
        .into_iter()
        .filter(|a| a.kind == Kind::NewHireOffBand)
        .map(|a| (a.rep_id, a.metric, a.value, a.reference))
        .collect();
    assert_eq!(got, vec![("hire".into(), "calls".into(), 30.0, 50.0)]);
}
