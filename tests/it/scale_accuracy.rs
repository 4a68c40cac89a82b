//! Accuracy read beside the snapshots' rows (issue 10). `snapshot_owner_months`
//! (per snapshot, owner and month: the commit amount closing then and the
//! rows) stays equal to the same computed from the rows after a first
//! (bulk) import, a re-import that adds a snapshot, and deletes made in SQL
//! by another tool; and the accuracy built from it and from the won deals
//! equals the accuracy built from every deal and every snapshot's rows.

use crate::import_stream::{run, set_dir, write_files};
use pipedeck::app::load::{AccuracyDeals, Need, Snaps, load_one};
use pipedeck::demo;
use pipedeck::domain::accuracy::{CallFacts, calls_of};
use pipedeck::domain::{Dataset, ForecastCategory, Money, Settings, Snapshot, SnapshotRow, Status};
use pipedeck::report::Input;
use pipedeck::report::accuracy::AccuracyReport;
use pipedeck::storage::Store;
use std::path::Path;

/// `(taken_on, owner, month, commit cents, rows)`.
type Sums = Vec<(String, String, String, i64, i64)>;

/// The table, and the same from the rows.
fn table_and_truth(db: &Path) -> (Sums, Sums) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let q = |sql: &str| -> Sums {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    (
        q(
            "SELECT s.taken_on, m.owner_id, m.close_month, m.commit_cents, m.rows
           FROM snapshot_owner_months m JOIN forecast_snapshots s ON s.id = m.snapshot_id
           ORDER BY 1, 2, 3",
        ),
        q("SELECT s.taken_on, r.owner_id,
                  IIF(r.forecast_category = 'commit' AND r.amount IS NOT NULL
                      AND r.close_date IS NOT NULL, substr(r.close_date, 1, 7), ''),
                  SUM(IIF(r.forecast_category = 'commit' AND r.close_date IS NOT NULL,
                          COALESCE(r.amount, 0), 0)),
                  COUNT(*)
           FROM snapshot_rows r JOIN forecast_snapshots s ON s.id = r.snapshot_id
           GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
    )
}

fn sum(
    taken_on: &str,
    owner: &str,
    month: &str,
    cents: i64,
    rows: i64,
) -> (String, String, String, i64, i64) {
    (taken_on.into(), owner.into(), month.into(), cents, rows)
}

/// Two AEs, three deals (o2 won on 10 February), and snapshot rows as
/// `taken_on,opportunity_id,owner_id,amount,close_date,forecast_category`.
fn write_set(dir: &Path, rows: &[&str]) {
    write_files(
        dir,
        &[
            (
                "reps.csv",
                "id,name,role,start_date\nsam,Sam Rep,AE,2024-01-01\nkim,Kim Rep,AE,2024-01-01\n",
            ),
            ("accounts.csv", "id,name\nacme,Acme Corp\n"),
            (
                "opportunities.csv",
                "id,name,account_id,owner_id,stage,amount,created_at,status,closed_at\n\
                 o1,Anvils,acme,sam,Proposal,1000,2025-12-02T09:00:00Z,open,\n\
                 o2,Rockets,acme,kim,Closed Won,600,2025-12-03T09:00:00Z,won,2026-02-10T15:00:00Z\n\
                 o3,Magnets,acme,sam,Prospecting,700,2025-12-04T09:00:00Z,open,\n",
            ),
        ],
    );
    let mut text = String::from(
        "taken_on,taken_at,opportunity_id,owner_id,stage,amount,close_date,forecast_category\n",
    );
    for r in rows {
        let f: Vec<&str> = r.split(',').collect();
        text.push_str(&format!(
            "{},{}T18:00:00Z,{},{},Proposal,{},{},{}\n",
            f[0], f[0], f[1], f[2], f[3], f[4], f[5]
        ));
    }
    std::fs::write(dir.join("forecast_snapshots.csv"), text).unwrap();
}

#[test]
fn snapshot_owner_months_follow_every_write() {
    let (tmp, set) = set_dir();
    let db = tmp.path().join("p.db");
    let first = [
        "2026-01-05,o1,sam,1000,2026-02-15,commit",
        "2026-01-05,o2,kim,500,2026-03-20,commit",
        "2026-01-05,o3,sam,700,2026-04-02,commit",
        // No amount, no close date, not a commit: counted under ''.
        "2026-02-09,o1,sam,,2026-02-15,commit",
        "2026-02-09,o2,kim,600,,commit",
        "2026-02-09,o3,sam,700,2026-03-01,pipeline",
    ];
    write_set(&set, &first);
    run(&mut Store::open(&db).unwrap(), &set).unwrap();
    let (table, truth) = table_and_truth(&db);
    assert_eq!(
        table,
        vec![
            sum("2026-01-05", "kim", "2026-03", 50_000, 1),
            sum("2026-01-05", "sam", "2026-02", 100_000, 1),
            sum("2026-01-05", "sam", "2026-04", 70_000, 1),
            sum("2026-02-09", "kim", "", 0, 1),
            sum("2026-02-09", "sam", "", 0, 2),
        ]
    );
    assert_eq!(table, truth);

    // A re-import adds a snapshot: the insert trigger, row by row.
    let mut more = first.to_vec();
    more.extend([
        "2026-02-16,o1,sam,1200,2026-03-05,commit",
        "2026-02-16,o3,sam,300,2026-03-25,commit",
        "2026-02-16,o2,kim,600,2026-03-01,best_case",
    ]);
    write_set(&set, &more);
    run(&mut Store::open(&db).unwrap(), &set).unwrap();
    let (table, truth) = table_and_truth(&db);
    assert_eq!(
        table[5..],
        [
            sum("2026-02-16", "kim", "", 0, 1),
            sum("2026-02-16", "sam", "2026-03", 150_000, 2),
        ]
    );
    assert_eq!(table.len(), 7);
    assert_eq!(table, truth);

    // Another tool deletes rows: the delete trigger takes them out, and a
    // sum left with no row goes.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DELETE FROM snapshot_rows WHERE opportunity_id = 'o3' AND snapshot_id =
             (SELECT id FROM forecast_snapshots WHERE taken_on = '2026-02-16');
         DELETE FROM snapshot_rows WHERE opportunity_id = 'o2' AND snapshot_id =
             (SELECT id FROM forecast_snapshots WHERE taken_on = '2026-02-09');",
    )
    .unwrap();
    drop(conn);
    let (table, truth) = table_and_truth(&db);
    assert_eq!(
        table[3..],
        [
            sum("2026-02-09", "sam", "", 0, 2),
            sum("2026-02-16", "kim", "", 0, 1),
            sum("2026-02-16", "sam", "2026-03", 120_000, 1),
        ]
    );
    assert_eq!(table, truth);
}

/// The default settings, their calendar, and the demo's today.
pub(crate) fn context() -> (
    Settings,
    pipedeck::domain::period::Calendar,
    chrono::NaiveDate,
) {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    (settings, cal, "2026-11-24".parse().unwrap())
}

/// Every deal and every snapshot's rows: what accuracy read before.
pub(crate) fn everything(store: &Store) -> (Dataset, Vec<Snapshot>) {
    let (settings, cal, today) = context();
    load_one(
        store,
        &settings,
        &cal,
        today,
        Need::Accuracy(AccuracyDeals::WithHistory),
        None,
        Snaps::All,
    )
    .unwrap()
}

/// The report in JSON: from the facts the quick path read, or from every
/// snapshot's rows (`calls` none).
pub(crate) fn report_json(
    data: &Dataset,
    snapshots: &[Snapshot],
    calls: Option<Vec<CallFacts>>,
) -> String {
    report_on(context().2, data, snapshots, calls)
}

/// [`report_json`] on `today` (`--as-of`'s day).
pub(crate) fn report_on(
    today: chrono::NaiveDate,
    data: &Dataset,
    snapshots: &[Snapshot],
    calls: Option<Vec<CallFacts>>,
) -> String {
    let (settings, cal, _) = context();
    let input = Input {
        data,
        snapshots,
        settings: &settings,
        cal: &cal,
        today,
        period: None,
    };
    let report = match calls {
        Some(calls) => AccuracyReport::build_with(&input, calls),
        None => AccuracyReport::build(&input),
    };
    serde_json::to_string(&report).unwrap()
}

/// The report from what the quick path read equals the one from every
/// deal and every row, and its one rebuilt quarter starts on `rebuilt_day`.
fn same_as_every_row(
    store: &Store,
    read: pipedeck::app::accuracy::AccuracyInput,
    rebuilt_day: &str,
) {
    let (all, snapshots) = everything(store);
    let full = report_json(&all, &snapshots, None);
    let rebuilt = format!("\"rebuilt_from_history\":[\"{rebuilt_day}\"]");
    assert!(full.contains(&rebuilt), "{full}");
    assert_eq!(
        report_json(&read.data, &read.snapshots, Some(read.calls)),
        full
    );
}

/// The demo team (seed 7, today 2026-11-24), with a snapshot on
/// 2026-06-23 (taken a second after midnight) whose rows are awkward:
/// deals won in the quarter by that day, a commit without an amount, one
/// without a close date, one closing after the quarter, and an owner with
/// pipeline rows only.
fn demo_with_awkward_snapshot() -> (tempfile::TempDir, std::path::PathBuf) {
    let (settings, cal, today) = context();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let team = demo::generate(7, today, &settings, &cal);
    let mut store = Store::open(&path).unwrap();
    demo::write(&team, &mut store).unwrap();
    let day: chrono::NaiveDate = "2026-06-23".parse().unwrap();
    let won: Vec<_> = team
        .opportunities
        .iter()
        .filter(|o| o.status == Status::Won)
        .filter(|o| {
            o.closed_at.is_some_and(|t| {
                let d = cal.local_date(t);
                d >= "2026-04-01".parse().unwrap() && d <= day
            })
        })
        .take(5)
        .collect();
    assert_eq!(won.len(), 5, "deals won in 2026-Q2 by {day}");
    let row = |o: &pipedeck::domain::Opportunity, amount, close, cat| SnapshotRow {
        opportunity_id: o.id.clone(),
        owner_id: o.owner_id.clone(),
        stage: "Proposal".into(),
        amount,
        close_date: close,
        forecast_category: cat,
    };
    let june = |d: u32| Some(chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap());
    let mut rows = vec![
        row(
            won[0],
            Some(Money(4_000_000)),
            june(30),
            Some(ForecastCategory::Commit),
        ),
        row(won[1], None, june(30), Some(ForecastCategory::Commit)),
        row(
            won[2],
            Some(Money(1_000_000)),
            None,
            Some(ForecastCategory::Commit),
        ),
        row(
            won[3],
            Some(Money(2_000_000)),
            Some(day + chrono::Days::new(30)),
            Some(ForecastCategory::Commit),
        ),
        row(
            won[4],
            Some(Money(500_000)),
            june(25),
            Some(ForecastCategory::Pipeline),
        ),
    ];
    let mut lone = row(
        won[4],
        Some(Money(9_900)),
        june(26),
        Some(ForecastCategory::Pipeline),
    );
    lone.owner_id = "nobody-else".into();
    lone.opportunity_id = "o-lone".into();
    rows.push(lone);
    let snap = Snapshot {
        taken_on: day,
        taken_at: chrono::DateTime::parse_from_rfc3339("2026-06-23T00:00:01Z")
            .unwrap()
            .into(),
        rows,
    };
    let mut tx = store.begin().unwrap();
    assert!(tx.insert_snapshot(&snap).unwrap());
    tx.commit().unwrap();
    (dir, path)
}

#[test]
fn accuracy_from_the_sums_equals_accuracy_from_the_rows() {
    let (_dir, path) = demo_with_awkward_snapshot();
    let (settings, cal, today) = context();
    let store = Store::open(&path).unwrap();

    let quick = pipedeck::app::accuracy::load(&store, &settings, &cal, today, None).unwrap();
    assert!(quick.snapshots.is_empty(), "the quick path reads no row");
    assert!(
        quick
            .data
            .opportunities
            .iter()
            .all(|o| o.status == Status::Won),
        "and the won deals only"
    );
    let (all, snapshots) = everything(&store);
    assert!(snapshots.len() > 50, "{} snapshots", snapshots.len());

    // The facts of every snapshot of a closed quarter, one by one.
    let closed: Vec<&Snapshot> = snapshots
        .iter()
        .filter(|s| cal.quarter_containing(s.taken_on).to <= today)
        .collect();
    let from_rows = calls_of(&all, closed.iter().copied(), &cal);
    assert_eq!(quick.calls.len(), from_rows.len());
    for (a, b) in quick.calls.iter().zip(&from_rows) {
        assert_eq!(a, b, "snapshot of {}", b.taken_on);
    }
    let awkward = from_rows
        .iter()
        .find(|c| c.taken_on == "2026-06-23".parse().unwrap())
        .unwrap();
    assert_eq!(awkward.won_among_rows.len(), 5, "{awkward:?}");
    assert_eq!(
        awkward.commit.get(&"nobody-else".into()),
        Some(&Money(0)),
        "an owner with pipeline rows only: {awkward:?}"
    );

    // And the reports, in JSON.
    let full = report_json(&all, &snapshots, None);
    assert!(full.matches("\"key\":\"team\"").count() >= 4, "{full}");
    assert_eq!(
        report_json(&quick.data, &quick.snapshots, Some(quick.calls)),
        full
    );
}

/// `Rewind::open_at` (what rebuilt calls and waterfall ends read) gives
/// the deals open at an instant, as `opportunities_at` does less the
/// closed ones, though it passes over the deals closed before the instant
/// with nothing later to undo; on the demo at every quarter start and
/// week of its history, and on three deals worked by hand.
#[test]
fn open_at_is_opportunities_at_less_the_closed() {
    use pipedeck::domain::asof::Rewind;
    use pipedeck::domain::{HistoryEntry, HistoryField, OppId, Opportunity, Status};
    let (settings, cal, today) = context();
    let team = demo::generate(7, today, &settings, &cal);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("d.db")).unwrap();
    demo::write(&team, &mut store).unwrap();
    let data = store.load_dataset().unwrap();
    let snapshots = store.load_snapshots().unwrap();
    let rewind = Rewind::new(&data, &snapshots);
    let open = |v: Vec<Opportunity>| -> Vec<Opportunity> {
        v.into_iter().filter(|o| o.status == Status::Open).collect()
    };
    let mut day: chrono::NaiveDate = "2023-10-01".parse().unwrap();
    let mut checked = 0;
    while day <= today {
        let end = cal.end_of(day);
        let got = rewind.open_at(end);
        assert_eq!(got, open(rewind.opportunities_at(end)), "{day}");
        checked += got.len();
        day = day + chrono::Days::new(7);
    }
    assert!(checked > 10_000, "{checked} open deals compared");

    // By hand: "x" lost on 1 March by its record, yet a status entry of
    // 10 March says it was open until then (a CRM's close date before the
    // move); "y" lost on 1 March, nothing later; "z" has no history, lost
    // on 20 March, and is in the snapshot of 2 March.
    let t = |d: u32| {
        chrono::DateTime::parse_from_rfc3339(&format!("2026-03-{d:02}T12:00:00Z"))
            .unwrap()
            .into()
    };
    let deal = |id: &str| Opportunity {
        id: OppId(id.into()),
        status: Status::Lost,
        closed_at: Some(t(1)),
        created_at: Some(t(1) - chrono::Duration::days(30)),
        ..data.opportunities[0].clone()
    };
    let mut z = deal("z");
    z.closed_at = Some(t(20));
    let hand = pipedeck::domain::Dataset {
        opportunities: vec![deal("x"), deal("y"), z],
        history: vec![HistoryEntry {
            opportunity_id: OppId("x".into()),
            changed_at: t(10),
            field: HistoryField::Status,
            old_value: Some("open".into()),
            new_value: Some("lost".into()),
            changed_by: None,
            review_session_id: None,
        }],
        ..pipedeck::domain::Dataset::default()
    };
    let snap = Snapshot {
        taken_on: "2026-03-02".parse().unwrap(),
        taken_at: t(2),
        rows: vec![SnapshotRow {
            opportunity_id: OppId("z".into()),
            owner_id: "kim".into(),
            stage: "Demo".into(),
            amount: Some(Money(123_400)),
            close_date: None,
            forecast_category: Some(ForecastCategory::Pipeline),
        }],
    };
    let snaps = [snap];
    let rewind = Rewind::new(&hand, &snaps);
    let ids = |v: Vec<Opportunity>| v.into_iter().map(|o| o.id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(rewind.open_at(t(5))), ["x", "z"]);
    assert_eq!(
        ids(rewind.open_at(t(5))),
        ids(open(rewind.opportunities_at(t(5))))
    );
    assert_eq!(rewind.open_at(t(5))[1].amount, Some(Money(123_400)));
    assert_eq!(ids(rewind.open_at(t(15))), ["z"]);
    assert!(rewind.open_at(t(25)).is_empty());
}

/// Rows another tool wrote in forms pipedeck does not write (a close date
/// `2026-6-30`, a category `Commit`) are read as before: their snapshot is
/// read row by row. A row written over an existing one is refused (the
/// sums could not follow it), and a file without the sums (an older
/// schema read without migrating) is read from the rows.
#[test]
fn odd_rows_replaced_rows_and_files_without_sums() {
    let (_dir, path) = demo_with_awkward_snapshot();
    let (settings, cal, today) = context();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let june = "(SELECT id FROM forecast_snapshots WHERE taken_on = '2026-06-23')";
    conn.execute_batch(&format!(
        "INSERT INTO snapshot_rows (snapshot_id, opportunity_id, owner_id, stage, amount,
             close_date, forecast_category)
         VALUES ({june}, 'o-odd-1', 'nobody-else', 'Demo', 300000, '2026-6-30', 'commit'),
                ({june}, 'o-odd-2', 'nobody-else', 'Demo', 200000, '2026-06-29', 'Commit');"
    ))
    .unwrap();
    assert_eq!(
        one(&format!(
            "SELECT COUNT(*) FROM snapshot_owner_months
             WHERE snapshot_id = {june} AND close_month = '?'"
        )),
        1,
        "both odd rows under '?'"
    );
    let replaced = conn.execute(
        &format!(
            "INSERT OR REPLACE INTO snapshot_rows (snapshot_id, opportunity_id, owner_id, stage)
             VALUES ({june}, 'o-odd-1', 'nobody-else', 'Won')"
        ),
        [],
    );
    assert!(
        replaced
            .unwrap_err()
            .to_string()
            .contains("forecast snapshots are never edited")
    );
    drop(conn);

    let store = Store::open(&path).unwrap();
    let report = |read: pipedeck::app::accuracy::AccuracyInput| {
        report_json(&read.data, &read.snapshots, Some(read.calls))
    };
    let quick = pipedeck::app::accuracy::load(&store, &settings, &cal, today, None).unwrap();
    assert!(quick.snapshots.is_empty());
    let june_call = quick
        .calls
        .iter()
        .find(|c| c.taken_on == "2026-06-23".parse().unwrap())
        .unwrap();
    // Both odd rows are commit closing in 2026-Q2, as the rows read them.
    assert_eq!(
        june_call.commit.get(&"nobody-else".into()),
        Some(&Money(500_000))
    );
    let (all, snapshots) = everything(&store);
    let full = || report_json(&all, &snapshots, None);
    assert_eq!(report(quick), full());

    // Without the sums: every deal and every row, the same report.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE snapshot_owner_months")
        .unwrap();
    let store = Store::open(&path).unwrap();
    let slow = pipedeck::app::accuracy::load(&store, &settings, &cal, today, None).unwrap();
    assert!(!slow.snapshots.is_empty(), "read from the rows");
    assert_eq!(report(slow), full());
}

/// A creation time another tool wrote in a form of its own still counts
/// as the first deal's: `2025-5-01…` sorts after the demo's first deal
/// (`2025-08-26…`) as text but comes before it, and 2025-Q3 starts with
/// no snapshot (the demo's weekly ones begin on 1 September), so its
/// first-day call is rebuilt from history, from every deal.
#[test]
fn the_first_deal_in_any_form_decides_the_rebuilt_quarters() {
    let (_dir, path) = demo_with_awkward_snapshot();
    let (settings, cal, today) = context();
    let store = Store::open(&path).unwrap();
    let quick = pipedeck::app::accuracy::load(&store, &settings, &cal, today, None).unwrap();
    assert!(quick.snapshots.is_empty(), "no quarter to rebuild yet");
    drop(store);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "UPDATE opportunities SET created_at = '2025-5-01T00:00:00Z'
             WHERE id = (SELECT MIN(id) FROM opportunities)",
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.first_deal_created().unwrap().map(|t| t.to_rfc3339()),
        Some("2025-05-01T00:00:00+00:00".to_string())
    );
    let rebuilt = pipedeck::app::accuracy::load(&store, &settings, &cal, today, None).unwrap();
    assert!(
        !rebuilt.data.history.is_empty(),
        "every deal and its history"
    );
    // No snapshot was taken before 2025-Q3 began: none is read.
    assert!(rebuilt.snapshots.is_empty());
    same_as_every_row(&store, rebuilt, "2025-07-01");
}

/// A quarter whose first week lost its snapshot (2026-Q1: the demo's of
/// 5 January deleted) has its first-day call rebuilt from history; the
/// 150 deals of the 29 December snapshot stripped of their history take
/// their values from it. Only that snapshot's rows are read, and the
/// report equals the one built from every deal and every row.
#[test]
fn a_rebuilt_quarter_reads_the_snapshot_its_deals_without_history_take() {
    let (_dir, path) = demo_with_awkward_snapshot();
    let (settings, cal, today) = context();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DELETE FROM snapshot_rows WHERE snapshot_id =
                 (SELECT id FROM forecast_snapshots WHERE taken_on = '2026-01-05');
             DELETE FROM forecast_snapshots WHERE taken_on = '2026-01-05';
             DROP TRIGGER history_no_delete;
             DELETE FROM opportunity_history WHERE opportunity_id IN
                 (SELECT opportunity_id FROM snapshot_rows WHERE snapshot_id =
                     (SELECT id FROM forecast_snapshots WHERE taken_on = '2025-12-29')
                  ORDER BY opportunity_id LIMIT 150);",
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    let rebuilt = pipedeck::app::accuracy::load(&store, &settings, &cal, today, None).unwrap();
    let read: Vec<String> = rebuilt
        .snapshots
        .iter()
        .map(|s| s.taken_on.to_string())
        .collect();
    assert_eq!(read, ["2025-12-29"]);
    same_as_every_row(&store, rebuilt, "2026-01-01");
}
