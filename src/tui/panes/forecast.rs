//! The founder's view: call, best case, pipeline, weighted, coverage against
//! the target, the week-over-week waterfall and past accuracy.

use super::{Cx, TablesPane, plain};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct ForecastPane {
    pub list: TablesPane,
}

impl ForecastPane {
    pub fn title(&self) -> String {
        "Forecast".into()
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.list.render(area, buf, cx, &plain);
    }
}
