//! Stale and at-risk deals with their reasons (SPEC §6): filter by reason,
//! sort, `?` explains the flag, snoozed deals apart (counted in the title).

use super::{Cx, TablesPane};
use crate::domain::hygiene::Reason;
use crate::report::hygiene::{HygieneReport, HygieneRow};
use crate::report::{Column, Table, UNDEFINED};
use crate::text::sanitize;
use crate::tui::theme::Role;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

/// The orders the list can be sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// The report's order: largest amount at risk first, then the oldest.
    #[default]
    AtRisk,
    /// Longest without real contact first.
    Untouched,
    /// Earliest close date first.
    CloseDate,
    /// Lowest deal score first (the score leads the reasons column).
    Score,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::AtRisk => Sort::Untouched,
            Sort::Untouched => Sort::CloseDate,
            Sort::CloseDate => Sort::Score,
            Sort::Score => Sort::AtRisk,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::AtRisk => "amount at risk",
            Sort::Untouched => "days untouched",
            Sort::CloseDate => "close date",
            Sort::Score => "deal score",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct HygienePane {
    pub report: Option<HygieneReport>,
    pub list: TablesPane,
    /// Only deals with this reason.
    pub reason: Option<Reason>,
    /// Show the snoozed deals instead of the to-do list.
    pub show_snoozed: bool,
    pub sort: Sort,
    /// The `?` explanation popup is open.
    pub explaining: bool,
    /// Owners' names by rep id.
    names: std::collections::HashMap<String, String>,
    /// The rep's own to-do (`--rep`): no owner column, titled "To do".
    pub own: bool,
}

/// Past-due and slipping deals are alert, the others warn; the reason words
/// stay in the row, so colour is never the only signal.
pub fn role_of(row: &HygieneRow) -> Option<Role> {
    if row
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::PastDue | Reason::Slipping))
    {
        Some(Role::Alert)
    } else if !row.reasons.is_empty() {
        Some(Role::Warn)
    } else {
        None
    }
}

/// A reason as words on screen (`past due`, `no next step`).
pub fn reason_words(r: Reason) -> String {
    r.as_str().replace('_', " ")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| UNDEFINED.to_string(), |x| x.to_string())
}

impl HygienePane {
    pub fn title(&self) -> String {
        let name = if self.own { "My to-do" } else { "Hygiene" };
        let Some(r) = self.report.as_ref() else {
            // Not "to do 0" before any deal was checked.
            return format!("{name} · loading…");
        };
        let snoozed = r.rows.iter().filter(|x| x.snoozed_until.is_some()).count();
        let todo = r.rows.len() - snoozed;
        // A search narrows the count the title gives.
        let shown = self.list.visible(0).len();
        let matching = if self.list.filter.is_empty() {
            String::new()
        } else {
            format!(
                " · {shown} match /{}",
                crate::text::sanitize(&self.list.filter)
            )
        };
        let mut t = if self.show_snoozed {
            format!("{name} · snoozed {snoozed} (to do {todo}){matching}")
        } else {
            format!("{name} · to do {todo} · snoozed {snoozed}{matching}")
        };
        if let Some(r) = self.reason {
            t.push_str(&format!(" · only {}", reason_words(r)));
        }
        t.push_str(&format!(" · by {}", self.sort.label()));
        t
    }

    /// Takes a new report; `names` gives the owners' names (by rep id).
    pub fn set(&mut self, report: HygieneReport, names: std::collections::HashMap<String, String>) {
        self.names = names;
        self.report = Some(report);
        self.rebuild();
    }

    pub fn cycle_reason(&mut self) {
        let all = Reason::ALL;
        self.reason = match self.reason {
            None => Some(all[0]),
            Some(r) => all
                .iter()
                .position(|x| *x == r)
                .and_then(|i| all.get(i + 1))
                .copied(),
        };
        self.rebuild();
    }

    /// The rows on show, in the chosen order.
    fn rows(&self) -> Vec<&HygieneRow> {
        let Some(r) = &self.report else {
            return Vec::new();
        };
        let mut rows: Vec<&HygieneRow> = r
            .rows
            .iter()
            .filter(|x| x.snoozed_until.is_some() == self.show_snoozed)
            .filter(|x| self.reason.is_none_or(|want| x.reasons.contains(&want)))
            .collect();
        match self.sort {
            Sort::AtRisk => {}
            Sort::Untouched => rows.sort_by_key(|x| std::cmp::Reverse(x.days_untouched)),
            Sort::CloseDate => rows.sort_by_key(|x| (x.close_date.is_none(), x.close_date)),
            Sort::Score => rows.sort_by_key(|x| x.score.as_ref().map_or(u32::MAX, |s| s.value)),
        }
        rows
    }

    /// Rebuilds the table after a change of data, filter or sort.
    pub fn rebuild(&mut self) {
        let rows = self.rows();
        let mut t = Table::new(
            None,
            vec![
                Column::left("deal"),
                Column::left("name"),
                Column::left("owner"),
                Column::right("amount"),
                Column::left("stage"),
                Column::left("close"),
                Column::right("idle"),
                Column::left(if self.show_snoozed {
                    "snoozed: why"
                } else {
                    "reasons"
                }),
            ],
        );
        let mut deals = Vec::new();
        let mut roles = Vec::new();
        for x in &rows {
            roles.push(role_of(x));
            let last = if self.show_snoozed {
                format!(
                    "until {}: {}",
                    opt(x.snoozed_until),
                    x.snooze_reason.as_deref().unwrap_or("")
                )
            } else {
                let mut words: Vec<String> = x.reasons.iter().map(|r| reason_words(*r)).collect();
                if let Some(tag) = x.tag {
                    words.push(
                        match tag {
                            crate::domain::StuckTag::Red => "●red",
                            crate::domain::StuckTag::Yellow => "●yellow",
                            crate::domain::StuckTag::Green => "●green",
                        }
                        .to_string(),
                    );
                }
                let words = words.join(" ");
                match (&x.score, self.sort) {
                    (Some(s), Sort::Score) => format!("score {:>3} · {words}", s.value),
                    _ => words,
                }
            };
            t.rows.push(vec![
                x.opportunity_id.0.to_string(),
                x.name.clone(),
                self.names
                    .get(x.owner_id.as_str())
                    .cloned()
                    .unwrap_or_else(|| x.owner_id.0.to_string()),
                opt(x.amount),
                x.stage.clone(),
                opt(x.close_date),
                x.days_untouched
                    .map_or_else(|| UNDEFINED.to_string(), |d| format!("{d}d")),
                last,
            ]);
            deals.push(Some(x.opportunity_id.clone()));
        }
        if rows.is_empty() {
            t.notes.push(if self.show_snoozed {
                "No snoozed deals.".into()
            } else {
                "Nothing to do: no flagged deal.".into()
            });
        }
        if self.own {
            // Every row is the rep's own: the owner column says nothing.
            t.columns.remove(2);
            for r in &mut t.rows {
                r.remove(2);
            }
        }
        self.list.set_deals(t, deals);
        self.list.roles = roles;
    }

    /// The explanation of the selected deal's flags: rule, threshold, what
    /// it shows, what would clear it.
    fn explanation(&self, cx: &Cx) -> Vec<Line<'static>> {
        let id = self.list.selected_deal();
        let row = self.report.as_ref().and_then(|r| {
            r.rows
                .iter()
                .find(|x| Some(&x.opportunity_id) == id.as_ref())
        });
        let Some(x) = row else {
            return vec![Line::from("No deal selected.")];
        };
        let mut lines = vec![Line::styled(
            format!(
                "{} · {}",
                sanitize(x.opportunity_id.as_str()),
                sanitize(&x.name)
            ),
            cx.theme.title(true),
        )];
        for f in &x.flags {
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", reason_words(f.reason)), cx.theme.warn()),
                Span::raw(sanitize(&f.rule)),
            ]));
            lines.push(Line::styled(
                format!("  threshold: {}", sanitize(&f.threshold)),
                cx.theme.muted(),
            ));
            lines.push(Line::from(format!("  observed: {}", sanitize(&f.observed))));
            lines.push(Line::styled(
                format!("  clears when: {}", sanitize(&f.clear)),
                cx.theme.good(),
            ));
        }
        lines.push(Line::from(format!(
            "last real touch: {}",
            opt(x.last_touch)
        )));
        if let Some(reason) = &x.snooze_reason {
            lines.push(Line::from(format!(
                "snoozed until {}: {}",
                opt(x.snoozed_until),
                sanitize(reason)
            )));
        }
        lines
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.list.render(area, buf, cx);
        if self.explaining {
            let text = self.explanation(cx);
            let w = area.width.saturating_sub(4).min(90);
            let h = (text.len() as u16 + 4).min(area.height);
            let popup = Rect::new(area.x + (area.width - w) / 2, area.y, w, h);
            Clear.render(popup, buf);
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(widgets::pane_block(
                    "Why flagged (esc closes)".into(),
                    true,
                    cx.theme,
                ))
                .render(popup, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HygienePane;

    #[test]
    fn before_its_report_arrives_the_title_says_loading_not_zero() {
        assert_eq!(HygienePane::default().title(), "Hygiene · loading…");
    }
}
