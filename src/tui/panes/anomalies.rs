//! Anomalies as sentences, bad and good apart; enter opens the drill-down.

use super::{Cx, TablesPane};
use crate::tui::theme::Role;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct AnomaliesPane {
    pub list: TablesPane,
    /// The drill-down of the selected anomaly, when open.
    pub drill: Option<TablesPane>,
}

/// Bad is alert, good is good, ambiguous is warn; the word stays in the row.
pub fn role_of(row: &[String]) -> Option<Role> {
    if row.iter().any(|c| c == "bad") {
        Some(Role::Alert)
    } else if row.iter().any(|c| c == "good") {
        Some(Role::Good)
    } else if row.iter().any(|c| c == "ambiguous") {
        Some(Role::Warn)
    } else {
        None
    }
}

impl AnomaliesPane {
    pub fn title(&self) -> String {
        if self.drill.is_some() {
            "Anomalies › drill-down (esc back)".into()
        } else {
            "Anomalies".into()
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        match &self.drill {
            Some(d) => d.render(area, buf, cx, &role_of),
            None => self.list.render(area, buf, cx, &role_of),
        }
    }
}
