//! The streamed import of a big native file (activities read one record at
//! a time and written as read): a bad row in the middle lands nothing and is
//! named by line and column; a clean file lands every row, and a second
//! import of it counts every row unchanged.

use pipedeck::domain::Settings;
use pipedeck::import::{self, Format, ImportError, Options};
use pipedeck::storage::{Counts, Store};
use std::path::Path;

const ROWS: usize = 5_000;

/// A rep, an account, a contact and `ROWS` activities (ids `a1` … `a5000`,
/// on lines 2 … 5001); `bad` replaces the `occurred_at` of one activity.
fn write_set(dir: &Path, bad: Option<(usize, &str)>) {
    write_files(
        dir,
        &[
            (
                "reps.csv",
                "id,name,role,start_date\nsam,Sam Rep,SDR,2024-01-01\n",
            ),
            ("accounts.csv", "id,name\nacme,Acme Corp\n"),
            ("contacts.csv", "id,account_id,name\nc1,acme,Wile Coyote\n"),
        ],
    );
    let mut text = String::from("id,rep_id,kind,account_id,contact_id,occurred_at,direction\n");
    for i in 1..=ROWS {
        let at = match bad {
            Some((n, v)) if n == i => v.to_string(),
            _ => format!("2026-01-{:02}T10:{:02}:00Z", 1 + i % 28, i % 60),
        };
        text.push_str(&format!("a{i},sam,call,acme,c1,{at},outbound\n"));
    }
    std::fs::write(dir.join("activities.csv"), text).unwrap();
}

/// A temporary directory holding an empty `set` directory for a CSV set.
pub(crate) fn set_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let set = tmp.path().join("set");
    std::fs::create_dir(&set).unwrap();
    (tmp, set)
}

/// Writes each `(file name, text)` of a CSV set into `dir`.
pub(crate) fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

pub(crate) fn run(store: &mut Store, dir: &Path) -> Result<Counts, ImportError> {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Auto,
        dry_run: false,
        settings: &settings,
        cal: &cal,
    };
    import::run(store, &[dir.to_path_buf()], &opts, &mut |_, _| {})
}

fn activity_rows(store: &Store) -> usize {
    store.load_activities().unwrap().len()
}

#[test]
fn a_bad_row_in_the_middle_lands_nothing_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // Activity 2500 is on line 2501; occurred_at is the 6th column.
    write_set(dir.path(), Some((2500, "2026-02-30T10:00:00Z")));
    let mut store = Store::open_in_memory().unwrap();
    let Err(ImportError::Rows(rows)) = run(&mut store, dir.path()) else {
        panic!("the bad row must refuse the import");
    };
    let file = dir.path().join("activities.csv").display().to_string();
    let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        text,
        vec![format!(
            "{file}:2501:6 (occurred_at): \"2026-02-30T10:00:00Z\" is not an instant (RFC 3339, or YYYY-MM-DD HH:MM[:SS] in UTC)"
        )]
    );
    assert_eq!(activity_rows(&store), 0);
    assert!(
        store.load_reps().unwrap().is_empty(),
        "the files read whole roll back too"
    );
}

#[test]
fn a_clean_file_lands_every_row_and_a_second_import_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path(), None);
    let mut store = Store::open_in_memory().unwrap();
    let first = run(&mut store, dir.path()).unwrap();
    let acts = import::summary(&first)
        .into_iter()
        .find(|(e, _)| *e == "activities")
        .unwrap()
        .1;
    assert_eq!((acts.new, acts.changed, acts.unchanged), (5000, 0, 0));
    assert_eq!(activity_rows(&store), 5000);
    let again = run(&mut store, dir.path()).unwrap();
    assert!(again.is_noop());
    let acts = import::summary(&again)
        .into_iter()
        .find(|(e, _)| *e == "activities")
        .unwrap()
        .1;
    assert_eq!((acts.new, acts.changed, acts.unchanged), (0, 0, 5000));
}

#[test]
fn an_unknown_reference_and_a_repeated_id_are_named_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path(), None);
    let path = dir.path().join("activities.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    // Line 5002: a5001 by an unknown rep; line 5003: a7 again.
    text.push_str("a5001,kim,call,acme,c1,2026-01-03T10:00:00Z,outbound\n");
    text.push_str("a7,sam,call,acme,c1,2026-01-03T10:00:00Z,outbound\n");
    std::fs::write(&path, text).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let Err(ImportError::Rows(rows)) = run(&mut store, dir.path()) else {
        panic!("refused");
    };
    let file = path.display().to_string();
    let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        text,
        vec![
            format!("{file}:5002:2 (rep_id): unknown rep \"kim\""),
            format!("{file}:5003:1 (id): id \"a7\" appears twice (first on line 8)"),
        ]
    );
    assert_eq!(activity_rows(&store), 0);
}

/// Files read whole beside a streamed one keep only their references to ids
/// neither the import nor the database has, and those are still named at
/// the end, each with its line and column. Here, into a database that
/// already holds the account `acme` (a first import): a rep's manager read
/// on a later line of the same file (kept while reading, known before the
/// streaming), an unknown manager, a contact of `acme` (the database's
/// only: this import has no accounts file) and one of an unknown account.
#[test]
fn files_read_whole_beside_a_streamed_one_still_name_their_unknown_references() {
    let first = tempfile::tempdir().unwrap();
    write_set(first.path(), None);
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, first.path()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let (reps, contacts) = (dir.path().join("reps.csv"), dir.path().join("contacts.csv"));
    write_files(
        dir.path(),
        &[
            (
                "reps.csv",
                "id,name,role,start_date,manager_id
\
                 kim,Kim Rep,AE,2024-01-01,lee
\
                 lee,Lee Lead,Manager,2023-01-01,
\
                 max,Max Rep,AE,2024-01-01,nobody
",
            ),
            (
                "contacts.csv",
                "id,account_id,name
c2,acme,Road Runner
c3,ghost,Elmer Fudd
",
            ),
            (
                "activities.csv",
                "id,rep_id,kind,account_id,contact_id,occurred_at,direction
\
                 b1,kim,call,acme,c2,2026-02-03T10:00:00Z,outbound
",
            ),
        ],
    );
    let Err(ImportError::Rows(rows)) = run(&mut store, dir.path()) else {
        panic!("refused");
    };
    let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        text,
        vec![
            format!(
                "{}:3:2 (account_id): unknown account \"ghost\"",
                contacts.display()
            ),
            format!(
                "{}:4:5 (manager_id): unknown rep \"nobody\"",
                reps.display()
            ),
        ]
    );
    assert_eq!(
        activity_rows(&store),
        ROWS,
        "nothing of the second import lands"
    );
}

/// The forecast snapshots file is streamed too: a day's rows may be spread
/// over the file (each day's snapshot starts at its first row and keeps its
/// `taken_at`), a day with no open deal is one row without a deal, and a
/// second import adds nothing. Into a file database, the import leaves it in
/// write-ahead-log mode as it found it.
#[test]
fn a_streamed_snapshots_file_lands_each_day_once() {
    let (dir, set) = set_dir();
    std::fs::write(
        set.join("reps.csv"),
        "id,name,role,start_date\nsam,Sam Rep,AE,2024-01-01\n",
    )
    .unwrap();
    // The snapshots' deals are the database's.
    std::fs::write(
        set.join("opportunities.csv"),
        "id,name,owner_id,created_at,stage\n\
         o1,One,sam,2026-01-02T09:00:00Z,Prospecting\n\
         o2,Two,sam,2026-01-02T10:00:00Z,Prospecting\n",
    )
    .unwrap();
    std::fs::write(
        set.join("forecast_snapshots.csv"),
        "taken_on,taken_at,opportunity_id,owner_id,stage,amount,close_date,forecast_category\n\
         2026-01-05,2026-01-05T18:00:00Z,o1,sam,Prospecting,100,2026-02-01,pipeline\n\
         2026-01-12,2026-01-12T18:00:00Z,o1,sam,Proposal,150,2026-02-01,best_case\n\
         2026-01-05,2026-01-05T18:00:00Z,o2,sam,Prospecting,200,,\n\
         2026-01-19,2026-01-19T18:00:00Z,,,,,,\n",
    )
    .unwrap();
    let db = dir.path().join("p.db");
    let mut store = Store::open(&db).unwrap();
    let first = run(&mut store, &set).unwrap();
    let count = |c: &Counts| {
        let s = import::summary(c)
            .into_iter()
            .find(|(e, _)| *e == "forecast_snapshots")
            .unwrap()
            .1;
        (s.new, s.changed, s.unchanged)
    };
    assert_eq!(count(&first), (3, 0, 0));
    let shown: Vec<String> = store
        .load_snapshots()
        .unwrap()
        .iter()
        .map(|s| {
            let rows: Vec<String> = s
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {:?} {:?} {:?}",
                        r.opportunity_id.0,
                        r.owner_id.0,
                        r.stage,
                        r.amount.map(|m| m.0),
                        r.close_date.map(|d| d.to_string()),
                        r.forecast_category.map(|c| c.as_str()),
                    )
                })
                .collect();
            format!(
                "{} {}: {}",
                s.taken_on,
                s.taken_at.to_rfc3339(),
                rows.join("; ")
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            "2026-01-05 2026-01-05T18:00:00+00:00: \
             o1 sam Prospecting Some(10000) Some(\"2026-02-01\") Some(\"pipeline\"); \
             o2 sam Prospecting Some(20000) None None",
            "2026-01-12 2026-01-12T18:00:00+00:00: \
             o1 sam Proposal Some(15000) Some(\"2026-02-01\") Some(\"best_case\")",
            "2026-01-19 2026-01-19T18:00:00+00:00: ",
        ]
    );
    let again = run(&mut store, &set).unwrap();
    assert!(again.is_noop());
    assert_eq!(count(&again), (0, 0, 3));
    drop(store);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}
