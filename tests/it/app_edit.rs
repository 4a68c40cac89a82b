//! The use cases both front-ends call (`app::edit`, `app::review`), on the
//! cockpit's small fixture (today Tue 2026-11-24, UTC): starting twice
//! resumes, ending stores the closing report, every edit is stamped on
//! `today`'s date, and the cockpit's and the command line's rules agree.

use crate::tui_fixture::{at, day, env, store};
use chrono::{DateTime, Utc};
use pipedeck::app::edit::{self, EditCmd, LogActivity, Saved};
use pipedeck::app::review;
use pipedeck::domain::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn a_stamp_on_a_fixed_today_keeps_the_time_of_day() {
    let env = env(); // today 2026-11-24
    // The clock on another day: moved onto the 24th, same time of day.
    assert_eq!(
        edit::now(&env, t("2026-12-03T14:05:09Z")),
        t("2026-11-24T14:05:09Z")
    );
    // The clock on the 24th: unchanged.
    assert_eq!(
        edit::now(&env, t("2026-11-24T08:00:00Z")),
        t("2026-11-24T08:00:00Z")
    );
    let s = edit::stamp(&env, t("2026-12-03T09:30:00Z"), Some("mgr"), Some(4));
    assert_eq!(s.now, t("2026-11-24T09:30:00Z"));
    assert_eq!(s.by.as_deref(), Some("mgr"));
    assert_eq!(s.session, Some(4));
}

#[test]
fn starting_a_review_twice_resumes_the_open_session() {
    let (_dir, mut store) = store();
    let env = env();
    let first = review::start(&mut store, &env, t("2026-11-24T09:00:00Z"), Some("mgr")).unwrap();
    assert_eq!((first.session.id, first.resumed), (1, false));
    assert_eq!(first.session.started_at, t("2026-11-24T09:00:00Z"));
    let again = review::start(&mut store, &env, t("2026-11-24T09:10:00Z"), None).unwrap();
    assert_eq!((again.session.id, again.resumed), (1, true));
    // Nothing new written: still one session, started at 09:00.
    assert_eq!(again.session.started_at, t("2026-11-24T09:00:00Z"));
    assert_eq!(store.load_review_sessions().unwrap().len(), 1);
}

#[test]
fn ending_a_review_stores_its_closing_report_and_returns_it() {
    let (_dir, mut store) = store();
    let env = env();
    let started = review::start(&mut store, &env, t("2026-11-24T09:00:00Z"), None).unwrap();
    let session = Some(started.session.id);
    // One edit in the session: D-3's close date, 27 Nov → 4 Dec.
    let cmd = EditCmd::SetCloseDate {
        opp: OppId("D-3".into()),
        date: day("2026-12-04"),
        session,
    };
    edit::apply(
        &mut store,
        &env,
        t("2026-11-24T09:05:00Z"),
        Some("mgr"),
        &cmd,
    )
    .unwrap();
    // A session that is not the open one is not ended.
    assert!(review::end(&mut store, &env, t("2026-11-24T09:30:00Z"), Some(9)).is_err());
    let ended = review::end(&mut store, &env, t("2026-11-24T09:30:00Z"), None).unwrap();
    assert_eq!(ended.session, 1);
    assert_eq!(ended.ended_at, t("2026-11-24T09:30:00Z"));
    assert!(
        ended.markdown.contains("D-3"),
        "the pushed deal is in the report:\n{}",
        ended.markdown
    );
    let stored = store.load_review_sessions().unwrap();
    assert_eq!(stored[0].ended_at, Some(t("2026-11-24T09:30:00Z")));
    assert_eq!(
        stored[0].report_markdown.as_deref(),
        Some(ended.markdown.as_str())
    );
    // Nothing open any more: a second end is refused.
    assert!(review::end(&mut store, &env, t("2026-11-24T09:31:00Z"), None).is_err());
}

#[test]
fn an_edit_is_stamped_on_today_with_its_editor_and_session() {
    let (_dir, mut store) = store();
    let env = env();
    let cmd = EditCmd::MoveStage {
        opp: OppId("D-2".into()),
        to: "Proposal".into(),
        session: None,
    };
    // The clock says 3 Dec; --today says 24 Nov.
    let saved = edit::apply(
        &mut store,
        &env,
        t("2026-12-03T11:00:00Z"),
        Some("ann"),
        &cmd,
    )
    .unwrap();
    let Saved::Deal(applied) = saved else {
        panic!("a deal edit: {saved:?}")
    };
    assert_eq!(applied.history.len(), 1);
    let h = &applied.history[0];
    assert_eq!(h.changed_at, t("2026-11-24T11:00:00Z"));
    assert_eq!(h.changed_by.as_deref(), Some("ann"));
    assert_eq!(
        (h.old_value.as_deref(), h.new_value.as_deref()),
        (Some("Demo"), Some("Proposal"))
    );
}

#[test]
fn a_next_step_without_a_date_is_due_a_week_from_today_from_either_front_end() {
    let (_dir, mut store) = store();
    let env = env();
    let cmd = EditCmd::SetNextStep {
        opp: OppId("D-2".into()),
        text: "Send SOW".into(),
        date: None,
        session: None,
    };
    edit::apply(&mut store, &env, at("2026-11-24"), None, &cmd).unwrap();
    let d = store.opportunity(&OppId("D-2".into())).unwrap();
    assert_eq!(d.next_step.as_deref(), Some("Send SOW"));
    assert_eq!(d.next_step_date, Some(day("2026-12-01")));
}

#[test]
fn a_log_without_a_rep_is_the_deal_owners_and_one_without_either_is_refused() {
    let (_dir, mut store) = store();
    let env = env();
    let log = LogActivity {
        rep: None,
        kind: ActivityKind::Call,
        opp: Some(OppId("D-3".into())),
        account: None,
        contact: None,
        outcome: Some(Outcome::Connected),
        minutes: None,
        meeting_type: None,
        label: None,
        at: None,
    };
    let cmd = EditCmd::Log {
        log: log.clone(),
        session: None,
    };
    let Saved::Logged(a) = edit::apply(&mut store, &env, at("2026-11-24"), None, &cmd).unwrap()
    else {
        panic!("a log")
    };
    assert_eq!(a.rep_id, RepId("bob".into()));
    assert_eq!(a.occurred_at, at("2026-11-24"));
    let cmd = EditCmd::Log {
        log: LogActivity { opp: None, ..log },
        session: None,
    };
    let err = edit::apply(&mut store, &env, at("2026-11-24"), None, &cmd).unwrap_err();
    assert_eq!(err.to_string(), "an activity needs a rep or a deal");
}

/// Two front-ends on one file: A ends the review B resumed. Every edit B
/// then makes in that session is refused (the session is checked in the
/// edit's own transaction) and writes nothing, ending it again says it has
/// ended, and B starts a new session, not the ended one.
#[test]
fn an_edit_in_a_review_ended_elsewhere_is_refused_and_writes_nothing() {
    use pipedeck::storage::{EditError, Store};
    let (dir, mut a) = store();
    let mut b = Store::open(&dir.path().join("tui.db")).unwrap();
    let env = env();
    let id = review::start(&mut a, &env, t("2026-11-24T09:00:00Z"), None)
        .unwrap()
        .session
        .id;
    let resumed = review::start(&mut b, &env, t("2026-11-24T09:01:00Z"), None).unwrap();
    assert_eq!((resumed.session.id, resumed.resumed), (id, true));
    review::end(&mut a, &env, t("2026-11-24T09:20:00Z"), Some(id)).unwrap();

    let before = b.load_dataset().unwrap();
    let session = Some(id);
    let d3 = || OppId("D-3".into());
    let edits = [
        EditCmd::MoveStage {
            opp: d3(),
            to: "Proposal".into(),
            session,
        },
        EditCmd::SetCloseDate {
            opp: d3(),
            date: day("2026-12-04"),
            session,
        },
        EditCmd::Log {
            log: LogActivity {
                rep: None,
                kind: ActivityKind::Call,
                opp: Some(d3()),
                account: None,
                contact: None,
                outcome: None,
                minutes: None,
                meeting_type: None,
                label: None,
                at: None,
            },
            session,
        },
        EditCmd::Snooze {
            opp: d3(),
            reason: "waiting".into(),
            until: day("2026-12-08"),
            session,
        },
        EditCmd::Tag {
            opp: d3(),
            tag: StuckTag::Red,
            note: None,
            session,
        },
        EditCmd::ActionItem {
            opp: d3(),
            owner: RepId("bob".into()),
            text: "call legal".into(),
            due: None,
            session,
        },
    ];
    for cmd in &edits {
        let err = edit::apply(
            &mut b,
            &env,
            t("2026-11-24T09:25:00Z"),
            Some("cockpit"),
            cmd,
        )
        .unwrap_err();
        assert!(
            matches!(err, EditError::SessionEnded { id: s } if s == id),
            "{cmd:?}: {err}"
        );
    }
    let after = b.load_dataset().unwrap();
    assert_eq!(after.opportunities, before.opportunities);
    assert_eq!(after.history, before.history);
    assert_eq!(after.activities, before.activities);
    assert_eq!(after.snoozes, before.snoozes);
    assert_eq!(after.tags, before.tags);
    assert_eq!(after.action_items, before.action_items);

    let end = review::end(&mut b, &env, t("2026-11-24T09:30:00Z"), Some(id)).unwrap_err();
    assert!(
        matches!(end, EditError::SessionEnded { id: s } if s == id),
        "{end}"
    );
    let next = review::start(&mut b, &env, t("2026-11-24T09:31:00Z"), None).unwrap();
    assert_eq!((next.session.id, next.resumed), (id + 1, false));
}
