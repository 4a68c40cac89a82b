//! Table, CSV, JSON and Markdown renderers over [`Report`] values.

use super::{Align, Format, Report, Table};
use crate::text::{pad, sanitize, width};

/// Renders a report in a format; the result ends with a newline.
pub fn render<R: Report>(report: &R, format: Format) -> Result<String, String> {
    render_unchecked(report, format).map(|s| no_controls(&s))
}

/// The last guard of every text format: no control character but the line
/// break reaches the output, whatever a report's own Markdown did.
fn no_controls(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

fn render_unchecked<R: Report>(report: &R, format: Format) -> Result<String, String> {
    match format {
        Format::Json => serde_json::to_string_pretty(report)
            .map(|s| s + "\n")
            .map_err(|e| format!("cannot write JSON: {e}")),
        Format::Md => Ok(report
            .markdown()
            .unwrap_or_else(|| render_tables(&report.tables(), Format::Md))),
        Format::Csv => Ok(csv(&report.csv_tables(), report.csv_names_tables())),
        other => Ok(render_tables(&report.tables(), other)),
    }
}

/// Renders tables as aligned text, CSV (first table, or every table with a
/// `table` column when there are several) or Markdown.
pub fn render_tables(tables: &[Table], format: Format) -> String {
    match format {
        Format::Csv => csv(tables, false),
        Format::Md => tables.iter().map(markdown).collect::<Vec<_>>().join("\n"),
        _ => tables.iter().map(text).collect::<Vec<_>>().join("\n"),
    }
}

fn text(t: &Table) -> String {
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| sanitize(c)).collect())
        .collect();
    let widths: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|s| width(s))
                .chain([width(&c.name)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: Vec<String>| -> String {
        row.iter()
            .zip(&t.columns)
            .zip(&widths)
            .map(|((s, c), w)| pad(s, *w, c.align == Align::Right))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = String::new();
    if let Some(title) = &t.title {
        out.push_str(&sanitize(title));
        out.push('\n');
    }
    out.push_str(&line(t.columns.iter().map(|c| sanitize(&c.name)).collect()));
    out.push('\n');
    out.push_str(
        &widths
            .iter()
            .map(|w| "─".repeat(*w))
            .collect::<Vec<_>>()
            .join("  "),
    );
    out.push('\n');
    for row in cells {
        out.push_str(&line(row));
        out.push('\n');
    }
    for n in &t.notes {
        out.push_str(&sanitize(n));
        out.push('\n');
    }
    out
}

/// Text from data made safe for a terminal and for Markdown read as
/// Markdown (an agenda mailed out): every character Markdown or the HTML
/// it allows would act on is escaped, so a deal name `<img src=x>` or
/// `[link](http://x)` stays text.
pub(crate) fn md(s: &str) -> String {
    let mut out = String::new();
    for c in sanitize(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(t: &Table) -> String {
    let esc = md;
    let mut out = String::new();
    if let Some(title) = &t.title {
        out.push_str(&format!("### {}\n\n", esc(title)));
    }
    out.push_str(&format!(
        "| {} |\n",
        t.columns
            .iter()
            .map(|c| esc(&c.name))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!(
        "|{}|\n",
        t.columns
            .iter()
            .map(|c| if c.align == Align::Right {
                "---:"
            } else {
                "---"
            })
            .collect::<Vec<_>>()
            .join("|")
    ));
    for row in &t.rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
        ));
    }
    if !t.notes.is_empty() {
        out.push('\n');
        for n in &t.notes {
            out.push_str(&format!("{}\n", esc(n)));
        }
    }
    out
}

/// CSV for spreadsheets: one header, every table's rows under it (with a
/// `table` column when there are several, or when `named`; the columns are
/// the union of the tables' columns, by name, and a table leaves the others
/// empty). Cells go through [`csv_cell`].
fn csv(tables: &[Table], named: bool) -> String {
    let several = named || tables.len() > 1;
    let mut w = ::csv::Writer::from_writer(Vec::new());
    if tables.is_empty() {
        return String::new();
    }
    let mut names: Vec<&str> = Vec::new();
    for t in tables {
        for c in &t.columns {
            if !names.contains(&c.name.as_str()) {
                names.push(&c.name);
            }
        }
    }
    let mut header: Vec<String> = Vec::new();
    if several {
        header.push("table".to_string());
    }
    header.extend(names.iter().map(|n| csv_cell(n)));
    // Writing to a Vec cannot fail, and every record has the header's length.
    w.write_record(&header).expect("write to memory");
    for t in tables {
        let at: Vec<usize> = t
            .columns
            .iter()
            .map(|c| names.iter().position(|n| *n == c.name).unwrap_or(0))
            .collect();
        for row in &t.rows {
            let mut cells = vec![String::new(); names.len()];
            for ((cell, &i), c) in row.iter().zip(&at).zip(&t.columns) {
                cells[i] = match c.align {
                    super::Align::Right => csv_number_cell(cell),
                    super::Align::Left => csv_cell(cell),
                };
            }
            let mut rec: Vec<String> = Vec::new();
            if several {
                rec.push(csv_cell(t.title.as_deref().unwrap_or_default()));
            }
            rec.extend(cells);
            w.write_record(&rec).expect("write to memory");
        }
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("csv of UTF-8 is UTF-8")
}

/// What may follow a number in a number column on screen and is dropped
/// in CSV: a multiple (coverage `4.44×`) and a rate's unit (velocity
/// `3,989.35/day`: the metric's name says per day).
const NUMBER_SUFFIXES: [&str; 2] = ["×", "/day"];

/// A cell of a number column (right-aligned) in CSV: a typographic minus
/// (`−98,300` → `-98300`) and the suffixes of [`NUMBER_SUFFIXES`] are read
/// as the number they decorate; any other cell as [`csv_cell`]. A text
/// column is left as written (a snooze reason of `2×` stays `2×`).
pub fn csv_number_cell(cell: &str) -> String {
    let s = sanitize(cell);
    let ascii = s.strip_prefix('\u{2212}').map(|rest| format!("-{rest}"));
    let number = ascii.as_deref().unwrap_or(&s);
    let bare = NUMBER_SUFFIXES
        .iter()
        .find_map(|x| number.strip_suffix(x))
        .unwrap_or(number);
    match plain_number(bare) {
        Some(n) => n,
        None => csv_cell(cell),
    }
}

/// One CSV cell for a spreadsheet: no control characters; undefined (`—`)
/// is an empty cell; a number is written plain (`12,500` → `12500`,
/// `+3` → `3`; a footnote marker after a number is dropped, `51.4*` →
/// `51.4`, the row's note says what it marks); a text that a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-` or `@`) is prefixed with `'` so it stays text.
pub fn csv_cell(cell: &str) -> String {
    let s = sanitize(cell);
    if s == super::UNDEFINED {
        return String::new();
    }
    if let Some(n) = plain_number(&s) {
        return n;
    }
    if let Some(n) = s.strip_suffix('*').and_then(plain_number) {
        return n;
    }
    if s.starts_with(['=', '+', '-', '@']) {
        return format!("'{s}");
    }
    s
}

/// `s` as a plain number when it is one (optionally signed, grouped by
/// commas in threes, with decimals and a `%`), else `None`.
fn plain_number(s: &str) -> Option<String> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'-' => ("-", &s[1..]),
        b'+' => ("", &s[1..]),
        _ => ("", s),
    };
    let (body, pct) = match rest.strip_suffix('%') {
        Some(b) => (b, "%"),
        None => (rest, ""),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if let Some(f) = frac
        && !digits(f)
    {
        return None;
    }
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_ok =
        groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok || !groups.iter().all(|g| digits(g)) {
        return None;
    }
    let frac = frac.map_or(String::new(), |f| format!(".{f}"));
    Some(format!("{sign}{}{frac}{pct}", groups.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Column;

    fn sample() -> Table {
        let mut t = Table::new(
            Some("By stage".to_string()),
            vec![Column::left("stage"), Column::right("count")],
        );
        t.rows.push(vec!["Proposal".into(), "3".into()]);
        t.rows.push(vec!["Demo|x\x1b[2J".into(), "12".into()]);
        t
    }

    #[test]
    fn text_aligns_and_sanitizes() {
        let out = render_tables(&[sample()], Format::Table);
        assert_eq!(
            out,
            "By stage\nstage       count\n──────────  ─────\nProposal        3\nDemo|x\u{FFFD}[2J     12\n"
        );
    }

    #[test]
    fn markdown_escapes_pipes() {
        let out = render_tables(&[sample()], Format::Md);
        assert_eq!(
            out,
            "### By stage\n\n| stage | count |\n|---|---:|\n| Proposal | 3 |\n| Demo\\|x\u{FFFD}\\[2J | 12 |\n"
        );
    }

    #[test]
    fn markdown_text_stays_text() {
        assert_eq!(
            md("<img src=x> [l](http://e.x) `x` a|b *c* d_e ~f~ \\ \u{1b}[31m"),
            "\\<img src=x\\> \\[l\\](http://e.x) \\`x\\` a\\|b \\*c\\* d\\_e \\~f\\~ \\\\ �\\[31m"
        );
    }

    #[test]
    fn csv_is_sanitized_too() {
        let out = render_tables(&[sample()], Format::Csv);
        assert_eq!(out, "stage,count\nProposal,3\nDemo|x\u{FFFD}[2J,12\n");
    }

    #[test]
    fn csv_of_tables_with_different_columns_is_one_rectangle() {
        // The agenda's tables have 10, 6 and 7 columns: it used to panic.
        let mut a = Table::new(
            Some("A".to_string()),
            vec![Column::left("rep"), Column::right("n")],
        );
        a.rows.push(vec!["Ann".into(), "1,250".into()]);
        let mut b = Table::new(
            Some("B".to_string()),
            vec![
                Column::left("rep"),
                Column::left("deal"),
                Column::left("stage"),
            ],
        );
        b.rows.push(vec!["Bob".into(), "o-1".into(), "Won".into()]);
        let out = render_tables(&[a, b], Format::Csv);
        assert_eq!(
            out,
            "table,rep,n,deal,stage\nA,Ann,1250,,\nB,Bob,,o-1,Won\n"
        );
    }

    #[test]
    fn csv_titles_and_headers_are_sanitized_too() {
        // `report metrics --format csv` wrote a rep's name from its table title raw.
        let mut a = Table::new(
            Some("Eve\x1b]0;pwned\x07 (ae-1)".to_string()),
            vec![Column::left("=metric")],
        );
        a.rows.push(vec!["x".into()]);
        let b = Table::new(Some("B".to_string()), vec![Column::left("=metric")]);
        let out = render_tables(&[a, b], Format::Csv);
        assert_eq!(
            out,
            "table,'=metric\nEve\u{FFFD}]0;pwned\u{FFFD} (ae-1),x\n"
        );
    }

    #[test]
    fn csv_cells_are_plain_numbers_empty_when_undefined_and_never_formulas() {
        let cases = [
            ("12,500", "12500"),
            ("-1,234,567.50", "-1234567.50"),
            ("+3", "3"),
            ("12.5%", "12.5%"),
            ("—", ""),
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1 555", "'+1 555"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("1,25", "1,25"),
            ("2026-11-24", "2026-11-24"),
            ("\x1b]0;pwned\x07Rep", "\u{FFFD}]0;pwned\u{FFFD}Rep"),
            // A footnote marker after a number (a prorated goal) is dropped.
            ("51.4*", "51.4"),
            ("1,200*", "1200"),
            ("x*", "x*"),
            // Text keeps its minus, multiple and units.
            ("\u{2212}98,300", "\u{2212}98,300"),
            ("2\u{D7}", "2\u{D7}"),
        ];
        for (cell, want) in cases {
            assert_eq!(csv_cell(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn number_columns_read_a_typographic_minus_a_multiple_and_a_rate_as_numbers() {
        let cases = [
            ("\u{2212}98,300", "-98300"),
            ("\u{2212}1", "-1"),
            ("4.44\u{D7}", "4.44"),
            ("3,989.35/day", "3989.35"),
            ("51.4*", "51.4"),
            ("\u{2212}x", "\u{2212}x"),
            ("per/day", "per/day"),
            ("=1+1", "'=1+1"),
            ("\u{2014}", ""),
        ];
        for (cell, want) in cases {
            assert_eq!(csv_number_cell(cell), want, "{cell:?}");
        }
        // In a table: the right column's cell is read, the left's kept.
        let mut t = Table::new(
            None,
            vec![Column::left("reason"), Column::right("coverage")],
        );
        t.rows.push(vec!["2\u{D7}".into(), "4.44\u{D7}".into()]);
        assert_eq!(csv(&[t], false), "reason,coverage\n2\u{D7},4.44\n");
    }
}
