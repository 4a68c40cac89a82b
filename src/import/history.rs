//! History for imports that bring none (SPEC §2): one synthesized `stage` row
//! per opportunity at its created date, and for a closed deal a `status` row
//! (and a `stage` row) at its closed instant. Rows are a pure function of the
//! deal, so a re-import adds nothing (the history identity index ignores them).

use super::{Batch, Context};
use crate::domain::model::*;
use std::collections::HashSet;

/// Who synthesized rows are attributed to.
pub const SYNTHESIZED_BY: &str = "import";

/// Adds the synthesized rows for every deal of the batch that brings no
/// history of its own. The creation row is only added when the database holds
/// no history for the deal yet (a later re-import must not rewrite its start);
/// the closing rows whenever the deal is closed.
pub fn synthesize(batch: &mut Batch, ctx: &Context<'_>) {
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
        if let (true, Some(closed)) = (o.status.is_closed(), o.closed_at) {
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
