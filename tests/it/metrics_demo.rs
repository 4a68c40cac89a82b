//! The demo team (seed 7, today 2026-11-24): every planted metric situation
//! of `pipedeck demo --explain` is reported by `report anomalies` (default
//! period: the last complete week) with the right rep, metric, kind and
//! direction; every planted untouched deal is counted in its owner's
//! `untouched_opps`.

use chrono::NaiveDate;
use pipedeck::demo::{self, PlantedKind};
use pipedeck::domain::Settings;
use pipedeck::domain::anomaly::{Kind, Verdict};
use pipedeck::report::Input;
use pipedeck::report::anomalies::AnomaliesReport;
use pipedeck::report::metrics::{MetricsFilter, MetricsReport};
use pipedeck::storage::Store;

#[test]
fn planted_situations_are_found() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    let settings = Settings::default();
    let cal = settings.calendar().expect("calendar");
    let team = demo::generate(7, today, &settings, &cal);
    let mut store = Store::open_in_memory().expect("store");
    demo::write(&team, &mut store).expect("write");
    let data = store.load_dataset().expect("load");
    let input = Input {
        data: &data,
        snapshots: &[],
        settings: &settings,
        cal: &cal,
        today,
        period: None,
    };
    let found = AnomaliesReport::build(&input, &MetricsFilter::default()).anomalies;
    let mut checked = 0;
    for p in &team.planted {
        let (kind, direction) = match p.kind {
            PlantedKind::BelowGoal => (Kind::BelowGoalSustained, Verdict::Bad),
            PlantedKind::OffOwnHistory => (Kind::OffHistory, Verdict::Bad),
            PlantedKind::PositiveOutlier => (Kind::PositiveOutlier, Verdict::Good),
            PlantedKind::NewHireOffBand => (Kind::NewHireOffBand, Verdict::Bad),
            _ => continue,
        };
        checked += 1;
        assert!(
            found.iter().any(|a| a.rep_id == p.rep_id.as_str()
                && a.metric == p.metric
                && a.kind == kind
                && a.direction == direction),
            "planted {:?} {} {} not reported; found: {:#?}",
            p.kind,
            p.rep_id,
            p.metric,
            found
        );
    }
    assert_eq!(checked, 4, "the demo plants four metric situations");

    // Untouched deals: the owner's untouched_opps (quarter to date, read at
    // today's end) counts at least the planted ones.
    let metrics = MetricsReport::build(&input, &MetricsFilter::default());
    for p in team
        .planted
        .iter()
        .filter(|p| p.kind == PlantedKind::Untouched)
    {
        let planted = team
            .planted
            .iter()
            .filter(|q| q.kind == PlantedKind::Untouched && q.rep_id == p.rep_id)
            .count() as f64;
        let rep = metrics
            .reps
            .iter()
            .find(|r| r.rep_id == p.rep_id.as_str())
            .expect("owner in the report");
        let untouched = rep.metrics["untouched_opps"].value.value.expect("a count");
        assert!(
            untouched >= planted,
            "{}: {untouched} < {planted}",
            p.rep_id
        );
    }
}
