//! The hint bar offers only what the view does, and help shows wherever
//! the hint bar offers it: the rep's own view leaves out the team's cuts
//! and the rep filter; an empty database shows help over its welcome
//! screen (esc goes back to it).

use crate::tui_fixture;

use pipedeck::domain::RepId;
use pipedeck::storage::Store;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::{Focus, Start};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use tui_fixture::*;

/// The hint bar: the screen's last row but one.
fn hint_row(s: &str) -> String {
    let rows: Vec<&str> = s.split('\n').collect();
    rows[rows.len() - 2].to_string()
}

#[test]
fn the_reps_own_view_offers_no_team_cut_or_rep_filter() {
    let mut team = app(Start::Manager);
    team.update(Action::FocusReps);
    let wide = hint_row(&screen(&mut team, 200, 60));
    assert!(wide.contains("b cut by segment/tier/…"), "{wide}");
    assert!(wide.contains("r rep filter"), "{wide}");

    let mut own = app(Start::Rep(RepId("ann".into())));
    own.update(Action::FocusReps);
    for (w, h) in [(80, 24), (200, 60)] {
        let hints = hint_row(&screen(&mut own, w, h));
        assert!(hints.starts_with("v "), "{hints}");
        assert!(!hints.contains("cut by"), "{w}×{h}: {hints}");
        assert!(!hints.contains("rep filter"), "{w}×{h}: {hints}");
    }
    assert_eq!(
        hint_row(&screen(&mut own, 200, 60)),
        "v quantity/quality/revenue/SDR  p week/month/quarter  [ previous period  ↓ down  ? help  q quit"
    );
    // The key still says why it does nothing here.
    own.update(Action::RepsCut);
    assert_eq!(
        own.status.map(|s| s.1).as_deref(),
        Some("the cuts are the team's: they show in the manager's cockpit")
    );
}

#[test]
fn help_shows_over_an_empty_database_and_esc_goes_back_to_the_welcome() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("empty.db")).expect("database");
    let mut a = app_on(&store, Start::Manager);
    assert!(a.empty);
    let s = screen(&mut a, 80, 24);
    assert!(hint_row(&s).contains("? help"), "{s}");
    for key in [KeyCode::F(1), KeyCode::Char('?')] {
        a.on_key(KeyEvent::from(key));
        assert_eq!(a.focus, Focus::Help);
        for (w, h) in [(80, 24), (200, 60)] {
            let s = screen(&mut a, w, h);
            assert!(s.contains("Help · keys (esc closes)"), "{s}");
            assert!(!s.contains("This database is empty."), "{s}");
            assert!(hint_row(&s).contains("esc back"), "{s}");
        }
        // Help scrolls (it is longer than the screen).
        a.on_key(KeyEvent::from(KeyCode::Down));
        assert_eq!(a.status, None, "scrolling help is not refused");
        a.on_key(KeyEvent::from(KeyCode::Esc));
        let s = screen(&mut a, 80, 24);
        assert!(s.contains("This database is empty."), "{s}");
    }
    insta::assert_snapshot!("empty_help_80x24", {
        a.on_key(KeyEvent::from(KeyCode::F(1)));
        screen(&mut a, 80, 24)
    });
}
