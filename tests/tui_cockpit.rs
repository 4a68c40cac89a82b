//! The cockpit on a small hand-made team: every pane snapshotted at 80×24
//! and 200×60 on `TestBackend`, and the app driven headlessly by actions.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pipedeck::domain::*;
use pipedeck::storage::Store;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::{App, Effect, Focus, Start};
use pipedeck::tui::keymap::{KeyPatch, Keymap};
use pipedeck::tui::loader::{self, Env, Request};
use pipedeck::tui::theme::Theme;
use pipedeck::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

fn at(s: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day(s).and_hms_opt(10, 0, 0).expect("time"))
}

fn rep(id: &str, name: &str, role: Role) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: name.into(),
        email: None,
        role,
        team: None,
        manager_id: None,
        start_date: Some(day("2025-01-06")),
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn opp(
    id: &str,
    name: &str,
    account: &str,
    owner: &str,
    stage: &str,
    amount: Option<i64>,
    close: &str,
    status: Status,
) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: name.into(),
        account_id: Some(AccountId(account.into())),
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at: Some(at("2026-09-01")),
        stage: stage.into(),
        amount: amount.map(Money::from_major),
        close_date: Some(day(close)),
        forecast_category: Some(ForecastCategory::Commit),
        status,
        closed_at: None,
        loss_reason: None,
        next_step: Some("Send the \x1b[31mproposal".into()),
        next_step_date: Some(day("2026-11-26")),
        channel: Some("outbound".into()),
    }
}

/// Three reps, two accounts (one with a wide-character name and one with an
/// escape sequence in it), four deals.
fn fixture() -> Dataset {
    let settings = Settings::default();
    Dataset {
        stages: settings.stage_list(),
        reps: vec![
            rep("ann", "Ann Archer", Role::Ae),
            rep("bob", "Bo Bäckström", Role::Ae),
            rep("cy", "Cy 株式", Role::Sdr),
        ],
        accounts: vec![
            Account {
                id: AccountId("acme".into()),
                name: "Acme\x1b[2J Corp".into(),
                segment: None,
                icp_tier: Some("A".into()),
                industry: None,
                employees: None,
            },
            Account {
                id: AccountId("glob".into()),
                name: "株式会社グローブ".into(),
                segment: None,
                icp_tier: Some("B".into()),
                industry: None,
                employees: None,
            },
        ],
        opportunities: vec![
            opp(
                "D-1",
                "Acme renewal",
                "acme",
                "ann",
                "Proposal",
                Some(12_500),
                "2026-11-20",
                Status::Open,
            ),
            opp(
                "D-2",
                "Acme expansion",
                "acme",
                "ann",
                "Demo",
                None,
                "2026-12-15",
                Status::Open,
            ),
            opp(
                "D-3",
                "グローブ platform",
                "glob",
                "bob",
                "Negotiation",
                Some(40_000),
                "2026-11-27",
                Status::Open,
            ),
            opp(
                "D-4",
                "Globex pilot",
                "glob",
                "bob",
                "Closed Won",
                Some(9_000),
                "2026-11-18",
                Status::Won,
            ),
        ],
        history: vec![HistoryEntry {
            opportunity_id: OppId("D-1".into()),
            changed_at: at("2026-11-10"),
            field: HistoryField::Stage,
            old_value: Some("Demo".into()),
            new_value: Some("Proposal".into()),
            changed_by: Some("ann".into()),
            review_session_id: None,
        }],
        activities: vec![Activity {
            id: ActivityId("A-1".into()),
            rep_id: RepId("ann".into()),
            kind: ActivityKind::Call,
            meeting_type: None,
            label: None,
            opportunity_id: Some(OppId("D-1".into())),
            account_id: Some(AccountId("acme".into())),
            contact_id: None,
            occurred_at: at("2026-11-12"),
            outcome: Some(Outcome::Connected),
            duration_min: Some(20),
            direction: Some(Direction::Outbound),
            review_session_id: None,
        }],
        ..Dataset::default()
    }
}

/// The fixture in a real database file (the worker opens databases by
/// path), with D-1 tagged yellow in last week's review.
fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("tui.db")).expect("database");
    let data = fixture();
    let mut tx = store.begin().expect("tx");
    for s in &data.stages {
        tx.upsert_stage(s).expect("stage");
    }
    for r in &data.reps {
        tx.upsert_rep(r).expect("rep");
    }
    for a in &data.accounts {
        tx.upsert_account(a).expect("account");
    }
    for o in &data.opportunities {
        tx.upsert_opportunity(o).expect("deal");
    }
    for h in &data.history {
        tx.append_history(h).expect("history");
    }
    for a in &data.activities {
        tx.upsert_activity(a).expect("activity");
    }
    tx.commit().expect("commit");
    let stamp = pipedeck::domain::edit::Stamp::new(at("2026-11-17"));
    store
        .tag_deal(&OppId("D-1".into()), StuckTag::Yellow, None, &stamp)
        .expect("tag");
    (dir, store)
}

fn env() -> Env {
    let settings = Settings::default();
    let cal = settings.calendar().expect("default calendar");
    Env {
        settings,
        cal,
        today: day("2026-11-24"),
    }
}

/// The app on a store, loaded, monochrome (so snapshots show text only).
fn app_on(store: &Store, start: Start) -> App {
    let env = env();
    let keymap = Keymap::load(&KeyPatch::new()).expect("default keymap");
    let mut app = App::new(env.clone(), keymap, Theme::monochrome(), start, now());
    let req: Request = app.request();
    app.on_loaded(loader::load(store, &env, &req).expect("load"));
    app
}

/// The app on the fixture.
fn app(start: Start) -> App {
    let (_dir, store) = store();
    app_on(&store, start)
}

/// The fixed "now" of these tests: 15:00 UTC on today.
fn now() -> DateTime<Utc> {
    Utc.from_utc_datetime(&day("2026-11-24").and_hms_opt(15, 0, 0).expect("time"))
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    app.area = ratatui::layout::Rect::new(0, 0, w, h);
    t.draw(|f| view::render(app, f.area(), f.buffer_mut()))
        .expect("draw");
    t
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    let t = draw(app, w, h);
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| {
            // A wide character fills two cells; the second is skipped, as a
            // terminal shows it.
            let mut line = String::new();
            let mut x = 0;
            while x < w {
                let sym = buf[(x, y)].symbol();
                line.push_str(sym);
                x += pipedeck::text::width(sym).max(1) as u16;
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_pane_at_both_sizes() {
    for (name, action) in [
        ("review", Action::FocusReview),
        ("hygiene", Action::FocusHygiene),
        ("reps", Action::FocusReps),
        ("anomalies", Action::FocusAnomalies),
        ("forecast", Action::FocusForecast),
        ("pipeline", Action::FocusPipeline),
        ("deal_empty", Action::FocusDeal),
        ("help", Action::Help),
    ] {
        for (w, h) in [(80, 24), (200, 60)] {
            let mut a = app(Start::Manager);
            a.update(action);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&mut a, w, h));
        }
    }
}

#[test]
fn deal_pane_shows_fields_timeline_and_tag() {
    for (w, h) in [(80, 24), (200, 60)] {
        let mut a = app(Start::Manager);
        a.deal.opp = Some(OppId("D-1".into()));
        a.update(Action::FocusDeal);
        let s = screen(&mut a, w, h);
        // The escape sequence in the next step never reaches the terminal.
        assert!(!s.contains('\x1b'));
        assert!(s.contains("yellow: waiting on the customer"), "{s}");
        assert!(s.contains("stage: Demo → Proposal"), "{s}");
        assert!(s.contains("12,500"), "{s}");
        insta::assert_snapshot!(format!("deal_{w}x{h}"), s);
    }
}

#[test]
fn below_the_minimum_size_a_message_replaces_the_layout() {
    let mut a = app(Start::Manager);
    let s = screen(&mut a, 60, 20);
    assert!(s.contains("needs at least 80×24"), "{s}");
    assert!(s.contains("60×20"), "{s}");
}

#[test]
fn the_three_ways_in_focus_the_right_pane() {
    assert_eq!(app(Start::Manager).focus, Focus::Review);
    let rep = app(Start::Rep(RepId("bob".into())));
    assert_eq!(rep.focus, Focus::Hygiene);
    assert_eq!(rep.rep_filter, Some(RepId("bob".into())));
    // Bob has the larger open pipeline (40,000 vs 12,500), so he is first
    // in the agenda; the rep view opens on him.
    assert_eq!(rep.review.reps[0].0, RepId("bob".into()));
    assert_eq!(rep.review.rep_idx, 0);
    let f = app(Start::Forecast);
    assert_eq!(f.focus, Focus::Forecast);
    // The forecast view opens on the fiscal quarter containing today.
    assert_eq!(
        (f.period.from, f.period.to),
        (day("2026-10-01"), day("2027-01-01"))
    );
}

#[test]
fn period_keys_reload_once_per_change() {
    let mut a = app(Start::Manager);
    assert_eq!(
        (a.period.from, a.period.to),
        (day("2026-11-01"), day("2026-12-01"))
    );
    let g = a.generation;
    match a.update(Action::PeriodPrev) {
        Some(Effect::Load(req)) => {
            assert_eq!(
                (req.period.from, req.period.to),
                (day("2026-10-01"), day("2026-11-01"))
            );
            assert_eq!(req.generation, g + 1);
        }
        other => panic!("expected a load, got {other:?}"),
    }
    assert!(a.loading);
    // Moving the selection loads nothing.
    assert_eq!(a.update(Action::Down), None);
    // Week, then back to the week containing today (a Tuesday: Mon 23 Nov).
    a.update(Action::PeriodKind);
    a.update(Action::PeriodKind);
    assert_eq!(
        (a.period.from, a.period.to),
        (day("2026-11-23"), day("2026-11-30"))
    );
}

#[test]
fn tab_cycles_panes_and_help_returns_where_it_was() {
    let mut a = app(Start::Manager);
    a.update(Action::NextPane);
    assert_eq!(a.focus, Focus::Hygiene);
    a.update(Action::PrevPane);
    a.update(Action::PrevPane);
    assert_eq!(a.focus, Focus::Deal);
    a.update(Action::Help);
    assert_eq!(a.focus, Focus::Help);
    a.update(Action::Back);
    assert_eq!(a.focus, Focus::Deal);
}

#[test]
fn review_timer_counts_each_box() {
    let mut a = app(Start::Manager);
    let start = a.now;
    a.review.run = None;
    assert!(matches!(
        a.update(Action::StartReview),
        Some(Effect::Edit(..))
    ));
    a.on_edited(Ok(pipedeck::tui::edit::Done {
        message: "review #1 started".into(),
        session_started: Some(1),
        closing_report: None,
    }));
    a.now = start + chrono::Duration::seconds(200);
    a.update(Action::NextBox);
    a.now = start + chrono::Duration::seconds(260);
    // 200 s in the wins box (3:20, over its 3 minutes), 60 s in the next.
    assert_eq!(a.review.box_seconds(0, a.now), 200);
    assert_eq!(a.review.box_seconds(1, a.now), 60);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("3:20 / 3:00 over"), "{s}");
    assert!(s.contains("1:00 / 10:00"), "{s}");
    assert!(s.contains("session #1"), "{s}");
}

#[test]
fn search_filters_the_focused_list_and_esc_clears_it() {
    let mut a = app(Start::Manager);
    a.update(Action::FocusPipeline);
    a.update(Action::Search);
    for c in "prop".chars() {
        a.on_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    assert_eq!(a.pipeline.list.filter, "prop");
    // Only the Proposal row is left of the by-stage table.
    assert_eq!(a.pipeline.list.visible(0).len(), 1);
    a.on_key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Esc,
    ));
    assert_eq!(a.pipeline.list.filter, "");
    assert!(a.prompt.is_none());
}

#[test]
fn mouse_clicks_focus_tabs_and_panes_and_the_wheel_scrolls() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let mut a = app(Start::Manager);
    let s = screen(&mut a, 80, 24);
    // "pipedeck 1 Review 2 3 …": the "3" is at column 20.
    assert_eq!(s.lines().next().map(|l| &l[20..21]), Some("3"));
    a.on_mouse(click(20, 0));
    assert_eq!(a.focus, Focus::Reps);
    // At 200×60 the home shows review (left), hygiene (top right), reps.
    let mut a = app(Start::Manager);
    let _ = screen(&mut a, 200, 60);
    a.on_mouse(click(150, 10));
    assert_eq!(a.focus, Focus::Hygiene);
    a.on_mouse(click(150, 50));
    assert_eq!(a.focus, Focus::Reps);
    a.on_mouse(click(20, 30));
    assert_eq!(a.focus, Focus::Review);
    // The wheel moves the selection of the focused list.
    a.update(Action::FocusPipeline);
    a.on_mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 10,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(a.pipeline.list.selected, 1);
}
