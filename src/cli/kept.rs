//! Kept results: a report's output, kept in the user's cache directory
//! under everything it was made from, and given again while none of that
//! moved (docs/storage.md, "Kept results").
//!
//! The name of a kept result is a 128-bit hash of: this build (its version
//! and the executable's size and time), the report's arguments, today, the
//! settings in force, and the database's write stamp, which every write to
//! a table a report reads draws anew, whoever writes. A result is never
//! checked for staleness, because it cannot be stale: a change to any of
//! those is another name. `PIPEDECK_KEPT=off` turns it off (the bench's
//! cold runs); `PIPEDECK_KEPT=only` refuses to make a report that is not
//! kept (the bench's kept runs: a miss is an error, not a slow figure).

use super::Ctx;
use crate::storage::Store;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// At most this many results are kept; the oldest go first.
const KEEP: usize = 64;

/// Where one result is kept, or would be.
pub struct Kept {
    path: PathBuf,
    stamp: i64,
}

impl Kept {
    /// The place of the report `what` (its arguments) for the database as
    /// it stands; `None` when off, or nothing names the database's state (a
    /// file of an older schema read without migrating), or no cache
    /// directory.
    pub fn slot(ctx: &Ctx, store: &Store, what: &impl std::fmt::Debug) -> Option<Kept> {
        if mode().as_deref() == Some("off") || store.is_immutable() {
            return None;
        }
        let stamp = store.write_stamp().ok()??;
        let build = build_id()?;
        let dir = directories::ProjectDirs::from("", "", "pipedeck")?
            .cache_dir()
            .join("kept");
        let material = format!(
            "{build}\n{what:?}\n{}\n{:?}\n{stamp}",
            ctx.today, ctx.settings
        );
        let half = |seed: u8| {
            let mut h = std::hash::DefaultHasher::new();
            seed.hash(&mut h);
            material.hash(&mut h);
            h.finish()
        };
        Some(Kept {
            path: dir.join(format!("{:016x}{:016x}", half(1), half(2))),
            stamp,
        })
    }

    /// The result kept here, if any, whole: a file cut short or changed
    /// (a crash before its data reached the disk) is no result.
    pub fn read(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let (head, body) = text.split_once('\n')?;
        (head == seal(body)).then(|| body.to_string())
    }

    /// Keeps `out` here, when the database's stamp is still the one this
    /// place was named by (a write that landed while the report read may
    /// be in `out`: then it is not kept). Written beside and renamed in, so
    /// a reader never sees half of it. A failure (a full disk, a read-only
    /// home) only means the next run makes it again.
    pub fn keep(&self, store: &Store, out: &str) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        // Read on a connection of its own, to the file at the path now: a
        // write moved it, and so does a file put in its place (the window's
        // activities were read on a second connection, by path).
        if store.write_stamp_on_disk() != Some(self.stamp) {
            return;
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        if write_private(dir, &tmp, &format!("{}\n{out}", seal(out))).is_err()
            || std::fs::rename(&tmp, &self.path).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        prune(dir);
    }
}

/// `PIPEDECK_KEPT`, lower case.
pub fn mode() -> Option<String> {
    std::env::var("PIPEDECK_KEPT")
        .ok()
        .map(|v| v.to_ascii_lowercase())
}

/// The first line of a kept file: its body's length and hash.
fn seal(body: &str) -> String {
    let mut h = std::hash::DefaultHasher::new();
    body.hash(&mut h);
    format!("pipedeck-kept {} {:016x}", body.len(), h.finish())
}

/// Writes `text` to `path` in `dir`, readable by this user only (a report
/// names reps and amounts), and on the disk before it is renamed in.
fn write_private(dir: &std::path::Path, path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        builder.mode(0o700);
        open.mode(0o600);
    }
    builder.create(dir)?;
    #[cfg(unix)]
    {
        // A directory made before (by an older build) is made private too.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let mut file = open.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// This build: its version and the executable's size, modification time
/// and, on Unix, its inode change time, which no copy or package keeps (a
/// rebuilt or reinstalled binary makes its results anew; two builds given
/// the same size and modification time, as packagers do, still differ).
fn build_id() -> Option<String> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let since = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    #[cfg(unix)]
    let changed = {
        use std::os::unix::fs::MetadataExt;
        format!("{}.{:09} {}", meta.ctime(), meta.ctime_nsec(), meta.ino())
    };
    #[cfg(not(unix))]
    let changed = String::new();
    Some(format!(
        "{} {} {} {changed}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        since.as_nanos()
    ))
}

/// Removes the oldest results past [`KEEP`].
fn prune(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut kept: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if kept.len() <= KEEP {
        return;
    }
    kept.sort();
    for (_, path) in &kept[..kept.len() - KEEP] {
        let _ = std::fs::remove_file(path);
    }
}
