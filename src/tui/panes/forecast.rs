//! The founder's view (SPEC §8): call, best case, pipeline and weighted for
//! the period, coverage as a meter against the target, how the call moved
//! since last week (then, now, the deals in and out), the waterfall of the
//! period on screen from a week ago to now (enter on a step lists its
//! deals), past accuracy as bars against the ±25 % line, and the forecast
//! tables. Taller than the screen: the whole view scrolls.

use super::{Cx, Scroll};
use crate::domain::forecast::{CoverageStatus, ForecastLine};
use crate::domain::waterfall::MoveKind;
use crate::domain::{Dataset, Money, OppId};
use crate::report::Report;
use crate::report::accuracy::{AccuracyReport, fmt_error};
use crate::report::forecast::{ForecastReport, coverage_word, fmt_coverage, fmt_to_close};
use crate::report::movement::CallMovement;
use crate::report::waterfall::WaterfallReport;
use crate::text;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, TableView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use std::collections::HashMap;

/// The accuracy band that is flagged: worse than ±25 %.
mod sections;

const FLAG_LINE: f64 = 0.25;

/// The waterfall's steps in order; `None` for start and end.
pub const STEPS: [(&str, Option<MoveKind>); 8] = [
    ("start", None),
    ("+ new", Some(MoveKind::New)),
    ("+ pulled in", Some(MoveKind::PulledIn)),
    ("− pushed out", Some(MoveKind::PushedOut)),
    ("− won", Some(MoveKind::Won)),
    ("− lost", Some(MoveKind::Lost)),
    ("± amounts", Some(MoveKind::AmountChange)),
    ("end", None),
];

#[derive(Debug, Clone, Default)]
pub struct ForecastPane {
    pub forecast: Option<ForecastReport>,
    pub waterfall: Option<Result<WaterfallReport, String>>,
    pub accuracy: Option<AccuracyReport>,
    pub movement: Option<CallMovement>,
    /// The selected waterfall step.
    pub step: usize,
    /// The step whose deals are listed (enter).
    pub open_step: Option<usize>,
    pub scroll: Scroll,
    /// The line (in the whole view) of the waterfall's first step, at the
    /// last frame: moving the step scrolls it into view.
    steps_at: std::cell::Cell<usize>,
    /// Deal names and owners' names, for the lists.
    names: HashMap<OppId, (String, String)>,
}

/// A bar of `cells` columns filled to `share` (0–1) of its length.
fn bar(share: f64, cells: usize) -> String {
    let n = ((share.clamp(0.0, 1.0)) * cells as f64).round() as usize;
    format!("{}{}", "█".repeat(n), "░".repeat(cells - n))
}

/// `+346,900`, `−19,600`, `0`.
fn signed(cents: i64) -> String {
    match cents {
        0 => "0".into(),
        c if c > 0 => format!("+{}", Money(c)),
        c => format!("−{}", Money(-c)),
    }
}

/// How a forecast table gives way when short of room (80 or 100 columns):
/// the period is never cut (it tells the quarter's row from its months'),
/// a name keeps a readable width, and the money columns the headline
/// already shows go first, so coverage and its status word (`LIGHT`)
/// stay. Columns named by their heads: (least widths, leave-out order).
fn narrow_forecast(t: &crate::report::Table) -> (Vec<usize>, Vec<usize>) {
    const NAME: usize = 12;
    const FIRST_OUT: [&str; 7] = [
        "best case",
        "pipeline",
        "weighted",
        "commit",
        "quota",
        "won",
        "call",
    ];
    let least = t
        .columns
        .iter()
        .map(|c| match c.name.as_str() {
            "who" => NAME,
            "period" | "status" => usize::MAX,
            _ => 4,
        })
        .collect();
    let leave_out = FIRST_OUT
        .iter()
        .filter_map(|n| t.columns.iter().position(|c| c.name == *n))
        .collect();
    (least, leave_out)
}

/// The role of a coverage status (the word stays beside it).
pub fn coverage_role(s: CoverageStatus) -> Option<Role> {
    match s {
        CoverageStatus::OnTarget | CoverageStatus::QuotaMet => Some(Role::Good),
        CoverageStatus::BelowTarget => Some(Role::Warn),
        CoverageStatus::Light => Some(Role::Alert),
        _ => None,
    }
}

impl ForecastPane {
    pub fn set(
        &mut self,
        forecast: ForecastReport,
        waterfall: Result<WaterfallReport, String>,
        movement: Option<CallMovement>,
        data: &Dataset,
    ) {
        self.names = data
            .opportunities
            .iter()
            .map(|o| {
                let owner = data
                    .rep(&o.owner_id)
                    .map_or_else(|| o.owner_id.0.to_string(), |r| r.name.clone());
                (o.id.clone(), (o.name.clone(), owner))
            })
            .collect();
        self.forecast = Some(forecast);
        self.waterfall = Some(waterfall);
        self.movement = movement;
    }

    /// The accuracy of past calls (it arrives after the rest of the pane).
    pub fn set_accuracy(&mut self, accuracy: AccuracyReport) {
        self.accuracy = Some(accuracy);
    }

    pub fn title(&self) -> String {
        match &self.forecast {
            Some(f) => format!(
                "Forecast · {}..{} · as of {}",
                f.forecast.period.from, f.forecast.period.to, f.as_of
            ),
            None => "Forecast".into(),
        }
    }

    /// The selected step's line scrolled into view.
    fn show_step(&mut self) {
        let (shown, _) = self.scroll.last.get();
        let y = self.steps_at.get() + self.step;
        if shown == 0 {
            return;
        }
        if y < self.scroll.offset {
            self.scroll.offset = y;
        } else if y >= self.scroll.offset + shown {
            self.scroll.offset = y + 1 - shown;
        }
    }

    /// Down: the next waterfall step (scrolled into view), then past the
    /// last step the view scrolls on.
    pub fn down(&mut self, n: usize) {
        for _ in 0..n {
            if self.step + 1 < STEPS.len() {
                self.step += 1;
                self.show_step();
            } else {
                self.scroll.by(1);
            }
        }
    }

    /// Up: the previous step (scrolled into view); from the first step
    /// the view scrolls back.
    pub fn up(&mut self, n: usize) {
        for _ in 0..n {
            if self.step > 0 {
                self.step -= 1;
                self.show_step();
            } else {
                self.scroll.by(-1);
            }
        }
    }

    /// Enter: lists (or hides) the deals of the selected step.
    pub fn toggle_step(&mut self) {
        self.open_step = if self.open_step == Some(self.step) {
            None
        } else {
            Some(self.step)
        };
    }

    fn headline(&self, cx: &Cx, width: u16) -> Vec<Line<'static>> {
        let Some(f) = &self.forecast else {
            return vec![Line::styled("loading…", cx.theme.muted())];
        };
        let Some(team) = f.forecast.team.first() else {
            return vec![Line::styled(
                "No team forecast for this period.",
                cx.theme.muted(),
            )];
        };
        let money = |label: &str, m: Money| {
            vec![
                Span::styled(format!("{label} "), cx.theme.muted()),
                Span::styled(format!("{m}  "), cx.theme.money()),
            ]
        };
        let mut first: Vec<Span> = Vec::new();
        first.extend(money("call", team.call));
        first.extend(money("best case", team.best_case));
        let mut second: Vec<Span> = Vec::new();
        second.extend(money("pipeline", team.pipeline));
        second.extend(money("weighted", team.weighted));
        // On two lines when one would cut the last figure.
        let wide = |spans: &[Span]| spans.iter().map(|s| text::width(&s.content)).sum::<usize>();
        let mut lines = if wide(&first) + wide(&second) > width as usize {
            vec![Line::from(first), Line::from(second)]
        } else {
            first.extend(second);
            vec![Line::from(first)]
        };
        let to_close = match team.to_close {
            Some(m) if m.0 < 0 => "over by",
            _ => "to close",
        };
        lines.push(Line::from(vec![
            Span::styled("won to date ", cx.theme.muted()),
            Span::styled(format!("{}  ", team.won), cx.theme.good()),
            Span::styled("quota ", cx.theme.muted()),
            Span::raw(format!(
                "{}  ",
                team.quota.map_or("—".to_string(), |q| q.to_string())
            )),
            Span::styled(format!("{to_close} "), cx.theme.muted()),
            Span::raw(fmt_to_close(team.to_close).replace("over by ", "")),
        ]));
        lines.push(self.coverage_line(team, f, cx, width));
        if team.open_without_amount > 0 {
            lines.push(Line::styled(
                format!(
                    "{} open deals have no amount and are not in these sums.",
                    team.open_without_amount
                ),
                cx.theme.muted(),
            ));
        }
        lines
    }

    /// `coverage 2.10× ███████░░░│░░░ target 3× LIGHT`: the meter spans 0 to
    /// 1.5 × the target, the `│` marks the target.
    fn coverage_line(
        &self,
        team: &ForecastLine,
        f: &ForecastReport,
        cx: &Cx,
        width: u16,
    ) -> Line<'static> {
        let cells = (width as usize).saturating_sub(44).clamp(10, 40);
        let span_max = f.coverage_target * 1.5;
        let share = team.coverage.map_or(0.0, |c| c / span_max);
        let mut meter = bar(share, cells);
        let mark = ((f.coverage_target / span_max) * cells as f64).round() as usize;
        if mark < cells {
            let mut chars: Vec<char> = meter.chars().collect();
            chars[mark] = '│';
            meter = chars.into_iter().collect();
        }
        let style: Style =
            coverage_role(team.coverage_status).map_or(cx.theme.muted(), |r| cx.theme.style(r));
        Line::from(vec![
            Span::styled("coverage ", cx.theme.muted()),
            Span::styled(format!("{:>7} ", fmt_coverage(team.coverage)), style),
            Span::styled(meter, style),
            Span::styled(format!(" target {}× ", f.coverage_target), cx.theme.muted()),
            Span::styled(coverage_word(team.coverage_status).to_string(), style),
        ])
    }

    fn deal_line(&self, id: &OppId, amount: String, why: &str, style: Style) -> Line<'static> {
        let (name, owner) = self
            .names
            .get(id)
            .cloned()
            .unwrap_or_else(|| (String::new(), String::new()));
        let why = if why.is_empty() {
            String::new()
        } else {
            format!("{why} · ")
        };
        Line::from(vec![
            Span::styled(format!("  {:>10} ", amount), style),
            Span::raw(format!("{id} ")),
            Span::styled(why, style),
            Span::raw(text::sanitize(&format!("{name} · {owner}"))),
        ])
    }

    /// The waterfall as horizontal bars, one per step, scaled to the largest;
    /// the selected step marked, its deals listed under it when open.
    fn waterfall(&self, cx: &Cx, width: u16) -> Vec<Line<'static>> {
        let r = match &self.waterfall {
            Some(Ok(w)) => w,
            Some(Err(e)) => return vec![Line::styled(text::sanitize(e), cx.theme.muted())],
            None => return vec![Line::styled("loading…", cx.theme.muted())],
        };
        let w = &r.waterfall;
        let amounts: [i64; 8] = [
            w.start.0,
            w.new.0,
            w.pulled_in.0,
            -w.pushed_out.0,
            -w.won.0,
            -w.lost.0,
            w.amount_changes.0,
            w.end.0,
        ];
        let styles = [
            cx.theme.money(),
            cx.theme.good(),
            cx.theme.good(),
            cx.theme.warn(),
            cx.theme.good(),
            cx.theme.alert(),
            cx.theme.muted(),
            cx.theme.money(),
        ];
        let max = amounts.iter().map(|a| a.abs()).max().unwrap_or(0).max(1);
        let cells = (width as usize).saturating_sub(32).max(5);
        let mut lines = vec![Line::styled(
            format!(
                "{} → {} · deals closing {}..{}",
                w.from, w.to, w.period.from, w.period.to
            ),
            cx.theme.muted(),
        )];
        for d in &r.rebuilt_from_history {
            lines.push(Line::styled(
                format!("(no snapshot near {d}: that day rebuilt from history)"),
                cx.theme.warn(),
            ));
        }
        for (i, ((label, kind), (cents, style))) in
            STEPS.iter().zip(amounts.iter().zip(styles)).enumerate()
        {
            let n = ((cents.abs() as f64 / max as f64) * cells as f64).round() as usize;
            let amount = if kind.is_some() {
                signed(*cents)
            } else {
                Money(*cents).to_string()
            };
            let selected = cx.focused && i == self.step;
            let marker = if selected { "▶" } else { " " };
            let count = kind.map_or(String::new(), |k| {
                format!("{:>3} ", w.moves.iter().filter(|m| m.kind == k).count())
            });
            let head = Span::styled(
                format!("{marker}{label:<12} "),
                if selected {
                    cx.theme.selected()
                } else {
                    cx.theme.muted()
                },
            );
            lines.push(Line::from(vec![
                head,
                Span::styled(format!("{amount:>12} "), style),
                Span::styled(format!("{count:>4}"), cx.theme.muted()),
                Span::styled("█".repeat(n.max(usize::from(*cents != 0))), style),
            ]));
            if self.open_step == Some(i) {
                match kind {
                    Some(k) => {
                        let moves: Vec<_> = w.moves.iter().filter(|m| m.kind == *k).collect();
                        if moves.is_empty() {
                            lines.push(Line::styled("  (no deal)", cx.theme.muted()));
                        }
                        for m in moves {
                            let cents = match k {
                                MoveKind::New | MoveKind::PulledIn | MoveKind::AmountChange => {
                                    m.amount.0
                                }
                                _ => -m.amount.0,
                            };
                            let why = if m.amount_unknown { "no amount" } else { "" };
                            lines.push(self.deal_line(
                                &m.opportunity_id,
                                signed(cents),
                                why,
                                style,
                            ));
                        }
                    }
                    None => lines.push(Line::styled(
                        format!(
                            "  {} deals closing in the period ({} without amount)",
                            if i == 0 { w.start_count } else { w.end_count },
                            w.without_amount
                        ),
                        cx.theme.muted(),
                    )),
                }
            }
        }
        lines.push(Line::styled(
            "↑↓ pick a step · enter lists its deals",
            cx.theme.muted(),
        ));
        lines
    }

    /// The forecast tables (team, by rep) with light coverage in colour.
    fn tables(&self) -> Vec<(crate::report::Table, Vec<Option<Role>>)> {
        let Some(f) = &self.forecast else {
            return Vec::new();
        };
        let lines = [&f.forecast.team, &f.forecast.reps];
        f.tables()
            .into_iter()
            .zip(lines)
            .map(|(t, ls)| {
                let roles = ls
                    .iter()
                    .map(|l| coverage_role(l.coverage_status))
                    .collect();
                (t, roles)
            })
            .collect()
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let wide = area.width >= 120;
        let head = self.headline(cx, area.width);
        let half = if wide { area.width / 2 } else { area.width };
        let water = self.waterfall(cx, half.saturating_sub(2));
        let acc = self.accuracy(cx, half.saturating_sub(2));
        let moved = self.movement(cx);
        let tables = self.tables();
        let boxed = |n: usize| n as u16 + 2;
        let (left_h, right_h) = if wide {
            (boxed(water.len()) + boxed(acc.len()), boxed(moved.len()))
        } else {
            (
                boxed(moved.len()) + boxed(water.len()) + boxed(acc.len()),
                0,
            )
        };
        let tables_h: u16 = tables
            .iter()
            .map(|(t, _)| t.rows.len().max(1) as u16 + 3 + t.notes.len().min(2) as u16)
            .sum();
        let head_h = head.len() as u16 + 1;
        let total = head_h + left_h.max(right_h) + tables_h;
        self.scroll.render(area, buf, total, |full, b| {
            Paragraph::new(head).render(
                Rect {
                    height: head_h,
                    ..full
                },
                b,
            );
            let mut y = full.y + head_h;
            let boxed_at =
                |b: &mut Buffer, x: u16, y: u16, w: u16, title: &str, lines: Vec<Line>| {
                    let h = lines.len() as u16 + 2;
                    let r = Rect::new(x, y, w, h);
                    let block = widgets::pane_block(title.into(), false, cx.theme);
                    let inner = block.inner(r);
                    block.render(r, b);
                    let lines: Vec<Line> = lines
                        .into_iter()
                        .map(|l| widgets::fit(l, inner.width as usize))
                        .collect();
                    Paragraph::new(lines).render(inner, b);
                    h
                };
            let period = self
                .forecast
                .as_ref()
                .map_or(String::new(), |f| format!(" · {}", f.forecast.period));
            let moved_title = format!("How the call moved since last week{period}");
            let water_title = format!("Waterfall{period}");
            let skip = 2 + self
                .waterfall
                .as_ref()
                .and_then(|w| w.as_ref().ok())
                .map_or(0, |w| w.rebuilt_from_history.len());
            if wide {
                self.steps_at.set((y - full.y) as usize + skip);
                let mut ly = y;
                ly += boxed_at(b, full.x, ly, half, &water_title, water);
                boxed_at(b, full.x, ly, half, "Accuracy of past calls", acc);
                boxed_at(b, full.x + half, y, full.width - half, &moved_title, moved);
                y += left_h.max(right_h);
            } else {
                y += boxed_at(b, full.x, y, full.width, &moved_title, moved);
                self.steps_at.set((y - full.y) as usize + skip);
                y += boxed_at(b, full.x, y, full.width, &water_title, water);
                y += boxed_at(b, full.x, y, full.width, "Accuracy of past calls", acc);
            }
            for (t, roles) in &tables {
                if let Some(title) = &t.title {
                    b.set_string(
                        full.x,
                        y,
                        text::truncate(title, full.width as usize),
                        cx.theme.title(false),
                    );
                }
                let h = t.rows.len().max(1) as u16 + 1 + t.notes.len().min(2) as u16;
                let rows: Vec<usize> = (0..t.rows.len()).collect();
                let (least, leave_out) = narrow_forecast(t);
                TableView {
                    roles,
                    least: &least,
                    leave_out: &leave_out,
                    ..TableView::new(t, &rows, cx.theme)
                }
                .render(Rect::new(full.x, y + 1, full.width, h), b);
                y += h + 2;
            }
        });
    }
}
