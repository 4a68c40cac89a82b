//! `pipedeck report metrics|anomalies|drill` end to end on a small database
//! built with the storage API. Expected values worked out by hand below.

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use pipedeck::domain::*;
use pipedeck::storage::Store;
use serde_json::Value;

fn t(s: &str) -> DateTime<Utc> {
    format!("{s}Z").parse().expect("instant")
}

fn rep(id: &str) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: id.to_uppercase(),
        email: None,
        role: Role::Ae,
        team: None,
        manager_id: None,
        start_date: Some("2024-01-01".parse().expect("date")),
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    }
}

fn opp(id: &str, owner: &str, status: Status, cents: Option<i64>, closed: &str) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: id.into(),
        account_id: None,
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at: Some(t("2026-10-01T10:00:00")),
        stage: if status == Status::Won {
            "Closed Won"
        } else {
            "Closed Lost"
        }
        .into(),
        amount: cents.map(Money),
        close_date: None,
        forecast_category: None,
        status,
        closed_at: Some(t(closed)),
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

/// Four AEs; in the week 2026-11-16..23 ann won 1,000.00 and 234.50 and
/// lost one; bob closed nothing. ann held one meeting on 2026-11-10, nobody
/// any other. A database goal of 12 meetings a week
/// overrides the config's 15.
pub(crate) fn database(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("t.db");
    let mut store = Store::open(&path).expect("open");
    let mut tx = store.begin().expect("tx");
    for r in ["ann", "bob", "cy", "di"] {
        tx.upsert_rep(&rep(r)).expect("rep");
    }
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).expect("stage");
    }
    tx.upsert_opportunity(&opp(
        "o1",
        "ann",
        Status::Won,
        Some(100_000),
        "2026-11-17T10:00:00",
    ))
    .expect("opp");
    tx.upsert_opportunity(&opp(
        "o2",
        "ann",
        Status::Won,
        Some(23_450),
        "2026-11-22T23:59:59",
    ))
    .expect("opp");
    tx.upsert_opportunity(&opp("o3", "ann", Status::Lost, None, "2026-11-18T10:00:00"))
        .expect("opp");
    tx.upsert_activity(&Activity {
        id: ActivityId("m1".into()),
        rep_id: RepId("ann".into()),
        kind: ActivityKind::Meeting,
        meeting_type: Some(MeetingType::First),
        label: None,
        opportunity_id: None,
        account_id: None,
        contact_id: None,
        occurred_at: t("2026-11-10T10:00:00"),
        outcome: Some(Outcome::Held),
        duration_min: Some(30),
        direction: None,
        review_session_id: None,
    })
    .expect("activity");
    tx.upsert_goal(&Goal {
        role: Role::Ae,
        metric: "meetings".into(),
        period: PeriodKind::Week,
        target: 12.0,
        direction: GoalDirection::AtLeast,
    })
    .expect("goal");
    tx.commit().expect("commit");
    path
}

pub(crate) fn run(db: &std::path::Path, args: &[&str]) -> assert_cmd::assert::Assert {
    // An empty config file: every setting at its default.
    let config = db.with_file_name("config.toml");
    std::fs::write(&config, "").expect("config");
    Command::cargo_bin("pipedeck")
        .expect("binary")
        .env_remove("PIPEDECK_DB")
        .args([
            "--db",
            db.to_str().expect("utf-8 path"),
            "--today",
            "2026-11-24",
        ])
        .args(["--config", config.to_str().expect("utf-8 path")])
        .args(args)
        .assert()
}

pub(crate) fn json(db: &std::path::Path, args: &[&str]) -> Value {
    let out = run(db, args).success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("JSON")
}

#[test]
fn metrics_json_has_the_spec_shape_and_hand_worked_values() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    let v = json(
        &db,
        &[
            "report",
            "metrics",
            "--period",
            "last-week",
            "--format",
            "json",
        ],
    );
    assert_eq!(v["period"]["from"], "2026-11-16");
    assert_eq!(v["period"]["to"], "2026-11-23");
    let reps = v["reps"].as_array().expect("reps");
    assert_eq!(reps.len(), 4);
    let ann = &reps[0];
    assert_eq!(ann["rep_id"], "ann");
    assert_eq!(ann["name"], "ANN");
    assert_eq!(ann["role"], "AE");
    assert_eq!(ann["ramping"], false);
    let m = &ann["metrics"];
    assert_eq!(m["won"]["value"], 2.0);
    assert_eq!(m["bookings"]["value"], 1234.5); // 1,000.00 + 234.50, major units
    assert_eq!(m["win_rate"]["num"], 2.0);
    assert_eq!(m["win_rate"]["den"], 3.0);
    assert_eq!(m["avg_deal_size"]["value"], 617.25); // 1234.50 / 2
    // The other three closed nothing: their bookings 0, 0, 0 → baseline 0.
    assert_eq!(m["bookings"]["baseline"], 0.0);
    // The database's 12 overrides the config's 15.
    assert_eq!(m["meetings"]["goal"], 12.0);
    let bob = &reps[1]["metrics"];
    assert_eq!(bob["win_rate"]["value"], Value::Null);
    assert_eq!(bob["win_rate"]["den"], 0.0);
    // bob's win-rate peers: ann 2/3 only (cy and di undefined) → no baseline.
    assert_eq!(bob["win_rate"]["baseline"], Value::Null);
}

#[test]
fn filters_formats_and_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    let one = json(
        &db,
        &[
            "report",
            "metrics",
            "--period",
            "last-week",
            "--rep",
            "bob",
            "--format",
            "json",
        ],
    );
    assert_eq!(one["reps"].as_array().map(Vec::len), Some(1));
    let csv = run(
        &db,
        &[
            "report",
            "metrics",
            "--period",
            "last-week",
            "--format",
            "csv",
        ],
    )
    .success()
    .get_output()
    .stdout
    .clone();
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(
        csv.lines().next().is_some_and(|h| h.contains("metric")),
        "{csv}"
    );
    let table = run(&db, &["report", "metrics", "--period", "last-week"])
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).expect("utf-8");
    assert!(table.contains("—"), "undefined shown as a dash");
    let err = |args: &[&str]| {
        let out = run(&db, args).failure().code(1).get_output().stderr.clone();
        String::from_utf8(out).expect("utf-8")
    };
    assert!(err(&["report", "metrics", "--rep", "nobody"]).contains("nobody"));
    // A missing --metric is a usage error (exit 2).
    let usage = run(&db, &["report", "drill", "--rep", "ann"])
        .failure()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8(usage)
            .expect("utf-8")
            .contains("--metric")
    );
}

#[test]
fn anomalies_and_drill_outputs() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    let v = json(&db, &["report", "anomalies", "--format", "json"]);
    let list = v.as_array().expect("a list");
    // Weeks of 11-09 and 11-16: ann held 1 and 0 meetings, the others none;
    // the goal is 12 a week, so all four missed it twice.
    let below: Vec<&str> = list
        .iter()
        .filter(|a| a["kind"] == "below_goal_sustained" && a["metric"] == "meetings")
        .filter_map(|a| a["rep_id"].as_str())
        .collect();
    assert_eq!(below, vec!["ann", "bob", "cy", "di"]);
    for a in list {
        for key in [
            "rep_id",
            "metric",
            "kind",
            "direction",
            "value",
            "reference",
            "severity",
            "sentence",
        ] {
            assert!(a.get(key).is_some(), "{key} missing in {a}");
        }
    }
    let d = json(
        &db,
        &[
            "report",
            "drill",
            "--rep",
            "ann",
            "--metric",
            "bookings",
            "--period",
            "last-week",
            "--format",
            "json",
        ],
    );
    assert_eq!(d["root"]["metric"], "bookings");
    assert_eq!(d["root"]["this_period"], 1234.5);
    assert_eq!(d["previous_period"]["from"], "2026-11-09");
    // A driver (meetings, flagged above) opens the outcome tree it feeds:
    // meetings feed opportunities created, the smallest tree holding it.
    let d = json(
        &db,
        &[
            "report",
            "drill",
            "--rep",
            "ann",
            "--metric",
            "meetings",
            "--period",
            "last-week",
            "--format",
            "json",
        ],
    );
    assert_eq!(d["root"]["metric"], "opps_created");
}

#[test]
fn a_prorated_goal_is_marked_in_every_format() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    // The goal is 12 meetings a week. November (30 days), read on 11-24:
    // 12 × 30/7 for the month, × 24/30 for the days elapsed = 288/7 ≈ 41.1.
    let month = ["report", "metrics", "--rep", "ann", "--period", "2026-11"];
    let v = json(&db, &[&month[..], &["--format", "json"]].concat());
    let m = &v["reps"][0]["metrics"]["meetings"];
    let goal = m["goal"].as_f64().expect("a goal");
    assert!((goal - 288.0 / 7.0).abs() < 1e-9, "{goal}");
    assert_eq!(m["goal_prorated"], true);
    assert_eq!(m["goal_per"]["period"], "week");
    assert_eq!(m["goal_per"]["target"], 12.0);
    // A whole week: the goal as set, not prorated.
    let week = json(
        &db,
        &[
            "report",
            "metrics",
            "--rep",
            "ann",
            "--period",
            "last-week",
            "--format",
            "json",
        ],
    );
    let w = &week["reps"][0]["metrics"]["meetings"];
    assert_eq!(
        (w["goal"].as_f64(), &w["goal_prorated"]),
        (Some(12.0), &false.into())
    );
    let text = |format: &str| {
        let out = run(&db, &[&month[..], &["--format", format]].concat())
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("utf-8")
    };
    let table = text("table");
    assert!(table.contains("41.1*"), "{table}");
    assert!(table.contains("goal prorated from 12 per week"), "{table}");
    assert!(
        table.contains("* goal prorated: to the length of the period"),
        "{table}"
    );
    let md = text("md");
    // Escaped, as every Markdown cell is: it renders as `41.1*`.
    assert!(md.contains("| 41.1\\* |"), "{md}");
    // CSV: the goal a plain number, the note column says it is prorated.
    let csv = text("csv");
    let row = csv
        .lines()
        .find(|l| l.contains(",meetings,"))
        .expect("meetings row");
    assert!(
        row.ends_with(",41.1,below goal; goal prorated from 12 per week"),
        "{row}"
    );
}

/// A goal on the conversion of a stage the pipeline does not have (here
/// misspelt, in the database) is said on stderr by every report that reads
/// goals; the report itself is printed as without it.
#[test]
fn a_goal_on_no_open_stage_is_said_on_stderr() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    let quarter = [
        "report", "metrics", "--period", "2026-Q4", "--format", "json",
    ];
    let before = run(&db, &quarter).success().get_output().stdout.clone();
    {
        let mut store = Store::open(&db).expect("open");
        let mut tx = store.begin().expect("tx");
        for metric in ["stage_conversion.Dmeo", "stage_conversion.Demo"] {
            tx.upsert_goal(&Goal {
                role: Role::Ae,
                metric: metric.into(),
                period: PeriodKind::Quarter,
                target: 0.5,
                direction: GoalDirection::AtLeast,
            })
            .expect("goal");
        }
        tx.commit().expect("commit");
    }
    let warning = "pipedeck: warning: goal of AE per quarter on stage_conversion.Dmeo: \
        no open stage is named \"Dmeo\" (the open stages: Prospecting, Qualification, \
        Discovery, Demo, Proposal, Negotiation); the goal applies to no one\n";
    let out = run(&db, &quarter).success().get_output().clone();
    assert_eq!(String::from_utf8_lossy(&out.stderr), warning);
    let (was, now): (Value, Value) = (
        serde_json::from_slice(&before).expect("JSON"),
        serde_json::from_slice(&out.stdout).expect("JSON"),
    );
    let demo = |v: &Value| v["reps"][0]["metrics"]["stage_conversion.Demo"]["goal"].clone();
    // The goal on a real stage applies.
    assert_eq!((demo(&was), demo(&now)), (Value::Null, 0.5.into()));
    let anomalies = run(&db, &["report", "anomalies", "--format", "json"]).success();
    assert_eq!(
        String::from_utf8_lossy(&anomalies.get_output().stderr),
        warning
    );
}
