//! The founder's forecast tables at 80 and 100 columns (demo, seed 7,
//! today 2026-11-24, the quarter 2026-Q4): the period is never cut (it
//! tells the quarter's row from its months'), names keep a readable width,
//! and coverage and its status word stay while best case, pipeline and
//! weighted give way.

use crate::tui_fixture;

use pipedeck::tui::action::Action;
use pipedeck::tui::app::Start;
use tui_fixture::*;

/// The rows of the screen from the table titled `title` on, up to its
/// blank line.
fn table<'s>(s: &'s str, title: &str) -> Vec<&'s str> {
    s.lines()
        .skip_while(|l| !l.contains(title))
        .take_while(|l| !l.trim_matches(|c| c == '│' || c == ' ').is_empty())
        .collect()
}

#[test]
fn the_forecast_tables_keep_period_names_and_coverage_when_narrow() {
    let (_dir, store) = demo_store();
    let mut a = app_on(&store, Start::Forecast);
    a.update(Action::Bottom); // G: down to the tables
    let s = screen(&mut a, 80, 24);
    let team = table(&s, "Forecast 2026-10-01..2027-01-01 (as of");
    assert_eq!(
        team.get(1)
            .map(|h| h.split_whitespace().collect::<Vec<_>>()),
        Some(
            [
                "│who", "period", "won", "call", "quota", "to", "close", "coverage", "status", "│"
            ]
            .to_vec()
        ),
        "{s}"
    );
    // The quarter's row and its months', told apart.
    for period in ["2026-Q4", "2026-10", "2026-11", "2026-12"] {
        assert!(
            team.iter().any(|r| r.contains(&format!(" {period} "))),
            "{period} in\n{s}"
        );
    }
    assert!(!s.contains("202…"), "{s}");
    // The reps' table: names of 16 columns at least, their LIGHT coverage said.
    let reps = table(&s, "Forecast by rep");
    assert!(reps.iter().any(|r| r.contains("Harper Lindqvane")), "{s}");
    assert!(reps.iter().any(|r| r.contains("LIGHT")), "{s}");
    insta::assert_snapshot!("founder_tables_80x24", s);

    // 100 columns: the commit and the weighted come back; best case and
    // pipeline still give way.
    let s = screen(&mut a, 100, 30);
    let team = table(&s, "Forecast 2026-10-01..2027-01-01 (as of");
    assert_eq!(
        team.get(1)
            .map(|h| h.split_whitespace().collect::<Vec<_>>()),
        Some(
            [
                "│who", "period", "won", "commit", "call", "weighted", "quota", "to", "close",
                "coverage", "status", "│"
            ]
            .to_vec()
        ),
        "{s}"
    );
    // 200 columns: every column.
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("best case  pipeline  weighted"), "{s}");
}
