//! The SQLite file: opening, migrations, transactions, and the only place
//! where rows become domain values. Nothing outside this module writes SQL.

mod codec;
pub mod edit;
pub mod import_support;
mod meta;
mod read;
mod snapshot;
mod write;

pub use edit::{EditError, EditResult};
pub use write::{Counts, EntityCounts, Tx};

use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Ordered migrations; the database's `PRAGMA user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_placeholder.sql"),
    include_str!("migrations/0003_placeholder.sql"),
    include_str!("migrations/0004_list_amount.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// What went wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "{path}: the database was written by a newer pipedeck (schema version {found}, this build knows up to {known}); upgrade pipedeck to open it"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(
        "{path}: the database is locked by another process (waited {waited_ms} ms); close the other pipedeck and try again"
    )]
    Locked { path: String, waited_ms: u64 },
    #[error("{path}: not a pipedeck database, or the file is corrupt ({detail})")]
    Corrupt { path: String, detail: String },
    #[error("{path}: cannot open the database: {detail}")]
    Open { path: String, detail: String },
    #[error("{0} not found")]
    NotFound(String),
    #[error("invalid value in the database: {0}")]
    BadValue(String),
    #[error("{0}")]
    Rule(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, StorageError>;

/// How long a writer waits for another process's lock before giving up
/// (`PIPEDECK_BUSY_TIMEOUT_MS` overrides, for tests and slow disks).
fn busy_timeout() -> Duration {
    let ms = std::env::var("PIPEDECK_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    Duration::from_millis(ms)
}

/// An open pipedeck database.
pub struct Store {
    conn: Connection,
    path: String,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StorageError::Open {
                path: path.display().to_string(),
                detail: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let display = path.display().to_string();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(&display, e))?;
        Store::init(conn, display)
    }

    /// An in-memory database with the real migrations, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Store::init(conn, ":memory:".to_string())
    }

    fn init(conn: Connection, path: String) -> Result<Store> {
        conn.busy_timeout(busy_timeout())
            .map_err(|e| classify(&path, e))?;
        let mut store = Store { conn, path };
        store.configure().map_err(|e| store.classify(e))?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self) -> rusqlite::Result<()> {
        // Reading the schema first turns a non-database file into NOTADB here.
        self.conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })?;
        if self.path != ":memory:" {
            self.conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        }
        self.conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.classify(e))?;
        if found > SCHEMA_VERSION {
            return Err(StorageError::TooNew {
                path: self.path.clone(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| classify(&path, e))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql).map_err(|e| classify(&path, e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| classify(&path, e))?;
        }
        tx.commit().map_err(|e| classify(&path, e))?;
        Ok(())
    }

    /// The path this store was opened from (`:memory:` for tests).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Starts a write transaction; nothing lands until [`Tx::commit`].
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify(&path, e))?;
        Ok(Tx::new(tx))
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn classify(&self, e: rusqlite::Error) -> StorageError {
        classify(&self.path, e)
    }
}

/// Turns SQLite's locked and corrupt codes into errors that say so.
fn classify(path: &str, e: rusqlite::Error) -> StorageError {
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
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly => {
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

/// The default database path: `pipedeck.db` in the platform data directory.
pub fn default_db_path() -> std::result::Result<PathBuf, String> {
    directories::ProjectDirs::from("", "", "pipedeck")
        .map(|d| d.data_dir().join("pipedeck.db"))
        .ok_or_else(|| {
            "no home directory found for the default database; pass --db PATH or set PIPEDECK_DB"
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_a_fresh_database() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), 4);
    }

    #[test]
    fn refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = Store::open(&path).err().expect("must refuse");
        let text = err.to_string();
        assert!(text.contains("newer pipedeck"), "{text}");
        assert!(text.contains("99"), "{text}");
    }

    #[test]
    fn says_a_garbage_file_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("junk.db");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let err = Store::open(&path).err().expect("must refuse");
        assert!(matches!(err, StorageError::Corrupt { .. }), "{err}");
    }

    #[test]
    fn history_is_append_only() {
        let store = Store::open_in_memory().unwrap();
        let err = store
            .conn()
            .execute("DELETE FROM opportunity_history", [])
            .err();
        // An empty table fires no row trigger; insert one row first.
        assert!(err.is_none());
        store
            .conn()
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO opportunity_history (opportunity_id, changed_at, field, new_value)
                 VALUES ('o1', '2026-01-01T00:00:00Z', 'stage', 'Prospecting');",
            )
            .unwrap();
        let err = store
            .conn()
            .execute("UPDATE opportunity_history SET new_value = 'x'", [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
}
