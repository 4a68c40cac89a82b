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
//! snapshots its deals without history take. `--as-of` reads every deal, its history
//! and every snapshot's rows, as before; a file of an older schema read
//! without migrating (no sums) reads every snapshot's rows beside the
//! deals the rest would read.

use super::load::{AccuracyDeals, Need, Snaps, load_one, rule};
use crate::domain::accuracy::{CallFacts, Won, calls_of, quarters_to_rebuild, won_in};
use crate::domain::asof::overlay_source;
use crate::domain::period::{Calendar, Period};
use crate::domain::{Dataset, OppId, Settings, Snapshot, SnapshotHead};
use crate::storage::{Result, Store};
use chrono::NaiveDate;
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
    let read = |deals, as_of, snaps| {
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
    if let Some(day) = as_of {
        // Every deal and its history as it stood then, and every snapshot.
        let (data, snapshots) = read(AccuracyDeals::WithHistory, Some(day), Snaps::All)?;
        return Ok(from_rows(data, snapshots, cal));
    }
    let heads = store.snapshot_heads()?;
    let days: Vec<NaiveDate> = heads.iter().map(|h| h.taken_on).collect();
    let rebuilt = match store.first_deal_created()? {
        Some(first) => quarters_to_rebuild(cal, cal.local_date(first), &days, today),
        None => Vec::new(),
    };
    if !store.has_table("snapshot_owner_months")? {
        // A file of an older schema read without migrating keeps no sums:
        // every snapshot's rows, and the deals' history when a call is
        // rebuilt from it.
        let deals = match rebuilt.is_empty() {
            true => AccuracyDeals::Won,
            false => AccuracyDeals::WithHistory,
        };
        let (data, snapshots) = read(deals, None, Snaps::All)?;
        return Ok(from_rows(data, snapshots, cal));
    }
    if !rebuilt.is_empty() {
        // The won deals, and every deal that may have been open at a
        // rebuilt quarter start with its history, to rewind them to it
        // (`AccuracyDeals::Rebuilt`); of the stored snapshots, the rows only of those
        // the deals without history take then (`overlay_source`); the
        // stored snapshots' facts from their sums.
        let ends: Vec<_> = rebuilt.iter().map(|d| cal.end_of(*d)).collect();
        let overlays = rule(|heads| {
            let mut taken: Vec<&SnapshotHead> = ends
                .iter()
                .filter_map(|e| overlay_source(heads, *e))
                .collect();
            taken.dedup_by_key(|h| h.id);
            taken
        });
        let deals = AccuracyDeals::Rebuilt(ends.clone());
        let (data, snapshots) = read(deals, None, Snaps::Picked(&overlays))?;
        let calls = stored_calls(store, cal, &heads, &data, today)?;
        return Ok(AccuracyInput {
            data,
            snapshots,
            calls,
        });
    }
    // The won deals: every call comes from the sums.
    let (data, _) = read(AccuracyDeals::Won, None, Snaps::None)?;
    let calls = stored_calls(store, cal, &heads, &data, today)?;
    Ok(AccuracyInput {
        data,
        snapshots: Vec::new(),
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
/// `data` holds at least the deals won in those quarters.
pub fn stored_calls(
    store: &Store,
    cal: &Calendar,
    heads: &[SnapshotHead],
    data: &Dataset,
    today: NaiveDate,
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
    let pairs = store.won_deals_in_snapshots(|deal, snapshot| {
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
