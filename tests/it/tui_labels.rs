//! Stored names reach the screen as the words the rest of the cockpit uses
//! (`best case`, `no answer`, `next step date`), never as their snake_case:
//! the deal pane's fields and timeline, the rep's deals' category column.

use crate::tui_fixture;

use pipedeck::app::edit::{EditCmd, LogActivity};
use pipedeck::domain::*;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::Start;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use tui_fixture::*;

#[test]
fn the_deal_pane_says_categories_fields_and_outcomes_in_words() {
    let (_dir, mut store) = store();
    let env = env();
    let d1 = || OppId("D-1".into());
    for cmd in [
        EditCmd::SetCategory {
            opp: d1(),
            category: ForecastCategory::BestCase,
            session: None,
        },
        EditCmd::SetNextStep {
            opp: d1(),
            text: "Call the CFO".into(),
            date: Some(day("2026-11-30")),
            session: None,
        },
        EditCmd::Log {
            log: LogActivity {
                rep: None,
                kind: ActivityKind::Call,
                opp: Some(d1()),
                account: None,
                contact: None,
                outcome: Some(Outcome::NoAnswer),
                minutes: None,
                meeting_type: None,
                label: None,
                at: None,
            },
            session: None,
        },
    ] {
        pipedeck::tui::edit::apply(&mut store, &env, now(), &cmd).expect("saved");
    }
    let mut a = app_on(&store, Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Search);
    for c in "D-1".chars() {
        a.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    a.on_key(KeyEvent::from(KeyCode::Enter));
    open_deal(&mut a, &store);
    let s = screen(&mut a, 200, 60);
    for words in [
        "category    best case",
        "forecast category: commit → best case",
        "next step date: 2026-11-26 → 2026-11-30",
        "call by Ann Archer (no answer)",
    ] {
        assert!(s.contains(words), "{words} in\n{s}");
    }
    for raw in [
        "best_case",
        "forecast_category",
        "next_step_date",
        "no_answer",
    ] {
        assert!(!s.contains(raw), "{raw} in\n{s}");
    }
    // The rep's own deals list their category.
    let mut own = app_on(&store, Start::Rep(RepId("ann".into())));
    own.update(Action::FocusPipeline);
    let s = screen(&mut own, 200, 60);
    assert!(s.contains("best case") && !s.contains("best_case"), "{s}");
}
