//! The review agenda (SPEC §7) on a hand-made team, today = Tuesday
//! 2026-11-24 (the default review weekday), week 2026-11-23 .. 2026-11-30.
//!
//! Open pipeline: Ann a1 50 000 + a2 20 000 = 70 000; Bob b1 100 000 +
//! b2 10 000 = 110 000, so Bob goes first. Last ended review started
//! 2026-11-17T09:00Z: a3 (won 11-18) and b3 (lost 11-20) closed since; a4
//! (lost 11-16) did not.

use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::money::Money;
use pipedeck::domain::period::Calendar;
use pipedeck::domain::review::{Section, agenda, review_day};
use pipedeck::domain::settings::ReviewOrder;
use pipedeck::domain::*;
use pipedeck::report::agenda::AgendaReport;
use pipedeck::report::{Format, Input, Report, render};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn rep(id: &str, name: &str, role: Role, end: Option<&str>) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: name.into(),
        email: None,
        role,
        team: None,
        manager_id: None,
        start_date: None,
        end_date: end.map(day),
        quota_amount: None,
        quota_meetings: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn deal(
    id: &str,
    owner: &str,
    amount: i64,
    close: &str,
    cat: ForecastCategory,
    status: Status,
    closed_at: Option<&str>,
    created: &str,
) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: format!("Deal {id}"),
        account_id: None,
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at: Some(at(created)),
        stage: if status == Status::Open {
            "Proposal".into()
        } else {
            "Closed".into()
        },
        amount: Some(Money::from_major(amount)),
        close_date: Some(day(close)),
        forecast_category: Some(cat),
        status,
        closed_at: closed_at.map(at),
        loss_reason: (status == Status::Lost).then(|| "No budget".to_string()),
        next_step: Some("x".into()),
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

fn hist(opp: &str, when: &str, field: HistoryField, old: Option<&str>, new: &str) -> HistoryEntry {
    HistoryEntry {
        opportunity_id: OppId(opp.into()),
        changed_at: at(when),
        field,
        old_value: old.map(str::to_string).map(Into::into),
        new_value: Some(new.into()),
        changed_by: None,
        review_session_id: None,
    }
}

fn data() -> Dataset {
    use ForecastCategory::*;
    use Status::*;
    let old = "2026-09-01T00:00:00Z";
    Dataset {
        reps: vec![
            rep("ann", "Ann", Role::Ae, None),
            rep("bob", "Bob", Role::Ae, None),
            rep("cy", "Cy", Role::Sdr, None),
            rep("dee", "Dee", Role::Ae, Some("2026-10-01")),
        ],
        opportunities: vec![
            deal("a1", "ann", 50_000, "2026-11-26", BestCase, Open, None, old),
            deal("a2", "ann", 20_000, "2026-11-27", Commit, Open, None, old),
            deal(
                "a3",
                "ann",
                30_000,
                "2026-11-18",
                Closed,
                Won,
                Some("2026-11-18T15:00:00Z"),
                old,
            ),
            deal(
                "a4",
                "ann",
                5_000,
                "2026-11-16",
                Closed,
                Lost,
                Some("2026-11-16T15:00:00Z"),
                old,
            ),
            deal(
                "b1",
                "bob",
                100_000,
                "2026-12-15",
                Pipeline,
                Open,
                None,
                "2026-11-20T10:00:00Z",
            ),
            deal("b2", "bob", 10_000, "2026-11-30", Pipeline, Open, None, old),
            deal(
                "b3",
                "bob",
                8_000,
                "2026-11-20",
                Closed,
                Lost,
                Some("2026-11-20T15:00:00Z"),
                old,
            ),
        ],
        history: vec![
            // Before the window: not a change of this week.
            hist(
                "a1",
                "2026-11-10T10:00:00Z",
                HistoryField::CloseDate,
                Some("2026-11-20"),
                "2026-11-26",
            ),
            hist(
                "a1",
                "2026-11-19T10:00:00Z",
                HistoryField::Amount,
                Some("4000000"),
                "5000000",
            ),
            // The creation row of a new deal is not a change.
            hist(
                "b1",
                "2026-11-20T10:00:00Z",
                HistoryField::Amount,
                None,
                "10000000",
            ),
            hist(
                "b2",
                "2026-11-21T10:00:00Z",
                HistoryField::ForecastCategory,
                Some("pipeline"),
                "best_case",
            ),
            // A deal closed since is under "closed", not "changed".
            hist(
                "a3",
                "2026-11-18T15:00:00Z",
                HistoryField::ForecastCategory,
                Some("commit"),
                "closed",
            ),
            // Stage moves are not in "what changed".
            hist(
                "a2",
                "2026-11-21T10:00:00Z",
                HistoryField::Stage,
                Some("Demo"),
                "Proposal",
            ),
        ],
        action_items: vec![
            item(1, "ann", "Send pricing", Some("2026-12-01"), None),
            item(2, "bob", "Call CFO", Some("2026-11-26"), None),
            item(3, "bob", "Done already", None, Some("2026-11-20T10:00:00Z")),
            item(4, "ann", "Someday", None, None),
        ],
        stages: Settings::default().stage_list(),
        ..Dataset::default()
    }
}

fn item(id: i64, owner: &str, text: &str, due: Option<&str>, done: Option<&str>) -> ActionItem {
    ActionItem {
        id,
        opportunity_id: None,
        owner_id: RepId(owner.into()),
        text: text.into(),
        due_date: due.map(day),
        created_at: at("2026-11-17T09:30:00Z"),
        done_at: done.map(at),
        review_session_id: None,
    }
}

fn last_review() -> Vec<ReviewSession> {
    vec![ReviewSession {
        id: 1,
        started_at: at("2026-11-17T09:00:00Z"),
        ended_at: Some(at("2026-11-17T09:30:00Z")),
        facilitator: None,
        report_markdown: None,
    }]
}

fn ids<T>(v: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    v.iter().map(|x| f(x).to_string()).collect()
}

#[test]
fn agenda_per_ae_in_pipeline_order() {
    let d = data();
    let settings = Settings::default();
    let a = agenda(
        &d,
        &d.stages,
        &last_review(),
        &settings,
        &Calendar::default(),
        day("2026-11-24"),
    );
    assert_eq!(a.review_day, day("2026-11-24"));
    assert_eq!(a.since, at("2026-11-17T09:00:00Z"));
    assert_eq!(a.previous_review, Some(day("2026-11-17")));
    assert_eq!(
        (a.week.from, a.week.to),
        (day("2026-11-23"), day("2026-11-30"))
    );
    // Cy is an SDR, Dee left on 2026-10-01 and owns nothing: neither is on the agenda.
    assert_eq!(ids(&a.reps, |r| r.rep_id.as_str()), vec!["bob", "ann"]);
    let (bob, ann) = (&a.reps[0], &a.reps[1]);
    assert_eq!(bob.open_pipeline, Money::from_major(110_000));
    assert_eq!(ann.open_pipeline, Money::from_major(70_000));
    assert_eq!(ids(&ann.closed, |d| d.opportunity_id.as_str()), vec!["a3"]);
    assert_eq!(ids(&bob.closed, |d| d.opportunity_id.as_str()), vec!["b3"]);
    // Commit first: a2 (commit, 20 000) before a1 (best case, 50 000); b2's
    // 2026-11-30 is next week.
    assert_eq!(
        ids(&ann.closing_this_week, |d| d.opportunity_id.as_str()),
        vec!["a2", "a1"]
    );
    assert!(bob.closing_this_week.is_empty());
    assert_eq!(
        ids(&bob.new_opportunities, |d| d.opportunity_id.as_str()),
        vec!["b1"]
    );
    assert!(ann.new_opportunities.is_empty());
    let changes = |r: &pipedeck::domain::review::RepAgenda| -> Vec<(String, &'static str)> {
        r.changes
            .iter()
            .map(|c| (c.opportunity_id.0.to_string(), c.field.as_str()))
            .collect()
    };
    assert_eq!(changes(ann), vec![("a1".to_string(), "amount")]);
    assert_eq!(changes(bob), vec![("b2".to_string(), "forecast_category")]);
    // Open action items, earliest due first, undated last; done ones left out.
    assert_eq!(
        ids(&a.action_items, |i| i.text.as_str()),
        vec!["Call CFO", "Send pricing", "Someday"]
    );
    let boxes: Vec<(Section, u32)> = a.time_boxes.clone();
    assert_eq!(boxes.iter().map(|(_, m)| m).sum::<u32>(), 30);
    assert_eq!(boxes[0], (Section::Wins, 3));
}

#[test]
fn without_a_previous_review_the_window_is_the_previous_7_days() {
    let d = data();
    let settings = Settings {
        review_order: ReviewOrder::Name,
        ..Settings::default()
    };
    let a = agenda(
        &d,
        &d.stages,
        &[],
        &settings,
        &Calendar::default(),
        day("2026-11-24"),
    );
    assert_eq!(a.since, at("2026-11-17T00:00:00Z"));
    assert_eq!(a.since_label, "2026-11-17 (a week ago)");
    assert_eq!(a.previous_review, None);
    assert_eq!(ids(&a.reps, |r| r.rep_id.as_str()), vec!["ann", "bob"]);
    // a4 closed on 11-16, before the window.
    assert_eq!(
        ids(&a.reps[0].closed, |d| d.opportunity_id.as_str()),
        vec!["a3"]
    );
}

#[test]
fn review_day_is_today_or_the_next_review_weekday() {
    let s = Settings::default();
    let rows = [
        ("2026-11-23", "2026-11-24"), // Monday → Tuesday
        ("2026-11-24", "2026-11-24"), // Tuesday itself
        ("2026-11-25", "2026-12-01"), // Wednesday → next Tuesday
    ];
    for (today, want) in rows {
        assert_eq!(review_day(&s, day(today)), day(want), "{today}");
    }
}

#[test]
fn agenda_markdown_and_tables() {
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
    let report = AgendaReport::build(&input, &last_review());
    let md = render(&report, Format::Md).unwrap();
    let want_start = "# Pipeline review — Tuesday 2026-11-24\n\n\
        Since the review of 2026-11-17 (2026-11-17 09:00 UTC → 2026-11-25 00:00 UTC). \
        Closing week 2026-11-23 – 2026-11-29. 30 minutes.\n\n\
        Order: Bob (USD 110,000 open in 2 deals), Ann (USD 70,000 open in 2 deals)\n\n\
        ## 1. Closed since last review (3 min)\n\n\
        ### Bob\n\n\
        - Lost **Deal b3** (b3) — 8,000 — No budget\n\n\
        ### Ann\n\n\
        - Won **Deal a3** (a3) — 30,000\n\n\
        ## 2. Expected to close this week (10 min)\n\n\
        ### Ann\n\n\
        - [commit] **Deal a2** (a2) — 20,000 — Proposal — closes 2026-11-27\n\
        - [best_case] **Deal a1** (a1) — 50,000 — Proposal — closes 2026-11-26\n";
    assert!(md.starts_with(want_start), "{md}");
    assert!(
        md.contains("- **Deal a1** (a1): amount 40,000 → 50,000 (2026-11-19)"),
        "{md}"
    );
    assert!(
        md.contains("## 5. Action items (2 min)\n\n- [ ] Call CFO — bob — due 2026-11-26\n"),
        "{md}"
    );
    let tables = report.tables();
    assert_eq!(tables.len(), 6);
    assert_eq!(tables[0].rows[0][0], "Bob");
    let json: serde_json::Value =
        serde_json::from_str(&render(&report, Format::Json).unwrap()).unwrap();
    assert_eq!(json["review_day"], "2026-11-24");
    assert_eq!(
        json["reps"][0]["open_pipeline"],
        serde_json::json!(110_000.0)
    );
}

#[test]
fn markdown_times_are_in_the_configured_zone() {
    let d = data();
    let settings = Settings::default();
    let ny = Calendar {
        tz: "America/New_York".parse().unwrap(),
        ..Calendar::default()
    };
    let input = Input {
        data: &d,
        snapshots: &[],
        settings: &settings,
        cal: &ny,
        today: day("2026-11-24"),
        period: None,
    };
    let md = render(&AgendaReport::build(&input, &last_review()), Format::Md).unwrap();
    // 09:00 UTC on 17 November is 04:00 EST; the window ends at local midnight.
    assert!(
        md.contains("Since the review of 2026-11-17 (2026-11-17 04:00 EST → 2026-11-25 00:00 EST)"),
        "{md}"
    );
}
