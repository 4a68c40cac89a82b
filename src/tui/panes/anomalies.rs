//! Anomalies as sentences (SPEC §5), the bad ones apart from the good and
//! ambiguous ones; enter opens the drill-down tree of the selected one.

use super::{Cx, TablesPane};
use crate::report::anomalies::{AnomaliesReport, AnomalyRow};
use crate::report::drill::DrillReport;
use crate::report::{Column, Report, Table};
use crate::tui::loader::PaneTables;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, TableView};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

#[derive(Debug, Clone, Default)]
pub struct AnomaliesPane {
    pub report: Option<AnomaliesReport>,
    /// Both groups, bad first: the selection runs over this list.
    pub list: TablesPane,
    /// How many rows of `list` are bad (the rest are good or ambiguous).
    bad: usize,
    /// The anomaly (rep id, metric) of each row.
    keys: Vec<(String, String)>,
    /// The drill-down of the selected anomaly, when open.
    pub drill: Option<TablesPane>,
}

fn word(d: impl serde::Serialize) -> String {
    serde_json::to_value(d)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Bad is alert, good is good, ambiguous is warn; the word stays in the row.
pub fn role_of(row: &[String]) -> Option<Role> {
    match row.first().map(String::as_str) {
        Some(s) if s.starts_with('▼') => Some(Role::Alert),
        Some(s) if s.starts_with('▲') => Some(Role::Good),
        Some(s) if s.starts_with('◆') => Some(Role::Warn),
        _ => None,
    }
}

impl AnomaliesPane {
    pub fn title(&self) -> String {
        if self.drill.is_some() {
            return "Anomalies › why (esc back)".into();
        }
        let n = self.keys.len();
        format!(
            "Anomalies · {} worth a conversation · {} good or ambiguous",
            self.bad,
            n - self.bad
        )
    }

    pub fn set(&mut self, report: AnomaliesReport) {
        let mut rows: Vec<&AnomalyRow> = report.anomalies.iter().collect();
        // Bad first, then by severity (high first); stable within.
        rows.sort_by_key(|a| (word(a.direction) != "bad", std::cmp::Reverse(a.severity)));
        let mut t = Table::new(
            None,
            vec![
                Column::left("flag"),
                Column::left("rep"),
                Column::left("metric"),
                Column::left("sentence"),
            ],
        );
        self.keys.clear();
        self.bad = 0;
        for a in &rows {
            let dir = word(a.direction);
            if dir == "bad" {
                self.bad += 1;
            }
            let sym = match dir.as_str() {
                "bad" => "▼",
                "good" => "▲",
                _ => "◆",
            };
            t.rows.push(vec![
                format!("{sym} {dir} {}", word(a.severity)),
                a.name.clone(),
                a.metric.clone(),
                a.sentence.clone(),
            ]);
            self.keys.push((a.rep_id.clone(), a.metric.clone()));
        }
        self.list.set(PaneTables {
            tables: vec![t],
            missing: None,
        });
        self.report = Some(report);
    }

    /// The (rep id, metric) of the selected anomaly.
    pub fn selected(&self) -> Option<(String, String)> {
        let r = *self.list.visible(0).get(self.list.selected)?;
        self.keys.get(r).cloned()
    }

    pub fn open_drill(&mut self, result: Result<DrillReport, String>) {
        let data = match result {
            Ok(d) => PaneTables {
                tables: d.tables(),
                missing: None,
            },
            Err(e) => PaneTables {
                tables: Vec::new(),
                missing: Some(e),
            },
        };
        let mut p = TablesPane::default();
        p.set(data);
        self.drill = Some(p);
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        if let Some(d) = &self.drill {
            d.render(area, buf, cx, &|row: &[String]| {
                row.last()
                    .filter(|c| c.contains("most"))
                    .map(|_| Role::Alert)
            });
            return;
        }
        let Some(t) = self.list.data.tables.first() else {
            widgets::message(area, buf, "loading…", cx.theme.muted());
            return;
        };
        let visible = self.list.visible(0);
        let (bad, other): (Vec<usize>, Vec<usize>) = visible.iter().partition(|&&r| r < self.bad);
        let sel = self.list.selected;
        let h_bad = (bad.len() as u16 + 2).min(area.height / 2 + 2).max(3);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(h_bad + 1), Constraint::Min(3)]).areas(area);
        let groups = [
            (
                top,
                "Worth a conversation (bad)",
                &bad,
                (sel < bad.len()).then_some(sel),
            ),
            (
                bottom,
                "Good or ambiguous (a practice to spread, or a sign of neglect)",
                &other,
                sel.checked_sub(bad.len()),
            ),
        ];
        for (a, title, rows, selected) in groups {
            if a.height < 2 {
                continue;
            }
            buf.set_string(a.x, a.y, title, cx.theme.title(false));
            let mut tt = t.clone();
            if rows.is_empty() {
                tt.notes = vec!["None.".into()];
            }
            TableView {
                table: &tt,
                rows,
                selected: if cx.focused { selected } else { None },
                theme: cx.theme,
                role_of: &role_of,
            }
            .render(
                Rect {
                    y: a.y + 1,
                    height: a.height - 1,
                    ..a
                },
                buf,
            );
        }
    }
}
