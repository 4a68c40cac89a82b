//! Activities read apart merged into a window's, in `(occurred_at, id)` order.

use crate::domain::model::Activity;
use chrono::{DateTime, Utc};

/// Two lists of activities in `(occurred_at, id)` order merged into one.
/// The rows of `b` before all of `a` (the anchors before a window) and
/// after all of it are moved in at either end; only rows in between (a gap
/// between two ranges) take a merge into a second buffer. A window's rows
/// are the bulk of the memory a report uses, so they are never held twice
/// for the few rows around them.
pub(super) fn merge_by_time(a: Vec<Activity>, mut b: Vec<Activity>) -> Vec<Activity> {
    fn key(x: &Activity) -> (DateTime<Utc>, &str) {
        (x.occurred_at, x.id.0.as_str())
    }
    let (Some(first), Some(last)) = (a.first(), a.last()) else {
        return b;
    };
    let before = b.partition_point(|x| key(x) < key(first));
    let after = b.partition_point(|x| key(x) <= key(last)).max(before);
    let tail = b.split_off(after);
    let middle = b.split_off(before);
    let mut out = if middle.is_empty() {
        a
    } else {
        interleave(a, middle)
    };
    out.extend(tail);
    out.splice(0..0, b);
    out
}

/// Two lists in `(occurred_at, id)` order merged into a new one.
fn interleave(a: Vec<Activity>, b: Vec<Activity>) -> Vec<Activity> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => (x.occurred_at, &x.id.0) <= (y.occurred_at, &y.id.0),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;
    use crate::storage::codec::instant_from_sql;

    fn act(id: &str, at: &str) -> Activity {
        Activity {
            id: ActivityId(id.into()),
            rep_id: RepId("r".into()),
            kind: ActivityKind::Call,
            meeting_type: None,
            label: None,
            opportunity_id: None,
            account_id: None,
            contact_id: None,
            occurred_at: instant_from_sql(at).unwrap(),
            outcome: None,
            duration_min: None,
            direction: None,
            review_session_id: None,
        }
    }

    #[test]
    fn rows_before_between_and_after_a_window_merge_in_time_order() {
        // Two ranges read (Jan 10 and Jan 20); around them, rows read apart:
        // before (Jan 1, and Jan 10 with a smaller id), in the gap (Jan 15)
        // and after (Jan 25).
        let window = vec![
            act("b", "2026-01-10T09:00:00Z"),
            act("d", "2026-01-20T09:00:00Z"),
        ];
        let others = vec![
            act("z", "2026-01-01T09:00:00Z"),
            act("a", "2026-01-10T09:00:00Z"),
            act("c", "2026-01-15T09:00:00Z"),
            act("e", "2026-01-25T09:00:00Z"),
        ];
        let merged = merge_by_time(window, others);
        let ids = |v: &[Activity]| v.iter().map(|a| a.id.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&merged), ["z", "a", "b", "c", "d", "e"]);
        // Nothing in a window: the others alone; nothing around it: as read.
        let alone = merge_by_time(Vec::new(), vec![act("x", "2026-01-01T09:00:00Z")]);
        assert_eq!(ids(&alone), ["x"]);
        let as_read = merge_by_time(vec![act("y", "2026-01-01T09:00:00Z")], Vec::new());
        assert_eq!(ids(&as_read), ["y"]);
    }
}
