//! The open pipeline by stage and by owner (`report pipeline`).

use super::{Cx, TablesPane, plain};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct PipelinePane {
    pub list: TablesPane,
}

impl PipelinePane {
    pub fn title(&self) -> String {
        "Pipeline".into()
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.list.render(area, buf, cx, &plain);
    }
}
