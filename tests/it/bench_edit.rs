//! The cockpit's edit as `pipedeck bench --db` drives it: one real edit
//! through the cockpit's worker, on a copy; the database named by `--db`
//! is left byte for byte as it was.

use crate::tui_fixture::env;
use pipedeck::domain::{OppId, Status};
use pipedeck::storage::Store;
use pipedeck::tui::config::UiConfig;

fn demo_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("demo.db");
    let mut store = Store::open(&path).expect("database");
    let env = env();
    let team = pipedeck::demo::generate(7, env.today, &env.settings, &env.cal);
    pipedeck::demo::write(&team, &mut store).expect("demo written");
    path
}

fn close_date(path: &std::path::Path, id: &OppId) -> Option<chrono::NaiveDate> {
    let store = Store::open_read_only(path).expect("open");
    store.opportunity(id).expect("deal").close_date
}

#[test]
fn the_bench_edit_changes_the_deal_on_the_copy_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = demo_file(dir.path());
    let bytes = std::fs::read(&db).expect("read");
    let copy = dir.path().join("copy.db");
    let b = pipedeck::tui::bench_cockpit_edit(&db, &copy, env(), &UiConfig::default(), 200, 60)
        .expect("bench")
        .expect("an open deal on the agenda");
    // A week later than it was (the demo's first open agenda deal closes
    // after today, so the push is from its own close date).
    let before = b.before.expect("a close date");
    assert!(before >= env().today, "{before}");
    assert_eq!(b.after, before + chrono::Days::new(7));
    // Drawn with the new date as soon as it was saved, before the review
    // part was rebuilt.
    assert!(b.shown, "the new close date was not on screen");
    assert!(b.visible <= b.review && b.review <= b.full, "{b:?}");
    // Saved on the copy, as an open deal still.
    assert_eq!(close_date(&copy, &b.deal), Some(b.after));
    let store = Store::open_read_only(&copy).expect("open");
    assert_eq!(
        store.opportunity(&b.deal).expect("deal").status,
        Status::Open
    );
    // The original is untouched.
    assert_eq!(close_date(&db, &b.deal), Some(before));
    assert_eq!(std::fs::read(&db).expect("read"), bytes);
}
