//! The SQL of a scope's ranges: instants within them, deals alive in them,
//! and the ranges merged.

use crate::storage::Result;
use crate::storage::codec::instant_to_sql;
use chrono::{DateTime, Utc};

/// Whether a range from a stored instant on is read through the indexes
/// ([`DealCounts::through_indexes`]).
pub(super) type ThroughIndexes<'a> = &'a dyn Fn(&str) -> Result<bool>;

/// `(column >= ?a AND column < ?b) OR …` over `ranges`, with its parameters.
pub(super) fn within(
    column: &str,
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
) -> (String, Vec<String>) {
    if ranges.is_empty() {
        return ("0".to_string(), Vec::new());
    }
    let mut sql = Vec::new();
    let mut params = Vec::new();
    for (a, b) in ranges {
        sql.push(format!("({column} >= ? AND {column} < ?)"));
        params.push(instant_to_sql(*a));
        params.push(instant_to_sql(*b));
    }
    (format!("({})", sql.join(" OR ")), params)
}

/// Deals (columns prefixed `p`) alive in `[from, to)`: created before its
/// end (or at an unknown time) and not closed before its start; or created
/// in it, or closed in it, whatever the other instant (imports accept a
/// deal closed before it was created). Each of its three terms starts with
/// a test an index serves (open, `closed_at IS NULL`; closed from the start
/// on; created in it), so SQLite finds the deals through the indexes
/// instead of reading every deal. Placeholders in the order: to, from, to,
/// to, from, to. The same deals as [`alive_in_one_pass`]: its first term
/// split on `closed_at` (null, or from the start on), "closed in it"
/// folded into the second.
pub(super) fn alive_in(p: &str, from: &str, to: &str) -> String {
    format!(
        "(({p}closed_at IS NULL AND ({p}created_at IS NULL OR {p}created_at < {to})) \
         OR ({p}closed_at >= {from} \
             AND ({p}created_at IS NULL OR {p}created_at < {to} OR {p}closed_at < {to})) \
         OR ({p}created_at >= {from} AND {p}created_at < {to}))"
    )
}

/// The deals [`alive_in`] finds, written as the rule reads, which no index
/// serves: SQLite reads every deal once. Placeholders in the order: to,
/// from, from, to, from, to.
fn alive_in_one_pass(from: &str, to: &str) -> String {
    format!(
        "((created_at IS NULL OR created_at < {to}) AND (closed_at IS NULL OR closed_at >= {from}) \
         OR (created_at >= {from} AND created_at < {to}) \
         OR (closed_at >= {from} AND closed_at < {to}))"
    )
}

/// The SQL over `opportunities` of the deals alive in `[from, to)` (stored
/// instants), with its parameters: looked up through the indexes
/// (`through_indexes`, see [`DealCounts::through_indexes`]) or read in one
/// pass over every deal.
pub(super) fn alive_sql(from: String, to: String, through_indexes: bool) -> (String, Vec<String>) {
    if through_indexes {
        let sql = alive_in("", "?", "?");
        (
            sql,
            vec![to.clone(), from.clone(), to.clone(), to.clone(), from, to],
        )
    } else {
        let sql = alive_in_one_pass("?", "?");
        (
            sql,
            vec![to.clone(), from.clone(), from.clone(), to.clone(), from, to],
        )
    }
}

/// How many deals the file holds, and how many of them are open (no
/// closing instant): what decides how a range's deals are read.
pub(super) struct DealCounts {
    all: i64,
    open: i64,
}

impl DealCounts {
    /// Read with one seek and one count in the index on the closing
    /// instant: deals are never deleted, so the last rowid counts them (an
    /// estimate is all the choice needs).
    pub(super) fn read(conn: &rusqlite::Connection) -> Result<DealCounts> {
        let count = |sql: &str| -> Result<i64> {
            Ok(conn
                .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))?
                .unwrap_or(0))
        };
        Ok(DealCounts {
            all: count("SELECT max(rowid) FROM opportunities")?,
            open: count("SELECT count(*) FROM opportunities WHERE closed_at IS NULL")?,
        })
    }

    /// Whether the deals alive in a range from `from` (a stored instant) on
    /// are looked up through the indexes rather than read in one pass over
    /// every deal: when about a tenth of the deals or fewer are alive in it
    /// (the open ones and those closed from its start on, counted in the
    /// index on the closing instant). A lookup costs about ten times a
    /// deal's share of the pass: on the independent org's 200k deals, the
    /// pass took 70 ms, the lookups 23 ms for a snapshot's 18k and 270 ms
    /// for the 76k of the anomaly rules' window.
    pub(super) fn through_indexes(&self, conn: &rusqlite::Connection, from: &str) -> Result<bool> {
        let closed_since: i64 = conn
            .prepare_cached("SELECT count(*) FROM opportunities WHERE closed_at >= ?1")?
            .query_row([from], |r| r.get(0))?;
        Ok((self.open + closed_since) * 10 <= self.all)
    }
}

/// `ranges` sorted, with overlapping or touching ones merged and empty
/// ones dropped.
pub(super) fn merged(
    mut ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    ranges.retain(|(a, b)| a < b);
    ranges.sort();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Ranges of single reps' work, per rep merged as [`merged`] does: sorted
/// by rep, each rep's overlapping or touching ranges one. The new-hire
/// rule asks for every peer's first weeks once per new hire, nested
/// windows of one start (up to a dozen per peer), and each range's
/// activities are read apart: merged, each is read once.
pub(super) fn merged_per_rep(
    mut ranges: Vec<(String, DateTime<Utc>, DateTime<Utc>)>,
) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
    ranges.retain(|(_, a, b)| a < b);
    ranges.sort();
    let mut out: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(ranges.len());
    for (rep, a, b) in ranges {
        match out.last_mut() {
            Some(last) if last.0 == rep && a <= last.2 => last.2 = last.2.max(b),
            _ => out.push((rep, a, b)),
        }
    }
    out
}

/// What of `[a, b)` lies outside `ranges` (sorted, apart: [`merged`]),
/// as the ranges left, in order.
pub(super) fn outside(
    a: DateTime<Utc>,
    b: DateTime<Utc>,
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut from = a;
    for &(x, y) in ranges {
        if y <= from || x >= b {
            continue;
        }
        if x > from {
            out.push((from, x));
        }
        from = from.max(y);
        if from >= b {
            return out;
        }
    }
    out.push((from, b));
    out
}

/// The deals accuracy's rebuilt quarters read (`Scope::open_at`): won, or
/// perhaps open at one of `open_at`, or the first created; the SQL over
/// `opportunities` and its parameters.
pub(super) fn won_or_open_at(open_at: &[DateTime<Utc>]) -> (String, Vec<String>) {
    let mut params = Vec::new();
    let mut or = vec!["status = 'won'".to_string()];
    for e in open_at {
        // Not one `Rewind::open_at` passes over as closed then
        // (closed before `e`, nothing at or after it to undo),
        // nor one created at or after `e`. Instants compare as
        // text in the stored form. One another tool wrote with
        // a field unpadded (`2019-1-01T…`, which
        // `instant_from_sql` reads) never sorts before `e` as
        // text when it is at or after it, so the `>=` tests
        // only ever read more; `created_at < ?` could miss such
        // a deal, and the last clause reads every one of them.
        or.push(
            "((created_at IS NULL OR created_at < ?) AND (status = 'open' \
             OR closed_at IS NULL OR closed_at >= ? \
             OR EXISTS (SELECT 1 FROM opportunity_history h \
                        WHERE h.opportunity_id = opportunities.id AND h.changed_at >= ?)))"
                .to_string(),
        );
        let e = instant_to_sql(*e);
        params.extend([e.clone(), e.clone(), e]);
    }
    // The first deal created, as `Store::first_deal_created`
    // finds it: the first in the stored form, and every deal
    // whose creation instant another tool wrote in another.
    or.push(
        "length(created_at) <> 20 OR created_at = (SELECT MIN(created_at) \
         FROM opportunities WHERE length(created_at) = 20)"
            .to_string(),
    );
    (or.join(" OR "), params)
}

impl super::Scope {
    /// Deals alive in some range, of both kinds ([`alive_sql`]: each
    /// range looked up through the indexes or not, as `through_indexes`
    /// says of its start), the deals open now when asked, and the deals
    /// named.
    fn alive(&self, through_indexes: ThroughIndexes<'_>) -> Result<(String, Vec<String>)> {
        let mut sql = Vec::new();
        if self.open_now {
            sql.push("status = 'open'".to_string());
        }
        let mut params = Vec::new();
        for d in &self.deals {
            sql.push("id = ?".to_string());
            params.push(d.clone());
        }
        if self.ranges.is_empty() && self.deal_ranges.is_empty() && sql.is_empty() {
            return Ok(("0".to_string(), Vec::new()));
        }
        for (a, b) in self.ranges.iter().chain(&self.deal_ranges) {
            let from = instant_to_sql(*a);
            let through = through_indexes(&from)?;
            let (range, range_params) = alive_sql(from, instant_to_sql(*b), through);
            sql.push(range);
            params.extend(range_params);
        }
        let won = match (self.won_only, self.open_at.is_empty()) {
            (false, _) => String::new(),
            (true, true) => " AND status = 'won'".to_string(),
            (true, false) => {
                let (or, or_params) = won_or_open_at(&self.open_at);
                params.extend(or_params);
                format!(" AND ({or})")
            }
        };
        Ok((format!("({}){won}", sql.join(" OR ")), params))
    }

    /// The statement that puts the ids of [`Scope::alive`]'s deals in
    /// `temp.scope_opps`, with its parameters.
    pub(super) fn alive_insert(
        &self,
        through_indexes: ThroughIndexes<'_>,
    ) -> Result<(String, Vec<String>)> {
        let (alive, params) = self.alive(through_indexes)?;
        Ok((
            format!(
                "INSERT OR IGNORE INTO temp.scope_opps SELECT id FROM opportunities WHERE {alive}"
            ),
            params,
        ))
    }

    /// A deal with a history entry in a range of either kind: loaded
    /// (`progressions` counts a stage move whenever the deal closed, and a
    /// CRM's close date may come before the move that closed it).
    pub(super) fn changed(&self) -> (String, Vec<String>) {
        let mut ranges = self.ranges.clone();
        ranges.extend(&self.deal_ranges);
        within("changed_at", &merged(ranges))
    }
}

#[cfg(test)]
mod tests {
    use super::{merged_per_rep, outside};
    use crate::storage::scope::Scope;
    use crate::storage::scope::window::query_plan;
    use chrono::{DateTime, TimeZone, Utc};

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).unwrap()
    }

    /// The deals alive in 10-20 March, worked by hand from the rule: open
    /// and created before its end (or at an unknown time), closed from its
    /// start on and created before its end, created in it, or closed in it.
    #[test]
    fn the_deals_alive_in_a_range() {
        let mut store = crate::storage::Store::open_in_memory().unwrap();
        let tx = store.begin().unwrap();
        let deals = [
            ("open_old", Some("2026-01-01T00:00:00Z"), None),
            ("open_unknown", None, None),
            ("open_later", Some("2026-03-25T00:00:00Z"), None),
            ("open_at_end", Some("2026-03-20T00:00:00Z"), None),
            (
                "closed_before",
                Some("2026-01-01T00:00:00Z"),
                Some("2026-03-09T23:59:59Z"),
            ),
            (
                "closed_at_start",
                Some("2026-01-01T00:00:00Z"),
                Some("2026-03-10T00:00:00Z"),
            ),
            (
                "closed_after",
                Some("2026-02-01T00:00:00Z"),
                Some("2026-04-01T00:00:00Z"),
            ),
            (
                "created_in_closed_before",
                Some("2026-03-12T00:00:00Z"),
                Some("2026-03-01T00:00:00Z"),
            ),
            (
                "closed_in_created_after",
                Some("2026-04-05T00:00:00Z"),
                Some("2026-03-15T00:00:00Z"),
            ),
            (
                "both_after",
                Some("2026-03-25T00:00:00Z"),
                Some("2026-03-28T00:00:00Z"),
            ),
            ("unknown_closed_before", None, Some("2026-03-01T00:00:00Z")),
            ("unknown_closed_after", None, Some("2026-03-21T00:00:00Z")),
        ];
        for (id, created, closed) in deals {
            let status = if closed.is_some() { "lost" } else { "open" };
            tx.raw()
                .execute(
                    "INSERT INTO opportunities (id, name, owner_id, stage, status, created_at, closed_at)
                     VALUES (?1, ?1, 'r1', 'Discovery', ?2, ?3, ?4)",
                    rusqlite::params![id, status, created, closed],
                )
                .unwrap();
        }
        tx.raw()
            .execute_batch("CREATE TEMP TABLE scope_opps (id TEXT PRIMARY KEY) WITHOUT ROWID;")
            .unwrap();
        // Through the indexes (deals created before the range), and in one
        // pass over every deal (the range reaches back before them all).
        let alive = |through_indexes: bool| -> Vec<String> {
            let scope = Scope::new(vec![(day(10), day(20))]);
            let (sql, params) = scope.alive_insert(&|_| Ok(through_indexes)).unwrap();
            let conn = tx.raw();
            conn.execute_batch("DELETE FROM temp.scope_opps").unwrap();
            conn.execute(&sql, rusqlite::params_from_iter(params.iter()))
                .unwrap();
            let mut stmt = conn
                .prepare("SELECT id FROM temp.scope_opps ORDER BY id")
                .unwrap();
            stmt.query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let want = [
            "closed_after",
            "closed_at_start",
            "closed_in_created_after",
            "created_in_closed_before",
            "open_old",
            "open_unknown",
            "unknown_closed_after",
        ];
        assert_eq!(alive(true), want);
        assert_eq!(alive(false), want);
    }

    /// A range read through the indexes has SQLite look up the deals it
    /// keeps term by term, never read every deal; one read in one pass
    /// reads them all.
    #[test]
    fn the_deals_alive_are_found_through_the_indexes_or_in_one_pass() {
        let store = crate::storage::Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch("CREATE TEMP TABLE scope_opps (id TEXT PRIMARY KEY) WITHOUT ROWID;")
            .unwrap();
        let scopes = [
            Scope::new(vec![(day(10), day(20))]),
            Scope::new(vec![(day(1), day(5)), (day(10), day(20))]),
            Scope::new(vec![(day(10), day(11))]).with_open_now(true),
            Scope::new(vec![(day(10), day(20))]).with_deals(vec!["o1".into()]),
        ];
        for scope in &scopes {
            let plan = query_plan(store.conn(), &scope.alive_insert(&|_| Ok(true)).unwrap().0);
            assert!(plan.contains("MULTI-INDEX OR"), "{plan}");
            assert!(!plan.contains("SCAN opportunities"), "{plan}");
            let plan = query_plan(store.conn(), &scope.alive_insert(&|_| Ok(false)).unwrap().0);
            assert!(plan.contains("SCAN opportunities"), "{plan}");
        }
    }

    /// 40 deals: 2 open, 38 closed one a day from 1 January to 7 February.
    /// From 6 February on, 2 open and 2 closed are alive: 4, a tenth of 40,
    /// looked up; from 5 February on, 5: read in one pass, as is a range
    /// from before every close.
    #[test]
    fn a_range_keeping_a_tenth_of_the_deals_or_fewer_is_read_through_the_indexes() {
        let mut store = crate::storage::Store::open_in_memory().unwrap();
        let tx = store.begin().unwrap();
        for k in 0..40 {
            let closed = (k >= 2).then(|| {
                let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                    + chrono::Days::new(k as u64 - 2);
                format!("{d}T12:00:00Z")
            });
            tx.raw()
                .execute(
                    "INSERT INTO opportunities (id, name, owner_id, stage, status, closed_at)
                     VALUES (?1, ?1, 'r1', 'Discovery', ?2, ?3)",
                    rusqlite::params![
                        format!("o{k:02}"),
                        if closed.is_some() { "lost" } else { "open" },
                        closed
                    ],
                )
                .unwrap();
        }
        let counts = super::DealCounts::read(tx.raw()).unwrap();
        let through = |from: &str| counts.through_indexes(tx.raw(), from).unwrap();
        assert!(through("2026-02-06T00:00:00Z"));
        assert!(!through("2026-02-05T00:00:00Z"));
        assert!(!through("2025-12-01T00:00:00Z"));
        assert!(through("2026-03-01T00:00:00Z"));
    }

    #[test]
    fn each_reps_nested_overlapping_and_touching_ranges_become_one() {
        let r = |rep: &str, a: u32, b: u32| (rep.to_string(), day(a), day(b));
        let got = merged_per_rep(vec![
            // Ann: her first 1, 2 and 3 weeks (nested), then apart from the 28th.
            r("ann", 1, 22),
            r("ann", 1, 8),
            r("ann", 1, 15),
            r("ann", 28, 30),
            // Bo: two touching ranges, and an empty one dropped.
            r("bo", 8, 15),
            r("bo", 1, 8),
            r("bo", 20, 20),
            // Cy's range is not merged with Bo's though they overlap.
            r("cy", 10, 12),
        ]);
        assert_eq!(
            got,
            vec![
                r("ann", 1, 22),
                r("ann", 28, 30),
                r("bo", 1, 15),
                r("cy", 10, 12)
            ]
        );
    }

    #[test]
    fn what_of_a_range_lies_outside_others() {
        // Window ranges: the 5th to the 10th, the 15th to the 20th.
        let window = [(day(5), day(10)), (day(15), day(20))];
        let cut = |a, b| outside(day(a), day(b), &window);
        assert_eq!(
            cut(1, 25),
            vec![(day(1), day(5)), (day(10), day(15)), (day(20), day(25))]
        );
        assert_eq!(cut(6, 9), vec![]);
        assert_eq!(cut(5, 15), vec![(day(10), day(15))]);
        assert_eq!(cut(8, 17), vec![(day(10), day(15))]);
        assert_eq!(cut(21, 23), vec![(day(21), day(23))]);
        assert_eq!(outside(day(1), day(3), &[]), vec![(day(1), day(3))]);
    }
}
