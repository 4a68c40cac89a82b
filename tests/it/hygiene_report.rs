//! The hygiene report model and its renderers: rep filter, the to-do and
//! snoozed tables, the counts line, and Markdown that explains each flag.

use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::money::Money;
use pipedeck::domain::period::Calendar;
use pipedeck::domain::*;
use pipedeck::report::hygiene::HygieneReport;
use pipedeck::report::{Format, Input, Report, render};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Two deals of ann and one of bob, all in Demo since created 2026-11-10
/// (14 days), touched 2026-11-20, closing 2026-12-20. Only the next step
/// differs: a1 and b1 have none (flagged), a2 has one (clean).
fn data() -> Dataset {
    let deal = |id: &str, owner: &str, amount: i64, step: Option<&str>| Opportunity {
        id: OppId(id.into()),
        name: format!("Deal {id}"),
        account_id: None,
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at: Some(at("2026-11-10T10:00:00Z")),
        stage: "Demo".into(),
        amount: Some(Money::from_major(amount)),
        close_date: Some(day("2026-12-20")),
        forecast_category: None,
        status: Status::Open,
        closed_at: None,
        loss_reason: None,
        next_step: step.map(str::to_string),
        next_step_date: None,
        list_amount: None,
        channel: None,
    };
    let touch = |id: &str| Activity {
        id: ActivityId(format!("t-{id}").into()),
        rep_id: RepId("ann".into()),
        kind: ActivityKind::Email,
        meeting_type: None,
        label: None,
        opportunity_id: Some(OppId(id.into())),
        account_id: None,
        contact_id: None,
        occurred_at: at("2026-11-20T10:00:00Z"),
        outcome: None,
        duration_min: None,
        direction: None,
        review_session_id: None,
    };
    Dataset {
        opportunities: vec![
            deal("a1", "ann", 12_500, None),
            deal("a2", "ann", 90_000, Some("Call")),
            deal("b1", "bob", 3_000, None),
        ],
        activities: vec![touch("a1"), touch("a2"), touch("b1")],
        snoozes: vec![Snooze {
            id: 1,
            opportunity_id: OppId("b1".into()),
            reason: "Budget in December".into(),
            until: day("2026-12-01"),
            created_at: at("2026-11-23T10:00:00Z"),
            created_by: None,
            review_session_id: None,
        }],
        stages: Settings::default().stage_list(),
        ..Dataset::default()
    }
}

fn report(rep: Option<&str>) -> HygieneReport {
    let d = data();
    let settings = Settings::default();
    let cal = Calendar::default();
    let input = Input {
        data: &d,
        snapshots: &[],
        settings: &settings,
        cal: &cal,
        today: day("2026-11-24"),
        period: None,
    };
    HygieneReport::build(&input, rep.map(RepId::from).as_ref())
}

#[test]
fn json_is_the_documented_list() {
    let json: serde_json::Value =
        serde_json::from_str(&render(&report(None), Format::Json).unwrap()).unwrap();
    let rows = json.as_array().unwrap();
    // a2 is clean; a1 (12 500) before b1 (3 000).
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["opportunity_id"], "a1");
    assert_eq!(rows[0]["amount"], serde_json::json!(12_500.0));
    assert_eq!(rows[0]["reasons"], serde_json::json!(["no_next_step"]));
    assert_eq!(rows[0]["snoozed_until"], serde_json::Value::Null);
    assert_eq!(rows[1]["opportunity_id"], "b1");
    assert_eq!(rows[1]["snoozed_until"], "2026-12-01");
    assert_eq!(rows[1]["snooze_reason"], "Budget in December");
    assert_eq!(
        rows[0]["flags"][0]["clear"],
        "set a next step dated today or later"
    );
}

#[test]
fn tables_split_to_do_and_snoozed_and_count_both() {
    let r = report(None);
    let t = r.tables();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].rows.len(), 1);
    assert_eq!(t[0].rows[0][0], "a1");
    assert_eq!(t[1].rows.len(), 1);
    assert_eq!(t[1].rows[0][9], "2026-12-01");
    assert_eq!(
        t[0].notes,
        vec![
            "2 flagged (1 to do, 1 snoozed): untouched 0, past_due 0, stuck 0, no_next_step 2, slipping 0."
        ]
    );
    // Bob's list only.
    let bob = report(Some("bob"));
    assert_eq!(bob.rows.len(), 1);
    assert_eq!(bob.rows[0].opportunity_id.as_str(), "b1");
}

#[test]
fn markdown_explains_each_flag() {
    let md = render(&report(None), Format::Md).unwrap();
    assert!(md.starts_with("# Hygiene on 2026-11-24\n"), "{md}");
    assert!(
        md.contains("- **Deal a1** (a1) — ann — 12,500 — Demo\n  - `no_next_step`: no next step (threshold today 2026-11-24); clear: set a next step dated today or later\n"),
        "{md}"
    );
    assert!(
        md.contains("  - snoozed until 2026-12-01: Budget in December\n"),
        "{md}"
    );
}
