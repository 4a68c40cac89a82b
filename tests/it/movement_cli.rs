//! `pipedeck report movement` end to end on a small database, worked out by
//! hand. Q4 2026, today 2026-11-24, the call a week ago (end of 11-17):
//!
//! - m1 commit, closes 12-10: 8,000 raised to 10,000 on 11-20 (stays in);
//! - m2 best case → commit on 11-19, 5,000, closes 12-12 (moves in: committed);
//! - m3 commit, closes 12-20, pushed to 2027-01-15 on 11-21, 7,000 (moves out);
//! - m4 created 11-22 in commit, closes 12-05, 3,000 (moves in: new);
//! - m5 won 11-10, 4,000 (in the call both days).
//!
//! Call then = m1 8,000 + m3 7,000 + m5 4,000 = 19,000; now = m1 10,000 +
//! m2 5,000 + m4 3,000 + m5 4,000 = 22,000. In +8,000, out 7,000, and the
//! rest (m1's raise) +2,000: 19,000 + 8,000 − 7,000 + 2,000 = 22,000.

use assert_cmd::Command;
use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::model::*;
use pipedeck::domain::{Money, Settings};
use pipedeck::storage::Store;
use serde_json::Value;
use std::path::Path;

fn at(s: &str) -> DateTime<Utc> {
    format!("{s}T10:00:00Z").parse().expect("instant")
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn opp(id: &str, cat: ForecastCategory, amount: i64, close: &str, created: &str) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: format!("Deal {id}"),
        account_id: None,
        owner_id: RepId("ann".into()),
        source_rep_id: None,
        created_at: Some(at(created)),
        stage: "Proposal".into(),
        amount: Some(Money::from_major(amount)),
        close_date: Some(day(close)),
        forecast_category: Some(cat),
        status: Status::Open,
        closed_at: None,
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

fn hist(id: &str, t: &str, f: HistoryField, old: Option<&str>, new: &str) -> HistoryEntry {
    HistoryEntry {
        opportunity_id: OppId(id.into()),
        changed_at: at(t),
        field: f,
        old_value: old.map(str::to_string).map(Into::into),
        new_value: Some(new.into()),
        changed_by: None,
        review_session_id: None,
    }
}

/// The default stages and the one rep, ann.
fn team(tx: &mut pipedeck::storage::Tx<'_>) {
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).expect("stage");
    }
    tx.upsert_rep(&Rep::ae(RepId("ann".into()), "Ann".into()))
        .expect("rep");
}

/// A deal of ann's won on `day`, created on 10-01.
fn won(id: &str, amount: i64, day: &str) -> Opportunity {
    let mut o = opp(id, ForecastCategory::Closed, amount, day, "2026-10-01");
    o.stage = "Closed Won".into();
    o.status = Status::Won;
    o.closed_at = Some(at(day));
    o
}

fn build(path: &Path) {
    use ForecastCategory::*;
    let mut store = Store::open(path).expect("open");
    let mut tx = store.begin().expect("tx");
    team(&mut tx);
    for o in [
        opp("m1", Commit, 10_000, "2026-12-10", "2026-10-01"),
        opp("m2", Commit, 5_000, "2026-12-12", "2026-10-01"),
        opp("m3", Commit, 7_000, "2027-01-15", "2026-10-01"),
        opp("m4", Commit, 3_000, "2026-12-05", "2026-11-22"),
        won("m5", 4_000, "2026-11-10"),
    ] {
        tx.upsert_opportunity(&o).expect("opp");
    }
    use HistoryField as F;
    for h in [
        hist("m1", "2026-10-01", F::Stage, None, "Proposal"),
        hist("m1", "2026-11-20", F::Amount, Some("800000"), "1000000"),
        hist("m2", "2026-10-01", F::Stage, None, "Proposal"),
        hist(
            "m2",
            "2026-11-19",
            F::ForecastCategory,
            Some("best_case"),
            "commit",
        ),
        hist("m3", "2026-10-01", F::Stage, None, "Proposal"),
        hist(
            "m3",
            "2026-11-21",
            F::CloseDate,
            Some("2026-12-20"),
            "2027-01-15",
        ),
        hist("m4", "2026-11-22", F::Stage, None, "Proposal"),
        hist("m5", "2026-10-01", F::Stage, None, "Proposal"),
        hist("m5", "2026-11-10", F::Status, Some("open"), "won"),
        hist("m5", "2026-11-10", F::Stage, Some("Proposal"), "Closed Won"),
    ] {
        tx.append_history(&h).expect("history");
    }
    tx.commit().expect("commit");
}

fn run(db: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("pipedeck")
        .expect("binary")
        .env_remove("PIPEDECK_DB")
        .arg("--db")
        .arg(db)
        .args(["--today", "2026-11-24", "report", "movement"])
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

fn moves(v: &Value, key: &str) -> Vec<(String, f64, String)> {
    v[key]
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| {
            (
                m["opportunity_id"].as_str().expect("id").to_string(),
                m["amount"].as_f64().expect("amount"),
                m["why"].as_str().expect("why").to_string(),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, f64, &str)]) -> Vec<(String, f64, String)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), *b, c.to_string()))
        .collect()
}

#[test]
fn the_call_moved_by_the_deals_that_came_in_and_went_out() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("m.db");
    build(&db);
    let v: Value = serde_json::from_str(&run(&db, &["--format", "json"])).expect("JSON");
    assert_eq!(v["period"]["from"], "2026-10-01");
    assert_eq!(v["period"]["to"], "2027-01-01");
    assert_eq!(
        (&v["then"], &v["now"]),
        (&"2026-11-17".into(), &"2026-11-24".into())
    );
    assert_eq!(v["call_then"], 19_000.0);
    assert_eq!(v["call_now"], 22_000.0);
    assert_eq!(
        moves(&v, "moved_in"),
        owned(&[
            ("m2", 5_000.0, "committed (was best_case)"),
            ("m4", 3_000.0, "new")
        ])
    );
    assert_eq!(
        moves(&v, "moved_out"),
        owned(&[("m3", 7_000.0, "pushed out (to 2027-01-15)")])
    );
    let table = run(&db, &[]);
    for line in [
        "call on 2026-11-17",
        "19,000",
        "+8,000",
        "-7,000",
        "+2,000",
        "22,000",
        "committed (was best_case)",
    ] {
        assert!(table.contains(line), "{line} in\n{table}");
    }
    let csv = run(&db, &["--format", "csv"]);
    assert!(
        csv.contains(",-7000,m3,Deal m3,ann,pushed out (to 2027-01-15)"),
        "{csv}"
    );
    let md = run(&db, &["--format", "md"]);
    assert!(md.contains("| m4 | Deal m4 | ann | +3,000 | new |"), "{md}");
}

#[test]
fn from_and_to_pick_the_two_days() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("m.db");
    build(&db);
    // From the end of 11-19 (m2 already committed) to the end of 11-20 (m1 raised):
    // nothing moved in or out, the call rose by m1's 2,000 (8,000 + 5,000 + 7,000 + 4,000 = 24,000 → 26,000).
    let v: Value = serde_json::from_str(&run(
        &db,
        &[
            "--from",
            "2026-11-19",
            "--to",
            "2026-11-20",
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    assert_eq!(
        (v["call_then"].as_f64(), v["call_now"].as_f64()),
        (Some(24_000.0), Some(26_000.0))
    );
    assert_eq!(v["moved_in"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["moved_out"].as_array().map(Vec::len), Some(0));
    // A month's call: December holds m1, m2, m4 now; a week ago m1 (8,000) only
    // (m3 closed 12-20 then: also December, 7,000) → 15,000 then, 18,000 now.
    let v: Value = serde_json::from_str(&run(&db, &["--period", "2026-12", "--format", "json"]))
        .expect("JSON");
    assert_eq!(
        (v["call_then"].as_f64(), v["call_now"].as_f64()),
        (Some(15_000.0), Some(18_000.0))
    );
    let err = Command::cargo_bin("pipedeck")
        .expect("binary")
        .arg("--db")
        .arg(&db)
        .args([
            "--today",
            "2026-11-24",
            "report",
            "movement",
            "--from",
            "2026-11-25",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("--from 2026-11-25 is after --to 2026-11-24"));
}

/// The call a week ago is rebuilt from the history written since (the load
/// reads no older entries), but for two kinds of deal it needs more:
///
/// - r1, 6,000: won 11-10, reopened 11-19, won again 11-21. Undoing the
///   two later entries leaves it won, and its close then was 11-10, which
///   only the entry of 11-10 says: in the call both days.
/// - e1, commit, 9,000, closes 12-15: its one entry (10-01) is older than
///   the week, and the snapshot of 11-16 says best case. A deal with
///   history is rebuilt from it, never from a snapshot: in the call both days.
/// - m6, 2,000, closes 12-01: best case → commit on 11-20: moves in.
///
/// Call then = 6,000 + 9,000 = 15,000; now = 15,000 + 2,000 = 17,000.
#[test]
fn a_week_back_reads_older_history_where_the_rewind_needs_it() {
    use ForecastCategory::*;
    use HistoryField as F;
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("m.db");
    let mut store = Store::open(&db).expect("open");
    let mut tx = store.begin().expect("tx");
    team(&mut tx);
    for o in [
        won("r1", 6_000, "2026-11-21"),
        opp("e1", Commit, 9_000, "2026-12-15", "2026-10-01"),
        opp("m6", Commit, 2_000, "2026-12-01", "2026-10-01"),
    ] {
        tx.upsert_opportunity(&o).expect("opp");
    }
    for h in [
        hist("r1", "2026-10-01", F::Stage, None, "Proposal"),
        hist("r1", "2026-11-10", F::Status, Some("open"), "won"),
        hist("r1", "2026-11-19", F::Status, Some("won"), "open"),
        hist("r1", "2026-11-21", F::Status, Some("open"), "won"),
        hist("e1", "2026-10-01", F::Stage, None, "Proposal"),
        hist("m6", "2026-10-01", F::Stage, None, "Proposal"),
        hist(
            "m6",
            "2026-11-20",
            F::ForecastCategory,
            Some("best_case"),
            "commit",
        ),
    ] {
        tx.append_history(&h).expect("history");
    }
    tx.insert_snapshot(&Snapshot {
        taken_on: day("2026-11-16"),
        taken_at: at("2026-11-16"),
        rows: vec![SnapshotRow {
            opportunity_id: OppId("e1".into()),
            owner_id: RepId("ann".into()),
            stage: "Proposal".into(),
            amount: Some(Money::from_major(9_000)),
            close_date: Some(day("2026-12-15")),
            forecast_category: Some(BestCase),
        }],
    })
    .expect("snapshot");
    tx.commit().expect("commit");
    drop(store);
    let v: Value = serde_json::from_str(&run(&db, &["--format", "json"])).expect("JSON");
    assert_eq!(
        (v["call_then"].as_f64(), v["call_now"].as_f64()),
        (Some(15_000.0), Some(17_000.0))
    );
    assert_eq!(
        moves(&v, "moved_in"),
        owned(&[("m6", 2_000.0, "committed (was best_case)")])
    );
    assert_eq!(v["moved_out"].as_array().map(Vec::len), Some(0));
}

/// A deal won today that was closing outside the period a week ago moves
/// into the call as won, not "pulled in" (winning it dates its close
/// today): w1, pipeline, 30,000, closing 2027-01-13, won on 11-24 through
/// `pipedeck deal w1 won`. Call then = 0; now = 30,000.
#[test]
fn a_deal_won_today_moves_in_as_won_not_pulled_in() {
    use ForecastCategory::*;
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("m.db");
    let mut store = Store::open(&db).expect("open");
    let mut tx = store.begin().expect("tx");
    team(&mut tx);
    tx.upsert_opportunity(&opp("w1", Pipeline, 30_000, "2027-01-13", "2026-10-01"))
        .expect("opp");
    tx.append_history(&hist(
        "w1",
        "2026-10-01",
        HistoryField::Stage,
        None,
        "Proposal",
    ))
    .expect("history");
    tx.commit().expect("commit");
    drop(store);
    Command::cargo_bin("pipedeck")
        .expect("binary")
        .env_remove("PIPEDECK_DB")
        .arg("--db")
        .arg(&db)
        .args(["--today", "2026-11-24", "deal", "w1", "won"])
        .assert()
        .success();
    let v: Value = serde_json::from_str(&run(&db, &["--format", "json"])).expect("JSON");
    assert_eq!(
        (v["call_then"].as_f64(), v["call_now"].as_f64()),
        (Some(0.0), Some(30_000.0))
    );
    assert_eq!(
        moves(&v, "moved_in"),
        owned(&[("w1", 30_000.0, "won (was pipeline)")])
    );
    assert_eq!(v["moved_out"].as_array().map(Vec::len), Some(0));
}
