//! A write left half done: the hot journal a killed write in rollback-journal
//! mode leaves, which only a writable open rolls back (`Store::open_read_only`).

use std::path::Path;

/// Whether the file has a rollback journal beside it with something in it
/// (beside the file a link points to: SQLite follows links).
pub(super) fn hot(path: &Path) -> bool {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut journal = real.into_os_string();
    journal.push("-journal");
    std::fs::metadata(journal).is_ok_and(|m| m.len() > 0)
}

/// Whether the file's header carries our mark and a schema this build
/// knows (read from the bytes: SQLite would not read it with its hot journal).
pub(super) fn marked_ours(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 72];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head));
    let word = |at: usize| i32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    read.is_ok()
        && head.starts_with(b"SQLite format 3\0")
        && word(68) == super::APPLICATION_ID
        && i64::from(word(60)) <= super::SCHEMA_VERSION
}
