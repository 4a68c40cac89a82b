//! The cockpit under abuse: a 10 KB paste into the search prompt is capped
//! and handled in one go, and Esc still closes the prompt.

use crate::tui_fixture::*;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::Start;
use pipedeck::tui::prompt::MAX_PROMPT_CHARS;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::{Duration, Instant};

#[test]
fn a_big_paste_into_search_is_capped_fast_and_esc_still_closes() {
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Search);
    assert!(a.prompt.is_some());
    // Ten kilobytes with line breaks, tabs and an escape sequence.
    let paste = "Acme\nDeal\t\x1b[2J ".repeat(700);
    assert!(paste.len() > 10_000);
    let t = Instant::now();
    a.on_paste(&paste);
    let text = a.prompt.as_ref().unwrap().text.clone();
    assert_eq!(text.chars().count(), MAX_PROMPT_CHARS);
    assert!(text.starts_with("Acme Deal [2J Acme"), "{text}");
    assert!(!text.chars().any(char::is_control));
    // Typing past the cap adds nothing.
    a.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    assert_eq!(a.prompt.as_ref().unwrap().text, text);
    let _ = screen(&mut a, 80, 24);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    a.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    assert!(a.prompt.is_none(), "Esc closes the prompt");
    // A paste with no prompt open is not taken for keys.
    assert!(a.on_paste("q").is_none());
}
