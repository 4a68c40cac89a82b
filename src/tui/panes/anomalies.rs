//! Anomalies as sentences (SPEC §5), the bad ones apart from the good and
//! ambiguous ones; enter opens the drill-down tree of the selected one,
//! enter on a metric of the tree the records behind it (the activities or
//! deals it counts), enter on a record its deal.

use super::{Cx, TablesPane};
use crate::domain::anomaly::{Kind, Severity, Verdict};
use crate::domain::drill::Node;
use crate::report::anomalies::{AnomaliesReport, AnomalyRow};
use crate::report::drill::{Behind, DrillReport, records_tables};
use crate::report::{Column, Report, Table};
use crate::tui::loader::PaneTables;
use crate::tui::theme::Role;
use crate::tui::widgets::{self, TableView};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

#[derive(Debug, Clone, Default)]
pub struct AnomaliesPane {
    /// Its anomalies in the list's order: row `i` of `list` is anomaly `i`.
    pub report: Option<AnomaliesReport>,
    /// Both groups, bad first: the selection runs over this list.
    pub list: TablesPane,
    /// How many rows of `list` are bad (the rest are good or ambiguous).
    bad: usize,
    /// The drill-down of the selected anomaly, when open.
    pub drill: Option<TablesPane>,
    /// The records behind each row of the drill-down tree.
    drill_records: Vec<Option<Behind>>,
    /// The records behind the selected metric of the tree, when open.
    pub records: Option<TablesPane>,
    /// The metric whose records are open, for the title.
    records_of: String,
}

/// The symbol, word and role of a verdict; the word stays in the row, so
/// colour is never the only signal.
pub fn verdict(d: Verdict) -> (&'static str, &'static str, Role) {
    match d {
        Verdict::Bad => ("▼", "bad", Role::Alert),
        Verdict::Good => ("▲", "good", Role::Good),
        Verdict::Ambiguous => ("◆", "ambiguous", Role::Warn),
    }
}

pub fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
    }
}

/// The rows of a drill-down tree in the order `DrillReport::tables` lists
/// them: whether each explains most of its parent's change.
fn marked(n: &Node, out: &mut Vec<bool>) {
    out.push(n.marked);
    for k in &n.drivers {
        marked(k, out);
    }
}

impl AnomaliesPane {
    /// The list keys act on: the records, else the tree, else the anomalies.
    pub fn current(&self) -> &TablesPane {
        self.records
            .as_ref()
            .or(self.drill.as_ref())
            .unwrap_or(&self.list)
    }

    pub fn current_mut(&mut self) -> &mut TablesPane {
        match (&mut self.records, &mut self.drill) {
            (Some(r), _) => r,
            (None, Some(d)) => d,
            (None, None) => &mut self.list,
        }
    }

    /// Enter on a metric of the tree: opens the records behind it. `false`
    /// when no tree is open or the metric has no records.
    pub fn open_records(&mut self) -> bool {
        let Some(i) = self.drill.as_ref().and_then(|d| d.selected_index()) else {
            return false;
        };
        let Some(Some(b)) = self.drill_records.get(i) else {
            return false;
        };
        let label = super::metric_label(&b.records.metric);
        let mut p = TablesPane::default();
        let tables = records_tables(b, &label, true);
        // The deal of each row of the first table: a deal, or an activity's deal.
        let deals: Vec<Option<crate::domain::OppId>> = if b.records.activities.is_empty() {
            b.records
                .deals
                .iter()
                .map(|d| Some(crate::domain::OppId(d.id.clone().into())))
                .collect()
        } else {
            b.records
                .activities
                .iter()
                .map(|a| a.deal_id.clone().map(crate::domain::OppId::from))
                .collect()
        };
        p.set(PaneTables {
            tables,
            missing: None,
        });
        p.deals = deals;
        self.records_of = label;
        self.records = Some(p);
        true
    }

    pub fn title(&self) -> String {
        if self.records.is_some() {
            return format!(
                "Anomalies › why › records of {} (enter deal · esc back)",
                self.records_of
            );
        }
        if self.drill.is_some() {
            return "Anomalies › why (enter records · esc back)".into();
        }
        if self.report.is_none() {
            // Not "0 worth a conversation" before any flag was computed.
            return "Anomalies · loading…".into();
        }
        let n = self.report.as_ref().map_or(0, |r| r.anomalies.len());
        let period = self
            .report
            .as_ref()
            .and_then(|r| r.period)
            .map_or(String::new(), |p| format!(" · {}..{}", p.from, p.to));
        format!(
            "Anomalies{period} · {} worth a conversation · {} good or ambiguous",
            self.bad,
            n - self.bad
        )
    }

    pub fn set(&mut self, mut report: AnomaliesReport) {
        // Bad first, then by severity (high first); stable within.
        report
            .anomalies
            .sort_by_key(|a| (a.direction != Verdict::Bad, std::cmp::Reverse(a.severity)));
        let mut t = Table::new(
            None,
            vec![
                Column::left("flag"),
                Column::left("rep"),
                Column::left("metric"),
                Column::left("against"),
                Column::left("sentence"),
            ],
        );
        self.bad = 0;
        let mut roles = Vec::new();
        for a in &report.anomalies {
            if a.direction == Verdict::Bad {
                self.bad += 1;
            }
            let (sym, dir, role) = verdict(a.direction);
            t.rows.push(vec![
                format!("{sym} {dir} {}", severity_word(a.severity)),
                a.name.clone(),
                super::metric_label(&a.metric),
                against(a).into(),
                after_the_name(&a.sentence, &a.name).into(),
            ]);
            roles.push(Some(role));
        }
        self.list.set(PaneTables {
            tables: vec![t],
            missing: None,
        });
        self.list.roles = roles;
        self.report = Some(report);
    }

    /// The (rep id, metric) of the selected anomaly.
    pub fn selected(&self) -> Option<(String, String)> {
        let r = *self.list.visible(0).get(self.list.selected)?;
        let a = self.report.as_ref()?.anomalies.get(r)?;
        Some((a.rep_id.clone(), a.metric.clone()))
    }

    pub fn open_drill(&mut self, result: Result<DrillReport, String>) {
        let mut p = TablesPane::default();
        match result {
            Ok(d) => {
                let mut tables = d.tables();
                // The tree only: its records open with enter on a metric.
                tables.truncate(1);
                // Metric ids as labels on screen (the JSON keeps the ids).
                if let Some(t) = tables.first_mut() {
                    let root = &d.drill.root.metric;
                    t.title = t.title.take().map(|s| {
                        s.replacen(
                            &format!("Why {root} "),
                            &format!("Why {} ", super::metric_label(root)),
                            1,
                        )
                    });
                    if let Some(e) = &d.drill.explains {
                        for n in &mut t.notes {
                            *n = n.replace(
                                &format!("by {e}."),
                                &format!("by {}.", super::metric_label(e)),
                            );
                        }
                    }
                    for row in &mut t.rows {
                        if let Some(c) = row.first_mut() {
                            let depth = c.len() - c.trim_start().len();
                            *c = format!(
                                "{}{}",
                                " ".repeat(depth),
                                super::metric_label(c.trim_start())
                            );
                        }
                    }
                }
                let mut m = Vec::new();
                marked(&d.drill.root, &mut m);
                self.drill_records = d.node_records.clone();
                p.set(PaneTables {
                    tables,
                    missing: None,
                });
                p.roles = m.into_iter().map(|x| x.then_some(Role::Alert)).collect();
            }
            Err(e) => {
                self.drill_records.clear();
                p.set(PaneTables {
                    tables: Vec::new(),
                    missing: Some(e),
                })
            }
        }
        self.records = None;
        self.drill = Some(p);
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        if let Some(r) = &self.records {
            r.render(area, buf, cx);
            return;
        }
        if let Some(d) = &self.drill {
            d.render(area, buf, cx);
            return;
        }
        let Some(t) = self.list.data.tables.first() else {
            widgets::message(area, buf, "loading…", cx.theme.muted());
            return;
        };
        self.list.hits.borrow_mut().clear();
        let mut area = area;
        // The selected anomaly's whole sentence under the lists.
        if cx.focused
            && area.height > 10
            && let Some(i) = self.list.selected_index()
            && let Some(a) = self.report.as_ref().and_then(|r| r.anomalies.get(i))
        {
            let text = format!(
                "▸ {} · {}: {}",
                a.name,
                super::metric_label(&a.metric),
                a.sentence
            );
            let lines = widgets::wrap(&crate::text::sanitize(&text), area.width as usize);
            let h = lines.len().min(3) as u16;
            for (k, l) in lines.iter().take(h as usize).enumerate() {
                buf.set_string(
                    area.x,
                    area.y + area.height - h + k as u16,
                    l,
                    cx.theme.title(false),
                );
            }
            area.height -= h;
        }
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
        for (gi, (a, title, rows, selected)) in groups.into_iter().enumerate() {
            let base = if gi == 0 { 0 } else { bad.len() };
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
                roles: &self.list.roles,
                cell_roles: &[],
                hits: Some((&self.list.hits, base)),
                least: &[],
                leave_out: &[],
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

/// What the rule measured the rep against, in a word: two flags on one
/// metric (below the goal, and off the team) tell apart at 80 columns.
fn against(a: &AnomalyRow) -> &'static str {
    match a.rule {
        Kind::BelowGoalSustained => "goal",
        Kind::OffTeam | Kind::PositiveOutlier => "team",
        Kind::OffHistory => "own trend",
        Kind::NewHireOffBand => "new hires",
    }
}

/// The sentence as the list shows it, beside the rep's column: without the
/// rep's name it starts with ("Ann had 0 …", "Ann's win rate …"), so a
/// narrow screen shows what happened. The line under the list and every
/// report keep the whole sentence.
fn after_the_name<'s>(sentence: &'s str, name: &str) -> &'s str {
    let Some(rest) = sentence.strip_prefix(name) else {
        return sentence;
    };
    rest.strip_prefix("'s ")
        .or_else(|| rest.strip_prefix(' '))
        .filter(|r| !r.is_empty())
        .unwrap_or(sentence)
}

#[cfg(test)]
mod tests {
    use super::{AnomaliesPane, after_the_name};

    #[test]
    fn the_list_drops_the_name_the_rep_column_shows() {
        let cases = [
            (
                "Ann Archer had 0 calls a week",
                "Ann Archer",
                "had 0 calls a week",
            ),
            (
                "Ann Archer's win rate went 27% → 18%",
                "Ann Archer",
                "win rate went 27% → 18%",
            ),
            // Another rep's name, or a name alone, stay whole.
            ("Bo had 3 calls", "Ann", "Bo had 3 calls"),
            ("Ann", "Ann", "Ann"),
            ("Annabel had 2 calls", "Ann", "Annabel had 2 calls"),
        ];
        for (sentence, name, want) in cases {
            assert_eq!(after_the_name(sentence, name), want, "{sentence}");
        }
    }

    #[test]
    fn before_its_report_arrives_the_title_says_loading_not_zero() {
        assert_eq!(AnomaliesPane::default().title(), "Anomalies · loading…");
    }
}
