//! The cockpit's ways in from the command line, without a terminal.

use assert_cmd::Command;

fn pipedeck(db: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("pipedeck").expect("binary");
    c.arg("--db").arg(db).arg("--today").arg("2026-11-24");
    c
}

#[test]
fn without_a_terminal_the_cockpit_says_so_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(pipedeck::storage::Store::open(&dir.path().join("p.db")).expect("db"));
    let out = pipedeck(&dir.path().join("p.db")).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the cockpit needs a terminal"), "{err}");
}

#[test]
fn an_unknown_rep_is_an_error_before_the_screen_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    drop(pipedeck::storage::Store::open(&dir.path().join("p.db")).expect("db"));
    let out = pipedeck(&dir.path().join("p.db"))
        .args(["--rep", "nobody"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rep nobody: no such rep"), "{err}");
}
