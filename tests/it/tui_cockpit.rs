//! The cockpit on a small hand-made team: every pane snapshotted at 80×24
//! and 200×60 on `TestBackend`, and the app driven headlessly by actions.

use crate::tui_fixture;

use pipedeck::domain::*;
use pipedeck::tui::action::Action;
use pipedeck::tui::app::{Effect, Focus, Start};
use tui_fixture::*;

#[test]
fn every_pane_at_both_sizes() {
    for (name, action) in [
        ("review", Action::FocusReview),
        ("hygiene", Action::FocusHygiene),
        ("reps", Action::FocusReps),
        ("anomalies", Action::FocusAnomalies),
        ("forecast", Action::FocusForecast),
        ("pipeline", Action::FocusPipeline),
        ("deal_empty", Action::FocusDeal),
        ("help", Action::Help),
    ] {
        for (w, h) in [(80, 24), (200, 60)] {
            let mut a = app(Start::Manager);
            a.update(action);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&mut a, w, h));
        }
    }
}

#[test]
fn deal_pane_shows_fields_timeline_and_tag() {
    for (w, h) in [(80, 24), (200, 60)] {
        let (_dir, store) = store();
        let mut a = app_on(&store, Start::Manager);
        // Hygiene lists D-3 (40,000) then D-1 (12,500): the second row.
        a.update(Action::FocusHygiene);
        a.update(Action::Down);
        open_deal(&mut a, &store);
        assert_eq!(a.focus, Focus::Deal);
        assert_eq!(a.deal.opp, Some(OppId("D-1".into())));
        let s = screen(&mut a, w, h);
        assert!(!s.contains("reading the deal's"), "{s}");
        // Closes 20 Nov, today is 24 Nov: past due.
        assert!(s.contains("past due: "), "{s}");
        // The escape sequence in the next step never reaches the terminal.
        assert!(!s.contains('\x1b'));
        assert!(s.contains("yellow: waiting on the customer"), "{s}");
        assert!(s.contains("stage: Demo → Proposal"), "{s}");
        assert!(s.contains("12,500"), "{s}");
        insta::assert_snapshot!(format!("deal_{w}x{h}"), s);
    }
}

/// The review window holds a deal's recent activities only (of those
/// before it, the latest one's instant, its last touch): opening the deal
/// reads the rest on the worker, and until then the pane says so.
#[test]
fn the_deal_pane_reads_the_whole_timeline_when_a_deal_is_opened() {
    let (_dir, mut store) = store();
    let mut tx = store.begin().expect("tx");
    for (id, day) in [("A-old-1", "2026-06-01"), ("A-old-2", "2026-07-01")] {
        tx.upsert_activity(&Activity {
            id: ActivityId(id.into()),
            rep_id: RepId("ann".into()),
            kind: ActivityKind::Email,
            meeting_type: None,
            label: Some(format!("note of {day}")),
            opportunity_id: Some(OppId("D-1".into())),
            account_id: Some(AccountId("acme".into())),
            contact_id: None,
            occurred_at: at(day),
            outcome: None,
            duration_min: None,
            direction: Some(Direction::Outbound),
            review_session_id: None,
        })
        .expect("activity");
    }
    tx.commit().expect("commit");
    let mut a = app_on(&store, Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Down);
    let Some(Effect::Timeline(id)) = a.update(Action::Open) else {
        panic!("opening a deal asks for its activities");
    };
    assert_eq!(id, OppId("D-1".into()));
    let before = screen(&mut a, 200, 60);
    assert!(
        before.contains("(reading the deal's earlier activities…)"),
        "{before}"
    );
    assert!(before.contains("2026-11-12 call by Ann Archer"), "{before}");
    assert!(!before.contains("note of 2026-07-01"), "{before}");
    assert!(!before.contains("note of 2026-06-01"), "{before}");
    pipedeck::tui::apply_reply(&mut a, pipedeck::tui::loader::timeline(&store, id));
    let after = screen(&mut a, 200, 60);
    assert!(!after.contains("reading the deal's"), "{after}");
    assert!(after.contains("note of 2026-07-01"), "{after}");
    assert!(after.contains("2026-06-01 email by Ann"), "{after}");
    // A reply for a deal no longer open is dropped.
    a.update(Action::Back);
    pipedeck::tui::apply_reply(
        &mut a,
        pipedeck::tui::loader::timeline(&store, OppId("D-3".into())),
    );
    assert_eq!(a.deal.opp, Some(OppId("D-1".into())));
    assert!(a.deal.activities_read());
    // Another deal opened: its activities are awaited, D-1's not shown.
    a.update(Action::Down);
    let Some(Effect::Timeline(other)) = a.update(Action::Open) else {
        panic!("opening a deal asks for its activities");
    };
    assert_ne!(other, OppId("D-1".into()));
    assert!(!a.deal.activities_read());
}

#[test]
fn the_deal_score_and_its_reasons_are_reachable_at_80x24() {
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Down);
    a.update(Action::Open);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("score       16/100"), "{s}");
    // The factors' sentences follow the timeline in its scrolled box.
    let mut seen = String::new();
    for _ in 0..10 {
        a.update(Action::Down);
        seen.push_str(&screen(&mut a, 80, 24));
    }
    assert!(seen.contains("why this score"), "{seen}");
    assert!(seen.contains("ICP tier A (100 points)"), "{seen}");
    assert!(seen.contains("risk       flagged past due"), "{seen}");
    // esc goes back to the hygiene list the deal was opened from.
    a.update(Action::Back);
    assert_eq!(a.focus, Focus::Hygiene);
}

#[test]
fn below_the_minimum_size_a_message_replaces_the_layout() {
    let mut a = app(Start::Manager);
    let s = screen(&mut a, 60, 20);
    assert!(s.contains("needs at least 80×24"), "{s}");
    assert!(s.contains("60×20"), "{s}");
}

#[test]
fn the_three_ways_in_focus_the_right_pane() {
    assert_eq!(app(Start::Manager).focus, Focus::Review);
    let rep = app(Start::Rep(RepId("bob".into())));
    assert_eq!(rep.focus, Focus::Hygiene);
    assert_eq!(rep.rep_filter, Some(RepId("bob".into())));
    // Bob has the larger open pipeline (40,000 vs 12,500), so he is first
    // in the agenda; the rep view opens on him.
    assert_eq!(rep.review.reps[0].0, RepId("bob".into()));
    assert_eq!(rep.review.rep_idx, 0);
    let f = app(Start::Forecast);
    assert_eq!(f.focus, Focus::Forecast);
    // The forecast view opens on the fiscal quarter containing today.
    assert_eq!(
        (f.period.from, f.period.to),
        (day("2026-10-01"), day("2027-01-01"))
    );
}

#[test]
fn period_keys_reload_once_per_change() {
    let mut a = app(Start::Manager);
    assert_eq!(
        (a.period.from, a.period.to),
        (day("2026-11-01"), day("2026-12-01"))
    );
    let g = a.generation;
    match a.update(Action::PeriodPrev) {
        Some(Effect::Load(req)) => {
            assert_eq!(
                (req.period.from, req.period.to),
                (day("2026-10-01"), day("2026-11-01"))
            );
            assert_eq!(req.generation, g + 1);
        }
        other => panic!("expected a load, got {other:?}"),
    }
    assert!(a.loading);
    // Moving the selection loads nothing.
    assert_eq!(a.update(Action::Down), None);
    // Week, then back to the week containing today (a Tuesday: Mon 23 Nov).
    a.update(Action::PeriodKind);
    a.update(Action::PeriodKind);
    assert_eq!(
        (a.period.from, a.period.to),
        (day("2026-11-23"), day("2026-11-30"))
    );
}

#[test]
fn tab_cycles_panes_and_help_returns_where_it_was() {
    let mut a = app(Start::Manager);
    a.update(Action::NextPane);
    assert_eq!(a.focus, Focus::Hygiene);
    a.update(Action::PrevPane);
    a.update(Action::PrevPane);
    assert_eq!(a.focus, Focus::Deal);
    a.update(Action::Help);
    assert_eq!(a.focus, Focus::Help);
    a.update(Action::Back);
    assert_eq!(a.focus, Focus::Deal);
}

#[test]
fn a_resumed_review_carries_its_boxes_timers_on() {
    // The session kept 200 s in the wins box and 90 s in closing; resumed,
    // it is in the wins box again: 30 s later that box reads 3:50.
    let mut a = app(Start::Manager);
    let start = a.now;
    a.review.run = None;
    a.update(Action::StartReview);
    a.on_edited(Ok(pipedeck::tui::edit::Done {
        message: "resumed review #4".into(),
        session_started: Some(4),
        box_seconds: Some(vec![200, 90, 0, 0, 0]),
        ..Default::default()
    }));
    a.now = start + chrono::Duration::seconds(30);
    assert_eq!(a.review.box_seconds(0, a.now), 230);
    assert_eq!(a.review.box_seconds(1, a.now), 90);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("1 Wins 3:50/3! 2 Closing 1:30/10"), "{s}");
    // The total is the boxes' time, not the time since this cockpit resumed:
    // 230 + 90 s.
    assert!(s.contains("total 5:20 / 30:00"), "{s}");
    assert_eq!(
        a.box_clock(),
        Some(Effect::BoxClock {
            session: 4,
            seconds: vec![230, 90, 0, 0, 0]
        })
    );
}

#[test]
fn review_timer_counts_each_box() {
    let mut a = app(Start::Manager);
    let start = a.now;
    a.review.run = None;
    assert!(matches!(
        a.update(Action::StartReview),
        Some(Effect::Edit(..))
    ));
    a.on_edited(Ok(pipedeck::tui::edit::Done {
        message: "review #1 started".into(),
        session_started: Some(1),
        ..Default::default()
    }));
    a.now = start + chrono::Duration::seconds(200);
    // Each move between boxes keeps the time spent, for a resumed review.
    assert_eq!(
        a.update(Action::NextBox),
        Some(Effect::BoxClock {
            session: 1,
            seconds: vec![200, 0, 0, 0, 0]
        })
    );
    a.now = start + chrono::Duration::seconds(260);
    // 200 s in the wins box (3:20, over its 3 minutes), 60 s in the next.
    assert_eq!(a.review.box_seconds(0, a.now), 200);
    assert_eq!(a.review.box_seconds(1, a.now), 60);
    // Narrow: `m:ss/minutes`, `!` when over; wide: `m:ss / m:00 over`.
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("1 Wins 3:20/3!"), "{s}");
    assert!(s.contains("3:20/3! ▶2 Closing 1:00/10 3 Stuck"), "{s}");
    assert!(s.contains("session #1"), "{s}");
    // At 200×60 the review shares the home with hygiene and reps: the
    // boxes sit above the agenda, which keeps the width.
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("3:20/3! ▶2 Closing 1:00/10"), "{s}");
    // Alone on a wide screen, the boxes sit beside the agenda.
    a.update(Action::FocusForecast);
    a.update(Action::FocusReview);
    let s = screen(&mut a, 200, 30);
    assert!(s.contains("3:20 / 3:00 over"), "{s}");
    assert!(s.contains("1:00 / 10:00"), "{s}");
}

#[test]
fn search_filters_the_focused_list_and_esc_clears_it() {
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Search);
    for c in "prop".chars() {
        a.on_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        ));
    }
    assert_eq!(a.hygiene.list.filter, "prop");
    // Only D-1 (in Proposal) is left; the title counts what matches.
    assert_eq!(a.hygiene.list.visible(0).len(), 1);
    assert!(
        a.hygiene.title().contains("1 match /prop"),
        "{}",
        a.hygiene.title()
    );
    a.on_key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Esc,
    ));
    assert_eq!(a.hygiene.list.filter, "");
    assert!(a.prompt.is_none());
}

#[test]
fn ctrl_keys_in_a_prompt_are_commands_not_text() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    a.update(Action::Search);
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    for c in "prop".chars() {
        a.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    // ctrl-w and alt-x type nothing; ctrl-u clears the line.
    a.on_key(ctrl('w'));
    a.on_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT));
    assert_eq!(a.hygiene.list.filter, "prop");
    // Ctrl and Alt together are AltGr on some systems: the character is text.
    let altgr = KeyModifiers::CONTROL | KeyModifiers::ALT;
    a.on_key(KeyEvent::new(KeyCode::Char('@'), altgr));
    assert_eq!(a.hygiene.list.filter, "prop@");
    a.on_key(KeyEvent::from(KeyCode::Backspace));
    a.on_key(ctrl('u'));
    assert_eq!(a.hygiene.list.filter, "");
    assert!(a.prompt.is_some());
    // ctrl-c cancels the prompt, as Esc does, and does not quit.
    a.on_key(KeyEvent::from(KeyCode::Char('p')));
    assert_eq!(a.on_key(ctrl('c')), None);
    assert!(a.prompt.is_none());
    assert_eq!(a.hygiene.list.filter, "");
}

#[test]
fn mouse_clicks_focus_tabs_and_panes_and_the_wheel_scrolls() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    let mut a = app(Start::Manager);
    let s = screen(&mut a, 80, 24);
    // At 80 columns every pane is named: "1 Review 2 Hygiene 3 Reps …"; the "3" is at column 19.
    let top = s.lines().next().unwrap_or_default().to_string();
    assert!(
        top.starts_with("1 Review 2 Hygiene 3 Reps 4 Anomalies 5 Forecast 6 Pipeline 7 Deal"),
        "{top}"
    );
    assert_eq!(&top[19..20], "3");
    a.on_mouse(click(19, 0));
    assert_eq!(a.focus, Focus::Reps);
    // A click on a row selects it: hygiene's rows start under its header (row 3).
    a.update(Action::FocusHygiene);
    let _ = screen(&mut a, 80, 24);
    a.on_mouse(click(10, 4));
    assert_eq!(a.focus, Focus::Hygiene);
    assert_eq!(a.hygiene.list.selected, 1);
    assert_eq!(
        a.selected_deal().map(|d| d.0.to_string()),
        Some("D-1".to_string())
    );
    // At 200×60 the home shows review (left), hygiene (top right), reps.
    let mut a = app(Start::Manager);
    let _ = screen(&mut a, 200, 60);
    a.on_mouse(click(150, 10));
    assert_eq!(a.focus, Focus::Hygiene);
    a.on_mouse(click(150, 50));
    assert_eq!(a.focus, Focus::Reps);
    a.on_mouse(click(20, 30));
    assert_eq!(a.focus, Focus::Review);
    // The wheel moves the selection of the focused list.
    a.update(Action::FocusHygiene);
    a.on_mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 10,
        row: 10,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(a.hygiene.list.selected, 1);
}

#[test]
fn enter_on_an_anomaly_opens_its_drill_down_and_esc_closes_it() {
    let (_dir, store) = store();
    let mut a = app_on(&store, Start::Manager);
    a.update(Action::FocusAnomalies);
    let (rep, metric, period) = match a.update(Action::Open) {
        Some(Effect::Drill {
            rep,
            metric,
            period,
        }) => (rep, metric, period),
        other => panic!("expected a drill-down, got {other:?}"),
    };
    // The first row is the first bad anomaly of the fixture (the loader's
    // order: bad first, then by severity).
    assert_eq!(Some((rep.clone(), metric.clone())), a.anomalies.selected());
    let data = store.load_dataset().expect("load");
    a.on_drill(pipedeck::tui::loader::build_drill(
        &env(),
        &data,
        &rep,
        &metric,
        period,
    ));
    assert!(a.anomalies.drill.is_some());
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("Anomalies › why"), "{s}");
    a.update(Action::Back);
    assert!(a.anomalies.drill.is_none());
}

#[test]
fn keys_and_theme_from_the_config_file_reach_the_cockpit() {
    let text = "[keys.global]\nquit = [\"ctrl-q\"]\n\n[theme]\ngood = \"#00ff00\"\n";
    let settings = pipedeck::config::parse(text, "test.toml").expect("valid config");
    let ui = pipedeck::tui::config::UiConfig::parse(text, "test.toml").expect("valid config");
    let env = pipedeck::tui::loader::Env {
        cal: settings.calendar().expect("calendar"),
        settings,
        today: day("2026-11-24"),
    };
    let mut a = pipedeck::tui::build_app(env.clone(), &ui, Start::Manager, false).expect("app");
    let ctrl_q = ratatui::crossterm::event::KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('q'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    );
    assert_eq!(a.on_key(ctrl_q), Some(Effect::Quit));
    assert_eq!(
        a.on_key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char('q')
        )),
        None
    );
    assert_eq!(
        a.theme.good().fg,
        Some(ratatui::style::Color::Rgb(0, 255, 0))
    );
    // NO_COLOR wins over the theme.
    let mono = pipedeck::tui::build_app(env.clone(), &ui, Start::Manager, true).expect("app");
    assert_eq!(mono.theme.good().fg, None);
    // A duplicate is refused with the key and both actions named.
    let bad = pipedeck::tui::config::UiConfig::parse("[keys.global]\nquit = [\"j\"]\n", "bad.toml")
        .expect("parses");
    let err = pipedeck::tui::build_app(env, &bad, Start::Manager, false)
        .err()
        .expect("refused");
    assert_eq!(
        err.to_string(),
        "config: keys.global: \"j\" is bound to both down and quit"
    );
}

#[test]
fn hygiene_sort_reason_filter_and_snoozed_view() {
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    let deals = |a: &pipedeck::tui::app::App| -> Vec<String> {
        let l = &a.hygiene.list;
        l.visible(0)
            .iter()
            .filter_map(|&r| l.deals.get(r).cloned().flatten().map(|d| d.0.to_string()))
            .collect()
    };
    // Worked out from the fixture: D-3 40,000 (84 days untouched, closes
    // 27 Nov), D-1 12,500 (12 days, closes 20 Nov), D-2 no amount (12 days,
    // closes 15 Dec).
    let cases: [(Action, &[&str]); 4] = [
        (Action::Reload, &["D-3", "D-1", "D-2"]), // amount at risk (no change)
        (Action::Sort, &["D-3", "D-1", "D-2"]),   // days untouched, longest first
        (Action::Sort, &["D-1", "D-3", "D-2"]),   // close date, earliest first
        (Action::Sort, &["D-3", "D-1", "D-2"]),   // back to amount at risk
    ];
    for (action, want) in cases {
        if action != Action::Reload {
            a.update(action);
        }
        assert_eq!(deals(&a), want, "after {action:?}");
    }
    // `f` cycles the reasons: untouched (D-3 only), then past_due (D-1 only).
    a.update(Action::ReasonFilter);
    assert_eq!(deals(&a), ["D-3"]);
    a.update(Action::ReasonFilter);
    assert_eq!(deals(&a), ["D-1"]);
    assert!(a.hygiene.title().contains("only past due"));
    // `Z` shows the snoozed deals instead: none in the fixture.
    a.update(Action::ToggleSnoozed);
    assert!(deals(&a).is_empty());
    assert!(a.hygiene.title().contains("snoozed 0 (to do 3)"));
}

#[test]
fn a_typed_period_and_the_rep_filter_reload_with_them() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
    let mut a = app(Start::Manager);
    a.update(Action::PeriodCustom);
    for c in "2026-Q3".chars() {
        a.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    match a.on_key(KeyEvent::from(KeyCode::Enter)) {
        Some(Effect::Load(req)) => {
            assert_eq!(
                (req.period.from, req.period.to),
                (day("2026-07-01"), day("2026-10-01"))
            )
        }
        other => panic!("expected a load, got {other:?}"),
    }
    // A bad period is refused in words and loads nothing.
    a.update(Action::PeriodCustom);
    for c in "someday".chars() {
        a.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    assert_eq!(a.on_key(KeyEvent::from(KeyCode::Enter)), None);
    assert!(a.prompt.as_ref().is_some_and(|p| p.refused.is_some()));
    // `r` cycles active AEs and SDRs by name: Ann, Bo, Cy, then everyone.
    let mut seen = Vec::new();
    for _ in 0..4 {
        match a.update(Action::RepFilter) {
            Some(Effect::Load(req)) => seen.push(req.rep.map(|r| r.0.to_string())),
            other => panic!("expected a load, got {other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            Some("ann".to_string()),
            Some("bob".to_string()),
            Some("cy".to_string()),
            None
        ]
    );
}

#[test]
fn every_pane_draws_at_odd_sizes_without_panicking() {
    // Tiny, narrow, short and huge sizes: a message or a layout, never a panic.
    for (w, h) in [
        (1, 1),
        (20, 5),
        (79, 24),
        (80, 23),
        (80, 24),
        (81, 25),
        (120, 30),
        (300, 100),
    ] {
        let mut a = app(Start::Manager);
        for action in [
            Action::FocusReview,
            Action::FocusHygiene,
            Action::Explain,
            Action::FocusReps,
            Action::FocusAnomalies,
            Action::FocusForecast,
            Action::FocusPipeline,
            Action::FocusDeal,
            Action::Help,
        ] {
            a.update(action);
            let _ = screen(&mut a, w, h);
        }
    }
}

#[test]
fn b_cycles_the_reps_pane_through_the_cuts_and_back_to_the_reps() {
    let mut a = app(Start::Manager);
    a.update(Action::FocusReps);
    // By ICP tier: the fixture's accounts are tier A (acme) and B (glob).
    a.update(Action::RepsCut);
    a.update(Action::RepsCut);
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("Reps · by ICP tier (b: cut)"), "{s}");
    assert!(s.contains("By ICP tier"), "{s}");
    assert!(s.lines().any(|l| l.contains("│A ")), "{s}");
    for _ in 0..4 {
        a.update(Action::RepsCut);
    }
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("Reps · AE quantity"), "{s}");
    // v reaches the revenue view after quality.
    a.update(Action::RepsView);
    a.update(Action::RepsView);
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("AE revenue"), "{s}");
    // The column heads are short labels (the JSON keeps the metric ids).
    assert!(s.contains("pipe>90d"), "{s}");
}

#[test]
fn the_hygiene_list_sorts_by_deal_score() {
    let mut a = app(Start::Manager);
    a.update(Action::FocusHygiene);
    for _ in 0..3 {
        a.update(Action::Sort);
    }
    let s = screen(&mut a, 200, 60);
    assert!(s.contains("by deal score"), "{s}");
    let scores: Vec<u32> = s
        .lines()
        .filter_map(|l| l.split("score ").nth(1))
        .filter_map(|t| t.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(!scores.is_empty(), "{s}");
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
}

#[test]
fn before_the_agenda_arrives_the_review_says_it_is_loading() {
    use pipedeck::tui::keymap::{KeyPatch, Keymap};
    use pipedeck::tui::theme::Theme;
    for (w, h) in [(80, 24), (200, 60)] {
        let keymap = Keymap::load(&KeyPatch::new()).expect("default keymap");
        let mut a =
            pipedeck::tui::app::App::new(env(), keymap, Theme::monochrome(), Start::Manager, now());
        let s = screen(&mut a, w, h);
        // No rep is known yet: not "rep 1/1: —".
        assert!(!s.contains("rep 1/1"), "{s}");
        assert!(s.contains("loading the agenda…"), "{s}");
        insta::assert_snapshot!(format!("review_loading_{w}x{h}"), s);
    }
}
