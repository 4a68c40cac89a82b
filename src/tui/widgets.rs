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

/// Where the rows of a list were drawn on the last frame: the screen rows
/// and the index (into the visible rows) of the first one. Mouse clicks are
/// read against it.
pub type Hits = std::cell::RefCell<Vec<(Rect, usize)>>;

/// Draws one table in `area` (no border). `selected` is an index into the
/// visible rows; `roles` gives a row its role (by index into the table's
/// rows, set by the pane from its typed model) and `cell_roles` a cell's.
pub struct TableView<'a> {
    pub table: &'a Table,
    pub rows: &'a [usize],
    pub selected: Option<usize>,
    pub theme: &'a Theme,
    pub roles: &'a [Option<Role>],
    pub cell_roles: &'a [Vec<Option<Role>>],
    /// Records where the rows were drawn (for mouse clicks), with this base
    /// added to the row index.
    pub hits: Option<(&'a Hits, usize)>,
    /// The least width of each text column when the table is short of room
    /// (by column; 4 for a column not named; `usize::MAX`: never cut, for a
    /// column that tells the rows apart).
    pub least: &'a [usize],
    /// Columns left out first when the table does not fit at its least
    /// widths, in this order (then the last columns, as for any table):
    /// what matters less goes before what a reader came for.
    pub leave_out: &'a [usize],
}

/// Rows measured for column widths besides the ones on screen.
const MEASURED_ROWS: usize = 200;

impl TableView<'_> {
    pub fn new<'a>(table: &'a Table, rows: &'a [usize], theme: &'a Theme) -> TableView<'a> {
        TableView {
            table,
            rows,
            selected: None,
            theme,
            roles: &[],
            cell_roles: &[],
            hits: None,
            least: &[],
            leave_out: &[],
        }
    }

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
        // A number cut is a wrong number: the columns named to go first
        // are left out while the table does not fit at its least widths;
        // then the widest text column shrinks (to its least, 4 unless
        // named); then the last columns are left out whole (width 0, not
        // drawn); only a row that still does not fit is cut.
        let right = |i: usize| t.columns.get(i).is_some_and(|c| c.align == Align::Right);
        let least = |i: usize| self.least.get(i).copied().unwrap_or(4);
        let total = |w: &[usize]| {
            let shown = w.iter().filter(|v| **v > 0).count();
            w.iter().sum::<usize>() + shown.saturating_sub(1)
        };
        let at_least = |w: &[usize]| -> Vec<usize> {
            (0..w.len())
                .map(|i| if right(i) { w[i] } else { w[i].min(least(i)) })
                .collect()
        };
        for &i in self.leave_out {
            if total(&at_least(&w)) <= max_total {
                break;
            }
            if let Some(v) = w.get_mut(i) {
                *v = 0;
            }
        }
        while total(&w) > max_total {
            let widest = (0..w.len())
                .filter(|&i| !right(i) && w[i] > least(i).max(4))
                .max_by_key(|&i| w[i]);
            match widest {
                Some(i) => w[i] -= 1,
                None => break,
            }
        }
        while total(&w) > max_total && w.iter().filter(|v| **v > 0).count() > 1 {
            if let Some(last) = w.iter().rposition(|v| *v > 0) {
                w[last] = 0;
            }
        }
        while total(&w) > max_total {
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
        cell_roles: Option<&Vec<Option<Role>>>,
    ) -> Line<'static> {
        let mut spans = Vec::new();
        for (i, width) in widths.iter().enumerate() {
            // A column left out (see `widths`).
            if *width == 0 {
                continue;
            }
            let raw = cells.get(i).map(String::as_str).unwrap_or("");
            let clean = text::truncate(&text::sanitize(raw), *width);
            let right = self
                .table
                .columns
                .get(i)
                .is_some_and(|c| c.align == Align::Right);
            let padded = text::pad(&clean, *width, right);
            let mut s = style;
            if let Some(roles) = cell_roles {
                if raw == UNDEFINED {
                    s = style.patch(self.theme.muted());
                } else if let Some(Some(role)) = roles.get(i) {
                    s = style.patch(self.theme.style(*role));
                }
            }
            if !spans.is_empty() {
                spans.push(Span::styled(" ", style));
            }
            spans.push(Span::styled(padded, s));
        }
        Line::from(spans)
    }
}

/// How many rows of a table fit in `height` lines (header and notes apart).
pub fn body_rows(table: &Table, height: u16) -> usize {
    let notes = table.notes.len().min(2) as u16;
    height.saturating_sub(1 + notes) as usize
}

/// The first row on screen so that `selected` stays in view.
pub fn offset(selected: Option<usize>, n: usize, body: usize) -> usize {
    let sel = selected.unwrap_or(0).min(n.saturating_sub(1));
    if body == 0 {
        0
    } else {
        sel.saturating_sub(body - 1)
    }
}

impl Widget for TableView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let notes = self.table.notes.len().min(2) as u16;
        let body = body_rows(self.table, area.height);
        let offset = offset(self.selected, self.rows.len(), body);
        let window: Vec<usize> = self.rows.iter().skip(offset).take(body).copied().collect();
        let widths = self.widths(area.width as usize, &window);
        let names: Vec<String> = self.table.columns.iter().map(|c| c.name.clone()).collect();
        let mut y = area.y;
        buf.set_line(
            area.x,
            y,
            &self.line(&names, &widths, self.theme.title(false), None),
            area.width,
        );
        y += 1;
        if let Some((hits, base)) = self.hits {
            hits.borrow_mut().push((
                Rect {
                    y,
                    height: window.len() as u16,
                    ..area
                },
                base + offset,
            ));
        }
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
                let mut style = self
                    .roles
                    .get(r)
                    .copied()
                    .flatten()
                    .map_or(Style::new(), |role| self.theme.style(role));
                if self.selected == Some(n) {
                    style = style.patch(self.theme.selected());
                    let blank = " ".repeat(area.width as usize);
                    buf.set_string(area.x, y, blank, style);
                }
                let empty = Vec::new();
                let cell_roles = Some(self.cell_roles.get(r).unwrap_or(&empty));
                buf.set_line(
                    area.x,
                    y,
                    &self.line(cells, &widths, style, cell_roles),
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

/// Draws `lines` scrolled by `scroll` (clamped so the last line can reach
/// the bottom); returns the scroll used. The caller shows the position.
pub fn scrolled_lines(area: Rect, buf: &mut Buffer, lines: Vec<Line<'_>>, scroll: usize) -> usize {
    let max = lines.len().saturating_sub(area.height as usize);
    let s = scroll.min(max);
    for (i, l) in lines.iter().skip(s).take(area.height as usize).enumerate() {
        buf.set_line(area.x, area.y + i as u16, l, area.width);
    }
    s
}

/// Draws something taller than `area` (`height` rows, drawn by `draw` into
/// a buffer of its own) and shows the rows from `scroll` on; returns the
/// scroll used (clamped so the end can reach the bottom).
pub fn scrolled(
    area: Rect,
    buf: &mut Buffer,
    height: u16,
    scroll: usize,
    draw: impl FnOnce(Rect, &mut Buffer),
) -> usize {
    let full = Rect::new(0, 0, area.width, height.max(1));
    let mut off = Buffer::empty(full);
    draw(full, &mut off);
    let max = (height as usize).saturating_sub(area.height as usize);
    let s = scroll.min(max);
    for dy in 0..area.height.min(height.saturating_sub(s as u16)) {
        for dx in 0..area.width {
            let src = off[(dx, s as u16 + dy)].clone();
            buf[(area.x + dx, area.y + dy)] = src;
        }
    }
    s
}

/// The position shown on a pane's bottom border: `12/102` for a list,
/// `lines 1–20 of 40` for a scrolled view (nothing when all of it shows).
pub fn list_position(selected: usize, n: usize) -> Option<String> {
    (n > 0).then(|| format!("{}/{n}", selected + 1))
}

pub fn scroll_position(scroll: usize, shown: usize, total: usize) -> Option<String> {
    (total > shown).then(|| {
        let last = (scroll + shown).min(total);
        let more = if last < total { " ↓" } else { "" };
        let less = if scroll > 0 { "↑ " } else { "" };
        format!("{less}lines {}–{last} of {total}{more}", scroll + 1)
    })
}

/// Greedy word wrap to `width` columns (a word longer than a line is cut).
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in s.split(' ') {
        let Some(cur) = lines.last_mut() else { break };
        if !cur.is_empty() && text::width(cur) + 1 + text::width(word) > width {
            lines.push(text::truncate(word, width));
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
    }
    lines
}

/// `line` cut to `width` columns, ending in `…` (in the style of the span
/// it cuts) when it is longer: a line drawn into a box otherwise stops at
/// the border mid-word, as if that were all it said.
pub fn fit<'a>(line: Line<'a>, width: usize) -> Line<'a> {
    if line.width() <= width {
        return line;
    }
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = text::width(&span.content);
        if w < left {
            left -= w;
            spans.push(span);
            continue;
        }
        // The span that reaches the edge (or the last column left for `…`).
        // Cut with its `…` even when it fits exactly: more follows it.
        let cut = text::truncate(&format!("{}…", span.content), left);
        spans.push(Span::styled(cut, span.style));
        break;
    }
    Line { spans, ..line }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Column;

    /// A table too wide for its pane shrinks its text first, then leaves
    /// its last columns out whole: a number is never cut.
    #[test]
    fn a_narrow_pane_leaves_columns_out_rather_than_cut_numbers() {
        let mut t = Table::new(
            None,
            vec![
                Column::left("segment"),
                Column::right("won"),
                Column::right("bookings"),
                Column::right("pipeline"),
                Column::right("velocity"),
            ],
        );
        t.rows.push(
            [
                "Enterprise accounts",
                "3",
                "8,765,700",
                "9,138,200",
                "22,300.50",
            ]
            .map(String::from)
            .to_vec(),
        );
        let theme = Theme::monochrome();
        let rows = [0];
        let draw = |width| {
            let area = Rect::new(0, 0, width, 3);
            let mut buf = Buffer::empty(area);
            TableView::new(&t, &rows, &theme).render(area, &mut buf);
            (0..area.width)
                .map(|x| buf[(x, 1)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        };
        // Wide enough: every column whole.
        assert_eq!(
            draw(60),
            "Enterprise accounts   3 8,765,700 9,138,200 22,300.50"
        );
        // The text shrinks to make room, the numbers stay whole.
        assert_eq!(draw(45), "Enterprise…   3 8,765,700 9,138,200 22,300.50");
        // Narrower: the text at its least, then the last columns go, whole.
        assert_eq!(draw(30), "Ent…   3 8,765,700 9,138,200");
        assert_eq!(draw(20), "Ent…   3 8,765,700");
    }

    #[test]
    fn a_line_too_long_for_its_box_ends_in_an_ellipsis() {
        let line = || {
            Line::from(vec![
                Span::styled("+46,000 ", Style::new().bold()),
                Span::raw("opp-1 "),
                Span::raw("Kestrelmoor Labs · Quinn"),
            ])
        };
        let text = |l: Line| {
            l.spans
                .iter()
                .map(|s| s.content.to_string())
                .collect::<String>()
        };
        assert_eq!(
            text(fit(line(), 38)),
            "+46,000 opp-1 Kestrelmoor Labs · Quinn"
        );
        assert_eq!(text(fit(line(), 30)), "+46,000 opp-1 Kestrelmoor Lab…");
        assert_eq!(fit(line(), 30).width(), 30);
        // Cut inside the first span, its style kept.
        let cut = fit(line(), 5);
        assert_eq!(text(cut.clone()), "+46,…");
        assert_eq!(cut.spans[0].style, Style::new().bold());
        // At a span's end exactly, the next one gives way to the `…`.
        assert_eq!(text(fit(line(), 14)), "+46,000 opp-1…");
    }
}
