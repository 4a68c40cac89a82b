//! CRM closes of deals the database holds: a close made here keeps its
//! instant and is not written again; a file without a close date does not
//! date a close at the deal's creation (docs/import.md, "Columns a CRM's
//! file leaves out").

use crate::crm_round_trip::{fixture, import_opportunities, ok, pipedeck};

#[test]
fn a_pipedrive_close_of_a_deal_closed_here_writes_no_second_close() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    ok(pipedeck(&db).arg("import").arg(fixture("pipedrive")));
    ok(pipedeck(&db).args(["deal", "10", "lost", "--reason", "Competitor"]));
    // The CRM applied the loss a day later; a second file has no Lost time.
    let file = tmp.path().join("deals.csv");
    for lost_time in [",Deal - Lost time", ""] {
        let cell = if lost_time.is_empty() {
            ""
        } else {
            ",2026-11-30 10:00:00"
        };
        std::fs::write(
            &file,
            format!(
                "Deal - ID,Deal - Title,Deal - Owner,Deal - Value,Deal - Stage,Deal - Status,Deal - Deal created{lost_time}\n\
                 10,Delta,Eli Park,950.50,Qualified,Lost,2026-10-01 09:00:00{cell}\n"
            ),
        )
        .unwrap();
        ok(pipedeck(&db).arg("import").arg(&file));
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let closes: Vec<(String, String)> = conn
        .prepare(
            "SELECT field, changed_at FROM opportunity_history
             WHERE opportunity_id = '10' AND field IN ('status', 'stage') ORDER BY changed_at, seq",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Its creation, then the one close made here (today, 2026-11-29).
    let fields: Vec<&str> = closes.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["stage", "stage", "status"], "{closes:?}");
    assert!(closes[1].1.starts_with("2026-11-29"), "{closes:?}");
    // And the deal keeps the instant it was closed here, not the file's.
    let closed_at: String = conn
        .query_row(
            "SELECT closed_at FROM opportunities WHERE id = '10'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(closed_at.starts_with("2026-11-29"), "{closed_at}");
}

#[test]
fn a_crm_close_without_a_close_date_is_not_dated_at_the_deals_creation() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("p.db");
    ok(pipedeck(&db).arg("import").arg(fixture("salesforce")));
    // 0061 (created 2026-01-05, closing 2026-03-31) won in a file with no
    // close date.
    import_opportunities(
        &db,
        &tmp.path().join("won"),
        "Id,Name,StageName,CreatedDate,IsClosed,IsWon\n0061,Acme Big,Closed Won,2026-01-05T10:00:00.000Z,true,true\n",
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let got: (String, String, String) = conn
        .query_row(
            "SELECT status, closed_at, close_date FROM opportunities WHERE id = '0061'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        got,
        (
            "won".into(),
            "2026-03-31T00:00:00Z".into(),
            "2026-03-31".into()
        )
    );
}
