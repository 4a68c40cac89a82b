//! Accuracy's quarters rebuilt from history read the deals that may have
//! been open at one of their first days (issue 10: on the independent org
//! 80k of 200k deals and half the history), the won deals, and the first
//! deal created. A hand-worked team of six deals: every first-day call,
//! the deals read, and the report equal to the one built from every deal.

use crate::import_stream::{run, set_dir, write_files};
use crate::scale_accuracy::{context, everything, report_json};
use pipedeck::storage::Store;

/// Today 2026-11-24, no snapshot: every closed quarter from the one after
/// the first deal (o0, 2025-06-15) is rebuilt, 2025-Q3 to 2026-Q3, each
/// from the pipeline at the end of its first day (the 2nd, 00:00 UTC).
///
/// - o0 (sam) lost 2025-06-20: closed at every first day; read only as
///   the first deal, from which the quarters are reckoned.
/// - o1 (sam) open since 2025-11-01, commit 300 closing 2026-03-01.
/// - o2 (kim) lost, its close instant 2025-12-30 but its status history
///   says open until 2026-01-05: open on 2026-01-02, commit 500 closing
///   2026-02-15.
/// - o3 (sam) created 2026-01-10, commit 200 closing 2026-03-20.
/// - o4 (kim) lost 2025-12-15, nothing after: never open on a first day,
///   not read.
/// - o5 (kim) created 2026-03-01, won 2026-05-10 for 400 (commit while
///   open, closing 2026-05-10).
///
/// First-day calls (won in the quarter by then + commit closing in it):
/// 2025-Q3 0 (only o0, lost), 2025-Q4 0 (no deal yet), 2026-Q1 800 (o1
/// 300 + o2 500), 2026-Q2 400 (o5; o1 and o3 close in Q1), 2026-Q3 0.
/// Actuals: 400 in 2026-Q2 (o5), 0 elsewhere.
#[test]
fn a_rebuilt_call_reads_the_deals_open_on_a_first_day() {
    rebuilt_calls(false);
}

/// The same when another tool wrote two creation instants in a form
/// pipedeck does not write (`instant_from_sql` reads it): o0's
/// `2025-6-15T09:00:00Z` sorts after o1's as text, and o3's
/// `2026-1-10T09:00:00Z` after the 2026-Q2 first day's end. Compared as
/// text, o0 would not be the first deal and o3 not created before then.
#[test]
fn a_rebuilt_call_reads_deals_whose_instants_another_tool_wrote() {
    rebuilt_calls(true);
}

/// Two AEs (sam, kim) and one account (acme), with the files `more`.
pub(crate) fn two_aes(set: &std::path::Path, more: &[(&str, &str)]) {
    let mut files = vec![
        (
            "reps.csv",
            "id,name,role,start_date\nsam,Sam Rep,AE,2025-01-06\nkim,Kim Rep,AE,2025-01-06\n",
        ),
        ("accounts.csv", "id,name\nacme,Acme Corp\n"),
    ];
    files.extend_from_slice(more);
    write_files(set, &files);
}

fn rebuilt_calls(awkward: bool) {
    let (_dir, set) = set_dir();
    two_aes(
        &set,
        &[
            (
                "opportunities.csv",
                "id,name,account_id,owner_id,created_at,stage,amount,close_date,forecast_category,status,closed_at\n\
                 o0,Early,acme,sam,2025-06-15T09:00:00Z,Closed Lost,100,2025-06-20,pipeline,lost,2025-06-20T09:00:00Z\n\
                 o1,Anvils,acme,sam,2025-11-01T09:00:00Z,Proposal,300,2026-03-01,commit,open,\n\
                 o2,Rockets,acme,kim,2025-12-05T09:00:00Z,Closed Lost,500,2026-02-15,commit,lost,2025-12-30T12:00:00Z\n\
                 o3,Magnets,acme,sam,2026-01-10T09:00:00Z,Proposal,200,2026-03-20,commit,open,\n\
                 o4,Springs,acme,kim,2025-11-10T09:00:00Z,Closed Lost,900,2025-12-15,pipeline,lost,2025-12-15T09:00:00Z\n\
                 o5,Gears,acme,kim,2026-03-01T09:00:00Z,Closed Won,400,2026-05-10,commit,won,2026-05-10T15:00:00Z\n",
            ),
            (
                "opportunity_history.csv",
                "opportunity_id,changed_at,field,old_value,new_value,changed_by\n\
                 o2,2026-01-05T10:00:00Z,status,open,lost,kim\n",
            ),
        ],
    );
    let db = set.with_file_name("acc.db");
    let mut store = Store::open(&db).unwrap();
    run(&mut store, &set).unwrap();
    if awkward {
        rusqlite::Connection::open(&db)
            .unwrap()
            .execute_batch(
                "UPDATE opportunities SET created_at = '2025-6-15T09:00:00Z' WHERE id = 'o0';
                 UPDATE opportunities SET created_at = '2026-1-10T09:00:00Z' WHERE id = 'o3';",
            )
            .unwrap();
    }
    let (settings, cal, today) = context();
    let read = pipedeck::app::accuracy::load(&store, &settings, &cal, today, None).unwrap();
    let ids: Vec<&str> = read
        .data
        .opportunities
        .iter()
        .map(|o| o.id.0.as_str())
        .collect();
    assert_eq!(ids, ["o0", "o1", "o2", "o3", "o5"]);
    let json = report_json(&read.data, &read.snapshots, Some(read.calls));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["rebuilt_from_history"],
        serde_json::json!([
            "2025-07-01",
            "2025-10-01",
            "2026-01-01",
            "2026-04-01",
            "2026-07-01"
        ])
    );
    let team: Vec<(String, f64, f64)> = v["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["quarter_label"].as_str().unwrap().to_string(),
                q["headline"]["call"].as_f64().unwrap(),
                q["actual"].as_f64().unwrap(),
            )
        })
        .collect();
    let q = |l: &str, call: f64, actual: f64| (l.to_string(), call, actual);
    assert_eq!(
        team,
        [
            q("2025-Q3", 0.0, 0.0),
            q("2025-Q4", 0.0, 0.0),
            q("2026-Q1", 800.0, 0.0),
            q("2026-Q2", 400.0, 400.0),
            q("2026-Q3", 0.0, 0.0),
        ]
    );
    // The same report from every deal and all history.
    let (all, snapshots) = everything(&store);
    assert_eq!(all.opportunities.len(), 6);
    assert_eq!(report_json(&all, &snapshots, None), json);
}
