//! The window's activities, read in pieces by two connections at once.
//!
//! The window is the bulk of a load's rows. A second connection reads it
//! from its first piece on while the load's own connection reads the deals
//! and their history; that one then takes pieces from the window's end
//! until the two meet. Each piece is a range of stored instants, so the
//! pieces, in order, hold every row of the window once and in the order one
//! query would give (`occurred_at`, then `id`): an instant's text lies in
//! exactly one piece, and every piece's lie before the next one's.

use super::ACTIVITY_COLUMNS;
use crate::domain::model::Activity;
use crate::storage::Result;
use crate::storage::codec::instant_to_sql;
use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// About this many pieces per window, shared among its ranges by length:
/// enough that the connection that finishes first waits for at most a
/// small piece of the other's.
const PIECES: i32 = 32;

/// The window's ranges, cut into pieces, and which are still to be read.
pub(super) struct Pieces {
    sql: String,
    /// Each piece's bounds as stored text, `[from, to)`.
    bounds: Vec<[String; 2]>,
    /// The pieces not yet taken, `[front, back)`.
    left: Mutex<(usize, usize)>,
}

impl Pieces {
    /// The pieces of `ranges` (sorted, disjoint).
    pub(super) fn new(ranges: &[(DateTime<Utc>, DateTime<Utc>)]) -> Pieces {
        let bounds = cut(ranges, PIECES);
        Pieces {
            sql: format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities
                 WHERE occurred_at >= ?1 AND occurred_at < ?2
                 ORDER BY occurred_at, id"
            ),
            left: Mutex::new((0, bounds.len())),
            bounds,
        }
    }

    /// Takes the first piece left (`front`) or the last one.
    fn take(&self, front: bool) -> Option<usize> {
        let mut left = self.left.lock().unwrap_or_else(|e| e.into_inner());
        let (lo, hi) = &mut *left;
        if lo >= hi {
            return None;
        }
        Some(if front {
            *lo += 1;
            *lo - 1
        } else {
            *hi -= 1;
            *hi
        })
    }

    /// Reads the pieces from the front until none is left, in order, on
    /// the second connection (`conn`), dropping its map of the file after
    /// each one.
    pub(super) fn read_front(&self, conn: &rusqlite::Connection) -> Result<Vec<Activity>> {
        let mut out = Vec::new();
        while let Some(i) = self.take(true) {
            out.extend(self.read(conn, i)?);
            // The pieces' pages, mapped by this connection alone, would
            // count in the process's memory until it closes (the window's
            // 555k rows of the independent org: ~60 MB at the peak). Only
            // memory: a failure to let go is no failure of the read.
            let _ = crate::storage::unmap(conn);
        }
        Ok(out)
    }

    /// Reads the pieces from the back until none is left, and puts them
    /// after `front` (the front's share, read meanwhile), in order.
    pub(super) fn read_back(
        &self,
        conn: &rusqlite::Connection,
        front: impl FnOnce() -> Result<Vec<Activity>>,
    ) -> Result<Vec<Activity>> {
        let mut back = Vec::new();
        let mut read = Ok(());
        while let Some(i) = self.take(false) {
            match self.read(conn, i) {
                Ok(piece) => back.push(piece),
                Err(e) => {
                    read = Err(e);
                    break;
                }
            }
        }
        // The front's reader is waited for whatever this one met.
        let mut out = front()?;
        read?;
        out.reserve_exact(back.iter().map(Vec::len).sum());
        for piece in back.into_iter().rev() {
            out.extend(piece);
        }
        Ok(out)
    }

    fn read(&self, conn: &rusqlite::Connection, i: usize) -> Result<Vec<Activity>> {
        super::collect_on(
            conn,
            &self.sql,
            &self.bounds[i],
            crate::storage::read::activity_from_row,
        )
    }
}

/// `ranges` cut into about `n` pieces in all, each range into pieces of
/// equal length, as stored text. A cut whose text does not lie strictly
/// between its neighbours' is left out, so the pieces of a range cover it
/// exactly, none empty by its bounds.
fn cut(ranges: &[(DateTime<Utc>, DateTime<Utc>)], n: i32) -> Vec<[String; 2]> {
    let total: i64 = ranges.iter().map(|(a, b)| (*b - *a).num_seconds()).sum();
    let mut out = Vec::new();
    for (a, b) in ranges {
        let length = *b - *a;
        let share = match total {
            0 => 1,
            t => (n as f64 * length.num_seconds() as f64 / t as f64).round() as i32,
        };
        let k = share.max(1);
        let mut at = instant_to_sql(*a);
        let end = instant_to_sql(*b);
        for j in 1..k {
            let next = instant_to_sql(*a + length * j / k);
            if at < next && next < end {
                out.push([std::mem::replace(&mut at, next.clone()), next]);
            }
        }
        out.push([at, end]);
    }
    out
}

/// SQLite's plan of `sql` on `conn`, one step a line (for the tests that
/// hold a read to the index it walks).
#[cfg(test)]
pub(super) fn query_plan(conn: &rusqlite::Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    // Its parameters left unbound: a plan does not depend on their values.
    let mut rows = stmt.raw_query();
    let mut steps = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        steps.push(r.get::<_, String>(3).unwrap());
    }
    steps.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::codec::instant_from_sql;

    fn t(s: &str) -> DateTime<Utc> {
        instant_from_sql(s).unwrap()
    }

    /// The window's rows as one query gives them, whichever connection
    /// read which piece: here the front's reader took the first piece and
    /// this one every other, from the end.
    #[test]
    fn the_pieces_read_from_both_ends_give_the_window_in_order() {
        let mut store = crate::storage::Store::open_in_memory().unwrap();
        let tx = store.begin().unwrap();
        let rows = [
            ("before", "2026-01-01T09:00:00Z"),
            ("first", "2026-01-10T01:00:00Z"),
            ("j", "2026-01-10T09:00:00Z"),
            ("b", "2026-01-10T09:00:00Z"),
            ("c", "2026-01-12T23:59:59Z"),
            ("d", "2026-01-13T00:00:00Z"),
            ("gap", "2026-01-17T12:00:00Z"),
            ("e", "2026-01-20T00:00:00Z"),
            ("a", "2026-01-21T08:00:00Z"),
            ("after", "2026-01-22T00:00:00Z"),
        ];
        for (id, at) in rows {
            tx.raw()
                .execute(
                    "INSERT INTO activities (id, rep_id, kind, occurred_at)
                     VALUES (?1, 'r1', 'call', ?2)",
                    [id, at],
                )
                .unwrap();
        }
        let ranges = [
            (t("2026-01-10T00:00:00Z"), t("2026-01-15T00:00:00Z")),
            (t("2026-01-20T00:00:00Z"), t("2026-01-22T00:00:00Z")),
        ];
        let pieces = Pieces::new(&ranges);
        assert!(pieces.bounds.len() > 3, "{:?}", pieces.bounds);
        let first = pieces.take(true).expect("a piece");
        let front = pieces.read(tx.raw(), first).unwrap();
        assert_eq!(front.len(), 1, "the first piece holds one row");
        let got = pieces.read_back(tx.raw(), || Ok(front)).unwrap();
        let ids = |v: &[Activity]| v.iter().map(|a| a.id.to_string()).collect::<Vec<_>>();
        let want = ["first", "b", "j", "c", "d", "e", "a"];
        assert_eq!(ids(&got), want);
        // Nothing is left to read, from either end.
        assert_eq!((pieces.take(true), pieces.take(false)), (None, None));
        // Read from the front alone, the same.
        let alone = Pieces::new(&ranges).read_front(tx.raw()).unwrap();
        assert_eq!(ids(&alone), want);
    }

    /// The window comes in `(occurred_at, id)` order straight from the
    /// index on the instant and the id: no row passes through a sorter.
    #[test]
    fn the_window_is_read_in_the_order_of_its_index() {
        let store = crate::storage::Store::open_in_memory().unwrap();
        let pieces = Pieces::new(&[(t("2026-01-10T00:00:00Z"), t("2026-01-15T00:00:00Z"))]);
        let plan = query_plan(store.conn(), &pieces.sql);
        assert!(plan.contains("USING INDEX activities_occurred"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn the_pieces_cover_each_range_exactly_and_in_order() {
        let ranges = [
            (t("2026-01-01T00:00:00Z"), t("2026-01-04T00:00:00Z")),
            (t("2026-02-01T00:00:00Z"), t("2026-02-02T00:00:00Z")),
        ];
        let got = cut(&ranges, 4);
        // 3 of the 4 days go to the first range: a piece each.
        let want = [
            ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"],
            ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"],
            ["2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"],
            ["2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z"],
        ];
        assert_eq!(got, want.map(|p| p.map(String::from)));
        // A range too short to cut into whole seconds keeps its bounds.
        let short = [(t("2026-01-01T00:00:00Z"), t("2026-01-01T00:00:01Z"))];
        assert_eq!(
            cut(&short, 32),
            [["2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"].map(String::from)]
        );
    }
}
