//! Reps × metrics: quantity, quality and SDR views, value beside baseline
//! and goal, flags by symbol and colour, `—` for undefined.

use super::{Cx, TablesPane};
use crate::tui::theme::Role;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Which metrics the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepsView {
    #[default]
    Quantity,
    Quality,
    Sdr,
}

impl RepsView {
    pub fn next(self) -> RepsView {
        match self {
            RepsView::Quantity => RepsView::Quality,
            RepsView::Quality => RepsView::Sdr,
            RepsView::Sdr => RepsView::Quantity,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RepsView::Quantity => "quantity",
            RepsView::Quality => "quality",
            RepsView::Sdr => "SDR",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RepsPane {
    pub list: TablesPane,
    pub view: RepsView,
}

/// A row with a `▼` flag is alert, `▲` good (the symbol stays on screen).
pub fn role_of(row: &[String]) -> Option<Role> {
    if row.iter().any(|c| c.contains('▼')) {
        Some(Role::Alert)
    } else if row.iter().any(|c| c.contains('▲')) {
        Some(Role::Good)
    } else {
        None
    }
}

impl RepsPane {
    pub fn title(&self) -> String {
        format!("Reps · {}", self.view.label())
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.list.render(area, buf, cx, &role_of);
    }
}
