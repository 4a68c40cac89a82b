//! `first_touches` (each rep's first touch of each contact, which the
//! metrics' "new contacts engaged" reads) stays equal to the same computed
//! from the activities after every kind of write: the demo's, a first
//! (bulk) import, a re-import that moves, adds and re-assigns activities,
//! and edits and deletes made in SQL by another tool.

use crate::import_stream::{run, set_dir, write_files};
use pipedeck::demo;
use pipedeck::domain::Settings;
use pipedeck::storage::Store;
use std::path::Path;

type Pairs = Vec<(String, String, String)>;

/// The table, and the same from the activities.
fn table_and_truth(db: &Path) -> (Pairs, Pairs) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let q = |sql: &str| -> Pairs {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    (
        q("SELECT rep_id, contact_id, first_at FROM first_touches ORDER BY 1, 2"),
        q("SELECT rep_id, contact_id, MIN(occurred_at) FROM activities
           WHERE contact_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"),
    )
}

fn t(s: &str) -> (String, String, String) {
    let mut p = s.split(' ');
    let mut next = || p.next().unwrap().to_string();
    (next(), next(), next())
}

/// Two reps, three contacts; `activities` as `id,rep,contact,occurred_at`.
fn write_set(dir: &Path, activities: &[&str]) {
    write_files(
        dir,
        &[
            (
                "reps.csv",
                "id,name,role,start_date\nsam,Sam Rep,AE,2024-01-01\nkim,Kim Rep,SDR,2024-01-01\n",
            ),
            ("accounts.csv", "id,name\nacme,Acme Corp\n"),
            (
                "contacts.csv",
                "id,account_id,name\nc1,acme,Wile Coyote\nc2,acme,Road Runner\nc3,acme,Elmer Fudd\n",
            ),
            (
                "opportunities.csv",
                "id,name,account_id,owner_id,stage,amount,created_at,status\n\
                 o1,Anvils,acme,sam,Prospecting,10000,2026-01-02T09:00:00Z,open\n",
            ),
        ],
    );
    let mut text = String::from("id,rep_id,kind,account_id,contact_id,occurred_at\n");
    for a in activities {
        let f: Vec<&str> = a.split(',').collect();
        text.push_str(&format!("{},{},call,acme,{},{}\n", f[0], f[1], f[2], f[3]));
    }
    std::fs::write(dir.join("activities.csv"), text).unwrap();
}

#[test]
fn first_touches_follow_every_write() {
    let (tmp, set) = set_dir();
    let db = tmp.path().join("p.db");

    // A first import: the bulk load fills the table in one pass.
    write_set(
        &set,
        &[
            "a1,sam,c1,2026-03-05T10:00:00Z",
            "a2,sam,c1,2026-02-01T10:00:00Z",
            "a3,kim,c1,2026-03-01T10:00:00Z",
            "a4,sam,c2,2026-04-01T10:00:00Z",
            "a5,kim,,2026-01-01T10:00:00Z",
        ],
    );
    run(&mut Store::open(&db).unwrap(), &set).unwrap();
    let (table, truth) = table_and_truth(&db);
    assert_eq!(
        table,
        vec![
            t("kim c1 2026-03-01T10:00:00Z"),
            t("sam c1 2026-02-01T10:00:00Z"),
            t("sam c2 2026-04-01T10:00:00Z"),
        ]
    );
    assert_eq!(table, truth);

    // A re-import: a2 moves later (sam's first touch of c1 is a1 now), a4
    // goes to kim (sam no longer touched c2), a6 is new and earliest.
    write_set(
        &set,
        &[
            "a1,sam,c1,2026-03-05T10:00:00Z",
            "a2,sam,c1,2026-05-01T10:00:00Z",
            "a3,kim,c1,2026-03-01T10:00:00Z",
            "a4,kim,c2,2026-04-01T10:00:00Z",
            "a5,kim,,2026-01-01T10:00:00Z",
            "a6,kim,c1,2025-12-24T10:00:00Z",
        ],
    );
    run(&mut Store::open(&db).unwrap(), &set).unwrap();
    let (table, truth) = table_and_truth(&db);
    assert_eq!(
        table,
        vec![
            t("kim c1 2025-12-24T10:00:00Z"),
            t("kim c2 2026-04-01T10:00:00Z"),
            t("sam c1 2026-03-05T10:00:00Z"),
        ]
    );
    assert_eq!(table, truth);

    // Another tool's edits: a contact set on a5, the first touch deleted.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "UPDATE activities SET contact_id = 'c3' WHERE id = 'a5';
         DELETE FROM activities WHERE id = 'a6';",
    )
    .unwrap();
    drop(conn);
    let (table, truth) = table_and_truth(&db);
    assert_eq!(
        table,
        vec![
            t("kim c1 2026-03-01T10:00:00Z"),
            t("kim c2 2026-04-01T10:00:00Z"),
            t("kim c3 2026-01-01T10:00:00Z"),
            t("sam c1 2026-03-05T10:00:00Z"),
        ]
    );
    assert_eq!(table, truth);
}

#[test]
fn the_demo_writes_first_touches_equal_to_its_activities() {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo.db");
    let team = demo::generate(7, "2026-11-24".parse().unwrap(), &settings, &cal);
    demo::write(&team, &mut Store::open(&db).unwrap()).unwrap();
    let (table, truth) = table_and_truth(&db);
    assert!(table.len() > 1_000, "{} pairs", table.len());
    assert_eq!(table, truth);
}

/// A load for the metrics reads, with its activities, each rep's first
/// touch of each contact they touched, no later than any of those
/// activities, and says so (`Lookback::first_touch_whole`): the metrics
/// then look for first touches there alone. Every window the reports read
/// is checked, `--as-of` too, and a rep's own ranges (the drill-down's).
#[test]
fn a_loads_first_touches_hold_every_pair_of_its_activities() {
    use pipedeck::app::load::{Need, Snaps, load_one};
    let f = crate::scale_window::demo_db();
    let store = Store::open_read_only(&f.path).unwrap();
    let cal = f.settings.calendar().unwrap();
    let today = "2026-11-24".parse().unwrap();
    let q3 = cal.parse_period("2026-Q3", today).unwrap();
    let week = cal.parse_period("last-week", today).unwrap();
    let rep = store.load_reps().unwrap()[0].id.clone();
    let needs = [
        (Need::Metrics(q3), None),
        (Need::Anomalies(week), None),
        (Need::Drill(q3, rep), None),
        (Need::Metrics(q3), Some("2026-08-15".parse().unwrap())),
    ];
    for (need, as_of) in needs {
        let what = format!("{need:?} as of {as_of:?}");
        let (data, _) =
            load_one(&store, &f.settings, &cal, today, need, as_of, Snaps::None).unwrap();
        let lookback = data.lookback.expect("a load's look-back");
        assert!(lookback.first_touch_whole, "{what}");
        let first: std::collections::HashMap<_, _> = lookback
            .first_touch
            .iter()
            .map(|(r, c, t)| ((r.as_str(), c.as_str()), *t))
            .collect();
        let mut pairs = 0;
        for a in &data.activities {
            let Some(c) = &a.contact_id else { continue };
            let at = first.get(&(a.rep_id.as_str(), c.as_str()));
            assert!(at.is_some_and(|t| *t <= a.occurred_at), "{what}: {a:?}");
            pairs += 1;
        }
        assert!(pairs > 1_000, "{what}: {pairs} activities with a contact");
    }
}
