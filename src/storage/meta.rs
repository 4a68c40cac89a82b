//! The `meta` key/value table (who made the database), emptiness checks, and
//! the file's name as SQLite reads it in a URI.

use super::{Result, Store};
use rusqlite::OptionalExtension;

impl Store {
    /// The value stored under `key` in `meta`, if any.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Removes `key` from `meta`.
    pub fn delete_meta(&self, key: &str) -> Result<()> {
        self.conn()
            .execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Stores `value` under `key` in `meta`, replacing any previous value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// The write stamp: drawn anew by every write to a table a report reads
    /// (`migrations/0011_write_stamp.sql`); `None` in a file of an older
    /// schema opened read-only.
    pub fn write_stamp(&self) -> Result<Option<i64>> {
        if !self.has_table("write_stamp")? {
            return Ok(None);
        }
        Ok(self
            .conn()
            .query_row("SELECT stamp FROM write_stamp WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The write stamp of the file at this store's path as it stands now,
    /// read on a connection of its own (a file put in its place since this
    /// store opened it has its own); `None` when it cannot be read.
    pub fn write_stamp_on_disk(&self) -> Option<i64> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags).ok()?;
        conn.busy_timeout(super::busy_timeout()).ok()?;
        conn.query_row("SELECT stamp FROM write_stamp WHERE id = 1", [], |r| {
            r.get(0)
        })
        .ok()
    }

    /// True when the database holds no reps, accounts, opportunities or activities.
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self.conn().query_row(
            "SELECT (SELECT count(*) FROM reps) + (SELECT count(*) FROM accounts)
                  + (SELECT count(*) FROM opportunities) + (SELECT count(*) FROM activities)",
            [],
            |r| r.get(0),
        )?;
        Ok(n == 0)
    }
}

/// Whether the file holds nothing yet: no mark and no schema object (a new
/// or zero-length file), so no database.
pub(super) fn is_blank(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok(app_id == 0 && objects == 0)
}

/// The schema version of the pipedeck file at `path` when opening it for
/// writing would migrate it (older than [`super::SCHEMA_VERSION`]), read
/// without writing anything; `None` for a current, new, missing,
/// unwritable, unreadable or foreign file (opening it says what it is).
/// Lets the command line say, before a pause, that the one-time upgrade of
/// a large file is under way.
pub fn older_schema(path: &std::path::Path) -> Option<i64> {
    let writable =
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && !m.permissions().readonly());
    if !writable {
        return None;
    }
    // The header's user version (bytes 60..64) is the one last written to
    // the file itself; a newer one may still lie in the write-ahead log,
    // never an older one. A current header is a current file, without
    // opening a connection (every command asks); any other is asked of
    // SQLite, which reads the log too.
    let mut head = [0u8; 64];
    let read =
        std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
    if read.is_ok()
        && head.starts_with(b"SQLite format 3\0")
        && i64::from(u32::from_be_bytes([head[60], head[61], head[62], head[63]]))
            >= super::SCHEMA_VERSION
    {
        return None;
    }
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(path, flags).ok()?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ok()?;
    let ours = has_our_tables(&conn).ok()?;
    (ours && (1..super::SCHEMA_VERSION).contains(&version)).then_some(version)
}

/// Whether the file holds the tables every pipedeck schema has: an
/// unmarked file of an older pipedeck is recognised by them.
pub(super) fn has_our_tables(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) = 3 FROM sqlite_master WHERE type = 'table'
         AND name IN ('meta', 'opportunities', 'opportunity_history')",
        [],
        |r| r.get(0),
    )
}

/// `path` for an SQLite `file:` URI (`?` and `#` escaped).
pub(super) fn uri_path(path: &std::path::Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    abs.display()
        .to_string()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_round_trips_and_replaces() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.meta("made_by").unwrap(), None);
        store.set_meta("made_by", "x").unwrap();
        store.set_meta("made_by", "pipedeck demo").unwrap();
        assert_eq!(
            store.meta("made_by").unwrap().as_deref(),
            Some("pipedeck demo")
        );
    }

    #[test]
    fn a_fresh_database_is_empty_until_a_rep_lands() {
        let mut store = Store::open_in_memory().unwrap();
        assert!(store.is_empty().unwrap());
        let mut tx = store.begin().unwrap();
        tx.upsert_rep(&crate::domain::Rep {
            id: "r1".into(),
            name: "R".into(),
            email: None,
            role: crate::domain::Role::Ae,
            team: None,
            manager_id: None,
            start_date: None,
            end_date: None,
            quota_amount: None,
            quota_meetings: None,
        })
        .unwrap();
        tx.commit().unwrap();
        assert!(!store.is_empty().unwrap());
    }
}
