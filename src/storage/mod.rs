//! The SQLite file: opening, migrations, transactions, and the only place
//! where rows become domain values. Nothing outside this module writes SQL.

mod classify;
mod codec;
pub mod crm;
pub mod edit;
pub mod import_support;
mod journal;
mod meta;
mod migrate;
use classify::{busy_timeout, classify};
mod read;
mod scope;
mod snapshot;
mod snapshot_sums;
mod write;

pub use crm::{CRM_RECORD_COLUMNS, LOCAL_EDIT_COLUMNS};
pub use edit::{EditError, EditResult};
pub use meta::older_schema;
pub use scope::Scope;
pub use write::{Counts, EntityCounts, Tx};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// Process-wide SQLite settings, made once before the first connection:
/// `main` calls this first thing, while the process has one thread.
/// SQLite's memory statistics are turned off (`SQLITE_CONFIG_MEMSTATUS`):
/// pipedeck never reads them, and keeping them takes a global mutex on
/// every allocation and free SQLite makes (a bulk import makes tens of
/// millions). Called after SQLite is initialised, it changes nothing.
pub fn configure_process() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let off: std::ffi::c_int = 0;
        // SAFETY: `sqlite3_config` may run only before SQLite is initialised
        // and while no other thread uses SQLite: `main` calls this before
        // anything else. Later it returns SQLITE_MISUSE and changes nothing
        // (ignored: the statistics then simply stay on).
        unsafe {
            rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, off);
        }
    });
}

/// A report connection's map of the file (in [`READ_CACHE`], and set again
/// by [`unmap`]).
macro_rules! read_map {
    () => {
        "PRAGMA mmap_size = 4294967296;"
    };
}

/// SQLite's page caches, in KiB (a negative `cache_size`): a report's
/// connections, an import, and an import's deferred index builds. A
/// report's connections also map the file (up to 4 GB, `mmap_size`): pages
/// come from the OS page cache without a read and a copy each. A bulk
/// import does not: it reads back every page it writes (its index builds),
/// and each page mapped counts in its resident memory (760 MB against
/// 410 MB on the large demo's set).
pub(crate) const READ_CACHE: &str = concat!("PRAGMA cache_size = -32768; ", read_map!());
/// Drops what a report's connection has mapped of the file (its pages
/// stay in the OS page cache): a mapped page read counts in the process's
/// resident memory until unmapped. The map is made again, empty, at the next
/// read. No statement of the connection may be running. (Done on the
/// load's own connection too, at the end of a load, it raised the peak:
/// that connection keeps its map; see docs/PERFORMANCE.md, nineteenth pass.)
pub(crate) fn unmap(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA mmap_size = 0;")?;
    conn.execute_batch(read_map!())
}
pub(crate) const IMPORT_CACHE: &str = "PRAGMA cache_size = -65536; PRAGMA mmap_size = 0;";
pub(crate) const INDEX_BUILD_CACHE: &str = "PRAGMA cache_size = -8192;";

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = migrate::MIGRATIONS.len() as i64;

/// The mark pipedeck puts in the header of the SQLite files it creates
/// (`PRAGMA application_id`, "pdk1"): a file with another mark is another
/// program's and is never written to.
pub const APPLICATION_ID: i32 = 0x7064_6b31;

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
    #[error(
        "{path}: the database file is damaged ({detail}); nothing was written. Import your last export into a fresh file (`pipedeck --db NEW.db import DIR`), or salvage what is left with SQLite's `.recover`"
    )]
    Damaged { path: String, detail: String },
    #[error("{path}: cannot open the database: {detail}")]
    Open { path: String, detail: String },
    #[error(
        "{path}: no database here; create one with `pipedeck import DIR` or `pipedeck demo` (or check --db / PIPEDECK_DB)"
    )]
    Missing { path: String },
    #[error(
        "{path}: not a pipedeck database (an SQLite file of another program{detail}); pipedeck leaves it untouched — pass another --db"
    )]
    Foreign { path: String, detail: String },
    #[error(
        "{path}: the database is open read-only (no write permission), so nothing can be changed"
    )]
    ReadOnly { path: String },
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

/// An open pipedeck database.
pub struct Store {
    conn: Connection,
    path: String,
    read_only: bool,
    /// Read as immutable (`?immutable=1`): SQLite neither locks nor looks
    /// at a journal, so a write in progress may be read half done.
    immutable: bool,
    /// A check of the file's pages running beside (`check_pages_beside`),
    /// which the next write transaction waits for.
    pending_check: Option<std::thread::JoinHandle<Result<()>>>,
}

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Create it if missing (`import`, `demo`).
    Create,
    /// It must exist; read and write.
    Existing,
    /// It must exist; read and write when the file allows, else read-only.
    WritableOrReadOnly,
    /// It must exist; never written.
    ReadOnly,
    /// It must exist; never written, not even upgraded.
    AsItIs,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending
    /// migrations. Only `import` and `demo` create databases; every other
    /// command uses [`Store::open_existing`] or [`Store::open_read_only`].
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_mode(path, Mode::Create)
    }

    /// Opens an existing database for reading and writing (migrating it);
    /// a missing file is [`StorageError::Missing`], never created.
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::open_mode(path, Mode::Existing)
    }

    /// Opens an existing database for reading only: nothing is written, not
    /// even the journal mode, so a read-only file or directory can be read
    /// (but an older schema is migrated, a hot journal rolled back, first).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        Store::open_mode(path, Mode::ReadOnly)
    }

    /// Opens an existing database of ours for reading only, as it is: a
    /// file of an older pipedeck is read without being upgraded (to look at
    /// a file about to be replaced or refused, never changing it).
    pub fn open_as_it_is(path: &Path) -> Result<Store> {
        Store::open_mode(path, Mode::AsItIs)
    }

    /// Opens an existing database for writing when its file allows it, else
    /// read-only (see [`Store::is_read_only`]): the cockpit shows a
    /// read-only database with edits disabled.
    pub fn open_writable_or_read_only(path: &Path) -> Result<Store> {
        Store::open_mode(path, Mode::WritableOrReadOnly)
    }

    /// Whether this store refuses every write ([`StorageError::ReadOnly`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn open_mode(path: &Path, mode: Mode) -> Result<Store> {
        let display = path.display().to_string();
        if mode != Mode::Create && !path.is_file() {
            if path.exists() {
                return Err(StorageError::Open {
                    path: display,
                    detail: "not a file".into(),
                });
            }
            return Err(StorageError::Missing { path: display });
        }
        match mode {
            Mode::Create => Store::open_rw(path, true),
            // A file that can be read but not written (or whose directory
            // cannot hold the WAL's files) says so.
            Mode::Existing => match Store::open_rw(path, false) {
                Ok(s) if s.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) => {
                    Err(StorageError::ReadOnly { path: display })
                }
                Err(StorageError::Open { .. }) if Store::open_ro(path).is_ok() => {
                    Err(StorageError::ReadOnly { path: display })
                }
                other => other,
            },
            Mode::ReadOnly => {
                let store = Store::open_ro(path)?;
                if store.schema_version()? >= SCHEMA_VERSION {
                    return Ok(store);
                }
                // Written by an older pipedeck: migrate it once (its new
                // columns and indexes) when the file can be written, then read.
                drop(store);
                match Store::open_rw(path, false) {
                    Ok(migrated) => {
                        drop(migrated);
                        Store::open_ro(path)
                    }
                    Err(StorageError::Open { .. } | StorageError::ReadOnly { .. }) => {
                        Store::open_ro(path)
                    }
                    Err(e) => Err(e),
                }
            }
            Mode::AsItIs => Store::open_ro(path),
            Mode::WritableOrReadOnly => match Store::open_rw(path, false) {
                Ok(s) if s.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) => {
                    drop(s);
                    Store::open_ro(path)
                }
                Err(StorageError::Open { .. } | StorageError::ReadOnly { .. }) => {
                    Store::open_ro(path)
                }
                other => other,
            },
        }
    }

    fn open_ro(path: &Path) -> Result<Store> {
        let display = path.display().to_string();
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let first = Connection::open_with_flags(path, flags)
            .map_err(|e| classify(&display, e))
            .and_then(|conn| Store::init_read_only(conn, display.clone(), false));
        match first {
            // A write interrupted in rollback-journal mode (a first import
            // killed) left a hot journal, which a read-only connection cannot
            // roll back. A file marked ours, of a schema this build knows, is
            // opened writable once, which rolls it back, and read as it was
            // before that write; any other is refused (read as immutable, it
            // would show the write half done).
            Err(StorageError::Open { .. } | StorageError::ReadOnly { .. })
                if journal::hot(path) =>
            {
                if !(journal::marked_ours(path) && Store::open_rw(path, false).is_ok()) {
                    return Err(StorageError::Open {
                        path: display,
                        detail: "a write to it was interrupted and its journal (beside it, \
                                 ending in -journal) can only be rolled back by a program \
                                 that may write the file; run any pipedeck command that \
                                 writes (`pipedeck snapshot`) with write access"
                            .into(),
                    });
                }
                let conn =
                    Connection::open_with_flags(path, flags).map_err(|e| classify(&display, e))?;
                Store::init_read_only(conn, display, false)
            }
            // A WAL database in a directory we cannot write: read it as
            // immutable (no shared-memory file needed).
            Err(StorageError::Open { .. } | StorageError::ReadOnly { .. }) => {
                let uri = format!("file:{}?immutable=1", meta::uri_path(path));
                let conn = Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .map_err(|e| classify(&display, e))?;
                Store::init_read_only(conn, display, true)
            }
            other => other,
        }
    }

    /// Whether this store reads the file as immutable (see [`Store::open_read_only`]):
    /// what it reads may be a write half done, so nothing is kept from it.
    pub fn is_immutable(&self) -> bool {
        self.immutable
    }

    fn init_read_only(conn: Connection, path: String, immutable: bool) -> Result<Store> {
        conn.busy_timeout(busy_timeout())
            .map_err(|e| classify(&path, e))?;
        let store = Store {
            conn,
            path,
            read_only: true,
            immutable,
            pending_check: None,
        };
        store.identify()?;
        let found = store.known_version()?;
        if found == 0 {
            // An empty file: nothing to read.
            return Err(StorageError::Missing { path: store.path });
        }
        Ok(store)
    }

    fn open_rw(path: &Path, create: bool) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StorageError::Open {
                path: path.display().to_string(),
                detail: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let display = path.display().to_string();
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(&display, e))?;
        conn.busy_timeout(busy_timeout())
            .map_err(|e| classify(&display, e))?;
        if !create && meta::is_blank(&conn).map_err(|e| classify(&display, e))? {
            // An empty file is no database: only `import` and `demo` make one.
            return Err(StorageError::Missing { path: display });
        }
        Store::init(conn, display)
    }

    /// An in-memory database with the real migrations, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Store::init(conn, ":memory:".to_string())
    }

    /// A store on `conn` (its busy timeout set by the caller: a file's
    /// open sets it before its first read).
    fn init(conn: Connection, path: String) -> Result<Store> {
        let mut store = Store {
            conn,
            path,
            read_only: false,
            immutable: false,
            pending_check: None,
        };
        // Before anything is written (even the journal mode): is it ours?
        store.identify()?;
        store.configure().map_err(|e| store.classify(e))?;
        store.migrate()?;
        Ok(store)
    }

    /// Refuses a file that is not pipedeck's: another program's mark, or an
    /// unmarked file with tables that are not ours. Unmarked files of older
    /// pipedeck builds (our tables, a schema version) are ours and get the
    /// mark at their next migration; an empty file is new.
    fn identify(&self) -> Result<()> {
        let q = |sql: &str| -> Result<i64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map_err(|e| self.classify(e))
        };
        let app_id = q("PRAGMA application_id")?;
        if app_id == i64::from(APPLICATION_ID) {
            return Ok(());
        }
        if app_id != 0 {
            return Err(StorageError::Foreign {
                path: self.path.clone(),
                detail: format!(", application id {app_id:#x}"),
            });
        }
        let objects = q("SELECT count(*) FROM sqlite_master")?;
        // An empty file is ours to start; one another program marked with a
        // schema version of its own is not (the migrations would skip ahead).
        let version = q("PRAGMA user_version")?;
        if objects == 0 && (version == 0 || version > SCHEMA_VERSION) {
            return Ok(());
        }
        let ours = meta::has_our_tables(&self.conn).map_err(|e| self.classify(e))?;
        if ours && version >= 1 {
            return Ok(());
        }
        Err(StorageError::Foreign {
            path: self.path.clone(),
            detail: String::new(),
        })
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
        // A report reads a window of a few hundred thousand rows; SQLite's
        // default 2 MB page cache re-read the same pages from the OS.
        self.conn
            .execute_batch(&format!("PRAGMA foreign_keys = ON; {READ_CACHE}"))?;
        Ok(())
    }

    /// The path this store was opened from (`:memory:` for tests).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The schema version recorded in the file, refused when it is newer
    /// than this build knows.
    fn known_version(&self) -> Result<i64> {
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
        Ok(found)
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Starts a write transaction; nothing lands until [`Tx::commit`].
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        self.writable()?;
        self.wait_check()?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify(&path, e))?;
        Ok(Tx::new(tx))
    }

    /// Starts an immediate write transaction through a shared borrow, so the
    /// store's readers can run inside it: an edit reads the values it changes
    /// and writes them under one lock (no other writer in between).
    pub(crate) fn begin_shared(&self) -> Result<Tx<'_>> {
        self.writable()?;
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )
        .map_err(|e| self.classify(e))?;
        Ok(Tx::new(tx))
    }

    /// Refuses every write to a read-only store, saying so.
    pub(crate) fn writable(&self) -> Result<()> {
        if self.read_only {
            return Err(StorageError::ReadOnly {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    fn classify(&self, e: rusqlite::Error) -> StorageError {
        classify(&self.path, e)
    }
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
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
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
