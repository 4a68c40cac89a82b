//! One file per pane. A pane is a small struct (its data and its selection);
//! drawing is a function of that state and never mutates, queries or computes.

pub mod anomalies;
pub mod deal;
pub mod forecast;
pub mod help;
pub mod hygiene;
pub mod pipeline;
pub mod reps;
pub mod review;

use super::keymap::Keymap;
use super::loader::PaneTables;
use super::theme::{Role, Theme};
use super::widgets::{self, TableView};
use crate::domain::OppId;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Widget;

/// What every pane needs to draw besides its own state.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub focused: bool,
}

/// A list of report tables with a selection in the first one and a search filter.
#[derive(Debug, Clone, Default)]
pub struct TablesPane {
    pub data: PaneTables,
    /// Index into the visible rows of the first table.
    pub selected: usize,
    /// `/` search text: rows containing it (any cell, any case) stay visible.
    pub filter: String,
    /// The deal of each row of the first table, when the rows are deals.
    pub deals: Vec<Option<OppId>>,
}

impl TablesPane {
    /// Replaces the data, keeping the selection in range.
    pub fn set(&mut self, data: PaneTables) {
        self.data = data;
        self.deals.clear();
        self.clamp();
    }

    /// Replaces the data with one table whose rows are the given deals.
    pub fn set_deals(&mut self, table: crate::report::Table, deals: Vec<Option<OppId>>) {
        self.data = PaneTables {
            tables: vec![table],
            missing: None,
        };
        self.deals = deals;
        self.clamp();
    }

    /// The visible rows of table `i`.
    pub fn visible(&self, i: usize) -> Vec<usize> {
        self.data
            .tables
            .get(i)
            .map(|t| widgets::filtered_rows(t, &self.filter))
            .unwrap_or_default()
    }

    pub fn clamp(&mut self) {
        let n = self.visible(0).len();
        self.selected = self.selected.min(n.saturating_sub(1));
    }

    /// Moves the selection by `delta` rows (negative is up), within bounds.
    pub fn move_by(&mut self, delta: isize) {
        let n = self.visible(0).len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        let next = self.selected as isize + delta;
        self.selected = next.clamp(0, n as isize - 1) as usize;
    }

    pub fn to_end(&mut self) {
        self.selected = self.visible(0).len().saturating_sub(1);
    }

    /// The cells of the selected row of the first table.
    pub fn selected_row(&self) -> Option<&[String]> {
        let t = self.data.tables.first()?;
        let r = *self.visible(0).get(self.selected)?;
        Some(&t.rows[r])
    }

    /// The deal of the selected row: the cell of the first column named like an opportunity id.
    pub fn selected_deal(&self) -> Option<OppId> {
        if !self.deals.is_empty() {
            let r = *self.visible(0).get(self.selected)?;
            return self.deals.get(r).cloned().flatten();
        }
        let t = self.data.tables.first()?;
        let col = t.columns.iter().position(|c| {
            let n = c.name.to_lowercase();
            n == "id"
                || n == "deal id"
                || n == "opportunity_id"
                || n == "opportunity"
                || n == "deal"
        })?;
        self.selected_row()
            .and_then(|r| r.get(col))
            .filter(|s| !s.is_empty())
            .map(|s| OppId(s.clone()))
    }

    /// Draws the tables stacked in `area` (the first one selectable), or the
    /// reason they are missing.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        cx: &Cx,
        role_of: &dyn Fn(&[String]) -> Option<Role>,
    ) {
        if let Some(why) = &self.data.missing {
            widgets::message(area, buf, why, cx.theme.muted());
            return;
        }
        let tables = &self.data.tables;
        if tables.is_empty() {
            widgets::message(area, buf, "loading…", cx.theme.muted());
            return;
        }
        let constraints: Vec<Constraint> = tables
            .iter()
            .enumerate()
            .map(|(i, t)| {
                if i == 0 {
                    Constraint::Min(3)
                } else {
                    Constraint::Length(t.rows.len() as u16 + 3 + t.notes.len().min(2) as u16)
                }
            })
            .collect();
        let areas = Layout::vertical(constraints).split(area);
        for (i, (t, a)) in tables.iter().zip(areas.iter()).enumerate() {
            let mut a = *a;
            if let Some(title) = &t.title {
                buf.set_string(
                    a.x,
                    a.y,
                    crate::text::truncate(&crate::text::sanitize(title), a.width as usize),
                    cx.theme.title(false),
                );
                a.y += 1;
                a.height = a.height.saturating_sub(1);
            }
            let rows = self.visible(i);
            let selected = (i == 0 && cx.focused).then_some(self.selected);
            TableView {
                table: t,
                rows: &rows,
                selected,
                theme: cx.theme,
                role_of,
            }
            .render(a, buf);
        }
    }
}

/// No row role: plain text.
pub fn plain(_: &[String]) -> Option<Role> {
    None
}
