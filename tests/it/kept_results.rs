//! Kept results (docs/storage.md): a report's output is given again while
//! the database, the arguments, today and the settings are those it was
//! made from, and made again as soon as one moved, whoever wrote.

use super::metrics_cli::database;
use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `pipedeck --db DB --today TODAY ARGS` with its cache in `cache` and an
/// empty config beside the database (unless one is there).
fn cmd(db: &Path, cache: &Path, today: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let config = db.with_file_name("config.toml");
    if !config.exists() {
        std::fs::write(&config, "").expect("config");
    }
    let mut cmd = Command::cargo_bin("pipedeck").expect("binary");
    cmd.env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_KEPT")
        .env("XDG_CACHE_HOME", cache)
        .envs(env.iter().copied())
        .args(["--db", db.to_str().expect("utf-8"), "--today", today])
        .args(["--config", config.to_str().expect("utf-8")])
        .args(args);
    cmd
}

/// What [`cmd`] prints, which must succeed.
fn run(db: &Path, cache: &Path, today: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = cmd(db, cache, today, args, env).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8")
}

const METRICS: &[&str] = &[
    "report", "metrics", "--period", "2026-Q4", "--format", "json",
];

/// ann's meetings held in 2026-Q4, from the JSON report.
fn ann_meetings(out: &str) -> Value {
    let v: Value = serde_json::from_str(out).expect("JSON");
    assert_eq!(v["reps"][0]["rep_id"], "ann");
    v["reps"][0]["metrics"]["meetings"]["value"].clone()
}

/// The results kept in `cache`.
fn kept(cache: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(cache.join("pipedeck").join("kept")) {
        Ok(dir) => dir.flatten().map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Writes `text` over every kept result, sealed as a kept file is (its
/// first line: the body's length and hash): what a run prints then tells
/// whether it was given the kept result or made its own.
fn overwrite_kept(cache: &Path, text: &str) {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    let sealed = format!("pipedeck-kept {} {:016x}\n{text}", text.len(), h.finish());
    for p in kept(cache) {
        std::fs::write(p, &sealed).expect("write");
    }
}

#[test]
fn a_kept_result_is_given_again_until_anything_it_was_made_from_moves() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = dir.path().join("cache");
    let db = database(&dir);
    // ann held one meeting in the quarter (2026-11-10).
    let first = run(&db, &cache, "2026-11-24", METRICS, &[]);
    assert_eq!(ann_meetings(&first), 1.0);
    assert_eq!(kept(&cache).len(), 1);

    overwrite_kept(&cache, "KEPT\n");
    assert_eq!(run(&db, &cache, "2026-11-24", METRICS, &[]), "KEPT\n");
    // A kept file cut short or emptied (a crash before its data reached
    // the disk) is no result: the report is made, and kept anew.
    let file = kept(&cache).pop().expect("one");
    let sealed = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, &sealed[..sealed.len() - 2]).expect("cut");
    assert_eq!(
        ann_meetings(&run(&db, &cache, "2026-11-24", METRICS, &[])),
        1.0
    );
    std::fs::write(&file, "").expect("empty");
    assert_eq!(
        ann_meetings(&run(&db, &cache, "2026-11-24", METRICS, &[])),
        1.0
    );
    assert_eq!(
        std::fs::read_to_string(&file)
            .expect("read")
            .lines()
            .count(),
        1 + first.lines().count()
    );
    overwrite_kept(&cache, "KEPT\n");
    assert_eq!(run(&db, &cache, "2026-11-24", METRICS, &[]), "KEPT\n");
    // Another day, other arguments, other settings, or kept results off:
    // made anew, not the kept one.
    assert_eq!(
        ann_meetings(&run(&db, &cache, "2026-11-25", METRICS, &[])),
        1.0
    );
    let csv = [
        "report", "metrics", "--period", "2026-Q4", "--format", "csv",
    ];
    assert!(run(&db, &cache, "2026-11-24", &csv, &[]).starts_with("table,metric,"));
    let off = [("PIPEDECK_KEPT", "off")];
    assert_eq!(
        ann_meetings(&run(&db, &cache, "2026-11-24", METRICS, &off)),
        1.0
    );
    std::fs::write(db.with_file_name("config.toml"), "stale_days = 20\n").expect("config");
    assert_eq!(
        ann_meetings(&run(&db, &cache, "2026-11-24", METRICS, &[])),
        1.0
    );
    std::fs::write(db.with_file_name("config.toml"), "").expect("config");
    assert_eq!(run(&db, &cache, "2026-11-24", METRICS, &[]), "KEPT\n");

    // A second held meeting written by another program (SQLite directly):
    // the stamp moves in the same write, and the report counts two.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute(
        "INSERT INTO activities (id, rep_id, kind, meeting_type, occurred_at, outcome)
         VALUES ('m2', 'ann', 'meeting', 'follow_up', '2026-11-12T10:00:00Z', 'held')",
        [],
    )
    .expect("insert");
    drop(conn);
    overwrite_kept(&cache, "KEPT\n");
    let after = run(&db, &cache, "2026-11-24", METRICS, &[]);
    assert_eq!(ann_meetings(&after), 2.0);
    // And the new result is kept in its turn.
    assert_eq!(run(&db, &cache, "2026-11-24", METRICS, &[]), after);
}

/// Every table a report reads has the three triggers that draw a new stamp
/// (`review_box_time`, the cockpit's review timers, is read by none)
/// (a table added later without them would let a kept result go stale),
/// and a first import, which sets the bulk tables' triggers aside while it
/// loads, draws one and puts them back.
#[test]
fn every_table_a_report_reads_draws_a_new_stamp_when_written() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("t.db");
    drop(pipedeck::storage::Store::open(&db).expect("open"));
    let conn = rusqlite::Connection::open(&db).expect("open");
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name NOT IN ('write_stamp', 'first_touches', 'snapshot_owner_months',
                              'review_box_time')
             ORDER BY name",
        )
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("names");
    assert_eq!(tables.len(), 18, "{tables:?}");
    let triggers = |conn: &rusqlite::Connection| -> Vec<String> {
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("names")
    };
    let all = triggers(&conn);
    for t in &tables {
        for event in ["insert", "update", "delete"] {
            let name = format!("{t}_stamp_{event}");
            assert!(all.contains(&name), "{name} missing");
        }
    }
    drop(conn);

    // The rep first (its table's triggers are never set aside), then an
    // import of activities alone: only the deferred trigger's refill can
    // move the stamp.
    let (_tmp, set) = super::import_stream::set_dir();
    super::import_stream::write_files(
        &set,
        &[(
            "reps.csv",
            "id,name,role,start_date\nsam,Sam Rep,AE,2024-01-01\n",
        )],
    );
    let mut store = pipedeck::storage::Store::open(&db).expect("open");
    super::import_stream::run(&mut store, &set).expect("import");
    let before = store.write_stamp().expect("stamp").expect("a stamp");
    std::fs::remove_file(set.join("reps.csv")).expect("remove");
    super::import_stream::write_files(
        &set,
        &[(
            "activities.csv",
            "id,rep_id,kind,occurred_at,direction\na1,sam,call,2026-01-03T10:00:00Z,outbound\n",
        )],
    );
    super::import_stream::run(&mut store, &set).expect("import");
    let after = store.write_stamp().expect("stamp").expect("a stamp");
    assert_ne!(before, after);
    drop(store);
    let conn = rusqlite::Connection::open(&db).expect("open");
    assert_eq!(triggers(&conn), all, "the triggers set aside are back");
}

/// A first import killed half way (rollback journal, pages of the import
/// already in the file) leaves a hot journal: a report opens the file
/// writable once to roll it back (through a link too: the journal lies
/// beside the file linked to), and reads, and keeps, the database as it
/// was before the import, never the half-written file. A file not marked
/// ours with a hot journal is refused, and left as it is.
#[test]
fn a_hot_journal_is_rolled_back_before_a_report_reads_or_keeps() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = dir.path().join("cache");
    let db = database(&dir);
    let pipeline = ["report", "pipeline", "--format", "csv"];
    let before = run(
        &db,
        &cache,
        "2026-11-24",
        &pipeline,
        &[("PIPEDECK_KEPT", "off")],
    );

    // A write in progress on `db`, caught with its journal: copied, the
    // pair is a file whose writer died (no process holds its locks).
    let torn = dir.path().join("torn.db");
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA cache_size = 2; BEGIN;")
        .expect("begin");
    for i in 0..3000 {
        conn.execute(
            "INSERT INTO opportunities (id, name, owner_id, stage, status, amount)
             VALUES (?1, ?1, 'ann', 'Prospecting', 'open', 100000)",
            [format!("torn-{i:05}")],
        )
        .expect("insert");
    }
    let journal = |p: &Path| {
        p.with_file_name(format!(
            "{}-journal",
            p.file_name().unwrap().to_str().unwrap()
        ))
    };
    let foreign = dir.path().join("foreign.db");
    for copy in [&torn, &foreign] {
        std::fs::copy(&db, copy).expect("copy");
        std::fs::copy(journal(&db), journal(copy)).expect("copy journal");
    }
    conn.execute_batch("ROLLBACK").expect("rollback");
    drop(conn);

    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(&torn, &link).expect("link");
    assert_eq!(run(&link, &cache, "2026-11-24", &pipeline, &[]), before);
    assert!(!journal(&torn).exists(), "rolled back");
    assert_eq!(run(&torn, &cache, "2026-11-24", &pipeline, &[]), before);

    // Another program's mark in the header (bytes 68–71): refused, as is.
    let mut bytes = std::fs::read(&foreign).expect("read");
    bytes[68..72].copy_from_slice(&[0, 0, 0, 7]);
    std::fs::write(&foreign, &bytes).expect("write");
    let out = cmd(&foreign, &cache, "2026-11-24", &pipeline, &[])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("a write to it was interrupted"), "{err}");
    assert_eq!(
        std::fs::read(&foreign).expect("read"),
        bytes,
        "left as it is"
    );
    assert!(journal(&foreign).exists());
}

/// Under `PIPEDECK_KEPT=only` (the bench's kept runs) a report that finds
/// no kept result fails instead of being made.
#[test]
fn only_kept_refuses_to_make_a_report() {
    let dir = tempfile::tempdir().expect("tmp");
    let cache = dir.path().join("cache");
    let db = database(&dir);
    let only = |cache: &Path| {
        cmd(
            &db,
            cache,
            "2026-11-24",
            METRICS,
            &[("PIPEDECK_KEPT", "only")],
        )
        .assert()
    };
    let err = only(&cache).code(1).get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&err).contains("no kept result"));
    let made = run(&db, &cache, "2026-11-24", METRICS, &[]);
    let kept = only(&cache).success().get_output().stdout.clone();
    assert_eq!(String::from_utf8(kept).expect("UTF-8"), made);
}
