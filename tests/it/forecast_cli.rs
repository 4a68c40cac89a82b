//! End to end: a small database built through storage, then the binary's
//! `snapshot`, `report forecast|waterfall|accuracy` (with `--as-of`) on it.
//!
//! Fixture (Q1 2026, default stages: Demo 35 %, Proposal 60 %):
//! - reps ann (AE, quota 100,000) and bob (AE, quota 50,000);
//! - w1: ann, won 20 Jan, 20,000;
//! - o1: ann, Proposal, commit, closes 27 Feb; created 5 Jan at 25,000,
//!   raised to 30,000 on 10 Feb;
//! - o2: bob, Demo, best case, closes 15 Mar, 10,000; created 11 Feb;
//! - snapshots on 5 Jan (o1 25,000), 9 Feb (o1 25,000), 16 Feb (o1 30,000, o2 10,000).

use assert_cmd::Command;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use pipedeck::domain::model::*;
use pipedeck::domain::{Money, Settings};
use pipedeck::storage::Store;
use serde_json::Value;
use std::path::Path;

fn at(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 10, 0, 0).unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn rep(id: &str, quota: i64) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: id.to_uppercase(),
        email: None,
        role: Role::Ae,
        team: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        quota_amount: Some(Money::from_major(quota)),
        quota_meetings: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn opp(
    id: &str,
    owner: &str,
    stage: &str,
    cat: ForecastCategory,
    amount: i64,
    close: NaiveDate,
    created: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: id.into(),
        account_id: None,
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at: Some(created),
        stage: stage.into(),
        amount: Some(Money::from_major(amount)),
        close_date: Some(close),
        forecast_category: Some(cat),
        status: if closed.is_some() {
            Status::Won
        } else {
            Status::Open
        },
        closed_at: closed,
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

fn hist(id: &str, t: DateTime<Utc>, f: HistoryField, old: Option<&str>, new: &str) -> HistoryEntry {
    HistoryEntry {
        opportunity_id: OppId(id.into()),
        changed_at: t,
        field: f,
        old_value: old.map(str::to_string).map(Into::into),
        new_value: Some(new.into()),
        changed_by: None,
        review_session_id: None,
    }
}

fn row(
    id: &str,
    owner: &str,
    stage: &str,
    cat: ForecastCategory,
    amount: i64,
    close: NaiveDate,
) -> SnapshotRow {
    SnapshotRow {
        opportunity_id: OppId(id.into()),
        owner_id: RepId(owner.into()),
        stage: stage.into(),
        amount: Some(Money::from_major(amount)),
        close_date: Some(close),
        forecast_category: Some(cat),
    }
}

fn build(path: &Path) {
    use ForecastCategory::*;
    let mut store = Store::open(path).unwrap();
    let mut tx = store.begin().unwrap();
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).unwrap();
    }
    tx.upsert_rep(&rep("ann", 100_000)).unwrap();
    tx.upsert_rep(&rep("bob", 50_000)).unwrap();
    let w1 = opp(
        "w1",
        "ann",
        "Closed Won",
        Closed,
        20_000,
        day(1, 20),
        at(1, 2),
        Some(at(1, 20)),
    );
    let o1 = opp(
        "o1",
        "ann",
        "Proposal",
        Commit,
        30_000,
        day(2, 27),
        at(1, 5),
        None,
    );
    let o2 = opp(
        "o2",
        "bob",
        "Demo",
        BestCase,
        10_000,
        day(3, 15),
        at(2, 11),
        None,
    );
    for o in [&w1, &o1, &o2] {
        tx.upsert_opportunity(o).unwrap();
    }
    for h in [
        hist("w1", at(1, 2), HistoryField::Stage, None, "Proposal"),
        hist("w1", at(1, 20), HistoryField::Status, Some("open"), "won"),
        hist(
            "w1",
            at(1, 20),
            HistoryField::Stage,
            Some("Proposal"),
            "Closed Won",
        ),
        hist("o1", at(1, 5), HistoryField::Stage, None, "Proposal"),
        hist(
            "o1",
            at(2, 10),
            HistoryField::Amount,
            Some("2500000"),
            "3000000",
        ),
        hist("o2", at(2, 11), HistoryField::Stage, None, "Demo"),
    ] {
        tx.append_history(&h).unwrap();
    }
    let o1_at = |amount| row("o1", "ann", "Proposal", Commit, amount, day(2, 27));
    for (m, d, rows) in [
        (1, 5, vec![o1_at(25_000)]),
        (2, 9, vec![o1_at(25_000)]),
        (
            2,
            16,
            vec![
                o1_at(30_000),
                row("o2", "bob", "Demo", BestCase, 10_000, day(3, 15)),
            ],
        ),
    ] {
        tx.insert_snapshot(&Snapshot {
            taken_on: day(m, d),
            taken_at: Utc.with_ymd_and_hms(2026, m, d, 7, 0, 0).unwrap(),
            rows,
        })
        .unwrap();
    }
    tx.commit().unwrap();
}

fn run(db: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("pipedeck")
        .unwrap()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run(db, args)).unwrap()
}

/// `report NAME --format json` on `today`, with `args`.
fn report(db: &Path, today: &str, name: &str, args: &[&str]) -> Value {
    let mut all = vec!["--today", today, "report", name];
    all.extend(args);
    all.extend(["--format", "json"]);
    json(db, &all)
}

#[test]
fn forecast_now_and_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    build(&db);
    // On 16 Feb: won 20k; commit o1 30k → call 50k; + best case o2 10k → 60k;
    // pipeline 20k + 40k = 60k; weighted 20k + 30k×.6 + 10k×.35 = 41.5k;
    // quota 150k, to close 130k, coverage 40/130 = 0.3077 → light.
    let v = report(&db, "2026-02-16", "forecast", &[]);
    let q = &v["team"][0];
    let got: Vec<f64> = [
        "won",
        "call",
        "best_case",
        "pipeline",
        "weighted",
        "quota",
        "to_close",
    ]
    .iter()
    .map(|k| q[k].as_f64().unwrap())
    .collect();
    assert_eq!(
        got,
        vec![
            20_000.0, 50_000.0, 60_000.0, 60_000.0, 41_500.0, 150_000.0, 130_000.0
        ]
    );
    assert_eq!(q["coverage_status"], "light");
    assert_eq!((q["coverage"].as_f64().unwrap() * 10_000.0).round(), 3077.0);
    assert_eq!(
        v["team"].as_array().unwrap().len(),
        4,
        "quarter and its 3 months"
    );
    // (as of, call, pipeline):
    // - 9 Feb: o2 didn't exist, o1 was 25k: call 45k, pipeline 45k;
    // - 15 Feb: o1's raise to 30k on 10 Feb comes from its history (the
    //   latest snapshot then, 9 Feb's, still says 25k), and o2 was created
    //   on 11 Feb: call 20k won + 30k commit = 50k, pipeline adds o2's 10k.
    for (as_of, call, pipeline) in [
        ("2026-02-09", 45_000.0, 45_000.0),
        ("2026-02-15", 50_000.0, 60_000.0),
    ] {
        let v = report(&db, "2026-02-16", "forecast", &["--as-of", as_of]);
        let q = &v["team"][0];
        assert_eq!(
            (q["call"].as_f64(), q["pipeline"].as_f64()),
            (Some(call), Some(pipeline)),
            "as of {as_of}"
        );
    }
    // Table output carries the status word.
    let t = run(&db, &["--today", "2026-02-16", "report", "forecast"]);
    assert!(t.contains("LIGHT"), "{t}");
}

#[test]
fn waterfall_between_the_two_latest_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    build(&db);
    // 9 Feb → 16 Feb over Q1: start 25k, new o2 10k, amount change o1 +5k, end 40k.
    let v = report(&db, "2026-02-16", "waterfall", &[]);
    let got: Vec<f64> = [
        "start",
        "new",
        "pulled_in",
        "pushed_out",
        "won",
        "lost",
        "amount_changes",
        "end",
    ]
    .iter()
    .map(|k| v[k].as_f64().unwrap())
    .collect();
    assert_eq!(
        got,
        vec![25_000.0, 10_000.0, 0.0, 0.0, 0.0, 0.0, 5_000.0, 40_000.0]
    );
    // On 15 Feb the 16 Feb snapshot is not yet taken: the latest is 9 Feb,
    // from 5 Jan, when nothing had moved (25k to 25k).
    let v = report(&db, "2026-02-15", "waterfall", &[]);
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str(), v["end"].as_f64()),
        (Some("2026-01-05"), Some("2026-02-09"), Some(25_000.0))
    );
    // --from 5 Jan --to 9 Feb: nothing moved.
    let v = json(
        &db,
        &[
            "report",
            "waterfall",
            "--from",
            "2026-01-05",
            "--to",
            "2026-02-09",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        (v["start"].as_f64(), v["end"].as_f64()),
        (Some(25_000.0), Some(25_000.0))
    );
    let csv = run(
        &db,
        &[
            "--today",
            "2026-02-16",
            "report",
            "waterfall",
            "--format",
            "csv",
        ],
    );
    assert!(
        csv.starts_with("table,who,step,amount,deals,deal\n"),
        "{csv}"
    );
}

/// `--to` alone, months before today. ann's o1 (25,000) stays open; d1
/// (10,000) is won on 2 Jan and d2 (5,000) on 8 Jan, both created on
/// 20 Dec. The deals that closed in the waterfall are read however long
/// ago (the load read the last five weeks of deals, and the waterfall
/// counted them pushed out, or missed them at its start).
fn closed_long_ago(path: &Path, snapshots: bool) {
    use ForecastCategory::*;
    let dec = |d| Utc.with_ymd_and_hms(2025, 12, d, 10, 0, 0).unwrap();
    let mut store = Store::open(path).unwrap();
    let mut tx = store.begin().unwrap();
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).unwrap();
    }
    tx.upsert_rep(&rep("ann", 100_000)).unwrap();
    let o1 = opp(
        "o1",
        "ann",
        "Proposal",
        Commit,
        25_000,
        day(2, 27),
        dec(20),
        None,
    );
    let won = |id, amount, on| {
        opp(
            id,
            "ann",
            "Closed Won",
            Closed,
            amount,
            day(1, 20),
            dec(20),
            Some(on),
        )
    };
    for o in [
        &o1,
        &won("d1", 10_000, at(1, 2)),
        &won("d2", 5_000, at(1, 8)),
    ] {
        tx.upsert_opportunity(o).unwrap();
    }
    for (id, on) in [("d1", at(1, 2)), ("d2", at(1, 8))] {
        tx.append_history(&hist(id, dec(20), HistoryField::Stage, None, "Proposal"))
            .unwrap();
        tx.append_history(&hist(id, on, HistoryField::Status, Some("open"), "won"))
            .unwrap();
        tx.append_history(&hist(
            id,
            on,
            HistoryField::Stage,
            Some("Proposal"),
            "Closed Won",
        ))
        .unwrap();
    }
    tx.append_history(&hist("o1", dec(20), HistoryField::Stage, None, "Proposal"))
        .unwrap();
    let o1_row = row("o1", "ann", "Proposal", Commit, 25_000, day(2, 27));
    let won_row = |id, amount| row(id, "ann", "Proposal", Commit, amount, day(1, 20));
    let taken = [
        (
            day(1, 12) - chrono::Days::new(14),
            vec![o1_row.clone(), won_row("d1", 10_000), won_row("d2", 5_000)],
        ),
        (day(1, 12), vec![o1_row]),
    ];
    for (on, rows) in taken.into_iter().filter(|_| snapshots) {
        tx.insert_snapshot(&Snapshot {
            taken_on: on,
            taken_at: Utc.from_utc_datetime(&on.and_hms_opt(7, 0, 0).unwrap()),
            rows,
        })
        .unwrap();
    }
    tx.commit().unwrap();
}

#[test]
fn a_waterfall_long_ago_counts_the_deals_that_closed_in_it() {
    let waterfall = |db: &Path| {
        let v = json(
            db,
            &[
                "--today",
                "2026-06-01",
                "report",
                "waterfall",
                "--to",
                "2026-01-12",
                "--format",
                "json",
            ],
        );
        let got: Vec<f64> = ["start", "pushed_out", "won", "lost", "end"]
            .iter()
            .map(|k| v[k].as_f64().unwrap())
            .collect();
        (v["from"].as_str().unwrap().to_string(), got)
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, snapshots, want) in [
        // Snapshots on 29 Dec (o1, d1, d2) and 12 Jan (o1): `--to 12 Jan`
        // starts at the latest snapshot on or before 5 Jan, 29 Dec. Start
        // 40,000; d1 and d2 won, 15,000; end 25,000; nothing pushed out.
        (
            "snapshots.db",
            true,
            ("2025-12-29", vec![40_000.0, 0.0, 15_000.0, 0.0, 25_000.0]),
        ),
        // No snapshot: both ends rebuilt from history, 5 Jan to 12 Jan.
        // Open on 5 Jan: o1 and d2 (d1 won on 2 Jan), 30,000; d2 won,
        // 5,000; end 25,000.
        (
            "history.db",
            false,
            ("2026-01-05", vec![30_000.0, 0.0, 5_000.0, 0.0, 25_000.0]),
        ),
    ] {
        let db = dir.path().join(name);
        closed_long_ago(&db, snapshots);
        assert_eq!(waterfall(&db), (want.0.to_string(), want.1), "{name}");
    }
}

#[test]
fn accuracy_of_the_closed_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    build(&db);
    // Q1 closed on 10 Apr. Actual 20k (w1). Headline: 5 Jan, won so far 0 + commit
    // o1 25k = 25k → (25 − 20) ÷ 20 = +25 %: not flagged (worse than 25 % is), band ±40%.
    let v = json(
        &db,
        &[
            "--today",
            "2026-04-10",
            "report",
            "accuracy",
            "--format",
            "json",
        ],
    );
    let q = &v["team"][0];
    assert_eq!(q["quarter_label"], "2026-Q1");
    assert_eq!(q["actual"].as_f64(), Some(20_000.0));
    assert_eq!(q["headline"]["call"].as_f64(), Some(25_000.0));
    assert_eq!(q["headline"]["error"].as_f64(), Some(0.25));
    assert_eq!(
        (q["flagged"].as_bool(), q["band"].as_str()),
        (Some(false), Some("within40"))
    );
    // Later calls: 9 Feb 20k + 25k = 45k (+125 %), 16 Feb 20k + 30k = 50k (+150 %).
    let calls: Vec<f64> = q["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call"].as_f64().unwrap())
        .collect();
    assert_eq!(calls, vec![25_000.0, 45_000.0, 50_000.0]);
    // bob: actual 0 → undefined error.
    let bob = v["reps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "bob")
        .unwrap();
    assert_eq!(bob["headline"]["error"], Value::Null);
    // Before the quarter closed there is nothing to report.
    let v = json(
        &db,
        &[
            "--today",
            "2026-03-01",
            "report",
            "accuracy",
            "--format",
            "json",
        ],
    );
    assert_eq!(v["team"].as_array().unwrap().len(), 0);
}

#[test]
fn snapshot_once_per_day_and_errors_name_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    build(&db);
    let out = run(&db, &["--today", "2026-02-23", "snapshot"]);
    assert_eq!(out, "snapshot taken for 2026-02-23: 2 open deals\n");
    let out = run(&db, &["--today", "2026-02-23", "snapshot"]);
    assert!(out.contains("already exists"), "{out}");
    // Without snapshots on or before the dates, both ends are rebuilt
    // from history, and the report says so.
    let out = Command::cargo_bin("pipedeck")
        .unwrap()
        .arg("--db")
        .arg(&db)
        .args(["report", "waterfall", "--to", "2026-01-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2025-12-25: the pipeline of that day is rebuilt from history"),
        "{text}"
    );
    assert!(
        text.contains("2026-01-01: the pipeline of that day is rebuilt from history"),
        "{text}"
    );
}

/// A snapshot for a day gone by holds the deals as they stood at its end:
/// o1 was raised from 25,000 to 30,000 on 10 Feb, so the snapshot of
/// 8 Feb (taken on the 16th's database) holds it at 25,000; o2, created on
/// 11 Feb, is not in it.
#[test]
fn a_snapshot_of_a_past_day_holds_the_deals_as_they_stood() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    build(&db);
    let out = run(&db, &["--today", "2026-02-08", "snapshot"]);
    assert_eq!(out, "snapshot taken for 2026-02-08: 1 open deals\n");
    let store = Store::open(&db).unwrap();
    let heads: Vec<_> = store
        .snapshot_heads()
        .unwrap()
        .into_iter()
        .filter(|h| h.taken_on == day(2, 8))
        .collect();
    let snaps = store.load_snapshots_of(&heads).unwrap();
    let rows: Vec<(&str, Option<Money>)> = snaps[0]
        .rows
        .iter()
        .map(|r| (r.opportunity_id.as_str(), r.amount))
        .collect();
    assert_eq!(rows, vec![("o1", Some(Money::from_major(25_000)))]);
}

/// `report waterfall --from FROM --to TO` on the fixture, on 16 Feb.
fn waterfall_between(from: &str, to: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    build(&db);
    report(
        &db,
        "2026-02-16",
        "waterfall",
        &["--from", from, "--to", to],
    )
}

/// 9 Feb's snapshot stands for 10 and for 12 Feb (the latest in the seven
/// days up to each): compared with itself it said nothing moved. The later
/// end is rebuilt from history instead: o1 rose from 25,000 to 30,000 on
/// 10 Feb and o2 (10,000) was created on 11 Feb, so 25,000 + 10,000 new +
/// 5,000 of amount changes = 40,000 at the end of 12 Feb.
#[test]
fn a_waterfall_whose_two_days_share_a_snapshot_rebuilds_the_later_one() {
    let v = waterfall_between("2026-02-10", "2026-02-12");
    assert_eq!(v["rebuilt_from_history"], serde_json::json!(["2026-02-12"]));
    assert_eq!(
        (&v["from"], &v["to"]),
        (
            &serde_json::json!("2026-02-09"),
            &serde_json::json!("2026-02-12")
        )
    );
    let got = ["start", "new", "amount_changes", "end"].map(|k| v[k].as_f64());
    assert_eq!(
        got,
        [
            Some(25_000.0),
            Some(10_000.0),
            Some(5_000.0),
            Some(40_000.0)
        ]
    );
}

/// A waterfall whose two days have no snapshot of their own (the latest
/// one before both is 5 Jan's, more than a week old) rebuilds both from
/// history: o1 stood at 25,000 on 3 and on 6 Feb, its raise to 30,000 on
/// 10 Feb undone; o2 (created 11 Feb) did not exist yet.
#[test]
fn a_waterfall_between_days_without_snapshots_rebuilds_both_from_history() {
    let v = waterfall_between("2026-02-03", "2026-02-06");
    assert_eq!(
        v["rebuilt_from_history"],
        serde_json::json!(["2026-02-03", "2026-02-06"])
    );
    assert_eq!(
        (
            v["start"].as_f64(),
            v["end"].as_f64(),
            v["start_count"].as_u64()
        ),
        (Some(25_000.0), Some(25_000.0), Some(1))
    );
}
