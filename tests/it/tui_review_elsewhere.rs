//! Two cockpits on one database: A ends the review B is in. B never
//! attaches an edit to the ended session: its next edit is refused and B
//! leaves the review (or B learns it from its next reload), and `R` then
//! starts a new session. Effects are carried out inline, as the worker
//! does, each cockpit on its own connection to the file.

use crate::tui_fixture;

use pipedeck::storage::Store;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::{App, Effect, Start};
use pipedeck::tui::theme::Role;
use pipedeck::tui::{edit, loader};
use tui_fixture::*;

/// What the event loop and the worker do with an effect.
fn act(app: &mut App, store: &mut Store, a: Action) {
    let env = env();
    match app.update(a) {
        Some(Effect::Load(req)) => app.on_loaded(loader::load(store, &env, &req).expect("load")),
        Some(Effect::Edit(cmd, req)) => {
            app.on_edited(edit::apply(store, &env, app.now, &cmd));
            app.on_loaded(loader::load(store, &env, &req).expect("load"));
        }
        Some(Effect::BoxClock { .. }) | None => {}
        Some(other) => panic!("unexpected effect {other:?}"),
    }
}

fn session(app: &App) -> Option<i64> {
    app.review.run.as_ref().and_then(|r| r.session)
}

fn status(app: &App) -> String {
    app.status.as_ref().map_or(String::new(), |s| s.1.clone())
}

#[test]
fn an_edit_after_another_cockpit_ended_the_review_is_refused_and_the_review_left() {
    let (dir, mut sa) = store();
    let mut sb = Store::open(&dir.path().join("tui.db")).expect("second connection");
    let mut a = app_on(&sa, Start::Manager);
    let mut b = app_on(&sb, Start::Manager);

    act(&mut a, &mut sa, Action::StartReview);
    assert_eq!(session(&a), Some(1));
    act(&mut b, &mut sb, Action::StartReview);
    assert_eq!(session(&b), Some(1));
    assert!(
        status(&b).starts_with("resumed review #1"),
        "{}",
        status(&b)
    );
    act(&mut a, &mut sa, Action::EndReview);
    assert!(status(&a).starts_with("review #1 ended"), "{}", status(&a));

    // B pushes Bob's D-3 (closing this week) a week, in the session A ended.
    act(&mut b, &mut sb, Action::NextBox);
    let deal = b.selected_deal().expect("a deal selected");
    let before = sb.opportunity(&deal).expect("deal");
    act(&mut b, &mut sb, Action::PushClose);
    assert_eq!(b.review.run, None, "B left the ended review");
    let (role, msg) = b.status.clone().expect("a status");
    assert_eq!(role, Role::Alert);
    assert!(
        msg.starts_with("not saved: review #1 was ended elsewhere; left it (R starts a new one; "),
        "{msg}"
    );
    assert_eq!(sb.opportunity(&deal).expect("deal"), before);
    let stamped: Vec<_> = sb
        .load_history()
        .expect("history")
        .into_iter()
        .filter(|h| h.review_session_id == Some(1))
        .collect();
    assert_eq!(stamped, vec![], "nothing is stamped with the ended session");
    let s = screen(&mut b, 80, 24);
    assert!(
        s.contains("not saved: review #1 was ended elsewhere"),
        "{s}"
    );

    // R now starts a new session, and edits carry its id.
    act(&mut b, &mut sb, Action::StartReview);
    assert_eq!(session(&b), Some(2));
    assert!(
        status(&b).starts_with("review #2 started"),
        "{}",
        status(&b)
    );
    act(&mut b, &mut sb, Action::NextBox);
    act(&mut b, &mut sb, Action::PushClose);
    assert!(status(&b).starts_with("saved:"), "{}", status(&b));
    let last = sb.deal_history(&deal).expect("history");
    assert_eq!(last.last().and_then(|h| h.review_session_id), Some(2));
}

#[test]
fn a_reload_after_another_cockpit_ended_the_review_leaves_it() {
    let (dir, mut sa) = store();
    let mut sb = Store::open(&dir.path().join("tui.db")).expect("second connection");
    let mut b = app_on(&sb, Start::Manager);
    act(&mut b, &mut sb, Action::StartReview);
    assert_eq!(session(&b), Some(1));
    // Another front-end (here `pipedeck review end`'s use case) ends it.
    pipedeck::app::review::end(&mut sa, &env(), now(), None).expect("ended");

    act(&mut b, &mut sb, Action::Reload);
    assert_eq!(b.review.run, None, "B left the ended review");
    let (role, msg) = b.status.clone().expect("a status");
    assert_eq!(role, Role::Warn);
    assert!(msg.starts_with("review #1 was ended elsewhere"), "{msg}");
    // E has nothing to end; R starts review #2.
    act(&mut b, &mut sb, Action::EndReview);
    assert_eq!(status(&b), "no review session is running");
    act(&mut b, &mut sb, Action::StartReview);
    assert_eq!(session(&b), Some(2));
}

#[test]
fn ending_a_review_another_cockpit_ended_leaves_it() {
    let (dir, mut sa) = store();
    let mut sb = Store::open(&dir.path().join("tui.db")).expect("second connection");
    let mut b = app_on(&sb, Start::Manager);
    act(&mut b, &mut sb, Action::StartReview);
    pipedeck::app::review::end(&mut sa, &env(), now(), Some(1)).expect("ended");
    // B's E, before any reload: the session is already ended.
    let env = env();
    let Some(Effect::Edit(cmd, _)) = b.update(Action::EndReview) else {
        panic!("E asks to end the session");
    };
    b.on_edited(edit::apply(&mut sb, &env, b.now, &cmd));
    assert_eq!(b.review.run, None);
    assert!(
        status(&b).starts_with("review #1 was already ended elsewhere"),
        "{}",
        status(&b)
    );
    assert_eq!(b.review.closing, None);
}
