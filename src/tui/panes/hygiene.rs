//! Stale and at-risk deals with their reasons: filter by reason, sort, `?`
//! explains the flag, snoozed deals apart.

use super::{Cx, TablesPane};
use crate::tui::theme::Role;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

/// The hygiene reasons of SPEC §6, in the order the filter cycles them.
pub const REASONS: [&str; 5] = ["untouched", "past_due", "stuck", "no_next_step", "slipping"];

#[derive(Debug, Clone, Default)]
pub struct HygienePane {
    pub list: TablesPane,
    /// Only deals with this reason (index into `REASONS`).
    pub reason: Option<usize>,
    /// Show the snoozed deals instead of the to-do list.
    pub show_snoozed: bool,
    /// The `?` explanation popup is open.
    pub explaining: bool,
}

/// Past due and slipping deals are alert; the others warn.
pub fn role_of(row: &[String]) -> Option<Role> {
    if row
        .iter()
        .any(|c| c.contains("past_due") || c.contains("slipping"))
    {
        Some(Role::Alert)
    } else if row.iter().any(|c| REASONS.iter().any(|r| c.contains(r))) {
        Some(Role::Warn)
    } else {
        None
    }
}

impl HygienePane {
    pub fn title(&self) -> String {
        let mut t = "Hygiene".to_string();
        if let Some(r) = self.reason {
            t.push_str(&format!(" · {}", REASONS[r]));
        }
        if self.show_snoozed {
            t.push_str(" · snoozed");
        }
        t
    }

    pub fn cycle_reason(&mut self) {
        self.reason = match self.reason {
            None => Some(0),
            Some(i) if i + 1 < REASONS.len() => Some(i + 1),
            Some(_) => None,
        };
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.list.render(area, buf, cx, &role_of);
        if self.explaining {
            let text = match (self.list.data.tables.first(), self.list.selected_row()) {
                (Some(t), Some(row)) => t
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| Line::from(format!("{}: {}", c.name, crate::text::sanitize(v))))
                    .collect(),
                _ => vec![Line::from("No deal selected.")],
            };
            let w = area.width.saturating_sub(8).min(70);
            let h = (text.len() as u16 + 2).min(area.height.saturating_sub(2));
            let popup = Rect::new(area.x + (area.width - w) / 2, area.y + 1, w, h);
            Clear.render(popup, buf);
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(widgets::pane_block(
                    "Why flagged (esc closes)".into(),
                    true,
                    cx.theme,
                ))
                .render(popup, buf);
        }
    }
}
