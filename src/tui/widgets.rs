//! The one table widget every pane uses to draw a `report::Table`: columns
//! sized by terminal width (wide characters count two), the selected row
//! highlighted and kept in view, `—` muted, text from data sanitized.

use super::theme::{Role, Theme};
use crate::report::{Align, Table, UNDEFINED};
use crate::text;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

/// A bordered block with a title styled by focus.
pub fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let marker = if focused { "▶ " } else { "" };
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.title(true)
        } else {
            theme.muted()
        })
        .title(Span::styled(
            format!(" {marker}{title} "),
            theme.title(focused),
        ))
}

/// Indices of the rows of `t` that contain `filter` (case-insensitive) in any cell.
pub fn filtered_rows(t: &Table, filter: &str) -> Vec<usize> {
    let needle = filter.to_lowercase();
    (0..t.rows.len())
        .filter(|&i| {
            needle.is_empty() || t.rows[i].iter().any(|c| c.to_lowercase().contains(&needle))
        })
        .collect()
}

/// Draws one table in `area` (no border). `selected` is an index into the
/// visible rows; `role_of` picks a role for a row (flags, money, …).
pub struct TableView<'a> {
    pub table: &'a Table,
    pub rows: &'a [usize],
    pub selected: Option<usize>,
    pub theme: &'a Theme,
    pub role_of: &'a dyn Fn(&[String]) -> Option<Role>,
}

/// Rows measured for column widths besides the ones on screen.
const MEASURED_ROWS: usize = 200;

impl TableView<'_> {
    /// Column widths from the header, the first rows and the rows on screen
    /// (long lists are not measured whole on every frame).
    fn widths(&self, max_total: usize, window: &[usize]) -> Vec<usize> {
        let t = self.table;
        let mut w: Vec<usize> = t.columns.iter().map(|c| text::width(&c.name)).collect();
        for &r in self.rows.iter().take(MEASURED_ROWS).chain(window) {
            for (i, cell) in t.rows[r].iter().enumerate().take(w.len()) {
                w[i] = w[i].max(text::width(&text::sanitize(cell)));
            }
        }
        // Shrink the widest column until the row fits (keep at least 4 columns of it).
        let gaps = w.len().saturating_sub(1);
        while w.iter().sum::<usize>() + gaps > max_total {
            let Some((i, &m)) = w.iter().enumerate().max_by_key(|(_, v)| **v) else {
                break;
            };
            if m <= 4 {
                break;
            }
            w[i] = m - 1;
        }
        w
    }

    fn line(
        &self,
        cells: &[String],
        widths: &[usize],
        style: Style,
        cell_style: bool,
    ) -> Line<'static> {
        let mut spans = Vec::new();
        for (i, width) in widths.iter().enumerate() {
            let raw = cells.get(i).map(String::as_str).unwrap_or("");
            let clean = text::truncate(&text::sanitize(raw), *width);
            let right = self
                .table
                .columns
                .get(i)
                .is_some_and(|c| c.align == Align::Right);
            let padded = text::pad(&clean, *width, right);
            let s = if cell_style && raw == UNDEFINED {
                style.patch(self.theme.muted())
            } else {
                style
            };
            if i > 0 {
                spans.push(Span::styled(" ", style));
            }
            spans.push(Span::styled(padded, s));
        }
        Line::from(spans)
    }
}

impl Widget for TableView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let notes = self.table.notes.len().min(2) as u16;
        let body = area.height.saturating_sub(1 + notes) as usize;
        let sel = self
            .selected
            .unwrap_or(0)
            .min(self.rows.len().saturating_sub(1));
        let offset = if body == 0 {
            0
        } else {
            sel.saturating_sub(body - 1)
        };
        let window: Vec<usize> = self.rows.iter().skip(offset).take(body).copied().collect();
        let widths = self.widths(area.width as usize, &window);
        let names: Vec<String> = self.table.columns.iter().map(|c| c.name.clone()).collect();
        let mut y = area.y;
        buf.set_line(
            area.x,
            y,
            &self.line(&names, &widths, self.theme.title(false), false),
            area.width,
        );
        y += 1;
        if self.rows.is_empty() {
            if body > 0 {
                buf.set_line(
                    area.x,
                    y,
                    &Line::styled("(nothing here)", self.theme.muted()),
                    area.width,
                );
            }
        } else {
            for (n, &r) in self.rows.iter().enumerate().skip(offset).take(body) {
                let cells = &self.table.rows[r];
                let mut style =
                    (self.role_of)(cells).map_or(Style::new(), |role| self.theme.style(role));
                if self.selected == Some(n) {
                    style = style.patch(self.theme.selected());
                    let blank = " ".repeat(area.width as usize);
                    buf.set_string(area.x, y, blank, style);
                }
                buf.set_line(
                    area.x,
                    y,
                    &self.line(cells, &widths, style, true),
                    area.width,
                );
                y += 1;
            }
        }
        let notes_y = area.y + area.height - notes;
        for (i, note) in self.table.notes.iter().take(notes as usize).enumerate() {
            let t = text::truncate(&text::sanitize(note), area.width as usize);
            buf.set_line(
                area.x,
                notes_y + i as u16,
                &Line::styled(t, self.theme.muted()),
                area.width,
            );
        }
    }
}

/// A centred one-line message (loading, missing report, too small).
pub fn message(area: Rect, buf: &mut Buffer, msg: &str, style: Style) {
    if area.height == 0 {
        return;
    }
    let t = text::truncate(msg, area.width as usize);
    let x = area.x + (area.width.saturating_sub(text::width(&t) as u16)) / 2;
    let y = area.y + area.height / 2;
    buf.set_string(x, y, t, style);
}
