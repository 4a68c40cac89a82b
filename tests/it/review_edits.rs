//! The edit API on a real (in-memory) SQLite with the real migrations:
//! deal edits append history, validation refuses bad edits, activities and
//! snoozes behave as SPEC §6 says.

use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::edit::{Edit, NewActivity, Stamp};
use pipedeck::domain::hygiene::{Reason, count_by_reason, hygiene};
use pipedeck::domain::money::Money;
use pipedeck::domain::period::Calendar;
use pipedeck::domain::*;
use pipedeck::storage::{EditError, Store};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn deal(id: &str) -> Opportunity {
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

/// One AE, one account with a contact, and deals o1, o2 (stages from settings).
fn store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let mut tx = store.begin().unwrap();
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).unwrap();
    }
    tx.upsert_rep(&Rep {
        id: RepId("ae-01".into()),
        name: "Ann".into(),
        email: None,
        role: Role::Ae,
        team: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    })
    .unwrap();
    tx.upsert_account(&Account {
        id: AccountId("acc1".into()),
        name: "Acme".into(),
        segment: None,
        icp_tier: None,
        industry: None,
        employees: None,
    })
    .unwrap();
    tx.upsert_contact(&Contact {
        id: ContactId("c1".into()),
        account_id: Some(AccountId("acc1".into())),
        name: "Cy".into(),
        title: None,
    })
    .unwrap();
    tx.upsert_opportunity(&deal("o1")).unwrap();
    tx.upsert_opportunity(&deal("o2")).unwrap();
    tx.commit().unwrap();
    store
}

fn stamp(now: &str) -> Stamp {
    Stamp {
        now: at(now),
        by: Some("mgr".into()),
        session: None,
        day_end: None,
    }
}

fn stages(store: &Store) -> Vec<Stage> {
    store.load_stages().unwrap()
}

#[test]
fn edits_update_the_deal_and_append_history() {
    let mut store = store();
    let st = stages(&store);
    let id = OppId("o1".into());
    let s = stamp("2026-11-24T10:00:00Z");
    store
        .edit_deal(&id, &Edit::Stage("Proposal".into()), &st, &s)
        .unwrap();
    store
        .edit_deal(&id, &Edit::CloseDate(day("2027-01-15")), &st, &s)
        .unwrap();
    store
        .edit_deal(&id, &Edit::Amount(Money::from_major(12_500)), &st, &s)
        .unwrap();
    // The same amount again changes nothing and writes no history.
    let again = store
        .edit_deal(&id, &Edit::Amount(Money::from_major(12_500)), &st, &s)
        .unwrap();
    assert!(again.history.is_empty());
    let o = store.opportunity(&id).unwrap();
    assert_eq!(o.stage, "Proposal");
    assert_eq!(o.close_date, Some(day("2027-01-15")));
    assert_eq!(o.amount, Some(Money(1_250_000)));
    let h: Vec<(String, Option<String>, Option<String>)> = store
        .load_history()
        .unwrap()
        .into_iter()
        .map(|h| {
            let text = |v: Option<compact_str::CompactString>| v.map(|v| v.to_string());
            (
                h.field.as_str().to_string(),
                text(h.old_value),
                text(h.new_value),
            )
        })
        .collect();
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        h,
        vec![
            ("stage".into(), s("Demo"), s("Proposal")),
            ("close_date".into(), s("2026-12-20"), s("2027-01-15")),
            ("amount".into(), s("1000000"), s("1250000")),
        ]
    );
}

#[test]
fn refuses_bad_edits_with_clear_errors() {
    let mut store = store();
    let st = stages(&store);
    let s = stamp("2026-11-24T10:00:00Z");
    let o1 = OppId("o1".into());
    let err = store
        .edit_deal(&o1, &Edit::Stage("Nope".into()), &st, &s)
        .unwrap_err();
    assert!(
        err.to_string().starts_with("deal o1: stage \"Nope\""),
        "{err}"
    );
    let err = store
        .edit_deal(&OppId("zz".into()), &Edit::Won, &st, &s)
        .unwrap_err();
    assert!(matches!(err, EditError::NotFound(_)), "{err}");
    store
        .edit_deal(
            &o1,
            &Edit::Lost {
                reason: "No budget".into(),
            },
            &st,
            &s,
        )
        .unwrap();
    let err = store.edit_deal(&o1, &Edit::Won, &st, &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "deal o1: the deal is already lost; closed deals are not edited"
    );
    let o = store.opportunity(&o1).unwrap();
    assert_eq!(
        (o.status, o.loss_reason.as_deref()),
        (Status::Lost, Some("No budget"))
    );
    // Nothing of the refused edits landed: 3 history rows, all from the close.
    assert_eq!(store.load_history().unwrap().len(), 3);
}

#[test]
fn a_logged_activity_clears_untouched_and_an_edit_does_not() {
    let mut store = store();
    let st = stages(&store);
    let settings = Settings::default();
    let cal = Calendar::default();
    let today = day("2026-11-24");
    let untouched = |store: &Store| -> Vec<String> {
        let data = store.load_dataset().unwrap();
        hygiene(&data, &st, &settings, &cal, today)
            .into_iter()
            .filter(|i| i.has(Reason::Untouched))
            .map(|i| i.opportunity_id.0.to_string())
            .collect()
    };
    assert_eq!(untouched(&store), vec!["o1", "o2"]);
    store
        .edit_deal(
            &OppId("o1".into()),
            &Edit::NextStep {
                text: "Send SOW".into(),
                date: Some(day("2026-12-01")),
            },
            &st,
            &stamp("2026-11-24T09:00:00Z"),
        )
        .unwrap();
    assert_eq!(untouched(&store), vec!["o1", "o2"]);
    let a = store
        .log_activity(
            &NewActivity {
                rep_id: RepId("ae-01".into()),
                kind: ActivityKind::Call,
                meeting_type: None,
                label: None,
                opportunity_id: Some(OppId("o1".into())),
                account_id: None,
                contact_id: Some(ContactId("c1".into())),
                occurred_at: None,
                outcome: Some(Outcome::Connected),
                duration_min: Some(12),
                direction: None,
            },
            &stamp("2026-11-24T09:30:00Z"),
        )
        .unwrap();
    assert_eq!(a.account_id, Some(AccountId("acc1".into())));
    // The call touched the account too, so o2 (same account) is no longer untouched.
    assert!(untouched(&store).is_empty());
}

#[test]
fn refuses_bad_activities() {
    let mut store = store();
    let s = stamp("2026-11-24T09:30:00Z");
    let base = NewActivity {
        rep_id: RepId("ae-01".into()),
        kind: ActivityKind::Email,
        meeting_type: None,
        label: None,
        opportunity_id: Some(OppId("o1".into())),
        account_id: None,
        contact_id: None,
        occurred_at: None,
        outcome: None,
        duration_min: None,
        direction: None,
    };
    let cases: Vec<(NewActivity, &str)> = vec![
        (
            NewActivity {
                rep_id: RepId("ghost".into()),
                ..base.clone()
            },
            "rep ghost not found",
        ),
        (
            NewActivity {
                outcome: Some(Outcome::Held),
                ..base.clone()
            },
            "activity: outcome held does not fit an email",
        ),
        (
            NewActivity {
                duration_min: Some(5),
                ..base.clone()
            },
            "activity: a duration is for calls and meetings only, not an email",
        ),
        (
            NewActivity {
                occurred_at: Some(at("2026-11-25T00:00:00Z")),
                ..base.clone()
            },
            "activity: 2026-11-25T00:00:00+00:00 is in the future",
        ),
        (
            NewActivity {
                opportunity_id: None,
                ..base.clone()
            },
            "activity: an activity must touch a deal, an account or a contact",
        ),
    ];
    for (new, want) in cases {
        let err = store.log_activity(&new, &s).unwrap_err().to_string();
        assert!(err.starts_with(want), "{err}");
    }
    assert!(store.load_activities().unwrap().is_empty());
}

#[test]
fn snoozes_hide_until_their_date_stay_counted_and_are_all_kept() {
    let mut store = store();
    let st = stages(&store);
    let settings = Settings::default();
    let cal = Calendar::default();
    let id = OppId("o1".into());
    let today = day("2026-11-24");
    let err = store
        .snooze(
            &id,
            "  ",
            day("2026-12-01"),
            today,
            &stamp("2026-11-24T10:00:00Z"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let err = store
        .snooze(&id, "Legal", today, today, &stamp("2026-11-24T10:00:00Z"))
        .unwrap_err();
    assert!(err.to_string().contains("not after today"), "{err}");
    store
        .snooze(
            &id,
            "Waiting for budget",
            day("2026-11-28"),
            today,
            &stamp("2026-11-24T10:00:00Z"),
        )
        .unwrap();
    store
        .snooze(
            &id,
            "Legal review until December",
            day("2026-12-01"),
            today,
            &stamp("2026-11-24T11:00:00Z"),
        )
        .unwrap();
    // Both snoozes are kept, in order.
    let all = store.load_snoozes().unwrap();
    assert_eq!(
        all.iter().map(|s| s.until).collect::<Vec<_>>(),
        vec![day("2026-11-28"), day("2026-12-01")]
    );
    let data = store.load_dataset().unwrap();
    // Rows: (today, o1 on the to-do list?, o1 still on the list as snoozed?)
    let rows = [
        ("2026-11-24", false, true),
        ("2026-11-30", false, true), // the latest snooze (until Dec 1) is in force
        ("2026-12-01", true, false), // back on its until date
    ];
    for (d, todo, snoozed) in rows {
        let items = hygiene(&data, &st, &settings, &cal, day(d));
        let o1 = items.iter().find(|i| i.opportunity_id == id).unwrap();
        assert_eq!(o1.is_todo(), todo, "{d}");
        assert_eq!(o1.snooze.is_some(), snoozed, "{d}");
        // Counted whether snoozed or not: both deals are untouched.
        assert_eq!(count_by_reason(&items)[0], (Reason::Untouched, 2), "{d}");
    }
    let items = hygiene(&data, &st, &settings, &cal, day("2026-11-24"));
    let o1 = items.iter().find(|i| i.opportunity_id == id).unwrap();
    assert_eq!(
        o1.snooze.as_ref().map(|s| s.reason.as_str()),
        Some("Legal review until December")
    );
}

#[test]
fn tags_and_action_items_are_stored_with_the_session() {
    let mut store = store();
    let session = store
        .start_review(at("2026-11-24T09:00:00Z"), Some("mgr"))
        .unwrap();
    let err = store
        .start_review(at("2026-11-24T09:05:00Z"), None)
        .unwrap_err();
    assert!(matches!(err, EditError::SessionOpen { .. }), "{err}");
    let s = Stamp {
        session: Some(session.id),
        ..stamp("2026-11-24T09:10:00Z")
    };
    let id = OppId("o1".into());
    store
        .tag_deal(&id, StuckTag::Red, Some("Security review"), &s)
        .unwrap();
    let item = store
        .add_action_item(
            Some(&id),
            &RepId("ae-01".into()),
            "Call CFO",
            Some(day("2026-12-01")),
            &s,
        )
        .unwrap();
    let err = store
        .add_action_item(None, &RepId("ghost".into()), "x", None, &s)
        .unwrap_err();
    assert_eq!(err.to_string(), "rep ghost not found");
    let data = store.load_dataset().unwrap();
    assert_eq!(data.tags.len(), 1);
    assert_eq!(data.tags[0].review_session_id, Some(session.id));
    assert_eq!(data.action_items.len(), 1);
    assert_eq!(data.action_items[0].id, item.id);
    store
        .complete_action_item(item.id, at("2026-11-25T09:00:00Z"))
        .unwrap();
    assert!(
        store
            .complete_action_item(item.id, at("2026-11-25T09:00:00Z"))
            .is_err()
    );
    store
        .end_review(session.id, at("2026-11-24T09:40:00Z"), "# done")
        .unwrap();
    assert!(store.open_review_session().unwrap().is_none());
    assert!(matches!(
        store.end_review(session.id, at("2026-11-24T09:41:00Z"), "x"),
        Err(EditError::NoSession)
    ));
}
