//! Reps × metrics (SPEC §4): quantity, quality and SDR views; each cell the
//! rep's value with a flag, and under the grid the selected rep's metrics
//! beside the team baseline and the goal, with num/den on ratios and `—`
//! for undefined. Flags have a symbol and a colour: `▼` below goal or a bad
//! anomaly, `▲` a good one, `◆` ambiguous.

use super::{Cx, TablesPane};
use crate::domain::Role as RepRole;
use crate::domain::anomaly::Verdict;
use crate::domain::metrics::MetricId;
use crate::domain::metrics::cuts::Dimension;
use crate::report::anomalies::AnomaliesReport;
use crate::report::cuts::CutReport;
use crate::report::metrics::fmt_sample;
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
    fn columns(self) -> (RepRole, &'static [MetricId]) {
        match self {
            RepsView::Quantity => (
                RepRole::Ae,
                &[
                    MetricId::Meetings,
                    MetricId::FirstMeetings,
                    MetricId::Calls,
                    MetricId::Emails,
                    MetricId::OppsCreated,
                    MetricId::Won,
                    MetricId::Bookings,
                    MetricId::PipelineValue,
                ],
            ),
            RepsView::Quality => (
                RepRole::Ae,
                &[
                    MetricId::WinRate,
                    MetricId::AvgDealSize,
                    MetricId::SalesCycleDays,
                    MetricId::DaysBetweenTouches,
                    MetricId::UntouchedOpps,
                    MetricId::MeetingsPerOpp,
                ],
            ),
            RepsView::Revenue => (
                RepRole::Ae,
                &[
                    MetricId::Discount,
                    MetricId::PipelineOver90d,
                    MetricId::Velocity,
                    MetricId::WinRate,
                    MetricId::AvgDealSize,
                    MetricId::Bookings,
                ],
            ),
            RepsView::Sdr => (
                RepRole::Sdr,
                &[
                    MetricId::MeetingsSet,
                    MetricId::PipelineCreated,
                    MetricId::Calls,
                    MetricId::ConnectRate,
                    MetricId::ReplyRate,
                    MetricId::AccountToMeeting,
                ],
            ),
        }
    }
}

/// A short column head for a metric in the grid (the detail under the
/// grid gives the full label).
fn short_label(id: &str) -> &str {
    match id {
        "meetings" => "meetings",
        "first_meetings" => "1st mtgs",
        "calls" => "calls",
        "emails" => "emails",
        "opps_created" => "new opps",
        "won" => "won",
        "bookings" => "bookings",
        "pipeline_value" => "pipeline",
        "win_rate" => "win rate",
        "avg_deal_size" => "avg deal",
        "sales_cycle_days" => "cycle d",
        "days_between_touches" => "touch gap",
        "untouched_opps" => "untouched",
        "meetings_per_opp" => "mtg/deal",
        "meetings_set" => "mtgs set",
        "pipeline_created" => "pipe new",
        "connect_rate" => "connect",
        "reply_rate" => "reply",
        "account_to_meeting" => "acct→mtg",
        "lost" => "lost",
        "open_opps" => "open",
        "discount" => "discount",
        "pipeline_over_90d" => "pipe>90d",
        "velocity" => "velocity",
        other => other,
    }
}

/// The role of each cell of a table (rows × columns).
type CellRoles = Vec<Vec<Option<Role>>>;

#[derive(Debug, Clone, Default)]
pub struct RepsPane {
    pub report: Option<MetricsReport>,
    /// (rep id, metric, verdict) of the period's anomalies, for flags.
    pub flags: Vec<(String, String, Verdict)>,
    pub view: RepsView,
    /// The grid; its rows are reps.
    pub list: TablesPane,
    /// Rep ids of the grid's rows.
    rep_ids: Vec<String>,
    /// The rep to select when the data arrives (`--rep`).
    pub focus_rep: Option<String>,
    /// The rep's own view (`--rep`): no other rep is named, the grid is
    /// replaced by the rep's metrics beside the team baseline.
    pub own: bool,
    /// Today: goals of a period still under way are marked prorated.
    pub today: chrono::NaiveDate,
    /// The scroll of the metrics under the grid (or of the own view).
    pub detail_scroll: super::Scroll,
    /// The cut shown instead of the reps (`b` cycles), `None`: by rep.
    pub cut: Option<Dimension>,
    /// The cut reports, one per dimension.
    cuts: Vec<CutReport>,
}

/// The flag of a metric of a rep and its role: `▼` below goal or a bad
/// anomaly, `▲` a good anomaly, `◆` an ambiguous one, else nothing.
fn flag(
    pane: &RepsPane,
    rep: &str,
    metric: &MetricId,
    goal_met: Option<bool>,
) -> (&'static str, Option<Role>) {
    let dir = pane
        .flags
        .iter()
        .find(|(r, m, _)| r == rep && m == metric.as_str())
        .map(|(_, _, d)| *d);
    match (dir, goal_met) {
        (Some(Verdict::Bad), _) | (_, Some(false)) => ("▼", Some(Role::Alert)),
        (Some(Verdict::Good), _) => ("▲", Some(Role::Good)),
        (Some(_), _) => ("◆", Some(Role::Warn)),
        _ => ("", None),
    }
}

impl RepsPane {
    pub fn title(&self) -> String {
        if self.own {
            return match &self.report {
                Some(r) => format!("My metrics · {}..{}", r.period.from, r.period.to),
                None => "My metrics".into(),
            };
        }
        if let Some(d) = self.cut {
            return format!(
                "Reps · by {} (b: cut)",
                crate::report::cuts::dimension_label(d)
            );
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

    /// The metrics of a new load; its flags come with its anomalies.
    pub fn set(&mut self, report: MetricsReport) {
        self.flags.clear();
        self.report = Some(report);
        self.rebuild();
    }

    /// The anomaly flags of the period on screen (they arrive after the metrics).
    pub fn set_flags(&mut self, anomalies: &AnomaliesReport) {
        self.flags = anomalies
            .anomalies
            .iter()
            .map(|a| (a.rep_id.clone(), a.metric.clone(), a.direction))
            .collect();
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
            // Metric ids as short labels on screen (the JSON keeps the ids).
            let tables = tables
                .into_iter()
                .map(|mut t| {
                    for c in t.columns.iter_mut().skip(1) {
                        c.name = short_label(&c.name).to_string();
                    }
                    if let Some(c) = t.columns.first_mut() {
                        c.name = crate::report::cuts::dimension_label(d).to_string();
                    }
                    t
                })
                .collect();
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
        cols.extend(
            metrics
                .iter()
                .map(|m| Column::right(short_label(m.as_str()))),
        );
        let mut t = Table::new(None, cols);
        let mut ids = Vec::new();
        let mut cell_roles = Vec::new();
        for r in report.reps.iter().filter(|r| r.role == role) {
            // The mark first: a name cut to fit keeps it.
            let name = if r.ramping {
                format!("◔ {}", r.name)
            } else {
                r.name.clone()
            };
            let mut row = vec![name];
            let mut roles = vec![None];
            for m in metrics {
                let (cell, role) = match r.metrics.get(m) {
                    Some(c) => {
                        let (sym, role) = flag(self, &r.rep_id, m, c.goal_met);
                        (
                            format!("{}{sym}", fmt_value(c.def.unit, c.value.value)),
                            role,
                        )
                    }
                    None => (UNDEFINED.to_string(), None),
                };
                row.push(cell);
                roles.push(role);
            }
            t.rows.push(row);
            cell_roles.push(roles);
            ids.push(r.rep_id.clone());
        }
        if t.rows.is_empty() {
            t.notes.push(format!("No active {role} in this period."));
        }
        t.notes.push(
            "▼ below goal or the team · ▲ better · ◆ ambiguous · — undefined · ◔ ramping".into(),
        );
        self.list.set(crate::tui::loader::PaneTables {
            tables: vec![t],
            missing: None,
        });
        self.list.cell_roles = cell_roles;
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

    /// The selected rep's metrics beside the team baseline and the goal,
    /// with full labels; roles from the typed cells.
    fn detail(&self, rep: &str) -> Option<(String, Table, CellRoles)> {
        let report = self.report.as_ref()?;
        let r = report.reps.iter().find(|r| r.rep_id == rep)?;
        let title = format!(
            "{}{} — {}..{} · team: median of peers",
            r.name,
            if r.ramping { " (ramping)" } else { "" },
            report.period.from,
            report.period.to
        );
        let mut t = Table::new(
            None,
            vec![
                Column::left("metric"),
                Column::right("value"),
                Column::right("sample"),
                Column::right("team"),
                Column::right("goal"),
                Column::left("note"),
            ],
        );
        let mut roles = Vec::new();
        for id in &r.order {
            let Some(c) = r.metrics.get(id) else { continue };
            let unit = c.def.unit;
            let (sym, role) = flag(self, &r.rep_id, id, c.goal_met);
            let mut note = Vec::new();
            if let Some(false) = c.goal_met {
                note.push("below goal".to_string());
            }
            if let Some(n) = c.value.still_open.filter(|n| *n > 0) {
                note.push(format!("{n} still open"));
            }
            if let Some(n) = c.value.without_amount.filter(|n| *n > 0) {
                note.push(format!("{n} without amount"));
            }
            t.rows.push(vec![
                super::metric_label(id.as_str()),
                format!("{}{sym}", fmt_value(unit, c.value.value)),
                fmt_sample(unit, &c.value),
                fmt_value(unit, c.baseline),
                if c.goal.is_some() {
                    // A prorated goal (to the period, or to date) is marked;
                    // the legend is under the table.
                    let mark = if c.goal_prorated == Some(true) {
                        "*"
                    } else {
                        ""
                    };
                    format!("{}{mark}", fmt_value(unit, c.goal))
                } else {
                    UNDEFINED.to_string()
                },
                note.join("; "),
            ]);
            roles.push(vec![None, role, None, None, None, role]);
        }
        if r.metrics.values().any(|c| c.goal_prorated == Some(true)) {
            t.notes
                .push("* goal prorated to the period, or to date".into());
        }
        Some((title, t, roles))
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        if self.report.is_none() {
            crate::tui::widgets::message(area, buf, "loading…", cx.theme.muted());
            return;
        }
        if self.own {
            // The rep's own view: their metrics beside the team baseline only.
            let Some(rep) = self.focus_rep.as_deref() else {
                return;
            };
            if let Some((title, t, roles)) = self.detail(rep) {
                self.draw_detail(area, buf, cx, &title, &t, &roles);
            }
            return;
        }
        if self.cut.is_some() {
            self.list.render(area, buf, cx);
            return;
        }
        let grid_h = (self.list.visible(0).len() as u16 + 4)
            .min(area.height / 2)
            .max(4);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(grid_h), Constraint::Min(0)]).areas(area);
        self.list.render(top, buf, cx);
        let Some(rep) = self.selected_rep() else {
            return;
        };
        if bottom.height < 3 {
            return;
        }
        if let Some((title, t, roles)) = self.detail(rep) {
            self.draw_detail(bottom, buf, cx, &title, &t, &roles);
        }
    }

    fn draw_detail(
        &self,
        area: Rect,
        buf: &mut Buffer,
        cx: &Cx,
        title: &str,
        t: &Table,
        roles: &[Vec<Option<Role>>],
    ) {
        if area.height < 2 {
            return;
        }
        buf.set_string(
            area.x,
            area.y,
            crate::text::truncate(&crate::text::sanitize(title), area.width as usize),
            cx.theme.title(false),
        );
        let body = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        self.detail_scroll.render(
            body,
            buf,
            (t.rows.len() + 1 + t.notes.len()) as u16,
            |r, b| {
                let rows: Vec<usize> = (0..t.rows.len()).collect();
                TableView {
                    cell_roles: roles,
                    ..TableView::new(t, &rows, cx.theme)
                }
                .render(r, b)
            },
        );
    }
}
