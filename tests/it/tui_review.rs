//! A whole pipeline review driven headlessly through the cockpit: start,
//! push a close date, move a stage, log a call, close one lost, add an
//! action item, end; then the closing report and the database are checked.
//! Effects are carried out inline (what the worker does), so no threads or
//! sleeps are involved. And the deal card says the snooze a review left in
//! force.

use crate::tui_fixture;

use pipedeck::domain::*;
use pipedeck::storage::Store;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::{App, Effect, Focus, Start};
use pipedeck::tui::{edit, loader};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use tui_fixture::*;

/// Does what the event loop and the worker do with an effect (a load
/// sends the open deal's activities, then the parts).
fn carry_out(app: &mut App, store: &mut Store, effect: Option<Effect>) {
    let env = env();
    let load = |app: &mut App, store: &Store, req: &loader::Request| {
        if let Some(id) = req.deal.clone() {
            pipedeck::tui::apply_reply(app, loader::timeline(store, id));
        }
        app.on_loaded(loader::load(store, &env, req).expect("load"));
    };
    match effect {
        Some(Effect::Load(req)) => load(app, store, &req),
        Some(Effect::Edit(cmd, req)) => {
            app.on_edited(edit::apply(store, &env, app.now, &cmd));
            load(app, store, &req);
        }
        Some(Effect::Timeline(id)) => pipedeck::tui::apply_reply(app, loader::timeline(store, id)),
        Some(Effect::BoxClock { session, seconds }) => store
            .save_review_box_seconds(session, &seconds)
            .map(|kept| assert!(kept, "the review's timers kept"))
            .expect("saved"),
        Some(other) => panic!("unexpected effect {other:?}"),
        None => {}
    }
}

fn act(app: &mut App, store: &mut Store, a: Action) {
    let e = app.update(a);
    carry_out(app, store, e);
}

fn type_and_enter(app: &mut App, store: &mut Store, text: &str) {
    for c in text.chars() {
        assert_eq!(app.on_key(KeyEvent::from(KeyCode::Char(c))), None);
    }
    let e = app.on_key(KeyEvent::from(KeyCode::Enter));
    carry_out(app, store, e);
}

fn press(app: &mut App, store: &mut Store, k: KeyCode) {
    let e = app.on_key(KeyEvent::from(k));
    carry_out(app, store, e);
}

fn selected(app: &App) -> Option<String> {
    app.selected_deal().map(|d| d.0.to_string())
}

#[test]
fn a_whole_review_from_the_keyboard() {
    let (_dir, mut store) = store();
    let mut app = app_on(&store, Start::Manager);
    let t0 = app.now;

    act(&mut app, &mut store, Action::StartReview);
    assert_eq!(app.review.run.as_ref().and_then(|r| r.session), Some(1));
    assert_eq!(app.focus, Focus::Review);
    // Bob first: 40,000 open against Ann's 12,500.
    assert_eq!(app.review.current_rep().map(|r| r.0.as_str()), Some("bob"));

    // Box 2, closing this week (Mon 23 – Sun 29 Nov): Bob's D-3 closes on the 27th.
    app.now = t0 + chrono::Duration::minutes(2);
    act(&mut app, &mut store, Action::NextBox);
    assert_eq!(selected(&app).as_deref(), Some("D-3"));
    act(&mut app, &mut store, Action::PushClose); // 27 Nov + 7 days = 4 Dec

    // Ann, box 3: her hygiene items, largest first: D-1 (12,500, past due), D-2 (stuck).
    app.now = t0 + chrono::Duration::minutes(9);
    act(&mut app, &mut store, Action::NextRep);
    assert_eq!(app.review.current_rep().map(|r| r.0.as_str()), Some("ann"));
    act(&mut app, &mut store, Action::NextBox);
    act(&mut app, &mut store, Action::NextBox);
    assert_eq!(app.review.box_idx, 2);
    assert_eq!(selected(&app).as_deref(), Some("D-1"));
    act(&mut app, &mut store, Action::StageForward); // Proposal → Negotiation
    // A call asks its outcome (a list: enter keeps "connected"), then a note.
    act(&mut app, &mut store, Action::LogCall);
    assert!(app.picker.is_some(), "logging asks for the outcome");
    press(&mut app, &mut store, KeyCode::Enter);
    type_and_enter(&mut app, &mut store, "Asked for pricing");
    // An action item asks its text, its owner (the deal's owner first) and
    // its due date (a week from today typed in: enter keeps it).
    act(&mut app, &mut store, Action::ActionItem);
    type_and_enter(&mut app, &mut store, "Send revised pricing");
    assert!(app.picker.is_some(), "the owner is picked from a list");
    press(&mut app, &mut store, KeyCode::Enter);
    assert_eq!(
        app.prompt.as_ref().map(|p| p.text.as_str()),
        Some("2026-12-01")
    );
    press(&mut app, &mut store, KeyCode::Enter);
    act(&mut app, &mut store, Action::Down);
    assert_eq!(selected(&app).as_deref(), Some("D-2"));
    act(&mut app, &mut store, Action::CloseLost);
    assert!(app.prompt.is_some(), "close lost asks for a reason");
    type_and_enter(&mut app, &mut store, "No budget");
    // … and for a confirmation: any key but y cancels, y closes.
    assert!(
        app.prompt
            .as_ref()
            .is_some_and(|p| p.label.contains("LOST"))
    );
    press(&mut app, &mut store, KeyCode::Char('y'));

    app.now = t0 + chrono::Duration::minutes(25);
    act(&mut app, &mut store, Action::EndReview);
    assert!(app.review.run.is_none());
    let md = app.review.closing.clone().expect("closing report");

    // The closing report, worked out from the script above: D-2 closed lost;
    // D-3 (close date) and D-1 (stage) updated; one call; one action item;
    // 25 minutes from start to end.
    for want in [
        "# Pipeline review #1 — closing report",
        "(25 min)",
        "## Deals closed (1)",
        "D-2",
        "No budget",
        "## Deals updated (2)",
        "(D-1, ann)\n  - stage: Proposal → Negotiation",
        "(D-3, bob)\n  - close date: 2026-11-27 → 2026-12-04",
        "Activities logged: 1 (1 calls, 0 emails, 0 meetings)",
        "## Action items (1)",
        "Send revised pricing — Ann Archer — due 2026-12-01",
        // Left open: Ann's D-1 is still past due (closes 20 Nov) and has
        // the new action item; Bob's D-3 is still untouched and stuck.
        "| Ann Archer | 1 | 1 |",
        "| Bo Bäckström | 1 | 0 |",
    ] {
        assert!(md.contains(want), "missing {want:?} in:\n{md}");
    }

    // The database: every change carries session 1.
    let data = store.load_dataset().expect("load");
    let in_session: Vec<(&str, HistoryField, Option<&str>, Option<&str>)> = data
        .history
        .iter()
        .filter(|h| h.review_session_id == Some(1))
        .map(|h| {
            (
                h.opportunity_id.as_str(),
                h.field,
                h.old_value.as_deref(),
                h.new_value.as_deref(),
            )
        })
        .collect();
    for want in [
        (
            "D-3",
            HistoryField::CloseDate,
            Some("2026-11-27"),
            Some("2026-12-04"),
        ),
        (
            "D-1",
            HistoryField::Stage,
            Some("Proposal"),
            Some("Negotiation"),
        ),
        ("D-2", HistoryField::Status, Some("open"), Some("lost")),
    ] {
        assert!(
            in_session.contains(&want),
            "missing {want:?} in {in_session:?}"
        );
    }
    let d2 = data.opportunity(&OppId("D-2".into())).expect("D-2");
    assert_eq!(
        (d2.status, d2.loss_reason.as_deref()),
        (Status::Lost, Some("No budget"))
    );
    let d1 = data.opportunity(&OppId("D-1".into())).expect("D-1");
    assert_eq!(d1.stage, "Negotiation");
    let calls: Vec<_> = data
        .activities
        .iter()
        .filter(|a| a.review_session_id == Some(1))
        .map(|a| {
            (
                a.kind,
                a.opportunity_id.as_ref().map(|o| o.0.as_str()),
                a.rep_id.as_str(),
            )
        })
        .collect();
    assert_eq!(calls, vec![(ActivityKind::Call, Some("D-1"), "ann")]);
    let call = data
        .activities
        .iter()
        .find(|a| a.review_session_id == Some(1))
        .expect("the call");
    assert_eq!(
        (call.outcome, call.label.as_deref()),
        (Some(Outcome::Connected), Some("Asked for pricing"))
    );
    let items: Vec<_> = data
        .action_items
        .iter()
        .map(|a| {
            (
                a.owner_id.as_str(),
                a.text.as_str(),
                a.due_date,
                a.review_session_id,
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![(
            "ann",
            "Send revised pricing",
            Some(day("2026-12-01")),
            Some(1)
        )]
    );
    let sessions = store.load_review_sessions().expect("sessions");
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].ended_at.is_some());
    assert_eq!(sessions[0].report_markdown.as_deref(), Some(md.as_str()));

    // S saves the closing report as Markdown.
    match app.update(Action::SaveReport) {
        Some(Effect::Save { path, text }) => {
            // The full path, so the status line says where it went.
            assert!(path.is_absolute(), "{path:?}");
            assert!(path.ends_with("pipedeck-review-2026-11-24.md"), "{path:?}");
            assert_eq!(text, md);
        }
        other => panic!("expected a save, got {other:?}"),
    }
    // Its title names the meeting's report, no rep (it named the rep in view).
    for (w, h) in [(80, 24), (200, 60)] {
        let s = screen(&mut app, w, h);
        assert!(s.contains("┌ ▶ Review · closing report ─"), "{s}");
    }
    // Esc goes back from the closing report to the agenda.
    app.update(Action::Back);
    assert!(app.review.closing.is_none());
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("· agenda ─"), "{s}");
    assert!(!s.contains("closing report"), "{s}");
}

#[test]
fn an_edit_refused_by_the_rules_says_why_and_changes_nothing() {
    let (_dir, mut store) = store();
    let mut app = app_on(&store, Start::Manager);
    // Negotiation is the last open stage: no stage forward from D-3.
    app.update(Action::FocusHygiene);
    assert_eq!(selected(&app).as_deref(), Some("D-3"));
    assert_eq!(app.update(Action::StageForward), None);
    let (_, msg) = app.status.clone().expect("a message");
    assert!(msg.contains("no open stage that way"), "{msg}");
    // Ending a review that was never started is refused in words.
    assert_eq!(app.update(Action::EndReview), None);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|(_, m)| m.contains("no review session"))
    );
    // A snooze with an empty reason saves nothing (enter keeps the date).
    act(&mut app, &mut store, Action::Snooze);
    press(&mut app, &mut store, KeyCode::Enter);
    type_and_enter(&mut app, &mut store, "   ");
    assert!(store.load_dataset().expect("load").snoozes.is_empty());
}

#[test]
fn pushing_a_past_due_close_date_starts_from_today() {
    let (_dir, mut store) = store();
    let mut app = app_on(&store, Start::Manager);
    app.update(Action::FocusHygiene);
    // Largest at risk first: D-3 (40,000), then D-1 (12,500, due 20 Nov).
    act(&mut app, &mut store, Action::Down);
    assert_eq!(selected(&app).as_deref(), Some("D-1"));
    act(&mut app, &mut store, Action::PushClose);
    // Today is 24 Nov: a week from today, 1 Dec, not a week from the missed date (27 Nov).
    let d1 = store.opportunity(&OppId("D-1".into())).expect("deal");
    assert_eq!(d1.close_date, Some(day("2026-12-01")));
}

#[test]
fn closing_won_asks_first_and_any_other_key_cancels() {
    let (_dir, mut store) = store();
    let mut app = app_on(&store, Start::Manager);
    app.update(Action::FocusHygiene);
    assert_eq!(selected(&app).as_deref(), Some("D-3"));
    act(&mut app, &mut store, Action::CloseWon);
    let label = app
        .prompt
        .as_ref()
        .map(|p| p.label.clone())
        .unwrap_or_default();
    assert!(
        label.contains("D-3") && label.contains("WON at 40,000"),
        "{label}"
    );
    // n (or anything but y) cancels: the deal stays open.
    press(&mut app, &mut store, KeyCode::Char('n'));
    assert!(app.prompt.is_none());
    let d3 = store.opportunity(&OppId("D-3".into())).expect("deal");
    assert_eq!(d3.status, Status::Open);
    act(&mut app, &mut store, Action::CloseWon);
    press(&mut app, &mut store, KeyCode::Char('y'));
    let d3 = store.opportunity(&OppId("D-3".into())).expect("deal");
    assert_eq!(d3.status, Status::Won);
}

#[test]
fn exact_edits_and_undo_append_the_reverse_change() {
    let (_dir, mut store) = store();
    let mut app = app_on(&store, Start::Manager);
    app.update(Action::FocusHygiene);
    act(&mut app, &mut store, Action::Down);
    assert_eq!(selected(&app).as_deref(), Some("D-1"));
    // On the deal itself: fixing the date clears its flag and drops it from
    // the hygiene list, the deal pane keeps it.
    act(&mut app, &mut store, Action::Open);
    assert_eq!(app.focus, Focus::Deal);
    // An exact close date: the current one is typed in; replace it.
    act(&mut app, &mut store, Action::SetCloseDate);
    assert_eq!(
        app.prompt.as_ref().map(|p| p.text.as_str()),
        Some("2026-11-20")
    );
    for _ in 0..10 {
        press(&mut app, &mut store, KeyCode::Backspace);
    }
    type_and_enter(&mut app, &mut store, "2027-01-15");
    // A stage from the list (Prospecting … Negotiation; D-1 is in Proposal).
    act(&mut app, &mut store, Action::PickStage);
    let p = app.picker.as_ref().expect("a list of stages");
    assert_eq!(p.value(), Some("Proposal"));
    press(&mut app, &mut store, KeyCode::Up);
    press(&mut app, &mut store, KeyCode::Enter);
    // The amount and the category.
    act(&mut app, &mut store, Action::SetAmount);
    assert_eq!(app.prompt.as_ref().map(|p| p.text.as_str()), Some("12500"));
    for _ in 0..5 {
        press(&mut app, &mut store, KeyCode::Backspace);
    }
    type_and_enter(&mut app, &mut store, "15000");
    act(&mut app, &mut store, Action::SetCategory);
    press(&mut app, &mut store, KeyCode::Up); // commit → best case
    press(&mut app, &mut store, KeyCode::Enter);
    let d1 = store.opportunity(&OppId("D-1".into())).expect("deal");
    assert_eq!(
        (
            d1.close_date,
            d1.stage.as_str(),
            d1.amount,
            d1.forecast_category
        ),
        (
            Some(day("2027-01-15")),
            "Demo",
            Some(Money::from_major(15_000)),
            Some(ForecastCategory::BestCase)
        )
    );
    // u undoes the category, then the amount: two more history rows each
    // way, none deleted.
    let before = store.load_dataset().expect("load").history.len();
    act(&mut app, &mut store, Action::Undo);
    act(&mut app, &mut store, Action::Undo);
    let d1 = store.opportunity(&OppId("D-1".into())).expect("deal");
    assert_eq!(
        (d1.amount, d1.forecast_category),
        (
            Some(Money::from_major(12_500)),
            Some(ForecastCategory::Commit)
        )
    );
    assert_eq!(
        store.load_dataset().expect("load").history.len(),
        before + 2
    );
    // Then the stage and the date; then nothing is left to undo.
    act(&mut app, &mut store, Action::Undo);
    act(&mut app, &mut store, Action::Undo);
    let d1 = store.opportunity(&OppId("D-1".into())).expect("deal");
    assert_eq!(
        (d1.close_date, d1.stage.as_str()),
        (Some(day("2026-11-20")), "Proposal")
    );
    act(&mut app, &mut store, Action::Undo);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|(_, m)| m.contains("nothing to undo")),
        "{:?}",
        app.status
    );
    // Esc goes back to where the deal was opened.
    act(&mut app, &mut store, Action::Back);
    assert_eq!(app.focus, Focus::Hygiene);
}
/// The deal card says the snooze in force, as `deal ID show` does: one
/// that ran out (D-1 snoozed on 10 Nov until 20 Nov; today is 24 Nov) is
/// not said, and the deal is back on the to-do list with its flags.
#[test]
fn the_deal_card_says_only_the_snooze_in_force() {
    let (_dir, mut store) = store();
    let d1 = OppId("D-1".into());
    // Snoozes D-1 on `on` until `until`, then opens its card from the
    // hygiene list after `pick` (the to-do list's second row, or the
    // snoozed list's first): the card's screen.
    let mut card = |on: &str, until: &str, reason: &str, pick: Action| {
        let stamp = pipedeck::domain::edit::Stamp::new(at(on));
        store
            .snooze(&d1, reason, day(until), day(on), &stamp)
            .expect("snooze");
        let mut a = app_on(&store, Start::Manager);
        a.update(Action::FocusHygiene);
        a.update(pick);
        open_deal(&mut a, &store);
        assert_eq!(a.deal.opp, Some(d1.clone()));
        screen(&mut a, 200, 60)
    };
    let s = card("2026-11-10", "2026-11-20", "on leave", Action::Down);
    assert!(s.contains("past due: "), "{s}");
    assert!(!s.contains("snoozed") && !s.contains("on leave"), "{s}");
    // Snoozed again on 22 Nov until 1 Dec: in force, said, and the deal is
    // among the snoozed ones.
    let s = card(
        "2026-11-22",
        "2026-12-01",
        "back from leave",
        Action::ToggleSnoozed,
    );
    assert!(s.contains("until 2026-12-01: back from leave"), "{s}");
    assert!(!s.contains("until 2026-11-20"), "{s}");
}

/// The card flags the deal opened whoever owns it: the rep filter narrows
/// the hygiene list, not the card. D-3 is Bo's; with Ann picked it is off
/// the list, and its card still says why it is flagged.
#[test]
fn the_deal_card_flags_a_deal_of_a_rep_filtered_out() {
    let (_dir, mut store) = store();
    let mut a = app_on(&store, Start::Manager);
    a.update(Action::FocusHygiene);
    // Hygiene lists D-3 (40,000) first.
    open_deal(&mut a, &store);
    assert_eq!(a.deal.opp, Some(OppId("D-3".into())));
    let before = screen(&mut a, 200, 60);
    assert!(before.contains("⚑ flagged"), "{before}");
    // `r` picks the first rep by name, Ann Archer, and reloads.
    act(&mut a, &mut store, Action::RepFilter);
    assert_eq!(a.rep_filter, Some(RepId("ann".into())));
    let rows: Vec<_> = a.hygiene.report.iter().flat_map(|r| &r.rows).collect();
    assert!(rows.iter().all(|r| r.owner_id.0 == "ann"), "{rows:?}");
    assert_eq!(a.deal.opp, Some(OppId("D-3".into())));
    let after = screen(&mut a, 200, 60);
    let flags = |s: &str| s.lines().filter(|l| l.contains("⚑ flagged")).count();
    assert_eq!(flags(&after), flags(&before), "{after}");
}

/// The card says the stuck tag in force today, as the hygiene list and
/// `deal ID show` do: D-1 was tagged yellow on 17 Nov; a red tag stamped
/// 26 Nov (set with a later `--today`) is not yet set on 24 Nov.
#[test]
fn the_deal_card_says_the_tag_in_force_today() {
    let (_dir, mut store) = store();
    let d1 = OppId("D-1".into());
    let stamp = pipedeck::domain::edit::Stamp::new(at("2026-11-26"));
    store
        .tag_deal(&d1, StuckTag::Red, None, &stamp)
        .expect("tag");
    let mut a = app_on(&store, Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Down);
    open_deal(&mut a, &store);
    assert_eq!(a.deal.opp, Some(d1.clone()));
    let row = a.deal.flagged_row().expect("D-1 is flagged");
    assert_eq!(row.tag, Some(StuckTag::Yellow));
    let s = screen(&mut a, 200, 60);
    let tag = s
        .lines()
        .find(|l| l.contains("stuck tag"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(tag.contains("yellow"), "{tag}");
    assert!(!tag.contains("red"), "{tag}");
}

/// While a review runs, the clock keeps its timers once a minute, so a
/// cockpit killed (not quit) loses at most a minute of the box it was in.
#[test]
fn a_running_review_keeps_its_timers_every_minute() {
    let (_dir, mut store) = store();
    let mut app = app_on(&store, Start::Manager);
    let t0 = app.now;
    let at = |s: i64| t0 + chrono::Duration::seconds(s);
    // No review yet: nothing to keep.
    assert_eq!(app.on_clock(at(5)), None);
    // Started at 5 s (the clock's last reading): the first box from then.
    act(&mut app, &mut store, Action::StartReview);
    assert_eq!(app.on_clock(at(30)), None);
    assert_eq!(app.on_clock(at(89)), None);
    let kept = app.on_clock(at(91));
    assert_eq!(
        kept,
        Some(Effect::BoxClock {
            session: 1,
            seconds: vec![86, 0, 0, 0, 0],
        })
    );
    carry_out(&mut app, &mut store, kept);
    assert_eq!(
        store.review_box_seconds(1, 5).expect("read"),
        [86, 0, 0, 0, 0]
    );
    assert_eq!(app.on_clock(at(150)), None);
    assert!(matches!(
        app.on_clock(at(151)),
        Some(Effect::BoxClock { .. })
    ));
}
