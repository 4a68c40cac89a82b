//! The small hand-made team the cockpit tests run on: three reps, two
//! accounts (one with wide characters, one with an escape sequence in its
//! name), four deals, in a real database file.

#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pipedeck::domain::*;
use pipedeck::storage::Store;
use pipedeck::tui::app::{App, Start};
use pipedeck::tui::keymap::{KeyPatch, Keymap};
use pipedeck::tui::loader::{self, Env, Request};
use pipedeck::tui::theme::Theme;
use pipedeck::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

pub fn at(s: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day(s).and_hms_opt(10, 0, 0).expect("time"))
}

pub fn rep(id: &str, name: &str, role: Role) -> Rep {
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
pub fn opp(
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
        list_amount: None,
        channel: Some("outbound".into()),
    }
}

/// Three reps, two accounts (one with a wide-character name and one with an
/// escape sequence in it), four deals.
pub fn fixture() -> Dataset {
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
pub fn store() -> (tempfile::TempDir, Store) {
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

pub fn env() -> Env {
    let settings = Settings::default();
    let cal = settings.calendar().expect("default calendar");
    Env {
        settings,
        cal,
        today: day("2026-11-24"),
    }
}

/// The app on a store, loaded, monochrome (so snapshots show text only).
pub fn app_on(store: &Store, start: Start) -> App {
    let env = env();
    let keymap = Keymap::load(&KeyPatch::new()).expect("default keymap");
    let mut app = App::new(env.clone(), keymap, Theme::monochrome(), start, now());
    let req: Request = app.request();
    app.on_loaded(loader::load(store, &env, &req).expect("load"));
    app
}

/// Opens the selected deal as the cockpit does, the worker's reading of
/// its activities carried out inline.
pub fn open_deal(app: &mut App, store: &Store) {
    match app.update(pipedeck::tui::action::Action::Open) {
        Some(pipedeck::tui::app::Effect::Timeline(id)) => {
            pipedeck::tui::apply_reply(app, loader::timeline(store, id))
        }
        other => panic!("opening a deal asks for its activities, not {other:?}"),
    }
}

/// The app on the fixture.
pub fn app(start: Start) -> App {
    let (_dir, store) = store();
    app_on(&store, start)
}

/// The fixed "now" of these tests: 15:00 UTC on today.
pub fn now() -> DateTime<Utc> {
    Utc.from_utc_datetime(&day("2026-11-24").and_hms_opt(15, 0, 0).expect("time"))
}

pub fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    app.area = ratatui::layout::Rect::new(0, 0, w, h);
    t.draw(|f| view::render(app, f.area(), f.buffer_mut()))
        .expect("draw");
    t
}

pub fn screen(app: &mut App, w: u16, h: u16) -> String {
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

/// The demo team (seed 7, the fixture's today) written to a fresh file.
pub fn demo_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("demo.db")).expect("database");
    let env = env();
    let team = pipedeck::demo::generate(7, env.today, &env.settings, &env.cal);
    pipedeck::demo::write(&team, &mut store).expect("demo written");
    (dir, store)
}
