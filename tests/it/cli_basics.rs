//! End-to-end checks of the binary: help, exit codes, config files, bad databases.

use assert_cmd::Command;
use std::fs;

fn pipedeck(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").expect("binary built");
    cmd.env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"));
    cmd
}

#[test]
fn help_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = pipedeck(&dir).arg("--help").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("report"), "{text}");
}

#[test]
fn usage_error_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    pipedeck(&dir).args(["report", "nonsense"]).assert().code(2);
    pipedeck(&dir)
        .args(["--today", "2026-13-01", "snapshot"])
        .assert()
        .code(2);
}

#[test]
fn print_default_is_a_valid_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = pipedeck(&dir)
        .args(["config", "print-default"])
        .assert()
        .success();
    let text = out.get_output().stdout.clone();
    let path = dir.path().join("copy.toml");
    fs::write(&path, text).unwrap();
    pipedeck(&dir)
        .args(["--config", path.to_str().unwrap(), "config", "check"])
        .assert()
        .success();
}

#[test]
fn invalid_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    fs::write(&path, "stale_days = 30\n\n[anomalies]\nmin_sampel = 3\n").unwrap();
    let out = pipedeck(&dir)
        .args(["--config", path.to_str().unwrap(), "config", "check"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("bad.toml:4:1: key `min_sampel`"), "{err}");
}

#[test]
fn missing_explicit_config_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = pipedeck(&dir)
        .args(["--config", "/nonexistent/pipedeck.toml", "config", "check"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("/nonexistent/pipedeck.toml"), "{err}");
}

#[test]
fn corrupt_database_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("junk.db");
    fs::write(&db, vec![b'z'; 8192]).unwrap();
    let out = pipedeck(&dir)
        .args(["--db", db.to_str().unwrap(), "report", "pipeline"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("corrupt"), "{err}");
    // Nothing was written over the file.
    assert_eq!(fs::read(&db).unwrap(), vec![b'z'; 8192]);
}

#[test]
fn locked_database_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("locked.db");
    // Only import and demo create a database.
    drop(pipedeck::storage::Store::open(&db).unwrap());
    pipedeck(&dir)
        .args(["--db", db.to_str().unwrap(), "report", "pipeline"])
        .assert()
        .success();
    // Another process holds an exclusive lock while pipedeck tries to write.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
        .unwrap();
    let out = pipedeck(&dir)
        .env("PIPEDECK_BUSY_TIMEOUT_MS", "200")
        .args(["--db", db.to_str().unwrap(), "report", "pipeline"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("locked"), "{err}");
    drop(holder);
}

#[test]
fn pipeline_report_renders_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    drop(pipedeck::storage::Store::open(&db).unwrap());
    for (format, needle) in [
        ("table", "Open pipeline by stage"),
        ("csv", "table,stage,deals,amount,no amount"),
        ("json", "\"by_stage\""),
        ("md", "### Open pipeline by owner"),
    ] {
        let out = pipedeck(&dir)
            .args([
                "--db",
                db.to_str().unwrap(),
                "report",
                "pipeline",
                "--format",
                format,
            ])
            .assert()
            .success();
        let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
        assert!(text.contains(needle), "{format}: {text}");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pipe.db");
    drop(pipedeck::storage::Store::open(&db).unwrap());
    let bin = assert_cmd::cargo::cargo_bin("pipedeck");
    let mut child = Std::new(bin)
        .env("HOME", dir.path())
        .args(["--db", db.to_str().unwrap(), "report", "pipeline"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Hang up before the report is written, as `| head` does when it has enough.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.success(), "{err}");
}
