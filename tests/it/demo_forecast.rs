//! The demo team's forecast story, measured with the accuracy report itself:
//! the first-day-of-quarter call misses badly in the oldest closed quarter,
//! by 15–25 % in the middle ones and within 10 % in the latest (the targets
//! are +48 %, −21 %, +18 %, −6 % with a 2-point tolerance: `demo::forecast`);
//! categories move, and some commits slip or are lost.

use chrono::NaiveDate;
use pipedeck::demo;
use pipedeck::domain::accuracy::accuracy;
use pipedeck::domain::{
    Dataset, ForecastCategory, HistoryField, OppId, Settings, SnapshotRow, Status,
};
use std::collections::BTreeMap;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Team headline errors of the closed quarters that have one, oldest first.
fn headline_errors(seed: u64, today: NaiveDate) -> (Vec<f64>, Vec<bool>) {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let demo = demo::generate(seed, today, &settings, &cal);
    let data = Dataset {
        reps: demo.reps.clone(),
        opportunities: demo.opportunities.clone(),
        history: demo.history.clone(),
        stages: demo.stages.clone(),
        ..Dataset::default()
    };
    let acc = accuracy(&data, &demo.snapshots, &cal, today);
    let lines: Vec<_> = acc.team.iter().filter(|l| l.headline.is_some()).collect();
    (
        lines
            .iter()
            .filter_map(|l| l.headline.as_ref()?.error)
            .collect(),
        lines.iter().map(|l| l.flagged).collect(),
    )
}

#[test]
fn the_first_day_call_matures_quarter_after_quarter() {
    // (seed, today): the documented demo, other seeds and todays; on
    // 2027-01-04 a quarter just turned, so five closed quarters have a
    // headline (the oldest, with little pipeline yet, misses by ~85 %).
    for (seed, today) in [
        (7, d("2026-11-24")),
        (42, d("2026-03-02")),
        (3, d("2026-07-08")),
        (1, d("2027-01-04")),
    ] {
        let (errors, flagged) = headline_errors(seed, today);
        let n = errors.len();
        assert!(n >= 4, "{seed} {today}: {errors:?}");
        let abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
        assert!(abs[0] > 0.40, "{seed} {today}: oldest {errors:?}");
        assert!(abs[n - 1] <= 0.10, "{seed} {today}: latest {errors:?}");
        for a in &abs[n - 3..n - 1] {
            assert!(
                (0.15..=0.25).contains(a),
                "{seed} {today}: middle {errors:?}"
            );
        }
        assert!(flagged.iter().any(|f| *f), "{seed} {today}: none flagged");
        assert!(!flagged[n - 1], "{seed} {today}: latest flagged");
    }
}

#[test]
fn categories_move_and_some_commits_slip_or_are_lost() {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let demo = demo::generate(7, d("2026-11-24"), &settings, &cal);
    let moves: Vec<_> = demo
        .history
        .iter()
        .filter(|h| h.field == HistoryField::ForecastCategory && h.old_value.is_some())
        .collect();
    let count = |old: &str, new: &str| {
        moves
            .iter()
            .filter(|h| h.old_value.as_deref() == Some(old) && h.new_value.as_deref() == Some(new))
            .count()
    };
    assert!(count("pipeline", "best_case") > 100);
    assert!(count("best_case", "commit") > 100);
    // Held back before a quarter call, then committed again.
    assert!(
        count("commit", "best_case") >= 5,
        "{}",
        count("commit", "best_case")
    );
    // Pipeline deals that closed anyway (won without ever being committed).
    let committed: BTreeMap<&OppId, ()> = moves
        .iter()
        .filter(|h| h.new_value.as_deref() == Some("commit"))
        .map(|h| (&h.opportunity_id, ()))
        .collect();
    let won = |s: Status| demo.opportunities.iter().filter(move |o| o.status == s);
    assert!(won(Status::Won).any(|o| !committed.contains_key(&o.id)));
    // Commits lost.
    let lost_commits = won(Status::Lost)
        .filter(|o| committed.contains_key(&o.id))
        .count();
    assert!(lost_commits >= 50, "{lost_commits}");
    // Commits that slipped: in commit on a Monday with a close date that was
    // later pushed past it (the snapshot's close date is before the deal's
    // final one, for a deal still open after that date).
    let finals: BTreeMap<&OppId, _> = demo.opportunities.iter().map(|o| (&o.id, o)).collect();
    let slipped = demo
        .snapshots
        .iter()
        .flat_map(|s| s.rows.iter())
        .filter(|r: &&SnapshotRow| r.forecast_category == Some(ForecastCategory::Commit))
        .filter(|r| {
            let o = finals[&r.opportunity_id];
            let end = o.closed_at.map(|t| cal.local_date(t)).or(o.close_date);
            r.close_date.zip(end).is_some_and(|(then, end)| end > then)
        })
        .map(|r| &r.opportunity_id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(slipped >= 50, "{slipped}");
}
