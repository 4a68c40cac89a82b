//! Hygiene rules (SPEC §6) on a hand-made fixture: one row per case, each a
//! single deal with its activities and history, the expected reasons worked
//! out by hand for today = 2026-11-24 with the default settings
//! (stale_days 30, Demo max 21 days, Proposal max 14, slipping = 2 pushes in
//! the last 90 days, i.e. on or after 2026-08-26).

use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::hygiene::{Reason, count_by_reason, hygiene};
use pipedeck::domain::money::Money;
use pipedeck::domain::period::Calendar;
use pipedeck::domain::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const TODAY: &str = "2026-11-24";

/// A clean deal: created 2026-09-01, in Demo since 2026-11-10 (14 days),
/// next step dated 2026-11-30, closing 2026-12-20, on account acc1.
fn base(id: &str) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: format!("Deal {id}"),
        account_id: Some(AccountId("acc1".into())),
        owner_id: RepId("ae-01".into()),
        source_rep_id: None,
        created_at: Some(at("2026-09-01T12:00:00Z")),
        stage: "Demo".into(),
        amount: Some(Money::from_major(10_000)),
        close_date: Some(day("2026-12-20")),
        forecast_category: Some(ForecastCategory::Pipeline),
        status: Status::Open,
        closed_at: None,
        loss_reason: None,
        next_step: Some("Call".into()),
        next_step_date: Some(day("2026-11-30")),
        list_amount: None,
        channel: None,
    }
}

fn act(opp: Option<&str>, account: Option<&str>, when: &str) -> Activity {
    Activity {
        id: ActivityId(format!("a-{when}-{opp:?}-{account:?}").into()),
        rep_id: RepId("ae-01".into()),
        kind: ActivityKind::Call,
        meeting_type: None,
        label: None,
        opportunity_id: opp.map(|o| OppId(o.into())),
        account_id: account.map(|a| AccountId(a.into())),
        contact_id: None,
        occurred_at: at(when),
        outcome: None,
        duration_min: None,
        direction: None,
        review_session_id: None,
    }
}

fn hist(opp: &str, when: &str, field: HistoryField, old: &str, new: &str) -> HistoryEntry {
    HistoryEntry {
        opportunity_id: OppId(opp.into()),
        changed_at: at(when),
        field,
        old_value: (!old.is_empty()).then(|| old.to_string()).map(Into::into),
        new_value: Some(new.to_string().into()),
        changed_by: None,
        review_session_id: None,
    }
}

/// The stage entry of the base deal: into Demo on 2026-11-10.
fn into_demo(opp: &str) -> HistoryEntry {
    hist(
        opp,
        "2026-11-10T09:00:00Z",
        HistoryField::Stage,
        "Discovery",
        "Demo",
    )
}

struct Case {
    name: &'static str,
    deal: Opportunity,
    activities: Vec<Activity>,
    history: Vec<HistoryEntry>,
    want: Vec<Reason>,
}

fn touched(opp: &str) -> Activity {
    act(Some(opp), None, "2026-11-20T15:00:00Z")
}

fn push(opp: &str, when: &str) -> HistoryEntry {
    hist(
        opp,
        when,
        HistoryField::CloseDate,
        "2026-10-01",
        "2026-12-20",
    )
}

fn cases() -> Vec<Case> {
    use Reason::*;
    let mut v = Vec::new();
    let mut case = |name, deal: Opportunity, activities, extra: Vec<HistoryEntry>, want| {
        // Deals in Demo get the base stage entry; other stages bring their own.
        let mut history = Vec::new();
        if deal.stage == "Demo" {
            history.push(into_demo(deal.id.as_str()));
        }
        history.extend(extra);
        v.push(Case {
            name,
            deal,
            activities,
            history,
            want,
        })
    };
    case("clean", base("d"), vec![touched("d")], vec![], vec![]);
    // Untouched: Oct 26 → Nov 24 is 29 days; Oct 25 → Nov 24 is 30 days (hour irrelevant).
    case(
        "touched 29 days ago, late in the day",
        base("d"),
        vec![act(Some("d"), None, "2026-10-26T23:59:00Z")],
        vec![],
        vec![],
    );
    case(
        "touched 30 days ago, early in the day",
        base("d"),
        vec![act(Some("d"), None, "2026-10-25T00:01:00Z")],
        vec![],
        vec![Untouched],
    );
    case(
        "a record edit yesterday does not clear untouched",
        base("d"),
        vec![act(Some("d"), None, "2026-10-01T10:00:00Z")],
        vec![hist(
            "d",
            "2026-11-23T10:00:00Z",
            HistoryField::Amount,
            "1000000",
            "1200000",
        )],
        vec![Untouched],
    );
    case(
        "an activity on the deal's account counts",
        base("d"),
        vec![act(None, Some("acc1"), "2026-11-20T10:00:00Z")],
        vec![],
        vec![],
    );
    case(
        "an activity on another account does not",
        base("d"),
        vec![
            act(Some("d"), None, "2026-10-01T10:00:00Z"),
            act(None, Some("acc2"), "2026-11-20T10:00:00Z"),
        ],
        vec![],
        vec![Untouched],
    );
    case(
        "an activity after today does not count",
        base("d"),
        vec![act(Some("d"), None, "2026-11-30T10:00:00Z")],
        vec![],
        vec![Untouched],
    );
    let mut young = base("d");
    young.created_at = Some(at("2026-10-26T08:00:00Z"));
    case(
        "never touched, created 29 days ago",
        young,
        vec![],
        vec![],
        vec![],
    );
    let mut month = base("d");
    month.created_at = Some(at("2026-10-25T08:00:00Z"));
    case(
        "never touched, created 30 days ago",
        month,
        vec![],
        vec![],
        vec![Untouched],
    );
    let mut unknown = base("d");
    unknown.created_at = None;
    case(
        "never touched, created date unknown",
        unknown,
        vec![],
        vec![],
        vec![Untouched],
    );
    // Past due: before today only.
    let mut due_yesterday = base("d");
    due_yesterday.close_date = Some(day("2026-11-23"));
    case(
        "close date yesterday",
        due_yesterday,
        vec![touched("d")],
        vec![],
        vec![PastDue],
    );
    let mut due_today = base("d");
    due_today.close_date = Some(day(TODAY));
    case(
        "close date today",
        due_today,
        vec![touched("d")],
        vec![],
        vec![],
    );
    // Stuck: Proposal allows 14 days. Entered Nov 10 → 14 days; Nov 9 → 15.
    let mut proposal = base("d");
    proposal.stage = "Proposal".into();
    case(
        "Proposal for 14 days",
        proposal.clone(),
        vec![touched("d")],
        vec![hist(
            "d",
            "2026-11-10T23:00:00Z",
            HistoryField::Stage,
            "Demo",
            "Proposal",
        )],
        vec![],
    );
    case(
        "Proposal for 15 days",
        proposal.clone(),
        vec![touched("d")],
        vec![hist(
            "d",
            "2026-11-09T01:00:00Z",
            HistoryField::Stage,
            "Demo",
            "Proposal",
        )],
        vec![Stuck],
    );
    case(
        "an older stage entry: the latest one (Demo, Nov 10) decides",
        base("d"),
        vec![touched("d")],
        vec![hist(
            "d",
            "2026-09-02T10:00:00Z",
            HistoryField::Stage,
            "Prospecting",
            "Discovery",
        )],
        vec![],
    );
    let mut no_history = base("no-hist");
    no_history.stage = "Proposal".into();
    no_history.created_at = Some(at("2026-11-09T10:00:00Z"));
    v.push(Case {
        name: "no stage history: days in stage from created (15 > 14)",
        deal: no_history,
        activities: vec![touched("no-hist")],
        history: vec![],
        want: vec![Stuck],
    });
    let mut case = |name, deal: Opportunity, activities, extra: Vec<HistoryEntry>, want| {
        // Deals in Demo get the base stage entry; other stages bring their own.
        let mut history = Vec::new();
        if deal.stage == "Demo" {
            history.push(into_demo(deal.id.as_str()));
        }
        history.extend(extra);
        v.push(Case {
            name,
            deal,
            activities,
            history,
            want,
        })
    };
    // No next step.
    let mut none = base("d");
    none.next_step = None;
    none.next_step_date = None;
    case(
        "no next step",
        none,
        vec![touched("d")],
        vec![],
        vec![NoNextStep],
    );
    let mut blank = base("d");
    blank.next_step = Some("   ".into());
    case(
        "blank next step",
        blank,
        vec![touched("d")],
        vec![],
        vec![NoNextStep],
    );
    let mut overdue = base("d");
    overdue.next_step_date = Some(day("2026-11-23"));
    case(
        "next step dated yesterday",
        overdue,
        vec![touched("d")],
        vec![],
        vec![NoNextStep],
    );
    let mut step_today = base("d");
    step_today.next_step_date = Some(day(TODAY));
    case(
        "next step dated today",
        step_today,
        vec![touched("d")],
        vec![],
        vec![],
    );
    let mut undated = base("d");
    undated.next_step_date = None;
    case(
        "next step without a date",
        undated,
        vec![touched("d")],
        vec![],
        vec![],
    );
    // Slipping: today − 90 = 2026-08-26.
    case(
        "pushed twice in the window",
        base("d"),
        vec![touched("d")],
        vec![
            push("d", "2026-09-01T10:00:00Z"),
            push("d", "2026-11-01T10:00:00Z"),
        ],
        vec![Slipping],
    );
    case(
        "pushed twice in 100 days: only one push in the window",
        base("d"),
        vec![touched("d")],
        vec![
            push("d", "2026-08-16T10:00:00Z"),
            push("d", "2026-11-01T10:00:00Z"),
        ],
        vec![],
    );
    case(
        "first push exactly 90 days ago",
        base("d"),
        vec![touched("d")],
        vec![
            push("d", "2026-08-26T00:30:00Z"),
            push("d", "2026-11-01T10:00:00Z"),
        ],
        vec![Slipping],
    );
    case(
        "first push 91 days ago",
        base("d"),
        vec![touched("d")],
        vec![
            push("d", "2026-08-25T23:30:00Z"),
            push("d", "2026-11-01T10:00:00Z"),
        ],
        vec![],
    );
    case(
        "a push undone the next day is no push: one push left",
        base("d"),
        vec![touched("d")],
        vec![
            hist(
                "d",
                "2026-09-01T10:00:00Z",
                HistoryField::CloseDate,
                "2026-10-01",
                "2026-11-15",
            ),
            hist(
                "d",
                "2026-11-01T10:00:00Z",
                HistoryField::CloseDate,
                "2026-11-15",
                "2026-12-20",
            ),
            hist(
                "d",
                "2026-11-02T09:00:00Z",
                HistoryField::CloseDate,
                "2026-12-20",
                "2026-11-15",
            ),
        ],
        vec![],
    );
    case(
        "a pull-in is not a push",
        base("d"),
        vec![touched("d")],
        vec![
            hist(
                "d",
                "2026-10-01T10:00:00Z",
                HistoryField::CloseDate,
                "2026-12-31",
                "2026-12-20",
            ),
            push("d", "2026-11-01T10:00:00Z"),
        ],
        vec![],
    );
    let mut everything = base("d");
    everything.stage = "Proposal".into();
    everything.close_date = Some(day("2026-11-01"));
    everything.next_step = None;
    case(
        "every reason at once",
        everything,
        vec![act(Some("d"), None, "2026-09-15T10:00:00Z")],
        vec![
            hist(
                "d",
                "2026-09-20T10:00:00Z",
                HistoryField::Stage,
                "Demo",
                "Proposal",
            ),
            push("d", "2026-09-01T10:00:00Z"),
            push("d", "2026-11-01T10:00:00Z"),
        ],
        vec![Untouched, PastDue, Stuck, NoNextStep, Slipping],
    );
    v
}

#[test]
fn each_reason_flags_and_does_not_flag() {
    let settings = Settings::default();
    let stages = settings.stage_list();
    let cal = Calendar::default();
    for c in cases() {
        let data = Dataset {
            opportunities: vec![c.deal.clone()],
            activities: c.activities,
            history: c.history,
            ..Dataset::default()
        };
        let items = hygiene(&data, &stages, &settings, &cal, day(TODAY));
        let got: Vec<Reason> = items.first().map(|i| i.reasons()).unwrap_or_default();
        assert_eq!(got, c.want, "case: {}", c.name);
    }
}

#[test]
fn untouched_counts_days_in_the_configured_zone() {
    // 2026-10-26T02:00Z is 25 October 22:00 in New York (EDT, UTC−4): 30 days
    // before 24 November there, but 26 October (29 days) in UTC.
    let deal = base("d");
    let data = Dataset {
        opportunities: vec![deal],
        activities: vec![act(Some("d"), None, "2026-10-26T02:00:00Z")],
        history: vec![into_demo("d")],
        ..Dataset::default()
    };
    let settings = Settings::default();
    let stages = settings.stage_list();
    let utc = Calendar::default();
    let ny = Calendar {
        tz: "America/New_York".parse().unwrap(),
        ..Calendar::default()
    };
    let reasons = |cal: &Calendar| -> Vec<Reason> {
        hygiene(&data, &stages, &settings, cal, day(TODAY))
            .first()
            .map(|i| i.reasons())
            .unwrap_or_default()
    };
    assert_eq!(reasons(&utc), vec![]);
    assert_eq!(reasons(&ny), vec![Reason::Untouched]);
}

#[test]
fn flags_explain_themselves() {
    let data = Dataset {
        opportunities: vec![base("d")],
        activities: vec![act(Some("d"), None, "2026-10-21T10:00:00Z")],
        history: vec![into_demo("d")],
        ..Dataset::default()
    };
    let settings = Settings::default();
    let items = hygiene(
        &data,
        &settings.stage_list(),
        &settings,
        &Calendar::default(),
        day(TODAY),
    );
    let item = &items[0];
    // Oct 21 → Nov 24: 10 days left in October + 24 = 34 days.
    assert_eq!(item.last_touch, Some(day("2026-10-21")));
    assert_eq!(item.days_untouched, Some(34));
    let f = &item.flags[0];
    assert_eq!(f.threshold, "30 days");
    assert_eq!(f.observed, "34 days since the last touch on 2026-10-21");
    assert!(f.clear.contains("log a call"), "{}", f.clear);
    // Demo since Nov 10: 14 days; created Sep 1: 84 days (29 + 31 + 24).
    assert_eq!(item.days_in_stage, Some(14));
    assert_eq!(item.age_days, Some(84));
}

#[test]
fn sorted_by_amount_at_risk_then_age_and_closed_deals_ignored() {
    let mk = |id: &str, amount: Option<i64>, created: &str, status: Status| {
        let mut o = base(id);
        o.amount = amount.map(Money::from_major);
        o.created_at = Some(at(created));
        o.status = status;
        o.next_step = None; // every open one is flagged no_next_step
        o
    };
    let data = Dataset {
        opportunities: vec![
            mk("small", Some(1_000), "2026-09-01T00:00:00Z", Status::Open),
            mk(
                "big-new",
                Some(50_000),
                "2026-11-01T00:00:00Z",
                Status::Open,
            ),
            mk(
                "big-old",
                Some(50_000),
                "2026-08-01T00:00:00Z",
                Status::Open,
            ),
            mk("no-amount", None, "2026-01-01T00:00:00Z", Status::Open),
            mk("won", Some(99_000), "2026-01-01T00:00:00Z", Status::Won),
        ],
        activities: ["small", "big-new", "big-old", "no-amount", "won"]
            .iter()
            .map(|id| touched(id))
            .collect(),
        ..Dataset::default()
    };
    let settings = Settings::default();
    let mut stages = settings.stage_list();
    for s in &mut stages {
        s.max_days = None;
    }
    let items = hygiene(&data, &stages, &settings, &Calendar::default(), day(TODAY));
    let order: Vec<&str> = items.iter().map(|i| i.opportunity_id.as_str()).collect();
    assert_eq!(order, vec!["big-old", "big-new", "small", "no-amount"]);
    let counts = count_by_reason(&items);
    assert_eq!(counts[3], (Reason::NoNextStep, 4));
    assert_eq!(counts[0], (Reason::Untouched, 0));
}
