//! A CSV file read whole: BOM stripped, header row required, every record kept
//! with its physical line number, and cell parsers that turn a bad value into
//! a [`RowError`] naming file, line and column.

use super::csv_stream::unclosed_quote;
use super::error::{Loc, RowError};
use crate::domain::money::Money;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use foldhash::HashMap;
use std::any::Any;
use std::cell::RefCell;
use std::str::FromStr;

mod records;
mod visible;
use records::is_report_footer;
pub use records::not_utf8;
pub(super) use records::{check_record, empty_file, read_header, whole};
pub(in crate::import) use visible::invisible_reason;

/// The earliest and latest years a date may have at all (SPEC §12):
/// outside them a date is impossible and its row refused.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2199;
/// The longest activity an import keeps, in minutes: a year.
pub const MAX_MINUTES: i64 = 366 * 24 * 60;

/// A date read from a cell, kept to be checked for plausibility once
/// "today" is known (see `import::check_plausible`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenDate {
    pub at: Loc,
    pub day: NaiveDate,
}

/// A parsed CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// The path as the user gave it (or as found in a directory).
    pub file: String,
    pub headers: Vec<String>,
    index: HashMap<String, usize>,
    /// Physical line (1-based) and cells of every data record, each record
    /// as the CSV reader gave it: its cells in one buffer (a `String` per
    /// cell made a 200k-deal file ~1.2 KB a row in memory, ~3× this).
    pub records: Vec<(u64, csv::StringRecord)>,
    /// Every date and instant its rows read, for the plausibility check.
    pub seen: RefCell<Vec<SeenDate>>,
    /// Warnings its rows raised (implausible, not impossible).
    pub warnings: RefCell<Vec<RowError>>,
    /// When set (to "today", if known), only the dates the plausibility
    /// check would list are kept in `seen` (set for every file an import
    /// reads: a streamed file has millions of dates, a 200k-deal file 800k).
    pub implausible_only: Option<Option<NaiveDate>>,
}

impl Table {
    /// Parses CSV text; `file` names it in errors. Records with a wrong number
    /// of cells and a repeated header are errors.
    pub fn parse(file: &str, text: &str) -> Result<Table, Vec<RowError>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        // Physical lines from byte offsets (the reader's own line count skips
        // blank lines): a line ends at `\n`, `\r\n`, or a `\r` alone (old Mac files).
        let bytes = text.as_bytes();
        let newlines: Vec<usize> = (0..bytes.len())
            .filter(|&i| match bytes[i] {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .collect();
        let line_of = |pos: Option<&csv::Position>| -> u64 {
            let Some(p) = pos else { return 0 };
            // A record's position may point at the blank lines before it.
            let mut b = p.byte() as usize;
            while text
                .as_bytes()
                .get(b)
                .is_some_and(|c| *c == b'\n' || *c == b'\r')
            {
                b += 1;
            }
            newlines.partition_point(|&n| n < b) as u64 + 1
        };
        let mut rows = reader.records();
        let (headers, index, mut errors) = match rows.next() {
            Some(Ok(h)) => read_header(file, &h),
            Some(Err(e)) => return Err(vec![whole(file, 1, format!("unreadable header: {e}"))]),
            None => return Err(vec![empty_file(file)]),
        };
        let mut records = Vec::new();
        // The line of the last record read (the header's at first).
        let mut last = 1;
        // One-cell lines wait for what follows them: at the end of the file
        // they may be a Salesforce report's footer, which is no record.
        let mut pending: Vec<(u64, csv::StringRecord)> = Vec::new();
        let flush = |pending: &mut Vec<(u64, csv::StringRecord)>,
                     last: &mut u64,
                     errors: &mut Vec<RowError>| {
            for (line, r) in pending.drain(..) {
                *last = line;
                check_record(file, &headers, line, &r, errors);
            }
        };
        for rec in rows {
            match rec {
                Ok(r) if headers.len() > 1 && r.len() == 1 => {
                    pending.push((line_of(r.position()), r));
                }
                Ok(r) => {
                    flush(&mut pending, &mut last, &mut errors);
                    let line = line_of(r.position());
                    last = line;
                    if check_record(file, &headers, line, &r, &mut errors) {
                        records.push((line, r));
                    }
                }
                Err(e) => {
                    flush(&mut pending, &mut last, &mut errors);
                    let line = line_of(e.position());
                    errors.push(whole(file, line, format!("unreadable CSV: {e}")));
                }
            }
        }
        if !is_report_footer(&pending) {
            flush(&mut pending, &mut last, &mut errors);
        }
        // The text ends inside a quoted cell: a quote never closed made the
        // rest of the file one cell (of the last record read).
        let mut quoting = super::csv_stream::Quoting::default();
        quoting.feed(bytes);
        if quoting.open() {
            errors.push(unclosed_quote(file, last));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Table::with_header(file, headers, index, records))
    }

    fn with_header(
        file: &str,
        headers: Vec<String>,
        index: HashMap<String, usize>,
        records: Vec<(u64, csv::StringRecord)>,
    ) -> Table {
        Table {
            file: file.to_string(),
            headers,
            index,
            records,
            seen: RefCell::new(Vec::new()),
            warnings: RefCell::new(Vec::new()),
            implausible_only: None,
        }
    }

    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }

    /// Renames source columns onto pipedeck columns (a config mapping).
    pub fn rename(&mut self, from: &str, to: &str) {
        if let Some(i) = self.index.remove(from) {
            self.headers[i] = to.to_string();
            self.index.insert(to.to_string(), i);
        }
    }

    /// An error about the header cell of `column` (line 1).
    pub fn header_error(&self, column: usize, reason: String) -> RowError {
        RowError {
            at: Loc {
                file: self.file.clone(),
                line: 1,
                column: Some((column + 1, self.headers[column].clone())),
            },
            reason,
        }
    }

    /// An error about the whole file.
    pub fn file_error(&self, reason: String) -> RowError {
        RowError {
            at: Loc {
                file: self.file.clone(),
                line: 1,
                column: None,
            },
            reason,
        }
    }

    /// Iterates the records as [`Row`]s.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.records.iter().map(move |(line, cells)| Row {
            table: self,
            line: *line,
            cells,
            errors: Vec::new(),
        })
    }

    /// A record read by a [`CsvStream`](super::csv_stream::CsvStream) as a [`Row`] of this table (whose
    /// header the stream read).
    pub fn row<'a>(&'a self, line: u64, record: &'a csv::StringRecord) -> Row<'a> {
        Row {
            table: self,
            line,
            cells: record,
            errors: Vec::new(),
        }
    }
}

/// A header-only table (no records): what detection reads, and the
/// columns a [`CsvStream`](super::csv_stream::CsvStream)'s rows are read by.
impl Table {
    pub fn header_only(file: &str, headers: &[String]) -> Table {
        let index = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        Table::with_header(file, headers.to_vec(), index, Vec::new())
    }
}

/// Where each key (an id, a goal, a deal of a day's snapshot) was first
/// read, over every file of an import: a key read twice would make the
/// later row win in silence, so the second is refused naming the first.
pub struct FirstSeen<'f, K>(std::collections::HashMap<K, (&'f str, u64)>);

impl<K> Default for FirstSeen<'_, K> {
    fn default() -> Self {
        FirstSeen(std::collections::HashMap::new())
    }
}

impl<'f, K: Eq + std::hash::Hash> FirstSeen<'f, K> {
    /// Notes `key` as read on line `line` of `file`; where it was read
    /// before, if it was ([`first_met`], said from `file`).
    pub fn before(&mut self, key: K, file: &'f str, line: u64) -> Option<String> {
        match self.0.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let (first_file, first_line) = e.get();
                Some(first_met(first_file, *first_line, file))
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((file, line));
                None
            }
        }
    }
}

/// Where a repeated id was first met, as the duplicate-id errors of every
/// importer say it: `on line N` in the file being read (`here`), else
/// `at FILE:N`.
pub fn first_met(file: &str, line: u64, here: &str) -> String {
    if file == here {
        format!("on line {line}")
    } else {
        format!("at {file}:{line}")
    }
}

/// One record being read; parse errors accumulate until [`Row::finish`].
pub struct Row<'a> {
    table: &'a Table,
    pub line: u64,
    /// Its cells: a [`Table`]'s record, or the record a
    /// [`CsvStream`](super::csv_stream::CsvStream) just read.
    cells: &'a csv::StringRecord,
    errors: Vec<RowError>,
}

impl<'a> Row<'a> {
    /// Where `column` of this row is (column `None` if the file lacks it).
    pub fn loc(&self, column: &str) -> Loc {
        Loc {
            file: self.table.file.clone(),
            line: self.line,
            column: self
                .table
                .index
                .get(column)
                .map(|&i| (i + 1, column.to_string())),
        }
    }

    /// Records an error about `column`.
    pub fn fail(&mut self, column: &str, reason: String) {
        let at = self.loc(column);
        self.errors.push(RowError { at, reason });
    }

    /// Records a warning about `column`: implausible, not impossible (an
    /// error under `import --strict`).
    pub fn warn(&self, column: &str, reason: String) {
        let at = self.loc(column);
        self.table
            .warnings
            .borrow_mut()
            .push(RowError { at, reason });
    }

    /// The import's "today", when known.
    pub fn today(&self) -> Option<NaiveDate> {
        self.table.implausible_only.flatten()
    }

    /// Whether the file has the column (its cell may be empty).
    pub fn has(&self, column: &str) -> bool {
        self.table.has(column)
    }

    /// The trimmed cell, `None` when the column is absent or the cell empty.
    pub fn text(&self, column: &str) -> Option<&'a str> {
        let i = *self.table.index.get(column)?;
        let v = self.cells.get(i).unwrap_or("").trim();
        (!v.is_empty()).then_some(v)
    }

    /// The cell as written, spaces and line ends kept (a document: a review's
    /// closing report), `None` when it is blank.
    pub fn document(&self, column: &str) -> Option<String> {
        let i = *self.table.index.get(column)?;
        let v = self.cells.get(i).unwrap_or("");
        (!v.trim().is_empty()).then(|| v.to_string())
    }

    /// The first of several alternative columns that has a value.
    pub fn text_any(&self, columns: &[&str]) -> Option<&'a str> {
        columns.iter().find_map(|c| self.text(c))
    }

    pub fn string(&self, column: &str) -> Option<String> {
        self.text(column).map(str::to_string)
    }

    /// A value that must be present.
    pub fn required(&mut self, column: &str) -> String {
        match self.text(column) {
            Some(v) => v.to_string(),
            None => {
                self.fail(column, "a value is required".into());
                String::new()
            }
        }
    }

    /// Parses the cell with `parse`; an empty cell is `None`, a bad one an
    /// error. Whatever the format's parser, an impossible value is refused
    /// here: a date or instant outside the years [`MIN_YEAR`]..=[`MAX_YEAR`],
    /// a negative amount or one past [`Money::MAX`]. Dates are kept for the
    /// plausibility check.
    pub fn parse_with<T: 'static>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.text(column)?;
        let parsed = parse(v).and_then(|t| impossible(v, &t).map_or(Ok(t), Err));
        match parsed {
            Ok(t) => {
                let any = &t as &dyn Any;
                let day = any
                    .downcast_ref::<NaiveDate>()
                    .copied()
                    .or_else(|| any.downcast_ref::<DateTime<Utc>>().map(|t| t.date_naive()));
                let kept = |day| match self.table.implausible_only {
                    Some(today) => super::plausible::is_implausible(day, today),
                    None => true,
                };
                if let Some(day) = day.filter(|d| kept(*d)) {
                    let at = self.loc(column);
                    self.table.seen.borrow_mut().push(SeenDate { at, day });
                }
                Some(t)
            }
            Err(reason) => {
                self.fail(column, reason);
                None
            }
        }
    }

    /// `YYYY-MM-DD`.
    pub fn date(&mut self, column: &str) -> Option<NaiveDate> {
        self.parse_with(column, parse_date)
    }

    /// RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` taken as UTC.
    pub fn instant(&mut self, column: &str) -> Option<DateTime<Utc>> {
        self.parse_with(column, parse_instant)
    }

    /// A decimal in major units.
    pub fn money(&mut self, column: &str) -> Option<Money> {
        self.money_by(column, Money::parse)
    }

    /// [`Row::money`] with its thousands grouped by commas (`12,500.00`),
    /// as a spreadsheet re-saves a CRM export.
    pub fn grouped_money(&mut self, column: &str) -> Option<Money> {
        self.money_by(column, Money::parse_grouped)
    }

    fn money_by(
        &mut self,
        column: &str,
        parse: fn(&str) -> Result<Money, crate::domain::money::MoneyError>,
    ) -> Option<Money> {
        self.parse_with(column, |v| {
            parse(v).map_err(|e| match e {
                crate::domain::money::MoneyError::OutOfRange(_) => format!(
                    "{v:?} is past the largest amount pipedeck keeps ({})",
                    Money::MAX.to_decimal()
                ),
                _ => format!("{v:?} is not an amount (a decimal like 12500.50)"),
            })
        })
    }

    /// A whole number, never negative (counts, minutes, positions).
    pub fn int(&mut self, column: &str) -> Option<i64> {
        self.parse_with(column, |v| {
            let n = v
                .parse::<i64>()
                .map_err(|_| format!("{v:?} is not a whole number"))?;
            if n < 0 {
                return Err(format!("{v:?} is negative"));
            }
            Ok(n)
        })
    }

    /// An activity's length: a whole number of minutes (`per` a minute:
    /// 60 for seconds), rounded to the minute, no longer than a year (a
    /// longer one is impossible, and sums of them would overflow).
    pub fn minutes(&mut self, column: &str, per: i64) -> Option<i64> {
        let n = self.int(column)?;
        let minutes = n / per + i64::from(n % per * 2 >= per);
        if minutes > MAX_MINUTES {
            self.fail(
                column,
                format!("{n} is longer than a year ({MAX_MINUTES} minutes)"),
            );
            return None;
        }
        Some(minutes)
    }

    /// A value of a closed set (`FromStr` of the domain enums).
    pub fn enum_value<T: FromStr<Err = String> + 'static>(&mut self, column: &str) -> Option<T> {
        self.parse_with(column, T::from_str)
    }

    /// The row's errors, or nothing.
    pub fn finish(self) -> Result<(), Vec<RowError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// Why a parsed value is impossible, if it is.
fn impossible(text: &str, v: &dyn Any) -> Option<String> {
    let year = v
        .downcast_ref::<NaiveDate>()
        .map(|d| d.year())
        .or_else(|| v.downcast_ref::<DateTime<Utc>>().map(|t| t.year()));
    if let Some(y) = year
        && !(MIN_YEAR..=MAX_YEAR).contains(&y)
    {
        // `12/15/26`: a spreadsheet's short year, read as year 26.
        if (0..100).contains(&y) && text.trim_end().ends_with(&format!("/{y:02}")) {
            return Some(format!(
                "{text:?}: a two-digit year; write the year in full (20{y:02} or 19{y:02})"
            ));
        }
        return Some(format!(
            "{text:?}: year {y} is impossible (dates run from {MIN_YEAR} to {MAX_YEAR})"
        ));
    }
    if let Some(m) = v.downcast_ref::<Money>() {
        if m.cents() < 0 {
            return Some(format!("{text:?} is a negative amount"));
        }
        if m.cents() > Money::MAX.cents() {
            return Some(format!(
                "{text:?} is past the largest amount pipedeck keeps ({})",
                Money::MAX.to_decimal()
            ));
        }
    }
    None
}

/// `true` when `v` starts with `YYYY-MM-DD` written with every digit
/// (`2026-1-5` is not).
fn full_date_shape(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

/// `YYYY-MM-DD`, every digit written.
pub fn parse_date(v: &str) -> Result<NaiveDate, String> {
    let bad = || format!("{v:?} is not a date (YYYY-MM-DD)");
    if v.len() != 10 || !full_date_shape(v) {
        return Err(bad());
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| bad())
}

/// RFC 3339 (any offset, converted to UTC), or `YYYY-MM-DD HH:MM[:SS]` taken as UTC.
pub fn parse_instant(v: &str) -> Result<DateTime<Utc>, String> {
    if full_date_shape(v) {
        if let Ok(t) = DateTime::parse_from_rfc3339(v) {
            return Ok(t.with_timezone(&Utc));
        }
        for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
            if let Ok(n) = NaiveDateTime::parse_from_str(v, f) {
                return Ok(n.and_utc());
            }
        }
    }
    Err(format!(
        "{v:?} is not an instant (RFC 3339, or YYYY-MM-DD HH:MM[:SS] in UTC)"
    ))
}

#[cfg(test)]
mod tests;
