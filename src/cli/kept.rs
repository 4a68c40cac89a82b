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
//! cold runs).

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
        if std::env::var("PIPEDECK_KEPT").is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
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

    /// The result kept here, if any.
    pub fn read(&self) -> Option<String> {
        std::fs::read_to_string(&self.path).ok()
    }

    /// Keeps `out` here, when the database's stamp is still the one this
    /// place was named by (a write that landed while the report read may
    /// be in `out`: then it is not kept). Written beside and renamed in, so
    /// a reader never sees half of it. A failure (a full disk, a read-only
    /// home) only means the next run makes it again.
    pub fn keep(&self, store: &Store, out: &str) {
        let (Some(dir), Ok(Some(now))) = (self.path.parent(), store.write_stamp()) else {
            return;
        };
        if now != self.stamp {
            return;
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&tmp, out))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        prune(dir);
    }
}

/// This build: its version and the executable's size and modification
/// time (a rebuilt binary makes its results anew).
fn build_id() -> Option<String> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let since = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
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
