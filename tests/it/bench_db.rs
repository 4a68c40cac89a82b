//! `pipedeck bench --db`: every report, the reference query, snapshot and
//! the cockpit appear in the JSON (the timings themselves are not checked).

use assert_cmd::Command;
use std::path::Path;

fn pipedeck(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").unwrap();
    cmd.arg("--db")
        .arg(db)
        .arg("--today")
        .arg("2026-11-24")
        .env_remove("PIPEDECK_DB")
        .env("XDG_CACHE_HOME", db.with_file_name("cache"));
    cmd
}

#[test]
fn bench_db_json_names_every_report() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native");
    pipedeck(&db).arg("import").arg(fixture).assert().success();
    // The first AE by id left before the period: the drill is timed on an
    // AE active in it (`ada`), not on a rep it refuses.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO reps (id, name, role, start_date, end_date)
             VALUES ('aaron', 'Aaron Gone', 'AE', '2023-01-02', '2024-03-29')",
            [],
        )
        .unwrap();
    let out = pipedeck(&db)
        .args(["bench", "--runs", "1", "--format", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["runs"], 1);
    assert_eq!(v["period"], "2026-07-01..2026-10-01");
    let items = v["items"].as_array().unwrap();
    let keys: Vec<&str> = items.iter().map(|i| i["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "reference_query",
            "reference_query_same_file",
            "metrics",
            "anomalies",
            "hygiene",
            "agenda",
            "forecast",
            "waterfall",
            "accuracy",
            "movement",
            "pipeline",
            "drill",
            "score_calibration",
            "metrics_kept",
            "anomalies_kept",
            "hygiene_kept",
            "agenda_kept",
            "accuracy_kept",
            "drill_kept",
            "snapshot",
            "cockpit_first_frame",
            "cockpit_first_data",
            "cockpit_fully_loaded",
            "cockpit_pane_switch",
            "cockpit_prefetch",
            "cockpit_period_change_first",
            "cockpit_period_change",
            "cockpit_period_change_cold_first",
            "cockpit_period_change_cold",
            "cockpit_edit",
            "cockpit_edit_review",
            "cockpit_edit_full",
        ]
    );
    // Every item is measured (the edit too); the reference query is 1× itself.
    for i in items {
        assert!(i["median_ms"].is_number(), "{i}");
        assert!(i["ratio"].is_number(), "{i}");
    }
    assert_eq!(items[0]["ratio"], 1.0);
    let drill = items.iter().find(|i| i["key"] == "drill").unwrap();
    assert_eq!(
        drill["what"],
        "report drill --rep ada --metric win_rate --period 2026-07-01..2026-10-01"
    );
    // The database was only read: the snapshot and the edit ran on copies.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM forecast_snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let edits: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM opportunity_history WHERE changed_by = 'cockpit'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(edits, 0);
}
