//! Reading the files of an import whole: every file named, every `*.csv`
//! of every directory named, each into a [`Table`] (a file that is not
//! UTF-8 or not CSV is a row error).

use super::{ImportError, RowError, Table, table};
use std::path::{Path, PathBuf};

/// Every file named, and every `*.csv` (any case) in every directory named,
/// sorted by name.
pub(super) fn list_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            for entry in std::fs::read_dir(p).map_err(|e| io_error(p, e))? {
                let path = entry.map_err(|e| io_error(p, e))?.path();
                let is_csv = path
                    .extension()
                    .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case("csv"));
                if is_csv && path.is_file() {
                    found.push(path);
                }
            }
            if found.is_empty() {
                return Err(ImportError::Io {
                    path: p.display().to_string(),
                    detail: "no *.csv file in this directory".into(),
                });
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

pub(super) fn io_error(p: &Path, e: std::io::Error) -> ImportError {
    ImportError::Io {
        path: p.display().to_string(),
        detail: e.to_string(),
    }
}

/// Reads one file whole into `tables`, or its errors into `errors`.
pub(super) fn read_one(
    f: &Path,
    tables: &mut Vec<Table>,
    errors: &mut Vec<RowError>,
) -> Result<(), ImportError> {
    let name = f.display().to_string();
    let bytes = std::fs::read(f).map_err(|e| io_error(f, e))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            errors.push(table::not_utf8(&name, line));
            return Ok(());
        }
    };
    match Table::parse(&name, &text) {
        Ok(t) => tables.push(t),
        Err(mut e) => errors.append(&mut e),
    }
    Ok(())
}

/// Reads every file named, and every `*.csv` (any case) in every directory
/// named, sorted by name. A file that is not UTF-8 or not CSV is a row error.
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<Table>, ImportError> {
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    for f in list_files(paths)? {
        read_one(&f, &mut tables, &mut errors)?;
    }
    if errors.is_empty() {
        Ok(tables)
    } else {
        Err(ImportError::Rows(errors))
    }
}
