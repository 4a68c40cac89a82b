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
