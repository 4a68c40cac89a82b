//! A first import into a fresh database file runs as a bulk load: the
//! secondary indexes are set aside and built after the rows land, and the
//! streamed rows skip the schema's CHECK constraints (their values come
//! from the domain's enums). Whatever fails, the file is left as it was:
//! its schema and every index intact, no row, and a good import after it
//! lands everything.

use pipedeck::import::ImportError;
use pipedeck::storage::{Counts, Store};
use std::path::Path;

use crate::import_stream::{run, set_dir, write_files};

const ROWS: usize = 3_000;

/// A rep, an account, a contact, a deal and `ROWS` activities (ids `a1` …,
/// on lines 2 …); `bad` replaces the `occurred_at` of one activity, and
/// `session` gives the last activity a review session id.
fn write_set(dir: &Path, bad: Option<(usize, &str)>, session: Option<&str>) {
    write_files(
        dir,
        &[
            (
                "reps.csv",
                "id,name,role,start_date\nsam,Sam Rep,AE,2024-01-01\n",
            ),
            ("accounts.csv", "id,name\nacme,Acme Corp\n"),
            ("contacts.csv", "id,account_id,name\nc1,acme,Wile Coyote\n"),
            (
                "opportunities.csv",
                "id,name,account_id,owner_id,stage,amount,created_at,status\n\
                 o1,Anvils,acme,sam,Prospecting,10000,2026-01-02T09:00:00Z,open\n",
            ),
        ],
    );
    let mut text = String::from(
        "id,rep_id,kind,opportunity_id,account_id,contact_id,occurred_at,direction,review_session_id\n",
    );
    for i in 1..=ROWS {
        let at = match bad {
            Some((n, v)) if n == i => v.to_string(),
            _ => format!("2026-01-{:02}T10:{:02}:00Z", 1 + i % 28, i % 60),
        };
        let s = if i == ROWS { session.unwrap_or("") } else { "" };
        text.push_str(&format!("a{i},sam,call,o1,acme,c1,{at},outbound,{s}\n"));
    }
    std::fs::write(dir.join("activities.csv"), text).unwrap();
}

/// Every index and table of the file, with its SQL.
fn schema(db: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn rows(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn new_of(c: &Counts, table: &str) -> u64 {
    c.0.get(table).map_or(0, |e| e.new)
}

/// The schema of a database nothing was imported into.
fn fresh_schema(dir: &Path) -> Vec<(String, String, Option<String>)> {
    let fresh = dir.join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    schema(&fresh)
}

#[test]
fn a_first_import_that_fails_late_leaves_the_file_as_it_was_and_a_good_one_follows() {
    let (tmp, set) = set_dir();
    // The bad row is the 2,990th activity (line 2991), after 2,989 rows
    // were written; occurred_at is the 7th column.
    write_set(&set, Some((2990, "yesterday")), None);
    let db = tmp.path().join("p.db");
    let mut store = Store::open(&db).unwrap();
    let Err(ImportError::Rows(errors)) = run(&mut store, &set) else {
        panic!("the bad row must refuse the import");
    };
    let file = set.join("activities.csv").display().to_string();
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].starts_with(&format!("{file}:2991:7 (occurred_at): \"yesterday\"")),
        "{text:?}"
    );
    drop(store);
    assert_eq!(schema(&db), fresh_schema(tmp.path()));
    for t in ["reps", "accounts", "opportunities", "activities"] {
        assert_eq!(rows(&db, t), 0, "{t}");
    }

    // The same file, the row fixed: everything lands, every index is there.
    write_set(&set, None, None);
    let mut store = Store::open(&db).unwrap();
    let counts = run(&mut store, &set).unwrap();
    assert_eq!(new_of(&counts, "activities"), 3_000);
    assert_eq!(new_of(&counts, "opportunities"), 1);
    drop(store);
    assert_eq!(schema(&db), fresh_schema(tmp.path()));
    assert_eq!(rows(&db, "activities"), 3_000);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM activities WHERE rep_id = 'sam' AND occurred_at >= '2026-01-05'",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("activities_rep_time"), "{plan}");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// A broken reference late in a streamed file (an activity's review
/// session) is refused on a first import, named by line and column, with the
/// checks of the schema skipped for streamed rows: nothing lands and the
/// file keeps its schema.
#[test]
fn a_broken_reference_is_refused_on_a_first_import_too() {
    let (tmp, set) = set_dir();
    write_set(&set, None, Some("99"));
    let db = tmp.path().join("p.db");
    let mut store = Store::open(&db).unwrap();
    let err = run(&mut store, &set).unwrap_err().to_string();
    assert!(
        err.contains("activities.csv:3001:9 (review_session_id): unknown review session \"99\""),
        "{err}"
    );
    drop(store);
    assert_eq!(schema(&db), fresh_schema(tmp.path()));
    for t in ["reps", "opportunities", "activities"] {
        assert_eq!(rows(&db, t), 0, "{t}");
    }
}
