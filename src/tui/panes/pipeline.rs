//! The open pipeline by stage and by owner (`report pipeline`): drawn
//! whole and scrolled, so the last stages and the total can be reached.

use super::{Cx, Scroll, TablesPane};
use crate::domain::{Dataset, Opportunity, RepId, Status};
use crate::report::{Column, Table, UNDEFINED};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[derive(Debug, Clone, Default)]
pub struct PipelinePane {
    pub list: TablesPane,
    pub scroll: Scroll,
    /// The rep's own view: their open deals (a selectable list) instead of
    /// the team's pipeline; the rep's id.
    pub own: Option<RepId>,
}

impl PipelinePane {
    pub fn title(&self) -> String {
        match &self.own {
            Some(_) => format!("My open deals · {}", self.list.visible(0).len()),
            None => "Pipeline".into(),
        }
    }

    /// The rep's own open deals, closing soonest first.
    pub fn set_own(&mut self, data: &Dataset, me: &RepId) {
        self.own = Some(me.clone());
        let mut deals: Vec<&Opportunity> = data
            .opportunities
            .iter()
            .filter(|o| &o.owner_id == me && o.status == Status::Open)
            .collect();
        deals.sort_by_key(|o| (o.close_date.is_none(), o.close_date));
        let opt = |v: Option<String>| v.unwrap_or_else(|| UNDEFINED.to_string());
        let mut t = Table::new(
            None,
            vec![
                Column::left("deal"),
                Column::left("name"),
                Column::left("stage"),
                Column::right("amount"),
                Column::left("close"),
                Column::left("category"),
                Column::left("next step"),
            ],
        );
        let mut ids = Vec::new();
        for o in deals {
            t.rows.push(vec![
                o.id.0.to_string(),
                o.name.clone(),
                o.stage.clone(),
                opt(o.amount.map(|m| m.to_string())),
                opt(o.close_date.map(|d| d.to_string())),
                opt(o.forecast_category.map(|c| c.label())),
                opt(o.next_step.clone()),
            ]);
            ids.push(Some(o.id.clone()));
        }
        if t.rows.is_empty() {
            t.notes.push("No open deal.".into());
        }
        self.list.set_deals(t, ids);
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        if self.own.is_some()
            || self.list.data.tables.is_empty()
            || self.list.data.missing.is_some()
        {
            self.list.render(area, buf, cx);
            return;
        }
        let h = self.list.full_height();
        self.scroll
            .render(area, buf, h, |r, b| self.list.render_whole(r, b, cx));
    }
}
