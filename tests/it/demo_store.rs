//! The demo in a database: written in one go, read back unchanged, the same
//! bytes of data for the same seed and --today, and never over a real database.

use assert_cmd::Command;
use chrono::NaiveDate;
use pipedeck::demo;
use pipedeck::domain::Settings;
use pipedeck::storage::Store;
use std::path::Path;

fn load(path: &Path) -> (pipedeck::domain::Dataset, Vec<pipedeck::domain::Snapshot>) {
    let store = Store::open(path).unwrap();
    (
        store.load_dataset().unwrap(),
        store.load_snapshots().unwrap(),
    )
}

fn pipedeck() -> Command {
    Command::cargo_bin("pipedeck").unwrap()
}

/// Runs `demo --no-tui` over `db` and checks it refuses to overwrite it.
fn demo_refuses(db: &Path) {
    let out = pipedeck()
        .arg("--db")
        .arg(db)
        .args(["demo", "--no-tui"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refusing to overwrite"), "{err}");
}

#[test]
fn a_written_demo_reads_back_as_generated() {
    let s = Settings::default();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let d = demo::generate(3, today, &s, &s.calendar().unwrap());
    let mut store = Store::open_in_memory().unwrap();
    demo::write(&d, &mut store).unwrap();
    let data = store.load_dataset().unwrap();
    let mut reps = d.reps.clone();
    reps.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(data.reps, reps);
    assert_eq!(data.accounts, d.accounts);
    assert_eq!(data.contacts, d.contacts);
    assert_eq!(data.opportunities, d.opportunities);
    assert_eq!(data.history, d.history);
    assert_eq!(data.activities, d.activities);
    assert_eq!(data.stages, d.stages);
    assert_eq!(store.load_snapshots().unwrap(), d.snapshots);
    let mut goals = d.goals.clone();
    goals.sort_by(|a, b| {
        (a.role.as_str(), &a.metric, a.period.as_str()).cmp(&(
            b.role.as_str(),
            &b.metric,
            b.period.as_str(),
        ))
    });
    assert_eq!(store.load_goals().unwrap(), goals);
}

#[test]
fn the_command_builds_identical_databases_for_the_same_seed_and_replaces_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    // Seed 8 first, then seed 7 over it: the replaced demo must leave nothing behind.
    for seed in ["8", "7"] {
        let out = pipedeck()
            .args(["--today", "2026-11-24", "--db"])
            .arg(&a)
            .args(["demo", "--seed", seed, "--no-tui"])
            .assert()
            .success()
            .get_output()
            .clone();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("written to"), "{text}");
    }
    // Without --db the demo goes to demo.db in the data directory, never to
    // the user's pipedeck.db.
    let home = dir.path().join("home");
    let data = dir.path().join("data");
    pipedeck()
        .env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG")
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .args(["--today", "2026-11-24", "demo", "--seed", "7", "--no-tui"])
        .assert()
        .success();
    let b = data.join("pipedeck").join("demo.db");
    assert!(b.exists(), "no demo at {}", b.display());
    assert!(!data.join("pipedeck").join("pipedeck.db").exists());
    assert!(load(&a) == load(&b), "two demo databases differ");
    let store = Store::open(&a).unwrap();
    assert_eq!(
        store.meta("made_by").unwrap().as_deref(),
        Some("pipedeck demo")
    );
}

#[test]
fn the_command_refuses_to_overwrite_a_database_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.db");
    {
        let mut store = Store::open(&real).unwrap();
        let mut tx = store.begin().unwrap();
        tx.upsert_account(&pipedeck::domain::Account {
            id: "a1".into(),
            name: "Mine".into(),
            segment: None,
            icp_tier: None,
            industry: None,
            employees: None,
        })
        .unwrap();
        tx.commit().unwrap();
    }
    demo_refuses(&real);
    assert_eq!(
        Store::open(&real).unwrap().load_accounts().unwrap().len(),
        1
    );
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just text").unwrap();
    pipedeck()
        .arg("--db")
        .arg(&junk)
        .args(["demo", "--no-tui"])
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        b"not a database at all, just text"
    );
}

#[test]
fn explain_prints_the_planted_situations_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    let out = pipedeck()
        .args(["--today", "2026-11-24", "--db"])
        .arg(&db)
        .args(["demo", "--seed", "7", "--explain"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[below_goal] ae-03"), "{text}");
    assert!(text.contains("[off_own_history] ae-05"), "{text}");
    assert!(text.contains("[positive_outlier] sdr-02"), "{text}");
    assert!(text.contains("[new_hire_off_band] ae-08"), "{text}");
    assert!(text.contains("[stuck]"), "{text}");
    assert!(!db.exists());
}

/// An import into the demo's file makes it the team's record: a later
/// `demo` refuses it, where it replaced it (and the imported data) before.
#[test]
fn a_demo_something_was_imported_into_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let run = |args: &[&str]| {
        pipedeck()
            .arg("--db")
            .arg(&db)
            .args(["--today", "2026-11-24"])
            .args(args)
            .assert()
    };
    run(&["demo", "--no-tui"]).code(0);
    let reps = dir.path().join("reps.csv");
    std::fs::write(
        &reps,
        "id,name,role,start_date\nx1,Real Rep,AE,2026-01-05\n",
    )
    .unwrap();
    run(&["import", reps.to_str().unwrap()]).code(0);
    assert_eq!(Store::open(&db).unwrap().meta("made_by").unwrap(), None);
    let out = run(&["demo", "--no-tui"]).code(1).get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refusing to overwrite"), "{err}");
    let reps = Store::open(&db).unwrap().load_reps().unwrap();
    assert!(reps.iter().any(|r| r.id.as_str() == "x1"));
}

/// A file an older pipedeck wrote is looked at as it is: one holding data
/// the demo did not make is refused and left byte for byte as it was (not
/// upgraded first), and an older demo is replaced by a current one.
#[test]
fn an_older_pipedecks_file_is_not_upgraded_only_to_be_refused_or_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let older = |name: &str, made_by_demo: bool| {
        let db = dir.path().join(name);
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(include_str!("../../src/storage/migrations/0001_init.sql"))
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute_batch("INSERT INTO accounts (id, name) VALUES ('a1', 'Mine')")
            .unwrap();
        if made_by_demo {
            c.execute_batch("INSERT INTO meta (key, value) VALUES ('made_by', 'pipedeck demo')")
                .unwrap();
        }
        db
    };
    let real = older("real.db", false);
    let before = std::fs::read(&real).unwrap();
    demo_refuses(&real);
    assert_eq!(std::fs::read(&real).unwrap(), before);
    let old_demo = older("demo.db", true);
    pipedeck()
        .arg("--db")
        .arg(&old_demo)
        .args(["demo", "--no-tui"])
        .assert()
        .success();
    let store = Store::open_as_it_is(&old_demo).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        pipedeck::storage::SCHEMA_VERSION
    );
    assert!(
        !store
            .load_accounts()
            .unwrap()
            .iter()
            .any(|a| a.name == "Mine")
    );
}
