//! Our files only (SPEC §12): pipedeck marks the SQLite files it creates,
//! refuses other programs' files unchanged, creates a database only on
//! `import` and `demo`, and reads through a read-only connection.

use assert_cmd::Command;
use pipedeck::storage::{APPLICATION_ID, SCHEMA_VERSION, StorageError, Store};
use std::fs;
use std::path::Path;

fn pipedeck(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").unwrap();
    cmd.env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(["--today", "2026-11-24"]);
    cmd
}

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native")
}

/// The application id in an SQLite header (bytes 68..72, big-endian).
fn header_mark(path: &Path) -> i32 {
    let b = fs::read(path).unwrap();
    i32::from_be_bytes([b[68], b[69], b[70], b[71]])
}

#[test]
fn another_programs_database_is_refused_and_left_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');")
            .unwrap();
    }
    let before = fs::read(&db).unwrap();
    for args in [
        vec!["report", "pipeline"],
        vec!["import", fixture().to_str().unwrap()],
        vec!["snapshot"],
        vec!["deal", "o1", "won"],
    ] {
        let out = pipedeck(dir.path())
            .arg("--db")
            .arg(&db)
            .args(&args)
            .assert()
            .code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains("not a pipedeck database"), "{args:?}: {err}");
        assert_eq!(fs::read(&db).unwrap(), before, "{args:?} changed the file");
    }
    assert!(!dir.path().join("other.db-wal").exists());
    // Another program's mark is refused too, even with our tables.
    let marked = dir.path().join("marked.db");
    drop(Store::open(&marked).unwrap());
    {
        let c = rusqlite::Connection::open(&marked).unwrap();
        c.pragma_update(None, "application_id", 0x1234).unwrap();
    }
    let err = Store::open_existing(&marked).err().expect("refused");
    assert!(matches!(err, StorageError::Foreign { .. }), "{err}");
    // So is an empty file another program marked with a schema version.
    let versioned = dir.path().join("versioned.db");
    {
        let c = rusqlite::Connection::open(&versioned).unwrap();
        c.pragma_update(None, "user_version", 7).unwrap();
    }
    let out = pipedeck(dir.path())
        .arg("--db")
        .arg(&versioned)
        .args(["import", fixture().to_str().unwrap()])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("not a pipedeck database"), "{err}");
}

#[test]
fn only_import_and_demo_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    for args in [
        vec!["report", "pipeline"],
        vec!["snapshot"],
        vec!["export", dir.path().join("out").to_str().unwrap()],
        vec!["deal", "o1", "show"],
        vec!["review", "agenda"],
    ] {
        let out = pipedeck(dir.path())
            .arg("--db")
            .arg(&db)
            .args(&args)
            .assert()
            .code(1);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(
            err.contains(
                "no database here; create one with `pipedeck import DIR` or `pipedeck demo`"
            ),
            "{args:?}: {err}"
        );
        assert!(!db.exists(), "{args:?} created the database");
    }
    pipedeck(dir.path())
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(fixture())
        .assert()
        .success();
    assert_eq!(header_mark(&db), APPLICATION_ID);
    pipedeck(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["report", "pipeline"])
        .assert()
        .success();
}

#[test]
fn a_read_only_store_reads_and_refuses_every_write_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    drop(Store::open(&db).unwrap());
    let before = fs::read(&db).unwrap();
    let mut store = Store::open_read_only(&db).unwrap();
    assert!(store.is_read_only());
    assert!(store.load_dataset().unwrap().opportunities.is_empty());
    let err = store.begin().err().expect("refused");
    assert!(
        err.to_string()
            .contains("open read-only (no write permission), so nothing can be changed"),
        "{err}"
    );
    drop(store);
    assert_eq!(fs::read(&db).unwrap(), before);
    // A writable file opens writable.
    assert!(
        !Store::open_writable_or_read_only(&db)
            .unwrap()
            .is_read_only()
    );
}

#[test]
fn an_unmarked_database_of_an_older_pipedeck_is_migrated_and_marked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    older_pipedecks_file(&db);
    assert_eq!(header_mark(&db), 0);
    let store = Store::open_existing(&db).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.load_history().unwrap().len(), 1);
    drop(store);
    assert_eq!(header_mark(&db), APPLICATION_ID);
}

/// A report on a file of an older schema says, on stderr, that the file is
/// being upgraded (a pause that can be long on a large file), once: the next
/// report says nothing. Its output is the report's alone.
#[test]
fn the_upgrade_of_an_older_file_is_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    older_pipedecks_file(&db);
    assert_eq!(pipedeck::storage::older_schema(&db), Some(1));
    let report = || {
        let out = pipedeck(dir.path())
            .arg("--db")
            .arg(&db)
            .args(["report", "pipeline", "--format", "csv"])
            .assert()
            .success();
        let o = out.get_output();
        (
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let (first_out, first_err) = report();
    let said = format!(
        "old.db was written by an older pipedeck (schema 1); upgrading it to schema {SCHEMA_VERSION} once"
    );
    assert!(first_err.contains(&said), "{first_err}");
    let (second_out, second_err) = report();
    assert_eq!(pipedeck::storage::older_schema(&db), None);
    assert!(!second_err.contains("upgrading"), "{second_err}");
    assert_eq!(first_out, second_out);
    assert!(first_out.contains("Demo"), "{first_out}");
    // Missing and foreign files are for the open to name, not announced.
    assert_eq!(
        pipedeck::storage::older_schema(&dir.path().join("none.db")),
        None
    );
}

/// An unmarked file of the first schema, as the first pipedeck wrote it:
/// one rep and one open deal with one stage entry.
fn older_pipedecks_file(db: &Path) {
    {
        let c = rusqlite::Connection::open(db).unwrap();
        c.execute_batch(include_str!("../../src/storage/migrations/0001_init.sql"))
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute_batch(
            "INSERT INTO reps (id, name, role) VALUES ('ada', 'Ada', 'AE');
             INSERT INTO opportunities (id, name, owner_id, stage, status, amount)
                 VALUES ('o1', 'Deal', 'ada', 'Demo', 'open', 100);
             INSERT INTO opportunity_history (opportunity_id, changed_at, field, new_value)
                 VALUES ('o1', '2026-01-01T00:00:00Z', 'stage', 'Demo');",
        )
        .unwrap();
    }
}

/// Overwrites the header of the root page of `table`, as a failing disk
/// or a half-copied file would.
fn damage_root_page(db: &Path, table: &str) {
    let (page_size, root): (i64, i64) = {
        let c = rusqlite::Connection::open(db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        c.query_row(
            "SELECT (SELECT page_size FROM pragma_page_size), rootpage
             FROM sqlite_master WHERE name = ?1",
            [table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let mut bytes = fs::read(db).unwrap();
    let at = ((root - 1) * page_size) as usize;
    bytes[at..at + 8].fill(0xff);
    fs::write(db, bytes).unwrap();
}

#[test]
fn a_damaged_file_is_checked_and_never_imported_into() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    let at = db.to_str().unwrap();
    pipedeck(dir.path())
        .args(["--db", at, "import", fixture().to_str().unwrap()])
        .assert()
        .success();
    let out = pipedeck(dir.path())
        .args(["--db", at, "check"])
        .assert()
        .success();
    let said = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert_eq!(said, format!("{at}: no damaged page\n"));

    // The goals: a table neither the import nor the report below reads.
    damage_root_page(&db, "goals");
    let before = fs::read(&db).unwrap();
    // A report runs on: SQLite notices damage only on the pages a
    // statement touches (and so would the import, without its check).
    pipedeck(dir.path())
        .args(["--db", at, "report", "pipeline"])
        .assert()
        .success();
    let out = pipedeck(dir.path())
        .args(["--db", at, "check"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains(&format!("{at}: the database file is damaged (")),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    // The import checks every page before it writes: refused, file
    // unchanged, though it brings a rep the file lacks.
    let more = dir.path().join("reps.csv");
    let mut reps = fs::read_to_string(fixture().join("reps.csv")).unwrap();
    reps.push_str("Zed Extra,ae-99,AE,2026-01-05,,,,,\n");
    fs::write(&more, reps).unwrap();
    let out = pipedeck(dir.path())
        .args(["--db", at, "import", more.to_str().unwrap()])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("the database file is damaged"), "{err}");
    assert!(
        fs::read(&db).unwrap() == before,
        "the damaged file was written to"
    );
}

/// A file a newer pipedeck wrote (a schema version past this build's) is
/// refused, writable or not, and left as it was; nothing announces an
/// upgrade.
#[test]
fn a_file_of_a_newer_pipedeck_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("newer.db");
    drop(Store::open(&db).unwrap());
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let before = fs::read(&db).unwrap();
    for err in [
        Store::open_existing(&db).err(),
        Store::open_read_only(&db).err(),
    ] {
        let err = err.expect("refused");
        assert!(
            matches!(err, StorageError::TooNew { found, known, .. }
                if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
            "{err}"
        );
    }
    assert_eq!(pipedeck::storage::older_schema(&db), None);
    let out = pipedeck(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["report", "pipeline"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("written by a newer pipedeck"), "{err}");
    assert!(!err.contains("upgrading"), "{err}");
    assert_eq!(fs::read(&db).unwrap(), before);
}
