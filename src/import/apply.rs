//! Writing an import: a planned batch written in one transaction
//! ([`apply`]), and the end every import shares, whole or streamed
//! ([`finish`]: the round trip's records, the deferred indexes, commit or
//! dry-run rollback), with the `--strict` refusal of its warnings.

use super::{Batch, ImportError, Imported, RoundTrip, RowError, round_trip};
use crate::storage::{StorageError, Tx};

/// Writes a planned batch in `tx`: stages, reps, accounts, contacts,
/// opportunities, history, activities. `tick` is called once per row.
pub fn apply(tx: &mut Tx<'_>, batch: &Batch, tick: &mut dyn FnMut()) -> Result<(), StorageError> {
    for s in &batch.stages {
        tx.upsert_stage(s)?;
        tick();
    }
    for r in &batch.reps {
        tx.upsert_rep(r)?;
        tick();
    }
    for a in &batch.accounts {
        tx.upsert_account(a)?;
        tick();
    }
    for c in &batch.contacts {
        tx.upsert_contact(c)?;
        tick();
    }
    for o in &batch.opportunities {
        tx.upsert_opportunity(o)?;
        tick();
    }
    // Before the history, activities and the rest that carry their ids.
    for s in &batch.review_sessions {
        tx.upsert_review_session(s)?;
        tick();
    }
    // The n-th identical row of one import is its own row (an export keeps
    // every edit, even two alike in one second), and a re-import adds none.
    let mut alike: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for h in &batch.history {
        let n = alike.entry(Tx::history_key(h)).or_insert(0);
        *n += 1;
        tx.append_history_nth(h, *n)?;
        tick();
    }
    for a in &batch.activities {
        tx.upsert_activity(a)?;
        tick();
    }
    apply_extensions(tx, batch, tick)
}

/// Writes what the database holds beyond the CRM's records (native files
/// only): goals, snapshots, snoozes, tags, action items and the round
/// trip's restored state. `tick` is called once per row.
pub fn apply_extensions(
    tx: &mut Tx<'_>,
    batch: &Batch,
    tick: &mut dyn FnMut(),
) -> Result<(), StorageError> {
    for g in &batch.goals {
        tx.upsert_goal(g)?;
        tick();
    }
    for s in &batch.snapshots {
        tx.insert_snapshot(s)?;
        tick();
    }
    for s in &batch.snoozes {
        tx.upsert_snooze(s)?;
        tick();
    }
    for t in &batch.tags {
        tx.insert_tag(t)?;
        tick();
    }
    for a in &batch.action_items {
        tx.upsert_action_item(a)?;
        tick();
    }
    let r = &batch.restored;
    for c in &r.records {
        tx.restore_crm_record(c)?;
        tick();
    }
    for (opp, at) in &r.last_touch {
        tx.restore_last_touch(opp, *at)?;
        tick();
    }
    for e in &r.edits {
        tx.restore_local_edit(e)?;
        tick();
    }
    Ok(())
}

/// The end of every import, whole or streamed: the round trip's records,
/// the deferred indexes, then commit (or roll back for a dry run).
pub(super) fn finish(
    mut tx: Tx<'_>,
    batch: &Batch,
    reconciled: round_trip::Reconciled,
    rt: &RoundTrip,
    deferred: crate::storage::import_support::DeferredIndexes,
    dry_run: bool,
    warnings: Vec<RowError>,
) -> Result<Imported, ImportError> {
    round_trip::write(&mut tx, batch, &reconciled.settle, rt.now)?;
    tx.rebuild_indexes(deferred)?;
    let counts = if dry_run {
        tx.rollback()?
    } else {
        tx.commit()?
    };
    Ok(Imported {
        counts,
        kept: reconciled.kept,
        overwritten: reconciled.overwritten,
        warnings,
    })
}

/// Warnings refused as errors under `--strict`; `None` when they stand.
pub(super) fn refused_under_strict(rt: &RoundTrip, warnings: &[RowError]) -> Option<ImportError> {
    (rt.checks.strict && !warnings.is_empty()).then(|| {
        ImportError::Rows(
            warnings
                .iter()
                .map(|w| RowError {
                    reason: format!("{} — refused under --strict", w.reason),
                    ..w.clone()
                })
                .collect(),
        )
    })
}
