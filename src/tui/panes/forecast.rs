//! The founder's view (SPEC §8): call, best case, pipeline and weighted for
//! the period, coverage as a meter against the target, the week-over-week
//! waterfall as a chart, and past accuracy as bars against the ±25 % line.

use super::Cx;
use crate::domain::Money;
use crate::domain::forecast::{CoverageStatus, ForecastLine};
use crate::report::accuracy::{AccuracyReport, fmt_error};
use crate::report::forecast::{ForecastReport, coverage_word, fmt_coverage};
use crate::report::waterfall::WaterfallReport;
use crate::text;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The accuracy band that is flagged: worse than ±25 %.
const FLAG_LINE: f64 = 0.25;

#[derive(Debug, Clone, Default)]
pub struct ForecastPane {
    pub forecast: Option<ForecastReport>,
    pub waterfall: Option<Result<WaterfallReport, String>>,
    pub accuracy: Option<AccuracyReport>,
    /// The forecast report's tables (team by month, and by rep), shown when there is room.
    pub tables: super::TablesPane,
}

/// A bar of `cells` columns filled to `share` (0–1) of its length.
fn bar(share: f64, cells: usize) -> String {
    let n = ((share.clamp(0.0, 1.0)) * cells as f64).round() as usize;
    format!("{}{}", "█".repeat(n), "░".repeat(cells - n))
}

impl ForecastPane {
    pub fn set(
        &mut self,
        forecast: ForecastReport,
        waterfall: Result<WaterfallReport, String>,
        accuracy: AccuracyReport,
    ) {
        use crate::report::Report;
        self.tables.set(crate::tui::loader::PaneTables {
            tables: forecast.tables(),
            missing: None,
        });
        self.forecast = Some(forecast);
        self.waterfall = Some(waterfall);
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
        first.extend(money("pipeline", team.pipeline));
        first.extend(money("weighted", team.weighted));
        let mut lines = vec![Line::from(first)];
        lines.push(Line::from(vec![
            Span::styled("won to date ", cx.theme.muted()),
            Span::styled(format!("{}  ", team.won), cx.theme.good()),
            Span::styled("quota ", cx.theme.muted()),
            Span::raw(format!(
                "{}  ",
                team.quota.map_or("—".to_string(), |q| q.to_string())
            )),
            Span::styled("to close ", cx.theme.muted()),
            Span::raw(team.to_close.map_or("—".to_string(), |q| q.to_string())),
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
        let style: Style = match team.coverage_status {
            CoverageStatus::OnTarget | CoverageStatus::QuotaMet => cx.theme.good(),
            CoverageStatus::BelowTarget => cx.theme.warn(),
            CoverageStatus::Light => cx.theme.alert(),
            _ => cx.theme.muted(),
        };
        Line::from(vec![
            Span::styled("coverage ", cx.theme.muted()),
            Span::styled(format!("{:>7} ", fmt_coverage(team.coverage)), style),
            Span::styled(meter, style),
            Span::styled(format!(" target {}× ", f.coverage_target), cx.theme.muted()),
            Span::styled(coverage_word(team.coverage_status).to_string(), style),
        ])
    }

    /// The waterfall as horizontal bars, one per step, scaled to the largest.
    fn waterfall(&self, cx: &Cx, width: u16) -> Vec<Line<'static>> {
        let w = match &self.waterfall {
            Some(Ok(w)) => &w.waterfall,
            Some(Err(e)) => return vec![Line::styled(text::sanitize(e), cx.theme.muted())],
            None => return vec![Line::styled("loading…", cx.theme.muted())],
        };
        let steps: [(&str, i64, Style); 8] = [
            ("start", w.start.0, cx.theme.money()),
            ("+ new", w.new.0, cx.theme.good()),
            ("+ pulled in", w.pulled_in.0, cx.theme.good()),
            ("− pushed out", -w.pushed_out.0, cx.theme.warn()),
            ("− won", -w.won.0, cx.theme.good()),
            ("− lost", -w.lost.0, cx.theme.alert()),
            ("± amounts", w.amount_changes.0, cx.theme.muted()),
            ("end", w.end.0, cx.theme.money()),
        ];
        let max = steps.iter().map(|s| s.1.abs()).max().unwrap_or(0).max(1);
        let cells = (width as usize).saturating_sub(30).max(5);
        let mut lines = vec![Line::styled(
            format!("{} → {}", w.from, w.to),
            cx.theme.muted(),
        )];
        for (label, cents, style) in steps {
            let n = ((cents.abs() as f64 / max as f64) * cells as f64).round() as usize;
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<12} "), cx.theme.muted()),
                // The label carries the sign; the amount is its size.
                Span::styled(format!("{:>13} ", Money(cents.abs()).to_string()), style),
                Span::styled("█".repeat(n.max(usize::from(cents != 0))), style),
            ]));
        }
        lines
    }

    /// Past quarters' headline error as bars; `┊` marks ±25 %; flagged
    /// quarters say so in words.
    fn accuracy(&self, cx: &Cx, width: u16) -> Vec<Line<'static>> {
        let Some(a) = &self.accuracy else {
            return vec![Line::styled("loading…", cx.theme.muted())];
        };
        if a.accuracy.team.is_empty() {
            return vec![Line::styled(
                "No closed quarter with a snapshot yet.",
                cx.theme.muted(),
            )];
        }
        let cells = (width as usize).saturating_sub(36).clamp(8, 50);
        // The bar spans 0 to 50 % error; the flag line sits at 25 %.
        let scale = 0.5;
        let mark = ((FLAG_LINE / scale) * cells as f64).round() as usize;
        let mut lines = Vec::new();
        for q in &a.accuracy.team {
            let err = q.headline.as_ref().and_then(|h| h.error);
            let n = err.map_or(0, |e| {
                ((e.abs() / scale).min(1.0) * cells as f64).round() as usize
            });
            let mut chars: Vec<char> = "█"
                .repeat(n)
                .chars()
                .chain(" ".repeat(cells - n).chars())
                .collect();
            if mark < cells && chars[mark] == ' ' {
                chars[mark] = '┊';
            }
            let flagged = q.flagged || err.is_some_and(|e| e.abs() > FLAG_LINE);
            let style = if q.red_flag {
                cx.theme.alert()
            } else if flagged {
                cx.theme.warn()
            } else {
                cx.theme.good()
            };
            let word = if q.red_flag {
                " ⚑ red flag"
            } else if flagged {
                " ⚑ off by >25%"
            } else {
                ""
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<8} ", q.quarter_label), cx.theme.muted()),
                Span::styled(chars.into_iter().collect::<String>(), style),
                Span::styled(format!(" {:>7}", fmt_error(err)), style),
                Span::styled(word.to_string(), style),
            ]));
        }
        lines.push(Line::styled(
            format!(
                "{} marks ±25 %; bars span 0–50 % error of the first-day call",
                '┊'
            ),
            cx.theme.muted(),
        ));
        lines
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let head = self.headline(cx, area.width);
        let roomy = area.height >= 40 && area.width >= 120;
        let [top, rest, tables] = Layout::vertical([
            Constraint::Length(head.len() as u16 + 1),
            if roomy {
                Constraint::Length(13)
            } else {
                Constraint::Min(0)
            },
            if roomy {
                Constraint::Min(0)
            } else {
                Constraint::Length(0)
            },
        ])
        .areas(area);
        if roomy {
            let quiet = Cx {
                focused: false,
                ..*cx
            };
            self.tables.render(tables, buf, &quiet, &super::plain);
        }
        Paragraph::new(head).render(top, buf);
        let [left, right] = if area.width >= 120 {
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rest)
        } else {
            Layout::vertical([Constraint::Length(11), Constraint::Min(0)]).areas(rest)
        };
        for (rect, title, lines) in [
            (left, "Week over week", self.waterfall(cx, left.width)),
            (
                right,
                "Accuracy of past calls",
                self.accuracy(cx, right.width),
            ),
        ] {
            if rect.height < 3 {
                continue;
            }
            let block = widgets::pane_block(title.into(), false, cx.theme);
            let inner = block.inner(rect);
            block.render(rect, buf);
            // Too many lines: keep the newest (the last ones) and the legend.
            let room = inner.height as usize;
            let lines = if lines.len() > room && room >= 2 {
                let mut kept: Vec<Line> = lines[lines.len() - room..lines.len() - 1].to_vec();
                kept.extend(lines.last().cloned());
                kept
            } else {
                lines
            };
            Paragraph::new(lines).render(inner, buf);
        }
    }
}
