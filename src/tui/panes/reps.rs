//! Reps × metrics (SPEC §4): quantity, quality and SDR views; each cell the
//! rep's value with a flag, and under the grid the selected rep's metrics
//! beside the team baseline and the goal, with num/den on ratios and `—`
//! for undefined. Flags have a symbol and a colour: `▼` below goal or a bad
//! anomaly, `▲` a good one, `◆` ambiguous.

use super::{Cx, TablesPane};
use crate::domain::Role as RepRole;
use crate::domain::metrics::cuts::Dimension;
use crate::report::anomalies::AnomaliesReport;
use crate::report::cuts::CutReport;
use crate::report::metrics::{MetricsReport, fmt_value};
use crate::report::{Column, Report, Table, UNDEFINED};
use crate::tui::theme::Role;
use crate::tui::widgets::TableView;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

/// Which metrics the grid shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepsView {
    #[default]
    Quantity,
    Quality,
    /// Discount, pipeline age, velocity (SPEC §15).
    Revenue,
    Sdr,
}

impl RepsView {
    pub fn next(self) -> RepsView {
        match self {
            RepsView::Quantity => RepsView::Quality,
            RepsView::Quality => RepsView::Revenue,
            RepsView::Revenue => RepsView::Sdr,
            RepsView::Sdr => RepsView::Quantity,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RepsView::Quantity => "AE quantity",
            RepsView::Quality => "AE quality",
            RepsView::Revenue => "AE revenue",
            RepsView::Sdr => "SDR",
        }
    }

    /// The role shown and the metric ids of the grid's columns.
    fn columns(self) -> (RepRole, &'static [&'static str]) {
        match self {
            RepsView::Quantity => (
                RepRole::Ae,
                &[
                    "meetings",
                    "first_meetings",
                    "calls",
                    "emails",
                    "opps_created",
                    "won",
                    "bookings",
                    "pipeline_value",
                ],
            ),
            RepsView::Quality => (
                RepRole::Ae,
                &[
                    "win_rate",
                    "avg_deal_size",
                    "sales_cycle_days",
                    "days_between_touches",
                    "untouched_opps",
                    "meetings_per_opp",
                ],
            ),
            RepsView::Revenue => (
                RepRole::Ae,
                &[
                    "discount",
                    "pipeline_over_90d",
                    "velocity",
                    "win_rate",
                    "avg_deal_size",
                    "bookings",
                ],
            ),
            RepsView::Sdr => (
                RepRole::Sdr,
                &[
                    "meetings_set",
                    "pipeline_created",
                    "calls",
                    "connect_rate",
                    "reply_rate",
                    "account_to_meeting",
                ],
            ),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RepsPane {
    pub report: Option<MetricsReport>,
    /// (rep id, metric, direction word) of the period's anomalies, for flags.
    pub flags: Vec<(String, String, String)>,
    pub view: RepsView,
    /// The grid; its rows are reps.
    pub list: TablesPane,
    /// Rep ids of the grid's rows.
    rep_ids: Vec<String>,
    /// Per rep (report order): the detail table of the metrics report.
    details: Vec<(String, Table)>,
    /// The rep to select when the data arrives (`--rep`).
    pub focus_rep: Option<String>,
    /// The cut shown instead of the reps (`b` cycles), `None`: by rep.
    pub cut: Option<Dimension>,
    /// The cut reports, one per dimension.
    cuts: Vec<CutReport>,
}

/// The flag symbol of a metric of a rep: `▼` below goal or a bad anomaly,
/// `▲` a good anomaly, `◆` an ambiguous one, else nothing.
fn flag(pane: &RepsPane, rep: &str, metric: &str, goal_met: Option<bool>) -> &'static str {
    let dir = pane
        .flags
        .iter()
        .find(|(r, m, _)| r == rep && m == metric)
        .map(|(_, _, d)| d.as_str());
    match (dir, goal_met) {
        (Some("bad"), _) | (_, Some(false)) => "▼",
        (Some("good"), _) => "▲",
        (Some(_), _) => "◆",
        _ => "",
    }
}

/// A cell's role from its flag symbol.
pub fn role_of(row: &[String]) -> Option<Role> {
    if row.iter().any(|c| c.ends_with('▼')) {
        Some(Role::Warn)
    } else {
        None
    }
}

impl RepsPane {
    pub fn title(&self) -> String {
        if let Some(d) = self.cut {
            return format!("Reps · by {} (b: cut)", d.as_str());
        }
        match &self.report {
            Some(r) => format!(
                "Reps · {} · {}..{} (v: view)",
                self.view.label(),
                r.period.from,
                r.period.to
            ),
            None => format!("Reps · {}", self.view.label()),
        }
    }

    pub fn set(&mut self, report: MetricsReport, anomalies: &AnomaliesReport) {
        self.flags = anomalies
            .anomalies
            .iter()
            .map(|a| {
                let word = serde_json::to_value(a.direction)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                (a.rep_id.clone(), a.metric.clone(), word)
            })
            .collect();
        let tables = report.tables();
        self.details = report
            .reps
            .iter()
            .map(|r| r.rep_id.clone())
            .zip(tables)
            .collect();
        self.report = Some(report);
        self.rebuild();
    }

    pub fn set_cuts(&mut self, cuts: Vec<CutReport>) {
        self.cuts = cuts;
        self.rebuild();
    }

    /// By rep → segment → ICP tier → industry → channel → stage at creation → by rep.
    pub fn next_cut(&mut self) {
        self.cut = match self.cut {
            None => Some(Dimension::ALL[0]),
            Some(d) if d == Dimension::ALL[Dimension::ALL.len() - 1] => None,
            Some(d) => Some(d.next()),
        };
        self.rebuild();
    }

    pub fn next_view(&mut self) {
        self.view = self.view.next();
        self.rebuild();
    }

    /// Rebuilds the grid for the view.
    pub fn rebuild(&mut self) {
        if let Some(d) = self.cut {
            let tables = self
                .cuts
                .iter()
                .find(|c| c.by == d)
                .map(|c| c.tables())
                .unwrap_or_default();
            self.list.set(crate::tui::loader::PaneTables {
                tables,
                missing: None,
            });
            self.rep_ids.clear();
            return;
        }
        let Some(report) = &self.report else { return };
        let (role, metrics) = self.view.columns();
        let mut cols = vec![Column::left("rep")];
        cols.extend(metrics.iter().map(|m| Column::right(m)));
        let mut t = Table::new(None, cols);
        let mut ids = Vec::new();
        for r in report.reps.iter().filter(|r| r.role == role) {
            let name = if r.ramping {
                format!("{} (ramping)", r.name)
            } else {
                r.name.clone()
            };
            let mut row = vec![name];
            for m in metrics {
                row.push(match r.metrics.get(*m) {
                    Some(c) => format!(
                        "{}{}",
                        fmt_value(c.def.unit, c.value.value),
                        flag(self, &r.rep_id, m, c.goal_met)
                    ),
                    None => UNDEFINED.to_string(),
                });
            }
            t.rows.push(row);
            ids.push(r.rep_id.clone());
        }
        if t.rows.is_empty() {
            t.notes.push(format!("No active {role} in this period."));
        }
        t.notes.push(
            "▼ below goal or worse than the team · ▲ better · ◆ ambiguous · — undefined".into(),
        );
        self.list.set(crate::tui::loader::PaneTables {
            tables: vec![t],
            missing: None,
        });
        self.rep_ids = ids;
        if let Some(want) = self.focus_rep.clone()
            && let Some(i) = self.rep_ids.iter().position(|x| *x == want)
        {
            self.list.selected = i;
        }
    }

    /// The rep of the selected row.
    pub fn selected_rep(&self) -> Option<&str> {
        let r = *self.list.visible(0).get(self.list.selected)?;
        self.rep_ids.get(r).map(String::as_str)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        if self.report.is_none() {
            crate::tui::widgets::message(area, buf, "loading…", cx.theme.muted());
            return;
        }
        if self.cut.is_some() {
            self.list.render(area, buf, cx, &role_of);
            return;
        }
        let grid_h = (self.list.visible(0).len() as u16 + 4)
            .min(area.height / 2)
            .max(4);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(grid_h), Constraint::Min(0)]).areas(area);
        self.list.render(top, buf, cx, &role_of);
        let Some(rep) = self.selected_rep() else {
            return;
        };
        let Some((_, detail)) = self.details.iter().find(|(id, _)| id == rep) else {
            return;
        };
        if bottom.height < 3 {
            return;
        }
        let title = detail.title.clone().unwrap_or_default();
        buf.set_string(
            bottom.x,
            bottom.y,
            crate::text::truncate(&crate::text::sanitize(&title), bottom.width as usize),
            cx.theme.title(false),
        );
        let rows: Vec<usize> = (0..detail.rows.len()).collect();
        let body = Rect {
            y: bottom.y + 1,
            height: bottom.height - 1,
            ..bottom
        };
        TableView {
            table: detail,
            rows: &rows,
            selected: None,
            theme: cx.theme,
            role_of: &|row: &[String]| {
                if row.last().is_some_and(|n| n.contains("below goal")) {
                    Some(Role::Alert)
                } else {
                    None
                }
            },
        }
        .render(body, buf);
    }
}
