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
    /// The instant timers are read against (`App::now`).
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The on-screen name of a metric id (the ids stay in JSON): the
/// registry's label, `conversion Demo` for a stage conversion.
pub fn metric_label(id: &str) -> String {
    use crate::domain::Role as R;
    if let Some(stage) = id.strip_prefix("stage_conversion.") {
        return format!("conversion {stage}");
    }
    if let Some(band) = id.strip_prefix("discount.") {
        return format!("discount band: {}", band.replace('_', " "));
    }
    crate::domain::metrics::find(R::Ae, id)
        .or_else(|| crate::domain::metrics::find(R::Sdr, id))
        .map_or_else(|| id.replace('_', " "), |d| d.label.to_string())
}

/// A list of report tables with a selection in the first one and a search
/// filter. What a row means (its deal, its colour) is set by the pane from
/// its typed model, never read back from the formatted cells.
#[derive(Debug, Clone, Default)]
pub struct TablesPane {
    pub data: PaneTables,
    /// Index into the visible rows of the first table.
    pub selected: usize,
    /// `/` search text: rows containing it (any cell, any case) stay visible.
    pub filter: String,
    /// The deal of each row of the first table, when the rows are deals.
    pub deals: Vec<Option<OppId>>,
    /// The role (colour) of each row of the first table.
    pub roles: Vec<Option<Role>>,
    /// The role of each cell of the first table (rows × columns), if any.
    pub cell_roles: Vec<Vec<Option<Role>>>,
    /// Where the rows were drawn on the last frame (mouse clicks).
    pub hits: widgets::Hits,
}

impl TablesPane {
    /// Replaces the data, keeping the selection in range.
    pub fn set(&mut self, data: PaneTables) {
        self.data = data;
        self.deals.clear();
        self.roles.clear();
        self.cell_roles.clear();
        self.clamp();
    }

    /// Replaces the data with one table whose rows are the given deals.
    /// The selection stays on the same deal when it is still listed (an
    /// edit that reorders the list does not move it to another deal).
    pub fn set_deals(&mut self, table: crate::report::Table, deals: Vec<Option<OppId>>) {
        let was = self.selected_deal();
        self.data = PaneTables {
            tables: vec![table],
            missing: None,
        };
        self.deals = deals;
        self.roles.clear();
        self.cell_roles.clear();
        if let Some(id) = was {
            let visible = self.visible(0);
            if let Some(i) = visible
                .iter()
                .position(|&r| self.deals.get(r).and_then(|d| d.as_ref()) == Some(&id))
            {
                self.selected = i;
            }
        }
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

    /// The index (into the first table's rows) of the selected row.
    pub fn selected_index(&self) -> Option<usize> {
        self.visible(0).get(self.selected).copied()
    }

    /// The cells of the selected row of the first table.
    pub fn selected_row(&self) -> Option<&[String]> {
        let t = self.data.tables.first()?;
        Some(&t.rows[self.selected_index()?])
    }

    /// The deal of the selected row (set by the pane with its rows).
    pub fn selected_deal(&self) -> Option<OppId> {
        let r = self.selected_index()?;
        self.deals.get(r).cloned().flatten()
    }

    /// `12/102`: the selected row and how many are visible.
    pub fn position(&self) -> Option<String> {
        widgets::list_position(self.selected, self.visible(0).len())
    }

    /// A click at screen (`col`, `row`): selects the row drawn there, if any.
    pub fn click(&mut self, col: u16, row: u16) -> bool {
        let p = ratatui::layout::Position::new(col, row);
        let hit = self
            .hits
            .borrow()
            .iter()
            .find(|(r, _)| r.contains(p))
            .map(|(r, first)| first + (row - r.y) as usize);
        match hit {
            Some(i) if i < self.visible(0).len() => {
                self.selected = i;
                true
            }
            _ => false,
        }
    }

    /// The selected row in full, for the detail line: `column: cell` joined.
    pub fn detail(&self) -> Option<String> {
        let t = self.data.tables.first()?;
        let row = self.selected_row()?;
        let parts: Vec<String> = t
            .columns
            .iter()
            .zip(row)
            .filter(|(_, c)| !c.is_empty())
            .map(|(col, c)| format!("{}: {}", col.name, crate::text::sanitize(c)))
            .collect();
        Some(parts.join(" · "))
    }

    /// Draws the tables stacked in `area` (the first one selectable), or the
    /// reason they are missing. When the selected row does not fit the
    /// width, its full text shows under the list.
    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.hits.borrow_mut().clear();
        if let Some(why) = &self.data.missing {
            widgets::message(area, buf, why, cx.theme.muted());
            return;
        }
        let tables = &self.data.tables;
        if tables.is_empty() {
            widgets::message(area, buf, "loading…", cx.theme.muted());
            return;
        }
        let mut area = area;
        if cx.focused
            && let Some(row) = self.selected_row()
        {
            let natural: usize =
                row.iter().map(|c| crate::text::width(c)).sum::<usize>() + row.len();
            if natural > area.width as usize && area.height > 8 {
                let text = self.detail().unwrap_or_default();
                let lines = widgets::wrap(&format!("▸ {text}"), area.width as usize);
                let h = lines.len().min(3) as u16;
                let y = area.y + area.height - h;
                for (i, l) in lines.iter().take(h as usize).enumerate() {
                    buf.set_string(area.x, y + i as u16, l, cx.theme.title(false));
                }
                area.height -= h;
            }
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
            let first = i == 0;
            TableView {
                table: t,
                rows: &rows,
                selected,
                theme: cx.theme,
                roles: if first { &self.roles } else { &[] },
                cell_roles: if first { &self.cell_roles } else { &[] },
                hits: first.then_some((&self.hits, 0)),
                least: &[],
                leave_out: &[],
            }
            .render(a, buf);
        }
    }

    /// Lines the tables take drawn whole (titles, headers, rows, notes, gaps).
    pub fn full_height(&self) -> u16 {
        self.data
            .tables
            .iter()
            .map(|t| {
                t.rows.len().max(1) as u16
                    + 2
                    + u16::from(t.title.is_some())
                    + t.notes.len().min(2) as u16
            })
            .sum()
    }

    /// Draws every table whole, one under the other, into `area` (for a
    /// scrolled view: nothing is selected).
    pub fn render_whole(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let mut y = area.y;
        for t in &self.data.tables {
            let h = t.rows.len().max(1) as u16 + 1 + t.notes.len().min(2) as u16;
            if let Some(title) = &t.title {
                buf.set_string(
                    area.x,
                    y,
                    crate::text::truncate(&crate::text::sanitize(title), area.width as usize),
                    cx.theme.title(false),
                );
                y += 1;
            }
            let rows: Vec<usize> = (0..t.rows.len()).collect();
            let r = Rect {
                y,
                height: h.min((area.y + area.height).saturating_sub(y)),
                ..area
            };
            TableView::new(t, &rows, cx.theme).render(r, buf);
            y += h + 1;
        }
    }
}

/// The scroll of a view taller than its pane (forecast, pipeline, deal):
/// the first line shown, clamped against what the last frame measured.
#[derive(Debug, Clone, Default)]
pub struct Scroll {
    pub offset: usize,
    /// (lines shown, lines in all) at the last frame.
    pub last: std::cell::Cell<(usize, usize)>,
}

impl Scroll {
    pub fn by(&mut self, delta: isize) {
        let (shown, total) = self.last.get();
        let max = total
            .saturating_sub(shown)
            .max(if total == 0 { usize::MAX / 2 } else { 0 });
        self.offset = (self.offset as isize + delta).clamp(0, max as isize) as usize;
    }

    pub fn position(&self) -> Option<String> {
        let (shown, total) = self.last.get();
        widgets::scroll_position(self.offset.min(total.saturating_sub(shown)), shown, total)
    }

    /// Draws `height` rows drawn by `draw`, from the offset on.
    pub fn render(
        &self,
        area: Rect,
        buf: &mut Buffer,
        height: u16,
        draw: impl FnOnce(Rect, &mut Buffer),
    ) {
        self.last.set((area.height as usize, height as usize));
        widgets::scrolled(area, buf, height, self.offset, draw);
    }

    /// Draws lines from the offset on.
    pub fn lines(&self, area: Rect, buf: &mut Buffer, lines: Vec<ratatui::text::Line<'_>>) {
        self.last.set((area.height as usize, lines.len()));
        widgets::scrolled_lines(area, buf, lines, self.offset);
    }
}
