//! `pipedeck import` / `export` end to end: exit codes, stdout, stderr.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native")
}

fn pipedeck(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").unwrap();
    cmd.arg("--db").arg(db).env_remove("PIPEDECK_DB");
    cmd
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[test]
fn imports_the_fixture_and_prints_counts_with_a_silent_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    let out = pipedeck(&db)
        .arg("import")
        .arg(fixture())
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains("opportunities                 4        0          0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("opportunity_history           7        0          0"),
        "{stdout}"
    );
    // stderr is not a terminal here: no progress bar.
    assert_eq!(text(&out.get_output().stderr), "");
}

#[test]
fn a_dry_run_prints_counts_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    let out = pipedeck(&db)
        .args(["import", "--dry-run"])
        .arg(fixture())
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.starts_with("dry run: nothing was written\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reps                          3        0          0"),
        "{stdout}"
    );
    // Not even an empty database is left behind.
    assert!(!db.exists());
}

#[test]
fn a_bad_row_exits_1_naming_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    let bad = tmp.path().join("opportunities.csv");
    let fixed = std::fs::read_to_string(fixture().join("opportunities.csv"))
        .unwrap()
        .replace("2026-02-15", "2026-13-01");
    std::fs::write(&bad, fixed).unwrap();
    let reps = fixture().join("reps.csv");
    let accounts = fixture().join("accounts.csv");
    let out = pipedeck(&db)
        .arg("import")
        .arg(&reps)
        .arg(&accounts)
        .arg(&bad)
        .assert()
        .code(1);
    let stderr = text(&out.get_output().stderr);
    let want = format!(
        "{}:3:9 (close_date): \"2026-13-01\" is not a date (YYYY-MM-DD)\n",
        bad.display()
    );
    assert!(stderr.starts_with(&want), "{stderr}");
    assert!(
        stderr.ends_with("pipedeck: error: 1 rejected row(s); nothing was imported\n"),
        "{stderr}"
    );
    // Nothing landed, not even the good files (nor an empty database).
    assert!(!db.exists());
}

#[test]
fn hubspot_and_pipedrive_deals_are_detected_and_their_activities_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    let deals = tmp.path().join("deals.csv");
    // HubSpot's internal stage id `closedwon` reads as a won stage.
    std::fs::write(
        &deals,
        "Record ID,Deal Name,Deal Stage,Amount\n1,A,closedwon,10\n",
    )
    .unwrap();
    let out = pipedeck(&db)
        .args(["import", "--dry-run"])
        .arg(&deals)
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains("opportunities                 1        0          0"),
        "{stdout}"
    );
    let out = pipedeck(&db)
        .args(["import", "--format", "pipedrive"])
        .arg(&deals)
        .assert()
        .code(1);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains("deals.csv:1: cannot tell what this file is as a Pipedrive deals export"),
        "{stderr}"
    );
    let acts = tmp.path().join("activities.csv");
    std::fs::write(&acts, "Activity - Subject,Activity - Type\nCall,call\n").unwrap();
    let out = pipedeck(&db).arg("import").arg(&acts).assert().code(1);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains("activities.csv:1: Pipedrive activity exports are not supported yet"),
        "{stderr}"
    );
}

#[test]
fn a_missing_path_and_an_unknown_format_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    let out = pipedeck(&db)
        .args(["import", "/nonexistent/reps.csv"])
        .assert()
        .code(1);
    assert!(text(&out.get_output().stderr).contains("/nonexistent/reps.csv"));
    pipedeck(&db)
        .args(["import", "--format", "excel", "x.csv"])
        .assert()
        .code(2);
}

#[test]
fn export_then_reimport_into_an_empty_database_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (db1, db2) = (tmp.path().join("1.db"), tmp.path().join("2.db"));
    let (e1, e2) = (tmp.path().join("e1"), tmp.path().join("e2"));
    pipedeck(&db1)
        .arg("import")
        .arg(fixture())
        .assert()
        .success();
    pipedeck(&db1).arg("export").arg(&e1).assert().success();
    pipedeck(&db2).arg("import").arg(&e1).assert().success();
    pipedeck(&db2).arg("export").arg(&e2).assert().success();
    for f in [
        "reps",
        "accounts",
        "contacts",
        "opportunities",
        "opportunity_history",
        "activities",
    ] {
        let a = std::fs::read(e1.join(format!("{f}.csv"))).unwrap();
        let b = std::fs::read(e2.join(format!("{f}.csv"))).unwrap();
        assert_eq!(a, b, "{f}.csv differs");
    }
}

/// Into a fresh database the secondary indexes are set aside during the load
/// and built after it: the file ends with every index a migrated one has.
#[test]
fn a_bulk_import_into_a_fresh_database_rebuilds_every_index() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("fresh.db");
    let db = tmp.path().join("p.db");
    drop(pipedeck::storage::Store::open(&fresh).unwrap());
    pipedeck(&db)
        .arg("import")
        .arg(fixture())
        .assert()
        .success();
    let indexes = |p: &Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(p).unwrap();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let want = indexes(&fresh);
    assert!(want.iter().any(|n| n == "activities_occurred"), "{want:?}");
    assert_eq!(indexes(&db), want);
}

#[test]
fn an_id_in_files_of_two_formats_is_refused_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    // pipedeck's own deals file with a deal "7", beside a Pipedrive export
    // whose deal 7 is another record.
    let ours = tmp.path().join("ours");
    std::fs::create_dir(&ours).unwrap();
    for f in ["reps.csv", "accounts.csv"] {
        std::fs::copy(fixture().join(f), ours.join(f)).unwrap();
    }
    std::fs::write(
        ours.join("opportunities.csv"),
        "id,name,account_id,owner_id,stage,amount\n7,Ours seven,acme,ada,Proposal,100\n",
    )
    .unwrap();
    let pipedrive = fixture().join("../pipedrive/deals-2026-11-02.csv");
    let out = pipedeck(&db)
        .args(["--today", "2026-11-29", "import"])
        .arg(&ours)
        .arg(&pipedrive)
        .assert()
        .code(1);
    let stderr = text(&out.get_output().stderr);
    // On the Pipedrive row, naming pipedeck's files (the deals file among them).
    let want = format!(
        "{}:2:1 (Deal - ID): deal id \"7\" is also in pipedeck's files (",
        pipedrive.display(),
    );
    assert!(stderr.contains(&want), "{stderr}");
    assert!(stderr.contains(&format!("{}", ours.join("opportunities.csv").display())));
    assert!(stderr.contains("or they replace each other in silence (Pipedrive here)\n"));
    assert!(
        stderr.ends_with("1 rejected row(s); nothing was imported\n"),
        "{stderr}"
    );
    assert!(!db.exists());
}

#[test]
fn a_file_name_with_an_escape_sequence_reaches_the_terminal_harmless() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    let bad = tmp.path().join("bad\u{1b}[31mred\u{7}.csv");
    std::fs::write(
        &bad,
        "id,name,owner_id,stage,amount\no1,A,ada,Proposal,-5\n",
    )
    .unwrap();
    let out = pipedeck(&db).arg("import").arg(&bad).assert().code(1);
    let stderr = text(&out.get_output().stderr);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(
        stderr.contains("bad\u{fffd}[31mred\u{fffd}.csv:2:5 (amount)"),
        "{stderr}"
    );
}
