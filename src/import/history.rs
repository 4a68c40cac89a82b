//! History for imports that bring none (SPEC §2): one synthesized `stage` row
//! per opportunity at its created date, and for a closed deal a `status` row
//! (and a `stage` row) at its closed instant. Rows are a pure function of the
//! deal, so a re-import adds nothing (the history identity index ignores them).
//! A re-import that changes a deal the database holds records each change
//! its files' own history does not ([`record_changes`]), as an edit would:
//! history stays the deal's story, and `--as-of` a day before the import
//! answers as pipedeck knew the deal then.

use super::{Batch, Context};
use crate::domain::edit::Change;
use crate::domain::model::*;
use crate::storage::{StorageError, Store};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// Who synthesized rows are attributed to.
pub const SYNTHESIZED_BY: &str = "import";

/// Adds the synthesized rows for every deal of the batch that brings no
/// history of its own. The creation row is only added when the database holds
/// no history for the deal yet (a later re-import must not rewrite its start);
/// the closing rows whenever a deal new to the database is closed (a deal it
/// holds gets its close from [`record_changes`], from the stage it held).
pub fn synthesize(batch: &mut Batch, ctx: &Context<'_>) {
    batch.synthesized_from = batch.history.len();
    let brought: HashSet<OppId> = batch
        .history
        .iter()
        .map(|h| h.opportunity_id.clone())
        .collect();
    let first_open = first_open_stage(batch, ctx);
    let mut rows = Vec::new();
    for o in &batch.opportunities {
        if brought.contains(&o.id) {
            continue;
        }
        let Some(created) = o.created_at else {
            continue;
        };
        let start_stage = if o.status.is_closed() {
            batch
                .closed_creation_stage
                .clone()
                .or_else(|| first_open.clone())
                .unwrap_or_else(|| o.stage.clone())
        } else {
            o.stage.clone()
        };
        let row = |at, field, old: Option<String>, new: String| HistoryEntry {
            opportunity_id: o.id.clone(),
            changed_at: at,
            field,
            old_value: old.map(Into::into),
            new_value: Some(new.into()),
            changed_by: Some(SYNTHESIZED_BY.into()),
            review_session_id: None,
        };
        if !ctx.existing.with_history.contains(o.id.as_str()) {
            rows.push(row(created, HistoryField::Stage, None, start_stage.clone()));
        }
        let new_here = !ctx.existing.opportunities.contains(o.id.as_str());
        if let (true, true, Some(closed)) = (new_here, o.status.is_closed(), o.closed_at) {
            let closed = closed.max(created);
            if start_stage != o.stage {
                rows.push(row(
                    closed,
                    HistoryField::Stage,
                    Some(start_stage),
                    o.stage.clone(),
                ));
            }
            rows.push(row(
                closed,
                HistoryField::Status,
                Some(Status::Open.as_str().to_string()),
                o.status.as_str().to_string(),
            ));
        }
    }
    batch.history.extend(rows);
}

/// Appends, for every deal of `batch` the database holds, one row per
/// tracked field the import changes that no history records: not the
/// files' own (its last row for that deal and field leaves another value,
/// is older than the database's last row for it, or there is none: HubSpot's
/// stage entry dates record the stage alone) nor the rows [`synthesize`]
/// made. Attributed to [`SYNTHESIZED_BY`]. The changes of a deal the import
/// closes are stamped at its closed instant (it closed so: won at this
/// amount) unless the database has a later row for the field; any other at
/// `now`. Sets `batch.changes_from` and, beside each row, the instant of the
/// database's last row for its field (`batch.change_floors`: a streamed
/// history records the change only with a row as late). Run after the round
/// trip has put back the local edits it keeps. Returns how many rows.
pub fn record_changes(
    store: &Store,
    batch: &mut Batch,
    ctx: &Context<'_>,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    let (own, made) = batch
        .history
        .split_at(batch.synthesized_from.min(batch.history.len()));
    // When and to what the files' own history leaves each field of each deal.
    let own = last_values(own.iter());
    let made: HashSet<(&str, HistoryField, Option<&str>)> = made
        .iter()
        .map(|h| (h.opportunity_id.as_str(), h.field, h.new_value.as_deref()))
        .collect();
    let incoming: HashMap<&str, &Opportunity> = batch
        .opportunities
        .iter()
        .filter(|o| ctx.existing.opportunities.contains(o.id.as_str()))
        .map(|o| (o.id.as_str(), o))
        .collect();
    // Each changed deal: its changes, and its closed instant if this closes it.
    type Changed = (Vec<Change>, Option<DateTime<Utc>>);
    let mut changed: Vec<(&Opportunity, Changed)> = Vec::new();
    store.each_opportunity_of(incoming.keys().copied(), |before| {
        let after = incoming[before.id.as_str()];
        let changes = crate::domain::edit::changes(&before, after);
        if changes.is_empty() {
            return;
        }
        let closed_then = match (before.status, after.status.is_closed(), after.closed_at) {
            (Status::Open, true, Some(at)) => Some(after.created_at.map_or(at, |c| at.max(c))),
            _ => None,
        };
        changed.push((after, (changes, closed_then)));
    })?;
    let mut rows = Vec::new();
    for (after, (changes, closed_then)) in changed {
        let id = after.id.as_str();
        let floors = store.last_history_instants(id)?;
        for (field, old, new) in changes {
            let floor = floors.get(&field).copied();
            let recorded = own
                .get(&(id, field))
                .is_some_and(|(at, v)| *v == new.as_deref() && floor.is_none_or(|f| *at >= f));
            if recorded || made.contains(&(id, field, new.as_deref())) {
                continue;
            }
            let at = match closed_then {
                Some(c) if floor.is_none_or(|f| c >= f) => c,
                _ => now,
            };
            rows.push((
                HistoryEntry {
                    opportunity_id: after.id.clone(),
                    changed_at: at,
                    field,
                    old_value: old.map(Into::into),
                    new_value: new.map(Into::into),
                    changed_by: Some(SYNTHESIZED_BY.into()),
                    review_session_id: None,
                },
                floor,
            ));
        }
    }
    // In the order of the deals in the files, whatever order the map gave.
    let order: HashMap<&str, usize> = batch
        .opportunities
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id.as_str(), i))
        .collect();
    rows.sort_by_key(|(h, _)| order[h.opportunity_id.as_str()]);
    let n = rows.len();
    batch.changes_from = batch.history.len();
    let (rows, floors): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
    batch.history.extend(rows);
    batch.change_floors = floors;
    Ok(n)
}

/// When a history's last row for a field was made, and the value it leaves.
pub type LastRow<'h> = (DateTime<Utc>, Option<&'h str>);

/// Per deal and field, when the last of `rows` for it was made and the value
/// it leaves (by instant, then order): whether a history records a deal's
/// value.
pub fn last_values<'h>(
    rows: impl Iterator<Item = &'h HistoryEntry>,
) -> HashMap<(&'h str, HistoryField), LastRow<'h>> {
    let mut last: HashMap<(&str, HistoryField), LastRow<'_>> = HashMap::new();
    for h in rows {
        let key = (h.opportunity_id.as_str(), h.field);
        match last.get(&key) {
            Some((at, _)) if *at > h.changed_at => {}
            _ => {
                last.insert(key, (h.changed_at, h.new_value.as_deref()));
            }
        }
    }
    last
}

/// The first open stage of the pipeline (lowest position, then name) among
/// the stages this batch registers, the database's and the config's.
fn first_open_stage(batch: &Batch, ctx: &Context<'_>) -> Option<String> {
    let from_batch = batch
        .stages
        .iter()
        .filter(|s| s.kind == StageKind::Open)
        .map(|s| (s.position, s.name.clone()));
    let from_db = ctx
        .existing
        .stages
        .iter()
        .filter(|(_, (_, k))| *k == StageKind::Open)
        .map(|(n, (p, _))| (*p, n.clone()));
    let from_config = ctx
        .settings
        .stage_list()
        .into_iter()
        .filter(|s| s.kind == StageKind::Open)
        .map(|s| (s.position, s.name));
    from_batch
        .chain(from_db)
        .chain(from_config)
        .min()
        .map(|(_, n)| n)
}
