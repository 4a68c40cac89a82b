//! Import errors: every rejected row names its file, physical line, column and why.

use std::fmt;

/// Where a value came from: file, physical line (1-based, header = 1) and
/// column (1-based, with its header name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: String,
    pub line: u64,
    /// 1-based column number and header name; `None` for a whole row or file.
    pub column: Option<(usize, String)>,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some((n, name)) => write!(f, "{}:{}:{} ({})", self.file, self.line, n, name),
            None => write!(f, "{}:{}", self.file, self.line),
        }
    }
}

/// One rejected row (or header, or file), as `file:line:column (name): reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub at: Loc,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

/// Why an import did not land.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Rows were rejected; nothing was written.
    #[error("{} rejected row(s); nothing was imported:\n{}", distinct_rows(.0), join(.0))]
    Rows(Vec<RowError>),
    /// A path could not be read.
    #[error("{path}: {detail}")]
    Io { path: String, detail: String },
    /// The database refused the write.
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
}

/// How many rows `errors` (or warnings) name: each file and line once,
/// however many of its cells are bad (a file's header, or the file as a
/// whole, is its line).
pub fn distinct_rows(errors: &[RowError]) -> usize {
    let rows: std::collections::HashSet<(&str, u64)> = errors
        .iter()
        .map(|e| (e.at.file.as_str(), e.at.line))
        .collect();
    rows.len()
}

fn join(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_file_line_column_and_name() {
        let e = RowError {
            at: Loc {
                file: "opportunities.csv".into(),
                line: 3,
                column: Some((9, "close_date".into())),
            },
            reason: "\"2026-13-01\" is not a date (YYYY-MM-DD)".into(),
        };
        assert_eq!(
            e.to_string(),
            "opportunities.csv:3:9 (close_date): \"2026-13-01\" is not a date (YYYY-MM-DD)"
        );
        let whole = RowError {
            at: Loc {
                file: "x.csv".into(),
                line: 1,
                column: None,
            },
            reason: "empty file".into(),
        };
        assert_eq!(whole.to_string(), "x.csv:1: empty file");
    }

    #[test]
    fn counts_each_row_once_however_many_cells_are_bad() {
        let at = |file: &str, line, column: Option<usize>| RowError {
            at: Loc {
                file: file.into(),
                line,
                column: column.map(|c| (c, "x".into())),
            },
            reason: "bad".into(),
        };
        let cases: [(&[RowError], usize); 4] = [
            (&[], 0),
            (&[at("a.csv", 2, Some(1)), at("a.csv", 2, Some(3))], 1),
            (&[at("a.csv", 2, Some(1)), at("b.csv", 2, Some(1))], 2),
            (
                &[
                    at("a.csv", 1, None),
                    at("a.csv", 3, Some(5)),
                    at("a.csv", 3, Some(6)),
                    at("a.csv", 4, None),
                ],
                3,
            ),
        ];
        for (errors, want) in cases {
            assert_eq!(distinct_rows(errors), want, "{errors:?}");
        }
    }
}
