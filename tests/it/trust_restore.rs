//! A backup restored into the database it came from adds nothing (SPEC
//! §12, "export is the backup"; re-running an import changes nothing):
//! every edit's history row, activity logged, snooze, tag, action item and
//! review session comes back as unchanged, also in a database an older
//! pipedeck wrote, whose edits' rows carry no key.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

/// The database file is the shared helpers' `p.db`, today 2026-11-24.
fn pipedeck(dir: &Path) -> Command {
    crate::trust_inputs::pipedeck_on(dir, "2026-11-24")
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = pipedeck(dir).args(args).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// The native set of the bug report: reps ae1 and sdr1, account a1, o1
/// open in Prospecting closing 2026-12-15, o2 won.
fn native_set(dir: &Path) -> String {
    let set = dir.join("r1");
    fs::create_dir_all(&set).unwrap();
    fs::write(
        set.join("reps.csv"),
        "id,name,role,start_date\nae1,Ann,AE,2025-01-01\nsdr1,Sam,SDR,2025-01-01\n",
    )
    .unwrap();
    fs::write(set.join("accounts.csv"), "id,name,segment\na1,Acme,SMB\n").unwrap();
    fs::write(
        set.join("opportunities.csv"),
        "id,name,account_id,owner_id,source_rep_id,created_at,stage,amount,close_date,status,closed_at\n\
         o1,Deal 1,a1,ae1,sdr1,2026-10-01T10:00:00Z,Prospecting,1000,2026-12-15,open,\n\
         o2,Deal 2,a1,ae1,,2026-09-01T10:00:00Z,Closed Won,2000,2026-11-01,won,2026-11-01T10:00:00Z\n",
    )
    .unwrap();
    set.to_str().unwrap().to_string()
}

fn history_rows(dir: &Path) -> i64 {
    crate::trust_inputs::count(dir, "opportunity_history")
}

#[test]
fn a_backup_restored_into_its_own_database_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let set = native_set(dir);
    run(dir, &["import", &set]);
    run(dir, &["review", "start"]);
    run(
        dir,
        &[
            "log",
            "--rep",
            "ae1",
            "--deal",
            "o1",
            "call",
            "--outcome",
            "connected",
        ],
    );
    run(
        dir,
        &["snooze", "o1", "--until", "2026-12-10", "--reason", "legal"],
    );
    run(dir, &["deal", "o1", "tag", "yellow", "--note", "waiting"]);
    run(dir, &["deal", "o1", "action", "Call CFO", "--owner", "ae1"]);
    run(dir, &["deal", "o1", "close-date", "2027-01-15"]);
    // Two identical edits in one second are two rows, both restored once.
    run(dir, &["deal", "o1", "amount", "1500"]);
    run(dir, &["deal", "o1", "amount", "1000"]);
    run(dir, &["deal", "o1", "amount", "1500"]);
    run(dir, &["review", "end"]);
    run(dir, &["log", "--rep", "sdr1", "--account", "a1", "meeting"]);
    let before = history_rows(dir);
    let bk = dir.join("bk1");
    run(dir, &["export", bk.to_str().unwrap()]);
    let out = run(dir, &["import", bk.to_str().unwrap()]);
    assert_eq!(
        out,
        "entity                      new  changed  unchanged\n\
         stages                        0        0          2\n\
         reps                          0        0          2\n\
         accounts                      0        0          1\n\
         opportunities                 0        0          2\n\
         opportunity_history           0        0          8\n\
         activities                    0        0          2\n\
         review_sessions               0        0          1\n\
         snoozes                       0        0          1\n\
         deal_tags                     0        0          1\n\
         action_items                  0        0          1\n\
         local_edits                   0        0          2\n"
    );
    assert_eq!((before, history_rows(dir)), (8, 8));
    // Hygiene counts the one push once.
    let show = run(dir, &["deal", "o1", "show"]);
    assert_eq!(
        show.matches("close_date: 2026-12-15 → 2027-01-15").count(),
        1,
        "{show}"
    );
    assert!(!show.contains("slipping"), "{show}");
}

/// A file of schema 15, where edits left `import_key` NULL: the upgrade
/// gives those rows their key, and its own backup then restores as
/// unchanged.
#[test]
fn an_older_databases_edits_get_their_key_and_restore_as_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    {
        let c = rusqlite::Connection::open(dir.join("p.db")).unwrap();
        for sql in [
            include_str!("../../src/storage/migrations/0001_init.sql"),
            include_str!("../../src/storage/migrations/0002_history_audit.sql"),
            include_str!("../../src/storage/migrations/0003_crm_round_trip.sql"),
            include_str!("../../src/storage/migrations/0004_list_amount.sql"),
            include_str!("../../src/storage/migrations/0005_window_indexes.sql"),
            include_str!("../../src/storage/migrations/0006_rep_window_indexes.sql"),
            include_str!("../../src/storage/migrations/0007_occurred_deal_index.sql"),
            include_str!("../../src/storage/migrations/0008_first_touches.sql"),
            include_str!("../../src/storage/migrations/0009_history_time_index.sql"),
            include_str!("../../src/storage/migrations/0010_snapshot_owner_months.sql"),
            include_str!("../../src/storage/migrations/0011_write_stamp.sql"),
            include_str!("../../src/storage/migrations/0012_review_box_time.sql"),
            include_str!("../../src/storage/migrations/0013_session_activities.sql"),
            include_str!("../../src/storage/migrations/0014_activity_id_in_time_indexes.sql"),
            include_str!("../../src/storage/migrations/0015_deal_created_index.sql"),
        ] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", 15).unwrap();
        c.pragma_update(None, "application_id", 0x7064_6b31)
            .unwrap();
        // An import's creation row, and two identical edits of one second.
        c.execute_batch(
            "INSERT INTO stages (name, position, probability, kind)
                 VALUES ('Prospecting', 0, 0.1, 'open');
             INSERT INTO reps (id, name, role) VALUES ('ae1', 'Ann', 'AE');
             INSERT INTO opportunities (id, name, owner_id, stage, status, created_at, close_date)
                 VALUES ('o1', 'Deal 1', 'ae1', 'Prospecting', 'open',
                         '2026-10-01T10:00:00Z', '2027-01-15');
             INSERT INTO opportunity_history
                 (opportunity_id, changed_at, field, old_value, new_value, changed_by, import_key)
             VALUES
               ('o1', '2026-10-01T10:00:00Z', 'stage', NULL, 'Prospecting', 'import',
                'o1' || char(31) || '2026-10-01T10:00:00Z' || char(31) || 'stage'
                || char(31) || char(31) || 'Prospecting'),
               ('o1', '2026-11-24T08:00:00Z', 'close_date', '2026-12-15', '2027-01-15', NULL, NULL),
               ('o1', '2026-11-24T08:00:00Z', 'close_date', '2026-12-15', '2027-01-15', NULL, NULL);",
        )
        .unwrap();
    }
    let bk = dir.join("bk1");
    run(dir, &["export", bk.to_str().unwrap()]);
    let out = run(dir, &["import", bk.to_str().unwrap()]);
    assert!(
        out.contains("opportunity_history           0        0          3\n"),
        "{out}"
    );
    assert_eq!(history_rows(dir), 3);
}
