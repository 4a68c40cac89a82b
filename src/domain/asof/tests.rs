#![allow(clippy::type_complexity)]

use super::*;
use crate::domain::model::*;
use chrono::TimeZone;

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn opp(id: &str, created: Option<DateTime<Utc>>) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: id.into(),
        account_id: None,
        owner_id: RepId("ann".into()),
        source_rep_id: None,
        created_at: created,
        stage: "Proposal".into(),
        amount: Some(Money::from_major(900)),
        close_date: Some(day(30)),
        forecast_category: Some(ForecastCategory::Commit),
        status: Status::Open,
        closed_at: None,
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

fn hist(id: &str, t: DateTime<Utc>, f: HistoryField, old: Option<&str>, new: &str) -> HistoryEntry {
    HistoryEntry {
        opportunity_id: OppId(id.into()),
        changed_at: t,
        field: f,
        old_value: old.map(Into::into),
        new_value: Some(new.to_string().into()),
        changed_by: None,
        review_session_id: None,
    }
}

/// Deal "a": created 1 Mar at 500 in Demo, closing 20 Mar, pipeline;
/// on 5 Mar amount 500→700, stage Demo→Proposal; on 10 Mar amount 700→900,
/// close date 20→30 Mar, category pipeline→commit. Deal "b" created 8 Mar.
fn fixture() -> Dataset {
    use HistoryField::*;
    Dataset {
        opportunities: vec![opp("a", Some(at(1, 9))), opp("b", Some(at(8, 9)))],
        history: vec![
            hist("a", at(1, 9), Stage, None, "Demo"),
            hist("a", at(5, 10), Amount, Some("50000"), "70000"),
            hist("a", at(5, 10), Stage, Some("Demo"), "Proposal"),
            hist("b", at(8, 9), Stage, None, "Proposal"),
            hist("a", at(10, 10), Amount, Some("70000"), "90000"),
            hist("a", at(10, 10), CloseDate, Some("2026-03-20"), "2026-03-30"),
            hist(
                "a",
                at(10, 10),
                ForecastCategory,
                Some("pipeline"),
                "commit",
            ),
        ],
        ..Dataset::default()
    }
}

#[test]
fn rewinds_fields_and_drops_later_deals() {
    let data = fixture();
    // (end, deal ids, a's amount in cents, a's stage, a's close day, a's category, history kept)
    let cases: Vec<(
        DateTime<Utc>,
        Vec<&str>,
        i64,
        &str,
        u32,
        ForecastCategory,
        usize,
    )> = vec![
        // Before 5 Mar 10:00: nothing of a's changes happened; b doesn't exist.
        (
            at(5, 10),
            vec!["a"],
            50_000,
            "Demo",
            20,
            ForecastCategory::Pipeline,
            1,
        ),
        // Between: amount 700, Proposal; b exists (created 8 Mar 09:00).
        (
            at(9, 0),
            vec!["a", "b"],
            70_000,
            "Proposal",
            20,
            ForecastCategory::Pipeline,
            4,
        ),
        // After everything: as now.
        (
            at(11, 0),
            vec!["a", "b"],
            90_000,
            "Proposal",
            30,
            ForecastCategory::Commit,
            7,
        ),
    ];
    for (end, ids, amount, stage, close, cat, hist_len) in cases {
        let d = dataset_as_of(&data, end);
        let got: Vec<&str> = d.opportunities.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(got, ids, "deals at {end}");
        let a = &d.opportunities[0];
        assert_eq!(a.amount, Some(Money(amount)), "amount at {end}");
        assert_eq!(a.stage, stage, "stage at {end}");
        assert_eq!(a.close_date, Some(day(close)), "close at {end}");
        assert_eq!(a.forecast_category, Some(cat), "category at {end}");
        assert_eq!(d.history.len(), hist_len, "history at {end}");
    }
}

#[test]
fn a_next_step_set_later_is_rewound_with_its_date() {
    let mut data = fixture();
    data.opportunities[0].next_step = Some("Send SOW".into());
    data.opportunities[0].next_step_date = Some(day(25));
    data.history.push(hist(
        "a",
        at(12, 9),
        HistoryField::NextStep,
        None,
        "Send SOW",
    ));
    data.history.push(hist(
        "a",
        at(12, 9),
        HistoryField::NextStepDate,
        Some("2026-03-18"),
        "2026-03-25",
    ));
    let before = dataset_as_of(&data, at(12, 9));
    let a = &before.opportunities[0];
    assert_eq!(
        (a.next_step.as_deref(), a.next_step_date),
        (None, Some(day(18)))
    );
    let after = dataset_as_of(&data, at(12, 10));
    let a = &after.opportunities[0];
    assert_eq!(
        (a.next_step.as_deref(), a.next_step_date),
        (Some("Send SOW"), Some(day(25)))
    );
}

#[test]
fn a_deal_imported_closed_is_open_before_with_no_category() {
    let mut data = fixture();
    // b was won on 12 Mar; the import brought no history for it at all.
    data.history.retain(|h| h.opportunity_id.as_str() != "b");
    let b = &mut data.opportunities[1];
    b.status = Status::Won;
    b.forecast_category = Some(ForecastCategory::Closed);
    b.closed_at = Some(at(12, 15));
    let before = dataset_as_of(&data, at(12, 15));
    let b = &before.opportunities[1];
    assert_eq!((b.status, b.forecast_category), (Status::Open, None));
    let after = dataset_as_of(&data, at(12, 16));
    let b = &after.opportunities[1];
    assert_eq!(
        (b.status, b.forecast_category),
        (Status::Won, Some(ForecastCategory::Closed))
    );
}

#[test]
fn a_deal_won_later_is_open_before() {
    let mut data = fixture();
    data.opportunities[1].status = Status::Won;
    data.opportunities[1].stage = "Closed Won".into();
    data.opportunities[1].closed_at = Some(at(12, 15));
    data.history.push(hist(
        "b",
        at(12, 15),
        HistoryField::Status,
        Some("open"),
        "won",
    ));
    data.history.push(hist(
        "b",
        at(12, 15),
        HistoryField::Stage,
        Some("Proposal"),
        "Closed Won",
    ));
    let before = dataset_as_of(&data, at(12, 15));
    let b = &before.opportunities[1];
    assert_eq!(
        (b.status, b.stage.as_str(), b.closed_at),
        (Status::Open, "Proposal", None)
    );
    let after = dataset_as_of(&data, at(12, 16));
    assert_eq!(after.opportunities[1].status, Status::Won);
    // The deals alone, rewound from history grouped by deal: the same.
    let rewind = Rewind::new(&data, &[]);
    let b = &rewind.opportunities_at(at(12, 15))[1];
    assert_eq!(
        (b.status, b.stage.as_str(), b.closed_at),
        (Status::Open, "Proposal", None)
    );
    assert_eq!(rewind.opportunities_at(at(12, 16))[1].status, Status::Won);
}

#[test]
fn deals_without_history_fall_back_to_the_nearest_earlier_snapshot() {
    let mut data = Dataset {
        opportunities: vec![opp("c", None)],
        ..Dataset::default()
    };
    data.opportunities[0].status = Status::Lost;
    data.opportunities[0].closed_at = Some(at(20, 9));
    let row = |amount: i64, stage: &str| SnapshotRow {
        opportunity_id: OppId("c".into()),
        owner_id: RepId("bob".into()),
        stage: stage.into(),
        amount: Some(Money(amount)),
        close_date: Some(day(25)),
        forecast_category: Some(ForecastCategory::BestCase),
    };
    let snaps = vec![
        Snapshot {
            taken_on: day(9),
            taken_at: at(9, 7),
            rows: vec![row(30_000, "Demo")],
        },
        Snapshot {
            taken_on: day(2),
            taken_at: at(2, 7),
            rows: vec![row(10_000, "Discovery")],
        },
    ];
    // The whole dataset rewound, and the deals alone (the accuracy
    // report's rebuilt quarter starts): the same deals.
    let rewind = Rewind::new(&data, &snaps);
    let whole = |end| dataset_as_of_with_snapshots(data.clone(), &snaps, end).opportunities;
    let alone = |end| rewind.opportunities_at(end);
    let paths: [&dyn Fn(DateTime<Utc>) -> Vec<Opportunity>; 2] = [&whole, &alone];
    for at_end in paths {
        // As of 10 Mar: the 9 Mar snapshot (nearest before) gives the deal, open.
        let c = &at_end(at(10, 0))[0];
        assert_eq!(
            (c.status, c.amount, c.stage.as_str(), c.owner_id.as_str()),
            (Status::Open, Some(Money(30_000)), "Demo", "bob")
        );
        // As of 5 Mar: the 2 Mar snapshot.
        assert_eq!(at_end(at(5, 0))[0].amount, Some(Money(10_000)));
        // As of 21 Mar: it was lost on 20 Mar, the live record stands.
        assert_eq!(at_end(at(21, 0))[0].status, Status::Lost);
        // Before any snapshot: history alone (closed later, so open).
        let c = &at_end(at(1, 0))[0];
        assert_eq!((c.status, c.amount), (Status::Open, Some(Money(90_000))));
    }
}

#[test]
fn a_deal_closed_then_reopened_is_closed_before_at_the_close_it_had() {
    // "b" (created 8 Mar) won 12 Mar 15:00, reopened 16 Mar, won again 20 Mar 11:00.
    let mut data = fixture();
    let b = &mut data.opportunities[1];
    b.status = Status::Won;
    b.stage = "Closed Won".into();
    b.closed_at = Some(at(20, 11));
    use HistoryField::Status as S;
    data.history.extend([
        hist("b", at(12, 15), S, Some("open"), "won"),
        hist("b", at(16, 9), S, Some("won"), "open"),
        hist("b", at(20, 11), S, Some("open"), "won"),
    ]);
    let rewind = Rewind::new(&data, &[]);
    let b_at = |end| {
        let b = rewind.opportunities_at(end)[1].clone();
        (b.status, b.closed_at)
    };
    // Won on 14 Mar, at its first close; open on 18 Mar; won again on 21 Mar.
    assert_eq!(b_at(at(14, 0)), (Status::Won, Some(at(12, 15))));
    assert_eq!(b_at(at(18, 0)), (Status::Open, None));
    assert_eq!(b_at(at(21, 0)), (Status::Won, Some(at(20, 11))));
    // Reopened for good: no closed instant now, the first close's then.
    let b = &mut data.opportunities[1];
    b.status = Status::Open;
    b.stage = "Proposal".into();
    b.closed_at = None;
    data.history.pop();
    let rewind = Rewind::new(&data, &[]);
    let b = rewind.opportunities_at(at(14, 0))[1].clone();
    assert_eq!((b.status, b.closed_at), (Status::Won, Some(at(12, 15))));
}
