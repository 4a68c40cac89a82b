//! The pipeline as it stood at an instant, rebuilt from append-only history
//! (SPEC §8 "As of any date").
//!
//! Rule: a deal created at or after `end` did not exist yet and is dropped.
//! Every remaining deal is rewound by undoing, newest first, each history
//! entry with `changed_at ≥ end` (the field takes the entry's `old_value`).
//! A deal whose status is open after rewinding has no closed date or loss
//! reason. Activities, snoozes, tags, action items and history entries at or
//! after `end` are dropped; an action item done after `end` is still open.
//!
//! Deals without any history entry cannot be rewound field by field: for
//! them [`dataset_as_of_with_snapshots`] falls back to the nearest snapshot
//! taken before `end` (see `docs/forecast.md`).

use super::model::{
    Dataset, ForecastCategory, HistoryEntry, HistoryField, OppId, Opportunity, RepId, Snapshot,
    Status, Taken,
};
use super::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use foldhash::HashMap;

/// The dataset as it stood at `end` (exclusive), from history alone.
pub fn dataset_as_of(data: &Dataset, end: DateTime<Utc>) -> Dataset {
    dataset_as_of_with_snapshots(data.clone(), &[], end)
}

/// The dataset at `end` around `opportunities`, the deals as they stood
/// then: the rest of `data` with what came at or after `end` taken out, in
/// place (a window of a large org is not held twice).
fn with_deals_as_of(data: Dataset, opportunities: Vec<Opportunity>, end: DateTime<Utc>) -> Dataset {
    let Dataset {
        reps,
        accounts,
        contacts,
        opportunities: _,
        mut history,
        mut activities,
        stages,
        mut snoozes,
        mut tags,
        mut action_items,
        mut lookback,
        mut crm_last_touch,
    } = data;
    history.retain(|h| h.changed_at < end);
    activities.retain(|a| a.occurred_at < end);
    snoozes.retain(|s| s.created_at < end);
    tags.retain(|t| t.set_at < end);
    crm_last_touch.retain(|(_, t)| *t < end);
    action_items.retain(|a| a.created_at < end);
    for a in &mut action_items {
        if a.done_at.is_some_and(|d| d >= end) {
            a.done_at = None;
        }
    }
    if let Some(l) = &mut lookback {
        l.first_activity_at = l.first_activity_at.filter(|t| *t < end);
        l.first_touch.retain(|(_, _, t)| *t < end);
        l.deal_touches.retain(|(_, t)| *t < end);
        l.account_touches.retain(|(_, t)| *t < end);
    }
    Dataset {
        reps,
        accounts,
        contacts,
        opportunities,
        history,
        activities,
        stages,
        snoozes,
        tags,
        action_items,
        lookback,
        crm_last_touch,
    }
}

/// One deal as it stood at `end` (exclusive), by the rule of this module;
/// `None` if it was created at or after `end`. `history` is the deal's
/// own history in history order: the entries at or after `end` are undone;
/// those before it date a close that a later reopening undid.
pub fn opportunity_as_of(
    o: &Opportunity,
    history: &[&HistoryEntry],
    end: DateTime<Utc>,
) -> Option<Opportunity> {
    if o.created_at.is_some_and(|c| c >= end) {
        return None;
    }
    let mut o = o.clone();
    let later = || history.iter().filter(|h| h.changed_at >= end);
    // History is ordered by changed_at, then insertion: undo newest first.
    for h in later().collect::<Vec<_>>().into_iter().rev() {
        undo(&mut o, h);
    }
    if o.status.is_closed() && later().any(|h| h.field == HistoryField::Status) {
        // Closed then, reopened since: its closed instant (none now, or a
        // later close's) is that of its last close before `end`.
        let closed = history
            .iter()
            .rev()
            .filter(|h| h.changed_at < end && h.field == HistoryField::Status)
            .find(|h| h.new_value.as_deref().and_then(|v| v.trim().parse().ok()) == Some(o.status))
            .map(|h| h.changed_at);
        if closed.is_some() {
            o.closed_at = closed;
        }
    }
    if o.status == Status::Open {
        o.closed_at = None;
        o.loss_reason = None;
    } else if o.closed_at.is_some_and(|c| c >= end)
        && !later().any(|h| h.field == HistoryField::Status)
    {
        // Closed after `end` and no status history says otherwise: open then.
        o.status = Status::Open;
        o.closed_at = None;
        o.loss_reason = None;
    }
    if o.status == Status::Open && o.forecast_category == Some(ForecastCategory::Closed) {
        // Closed later with no category history to rewind (imports):
        // while open, its category is unknown, never `closed`.
        o.forecast_category = None;
    }
    Some(o)
}

/// The dataset as it stood at `end`, from history, with deals that have no
/// history at all taken from the nearest snapshot taken before `end` (when
/// they are in it: stage, amount, close date, category and owner, and open).
/// `snapshots` may be in any order.
pub fn dataset_as_of_with_snapshots(
    data: Dataset,
    snapshots: &[Snapshot],
    end: DateTime<Utc>,
) -> Dataset {
    let opportunities = Rewind::new(&data, snapshots).opportunities_at(end);
    with_deals_as_of(data, opportunities, end)
}

/// The deals alone as they stood at `end` (by the rule of this module,
/// snapshots as fallback), for one instant or many over the same data (the
/// accuracy report's rebuilt quarter starts): the history is grouped by deal
/// once, and nothing but the deals is rewound.
pub struct Rewind<'a> {
    data: &'a Dataset,
    snapshots: &'a [Snapshot],
    /// Each deal's place in `data.opportunities`, by id.
    place: foldhash::HashMap<&'a OppId, usize>,
    /// The history of the deals, grouped by deal in the order of
    /// `data.opportunities`, each deal's in history order; the deal at
    /// place `i` has `history[spans[i]..spans[i + 1]]`. (Looked up by id
    /// for every deal at every instant, the rebuilt quarter starts of an
    /// org with no snapshots spent a tenth of the accuracy report in the
    /// hash map.)
    history: Vec<&'a HistoryEntry>,
    spans: Vec<usize>,
    /// A dataset holding history from an instant on: that instant, and the
    /// deals with entries before it (`model::HistorySince`).
    since: Option<(DateTime<Utc>, foldhash::HashSet<&'a OppId>)>,
}

impl<'a> Rewind<'a> {
    pub fn new(data: &'a Dataset, snapshots: &'a [Snapshot]) -> Rewind<'a> {
        let place: foldhash::HashMap<&OppId, usize> = data
            .opportunities
            .iter()
            .enumerate()
            .map(|(i, o)| (&o.id, i))
            .collect();
        // A counting sort by place: each deal's entries stay in history
        // order. Entries of deals not loaded are never read.
        let places: Vec<Option<usize>> = data
            .history
            .iter()
            .map(|h| place.get(&h.opportunity_id).copied())
            .collect();
        let mut spans = vec![0; data.opportunities.len() + 1];
        for &i in places.iter().flatten() {
            spans[i + 1] += 1;
        }
        for i in 1..spans.len() {
            spans[i] += spans[i - 1];
        }
        let mut next = spans.clone();
        let mut history = vec![None; spans[spans.len() - 1]];
        for (h, i) in data.history.iter().zip(&places) {
            if let Some(i) = *i {
                history[next[i]] = Some(h);
                next[i] += 1;
            }
        }
        let history = history.into_iter().flatten().collect();
        let since = data
            .lookback
            .as_ref()
            .and_then(|l| l.history_since.as_ref())
            .map(|s| (s.at, s.earlier.iter().collect()));
        Rewind {
            data,
            snapshots,
            place,
            history,
            spans,
            since,
        }
    }

    /// The history of the deal at place `i` of `data.opportunities`.
    fn history_at(&self, i: usize) -> &[&'a HistoryEntry] {
        &self.history[self.spans[i]..self.spans[i + 1]]
    }

    /// Whether the deal has history, held or not.
    fn has_history(&self, id: &OppId) -> bool {
        self.place
            .get(id)
            .is_some_and(|&i| !self.history_at(i).is_empty())
            || self.since.as_ref().is_some_and(|(_, e)| e.contains(id))
    }

    /// The deals at `end`: `dataset_as_of_with_snapshots(…).opportunities`.
    pub fn opportunities_at(&self, end: DateTime<Utc>) -> Vec<Opportunity> {
        self.rewound(end, false)
    }

    /// The deals open at `end`: `opportunities_at(end)` less the deals
    /// closed then, in the same order. A deal closed before `end` with no
    /// history entry at or after it stays as it is (closed), so it is
    /// passed over without a copy (most of the deals, for an instant years
    /// back: the accuracy report's rebuilt quarter starts).
    pub fn open_at(&self, end: DateTime<Utc>) -> Vec<Opportunity> {
        let mut opps = self.rewound(end, true);
        opps.retain(|o| o.status == Status::Open);
        opps
    }

    /// The deals at `end`, less (when `skip_closed`) those closed before
    /// it with nothing at or after it to undo.
    fn rewound(&self, end: DateTime<Utc>, skip_closed: bool) -> Vec<Opportunity> {
        // Held from `at` on, history rewinds no further back than `at`.
        debug_assert!(self.since.as_ref().is_none_or(|(at, _)| *at <= end));
        let mut opps: Vec<Opportunity> = self
            .data
            .opportunities
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                // The deal's whole history: entries before `end` are passed over.
                let history = self.history_at(i);
                let closed_then = skip_closed
                    && o.status.is_closed()
                    && o.closed_at.is_some_and(|c| c < end)
                    && history.iter().all(|h| h.changed_at < end);
                if closed_then {
                    return None;
                }
                opportunity_as_of(o, history, end)
            })
            .collect();
        overlay_snapshot(&mut opps, |id| self.has_history(id), self.snapshots, end);
        opps
    }
}

/// Deals without history take the nearest snapshot before `end` (see the
/// module doc).
fn overlay_snapshot(
    opportunities: &mut [Opportunity],
    has_history: impl Fn(&OppId) -> bool,
    snapshots: &[Snapshot],
    end: DateTime<Utc>,
) {
    let Some(snap) = overlay_source(snapshots, end) else {
        return;
    };
    let rows: HashMap<&OppId, _> = snap.rows.iter().map(|r| (&r.opportunity_id, r)).collect();
    for o in opportunities {
        if has_history(&o.id) {
            continue;
        }
        let Some(r) = rows.get(&o.id) else { continue };
        if o.status.is_closed() && o.closed_at.is_some_and(|c| c < end) {
            continue; // it closed between the snapshot and `end`
        }
        o.owner_id = r.owner_id.clone();
        o.stage = r.stage.clone();
        o.amount = r.amount;
        o.close_date = r.close_date;
        o.forecast_category = r.forecast_category;
        o.status = Status::Open;
        o.closed_at = None;
        o.loss_reason = None;
    }
}

/// The snapshot the deals without history take at `end`: the latest one
/// taken before it (the same pick on the rows or on their heads).
pub fn overlay_source<T: Taken>(snapshots: &[T], end: DateTime<Utc>) -> Option<&T> {
    snapshots
        .iter()
        .filter(|s| s.taken_at() < end)
        .max_by_key(|s| s.taken_at())
}

/// Puts back the value a field had before `h`. Values that don't parse
/// (foreign data) leave the field as it is.
fn undo(o: &mut Opportunity, h: &HistoryEntry) {
    let old = h
        .old_value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match h.field {
        HistoryField::Stage => {
            if let Some(s) = old {
                o.stage = s.to_string();
            }
        }
        HistoryField::Amount => undo_amount(&mut o.amount, old),
        HistoryField::CloseDate => match old {
            None => o.close_date = None,
            Some(s) => {
                if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    o.close_date = Some(d);
                }
            }
        },
        HistoryField::ForecastCategory => match old {
            None => o.forecast_category = None,
            Some(s) => {
                if let Ok(c) = s.parse::<ForecastCategory>() {
                    o.forecast_category = Some(c);
                }
            }
        },
        HistoryField::OwnerId => {
            if let Some(s) = old {
                o.owner_id = RepId::from(s);
            }
        }
        HistoryField::Status => {
            if let Some(Ok(s)) = old.map(str::parse::<Status>) {
                o.status = s;
            }
        }
        HistoryField::NextStep => o.next_step = old.map(str::to_string),
        HistoryField::NextStepDate => {
            o.next_step_date = old.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        }
    }
}

/// Puts back the amount `old` (an amount history entry's old value,
/// trimmed, `None` when empty) held; one that doesn't parse leaves it.
pub fn undo_amount(amount: &mut Option<Money>, old: Option<&str>) {
    match old {
        None => *amount = None,
        Some(s) => {
            if let Ok(c) = s.parse::<i64>() {
                *amount = Some(Money(c));
            }
        }
    }
}

#[cfg(test)]
mod tests;
