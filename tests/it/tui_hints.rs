//! The hint bar offers only what the view does: the rep's own view leaves
//! out the team's cuts and the rep filter.

use crate::tui_fixture;

use pipedeck::domain::RepId;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::Start;
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
