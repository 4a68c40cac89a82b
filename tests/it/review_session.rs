//! A whole review run headlessly through the storage API on a real SQLite:
//! start, three edits, one activity, one close-lost, end — and the closing
//! report counts exactly those (expected numbers worked out by hand below).

use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::edit::{Edit, NewActivity, Stamp};
use pipedeck::domain::money::Money;
use pipedeck::domain::period::Calendar;
use pipedeck::domain::review::closing::closing_report;
use pipedeck::domain::*;
use pipedeck::report::review::ClosingReportView;
use pipedeck::report::{Format, render};
use pipedeck::storage::Store;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn rep(id: &str, name: &str) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: name.into(),
        email: None,
        role: Role::Ae,
        team: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    }
}

/// Deals o1, o2 (Ann) and o3 (Bob) on account acc1: Demo, 10 000, created
/// 2026-09-01, closing 2026-12-20, next step dated 2026-11-30.
fn deal(id: &str, owner: &str) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: format!("Deal {id}"),
        account_id: Some(AccountId("acc1".into())),
        owner_id: RepId(owner.into()),
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

fn store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let mut tx = store.begin().unwrap();
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).unwrap();
    }
    tx.upsert_rep(&rep("ae-01", "Ann")).unwrap();
    tx.upsert_rep(&rep("ae-02", "Bob")).unwrap();
    tx.upsert_account(&Account {
        id: AccountId("acc1".into()),
        name: "Acme".into(),
        segment: None,
        icp_tier: None,
        industry: None,
        employees: None,
    })
    .unwrap();
    for c in ["c1", "c2"] {
        tx.upsert_contact(&Contact {
            id: ContactId(c.into()),
            account_id: Some(AccountId("acc1".into())),
            name: c.into(),
            title: None,
        })
        .unwrap();
    }
    tx.upsert_opportunity(&deal("o1", "ae-01")).unwrap();
    tx.upsert_opportunity(&deal("o2", "ae-01")).unwrap();
    tx.upsert_opportunity(&deal("o3", "ae-02")).unwrap();
    tx.commit().unwrap();
    store
}

fn call(deal: &str, contact: &str, when: &str) -> NewActivity {
    NewActivity {
        rep_id: RepId("ae-01".into()),
        kind: ActivityKind::Call,
        meeting_type: None,
        label: None,
        opportunity_id: Some(OppId(deal.into())),
        account_id: None,
        contact_id: Some(ContactId(contact.into())),
        occurred_at: Some(at(when)),
        outcome: Some(Outcome::Connected),
        duration_min: Some(10),
        direction: None,
    }
}

#[test]
fn a_review_session_reports_exactly_what_it_changed() {
    let mut store = store();
    let settings = Settings::default();
    let cal = Calendar::default();
    let stages = settings.effective_stages(&store.load_stages().unwrap());
    let outside = Stamp::new(at("2026-11-24T08:00:00Z"));
    // Before the session: one edit and one activity that must not count.
    store
        .edit_deal(
            &OppId("o2".into()),
            &Edit::CloseDate(day("2027-02-01")),
            &stages,
            &outside,
        )
        .unwrap();
    store
        .log_activity(&call("o2", "c2", "2026-11-24T08:00:00Z"), &outside)
        .unwrap();

    let session = store
        .start_review(at("2026-11-24T09:00:00Z"), Some("mgr"))
        .unwrap();
    let s = |t: &str| Stamp {
        now: at(t),
        by: Some("mgr".into()),
        session: Some(session.id),
        day_end: None,
    };
    let st = &stages;
    store
        .edit_deal(
            &OppId("o1".into()),
            &Edit::Stage("Proposal".into()),
            st,
            &s("2026-11-24T09:05:00Z"),
        )
        .unwrap();
    store
        .edit_deal(
            &OppId("o1".into()),
            &Edit::CloseDate(day("2027-01-15")),
            st,
            &s("2026-11-24T09:07:00Z"),
        )
        .unwrap();
    store
        .edit_deal(
            &OppId("o2".into()),
            &Edit::Amount(Money::from_major(12_500)),
            st,
            &s("2026-11-24T09:10:00Z"),
        )
        .unwrap();
    store
        .log_activity(
            &call("o2", "c1", "2026-11-24T09:12:00Z"),
            &s("2026-11-24T09:12:00Z"),
        )
        .unwrap();
    store
        .edit_deal(
            &OppId("o3".into()),
            &Edit::Lost {
                reason: "No budget".into(),
            },
            st,
            &s("2026-11-24T09:15:00Z"),
        )
        .unwrap();

    let data = store.load_dataset().unwrap();
    let ended = at("2026-11-24T09:40:00Z");
    let r = closing_report(
        &data,
        &stages,
        &session,
        ended,
        &settings,
        &cal,
        day("2026-11-24"),
    );
    // 09:00 → 09:40.
    assert_eq!(r.minutes, 40);
    // o3 closed lost at 10 000.
    assert_eq!(r.closed.len(), 1);
    assert_eq!(r.closed[0].opportunity_id.as_str(), "o3");
    assert_eq!(r.closed[0].status, Status::Lost);
    assert_eq!(r.closed[0].amount, Some(Money(1_000_000)));
    // Updated: o1 (stage, close date) and o2 (amount); the close of o3 and the
    // pre-session close-date move of o2 are not edits of this session.
    assert_eq!(r.deals_updated, 2);
    let by_field: Vec<(&str, usize, usize)> = r
        .updated_by_field
        .iter()
        .map(|f| (f.field.as_str(), f.changes, f.deals))
        .collect();
    assert_eq!(
        by_field,
        vec![("stage", 1, 1), ("amount", 1, 1), ("close_date", 1, 1)]
    );
    // One call, to contact c1 (the 08:00 call to c2 was before the session).
    assert_eq!(
        (r.activities_logged, r.calls, r.emails, r.meetings),
        (1, 1, 0, 0)
    );
    assert_eq!(r.contacts_touched, 1);
    assert_eq!((r.snoozes, r.tags, r.action_items.len()), (0, 0, 0));
    // Left open on 2026-11-24: o1 is clean (touched today via the account,
    // Proposal since today, next step due 11-30); o2 has no stage history, so
    // it has been in Demo since 2026-09-01 (84 days > 21): stuck. o3 is closed.
    let left: Vec<(&str, usize, usize)> = r
        .left_open
        .iter()
        .map(|l| (l.rep_id.as_str(), l.hygiene_items, l.action_items))
        .collect();
    // Every active rep is listed, ae-02 with nothing left open.
    assert_eq!(left, vec![("ae-01", 1, 0), ("ae-02", 0, 0)]);

    let md = render(
        &ClosingReportView {
            currency: "USD".into(),
            report: r,
        },
        Format::Md,
    )
    .unwrap();
    store.end_review(session.id, ended, &md).unwrap();
    let stored = store.load_review_sessions().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].ended_at, Some(ended));
    let text = stored[0].report_markdown.as_deref().unwrap();
    assert!(text.contains("## Deals closed (1)"), "{text}");
    assert!(
        text.contains("- Lost **Deal o3** (o3, ae-02) — USD 10,000 — No budget"),
        "{text}"
    );
    assert!(text.contains("## Deals updated (2)"), "{text}");
    assert!(text.contains("| Ann | 1 | 0 |"), "{text}");
    // Every history row of the session carries its id: 3 edits + 3 close rows.
    let tagged = store
        .load_history()
        .unwrap()
        .iter()
        .filter(|h| h.review_session_id == Some(session.id))
        .count();
    assert_eq!(tagged, 6);
}

/// A call logged during the session but dated a month before it (`log
/// --at`) lies before the review's window: the window reads it besides, so
/// the closing report built from the window counts it, as the one built
/// from the whole database does.
#[test]
fn an_activity_of_the_session_dated_before_the_window_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    {
        let mut file = Store::open(&path).unwrap();
        let mut tx = file.begin().unwrap();
        let memory = store();
        for s in memory.load_stages().unwrap() {
            tx.upsert_stage(&s).unwrap();
        }
        let all = memory.load_dataset().unwrap();
        for r in &all.reps {
            tx.upsert_rep(r).unwrap();
        }
        for a in &all.accounts {
            tx.upsert_account(a).unwrap();
        }
        for c in &all.contacts {
            tx.upsert_contact(c).unwrap();
        }
        for o in &all.opportunities {
            tx.upsert_opportunity(o).unwrap();
        }
        tx.commit().unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    let settings = Settings::default();
    let cal = Calendar::default();
    let stages = settings.effective_stages(&store.load_stages().unwrap());
    let session = store
        .start_review(at("2026-11-24T09:00:00Z"), Some("mgr"))
        .unwrap();
    let stamp = Stamp {
        now: at("2026-11-24T09:12:00Z"),
        by: Some("mgr".into()),
        session: Some(session.id),
        day_end: None,
    };
    store
        .log_activity(&call("o2", "c1", "2026-10-01T10:00:00Z"), &stamp)
        .unwrap();
    // A touch of the same deal in the window: the back-dated call is not
    // even the deal's latest before it.
    store
        .log_activity(
            &call("o2", "c2", "2026-11-20T10:00:00Z"),
            &Stamp::new(at("2026-11-20T10:00:00Z")),
        )
        .unwrap();
    let today = day("2026-11-24");
    let window = crate::scale_window::review_window(&store, &settings, today);
    let whole = store.load_dataset().unwrap();
    let ended = at("2026-11-24T09:40:00Z");
    let counted = |data: &Dataset| {
        let r = closing_report(data, &stages, &session, ended, &settings, &cal, today);
        (r.activities_logged, r.calls, r.contacts_touched)
    };
    assert_eq!(counted(&whole), (1, 1, 1));
    assert_eq!(counted(&window), (1, 1, 1));
}
