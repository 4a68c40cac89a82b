//! The root of drawing: header, body (one pane, or the manager's home at a
//! wide size), hint bar and status line. A function of `App`; no mutation.

use super::action::Action;
use super::app::{App, Focus};
use super::panes::Cx;
use super::widgets;
use crate::text;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Below this size the cockpit shows a message instead of a broken layout.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// At least this size, the manager's home shows review, hygiene and reps together.
const HOME_WIDTH: u16 = 160;
const HOME_HEIGHT: u16 = 40;

/// The panes on screen and where, for drawing and for mouse clicks.
pub fn pane_rects(app: &App, area: Rect) -> Vec<(Focus, Rect)> {
    let body = body_area(area);
    let home = matches!(app.focus, Focus::Review | Focus::Hygiene | Focus::Reps)
        && app.rep_view().is_none()
        && !app.empty;
    if home && area.width >= HOME_WIDTH && area.height >= HOME_HEIGHT {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(right);
        vec![
            (Focus::Review, left),
            (Focus::Hygiene, top),
            (Focus::Reps, bottom),
        ]
    } else {
        vec![(app.focus, body)]
    }
}

fn body_area(area: Rect) -> Rect {
    Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(3),
        ..area
    }
}

const BRAND: &str = "pipedeck ";

/// Below this width the header drops the brand and shortens the period,
/// so every pane keeps its name in the tab bar.
const NARROW: u16 = 120;

fn brand(width: u16) -> &'static str {
    if width >= NARROW { BRAND } else { "" }
}

/// The tab bar's labels: every pane named, with its number (the key that
/// focuses it). The rep's own view has no review tab.
fn tab_labels(app: &App, _width: u16) -> Vec<(Focus, String)> {
    app.tabs()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // The key that focuses a pane is its place among every pane.
            let n = Focus::tabs().iter().position(|x| x == f).unwrap_or(i) + 1;
            let label = match (app.rep_view().is_some(), f) {
                (true, Focus::Hygiene) => "To do",
                (true, Focus::Reps) => "My metrics",
                (true, Focus::Pipeline) => "My deals",
                _ => f.label(),
            };
            (*f, format!("{n} {label}"))
        })
        .collect()
}

/// The period in few columns: `2026-11`, `2026-Q4`, `wk 2026-11-23`, or
/// `FROM..TO` for any other span; `tight`, without the year of a week or a
/// span (`wk 11-23`, `11-02..11-09`).
fn short_period(app: &App, tight: bool) -> String {
    use crate::domain::PeriodKind as K;
    let p = app.period;
    let cal = &app.env.cal;
    let day = |d: chrono::NaiveDate| match tight {
        true => d.format("%m-%d").to_string(),
        false => d.to_string(),
    };
    if cal.containing(K::Month, p.from) == p {
        p.from.format("%Y-%m").to_string()
    } else if cal.containing(K::Quarter, p.from) == p {
        let (y, q) = cal.fiscal_label(p.from);
        format!("{y}-Q{q}")
    } else if cal.containing(K::Week, p.from) == p {
        format!("wk {}", day(p.from))
    } else {
        format!("{}..{}", day(p.from), day(p.to))
    }
}

/// What the period on screen is, read from its dates (a typed
/// `last-quarter` is a quarter, whatever `p` last picked).
fn period_word(app: &App) -> &'static str {
    use crate::domain::PeriodKind as K;
    let p = app.period;
    let cal = &app.env.cal;
    if cal.containing(K::Month, p.from) == p {
        "month"
    } else if cal.containing(K::Quarter, p.from) == p {
        "quarter"
    } else if cal.containing(K::Week, p.from) == p {
        "week"
    } else {
        "days"
    }
}

/// The pane under a mouse click (a tab of the header, or a pane), if any.
pub fn pane_at(app: &App, col: u16, row: u16) -> Option<Focus> {
    if row == app.area.y {
        let mut x = app.area.x + brand(app.area.width).len() as u16;
        for (f, label) in tab_labels(app, app.area.width) {
            let w = text::width(&label) as u16;
            if (x..x + w).contains(&col) {
                return Some(f);
            }
            x += w + 1;
        }
        return None;
    }
    let p = ratatui::layout::Position::new(col, row);
    pane_rects(app, app.area)
        .into_iter()
        .find(|(_, r)| r.contains(p))
        .map(|(f, _)| f)
}

/// The actions the hint bar offers in the focused pane, most useful first,
/// less those this view refuses (`App::refusal`: the rep's own view has no
/// team cuts, say).
fn hints(app: &App) -> Vec<Action> {
    let offered = match app.empty && app.focus != Focus::Help {
        true => vec![Action::Reload, Action::Help, Action::Quit],
        false => app.pane(app.focus).hints(),
    };
    offered
        .into_iter()
        .filter(|a| app.refusal(*a).is_none())
        .collect()
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let mut spans = vec![Span::styled(brand(area.width), t.title(true))];
    for (f, label) in tab_labels(app, area.width) {
        let style = if f == app.focus {
            t.selected()
        } else {
            t.muted()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    let p = app.period;
    let rep = app.rep_filter.as_ref().map_or("all reps".to_string(), |r| {
        app.data.rep(r).map_or(r.0.to_string(), |x| x.name.clone())
    });
    let left = Line::from(spans);
    // The period and filter fill what the tabs leave (one column apart),
    // cut with `…` when they don't fit.
    let room = (area.width as usize).saturating_sub(left.width() + 1);
    let right = if area.width >= NARROW {
        format!(
            "{}..{} {} · {}{}",
            p.from,
            p.to,
            period_word(app),
            text::sanitize(&rep),
            if app.loading { " · loading…" } else { "" }
        )
    } else {
        // Narrow: the period alone when everyone is shown.
        let who = match &app.rep_filter {
            Some(_) => format!(" · {}", text::sanitize(&rep)),
            None => String::new(),
        };
        let loading = if app.loading { " …" } else { "" };
        let full = format!("{}{who}{loading}", short_period(app, false));
        // Without the year before a cut period (`wk 11-23`, not `wk 2026-11-…`).
        match text::width(&full) <= room {
            true => full,
            false => format!("{}{who}{loading}", short_period(app, true)),
        }
    };
    buf.set_line(area.x, area.y, &left, area.width);
    let r = text::truncate(&right, room);
    let x = area.x + area.width.saturating_sub(text::width(&r) as u16);
    buf.set_string(x, area.y, r, t.muted());
}

fn hint_bar(app: &App, area: Rect, buf: &mut Buffer) {
    // An answer the open prompt refused: why, above the prompt kept as
    // typed (the status line below is the prompt's while it is open).
    if let Some(why) = app.prompt.as_ref().and_then(|p| p.refused.as_ref()) {
        let m = text::truncate(&format!("✗ {}", text::sanitize(why)), area.width as usize);
        buf.set_string(area.x, area.y, m, app.theme.alert());
        return;
    }
    let mode = app.focus.mode();
    let mut spans = Vec::new();
    let mut used = 0usize;
    for a in hints(app) {
        let keys = app.keymap.keys(mode, a);
        let Some(k) = keys.first() else { continue };
        let item = format!("{} {}", k.label(), a.describe());
        let w = text::width(&item) + 2;
        if used + w > area.width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(k.label(), app.theme.title(true)));
        spans.push(Span::styled(
            format!(" {}  ", a.describe()),
            app.theme.muted(),
        ));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

fn status_line(app: &App, area: Rect, buf: &mut Buffer) {
    if let Some(p) = &app.prompt {
        let line = if let crate::tui::prompt::PromptFor::Confirm(_) = p.purpose {
            Line::from(vec![Span::styled(p.label.clone(), app.theme.warn())])
        } else {
            prompt_line(app, p, area.width as usize)
        };
        buf.set_line(area.x, area.y, &line, area.width);
    } else if let Some((role, msg)) = &app.status {
        let m = text::truncate(&text::sanitize(msg), area.width as usize);
        buf.set_string(area.x, area.y, m, app.theme.style(*role));
    } else if let Some(msg) = &app.damaged {
        let m = text::truncate(&text::sanitize(msg), area.width as usize);
        buf.set_string(area.x, area.y, m, app.theme.alert());
    }
}

/// A prompt's line: its label, the text around the cursor (`▏`) scrolled
/// so the cursor shows (`…` where text is out of sight), then the keys when
/// they fit.
fn prompt_line(app: &App, p: &crate::tui::prompt::Prompt, width: usize) -> Line<'static> {
    let label = format!("{}: ", p.label);
    let hint = "  (enter ok · esc cancel)";
    let chars: Vec<char> = text::sanitize(&p.text).chars().collect();
    let room = width.saturating_sub(text::width(&label) + 1).max(2);
    let mut spans = vec![Span::styled(label, app.theme.title(true))];
    // Characters are counted as columns: prompt text is a line of words.
    let (mut from, mut to) = (0, chars.len());
    if chars.len() > room {
        from = p
            .cursor
            .saturating_sub(room.saturating_sub(2))
            .min(chars.len());
        to = (from + room.saturating_sub(2)).min(chars.len());
    }
    let part = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let cursor = p.cursor.clamp(from, to);
    if from > 0 {
        spans.push(Span::styled("…", app.theme.muted()));
    }
    spans.push(Span::raw(part(from, cursor)));
    spans.push(Span::styled("▏", app.theme.title(true)));
    spans.push(Span::raw(part(cursor, to)));
    if to < chars.len() {
        spans.push(Span::styled("…", app.theme.muted()));
    }
    let used: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    if used + text::width(hint) <= width {
        spans.push(Span::styled(hint, app.theme.muted()));
    }
    Line::from(spans)
}

fn pane(app: &App, focus: Focus, area: Rect, buf: &mut Buffer) {
    let focused = focus == app.focus;
    let pane = app.pane(focus);
    let title = pane.title();
    let block = widgets::pane_block(title, focused, &app.theme);
    let inner = block.inner(area);
    block.clone().render(area, buf);
    let cx = Cx {
        theme: &app.theme,
        keymap: &app.keymap,
        focused,
        now: app.now,
    };
    pane.draw(inner, buf, &cx);
    // The position (`12/102`, `lines 1–20 of 40`) on the bottom border,
    // once the pane has measured itself.
    if let Some(pos) = app.position(focus) {
        block
            .title_bottom(Line::styled(format!(" {pos} "), app.theme.muted()).right_aligned())
            .render(area, buf);
    }
}

// Layout of the screen (the home split only at ≥ 160×40 on review, hygiene or reps):
//
// ┌──────────────────────────────────────────────────────────────────────┐
// │pipedeck 1 Review 2 Hygiene 3 Reps …      2026-11-01..2026-12-01 month│ header
// │┌ ▶ Review · Dana · agenda ────────┐┌ Hygiene ───────────────────────┐│
// ││ ▶ 1. Wins since last review 3 min││ deal  owner  amount  reasons  … ││
// ││   2. Deals closing this week …   │└────────────────────────────────┘│
// ││ ▶ Dana                           │┌ Reps · quantity ───────────────┐│ body
// ││   Lee          ┌ agenda box ────┐││ rep  meetings  baseline  goal … ││
// │└──────────────────────────────────┘└────────────────────────────────┘│
// │c log call  x close lost  ? help  q quit                              │ hint bar
// │saved: D-17: stage → Proposal                                         │ status / prompt
// └──────────────────────────────────────────────────────────────────────┘
/// Draws the whole cockpit into `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "pipedeck needs at least {MIN_WIDTH}×{MIN_HEIGHT}; this terminal is {}×{}. Enlarge it (q quits).",
            area.width, area.height
        );
        let lines: Vec<Line> = textwrap(&msg, area.width as usize)
            .into_iter()
            .map(Line::from)
            .collect();
        let y = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
        for (i, l) in lines.iter().enumerate() {
            if y + (i as u16) < area.y + area.height {
                buf.set_line(area.x, y + i as u16, l, area.width);
            }
        }
        return;
    }
    header(app, Rect { height: 1, ..area }, buf);
    // Help shows over an empty database too (esc goes back to the welcome).
    if app.empty && app.focus != Focus::Help {
        welcome(app, body_area(area), buf);
    } else {
        for (focus, rect) in pane_rects(app, area) {
            pane(app, focus, rect, buf);
        }
    }
    if let Some(p) = &app.picker {
        picker(app, p, body_area(area), buf);
    }
    let bottom = area.y + area.height;
    hint_bar(
        app,
        Rect {
            y: bottom - 2,
            height: 1,
            ..area
        },
        buf,
    );
    status_line(
        app,
        Rect {
            y: bottom - 1,
            height: 1,
            ..area
        },
        buf,
    );
}

/// The screen of an empty database: how to bring data in.
fn welcome(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let db = app
        .db_path
        .as_ref()
        .map_or("pipedeck.db".to_string(), |p| p.display().to_string());
    let db = text::sanitize(&db);
    let lines = vec![
        Line::styled("This database is empty.", t.title(true)),
        Line::from(""),
        Line::from(format!("  database: {db}")),
        Line::from(""),
        Line::styled(
            "Import your CRM export (a folder of CSV files):",
            t.title(false),
        ),
        Line::styled(format!("  pipedeck --db {db} import DIR"), t.money()),
        Line::styled(
            "  (Salesforce, HubSpot, Pipedrive, Maven or pipedeck CSVs; docs/import.md)",
            t.muted(),
        ),
        Line::from(""),
        Line::styled(
            "Or try the demo team (written to a database of its own):",
            t.title(false),
        ),
        Line::styled("  pipedeck demo --seed 7", t.money()),
        Line::styled(
            "  then reopen it with the command `demo` prints.",
            t.muted(),
        ),
        Line::from(""),
        Line::styled("q quits.", t.muted()),
    ];
    let block = widgets::pane_block("Welcome".into(), true, t);
    let inner = block.inner(area);
    block.render(area, buf);
    ratatui::widgets::Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .render(inner, buf);
}

/// The open pick list, as a popup over the body.
fn picker(app: &App, p: &crate::tui::prompt::Picker, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let w = (p
        .options
        .iter()
        .map(|o| text::width(&o.1))
        .max()
        .unwrap_or(10)
        .max(text::width(&p.title))
        + 6)
    .min(area.width as usize) as u16;
    let h = (p.options.len() as u16 + 2).min(area.height);
    let popup = Rect::new(
        area.x + (area.width.saturating_sub(w)) / 2,
        area.y + (area.height.saturating_sub(h)) / 2,
        w,
        h,
    );
    ratatui::widgets::Clear.render(popup, buf);
    let block = widgets::pane_block(p.title.clone(), true, t);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let room = inner.height as usize;
    let first = p.selected.saturating_sub(room.saturating_sub(1));
    for (i, (_, label)) in p.options.iter().enumerate().skip(first).take(room) {
        let selected = i == p.selected;
        let style = if selected {
            t.selected()
        } else {
            ratatui::style::Style::new()
        };
        let marker = if selected { "▶ " } else { "  " };
        buf.set_string(
            inner.x,
            inner.y + (i - first) as u16,
            text::pad(
                &text::truncate(
                    &format!("{marker}{}", text::sanitize(label)),
                    inner.width as usize,
                ),
                inner.width as usize,
                false,
            ),
            style,
        );
    }
}

/// Greedy word wrap to `width` columns.
fn textwrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in s.split(' ') {
        let Some(cur) = lines.last_mut() else { break };
        if !cur.is_empty() && text::width(cur) + 1 + text::width(word) > width {
            lines.push(word.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    lines
}
