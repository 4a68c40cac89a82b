//! The review commands end to end on a temp database: `deal`, `log`,
//! `snooze`, `review start|end|agenda`, `report hygiene|agenda`, with their
//! exit codes and messages.

use assert_cmd::Command;
use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::money::Money;
use pipedeck::domain::*;
use pipedeck::storage::Store;
use std::path::Path;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Ann (AE) with deals o1 (Proposal since created 2026-11-01, 40 000, no
/// next step) and o2 (Prospecting, max 30 days, 5 000, next step set), both
/// never touched.
fn seed(path: &Path) {
    // An empty config file: the built-in defaults, whatever the machine has.
    std::fs::write(path.with_extension("toml"), "").unwrap();
    let mut store = Store::open(path).unwrap();
    let mut tx = store.begin().unwrap();
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).unwrap();
    }
    tx.upsert_rep(&Rep {
        id: RepId("ae-01".into()),
        name: "Ann".into(),
        email: None,
        role: Role::Ae,
        team: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    })
    .unwrap();
    for (id, stage, amount, step) in [
        ("o1", "Proposal", 40_000, None),
        ("o2", "Prospecting", 5_000, Some("Demo call")),
    ] {
        tx.upsert_opportunity(&Opportunity {
            id: OppId(id.into()),
            name: format!("Deal {id}"),
            account_id: None,
            owner_id: RepId("ae-01".into()),
            source_rep_id: None,
            created_at: Some(at("2026-11-01T10:00:00Z")),
            stage: stage.into(),
            amount: Some(Money::from_major(amount)),
            close_date: Some(day("2026-12-20")),
            forecast_category: Some(ForecastCategory::Pipeline),
            status: Status::Open,
            closed_at: None,
            loss_reason: None,
            next_step: step.map(str::to_string),
            next_step_date: None,
            list_amount: None,
            channel: None,
        })
        .unwrap();
    }
    tx.commit().unwrap();
}

fn cmd(db: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    cmd_on(db, "2026-11-24", args)
}

fn cmd_on(db: &Path, today: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("pipedeck")
        .unwrap()
        .env_remove("PIPEDECK_DB")
        .env("PIPEDECK_CONFIG", db.with_extension("toml"))
        .arg("--db")
        .arg(db)
        .args(["--today", today])
        .args(args)
        .assert()
}

/// `deal ID show` says the stuck tag in force on its today, as the
/// hygiene list does: o1 tagged yellow on 24 Nov, red on 26 Nov.
#[test]
fn deal_show_says_the_tag_in_force_that_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    seed(&db);
    cmd(&db, &["deal", "o1", "tag", "yellow", "--note", "legal"]).success();
    cmd_on(&db, "2026-11-26", &["deal", "o1", "tag", "red"]).success();
    let tag_line = |today: &str| {
        let out = stdout(&cmd_on(&db, today, &["deal", "o1", "show"]).success());
        out.lines()
            .find(|l| l.starts_with("tag: "))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{out}"))
    };
    assert_eq!(tag_line("2026-11-24").trim_end(), "tag: yellow legal");
    assert_eq!(tag_line("2026-11-26").trim_end(), "tag: red");
    let a = cmd(&db, &["report", "hygiene", "--format", "json"]).success();
    let json: serde_json::Value = serde_json::from_str(&stdout(&a)).unwrap();
    assert_eq!(json[0]["opportunity_id"], "o1");
    assert_eq!(json[0]["tag"], "yellow");
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).to_string()
}

#[test]
fn hygiene_report_in_json_then_edits_clear_flags() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    seed(&db);
    // o1: Proposal 23 days (> 14) and no next step; o2 neither. Both created
    // 23 days ago and never touched (< 30): not untouched.
    let a = cmd(&db, &["report", "hygiene", "--format", "json"]).success();
    let json: serde_json::Value = serde_json::from_str(&stdout(&a)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["opportunity_id"], "o1");
    assert_eq!(json[0]["owner_id"], "ae-01");
    assert_eq!(json[0]["amount"], serde_json::json!(40_000.0));
    assert_eq!(
        json[0]["reasons"],
        serde_json::json!(["stuck", "no_next_step"])
    );
    assert_eq!(json[0]["snoozed_until"], serde_json::Value::Null);

    cmd(
        &db,
        &[
            "deal",
            "o1",
            "next-step",
            "Send SOW",
            "--date",
            "2026-12-01",
        ],
    )
    .success()
    .stdout("o1: next_step — → Send SOW\no1: next_step_date — → 2026-12-01\n");
    cmd(&db, &["deal", "o1", "stage", "Negotiation"]).success();
    let a = cmd(&db, &["report", "hygiene", "--format", "json"]).success();
    assert_eq!(stdout(&a).trim(), "[]");
}

#[test]
fn edits_refuse_bad_input_with_exit_1_and_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    seed(&db);
    let rows: [(&[&str], &str); 5] = [
        (
            &["deal", "o1", "stage", "Nope"],
            "stage \"Nope\" is not a configured stage",
        ),
        (&["deal", "o1", "amount", "-5"], "amount -5 is negative"),
        (&["deal", "zz", "won"], "opportunity zz not found"),
        (
            &["snooze", "o1", "--until", "2026-11-20", "--reason", "x"],
            "is not after today",
        ),
        (
            &[
                "log",
                "email",
                "--rep",
                "ae-01",
                "--deal",
                "o1",
                "--minutes",
                "3",
            ],
            "a duration is for calls and meetings only",
        ),
    ];
    for (args, want) in rows {
        let a = cmd(&db, args).failure().code(1);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains(want), "{args:?}: {err}");
    }
    cmd(&db, &["deal", "o1", "lost"]).failure().code(2);
    cmd(&db, &["deal", "o1", "lost", "--reason", "No budget"]).success();
    let a = cmd(&db, &["deal", "o1", "won"]).failure().code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("deal o1: the deal is already lost"), "{err}");
}

#[test]
fn a_review_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    seed(&db);
    cmd(&db, &["review", "end"]).failure().code(1);
    cmd(&db, &["review", "start"]).success();
    // A second start resumes the open session, as the cockpit does.
    let again = cmd(&db, &["review", "start"]).success();
    assert!(
        stdout(&again).starts_with("Review #1 (started at "),
        "{}",
        stdout(&again)
    );
    assert!(
        stdout(&again).contains("is open: resumed"),
        "{}",
        stdout(&again)
    );
    // A facilitator given to the open session is not saved, and says so.
    let named = cmd(&db, &["review", "start", "--facilitator", "Maya"]).success();
    let note = String::from_utf8_lossy(&named.get_output().stderr).to_string();
    assert!(
        note.contains("--facilitator Maya not saved: the open review keeps its facilitator (none)"),
        "{note}"
    );
    cmd(&db, &["deal", "o1", "close-date", "2027-01-10"]).success();
    cmd(&db, &["deal", "o2", "amount", "7500"]).success();
    cmd(&db, &["deal", "o2", "category", "commit"]).success();
    cmd(
        &db,
        &[
            "log",
            "call",
            "--rep",
            "ae-01",
            "--deal",
            "o2",
            "--outcome",
            "connected",
            "--minutes",
            "15",
        ],
    )
    .success();
    cmd(&db, &["deal", "o1", "lost", "--reason", "No budget"]).success();
    cmd(
        &db,
        &[
            "deal",
            "o2",
            "action",
            "Call CFO",
            "--owner",
            "ae-01",
            "--due",
            "2026-12-01",
        ],
    )
    .success();
    cmd(
        &db,
        &[
            "snooze",
            "o2",
            "--until",
            "2026-12-05",
            "--reason",
            "Budget in December",
        ],
    )
    .success();
    let a = cmd(&db, &["review", "end"]).success();
    let md = stdout(&a);
    assert!(md.contains("## Deals closed (1)"), "{md}");
    assert!(md.contains("## Deals updated (2)"), "{md}");
    // Every deal by name, each field old → new (amounts as money).
    assert!(
        md.contains("- **Deal o1** (o1, ae-01)\n  - close date: 2026-12-20 → 2027-01-10"),
        "{md}"
    );
    assert!(md.contains("  - amount: 5,000 → 7,500"), "{md}");
    assert!(
        md.contains("  - forecast category: pipeline → commit"),
        "{md}"
    );
    assert!(
        md.contains("- Activities logged: 1 (1 calls, 0 emails, 0 meetings)"),
        "{md}"
    );
    assert!(md.contains("- Snoozes: 1"), "{md}");
    assert!(md.contains("## Action items (1)"), "{md}");
    let store = Store::open(&db).unwrap();
    let sessions = store.load_review_sessions().unwrap();
    assert_eq!(sessions[0].report_markdown.as_deref(), Some(md.as_str()));
    // The agenda after the review: o2 snoozed, not on the to-do list.
    let a = cmd(&db, &["review", "agenda"]).success();
    let agenda = stdout(&a);
    assert!(
        agenda.starts_with("# Pipeline review — Tuesday 2026-11-24"),
        "{agenda}"
    );
    let a = cmd(&db, &["report", "hygiene"]).success();
    let table = stdout(&a);
    assert!(table.contains("Snoozed (still counted)"), "{table}");
    cmd(&db, &["deal", "o2", "show"]).success();
}

/// Ending a review on a day before it started is a mistake, said as such
/// (it was saved as a 0-minute review); the session stays open.
#[test]
fn a_review_is_not_ended_before_the_day_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    seed(&db);
    cmd(&db, &["review", "start"]).success();
    let early = Command::cargo_bin("pipedeck")
        .unwrap()
        .env_remove("PIPEDECK_DB")
        .env("PIPEDECK_CONFIG", db.with_extension("toml"))
        .arg("--db")
        .arg(&db)
        .args(["--today", "2026-11-20", "review", "end"])
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&early.get_output().stderr).to_string();
    assert!(
        err.contains("started on 2026-11-24, after today (2026-11-20)"),
        "{err}"
    );
    cmd(&db, &["review", "end"]).success();
}
