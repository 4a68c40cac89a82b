//! The screens of the cockpit tour (docs/cockpit-tour.md) and the founder's
//! "why": the empty database, a confirmation, the forecast scrolled to a past
//! quarter, a waterfall step opened, the stage list; and the call's movement
//! and the waterfall rebuilt from history, worked out by hand on the fixture.

use crate::tui_fixture;

use pipedeck::domain::edit::{Edit, Stamp};
use pipedeck::domain::*;
use pipedeck::report::Input;
use pipedeck::report::movement::CallMovement;
use pipedeck::report::waterfall::WaterfallReport;
use pipedeck::storage::Store;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::Start;
use tui_fixture::*;

#[test]
fn an_empty_database_says_how_to_bring_data_in() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("empty.db")).expect("database");
    let mut a = app_on(&store, Start::Manager);
    a.db_path = Some(std::path::PathBuf::from("/data/pipedeck.db"));
    assert!(a.empty);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("This database is empty."), "{s}");
    assert!(
        s.contains("pipedeck --db /data/pipedeck.db import DIR"),
        "{s}"
    );
    assert!(s.contains("pipedeck demo --seed 7"), "{s}");
    insta::assert_snapshot!("empty_80x24", s);
}

#[test]
fn the_tour_screens_of_the_demo() {
    let (_dir, store) = demo_store();
    // W on the largest flagged deal asks first.
    let mut a = app_on(&store, Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::CloseWon);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("close opp-01061 WON at 259,300? y yes"), "{s}");
    insta::assert_snapshot!("confirm_won_80x24", s);
    a.on_key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Esc,
    ));
    assert!(a.prompt.is_none());
    // The stage list of the same deal (in Discovery).
    a.update(Action::PickStage);
    assert_eq!(a.picker.as_ref().and_then(|p| p.value()), Some("Discovery"));
    insta::assert_snapshot!("stage_list_80x24", screen(&mut a, 80, 24));

    // The founder: scrolled down to the accuracy of 2025-Q4 (+47.5 %, a red flag).
    let mut f = app_on(&store, Start::Forecast);
    let _ = screen(&mut f, 80, 24);
    for _ in 0..40 {
        let s = screen(&mut f, 80, 24);
        if s.contains("2025-Q4") {
            break;
        }
        f.update(Action::PageDown);
    }
    let s = screen(&mut f, 80, 24);
    assert!(s.contains("2025-Q4") && s.contains("+47.5%"), "{s}");
    insta::assert_snapshot!("forecast_2025q4_80x24", s);
    // Enter on a waterfall step lists its deals.
    let mut f = app_on(&store, Start::Forecast);
    for _ in 0..5 {
        f.update(Action::Down); // start → new → pulled in → pushed out → won → lost
    }
    f.update(Action::Open);
    assert_eq!(f.forecast.open_step, Some(5));
    insta::assert_snapshot!("waterfall_lost_200x60", screen(&mut f, 200, 60));
}

/// D-3 pushed to December, D-1 decommitted, D-2 given 8,000 in commit
/// closing 28 November, all on 24 November.
fn moved_store() -> (tempfile::TempDir, Store) {
    let (dir, mut store) = store();
    let stages = Settings::default().stage_list();
    let stamp = Stamp::new(at("2026-11-24"));
    for (id, e) in [
        ("D-3", Edit::CloseDate(day("2026-12-04"))),
        ("D-1", Edit::Category(ForecastCategory::BestCase)),
        ("D-2", Edit::Amount(Money::from_major(8_000))),
        ("D-2", Edit::CloseDate(day("2026-11-28"))),
    ] {
        store
            .edit_deal(&OppId(id.into()), &e, &stages, &stamp)
            .expect("edit");
    }
    (dir, store)
}

#[test]
fn the_call_moved_since_last_week_deal_by_deal() {
    let (_dir, store) = moved_store();
    let data = store.load_dataset().expect("load");
    let env = env();
    let input = Input {
        data: &data,
        snapshots: &[],
        settings: &env.settings,
        cal: &env.cal,
        today: env.today,
        period: None,
    };
    let november = env.cal.containing(PeriodKind::Month, env.today);
    let m = CallMovement::build(&input, november, 7, None);
    // On 17 November the call was D-1 12,500 + D-3 40,000 (both commit,
    // closing in November); now only D-2's 8,000 (D-2 was commit all along).
    assert_eq!(m.then, day("2026-11-17"));
    assert_eq!(m.call_then, Money::from_major(52_500));
    assert_eq!(m.call_now, Money::from_major(8_000));
    let moved = |v: &[pipedeck::report::movement::CallMove]| {
        v.iter()
            .map(|x| (x.opportunity_id.0.to_string(), x.why.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        moved(&m.moved_in),
        [("D-2".to_string(), "pulled in".to_string())]
    );
    assert_eq!(
        moved(&m.moved_out),
        [
            ("D-3".to_string(), "pushed out (to 2026-12-04)".to_string()),
            ("D-1".to_string(), "decommitted (now best_case)".to_string()),
        ]
    );
    // Ann's own: D-1 out, D-2 in; Bob's D-3 is not hers.
    let ann = RepId("ann".into());
    let m = CallMovement::build(&input, november, 7, Some(&ann));
    assert_eq!(
        (m.call_then, m.call_now),
        (Money::from_major(12_500), Money::from_major(8_000))
    );
    assert_eq!(m.moved_out.len(), 1);
}

#[test]
fn the_waterfall_is_rebuilt_from_history_without_snapshots() {
    let (_dir, store) = moved_store();
    let data = store.load_dataset().expect("load");
    assert!(store.load_snapshots().expect("snapshots").is_empty());
    let env = env();
    let input = Input {
        data: &data,
        snapshots: &[],
        settings: &env.settings,
        cal: &env.cal,
        today: env.today,
        period: Some(env.cal.containing(PeriodKind::Month, env.today)),
    };
    // 17 → 24 November over November: start D-1 + D-3 = 52,500; D-2
    // pulled in 8,000; D-3 pushed out 40,000; end 20,500.
    let r = WaterfallReport::build(&input, Some(day("2026-11-17")), Some(day("2026-11-24")))
        .expect("rebuilt");
    let w = &r.waterfall;
    assert_eq!(
        (w.start, w.pulled_in, w.pushed_out, w.new, w.end),
        (
            Money::from_major(52_500),
            Money::from_major(8_000),
            Money::from_major(40_000),
            Money::ZERO,
            Money::from_major(20_500)
        )
    );
    assert_eq!(r.rebuilt_from_history, vec![day("2026-11-17")]);
    // A past end is rebuilt too (the 20th: D-2's amount came on the 24th).
    let r = WaterfallReport::build(&input, Some(day("2026-11-16")), Some(day("2026-11-20")))
        .expect("rebuilt");
    assert_eq!(
        r.rebuilt_from_history,
        vec![day("2026-11-16"), day("2026-11-20")]
    );
    assert_eq!(r.waterfall.end, Money::from_major(52_500));
}

#[test]
fn the_reps_own_view_names_no_other_rep() {
    let (_dir, store) = store();
    let mut a = app_on(&store, Start::Rep(RepId("ann".into())));
    // No team review: the tabs start at To do, R and 1 say why they do nothing.
    assert!(!a.tabs().contains(&pipedeck::tui::app::Focus::Review));
    a.update(Action::StartReview);
    assert!(a.review.run.is_none());
    a.update(Action::FocusReview);
    assert_ne!(a.focus, pipedeck::tui::app::Focus::Review);
    for (pane, want) in [
        (Action::FocusHygiene, "My to-do"),
        (Action::FocusReps, "My metrics"),
        (Action::FocusAnomalies, "Anomalies"),
        (Action::FocusForecast, "Forecast"),
        (Action::FocusPipeline, "My open deals"),
    ] {
        a.update(pane);
        for (w, h) in [(80, 24), (200, 60)] {
            let s = screen(&mut a, w, h);
            assert!(s.contains(want), "{s}");
            assert!(!s.contains("Bo Bäckström") && !s.contains("bob"), "{s}");
        }
    }
    // Her open deals: D-1 and D-2 (D-3 is Bob's), closing soonest first.
    a.update(Action::FocusPipeline);
    let ids: Vec<_> = a
        .pipeline
        .list
        .deals
        .iter()
        .flatten()
        .map(|d| d.0.clone())
        .collect();
    assert_eq!(ids, ["D-1", "D-2"]);
    // Her forecast line is the headline: D-1's 12,500 in commit (D-2 has no amount).
    a.update(Action::FocusForecast);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("call 12,500"), "{s}");
}

#[test]
fn an_empty_database_starts_no_review() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("empty.db")).expect("database");
    let mut a = app_on(&store, Start::Manager);
    assert_eq!(a.update(Action::StartReview), None);
    assert!(a.review.run.is_none());
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(_, m)| m.contains("import data or run the demo"))
    );
}

#[test]
fn help_stops_at_its_last_line_and_ctrl_c_closes_a_pick_list() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut a = app(Start::Manager);
    a.update(Action::Help);
    let first = screen(&mut a, 80, 24);
    for _ in 0..500 {
        a.on_key(KeyEvent::from(KeyCode::Down));
        let _ = screen(&mut a, 80, 24);
    }
    let bottom = screen(&mut a, 80, 24);
    assert_ne!(bottom, first);
    // One step up from the end shows another screen at once, not the same.
    a.on_key(KeyEvent::from(KeyCode::Up));
    assert_ne!(screen(&mut a, 80, 24), bottom);
    // A pick list: ctrl-c closes it, nothing saved, and does not quit.
    a.update(Action::Back);
    a.update(Action::FocusHygiene);
    a.update(Action::PickStage);
    assert!(a.picker.is_some());
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(a.on_key(ctrl_c), None);
    assert!(a.picker.is_none());
}

/// A deal the loaded window does not hold (won a year ago, opened from a
/// drill-down's records) is read whole with its activities: the Deal pane
/// shows it with its history, and an edit key gets the edit's own answer.
#[test]
fn a_deal_closed_long_ago_opens_whole() {
    use pipedeck::tui::app::{Effect, Focus};
    let (_dir, mut store) = tui_fixture::store();
    let id = OppId("D-old".into());
    let mut old = opp(
        "D-old",
        "Old win",
        "acme",
        "ann",
        "Closed Won",
        Some(9000),
        "2025-10-01",
        Status::Won,
    );
    old.created_at = Some(at("2025-08-01"));
    old.closed_at = Some(at("2025-10-01"));
    old.forecast_category = Some(ForecastCategory::Closed);
    let mut tx = store.begin().expect("tx");
    tx.upsert_opportunity(&old).expect("deal");
    tx.append_history(&HistoryEntry {
        opportunity_id: id.clone(),
        changed_at: at("2025-10-01"),
        field: HistoryField::Stage,
        old_value: Some("Proposal".into()),
        new_value: Some("Closed Won".into()),
        changed_by: None,
        review_session_id: None,
    })
    .expect("history");
    tx.commit().expect("commit");
    let mut a = app_on(&store, Start::Manager);
    assert!(
        a.data.opportunity(&id).is_none(),
        "not in the review window"
    );
    a.deal.open(id.clone());
    a.focus = Focus::Deal;
    pipedeck::tui::apply_reply(&mut a, pipedeck::tui::loader::timeline(&store, id.clone()));
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("Deal D-old · Old win"), "{s}");
    assert!(s.contains("2025-10-01 stage: Proposal → Closed Won"), "{s}");
    assert!(!s.contains("No deal open"), "{s}");
    // `+` on it is the edit's to refuse (a closed deal), not "not in the database".
    let Some(Effect::Edit(cmd, _)) = a.update(Action::PushClose) else {
        panic!("an edit");
    };
    a.on_edited(pipedeck::tui::edit::apply(&mut store, &env(), now(), &cmd));
    let (_, status) = a.status.clone().expect("a status");
    assert!(!status.contains("not in the database"), "{status}");
    assert!(status.contains("won"), "{status}");
}

/// The app with the second deal of the hygiene list selected.
fn on_a_hygiene_deal() -> pipedeck::tui::app::App {
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Down);
    a
}

/// Empties the open prompt, key by key.
fn clear_prompt(a: &mut pipedeck::tui::app::App) {
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    while a.prompt.as_ref().is_some_and(|p| !p.text.is_empty()) {
        a.on_key(KeyEvent::from(KeyCode::Backspace));
    }
}

/// A typed answer the prompt cannot take keeps the prompt as typed, with
/// why, so a typo is fixed rather than typed again.
#[test]
fn a_refused_answer_keeps_the_prompt_to_fix() {
    use pipedeck::app::edit::EditCmd;
    use pipedeck::tui::app::Effect;
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    let mut a = on_a_hygiene_deal();
    let typed = |a: &mut pipedeck::tui::app::App, text: &str| {
        for c in text.chars() {
            a.on_key(KeyEvent::from(KeyCode::Char(c)));
        }
        a.on_key(KeyEvent::from(KeyCode::Enter))
    };
    a.update(Action::SetCloseDate);
    clear_prompt(&mut a);
    assert_eq!(typed(&mut a, "2026-1-5"), None);
    assert_eq!(a.prompt.as_ref().map(|p| p.text.as_str()), Some("2026-1-5"));
    let why = a.prompt.as_ref().and_then(|p| p.refused.clone());
    assert_eq!(
        why.as_deref(),
        Some("\"2026-1-5\" is not a date (YYYY-MM-DD): fix it, or esc")
    );
    clear_prompt(&mut a);
    match typed(&mut a, "2026-01-05") {
        Some(Effect::Edit(EditCmd::SetCloseDate { date, .. }, _)) => {
            assert_eq!(date, day("2026-01-05"))
        }
        other => panic!("{other:?}"),
    }
    // An amount as the screen shows it.
    a.pending_undo.clear();
    a.update(Action::SetAmount);
    clear_prompt(&mut a);
    match typed(&mut a, "12,500.50") {
        Some(Effect::Edit(EditCmd::SetAmount { amount, .. }, _)) => {
            assert_eq!(amount, Money(1_250_050))
        }
        other => panic!("{other:?}"),
    }
    // A snooze date not after today is refused before the reason is asked.
    a.pending_undo.clear();
    a.update(Action::Snooze);
    clear_prompt(&mut a);
    assert_eq!(typed(&mut a, "2026-11-24"), None);
    assert_eq!(
        a.prompt.as_ref().map(|p| p.text.as_str()),
        Some("2026-11-24")
    );
    let why = a.prompt.as_ref().and_then(|p| p.refused.clone());
    assert!(
        why.as_deref()
            .is_some_and(|w| w.starts_with("2026-11-24 is not after today (2026-11-24)")),
        "{why:?}"
    );
}

/// At 80 columns the header's period drops its year before it is cut.
#[test]
fn the_header_fits_a_week_at_80_columns() {
    let mut a = app(Start::Manager);
    let mut top = String::new();
    for _ in 0..3 {
        a.update(Action::PeriodKind);
        top = screen(&mut a, 80, 24)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        if top.contains("wk") {
            break;
        }
    }
    // (" …": the period is being loaded.)
    assert!(top.ends_with(" wk 11-23 …"), "{top}");
}

/// A next step longer than the screen scrolls so the cursor shows; ← and
/// home move where typing goes.
#[test]
fn a_long_prompt_scrolls_to_its_cursor_and_the_cursor_moves() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut a = on_a_hygiene_deal();
    a.update(Action::NextStep);
    clear_prompt(&mut a);
    let words: Vec<String> = (1..=20).map(|n| format!("word{n:02}")).collect();
    for c in words.join(" ").chars() {
        a.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    let status = |a: &mut pipedeck::tui::app::App| {
        let s = screen(a, 80, 24);
        s.lines().nth(23).unwrap_or_default().to_string()
    };
    let line = status(&mut a);
    assert!(line.ends_with("word19 word20▏"), "{line}");
    assert!(line.contains(": …"), "{line}");
    // Home: the start shows, the rest is out of sight to the right.
    a.on_key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL));
    let line = status(&mut a);
    assert!(line.contains(": ▏word01 word02"), "{line}");
    assert!(line.ends_with('…'), "{line}");
    // ← ← then a letter goes in before the last two characters.
    a.on_key(KeyEvent::from(KeyCode::End));
    a.on_key(KeyEvent::from(KeyCode::Left));
    a.on_key(KeyEvent::from(KeyCode::Left));
    a.on_key(KeyEvent::from(KeyCode::Char('X')));
    let text = a
        .prompt
        .as_ref()
        .map(|p| p.text.clone())
        .unwrap_or_default();
    assert!(
        text.ends_with("word20".replace("20", "X20").as_str()),
        "{text}"
    );
}
