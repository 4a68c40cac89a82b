//! Table, CSV, JSON and Markdown renderers over [`Report`] values.

use super::{Align, Format, Report, Table};
use crate::text::{pad, sanitize, width};

/// Renders a report in a format; the result ends with a newline.
pub fn render<R: Report>(report: &R, format: Format) -> Result<String, String> {
    match format {
        Format::Json => serde_json::to_string_pretty(report)
            .map(|s| s + "\n")
            .map_err(|e| format!("cannot write JSON: {e}")),
        Format::Md => Ok(report
            .markdown()
            .unwrap_or_else(|| render_tables(&report.tables(), Format::Md))),
        other => Ok(render_tables(&report.tables(), other)),
    }
}

/// Renders tables as aligned text, CSV (first table, or every table with a
/// `table` column when there are several) or Markdown.
pub fn render_tables(tables: &[Table], format: Format) -> String {
    match format {
        Format::Csv => csv(tables),
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
    out.push_str(&line(t.columns.iter().map(|c| c.name.clone()).collect()));
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

fn markdown(t: &Table) -> String {
    let esc = |s: &str| sanitize(s).replace('|', "\\|");
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

fn csv(tables: &[Table]) -> String {
    let several = tables.len() > 1;
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let Some(first) = tables.first() else {
        return String::new();
    };
    let mut header: Vec<String> = Vec::new();
    if several {
        header.push("table".to_string());
    }
    header.extend(first.columns.iter().map(|c| c.name.clone()));
    // Writing to a Vec cannot fail; a failure here would be a bug in csv.
    w.write_record(&header).expect("write to memory");
    for t in if several { tables } else { &tables[..1] } {
        for row in &t.rows {
            let mut rec: Vec<String> = Vec::new();
            if several {
                rec.push(t.title.clone().unwrap_or_default());
            }
            rec.extend(row.iter().map(|c| sanitize(c)));
            w.write_record(&rec).expect("write to memory");
        }
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("csv of UTF-8 is UTF-8")
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
            "### By stage\n\n| stage | count |\n|---|---:|\n| Proposal | 3 |\n| Demo\\|x\u{FFFD}[2J | 12 |\n"
        );
    }

    #[test]
    fn csv_is_sanitized_too() {
        let out = render_tables(&[sample()], Format::Csv);
        assert_eq!(out, "stage,count\nProposal,3\nDemo|x\u{FFFD}[2J,12\n");
    }
}
