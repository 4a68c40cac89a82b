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
