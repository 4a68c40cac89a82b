//! Tests of `domain::edit`: hand-worked literals.

use super::*;
use crate::domain::Settings;

fn deal() -> Opportunity {
    Opportunity {
        id: OppId("o1".into()),
        name: "Deal".into(),
        account_id: None,
        owner_id: RepId("ae-01".into()),
        source_rep_id: None,
        created_at: None,
        stage: "Demo".into(),
        amount: Some(Money(1_000_000)),
        close_date: NaiveDate::from_ymd_opt(2026, 12, 1),
        forecast_category: Some(ForecastCategory::Pipeline),
        status: Status::Open,
        closed_at: None,
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

fn stamp() -> Stamp {
    Stamp {
        now: "2026-11-24T10:00:00Z".parse().unwrap(),
        by: Some("mgr".into()),
        session: Some(3),
        day_end: None,
    }
}

fn rows(a: &Applied) -> Vec<(&str, Option<&str>, Option<&str>)> {
    a.history
        .iter()
        .map(|h| {
            (
                h.field.as_str(),
                h.old_value.as_deref(),
                h.new_value.as_deref(),
            )
        })
        .collect()
}

#[test]
fn each_edit_records_exactly_its_fields_in_canonical_text() {
    let stages = Settings::default().stage_list();
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    type Row = (
        Edit,
        Vec<(&'static str, Option<&'static str>, Option<&'static str>)>,
    );
    let cases: Vec<Row> = vec![
        (
            Edit::Stage("proposal".into()),
            vec![("stage", Some("Demo"), Some("Proposal"))],
        ),
        (
            Edit::CloseDate(d(2026, 12, 15)),
            vec![("close_date", Some("2026-12-01"), Some("2026-12-15"))],
        ),
        // 12 500.00 is 1 250 000 cents.
        (
            Edit::Amount(Money(1_250_000)),
            vec![("amount", Some("1000000"), Some("1250000"))],
        ),
        (
            Edit::Category(ForecastCategory::Commit),
            vec![("forecast_category", Some("pipeline"), Some("commit"))],
        ),
        (
            Edit::NextStep {
                text: " Send SOW ".into(),
                date: Some(d(2026, 12, 1)),
            },
            vec![
                ("next_step", None, Some("Send SOW")),
                ("next_step_date", None, Some("2026-12-01")),
            ],
        ),
        (
            Edit::Won,
            vec![
                ("stage", Some("Demo"), Some("Closed Won")),
                ("forecast_category", Some("pipeline"), Some("closed")),
                ("status", Some("open"), Some("won")),
            ],
        ),
        (
            Edit::Lost {
                reason: "No budget".into(),
            },
            vec![
                ("stage", Some("Demo"), Some("Closed Lost")),
                ("forecast_category", Some("pipeline"), Some("closed")),
                ("status", Some("open"), Some("lost")),
            ],
        ),
        // Same value as now: no history.
        (Edit::Stage("Demo".into()), vec![]),
    ];
    for (edit, want) in cases {
        let a = apply(&deal(), &edit, &stages, &stamp()).unwrap();
        assert_eq!(rows(&a), want, "{edit:?}");
        assert!(
            a.history
                .iter()
                .all(|h| h.review_session_id == Some(3) && h.changed_by.as_deref() == Some("mgr"))
        );
    }
}

#[test]
fn closing_sets_the_closed_fields() {
    let stages = Settings::default().stage_list();
    let a = apply(
        &deal(),
        &Edit::Lost {
            reason: "No budget".into(),
        },
        &stages,
        &stamp(),
    )
    .unwrap();
    assert_eq!(a.deal.status, Status::Lost);
    assert_eq!(a.deal.loss_reason.as_deref(), Some("No budget"));
    assert_eq!(a.deal.closed_at, Some(stamp().now));
}

#[test]
fn refuses_invalid_edits() {
    let stages = Settings::default().stage_list();
    let mut closed = deal();
    closed.status = Status::Lost;
    let cases: Vec<(Opportunity, Edit, EditRule)> = vec![
        (closed.clone(), Edit::Won, EditRule::Closed(Status::Lost)),
        (
            closed,
            Edit::Amount(Money(5)),
            EditRule::Closed(Status::Lost),
        ),
        (
            deal(),
            Edit::Amount(Money(-1)),
            EditRule::NegativeAmount(Money(-1)),
        ),
        (
            deal(),
            Edit::Stage("Closed Won".into()),
            EditRule::TerminalStage("Closed Won".into()),
        ),
        (
            deal(),
            Edit::Category(ForecastCategory::Closed),
            EditRule::ClosedCategory,
        ),
        (
            deal(),
            Edit::NextStep {
                text: "  ".into(),
                date: None,
            },
            EditRule::EmptyNextStep,
        ),
        (
            deal(),
            Edit::Lost { reason: "".into() },
            EditRule::EmptyLossReason,
        ),
    ];
    for (d, edit, want) in cases {
        assert_eq!(apply(&d, &edit, &stages, &stamp()), Err(want), "{edit:?}");
    }
    let err = apply(&deal(), &Edit::Stage("Nope".into()), &stages, &stamp()).unwrap_err();
    assert!(matches!(err, EditRule::UnknownStage(ref n, _) if n == "Nope"));
    assert!(err.to_string().contains("Proposal"), "{err}");
}

fn new_activity(kind: ActivityKind) -> NewActivity {
    NewActivity {
        rep_id: RepId("ae-01".into()),
        kind,
        meeting_type: None,
        label: None,
        opportunity_id: Some(OppId("o1".into())),
        account_id: None,
        contact_id: None,
        occurred_at: None,
        outcome: None,
        duration_min: None,
        direction: None,
    }
}

#[test]
fn every_detail_that_misfits_its_kind_is_named_in_order() {
    use ActivityKind::*;
    let email = misfits(
        Email,
        Some(Outcome::Held),
        Some(MeetingType::First),
        Some(30),
    );
    assert_eq!(
        email,
        vec![
            ActivityRule::Outcome(Email, Outcome::Held),
            ActivityRule::MeetingType(Email),
            ActivityRule::Duration,
        ]
    );
    assert_eq!(
        misfits(Call, Some(Outcome::NoShow), None, Some(5)),
        vec![ActivityRule::Outcome(Call, Outcome::NoShow)]
    );
    let fits = [
        (Call, Some(Outcome::NoAnswer), None, Some(0)),
        (Email, Some(Outcome::Replied), None, None),
        (
            Meeting,
            Some(Outcome::NoShow),
            Some(MeetingType::First),
            Some(45),
        ),
        (Meeting, None, None, None),
    ];
    for (kind, outcome, meeting_type, minutes) in fits {
        assert_eq!(
            misfits(kind, outcome, meeting_type, minutes),
            vec![],
            "{kind}"
        );
    }
}

#[test]
fn activity_rules() {
    use ActivityKind::*;
    let mut on_account = deal();
    on_account.account_id = Some(AccountId("acc1".into()));
    let mut lost = deal();
    lost.status = Status::Lost;
    type Row = (NewActivity, Opportunity, Result<(), ActivityRule>);
    let with = |k, f: &dyn Fn(&mut NewActivity)| {
        let mut a = new_activity(k);
        f(&mut a);
        a
    };
    let rows: Vec<Row> = vec![
        (
            with(Call, &|a| a.outcome = Some(Outcome::Connected)),
            deal(),
            Ok(()),
        ),
        (
            with(Call, &|a| a.outcome = Some(Outcome::Replied)),
            deal(),
            Err(ActivityRule::Outcome(Call, Outcome::Replied)),
        ),
        (
            with(Meeting, &|a| a.outcome = Some(Outcome::NoShow)),
            deal(),
            Ok(()),
        ),
        (
            with(Email, &|a| a.meeting_type = Some(MeetingType::First)),
            deal(),
            Err(ActivityRule::MeetingType(Email)),
        ),
        (
            with(Call, &|a| a.duration_min = Some(-1)),
            deal(),
            Err(ActivityRule::NegativeDuration(-1)),
        ),
        (
            with(Meeting, &|a| a.duration_min = Some(1440)),
            deal(),
            Ok(()),
        ),
        (
            with(Call, &|a| a.duration_min = Some(1441)),
            deal(),
            Err(ActivityRule::LongDuration(1441)),
        ),
        (
            with(Call, &|a| {
                a.occurred_at = Some("1899-12-31T23:59:59Z".parse().unwrap());
            }),
            deal(),
            Err(ActivityRule::TooEarly("1899-12-31T23:59:59+00:00".into())),
        ),
        (
            with(Call, &|a| {
                a.occurred_at = Some("1900-01-01T00:00:00Z".parse().unwrap());
            }),
            deal(),
            Ok(()),
        ),
        (
            with(Email, &|a| a.account_id = Some(AccountId("other".into()))),
            on_account.clone(),
            Err(ActivityRule::AccountMismatch {
                given: "other".into(),
                deal: "acc1".into(),
            }),
        ),
        (
            with(Email, &|_| {}),
            lost,
            Err(ActivityRule::ClosedDeal(Status::Lost)),
        ),
    ];
    for (new, d, want) in rows {
        let got = activity(&new, Some(&d), ActivityId("x".into()), &stamp()).map(|_| ());
        assert_eq!(got, want, "{new:?}");
    }
    // Defaults: a meeting is a follow-up, an email outbound, the account
    // comes from the deal, the time is now, the session is stamped.
    let m = activity(
        &new_activity(Meeting),
        Some(&on_account),
        ActivityId("m".into()),
        &stamp(),
    )
    .unwrap();
    assert_eq!(m.meeting_type, Some(MeetingType::FollowUp));
    assert_eq!(m.direction, None);
    assert_eq!(m.account_id, Some(AccountId("acc1".into())));
    assert_eq!(m.occurred_at, stamp().now);
    assert_eq!(m.review_session_id, Some(3));
    let e = activity(
        &new_activity(Email),
        Some(&deal()),
        ActivityId("e".into()),
        &stamp(),
    )
    .unwrap();
    assert_eq!(e.direction, Some(Direction::Outbound));
}

#[test]
fn a_push_of_a_missed_close_date_starts_from_today_and_a_pull_from_the_date() {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    let today = d(11, 24);
    // Missed on 20 Nov: pushed a week from today, 1 Dec (not 27 Nov).
    assert_eq!(shifted_close_date(Some(d(11, 20)), today, 7), d(12, 1));
    // Still ahead on 27 Nov: a week after it, 4 Dec.
    assert_eq!(shifted_close_date(Some(d(11, 27)), today, 7), d(12, 4));
    // A pull goes back from the date itself, even one already missed.
    assert_eq!(shifted_close_date(Some(d(11, 20)), today, -7), d(11, 13));
    // No date: from today.
    assert_eq!(shifted_close_date(None, today, 7), d(12, 1));
}

#[test]
fn a_next_step_without_a_date_is_due_a_week_from_today() {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    assert_eq!(next_step_date(None, d(11, 24)), Some(d(12, 1)));
    assert_eq!(next_step_date(Some(d(11, 30)), d(11, 24)), Some(d(11, 30)));
}

#[test]
fn a_stage_step_moves_between_open_stages_only() {
    // Prospecting … Negotiation open, then Closed Won, Closed Lost.
    let stages = Settings::default().stage_list();
    let step =
        |from: &str, forward: bool| step_stage(&stages, from, forward).map(|s| s.name.clone());
    assert_eq!(step("Demo", true).as_deref(), Some("Proposal"));
    assert_eq!(step("Demo", false).as_deref(), Some("Discovery"));
    assert_eq!(step("Prospecting", false), None);
    assert_eq!(step("Negotiation", true), None);
    assert_eq!(step("Closed Won", true), None);
}
