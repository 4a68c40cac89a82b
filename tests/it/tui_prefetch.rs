//! Once loaded, the cockpit's idle worker builds the previous period and
//! keeps it (docs/cockpit.md "Prefetch and the cache"): a change to it is
//! served without a load; an edit, or a write by another connection, makes
//! the kept parts unusable.

use crate::tui_fixture::*;
use pipedeck::app::edit::{EditCmd, LogActivity};
use pipedeck::domain::{ActivityKind, OppId, Period, RepId};
use pipedeck::storage::Store;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::{App, Effect, Start};
use pipedeck::tui::keymap::{KeyPatch, Keymap};
use pipedeck::tui::loader::{Job, Loader, Reload, Reply, Served};
use pipedeck::tui::theme::Theme;

/// October 2026: the month before today's (24 November 2026).
fn october() -> Period {
    Period {
        from: day("2026-10-01"),
        to: day("2026-11-01"),
    }
}

/// The app, not loaded yet, and the worker on the fixture's file.
fn on_worker() -> (tempfile::TempDir, App, Loader) {
    let (dir, store) = store();
    let keymap = Keymap::load(&KeyPatch::new()).expect("default keymap");
    let app = App::new(env(), keymap, Theme::monochrome(), Start::Manager, now());
    (dir, app, Loader::spawn_on(store, env()))
}

/// Applies the worker's replies until the load numbered `g` is done; how it
/// was served.
fn until_done(app: &mut App, loader: &Loader, g: u64) -> Served {
    until_done_counting(app, loader, g, &mut 0)
}

/// [`until_done`], counting the deal timelines among the replies.
fn until_done_counting(app: &mut App, loader: &Loader, g: u64, timelines: &mut usize) -> Served {
    let mut served = None;
    loop {
        match loader.recv().expect("a reply") {
            Reply::Part(n, p) => app.on_part(n, *p),
            Reply::Served(n, s) if n == g => served = Some(s),
            Reply::Done(n) => {
                app.on_done(n);
                if n == g {
                    return served.expect("how the load was served");
                }
            }
            Reply::Edited(r) => app.on_edited(r),
            Reply::Timeline(id, acts) => {
                *timelines += 1;
                app.on_timeline(id, acts);
            }
            Reply::Served(..) | Reply::Prefetched(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Waits for the worker's prefetch of `period`.
fn until_prefetched(loader: &Loader, period: Period) {
    loop {
        match loader.recv().expect("a reply") {
            Reply::Prefetched(p) if p == period => return,
            Reply::Prefetched(_) | Reply::Served(..) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Loads the current month through the worker, waits for October's
/// prefetch, then goes to October: how that load was served.
fn load_then_previous(app: &mut App, loader: &Loader) -> Served {
    let Effect::Load(req) = app.reload() else {
        panic!("not a load")
    };
    loader.send(Job::Load(req.clone()));
    let first = until_done(app, loader, req.generation);
    assert!(first.cached.is_empty(), "{first:?}");
    until_prefetched(loader, october());
    previous(app, loader)
}

/// The period key `[`, through the worker.
fn previous(app: &mut App, loader: &Loader) -> Served {
    let Some(Effect::Load(req)) = app.update(Action::PeriodPrev) else {
        panic!("not a load")
    };
    assert_eq!(req.period, october());
    loader.send(Job::Load(req.clone()));
    until_done(app, loader, req.generation)
}

fn sorted(names: &[&'static str]) -> Vec<&'static str> {
    let mut v = names.to_vec();
    v.sort();
    v
}

/// Ann's calls in the reps grid on screen.
fn ann_calls(app: &App) -> Option<f64> {
    let report = app.reps.report.as_ref()?;
    let ann = report.reps.iter().find(|r| r.rep_id == "ann")?;
    ann.metrics
        .iter()
        .find(|(id, _)| id.as_str() == "calls")
        .and_then(|(_, c)| c.value.value)
}

/// A call of Ann's on D-1 on 14 October 2026.
fn october_call() -> EditCmd {
    EditCmd::Log {
        log: LogActivity {
            rep: Some(RepId("ann".into())),
            kind: ActivityKind::Call,
            opp: Some(OppId("D-1".into())),
            account: None,
            contact: None,
            outcome: None,
            minutes: None,
            meeting_type: None,
            label: None,
            at: Some(at("2026-10-14")),
        },
        session: None,
    }
}

#[test]
fn a_prefetched_period_is_served_without_a_load() {
    let (_dir, mut app, loader) = on_worker();
    let served = load_then_previous(&mut app, &loader);
    // Every part from the cache (accuracy reads no period), none built.
    assert_eq!(
        served.cached,
        ["review", "metrics", "accuracy", "anomalies"]
    );
    assert!(served.built.is_empty(), "{served:?}");
    assert!(!app.loading);
    assert_eq!(
        app.reps.report.as_ref().map(|r| r.period.from),
        Some(day("2026-10-01"))
    );
    // The fixture has no October activity.
    assert_eq!(ann_calls(&app), Some(0.0));
}

/// The cockpit loaded on November, with October prefetched.
fn loaded_with_october_prefetched() -> (tempfile::TempDir, App, Loader) {
    let (dir, mut app, loader) = on_worker();
    let Effect::Load(req) = app.reload() else {
        panic!("not a load")
    };
    loader.send(Job::Load(req.clone()));
    until_done(&mut app, &loader, req.generation);
    until_prefetched(&loader, october());
    (dir, app, loader)
}

#[test]
fn after_an_edit_the_cache_is_not_used() {
    let (_dir, mut app, loader) = loaded_with_october_prefetched();
    // A call logged in October from November's screen (the edit's own
    // reload is of November).
    app.generation += 1;
    let req = pipedeck::tui::loader::Request {
        generation: app.generation,
        parts: Reload::after_edit(&october_call()),
        ..app.request()
    };
    loader.send(Job::Edit(october_call(), req.clone()));
    let reloaded = until_done(&mut app, &loader, req.generation);
    assert!(reloaded.cached.is_empty(), "{reloaded:?}");
    // October's kept parts predate the call: rebuilt, with it.
    october_rebuilt_with_the_call(&mut app, &loader);
}

#[test]
fn after_another_connection_writes_the_cache_is_not_used() {
    let (dir, mut app, loader) = loaded_with_october_prefetched();
    // Another process (an import, say) adds an October call.
    let mut other = Store::open_existing(&dir.path().join("tui.db")).expect("second connection");
    pipedeck::tui::edit::apply(&mut other, &env(), now(), &october_call()).expect("saved");
    drop(other);
    october_rebuilt_with_the_call(&mut app, &loader);
}

/// Going back to October rebuilds every part (none from the cache) and
/// shows the October call Ann logged.
fn october_rebuilt_with_the_call(app: &mut App, loader: &Loader) {
    let served = previous(app, loader);
    assert_eq!(served.cached, Vec::<&str>::new(), "{served:?}");
    // The grid's parts, built on their own thread, may come before accuracy.
    assert_eq!(
        sorted(&served.built),
        ["accuracy", "anomalies", "metrics", "review"]
    );
    assert_eq!(ann_calls(app), Some(1.0));
}

/// The deal pane's activities come from the worker: asked for when the
/// deal is opened, and sent again with every load while it is open, so a
/// call another connection saves shows in its timeline after a reload.
#[test]
fn the_open_deals_activities_come_with_every_load() {
    let (dir, mut app, loader) = on_worker();
    let Effect::Load(req) = app.reload() else {
        panic!("not a load")
    };
    loader.send(Job::Load(req.clone()));
    until_done(&mut app, &loader, req.generation);
    app.update(Action::FocusHygiene);
    app.update(Action::Down);
    let Some(Effect::Timeline(id)) = app.update(Action::Open) else {
        panic!("opening a deal asks for its activities")
    };
    assert_eq!(id, OppId("D-1".into()));
    loader.send(Job::Timeline(id));
    match loader.recv().expect("a reply") {
        Reply::Timeline(id, acts) => app.on_timeline(id, acts),
        other => panic!("unexpected {other:?}"),
    }
    assert!(app.deal.activities_read());
    let before = screen(&mut app, 200, 60);
    assert!(!before.contains("2026-05-04"), "{before}");

    // Another connection logs a call on D-1 by Bo, months back.
    let mut other = Store::open(&dir.path().join("tui.db")).expect("second connection");
    let mut tx = other.begin().expect("tx");
    tx.upsert_activity(&pipedeck::domain::Activity {
        id: pipedeck::domain::ActivityId("A-other".into()),
        rep_id: RepId("bob".into()),
        kind: ActivityKind::Call,
        meeting_type: None,
        label: None,
        opportunity_id: Some(OppId("D-1".into())),
        account_id: None,
        contact_id: None,
        occurred_at: at("2026-05-04"),
        outcome: None,
        duration_min: None,
        direction: None,
        review_session_id: None,
    })
    .expect("activity");
    tx.commit().expect("commit");
    drop(other);

    let Effect::Load(req) = app.reload() else {
        panic!("not a load")
    };
    assert_eq!(req.deal, Some(OppId("D-1".into())));
    loader.send(Job::Load(req.clone()));
    let mut timelines = 0;
    until_done_counting(&mut app, &loader, req.generation, &mut timelines);
    assert_eq!(timelines, 1);
    let after = screen(&mut app, 200, 60);
    assert!(after.contains("2026-05-04 call by Bo Bäckström"), "{after}");
}

/// An instant of a day, `HH:MM` UTC (the fixture's time zone).
fn at_time(d: &str, hm: &str) -> chrono::DateTime<chrono::Utc> {
    format!("{d}T{hm}:00Z").parse().expect("instant")
}

/// D-1's days untouched on the hygiene list.
fn untouched(app: &App) -> Option<i64> {
    let rows = &app.hygiene.report.as_ref().expect("hygiene loaded").rows;
    rows.iter()
        .find(|r| r.opportunity_id.0 == "D-1")
        .and_then(|r| r.days_untouched)
}

/// A cockpit left open past midnight (no `--today`) moves to the new day:
/// the rules judge it, and nothing the worker built for the day before is
/// served again, though the month on screen is the same one.
#[test]
fn past_midnight_the_cockpit_loads_the_new_day() {
    let (_dir, mut app, loader) = on_worker();
    app.follows_clock = true;
    let Effect::Load(req) = app.reload() else {
        panic!("not a load")
    };
    loader.send(Job::Load(req.clone()));
    until_done(&mut app, &loader, req.generation);
    // D-1 was last touched on 12 Nov: 12 days on 24 Nov.
    assert_eq!(untouched(&app), Some(12));
    assert_eq!(app.on_clock(at_time("2026-11-24", "23:59")), None);
    let Some(Effect::NewDay { today, load }) = app.on_clock(at_time("2026-11-25", "00:01")) else {
        panic!("no new day")
    };
    assert_eq!(today, day("2026-11-25"));
    assert_eq!(app.env.today, today);
    assert_eq!(load.period, app.period);
    assert_eq!(app.period.from, day("2026-11-01"));
    loader.send(Job::NewDay(today));
    loader.send(Job::Load(load.clone()));
    let served = until_done(&mut app, &loader, load.generation);
    assert!(served.cached.is_empty(), "{served:?}");
    assert_eq!(untouched(&app), Some(13));
    assert_eq!(app.hygiene.report.as_ref().map(|r| r.today), Some(today));
    // The same day again: nothing.
    assert_eq!(app.on_clock(at_time("2026-11-25", "09:00")), None);
}

/// Past midnight into a new month, the period on screen follows the day,
/// unless one was picked; with `--today` (not following the clock) the
/// day stays.
#[test]
fn a_new_day_moves_the_period_on_screen_unless_one_was_picked() {
    let december = Period {
        from: day("2026-12-01"),
        to: day("2027-01-01"),
    };
    let midnight = at_time("2026-12-01", "00:05");
    let mut a = app(Start::Manager);
    a.follows_clock = true;
    assert!(matches!(a.on_clock(midnight), Some(Effect::NewDay { .. })));
    assert_eq!(a.period, december);
    let mut a = app(Start::Manager);
    a.follows_clock = true;
    a.update(Action::PeriodPrev);
    assert_eq!(a.period, october());
    let Some(Effect::NewDay { load, .. }) = a.on_clock(midnight) else {
        panic!("no new day")
    };
    assert_eq!((a.period, load.period), (october(), october()));
    let mut a = app(Start::Manager);
    assert_eq!(a.on_clock(midnight), None);
    assert_eq!(a.env.today, day("2026-11-24"));
    assert_eq!(a.now, midnight);
}
