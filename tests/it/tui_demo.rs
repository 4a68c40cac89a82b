//! Every pane of the cockpit on the demo team (seed 7, today 2026-11-24),
//! snapshotted at 80×24 and 200×60, plus the rep's and founder's ways in.

use crate::tui_fixture;

use pipedeck::domain::RepId;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::Start;
use tui_fixture::*;

#[test]
fn every_pane_on_the_demo_team() {
    let (_dir, store) = demo_store();
    // One load; each pane is then only a change of focus.
    let mut a = app_on(&store, Start::Manager);
    for (name, action) in [
        ("review", Action::FocusReview),
        ("hygiene", Action::FocusHygiene),
        ("reps", Action::FocusReps),
        ("anomalies", Action::FocusAnomalies),
        ("forecast", Action::FocusForecast),
        ("pipeline", Action::FocusPipeline),
        ("help", Action::Help),
    ] {
        a.update(action);
        for (w, h) in [(80, 24), (200, 60)] {
            insta::assert_snapshot!(format!("demo_{name}_{w}x{h}"), screen(&mut a, w, h));
        }
    }
    a.update(Action::Back);
    // The deal pane on the largest flagged deal, the drill-down of the first anomaly.
    a.update(Action::FocusHygiene);
    a.update(Action::Top);
    open_deal(&mut a, &store);
    for (w, h) in [(80, 24), (200, 60)] {
        insta::assert_snapshot!(format!("demo_deal_{w}x{h}"), screen(&mut a, w, h));
    }
    a.update(Action::FocusAnomalies);
    // The first anomaly on a metric that decomposes into drivers (SPEC §5).
    let has_drivers = |m: &str| {
        [
            "bookings",
            "won",
            "closed",
            "open_opps",
            "opps_created",
            "meetings_set",
            "accounts_engaged",
        ]
        .contains(&m)
    };
    for _ in 0..100 {
        if a.anomalies.selected().is_some_and(|(_, m)| has_drivers(&m)) {
            break;
        }
        a.update(Action::Down);
    }
    assert!(a.anomalies.selected().is_some_and(|(_, m)| has_drivers(&m)));
    if let Some(pipedeck::tui::app::Effect::Drill {
        rep,
        metric,
        period,
    }) = a.update(Action::Open)
    {
        let data = store.load_dataset().expect("load");
        a.on_drill(pipedeck::tui::loader::build_drill(
            &env(),
            &data,
            &rep,
            &metric,
            period,
        ));
    }
    for (w, h) in [(80, 24), (200, 60)] {
        insta::assert_snapshot!(format!("demo_drill_{w}x{h}"), screen(&mut a, w, h));
    }
    // Enter on the tree's second driver (meetings): the records behind it,
    // with a position; enter on a record opens its deal, esc comes back.
    a.update(Action::Down);
    a.update(Action::Down);
    a.update(Action::Open);
    let records = a.anomalies.records.as_ref().expect("the records open");
    let n = records.data.tables.first().map_or(0, |t| t.rows.len());
    assert!(n > 0, "records behind the driver");
    insta::assert_snapshot!("demo_drill_records_80x24", screen(&mut a, 80, 24));
    a.update(Action::Down);
    let deal = a.anomalies.records.as_ref().and_then(|r| r.selected_deal());
    assert!(deal.is_some(), "a record with a deal");
    a.update(Action::Open);
    assert_eq!(a.focus, pipedeck::tui::app::Focus::Deal);
    assert_eq!(a.deal.opp, deal);
    a.update(Action::Back);
    assert_eq!(a.focus, pipedeck::tui::app::Focus::Anomalies);
    assert!(a.anomalies.records.is_some(), "back to the records");
    a.update(Action::Back);
    assert!(a.anomalies.records.is_none() && a.anomalies.drill.is_some());
    a.update(Action::Back);
    assert!(a.anomalies.drill.is_none());
}

#[test]
fn the_rep_and_founder_views_of_the_demo() {
    let (_dir, store) = demo_store();
    let data = store.load_dataset().expect("load");
    let ae = data
        .reps
        .iter()
        .find(|r| r.role == pipedeck::domain::Role::Ae)
        .map(|r| r.id.clone())
        .expect("an AE");
    for (name, start) in [
        ("rep", Start::Rep(RepId(ae.0.clone()))),
        ("founder", Start::Forecast),
    ] {
        let mut a = app_on(&store, start);
        for (w, h) in [(80, 24), (200, 60)] {
            insta::assert_snapshot!(format!("demo_{name}_{w}x{h}"), screen(&mut a, w, h));
        }
    }
}
