//! A typed amount, date or period the prompt refuses says why on screen,
//! on the hint bar's row, while the prompt stays open below it as typed
//! (the status line is the prompt's while it is open).

use crate::tui_fixture;

use pipedeck::tui::action::Action;
use pipedeck::tui::app::{App, Start};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use tui_fixture::*;

/// Opens the prompt of `action` on the second hygiene deal, types `text`
/// over what it holds, presses enter; returns the last two screen rows.
fn refused(action: Action, text: &str, w: u16) -> (App, [String; 2]) {
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Down);
    a.update(action);
    assert!(a.prompt.is_some(), "{action:?} opens a prompt");
    a.on_key(KeyEvent::new(
        KeyCode::Char('u'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    ));
    for c in text.chars() {
        a.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    assert_eq!(a.on_key(KeyEvent::from(KeyCode::Enter)), None, "{text}");
    let s = screen(&mut a, w, 24);
    let rows: Vec<&str> = s.split('\n').collect();
    let n = rows.len();
    (a, [rows[n - 2].to_string(), rows[n - 1].to_string()])
}

#[test]
fn a_refused_answer_says_why_above_the_prompt_kept_as_typed() {
    // (prompt, typed, the hint bar's row at 80 columns, the prompt's row)
    let cases = [
        (
            Action::SetAmount,
            "71900abc",
            "✗ not a decimal amount: \"71900abc\": fix it, or esc",
            "amount: 71900abc▏  (enter ok · esc cancel)",
        ),
        (
            Action::SetAmount,
            "1e5",
            "✗ not a decimal amount: \"1e5\": fix it, or esc",
            "amount: 1e5▏  (enter ok · esc cancel)",
        ),
        (
            Action::SetAmount,
            "12,500.505",
            "✗ more than two decimal places: \"12500.505\": fix it, or esc",
            "amount: 12,500.505▏  (enter ok · esc cancel)",
        ),
        (
            Action::SetAmount,
            "99999999999999999999",
            "✗ amount out of range: \"99999999999999999999\": fix it, or esc",
            "amount: 99999999999999999999▏  (enter ok · esc cancel)",
        ),
        (
            Action::SetCloseDate,
            "2026-02-30",
            "✗ \"2026-02-30\" is not a date (YYYY-MM-DD): fix it, or esc",
            "close date (YYYY-MM-DD): 2026-02-30▏  (enter ok · esc cancel)",
        ),
        (
            Action::Snooze,
            "2026-11-20",
            "✗ 2026-11-20 is not after today (2026-11-24): fix it, or esc",
            "snooze until (YYYY-MM-DD): 2026-11-20▏  (enter ok · esc cancel)",
        ),
        (
            Action::PeriodCustom,
            "someday",
            "✗ \"someday\" is not a period; use 2017-Q2, 2017-05, 2017-W19, this-week, last-we…",
            "period (2026-Q4, 2026-11, last-4-weeks, FROM..TO): someday▏",
        ),
    ];
    for (action, typed, why, line) in cases {
        let (a, [hint, prompt]) = refused(action, typed, 80);
        assert_eq!(a.prompt.as_ref().map(|p| p.text.as_str()), Some(typed));
        assert_eq!((hint.as_str(), prompt.as_str()), (why, line), "{typed}");
    }
}

/// The reason is drawn sanitized like any text, and goes with the prompt
/// (esc).
#[test]
fn the_reason_is_sanitized_and_goes_with_the_prompt() {
    let (mut a, _) = refused(Action::SetAmount, "7x", 80);
    if let Some(p) = a.prompt.as_mut() {
        p.refused = Some("\"7\u{1b}[2J\": not a decimal amount".into());
    }
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains('\u{1b}'), "{s:?}");
    assert!(s.contains("✗ \"7"), "{s}");
    a.on_key(KeyEvent::from(KeyCode::Esc));
    let s = screen(&mut a, 200, 60);
    assert!(!s.contains("not a decimal amount"), "{s}");
    assert!(s.contains("cancelled: nothing saved"), "{s}");
}
