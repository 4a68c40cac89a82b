//! What the accuracy of past calls reads (issue 10). Every stored snapshot
//! is in it, but of each only its owners, their commit closing in its
//! quarter and the deals won in that quarter among its rows: those come
//! from the sums kept beside the rows (`snapshot_owner_months`) and one
//! join of the won deals with the rows' index on the deal, not from the
//! rows (305k on the large demo). A snapshot with a row another tool wrote
//! in a form pipedeck does not write is read row by row. The actuals are
//! the won deals. A quarter whose first-day call is rebuilt from history
//! reads, besides, the deals that may have been open on its first day and
//! their history (not those closed before it with nothing after: most of
//! the deals, years back), the first deal created, and the rows of the
//! snapshots its deals without history take. `--as-of` is one more such
//! instant, the end of its day: the deals that may have been open then,
//! rewound to it with their history (a deal won then and changed since is
//! among them), and no snapshot taken after it. A file of an older schema
//! read without migrating (no sums) reads every snapshot's rows beside the
//! deals the rest would read (every deal and its history under `--as-of`).

use super::load::{AccuracyDeals, Need, Snaps, load_one, rule};
use crate::domain::accuracy::{CallFacts, Won, calls_of, quarters_to_rebuild, won_in};
use crate::domain::asof::overlay_source;
use crate::domain::period::{Calendar, Period};
use crate::domain::{Dataset, OppId, Settings, Snapshot, SnapshotHead};
use crate::storage::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeSet, HashMap};

/// Accuracy's input: the deals it reads, the snapshots read whole (none on
/// the quick path) and the facts of every stored snapshot, oldest first.
pub struct AccuracyInput {
    pub data: Dataset,
    pub snapshots: Vec<Snapshot>,
    pub calls: Vec<CallFacts>,
}

/// Loads accuracy's input on `today`, as it stood at the end of `as_of`
/// when given.
pub fn load(
    store: &Store,
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
    as_of: Option<NaiveDate>,
) -> Result<AccuracyInput> {
    let read = |deals, snaps| {
        load_one(
            store,
            settings,
            cal,
            today,
            Need::Accuracy(deals),
            as_of,
            snaps,
        )
    };
    // The report's day, and the snapshots taken by then (those `load`
    // reads: none stamped after today, nor after `--as-of`).
    let day = as_of.unwrap_or(today);
    let last = as_of.map_or(today, |d| d.min(today));
    let mut heads = store.snapshot_heads()?;
    heads.retain(|h| h.taken_on <= last);
    let days: Vec<NaiveDate> = heads.iter().map(|h| h.taken_on).collect();
    let rebuilt = match store.first_deal_created()? {
        Some(first) => quarters_to_rebuild(cal, cal.local_date(first), &days, day),
        None => Vec::new(),
    };
    if !store.has_table("snapshot_owner_months")? {
        // A file of an older schema read without migrating keeps no sums:
        // every snapshot's rows, and the deals' history when a call is
        // rebuilt from it or the deals are rewound to `--as-of`.
        let deals = match rebuilt.is_empty() && as_of.is_none() {
            true => AccuracyDeals::Won,
            false => AccuracyDeals::WithHistory,
        };
        let (data, snapshots) = read(deals, Snaps::All)?;
        return Ok(from_rows(data, snapshots, cal));
    }
    // The instants the deals are rewound to: each rebuilt quarter's first
    // day, and the end of `--as-of` (the deals won then are the won ones
    // and those changed since, which may have been won then).
    let rewound_to = as_of.map(|d| cal.end_of(d));
    let mut ends: Vec<_> = rebuilt.iter().map(|d| cal.end_of(*d)).collect();
    ends.extend(rewound_to);
    let (data, snapshots) = if ends.is_empty() {
        // The won deals: every call comes from the sums.
        read(AccuracyDeals::Won, Snaps::None)?
    } else {
        // The won deals, and every deal that may have been open at one of
        // the ends with its history, to rewind them to it
        // (`AccuracyDeals::Rebuilt`); of the stored snapshots, the rows
        // only of those the deals without history take then
        // (`overlay_source`; `load` adds the one of `--as-of`'s end); the
        // stored snapshots' facts from their sums.
        let overlays = rule(|heads| {
            let mut taken: Vec<&SnapshotHead> = ends
                .iter()
                .filter_map(|e| overlay_source(heads, *e))
                .collect();
            taken.dedup_by_key(|h| h.id);
            taken
        });
        read(
            AccuracyDeals::Rebuilt(ends.clone()),
            Snaps::Picked(&overlays),
        )?
    };
    let calls = stored_calls(store, cal, &heads, &data, (day, rewound_to))?;
    Ok(AccuracyInput {
        data,
        snapshots,
        calls,
    })
}

/// The input of accuracy read from every snapshot's rows.
fn from_rows(data: Dataset, snapshots: Vec<Snapshot>, cal: &Calendar) -> AccuracyInput {
    let calls = calls_of(&data, &snapshots, cal);
    AccuracyInput {
        data,
        snapshots,
        calls,
    }
}

/// The facts of the stored snapshots of the quarters closed by `today`
/// (the others' calls are not in the report), read beside their rows;
/// `data` holds at least the deals won in those quarters, rewound to
/// `rewound_to` when given (a deal won then and changed since is not
/// among the won ones now, but among those changed since).
fn stored_calls(
    store: &Store,
    cal: &Calendar,
    heads: &[SnapshotHead],
    data: &Dataset,
    (today, rewound_to): (NaiveDate, Option<DateTime<Utc>>),
) -> Result<Vec<CallFacts>> {
    let closed: Vec<(&SnapshotHead, Period)> = heads
        .iter()
        .map(|h| (h, cal.quarter_containing(h.taken_on)))
        .filter(|(_, q)| q.to <= today)
        .collect();
    let mut won: HashMap<&str, Won<'_>> = HashMap::new();
    let mut quarters: Vec<Period> = closed.iter().map(|(_, q)| *q).collect();
    quarters.dedup();
    for q in quarters {
        won.extend(won_in(data, cal, q).into_iter().map(|w| (w.id.as_str(), w)));
    }
    // The snapshots of closed quarters, each with its quarter (a won deal
    // stays in every snapshot taken while it was open: 77k pairs on large).
    let taken: HashMap<i64, &(&SnapshotHead, Period)> =
        closed.iter().map(|c| (c.0.id, c)).collect();
    let mut holding: HashMap<i64, BTreeSet<OppId>> = HashMap::new();
    let pairs = store.won_deals_in_snapshots(rewound_to, |deal, snapshot| {
        // Won by the snapshot, in its quarter.
        let (Some(w), Some((h, q))) = (won.get(deal), taken.get(&snapshot)) else {
            return false;
        };
        w.by(h.taken_at, h.taken_on) && q.contains(w.day)
    })?;
    for (deal, snapshot) in pairs {
        holding.entry(snapshot).or_default().insert(deal);
    }
    closed
        .into_iter()
        .map(|(h, q)| {
            let Some(commit) = store.snapshot_owner_commit(h.id, q.from, q.last_day())? else {
                // A row another tool wrote in a form of its own: the rows.
                let rows = store.load_snapshots_of(std::slice::from_ref(h))?;
                return Ok(calls_of(data, &rows, cal).remove(0));
            };
            Ok(CallFacts {
                taken_on: h.taken_on,
                taken_at: h.taken_at,
                commit: commit.into_iter().collect(),
                won_among_rows: holding.remove(&h.id).unwrap_or_default(),
            })
        })
        .collect()
}
