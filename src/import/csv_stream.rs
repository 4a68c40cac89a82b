//! A CSV file read one record at a time (the big files of an import): the
//! same header and record checks as [`Table::parse`](super::table::Table::parse),
//! the same physical line numbers, and only the current record in memory.

use super::error::RowError;
use super::table::{check_record, empty_file, not_utf8, read_header, whole};
use std::cell::RefCell;

/// Where the line feeds and carriage returns of a streamed file are, from
/// the reader's position on: enough to turn a record's byte offset into its
/// physical line as `Table::parse` does, without the whole text.
#[derive(Default)]
struct LineBreaks {
    /// Offset of each `\r` / `\n` read but not yet passed, and whether it is `\n`.
    ahead: std::collections::VecDeque<(u64, bool)>,
    /// Line feeds passed.
    passed: u64,
    /// Bytes read so far.
    read: u64,
    /// Whether what was read so far ends inside a quoted cell.
    quoting: Quoting,
}

impl LineBreaks {
    /// The physical line (from 1) of the first byte at or after `byte` that is
    /// not a line break.
    fn line_of(&mut self, byte: u64) -> u64 {
        let mut b = byte;
        while let Some(&(at, lf)) = self.ahead.front() {
            if at <= b {
                if at == b {
                    b += 1;
                }
                self.ahead.pop_front();
                // `\r\n` is one break, a `\r` alone (old Mac files) one too; the
                // byte after a break passed is read already.
                let crlf = !lf
                    && self
                        .ahead
                        .front()
                        .is_some_and(|&(next, next_lf)| next_lf && next == at + 1);
                self.passed += (lf || !crlf) as u64;
            } else {
                break;
            }
        }
        self.passed + 1
    }
}

/// Whether the text read so far ends inside a quoted cell, as the CSV
/// reader reads it: a quote opens a cell only at its start (elsewhere in an
/// unquoted cell it is a character), and `""` inside is a quote.
#[derive(Default, Clone, Copy)]
pub(super) struct Quoting {
    state: QuoteState,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum QuoteState {
    #[default]
    CellStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: its end, or the first of `""`.
    QuoteInQuoted,
}

impl Quoting {
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.step(*b);
        }
    }

    /// One byte more.
    fn step(&mut self, b: u8) {
        use QuoteState::*;
        self.state = match (self.state, b) {
            (CellStart, b'"') => Quoted,
            (CellStart | Unquoted | QuoteInQuoted, b',' | b'\n' | b'\r') => CellStart,
            (CellStart | Unquoted, _) => Unquoted,
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (QuoteInQuoted, _) => Unquoted,
        };
    }

    /// Ended inside a quoted cell: a quote never closed.
    pub(super) fn open(&self) -> bool {
        self.state == QuoteState::Quoted
    }
}

/// The error of a quote opened on `line` and never closed: the CSV reader
/// takes the rest of the file as one cell.
pub(super) fn unclosed_quote(file: &str, line: u64) -> RowError {
    whole(
        file,
        line,
        "a quote opened in this record is never closed: the rest of the file would be one cell"
            .into(),
    )
}

/// A reader that notes every line break and quote it hands on.
struct Tracked<R> {
    inner: R,
    breaks: std::rc::Rc<RefCell<LineBreaks>>,
}

impl<R: std::io::Read> std::io::Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut br = self.breaks.borrow_mut();
        let start = br.read;
        // One pass: the line breaks, and whether a quoted cell is open.
        for (i, b) in buf[..n].iter().enumerate() {
            br.quoting.step(*b);
            if *b == b'\n' || *b == b'\r' {
                br.ahead.push_back((start + i as u64, *b == b'\n'));
            }
        }
        br.read += n as u64;
        Ok(n)
    }
}

/// A CSV file read one record at a time (the big files of an import): the
/// same header and record checks as `Table::parse`, the same physical line
/// numbers, and only the current record in memory.
pub struct CsvStream {
    file: String,
    reader: csv::Reader<Tracked<std::io::BufReader<std::fs::File>>>,
    breaks: std::rc::Rc<RefCell<LineBreaks>>,
    /// The header row, as read (before any column mapping).
    pub headers: Vec<String>,
    record: csv::StringRecord,
    /// Where this file's errors start in the caller's list (a file that is
    /// not UTF-8 is that one error, as when read whole).
    mark: usize,
    done: bool,
    /// The line of the last record read (the header's at first).
    last: u64,
}

impl CsvStream {
    /// Opens `path` (`file` names it in errors) and reads its header; the
    /// header's errors go to `errors`. `None` when the file has no header
    /// row at all (an error too).
    pub fn open(
        path: &std::path::Path,
        file: &str,
        errors: &mut Vec<RowError>,
    ) -> std::io::Result<Option<CsvStream>> {
        use std::io::BufRead;
        let mut buf = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
        if buf.fill_buf()?.starts_with("\u{feff}".as_bytes()) {
            buf.consume(3);
        }
        let breaks = std::rc::Rc::new(RefCell::new(LineBreaks::default()));
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1 << 16)
            .from_reader(Tracked {
                inner: buf,
                breaks: breaks.clone(),
            });
        let mut s = CsvStream {
            file: file.to_string(),
            reader,
            breaks,
            headers: Vec::new(),
            record: csv::StringRecord::new(),
            mark: errors.len(),
            done: false,
            last: 1,
        };
        match s.reader.read_record(&mut s.record) {
            Ok(true) => {
                let (headers, _, mut errs) = read_header(file, &s.record);
                s.headers = headers;
                errors.append(&mut errs);
                Ok(Some(s))
            }
            Ok(false) => {
                errors.push(empty_file(file));
                Ok(None)
            }
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                errors.push(not_utf8(file, 1));
                Ok(None)
            }
            Err(e) => {
                errors.push(whole(file, 1, format!("unreadable header: {e}")));
                Ok(None)
            }
        }
    }

    /// Reads the next well-formed record and returns its physical line;
    /// malformed ones are errors in `errors` and skipped. `None` at the end.
    pub fn next_record(&mut self, errors: &mut Vec<RowError>) -> std::io::Result<Option<u64>> {
        while !self.done {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    // A quote never closed made the rest of the file one cell.
                    if self.breaks.borrow().quoting.open() {
                        errors.push(unclosed_quote(&self.file, self.last));
                    }
                }
                Ok(true) => {
                    let byte = self.record.position().map_or(0, |p| p.byte());
                    let line = self.breaks.borrow_mut().line_of(byte);
                    self.last = line;
                    if check_record(&self.file, &self.headers, line, &self.record, errors) {
                        return Ok(Some(line));
                    }
                }
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(0, |p| self.breaks.borrow_mut().line_of(p.byte()));
                    match e.kind() {
                        csv::ErrorKind::Io(_) => return Err(std::io::Error::other(e.to_string())),
                        csv::ErrorKind::Utf8 { .. } => {
                            errors.truncate(self.mark);
                            errors.push(not_utf8(&self.file, line));
                            self.done = true;
                        }
                        _ => errors.push(whole(&self.file, line, format!("unreadable CSV: {e}"))),
                    }
                }
            }
        }
        Ok(None)
    }

    /// The record [`CsvStream::next_record`] just read.
    pub fn record(&self) -> &csv::StringRecord {
        &self.record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::Table;

    /// The lines a stream gives are the lines `Table::parse` gives, blank
    /// lines, CRLF, a quoted line break and a BOM included.
    #[test]
    fn a_stream_numbers_lines_as_the_whole_table() {
        let text = "\u{feff}id,name\r\n1,a\r\n\r\n\n2,\"b\nc\"\n3,d\r\n\n4,e";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, text).unwrap();
        let whole: Vec<(u64, Vec<String>)> = Table::parse("f.csv", text)
            .unwrap()
            .records
            .iter()
            .map(|(line, r)| (*line, r.iter().map(str::to_string).collect()))
            .collect();
        let mut errors = Vec::new();
        let mut s = CsvStream::open(&path, "f.csv", &mut errors)
            .unwrap()
            .unwrap();
        assert_eq!(s.headers, vec!["id", "name"]);
        let mut streamed = Vec::new();
        while let Some(line) = s.next_record(&mut errors).unwrap() {
            streamed.push((line, s.record().iter().map(str::to_string).collect()));
        }
        assert!(errors.is_empty());
        assert_eq!(streamed, whole);
        let lines: Vec<u64> = whole.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![2, 5, 7, 9]);
    }

    /// Both readers' lines and errors for `text` (written as `f.csv`).
    fn read_both(text: &str) -> [(Vec<u64>, Vec<String>); 2] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, text).unwrap();
        let show = |e: &[RowError]| e.iter().map(|e| e.to_string()).collect::<Vec<_>>();
        let whole = match Table::parse("f.csv", text) {
            Ok(t) => (t.records.iter().map(|r| r.0).collect(), Vec::new()),
            Err(e) => (Vec::new(), show(&e)),
        };
        let mut errors = Vec::new();
        let mut s = CsvStream::open(&path, "f.csv", &mut errors)
            .unwrap()
            .unwrap();
        let mut lines = Vec::new();
        while let Some(line) = s.next_record(&mut errors).unwrap() {
            lines.push(line);
        }
        let streamed = if errors.is_empty() {
            (lines, Vec::new())
        } else {
            (Vec::new(), show(&errors))
        };
        [whole, streamed]
    }

    /// Old Mac files end their lines with a carriage return alone.
    #[test]
    fn a_carriage_return_alone_ends_a_line() {
        let text = "id,name\r1,a\r\r2,b\r3,\"c\rd\"\r4,e\r\n5,f\n6,g";
        for (lines, errors) in read_both(text) {
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(lines, [2, 4, 5, 7, 8, 9]);
        }
    }

    /// A quote never closed takes the rest of the file as one cell: refused,
    /// on the record it opens in.
    #[test]
    fn a_quote_never_closed_is_refused_where_it_opens() {
        let quote =
            "a quote opened in this record is never closed: the rest of the file would be one cell";
        for (_, errors) in read_both("id,name\n1,a\n2,\"b\n3,c\n4,d\n") {
            assert_eq!(errors, [format!("f.csv:3: {quote}")]);
        }
        for (_, errors) in read_both("id,name,x\n1,a,x\n2,\"b,x\n3,c,x\n") {
            assert_eq!(
                errors,
                [
                    "f.csv:3: 2 cells, the header has 3".to_string(),
                    format!("f.csv:3: {quote}")
                ]
            );
        }
        // Quotes that close, one in an unquoted cell, and a last record
        // whose quoted cell spans lines are read as before.
        let text = "id,name\n1,\"a \"\"b\"\"\"\n2,5\" screen\n3,\"line1\nline2\"\n";
        for (lines, errors) in read_both(text) {
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(lines, [2, 3, 4]);
        }
        // A quote opened in the header.
        for (_, errors) in read_both("id,\"name\n1,a\n") {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0].starts_with("f.csv:1: a quote opened"),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn a_stream_names_a_bad_record_and_a_file_that_is_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        std::fs::write(&path, b"id,name\n1\n2,b\n3,\xff\n").unwrap();
        let mut errors = Vec::new();
        let mut s = CsvStream::open(&path, "f.csv", &mut errors)
            .unwrap()
            .unwrap();
        while s.next_record(&mut errors).unwrap().is_some() {}
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            text,
            vec!["f.csv:4: not UTF-8 text (save the file as UTF-8)"]
        );
    }
}
