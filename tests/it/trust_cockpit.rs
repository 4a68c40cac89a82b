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

/// The cockpit checks the file's pages once its first load is drawn: a
/// damaged file is said on screen, and an edit after it is not saved.
#[test]
fn a_damaged_file_is_said_on_screen_and_edits_are_refused() {
    use pipedeck::storage::Store;
    use pipedeck::tui::loader::{Job, Loader, Reply};
    let (dir, store) = store();
    let path = dir.path().join("tui.db");
    drop(store);
    {
        // A table the cockpit's loads never read, its root page's header
        // overwritten (the WAL folded into the file first).
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        let root: i64 = c
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'crm_records'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        drop(c);
        let mut bytes = std::fs::read(&path).unwrap();
        let at = ((root - 1) * 4096) as usize;
        bytes[at..at + 8].fill(0xff);
        std::fs::write(&path, bytes).unwrap();
    }
    let store = Store::open_existing(&path).unwrap();
    let mut app = app_on(&store, Start::Manager);
    let loader = Loader::spawn_on(store, env());
    loader.send(Job::CheckPages);
    loader.send(Job::Load(app.request()));
    let said = loop {
        match loader.recv().expect("a reply") {
            Reply::Damaged(e) => break e,
            Reply::Failed(e) => panic!("the load failed: {e}"),
            _ => {}
        }
    };
    let at = path.display();
    assert!(
        said.starts_with(&format!(
            "the database file is damaged, edits are disabled; `pipedeck check` says more ({at}: "
        )),
        "{said}"
    );
    pipedeck::tui::apply_reply(&mut app, Reply::Damaged(said.clone()));
    assert_eq!(
        app.status.as_ref().map(|s| s.1.as_str()),
        Some(said.as_str())
    );
    // Said again whenever the status line is free (Esc clears a message).
    app.status = None;
    let last = screen(&mut app, 80, 24).lines().last().unwrap().to_string();
    assert_eq!(last.trim_end(), pipedeck::text::truncate(&said, 80));
    // A next step typed on the first flagged deal: not saved.
    app.update(Action::FocusHygiene);
    assert_eq!(app.update(Action::NextStep), None);
    for c in "send the SOW".chars() {
        app.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    let Some(pipedeck::tui::app::Effect::Edit(cmd, req)) =
        app.on_key(KeyEvent::from(KeyCode::Enter))
    else {
        panic!("no edit");
    };
    loader.send(Job::Edit(cmd, req));
    let saved = loop {
        if let Reply::Edited(r) = loader.recv().expect("a reply") {
            break r;
        }
    };
    assert_eq!(
        saved.err().map(|e| e.message),
        Some(format!("not saved: {said}"))
    );
}
