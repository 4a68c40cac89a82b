//! `report accuracy --as-of` reads what the report as of today reads, plus
//! the deals that may have been open at the end of that day with their
//! history (issue 10: it read every deal, all history and every snapshot's
//! rows). A hand-worked team of three deals, two of them won in 2026-Q2 and
//! undone since; the report as of 2026-07-20 from that read equals the one
//! built from every deal and every row.

use crate::import_stream::{run, set_dir};
use crate::scale_accuracy::{context, report_on};
use crate::scale_accuracy_rebuilt::two_aes;
use pipedeck::app::load::{AccuracyDeals, Need, Snaps, load_one};
use pipedeck::storage::Store;

fn value(json: &str) -> serde_json::Value {
    serde_json::from_str(json).unwrap()
}

/// Each line's `(key, quarter, actual, headline call)`.
fn lines(v: &serde_json::Value) -> Vec<(String, String, f64, Option<f64>)> {
    ["team", "reps"]
        .iter()
        .flat_map(|part| v[part].as_array().unwrap())
        .map(|q| {
            (
                q["key"].as_str().unwrap().to_string(),
                q["quarter_label"].as_str().unwrap().to_string(),
                q["actual"].as_f64().unwrap(),
                q["headline"]["call"].as_f64(),
            )
        })
        .collect()
}

fn line(key: &str, q: &str, actual: f64, call: f64) -> (String, String, f64, Option<f64>) {
    (key.to_string(), q.to_string(), actual, Some(call))
}

/// Today 2026-11-24; two snapshots, each in its quarter's first week.
///
/// - o1 (sam) won 2026-05-10 for 400, reopened 2026-08-03: open now.
/// - o3 (kim) won 2026-04-06 at 12:00 for 300, lost 2026-09-01.
/// - o2 (kim) won 2026-08-20 for 700: open on 2026-07-20.
/// - S1, 2026-04-06 08:00: commit o1 400 and o3 300 closing in Q2,
///   pipeline o2. o3 is won by S1's day and among its rows: counted once,
///   through the rows.
/// - S2, 2026-07-06 08:00: commit o2 700 closing in Q3.
///
/// As of 2026-07-20 only Q2 has closed: won then o1 and o3, 700 (sam 400,
/// kim 300); S1's call 700 (sam 400, kim 300: commit, nothing won by then
/// outside its rows). Today: Q2 won nothing (o1 open, o3 lost) against
/// S1's 700, Q3 won o2 700 against S2's 700.
#[test]
fn accuracy_as_of_a_day_reads_the_deals_won_then_and_undone_since() {
    let (_dir, set) = set_dir();
    two_aes(
        &set,
        &[
            (
                "opportunities.csv",
                "id,name,account_id,owner_id,created_at,stage,amount,close_date,forecast_category,status,closed_at\n\
                 o1,Anvils,acme,sam,2026-03-01T09:00:00Z,Negotiation,400,2026-12-15,commit,open,\n\
                 o2,Rockets,acme,kim,2026-04-01T09:00:00Z,Closed Won,700,2026-08-20,commit,won,2026-08-20T10:00:00Z\n\
                 o3,Magnets,acme,kim,2026-03-15T09:00:00Z,Closed Lost,300,2026-06-30,commit,lost,2026-09-01T10:00:00Z\n",
            ),
            (
                "opportunity_history.csv",
                "opportunity_id,changed_at,field,old_value,new_value,changed_by\n\
                 o3,2026-04-06T12:00:00Z,status,open,won,kim\n\
                 o3,2026-04-06T12:00:00Z,stage,Proposal,Closed Won,kim\n\
                 o1,2026-05-10T15:00:00Z,status,open,won,sam\n\
                 o1,2026-05-10T15:00:00Z,stage,Proposal,Closed Won,sam\n\
                 o1,2026-08-03T10:00:00Z,status,won,open,sam\n\
                 o1,2026-08-03T10:00:00Z,stage,Closed Won,Negotiation,sam\n\
                 o3,2026-09-01T10:00:00Z,status,won,lost,kim\n\
                 o3,2026-09-01T10:00:00Z,stage,Closed Won,Closed Lost,kim\n",
            ),
            (
                "forecast_snapshots.csv",
                "taken_on,taken_at,opportunity_id,owner_id,stage,amount,close_date,forecast_category\n\
                 2026-04-06,2026-04-06T08:00:00Z,o1,sam,Proposal,400,2026-05-31,commit\n\
                 2026-04-06,2026-04-06T08:00:00Z,o3,kim,Proposal,300,2026-06-30,commit\n\
                 2026-04-06,2026-04-06T08:00:00Z,o2,kim,Prospecting,700,2026-09-30,pipeline\n\
                 2026-07-06,2026-07-06T08:00:00Z,o2,kim,Negotiation,700,2026-08-31,commit\n",
            ),
        ],
    );
    let db = set.with_file_name("acc.db");
    let mut store = Store::open(&db).unwrap();
    run(&mut store, &set).unwrap();
    let (settings, cal, today) = context();
    let full = |as_of: Option<chrono::NaiveDate>| {
        let (all, snapshots) = load_one(
            &store,
            &settings,
            &cal,
            today,
            Need::Accuracy(AccuracyDeals::WithHistory),
            as_of,
            Snaps::All,
        )
        .unwrap();
        value(&report_on(as_of.unwrap_or(today), &all, &snapshots, None))
    };
    let quick = |as_of: Option<chrono::NaiveDate>| {
        let read = pipedeck::app::accuracy::load(&store, &settings, &cal, today, as_of).unwrap();
        value(&report_on(
            as_of.unwrap_or(today),
            &read.data,
            &read.snapshots,
            Some(read.calls),
        ))
    };

    let day: chrono::NaiveDate = "2026-07-20".parse().unwrap();
    let then = quick(Some(day));
    assert_eq!(
        lines(&then),
        [
            line("team", "2026-Q2", 700.0, 700.0),
            line("kim", "2026-Q2", 300.0, 300.0),
            line("sam", "2026-Q2", 400.0, 400.0),
        ]
    );
    assert_eq!(then, full(Some(day)));

    let now = quick(None);
    assert_eq!(
        lines(&now),
        [
            line("team", "2026-Q2", 0.0, 700.0),
            line("team", "2026-Q3", 700.0, 700.0),
            line("kim", "2026-Q2", 0.0, 300.0),
            line("sam", "2026-Q2", 0.0, 400.0),
            line("kim", "2026-Q3", 700.0, 700.0),
        ]
    );
    assert_eq!(now, full(None));
}
