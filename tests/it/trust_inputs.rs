//! Input a command would drop or store in silence is refused with a clear
//! error, and nothing is written: control characters in an edit's text, a
//! write to an empty file, report options a report would not use, days after
//! today, impossible history values and unknown review sessions in an import
//! (config values past the calendar: `trust_cli.rs`).

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn pipedeck(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").unwrap();
    cmd.env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG")
        .env("PIPEDECK_KEPT", "off")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(["--today", "2026-02-01", "--db"])
        .arg(dir.join("p.db"));
    cmd
}

fn imported(dir: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native");
    pipedeck(dir).arg("import").arg(fixture).assert().success();
}

/// Runs `args`, expects exit 1 and returns stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = pipedeck(dir).args(args).assert().code(1);
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// Rows of `table` in the test's database.
fn count(dir: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.join("p.db")).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn stdout(dir: &Path, args: &[&str]) -> String {
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
        let err = refused(dir.path(), args);
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
            ",Team,2026-Q1,0,12500.50,12500.50,12500.50,12500.50,7500.30,120000,120000,0.10,LIGHT\n"
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
fn a_reimport_that_changes_a_deal_records_each_change_once() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let file = dir.path().join("opportunities.csv");
    // o1 as the fixture has it, but its amount and close date.
    fs::write(
        &file,
        "id,name,account_id,owner_id,source_rep_id,created_at,stage,amount,close_date,forecast_category,status,closed_at,loss_reason,next_step,next_step_date,channel\n\
         o1,Acme — Widgets,acme,ada,sam,2026-01-05T09:30:00Z,Proposal,15000,2026-04-30,commit,,,,Send MSA,2026-02-10,outbound\n",
    )
    .unwrap();
    let changes = || -> Vec<(String, String, String, String, String)> {
        let conn = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT substr(changed_at, 1, 10), field, old_value, new_value, changed_by
                 FROM opportunity_history WHERE opportunity_id = 'o1' AND changed_by = 'import'
                   AND changed_at >= '2026-02-01' ORDER BY seq",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    let want = [
        ("2026-02-01", "amount", "1250050", "1500000", "import"),
        (
            "2026-02-01",
            "close_date",
            "2026-03-31",
            "2026-04-30",
            "import",
        ),
    ]
    .map(|(a, b, c, d, e)| (a.into(), b.into(), c.into(), d.into(), e.into()));
    assert_eq!(changes(), want);
    // The same file again changes nothing, and records nothing.
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    assert_eq!(changes(), want);
}

#[test]
fn a_deals_file_of_a_few_columns_updates_those_and_wipes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let before = stdout(dir.path(), &["deal", "o1", "show"]);
    let file = dir.path().join("opportunities.csv");
    fs::write(
        &file,
        "id,name,owner_id,stage,amount\no1,Acme — Widgets,ada,Proposal,15000\n",
    )
    .unwrap();
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    let after = stdout(dir.path(), &["deal", "o1", "show"]);
    // Only the amount moved: close date, category, next step and its date stay.
    assert_eq!(
        after.lines().nth(1),
        Some(
            "owner ada  stage Proposal  status open  amount 15,000  close 2026-03-31  category commit"
        )
    );
    assert_eq!(after.lines().nth(2), before.lines().nth(2));
    assert_eq!(
        after.lines().nth(2),
        Some("next step: Send MSA (due 2026-02-10)")
    );
    let conn = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
    let (account, channel, created): (String, String, String) = conn
        .query_row(
            "SELECT account_id, channel, created_at FROM opportunities WHERE id = 'o1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (account.as_str(), channel.as_str(), created.as_str()),
        ("acme", "outbound", "2026-01-05T09:30:00Z")
    );
    // A closed deal in such a file keeps its close; reopened, it leaves
    // `closed` behind; a cleared next step takes its date with it.
    fs::write(
        &file,
        "id,name,owner_id,stage,amount,next_step
         o1,Acme — Widgets,ada,Proposal,15000,
         o2,Globex — Turbines,ada,Closed Won,80000,
         o3,Acme — Gadgets,ada,Proposal,5000,
",
    )
    .unwrap();
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    let deal = |id: &str| -> (String, Option<String>, Option<String>, Option<String>) {
        conn.query_row(
            "SELECT status, closed_at, forecast_category, next_step_date
             FROM opportunities WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
    };
    let won = Some("2026-02-14T16:00:00Z".to_string());
    assert_eq!(deal("o2"), ("won".into(), won, Some("closed".into()), None));
    assert_eq!(deal("o3"), ("open".into(), None, None, None));
    assert_eq!(deal("o1").3, None);
}

#[test]
fn a_reimported_native_set_records_the_changes_its_history_does_not() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let set = dir.path().join("set");
    stdout(dir.path(), &["export", set.to_str().unwrap()]);
    // o1's amount changes; its history (creation row only) does not say so.
    let opps = set.join("opportunities.csv");
    let text = fs::read_to_string(&opps).unwrap();
    fs::write(&opps, text.replace(",12500.50,", ",15000,")).unwrap();
    let rows = |dir: &Path| -> Vec<(String, String, String)> {
        let conn = rusqlite::Connection::open(dir.join("p.db")).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT field, old_value, new_value FROM opportunity_history
                 WHERE opportunity_id = 'o1' AND field = 'amount' ORDER BY seq",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    stdout(dir.path(), &["import", set.to_str().unwrap()]);
    let want = vec![(
        "amount".to_string(),
        "1250050".to_string(),
        "1500000".to_string(),
    )];
    assert_eq!(rows(dir.path()), want);
    // A set whose history records the change adds only its own row.
    let other = tempfile::tempdir().unwrap();
    imported(other.path());
    let history = set.join("opportunity_history.csv");
    let mut h = fs::read_to_string(&history).unwrap();
    h.push_str("o1,2026-01-30T10:00:00Z,amount,12500.50,15000,ada,\n");
    fs::write(&history, h).unwrap();
    stdout(other.path(), &["import", set.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(other.path().join("p.db")).unwrap();
    let by: Vec<(String, String)> = conn
        .prepare(
            "SELECT changed_at, coalesce(changed_by, '') FROM opportunity_history
             WHERE opportunity_id = 'o1' AND field = 'amount'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        by,
        [("2026-01-30T10:00:00Z".to_string(), "ada".to_string())]
    );
}

#[test]
fn a_deal_a_reimport_closes_is_closed_at_its_instant_from_the_stage_it_held() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let file = dir.path().join("opportunities.csv");
    // o4 was open in Discovery; the file has it won on 2026-01-28, 9,000.
    fs::write(
        &file,
        "id,name,account_id,owner_id,source_rep_id,created_at,stage,amount,close_date,forecast_category,status,closed_at,loss_reason,next_step,next_step_date,channel\n\
         o4,Globex — Pilot,globex,ada,,,Closed Won,9000,,closed,won,2026-01-28T10:00:00Z,,,,\n",
    )
    .unwrap();
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT substr(changed_at, 1, 10), field, coalesce(old_value, '—'), new_value
             FROM opportunity_history WHERE opportunity_id = 'o4' ORDER BY seq",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want = [
        ("2026-01-28", "stage", "Discovery", "Closed Won"),
        ("2026-01-28", "amount", "—", "900000"),
        ("2026-01-28", "forecast_category", "—", "closed"),
        ("2026-01-28", "status", "open", "won"),
    ]
    .map(|(a, b, c, d)| (a.into(), b.into(), c.into(), d.into()));
    assert_eq!(rows, want);
    // As of the day before it closed, it was open in Discovery.
    let out = stdout(
        dir.path(),
        &[
            "report",
            "pipeline",
            "--as-of",
            "2026-01-27",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let stages: Vec<&str> = v["by_stage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert!(stages.contains(&"Discovery"), "{out}");
}

#[test]
fn a_change_is_recorded_against_the_database_latest_row_not_an_older_one() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let file = dir.path().join("opportunities.csv");
    let amount_rows = || -> Vec<(String, String)> {
        let conn = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT coalesce(old_value, '—'), new_value FROM opportunity_history
                 WHERE opportunity_id = 'o1' AND field = 'amount' ORDER BY changed_at, seq",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    // 15,000 today; then a set whose history's last amount row (Jan 10,
    // older than today's) says 12,500.50: the return is a change of its own.
    fs::write(
        &file,
        "id,name,owner_id,stage,amount\no1,Acme — Widgets,ada,Proposal,15000\n",
    )
    .unwrap();
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    let set = dir.path().join("set");
    fs::create_dir(&set).unwrap();
    fs::write(
        set.join("opportunities.csv"),
        "id,name,owner_id,stage,amount\no1,Acme — Widgets,ada,Proposal,12500.50\n",
    )
    .unwrap();
    fs::write(
        set.join("opportunity_history.csv"),
        "opportunity_id,changed_at,field,old_value,new_value,changed_by,review_session_id\n\
         o1,2026-01-10T10:00:00Z,amount,,12500.50,ada,\n",
    )
    .unwrap();
    stdout(dir.path(), &["import", set.to_str().unwrap()]);
    let want = [
        ("—", "1250050"),
        ("1250050", "1500000"),
        ("1500000", "1250050"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(amount_rows(), want);
}

#[test]
fn a_short_file_that_closes_a_deal_closes_it_whole_and_after_later_rows() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    // A close date moved today (Feb 1) by a first file; a second closes o1
    // won on Jan 20, close date Jan 20.
    let file = dir.path().join("opportunities.csv");
    fs::write(
        &file,
        "id,name,owner_id,stage,close_date\no1,Acme — Widgets,ada,Proposal,2026-04-15\n",
    )
    .unwrap();
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    fs::write(
        &file,
        "id,name,owner_id,stage,amount,close_date,closed_at\n\
         o1,Acme — Widgets,ada,Closed Won,15000,2026-01-20,2026-01-20T10:00:00Z\n",
    )
    .unwrap();
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(dir.path().join("p.db")).unwrap();
    let (status, category): (String, String) = conn
        .query_row(
            "SELECT status, forecast_category FROM opportunities WHERE id = 'o1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // The file has no category: closing makes it `closed`.
    assert_eq!((status.as_str(), category.as_str()), ("won", "closed"));
    // The first file's close date today; the second's changes close on
    // Jan 20, but the close date's: the database has a later row for it
    // (the first file's), so it is stamped today.
    let mut stmt = conn
        .prepare(
            "SELECT field, substr(changed_at, 1, 10) FROM opportunity_history
             WHERE opportunity_id = 'o1' AND changed_by = 'import'
               AND changed_at >= '2026-01-06' ORDER BY seq",
        )
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want = [
        ("close_date", "2026-02-01"),
        ("stage", "2026-01-20"),
        ("amount", "2026-01-20"),
        ("close_date", "2026-02-01"),
        ("forecast_category", "2026-01-20"),
        ("status", "2026-01-20"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(rows, want);
}
