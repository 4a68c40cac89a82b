//! What SQLite's errors mean to a user: a lock held by another process
//! (waited for so long), a file that is no database or is corrupt, a file
//! that cannot be written or opened.

use super::StorageError;
use rusqlite::ErrorCode;
use std::time::Duration;

/// How long a writer waits for another process's lock before giving up
/// (`PIPEDECK_BUSY_TIMEOUT_MS` overrides, for tests and slow disks).
pub(super) fn busy_timeout() -> Duration {
    let ms = std::env::var("PIPEDECK_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    Duration::from_millis(ms)
}

/// Turns SQLite's locked and corrupt codes into errors that say so.
pub(super) fn classify(path: &str, e: rusqlite::Error) -> StorageError {
    if let rusqlite::Error::SqliteFailure(err, ref msg) = e {
        let detail = msg.clone().unwrap_or_else(|| err.to_string());
        match err.code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                return StorageError::Locked {
                    path: path.to_string(),
                    waited_ms: busy_timeout().as_millis() as u64,
                };
            }
            ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                return StorageError::Corrupt {
                    path: path.to_string(),
                    detail,
                };
            }
            ErrorCode::ReadOnly => {
                return StorageError::ReadOnly {
                    path: path.to_string(),
                };
            }
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                return StorageError::Open {
                    path: path.to_string(),
                    detail,
                };
            }
            _ => {}
        }
    }
    StorageError::Sql(e)
}

/// How many of SQLite's findings a damaged file's error lists.
const FINDINGS_SHOWN: usize = 3;

impl super::Store {
    /// Reads every page of the file and checks its structure (SQLite's
    /// `quick_check`: every b-tree page, every cell, the free list; not the
    /// indexes' agreement with their tables): a damaged file is
    /// [`StorageError::Damaged`], naming SQLite's first findings. SQLite
    /// itself notices damage only on a page a statement touches, so a
    /// report or a write elsewhere in a damaged file runs without a word;
    /// an import and the cockpit call this first (docs/storage.md).
    pub fn check_pages(&self) -> super::Result<()> {
        let mut stmt = self
            .conn()
            .prepare(&format!("PRAGMA quick_check({})", FINDINGS_SHOWN + 2))
            .map_err(|e| classify(self.path(), e))?;
        // A page too damaged to walk fails the check itself: damage too.
        let found: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| match classify(self.path(), e) {
                StorageError::Corrupt { path, detail } => StorageError::Damaged { path, detail },
                other => other,
            })?;
        if found.len() == 1 && found[0] == "ok" {
            return Ok(());
        }
        // One row may hold several findings, one a line, headed by
        // "*** in database main ***": not one of them.
        let found: Vec<&str> = found
            .iter()
            .flat_map(|s| s.lines())
            .filter(|s| !s.starts_with("***") && !s.trim().is_empty())
            .collect();
        let mut detail = found
            .iter()
            .take(FINDINGS_SHOWN)
            .map(|s| s.trim().to_string())
            .collect::<Vec<_>>()
            .join("; ");
        if found.len() > FINDINGS_SHOWN {
            detail.push_str("; …");
        }
        Err(StorageError::Damaged {
            path: self.path().to_string(),
            detail: crate::text::sanitize(&detail),
        })
    }

    /// [`Store::check_pages`] of the file at `path`, on a read-only
    /// connection of its own (`pipedeck check`, and the checks run beside
    /// an import or the cockpit).
    pub fn check_file(path: &std::path::Path) -> super::Result<()> {
        super::Store::open_read_only(path)?.check_pages()
    }

    /// Starts [`Store::check_pages`] on a thread of its own with its own
    /// read-only connection, so reading and planning an import's files
    /// hide its cost; the next write transaction (`Store::begin`) waits for
    /// it and fails, writing nothing, when the file is damaged. A file
    /// without data (a fresh import's), or an in-memory one, is checked
    /// here at once: there is nothing to hide, and its bulk load changes
    /// the journal mode, which a second connection would hold up.
    pub fn check_pages_beside(&mut self) -> super::Result<()> {
        let path = std::path::PathBuf::from(self.path());
        let empty = super::import_support::bulk_target_empty(self.conn())?;
        if self.path() == ":memory:" || empty {
            return self.check_pages();
        }
        let spawned = std::thread::Builder::new()
            .name("import-check".into())
            .spawn(move || super::Store::check_file(&path));
        match spawned {
            Ok(h) => self.pending_check = Some(h),
            // No thread: checked here.
            Err(_) => self.check_pages()?,
        }
        Ok(())
    }

    /// Waits for the check [`Store::check_pages_beside`] started, if any.
    pub fn wait_check(&mut self) -> super::Result<()> {
        match self.pending_check.take() {
            Some(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            None => Ok(()),
        }
    }
}
