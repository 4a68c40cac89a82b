//! Input a command would drop or store in silence is refused with a clear
//! error, and nothing is written: control characters in an edit's text, a
//! write to an empty file, report options a report would not use, days after
//! today, impossible history values and unknown review sessions in an import
//! (config values past the calendar: `trust_cli.rs`).

use assert_cmd::Command;
use std::fs;
use std::path::Path;

pub(crate) fn pipedeck(dir: &Path) -> Command {
    pipedeck_on(dir, "2026-02-01")
}

/// [`pipedeck`] on another `--today`.
pub(crate) fn pipedeck_on(dir: &Path, today: &str) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").unwrap();
    cmd.env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG")
        .env("PIPEDECK_KEPT", "off")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(["--today", today, "--db"])
        .arg(dir.join("p.db"));
    cmd
}

pub(crate) fn imported(dir: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native");
    pipedeck(dir).arg("import").arg(fixture).assert().success();
}

/// Runs `args`, expects exit 1 and returns stderr.
pub(crate) fn refused(dir: &Path, args: &[&str]) -> String {
    refused_with(dir, args, 1)
}

fn refused_with(dir: &Path, args: &[&str], code: i32) -> String {
    let out = pipedeck(dir).args(args).assert().code(code);
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// Rows of `table` in the test's database.
pub(crate) fn count(dir: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("p.db")).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

pub(crate) fn stdout(dir: &Path, args: &[&str]) -> String {
    let out = pipedeck(dir).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
}

#[test]
fn an_edit_with_a_control_character_is_refused_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let before = stdout(dir.path(), &["deal", "o1", "show"]);
    assert!(before.contains("next step: Send MSA"), "{before}");
    let written = |dir: &Path| {
        ["opportunity_history", "activities", "review_sessions"].map(|t| count(dir, t))
    };
    let rows = written(dir.path());
    let cases: [(&[&str], &str); 4] = [
        (
            &["deal", "o1", "next-step", "\x1b[31mRED"],
            "text: control character U+001B",
        ),
        (
            &["deal", "o1", "lost", "--reason", "no\x07budget"],
            "reason: control character U+0007",
        ),
        (
            &["log", "call", "--rep", "ada", "--label", "a\u{9b}b"],
            "label: control character U+009B",
        ),
        (
            &["review", "start", "--facilitator", "M\x1faya"],
            "facilitator: control character U+001F",
        ),
    ];
    for (args, want) in cases {
        let err = refused(dir.path(), args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert_eq!(stdout(dir.path(), &["deal", "o1", "show"]), before);
    assert_eq!(written(dir.path()), rows);
    // Tabs and line breaks are text an import takes too.
    stdout(
        dir.path(),
        &["deal", "o1", "next-step", "Send MSA\tthen call"],
    );
}

#[test]
fn a_write_to_an_empty_file_makes_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    fs::write(&db, b"").unwrap();
    for args in [&["snapshot"][..], &["review", "start"]] {
        let err = refused(dir.path(), args);
        assert!(err.contains("no database here"), "{args:?}: {err}");
    }
    assert_eq!(fs::metadata(&db).unwrap().len(), 0);
}

#[test]
fn a_report_refuses_options_it_would_not_use() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let cases: [(&[&str], &str); 14] = [
        (&["report", "agenda", "--rep", "ada"], "--rep applies to"),
        (
            &["report", "metrics", "--days", "10"],
            "--days applies to report score-calibration only",
        ),
        (
            &["report", "metrics", "--by", "segment", "--role", "AE"],
            "--by cuts the whole team",
        ),
        (
            &[
                "report",
                "movement",
                "--to",
                "2026-01-20",
                "--as-of",
                "2026-01-10",
            ],
            "--to and --as-of both",
        ),
        (
            &[
                "report",
                "movement",
                "--from",
                "2026-01-12",
                "--as-of",
                "2026-01-10",
            ],
            "--from 2026-01-12 is after --as-of 2026-01-10",
        ),
        (
            &["report", "movement", "--rep", "nobody"],
            "--rep: no rep with id \"nobody\"",
        ),
        (
            &["report", "forecast", "--rep", "nobody"],
            "--rep: no rep with id \"nobody\"",
        ),
        (
            &["report", "hygiene", "--role", "SDR"],
            "--role applies to report metrics, report anomalies only",
        ),
        (
            &["report", "hygiene", "--period", "2026-Q1"],
            "--period applies to",
        ),
        (
            &["report", "score-calibration", "--rep", "ada"],
            "--rep applies to",
        ),
        (
            &["report", "metrics", "--metric", "bookings"],
            "--metric applies to report drill only",
        ),
        (
            &["report", "metrics", "--by", "segment", "--rep", "ada"],
            "--by cuts the whole team",
        ),
        (
            &["report", "hygiene", "--as-of", "2026-02-02"],
            "--as-of 2026-02-02: after today (2026-02-01)",
        ),
        (
            &["report", "waterfall", "--from", "2026-02-05"],
            "--from 2026-02-05 is after --to 2026-02-01",
        ),
    ];
    for (args, want) in cases {
        // Options that do not go together are usage errors (exit 2); a rep
        // the database lacks is not (exit 1).
        let code = if want.starts_with("--rep: no rep") {
            1
        } else {
            2
        };
        let err = refused_with(dir.path(), args, code);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // `pipeline --rep` is that rep's open deals: Ada's two, none of Sam's.
    let count = |rep: &str| -> u64 {
        let out = stdout(
            dir.path(),
            &["report", "pipeline", "--rep", rep, "--format", "json"],
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["total"]["count"].as_u64().unwrap()
    };
    assert_eq!((count("ada"), count("sam")), (2, 0));
    // What each report does take is still taken.
    for args in [
        &[
            "report", "metrics", "--period", "2026-Q1", "--rep", "ada", "--role", "AE",
        ][..],
        &[
            "report", "metrics", "--period", "2026-Q1", "--by", "segment",
        ],
        &[
            "report",
            "anomalies",
            "--period",
            "2026-01",
            "--role",
            "SDR",
        ],
        &[
            "report", "drill", "--rep", "ada", "--metric", "won", "--period", "2026-Q1",
        ],
        &[
            "report",
            "hygiene",
            "--rep",
            "ada",
            "--sort",
            "score",
            "--as-of",
            "2026-01-31",
        ],
        &["report", "agenda", "--sort", "score"],
        &["report", "forecast", "--period", "2026-Q1", "--rep", "ada"],
        &[
            "report",
            "waterfall",
            "--from",
            "2026-01-20",
            "--to",
            "2026-02-01",
        ],
        &[
            "report",
            "movement",
            "--from",
            "2026-01-20",
            "--period",
            "2026-Q1",
            "--rep",
            "ada",
        ],
        &[
            "report",
            "accuracy",
            "--rep",
            "ada",
            "--as-of",
            "2026-01-31",
        ],
        &[
            "report",
            "score-calibration",
            "--days",
            "10",
            "--period",
            "2026-Q1",
        ],
    ] {
        stdout(dir.path(), args);
    }
}

#[test]
fn csv_number_columns_are_plain_numbers_and_text_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    stdout(
        dir.path(),
        &["snooze", "o4", "--until", "2026-02-20", "--reason", "2×"],
    );
    let hygiene = stdout(dir.path(), &["report", "hygiene", "--format", "csv"]);
    assert!(
        hygiene.contains("Snoozed (still counted),o4,Globex — Pilot,ada,,Discovery,no_next_step,20,,,2026-02-20,2×\n"),
        "{hygiene}"
    );
    // Coverage 12,500.50 of 120,000 to close: 0.10×, written 0.10.
    let forecast = stdout(dir.path(), &["report", "forecast", "--format", "csv"]);
    assert!(
        forecast.contains(
            ",Team,2026-Q1,0,12500.50,12500.50,12500.50,12500.50,7500.30,120000,120000,0.10,LIGHT,0,0,0\n"
        ),
        "{forecast}"
    );
}

#[test]
fn impossible_history_values_and_unknown_sessions_are_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let file = dir.path().join("opportunity_history.csv");
    fs::write(
        &file,
        "opportunity_id,changed_at,field,old_value,new_value,changed_by,review_session_id\n\
         o1,2026-01-21T10:00:00Z,amount,7000,-8000,ada,\n\
         o1,2026-01-22T10:00:00Z,close_date,2026-03-31,9999-12-31,ada,\n\
         o1,2026-01-23T10:00:00Z,stage,Discovery,Proposal,ada,42\n",
    )
    .unwrap();
    let err = refused(dir.path(), &["import", file.to_str().unwrap()]);
    for want in [
        "opportunity_history.csv:2:5 (new_value): \"-8000\" is a negative amount",
        "opportunity_history.csv:3:5 (new_value): \"9999-12-31\": year 9999 is impossible",
        "opportunity_history.csv:4:7 (review_session_id): unknown review session \"42\"",
        "3 rejected row(s); nothing was imported",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    // A session of the database is known.
    stdout(dir.path(), &["review", "start"]);
    fs::write(
        &file,
        "opportunity_id,changed_at,field,old_value,new_value,changed_by,review_session_id\n\
         o1,2026-01-23T10:00:00Z,stage,Discovery,Proposal,ada,1\n",
    )
    .unwrap();
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
}

#[test]
fn the_deal_card_dates_its_history_in_the_configured_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("la.toml");
    fs::write(&config, "time_zone = \"America/Los_Angeles\"\n").unwrap();
    let la = |args: &[&str]| {
        let out = pipedeck(tmp.path())
            .arg("--config")
            .arg(&config)
            .args(args)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).to_string()
    };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native");
    la(&["import", fixture.to_str().unwrap()]);
    // o1 was created 2026-01-05T09:30:00Z: 01:30 that day in Los Angeles.
    let card = la(&["deal", "o1", "show"]);
    assert!(
        card.contains("  2026-01-05 01:30 PST  stage: — → Proposal"),
        "{card}"
    );
}

/// A metrics filter that keeps no rep says so, where it printed the team's
/// block alone as if the rep had done nothing.
#[test]
fn a_metrics_filter_that_keeps_no_rep_says_so() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let cases: [(&[&str], &str); 4] = [
        (
            &["report", "metrics", "--period", "2026-Q1", "--rep", "maya"],
            "rep \"maya\" is not an active AE or SDR in 2026-01-01..2026-04-01",
        ),
        (
            &[
                "report", "drill", "--period", "2026-Q1", "--rep", "maya", "--metric", "won",
            ],
            "rep \"maya\" is not an active AE or SDR in the period",
        ),
        (
            &[
                "report", "metrics", "--period", "2026-Q1", "--rep", "ada", "--role", "SDR",
            ],
            "rep \"ada\" is not an active SDR in 2026-01-01..2026-04-01",
        ),
        (
            &["report", "metrics", "--period", "2026-Q1", "--role", "CSM"],
            "there is no active CSM in 2026-01-01..2026-04-01",
        ),
    ];
    for (args, want) in cases {
        let err = refused(dir.path(), args);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let ada = stdout(
        dir.path(),
        &["report", "metrics", "--period", "2026-Q1", "--rep", "ada"],
    );
    assert!(ada.contains("(ada, AE)"), "{ada}");
}

/// `log --rep` names a rep the database lacks: said as such, not as a bad
/// `--by` (the rep is also who made it), and nothing is saved.
#[test]
fn logging_for_an_unknown_rep_says_so() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let before = count(dir.path(), "activities");
    let err = refused(
        dir.path(),
        &["log", "call", "--rep", "X\u{1b}[31m", "--account", "acme"],
    );
    assert!(
        // The id is quoted with its escape spelled out, never sent raw.
        err.contains("--rep: no rep with id \"X\\u{1b}[31m\""),
        "{err}"
    );
    assert_eq!(count(dir.path(), "activities"), before);
}
