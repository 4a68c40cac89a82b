//! After an edit the cockpit rebuilds only the parts the edit can change
//! (docs/cockpit.md "An edit on screen"), through its real worker, and the
//! other panes keep their values meanwhile.

use crate::tui_fixture::*;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::{App, Effect, Start};
use pipedeck::tui::loader::cache::name;
use pipedeck::tui::loader::{Job, Loader, Reload, Reply};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

fn keys(app: &mut App, text: &str) -> Option<Effect> {
    for c in text.chars() {
        assert_eq!(app.on_key(KeyEvent::from(KeyCode::Char(c))), None);
    }
    app.on_key(KeyEvent::from(KeyCode::Enter))
}

/// Sends the edit to the worker and applies every reply up to the load's
/// end; the names of the parts that came, in order. `each` sees the app
/// after each part is applied.
fn through_worker(
    app: &mut App,
    loader: &Loader,
    effect: Option<Effect>,
    each: &mut dyn FnMut(&mut App, &'static str),
) -> Vec<&'static str> {
    let Some(Effect::Edit(cmd, req)) = effect else {
        panic!("not an edit: {effect:?}");
    };
    let g = req.generation;
    loader.send(Job::Edit(cmd, req));
    let mut got = Vec::new();
    loop {
        match loader.recv().expect("a reply") {
            // An earlier edit's load, superseded: the app drops it.
            Reply::Part(n, p) if n < g => app.on_part(n, *p),
            Reply::Done(n) if n < g => app.on_done(n),
            Reply::Part(n, p) => {
                assert_eq!(n, g);
                let n = name(&p);
                got.push(n);
                app.on_part(g, *p);
                each(app, n);
            }
            Reply::Done(n) => {
                assert_eq!(n, g);
                app.on_done(n);
                return got;
            }
            Reply::Edited(r) => app.on_edited(r),
            // The edited deal's activities, read again.
            Reply::Timeline(id, acts) => app.on_timeline(id, acts),
            // How a load was served, and the idle worker's prefetches.
            Reply::Served(..) | Reply::Prefetched(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn on_fixture() -> (tempfile::TempDir, App, Loader) {
    let (dir, store) = store();
    let app = app_on(&store, Start::Manager);
    let loader = Loader::spawn_on(store, env());
    (dir, app, loader)
}

#[test]
fn a_next_step_edit_rebuilds_the_review_part_only() {
    let (_dir, mut app, loader) = on_fixture();
    app.update(Action::FocusHygiene);
    let deal = app.selected_deal().expect("a flagged deal");
    assert_eq!(app.update(Action::NextStep), None);
    let effect = keys(&mut app, "send the SOW");
    match &effect {
        Some(Effect::Edit(_, req)) => assert_eq!(req.parts, Reload::REVIEW),
        other => panic!("{other:?}"),
    }
    let metrics = app.reps.report.clone();
    let parts = through_worker(&mut app, &loader, effect, &mut |_, _| {});
    assert_eq!(parts, ["review"]);
    assert!(!app.loading);
    assert_eq!(app.awaiting, Reload::NONE);
    // The new next step is on the deal the panes read; the metrics are the
    // ones loaded before.
    let o = app.data.opportunity(&deal).expect("deal");
    assert_eq!(o.next_step.as_deref(), Some("send the SOW"));
    assert_eq!(app.reps.report, metrics);
    assert!(app.reps.report.is_some());
}

#[test]
fn a_close_won_rebuilds_every_part_and_the_old_values_stay_meanwhile() {
    let (_dir, mut app, loader) = on_fixture();
    // Bob's D-3 (40,000, Negotiation), closing this week: the review's
    // second box, Bob first.
    app.update(Action::NextBox);
    assert_eq!(app.selected_deal().map(|d| d.0).as_deref(), Some("D-3"));
    assert_eq!(app.update(Action::CloseWon), None);
    let effect = app.on_key(KeyEvent::from(KeyCode::Char('y')));
    match &effect {
        Some(Effect::Edit(_, req)) => assert_eq!(req.parts, Reload::ALL),
        other => panic!("{other:?}"),
    }
    let metrics = app.reps.report.clone();
    let anomalies = app.anomalies.report.clone();
    assert!(metrics.is_some() && anomalies.is_some());
    let mut checked = false;
    let parts = through_worker(&mut app, &loader, effect, &mut |app, part| {
        if part == "review" {
            // The deal is won on the review side; the Reps grid still shows
            // the metrics of before, not "loading…".
            let won = app.data.opportunity(&pipedeck::domain::OppId("D-3".into()));
            assert_eq!(won.map(|o| o.status), Some(pipedeck::domain::Status::Won));
            assert_eq!(app.reps.report, metrics);
            assert_eq!(app.anomalies.report, anomalies);
            app.update(Action::FocusReps);
            let s = screen(app, 200, 60);
            let body: Vec<&str> = s.lines().skip(1).collect();
            assert!(
                !body.iter().any(|l| l.contains("loading…")),
                "a pane flashed loading…:\n{s}"
            );
            assert!(s.contains("Bo Bäckström"), "{s}");
            checked = true;
        }
    });
    assert!(checked);
    // The review first; the grid's parts (metrics, anomalies), built on
    // their own thread, come whenever they are ready.
    assert_eq!(parts[0], "review");
    let mut rest = parts[1..].to_vec();
    rest.sort();
    assert_eq!(rest, ["accuracy", "anomalies", "metrics"]);
    // Bob's bookings now count D-3.
    assert_ne!(app.reps.report, metrics);
}

#[test]
fn parts_a_period_change_has_not_delivered_are_rebuilt_with_the_edit() {
    let (_dir, mut app, _loader) = on_fixture();
    // A period change sent, none of its parts back yet…
    assert!(matches!(
        app.update(Action::PeriodPrev),
        Some(Effect::Load(_))
    ));
    app.update(Action::FocusHygiene);
    assert_eq!(app.update(Action::NextStep), None);
    // …so a next-step edit rebuilds them all: their answers to the period
    // change are dropped as older.
    match keys(&mut app, "send the SOW") {
        Some(Effect::Edit(_, req)) => assert_eq!(req.parts, Reload::ALL),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_saved_deal_shows_before_its_parts_and_a_second_push_starts_from_it() {
    let (_dir, mut app, loader) = on_fixture();
    let d3 = pipedeck::domain::OppId("D-3".into());
    let close = |app: &App| app.data.opportunity(&d3).and_then(|o| o.close_date);
    app.update(Action::NextBox);
    assert_eq!(app.selected_deal(), Some(d3.clone()));
    app.update(Action::Open);
    assert_eq!(close(&app), Some(day("2026-11-27")));
    let Some(Effect::Edit(cmd, req)) = app.update(Action::PushClose) else {
        panic!("no edit");
    };
    loader.send(Job::Edit(cmd, req));
    // Only the worker's "saved" so far: no part rebuilt yet.
    match loader.recv().expect("a reply") {
        Reply::Edited(r) => app.on_edited(r),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(close(&app), Some(day("2026-12-04")));
    assert_eq!(
        app.deal.data.opportunity(&d3).and_then(|o| o.close_date),
        Some(day("2026-12-04"))
    );
    let s = screen(&mut app, 200, 60);
    assert!(s.contains("2026-12-04"), "{s}");
    // A second push at once goes a week further (not again to the 4th).
    let second = app.update(Action::PushClose);
    match &second {
        Some(Effect::Edit(pipedeck::app::edit::EditCmd::SetCloseDate { date, .. }, _)) => {
            assert_eq!(*date, day("2026-12-11"))
        }
        other => panic!("{other:?}"),
    }
    let parts = through_worker(&mut app, &loader, second, &mut |_, _| {});
    assert_eq!(parts, ["review", "accuracy"]);
    assert_eq!(close(&app), Some(day("2026-12-11")));
}

#[test]
fn keys_pressed_while_an_edit_is_saved_take_their_turn_after_it() {
    use pipedeck::app::edit::EditCmd;
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    let (_dir, mut app, loader) = on_fixture();
    let d3 = pipedeck::domain::OppId("D-3".into());
    let close = |app: &App| app.data.opportunity(&d3).and_then(|o| o.close_date);
    let key = |app: &mut App, c: char| app.on_key(KeyEvent::from(KeyCode::Char(c)));
    app.update(Action::NextBox);
    app.update(Action::Open);
    assert_eq!(close(&app), Some(day("2026-11-27")));
    // `+`, `+`, `u` at once: the first is sent, the others wait for it.
    let first = key(&mut app, '+');
    assert_eq!(key(&mut app, '+'), None);
    assert_eq!(key(&mut app, 'u'), None);
    assert_eq!(app.queued.len(), 2);
    through_worker(&mut app, &loader, first, &mut |_, _| {});
    assert_eq!(close(&app), Some(day("2026-12-04")));
    // The second push starts from the saved 4 December.
    let second = app.next_queued();
    match &second {
        Some(Effect::Edit(EditCmd::SetCloseDate { date, .. }, _)) => {
            assert_eq!(*date, day("2026-12-11"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.next_queued(), None, "one at a time");
    through_worker(&mut app, &loader, second, &mut |_, _| {});
    assert_eq!(close(&app), Some(day("2026-12-11")));
    // The undo undoes that second push, back to the 4th.
    let undo = app.next_queued();
    through_worker(&mut app, &loader, undo, &mut |_, _| {});
    assert_eq!(close(&app), Some(day("2026-12-04")));
    assert!(app.queued.is_empty());
    // Typed ahead: `+` `W` `y` pushes, then opens the confirmation, which
    // `y` answers (not a yellow tag).
    let push = key(&mut app, '+');
    assert_eq!(key(&mut app, 'W'), None);
    assert_eq!(key(&mut app, 'y'), None);
    through_worker(&mut app, &loader, push, &mut |_, _| {});
    match app.next_queued() {
        Some(Effect::Edit(EditCmd::CloseWon { opp, .. }, _)) => assert_eq!(opp, d3),
        other => panic!("{other:?}"),
    }
    assert!(app.prompt.is_none() && app.queued.is_empty());
    // ctrl-c never waits: it drops the keys waiting (a way out should a
    // save never answer).
    let ctrl_c = KeyEvent::new(
        KeyCode::Char('c'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    );
    app.pending_undo.push_back(None);
    assert_eq!(key(&mut app, '+'), None);
    assert_eq!(app.on_key(ctrl_c), Some(Effect::Quit));
    assert!(app.queued.is_empty());
}

/// The review's time in each box is kept by the real worker and given back
/// when the review is resumed in a later cockpit; keeping it moves no
/// write stamp (no report reads it), so every kept result stands.
#[test]
fn a_review_resumed_in_a_new_cockpit_gets_its_timers_back() {
    use pipedeck::tui::edit::{EditCmd, apply};
    let (dir, mut store) = store();
    let start = EditCmd::StartReview { facilitator: None };
    let now = chrono::Utc::now();
    let first = apply(&mut store, &env(), now, &start).expect("started");
    let session = first.session_started.expect("a session");
    assert_eq!(first.box_seconds, None);
    let stamp = store.write_stamp().expect("stamp");
    let loader = Loader::spawn_on(store, env());
    loader.send(Job::BoxClock {
        session,
        seconds: vec![200, 90, 0, 0, 0],
    });
    // Dropping the loader waits for the jobs sent before it.
    drop(loader);
    let mut store = pipedeck::storage::Store::open(&dir.path().join("tui.db")).expect("reopen");
    assert_eq!(store.write_stamp().expect("stamp"), stamp);
    let again = apply(&mut store, &env(), now, &start).expect("resumed");
    assert_eq!(again.session_started, Some(session));
    assert!(
        again.message.starts_with("resumed review"),
        "{}",
        again.message
    );
    assert_eq!(again.box_seconds, Some(vec![200, 90, 0, 0, 0]));
    // An ended session keeps no more time.
    apply(
        &mut store,
        &env(),
        now,
        &EditCmd::EndReview { session: None },
    )
    .expect("ended");
    let kept = store.save_review_box_seconds(session, &[1, 1, 1, 1, 1]);
    assert!(!kept.expect("no error"));
}
