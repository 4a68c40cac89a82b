//! The SQL of a scope's ranges: instants within them, deals alive in them,
//! and the ranges merged.

use crate::storage::codec::instant_to_sql;
use chrono::{DateTime, Utc};

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
/// deal closed before it was created). Placeholders in the order: to,
/// from, from, to, from, to.
pub(super) fn alive_in(p: &str, from: &str, to: &str) -> String {
    format!(
        "(({p}created_at IS NULL OR {p}created_at < {to}) AND ({p}closed_at IS NULL OR {p}closed_at >= {from}) \
         OR ({p}created_at >= {from} AND {p}created_at < {to}) \
         OR ({p}closed_at >= {from} AND {p}closed_at < {to}))"
    )
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

#[cfg(test)]
mod tests {
    use super::{merged_per_rep, outside};
    use chrono::{DateTime, TimeZone, Utc};

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).unwrap()
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
