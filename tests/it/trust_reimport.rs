//! A re-import keeps each deal's story: a change its files' history does
//! not record gets a history row, at the deal's close when the import
//! closes it, no earlier than the database's own rows; a deals file of a
//! few columns changes those and wipes nothing (docs/import.md, "History
//! synthesis" and "Native set").

use crate::trust_inputs::{imported, stdout};
use std::fs;
use std::path::Path;

/// Every row of `sql` on the test's database, each cell as text (NULL: `—`).
fn rows(dir: &Path, sql: &str) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(dir.join("p.db")).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    let cell = |r: &rusqlite::Row<'_>, i| -> rusqlite::Result<String> {
        Ok(r.get::<_, Option<String>>(i)?.unwrap_or_else(|| "—".into()))
    };
    stmt.query_map([], |r| (0..n).map(|i| cell(r, i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Writes `text` as `name` in `dir` and imports it.
fn import_file(dir: &Path, name: &str, text: &str) {
    let file = dir.join(name);
    fs::write(&file, text).unwrap();
    stdout(dir, &["import", file.to_str().unwrap()]);
}

/// Rows of text, as [`rows`] gives them.
fn table(want: &[&[&str]]) -> Vec<Vec<String>> {
    want.iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
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
    let changes = || {
        rows(
            dir.path(),
            "SELECT substr(changed_at, 1, 10), field, old_value, new_value, changed_by
             FROM opportunity_history WHERE opportunity_id = 'o1' AND changed_by = 'import'
               AND changed_at >= '2026-02-01' ORDER BY seq",
        )
    };
    stdout(dir.path(), &["import", file.to_str().unwrap()]);
    let want = table(&[
        &["2026-02-01", "amount", "1250050", "1500000", "import"],
        &[
            "2026-02-01",
            "close_date",
            "2026-03-31",
            "2026-04-30",
            "import",
        ],
    ]);
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
    import_file(
        dir.path(),
        "opportunities.csv",
        "id,name,owner_id,stage,amount\no1,Acme — Widgets,ada,Proposal,15000\n",
    );
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
    assert_eq!(
        rows(
            dir.path(),
            "SELECT account_id, channel, created_at FROM opportunities WHERE id = 'o1'"
        ),
        table(&[&["acme", "outbound", "2026-01-05T09:30:00Z"]])
    );
    // A closed deal in such a file keeps its close; reopened, it leaves
    // `closed` behind; a cleared next step takes its date with it.
    import_file(
        dir.path(),
        "opportunities.csv",
        "id,name,owner_id,stage,amount,next_step\n\
         o1,Acme — Widgets,ada,Proposal,15000,\n\
         o2,Globex — Turbines,ada,Closed Won,80000,\n\
         o3,Acme — Gadgets,ada,Proposal,5000,\n",
    );
    assert_eq!(
        rows(
            dir.path(),
            "SELECT id, status, closed_at, forecast_category, next_step_date
             FROM opportunities WHERE id IN ('o1', 'o2', 'o3') ORDER BY id"
        ),
        table(&[
            &["o1", "open", "—", "commit", "—"],
            &["o2", "won", "2026-02-14T16:00:00Z", "closed", "—"],
            &["o3", "open", "—", "—", "—"],
        ])
    );
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
    let amounts = "SELECT field, old_value, new_value FROM opportunity_history
                   WHERE opportunity_id = 'o1' AND field = 'amount' ORDER BY seq";
    stdout(dir.path(), &["import", set.to_str().unwrap()]);
    assert_eq!(
        rows(dir.path(), amounts),
        table(&[&["amount", "1250050", "1500000"]])
    );
    // A set whose history records the change adds only its own row.
    let other = tempfile::tempdir().unwrap();
    imported(other.path());
    let history = set.join("opportunity_history.csv");
    let mut h = fs::read_to_string(&history).unwrap();
    h.push_str("o1,2026-01-30T10:00:00Z,amount,12500.50,15000,ada,\n");
    fs::write(&history, h).unwrap();
    stdout(other.path(), &["import", set.to_str().unwrap()]);
    assert_eq!(
        rows(
            other.path(),
            "SELECT changed_at, changed_by FROM opportunity_history
             WHERE opportunity_id = 'o1' AND field = 'amount'"
        ),
        table(&[&["2026-01-30T10:00:00Z", "ada"]])
    );
}

#[test]
fn a_deal_a_reimport_closes_is_closed_at_its_instant_from_the_stage_it_held() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    // o4 was open in Discovery; the file has it won on 2026-01-28, 9,000.
    import_file(
        dir.path(),
        "opportunities.csv",
        "id,name,account_id,owner_id,source_rep_id,created_at,stage,amount,close_date,forecast_category,status,closed_at,loss_reason,next_step,next_step_date,channel\n\
         o4,Globex — Pilot,globex,ada,,,Closed Won,9000,,closed,won,2026-01-28T10:00:00Z,,,,\n",
    );
    assert_eq!(
        rows(
            dir.path(),
            "SELECT substr(changed_at, 1, 10), field, old_value, new_value
             FROM opportunity_history WHERE opportunity_id = 'o4' ORDER BY seq"
        ),
        table(&[
            &["2026-01-28", "stage", "Discovery", "Closed Won"],
            &["2026-01-28", "amount", "—", "900000"],
            &["2026-01-28", "forecast_category", "—", "closed"],
            &["2026-01-28", "status", "open", "won"],
        ])
    );
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
    // 15,000 today; then a set whose history's last amount row (Jan 10,
    // older than today's) says 12,500.50: the return is a change of its own.
    import_file(
        dir.path(),
        "opportunities.csv",
        "id,name,owner_id,stage,amount\no1,Acme — Widgets,ada,Proposal,15000\n",
    );
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
    assert_eq!(
        rows(
            dir.path(),
            "SELECT old_value, new_value FROM opportunity_history
             WHERE opportunity_id = 'o1' AND field = 'amount' ORDER BY changed_at, seq"
        ),
        table(&[
            &["—", "1250050"],
            &["1250050", "1500000"],
            &["1500000", "1250050"],
        ])
    );
}

#[test]
fn a_short_file_that_closes_a_deal_closes_it_whole_and_after_later_rows() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    // A close date moved today (Feb 1) by a first file; a second closes o1
    // won on Jan 20, close date Jan 20.
    import_file(
        dir.path(),
        "opportunities.csv",
        "id,name,owner_id,stage,close_date\no1,Acme — Widgets,ada,Proposal,2026-04-15\n",
    );
    import_file(
        dir.path(),
        "opportunities.csv",
        "id,name,owner_id,stage,amount,close_date,closed_at\n\
         o1,Acme — Widgets,ada,Closed Won,15000,2026-01-20,2026-01-20T10:00:00Z\n",
    );
    // The file has no category: closing makes it `closed`.
    assert_eq!(
        rows(
            dir.path(),
            "SELECT status, forecast_category FROM opportunities WHERE id = 'o1'"
        ),
        table(&[&["won", "closed"]])
    );
    // The first file's close date today; the second's changes close on
    // Jan 20, but the close date's: the database has a later row for it
    // (the first file's), so it is stamped today.
    assert_eq!(
        rows(
            dir.path(),
            "SELECT field, substr(changed_at, 1, 10) FROM opportunity_history
             WHERE opportunity_id = 'o1' AND changed_by = 'import'
               AND changed_at >= '2026-01-06' ORDER BY seq"
        ),
        table(&[
            &["close_date", "2026-02-01"],
            &["stage", "2026-01-20"],
            &["amount", "2026-01-20"],
            &["close_date", "2026-02-01"],
            &["forecast_category", "2026-01-20"],
            &["status", "2026-01-20"],
        ])
    );
}

#[test]
fn a_crm_history_read_whole_records_a_change_only_with_a_row_as_late_as_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let sf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/salesforce");
    stdout(dir.path(), &["import", sf.to_str().unwrap()]);
    // 0061 is 50,000 by the CRM's field history (Jan 20); a file sets 60,000
    // today; the CRM's export again: its last amount row (Jan 20) is older
    // than today's, so the return to 50,000 is recorded.
    import_file(
        dir.path(),
        "opportunities.csv",
        "id,name,owner_id,stage,amount\n0061,Acme Big,0052,Shortlisted,60000\n",
    );
    stdout(dir.path(), &["import", sf.to_str().unwrap()]);
    assert_eq!(
        rows(
            dir.path(),
            "SELECT old_value, new_value, changed_by FROM opportunity_history
             WHERE opportunity_id = '0061' AND field = 'amount' ORDER BY changed_at, seq"
        ),
        table(&[
            &["4000000", "5000000", "0052"],
            &["5000000", "6000000", "import"],
            &["6000000", "5000000", "import"],
        ])
    );
}
