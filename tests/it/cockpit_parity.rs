//! The cockpit against the command line: the same report, the same
//! inputs. The demo team (seed 7, today 2026-11-24) in a file, read through
//! the cockpit's loader and through the reports the commands build.

use crate::scale_window::{cockpit_env, demo_db, everything, input, json};
use pipedeck::domain::metrics::goals;
use pipedeck::report::anomalies::AnomaliesReport;
use pipedeck::report::metrics::{MetricsFilter, MetricsReport};
use pipedeck::storage::Store;

/// The cockpit's reps grid and anomalies count with the goals in force:
/// the database's over the config's, as `report metrics` and `report
/// anomalies` do. The demo's AE goal of 15 meetings a week is set to 1 in
/// the database: the grid shows 1 for a whole week, and nobody is below
/// it, where the config's 15 flags reps. With November on screen, the
/// grid's flags (the anomalies of the month, built beside the week's) and
/// the metrics count with it too.
#[test]
fn the_cockpit_counts_with_the_databases_goals() {
    use pipedeck::domain::model::PeriodKind;
    use pipedeck::tui::loader::{self, Reload, Request};
    let f = demo_db();
    rusqlite::Connection::open(&f.path)
        .expect("file")
        .execute(
            "UPDATE goals SET target = 1 WHERE role = 'AE' AND metric = 'meetings'",
            [],
        )
        .expect("goal");
    let store = Store::open(&f.path).expect("open");
    let settings = &f.settings;
    let (env, cal, today) = cockpit_env(settings);
    let week = cal.shift(PeriodKind::Week, cal.week_containing(today), -1);
    let req = Request {
        generation: 1,
        period: week,
        rep: None,
        anomalies_period: None,
        own_view: false,
        parts: Reload::ALL,
        deal: None,
    };
    let views = loader::load(&store, &env, &req).expect("load").views;
    let goal = |r: &MetricsReport| {
        r.reps
            .iter()
            .find(|r| r.rep_id == "ae-01")
            .expect("ae-01")
            .metrics["meetings"]
            .goal
    };
    assert_eq!(goal(&views.metrics), Some(1.0));
    let full = everything(&store, settings);
    let of = input(&full, settings, &cal, today, Some(week));
    let merged = MetricsFilter {
        goals: Some(goals::merge(
            &settings.goals,
            &store.load_goals().expect("goals"),
        )),
        ..MetricsFilter::default()
    };
    assert_eq!(
        json(&views.metrics),
        json(&MetricsReport::build(&of, &merged))
    );
    assert_eq!(
        json(&views.anomalies),
        json(&AnomaliesReport::build(&of, &merged))
    );
    assert_eq!(json(&views.rep_anomalies), json(&views.anomalies));
    let below_meetings = |r: &AnomaliesReport| {
        r.anomalies
            .iter()
            .filter(|a| {
                a.metric == "meetings"
                    && a.kind == pipedeck::domain::anomaly::Kind::BelowGoalSustained
            })
            .count()
    };
    let config = AnomaliesReport::build(&of, &MetricsFilter::default());
    assert!(below_meetings(&config) > 0);
    assert_eq!(below_meetings(&views.anomalies), 0);
    let month = cal.month_containing(today);
    let views = loader::load(
        &store,
        &env,
        &Request {
            period: month,
            ..req
        },
    )
    .expect("load")
    .views;
    let of = input(&full, settings, &cal, today, Some(month));
    assert_eq!(
        json(&views.metrics),
        json(&MetricsReport::build(&of, &merged))
    );
    let flags = AnomaliesReport::build(&of, &merged);
    assert_eq!(json(&views.rep_anomalies), json(&flags));
    let config = AnomaliesReport::build(&of, &MetricsFilter::default());
    assert_ne!(json(&flags), json(&config));
}
