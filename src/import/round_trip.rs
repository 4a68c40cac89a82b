//! The import side of the round trip (SPEC §13): which CRM record each
//! imported deal is, and what a re-import does with local edits the CRM has
//! not seen yet — keep them and list them, take the CRM's value with
//! `--overwrite-local`, or settle them when the CRM brings the same value.

use super::{Batch, Loc};
use crate::domain::crm::{self, Crm, LocalEdit, PendingState, Resolution, SyncField};
use crate::domain::model::{ForecastCategory, OppId, Opportunity, Status};
use crate::storage::{StorageError, Tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The CRM record a deal of a CRM export is, and where it was read.
#[derive(Debug, Clone)]
pub struct Origin {
    pub opp: OppId,
    pub crm: Crm,
    pub crm_id: String,
    pub at: Loc,
}

/// A local edit an import would have overwritten and kept instead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kept {
    /// `file:line` of the deal's row (the file of the import).
    pub at: String,
    pub deal: String,
    pub field: SyncField,
    /// The value kept (canonical text: cents, `YYYY-MM-DD`, names).
    pub local: Option<String>,
    /// The value the file brings.
    pub crm: Option<String>,
    /// What the file is: a CRM's export, or a file no CRM record names.
    pub source: Source,
}

/// What a file that brings a deal is, for the list of kept edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A CRM's export (or a mapping with `crm`): the deal is its record.
    Crm,
    /// pipedeck's own set (a backup), a mapping without `crm`, the CRM
    /// Sales Opportunities set.
    File,
}

impl Source {
    /// How the list names the file's value: `CRM` or `file`.
    pub fn label(self) -> &'static str {
        match self {
            Source::Crm => "CRM",
            Source::File => "file",
        }
    }
}

/// What the import does to one pending edit, written with the batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Settle {
    pub opp: OppId,
    pub field: SyncField,
    pub state: PendingState,
    pub crm_value: Option<String>,
}

/// What reconciling a batch with the local edits decided.
#[derive(Debug, Clone, Default)]
pub struct Reconciled {
    pub kept: Vec<Kept>,
    pub settle: Vec<Settle>,
    /// Edits the import replaced with the CRM's value (`--overwrite-local`).
    pub overwritten: Vec<Kept>,
}

/// [`reconcile`] against the database: its local edits, and each deal with
/// an edit still pending as it stands there.
pub fn reconcile_with(
    store: &crate::storage::Store,
    batch: &mut Batch,
    overwrite_local: bool,
) -> Result<Reconciled, StorageError> {
    let edits = store.local_edits()?;
    let mut current = HashMap::new();
    for e in edits.iter().filter(|e| e.state == PendingState::Pending) {
        if !current.contains_key(&e.deal) {
            current.insert(
                e.deal.clone(),
                store.opportunity(&OppId(e.deal.clone().into()))?,
            );
        }
    }
    // The closed instants were kept with the columns the files leave out
    // (`native::keep_absent_columns`, one read of the files' deals).
    Ok(reconcile(batch, &edits, &current, overwrite_local))
}

/// `file:line` of each deal with a pending edit that a file no CRM record
/// names brought ([`Batch::deal_lines`]), by deal.
fn rows_of(batch: &Batch, pending: &[&LocalEdit]) -> HashMap<String, String> {
    let deals: HashSet<&str> = pending.iter().map(|e| e.deal.as_str()).collect();
    let mut out = HashMap::new();
    for (range, file, lines) in &batch.deal_lines {
        for (o, line) in batch.opportunities[range.clone()].iter().zip(lines) {
            if deals.contains(o.id.as_str()) {
                out.insert(o.id.to_string(), format!("{file}:{line}"));
            }
        }
    }
    out
}

/// A deal read from a CRM's file that the database holds closed the same
/// way keeps its closed instant (`closed`: deal → status and instant, from
/// the database). A file's instant is often made up (Salesforce's CloseDate
/// or CreatedDate without history) and a close made here is the instant it
/// was made: a later file moved the win years back, out of its quarter.
pub fn keep_closed_instants(batch: &mut Batch, closed: &HashMap<String, (Status, DateTime<Utc>)>) {
    let from_crm: HashSet<&str> = batch.origins.iter().map(|o| o.opp.as_str()).collect();
    for opp in batch.opportunities.iter_mut() {
        if from_crm.contains(opp.id.as_str())
            && let Some((status, at)) = closed.get(opp.id.as_str())
            && *status == opp.status
        {
            opp.closed_at = Some(*at);
        }
    }
}

/// Applies the pending local edits to the deals of `batch`: a field the
/// CRM brings unchanged settles the edit (only for deals read from a CRM
/// export); a field the CRM brings otherwise keeps the local value (and the
/// closed instant of a kept status) unless `overwrite_local`. `current` is
/// the database's version of each deal with a pending edit.
pub fn reconcile(
    batch: &mut Batch,
    edits: &[LocalEdit],
    current: &HashMap<String, Opportunity>,
    overwrite_local: bool,
) -> Reconciled {
    let mut out = Reconciled::default();
    let pending: Vec<&LocalEdit> = edits
        .iter()
        .filter(|e| e.state == PendingState::Pending)
        .collect();
    if pending.is_empty() {
        return out;
    }
    let origin: HashMap<&str, &Origin> =
        batch.origins.iter().map(|o| (o.opp.as_str(), o)).collect();
    let absent = batch.absent_columns();
    let read_at = rows_of(batch, &pending);
    for opp in batch.opportunities.iter_mut() {
        let from_crm = origin.get(opp.id.as_str());
        let id = opp.id.clone();
        // The CRM's values, before a kept edit changes any (a kept stage
        // brings its status back, which the status edit must not take for
        // the CRM's).
        let from_file = opp.clone();
        // A CRM file without a field's column says nothing of an edit to it.
        let silent = |f: SyncField| {
            from_crm.is_some()
                && absent
                    .get(id.as_str())
                    .is_some_and(|c| c.contains(&f.as_str()))
        };
        for e in pending
            .iter()
            .filter(|e| e.deal == id.as_str() && !silent(e.field))
        {
            let incoming = e.field.value(&from_file);
            let at = from_crm
                .map(|o| format!("{}:{}", o.at.file, o.at.line))
                .or_else(|| read_at.get(id.as_str()).cloned())
                .unwrap_or_default();
            let listed = || Kept {
                at: at.clone(),
                deal: e.deal.clone(),
                field: e.field,
                local: e.local.clone(),
                crm: incoming.clone(),
                source: if from_crm.is_some() {
                    Source::Crm
                } else {
                    Source::File
                },
            };
            match crm::resolve(e.local.as_deref(), incoming.as_deref(), overwrite_local) {
                Resolution::Seen if from_crm.is_some() => out.settle.push(Settle {
                    opp: opp.id.clone(),
                    field: e.field,
                    state: PendingState::Seen,
                    crm_value: incoming.clone(),
                }),
                Resolution::Seen => {}
                Resolution::TakeCrm => {
                    out.overwritten.push(listed());
                    out.settle.push(Settle {
                        opp: opp.id.clone(),
                        field: e.field,
                        state: PendingState::Overwritten,
                        crm_value: incoming.clone(),
                    });
                }
                Resolution::KeepLocal => {
                    out.kept.push(listed());
                    e.field.set(opp, e.local.as_deref());
                    // Stage and status go together: a kept stage keeps the
                    // local status, closed instant and closing category.
                    if matches!(e.field, SyncField::Stage | SyncField::Status)
                        && let Some(db) = current.get(opp.id.as_str())
                    {
                        opp.status = db.status;
                        opp.closed_at = db.closed_at;
                        // A file without the reason's column: the reason of
                        // the kept loss.
                        if opp.status == Status::Lost && silent(SyncField::LossReason) {
                            opp.loss_reason = db.loss_reason.clone();
                        }
                        if (db.forecast_category == Some(ForecastCategory::Closed))
                            != (opp.forecast_category == Some(ForecastCategory::Closed))
                        {
                            opp.forecast_category = db.forecast_category;
                        }
                    }
                    // A kept next step keeps its date (the file's is the
                    // CRM's step's).
                    if e.field == SyncField::NextStep
                        && let Some(db) = current.get(opp.id.as_str())
                    {
                        opp.next_step_date = db.next_step_date;
                    }
                    if from_crm.is_some() {
                        out.settle.push(Settle {
                            opp: opp.id.clone(),
                            field: e.field,
                            state: PendingState::Pending,
                            crm_value: incoming.clone(),
                        });
                    }
                }
            }
        }
        // What of a close the file cannot carry (a loss reason, the
        // category `closed`) follows the deal's status: dropped, and listed
        // as the CRM's doing, once the CRM has reopened the deal (its status
        // not kept here): an open deal has neither; the category is seen
        // once the CRM has the deal closed.
        for e in pending
            .iter()
            .filter(|e| e.deal == id.as_str() && silent(e.field))
        {
            let state = match e.field {
                SyncField::LossReason if opp.status != Status::Lost => PendingState::Overwritten,
                SyncField::ForecastCategory if e.local.as_deref() == Some("closed") => {
                    match (opp.status.is_closed(), from_file.status.is_closed()) {
                        (false, _) => PendingState::Overwritten,
                        (true, true) => PendingState::Seen,
                        (true, false) => continue,
                    }
                }
                _ => continue,
            };
            if state == PendingState::Overwritten {
                out.overwritten.push(Kept {
                    at: from_crm
                        .map_or_else(String::new, |o| format!("{}:{}", o.at.file, o.at.line)),
                    deal: e.deal.clone(),
                    field: e.field,
                    local: e.local.clone(),
                    crm: None,
                    source: Source::Crm,
                });
            }
            out.settle.push(Settle {
                opp: opp.id.clone(),
                field: e.field,
                state,
                crm_value: None,
            });
        }
        // `closed` is a closed deal's category, and only its: a deal the
        // CRM has closed (its status not kept open here) drops a pending
        // category of an open deal, and says so.
        let category = SyncField::ForecastCategory;
        if let (Some(o), true) = (from_crm, opp.status.is_closed())
            && let Some(e) = pending.iter().find(|e| {
                e.deal == id.as_str() && e.field == category && e.local.as_deref() != Some("closed")
            })
        {
            out.kept
                .retain(|k| !(k.deal == e.deal && k.field == category));
            out.overwritten
                .retain(|k| !(k.deal == e.deal && k.field == category));
            out.settle
                .retain(|s| !(s.opp.as_str() == e.deal && s.field == category));
            opp.forecast_category = Some(ForecastCategory::Closed);
            out.overwritten.push(Kept {
                at: format!("{}:{}", o.at.file, o.at.line),
                deal: e.deal.clone(),
                field: category,
                local: e.local.clone(),
                crm: Some("closed".into()),
                source: Source::Crm,
            });
            out.settle.push(Settle {
                opp: opp.id.clone(),
                field: category,
                state: PendingState::Overwritten,
                crm_value: Some("closed".into()),
            });
        }
    }
    out
}

/// Writes the round-trip state of an import: the CRM record of every deal,
/// the CRM's last activity instants and the settled edits.
pub fn write(
    tx: &mut Tx<'_>,
    batch: &Batch,
    settle: &[Settle],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    for o in &batch.origins {
        tx.record_origin(&o.opp, o.crm, &o.crm_id, now)?;
    }
    for (opp, at) in &batch.last_touch {
        tx.set_last_touch(opp, *at)?;
    }
    for s in settle {
        tx.settle_local_edit(&s.opp, s.field, s.state, s.crm_value.as_deref(), now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;

    fn deal(stage: &str, status: Status) -> Opportunity {
        Opportunity {
            id: OppId("d1".into()),
            name: "D".into(),
            account_id: None,
            owner_id: RepId("r".into()),
            source_rep_id: None,
            created_at: None,
            stage: stage.into(),
            amount: None,
            list_amount: None,
            close_date: None,
            forecast_category: None,
            status,
            closed_at: None,
            loss_reason: None,
            next_step: None,
            next_step_date: None,
            channel: None,
        }
    }

    fn edit(field: SyncField, local: &str) -> LocalEdit {
        LocalEdit {
            deal: "d1".into(),
            field,
            local: Some(local.into()),
            base: None,
            edited_at: "2026-11-24T10:00:00Z".parse().unwrap(),
            state: PendingState::Pending,
            resolved_at: None,
        }
    }

    fn batch(incoming: Opportunity, from_crm: bool) -> Batch {
        let mut b = Batch::default();
        if from_crm {
            b.origins.push(Origin {
                opp: incoming.id.clone(),
                crm: Crm::Hubspot,
                crm_id: "d1".into(),
                at: Loc {
                    file: "deals.csv".into(),
                    line: 4,
                    column: None,
                },
            });
        }
        b.opportunities.push(incoming);
        b
    }

    #[test]
    fn a_kept_stage_keeps_the_local_status_with_it() {
        // Locally moved to Demo; the CRM (older) says the deal was won.
        let mut incoming = deal("Closed Won", Status::Won);
        incoming.forecast_category = Some(ForecastCategory::Closed);
        incoming.closed_at = Some("2026-11-20T00:00:00Z".parse().unwrap());
        let mut b = batch(incoming, true);
        let current = HashMap::from([("d1".to_string(), deal("Demo", Status::Open))]);
        let r = reconcile(&mut b, &[edit(SyncField::Stage, "Demo")], &current, false);
        let o = &b.opportunities[0];
        assert_eq!(
            (o.stage.as_str(), o.status, o.closed_at, o.forecast_category),
            ("Demo", Status::Open, None, None)
        );
        assert_eq!(
            r.kept,
            vec![Kept {
                at: "deals.csv:4".into(),
                deal: "d1".into(),
                field: SyncField::Stage,
                local: Some("Demo".into()),
                crm: Some("Closed Won".into()),
                source: Source::Crm,
            }]
        );
        assert_eq!(r.settle[0].state, PendingState::Pending);
        assert_eq!(r.settle[0].crm_value.as_deref(), Some("Closed Won"));
    }

    #[test]
    fn a_close_the_database_holds_keeps_its_instant_while_the_file_agrees() {
        // Won here on 2026-11-24; every later CRM file says won too, its
        // instant made from a CloseDate years back.
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        let incoming = |id: &str, status: Status| {
            let mut o = deal("Closed", status);
            o.id = OppId(id.into());
            o.closed_at = at("2023-10-28T20:45:25Z");
            o
        };
        let mut b = batch(incoming("d1", Status::Won), true);
        b.opportunities.push(incoming("d2", Status::Lost));
        b.opportunities.push(incoming("d3", Status::Won));
        b.origins.push(Origin {
            opp: OppId("d2".into()),
            ..b.origins[0].clone()
        });
        let here = at("2026-11-24T14:38:00Z").unwrap();
        let closed: HashMap<String, (Status, DateTime<Utc>)> = ["d1", "d2", "d3"]
            .map(|id| (id.to_string(), (Status::Won, here)))
            .into_iter()
            .collect();
        keep_closed_instants(&mut b, &closed);
        // d1 kept (and again at every import: the rule reads the database);
        // d2 lost in the file, won here; d3 is pipedeck's own set.
        let instants: Vec<_> = b.opportunities.iter().map(|o| o.closed_at).collect();
        assert_eq!(
            instants,
            [
                Some(here),
                at("2023-10-28T20:45:25Z"),
                at("2023-10-28T20:45:25Z")
            ]
        );
        keep_closed_instants(&mut b, &closed);
        assert_eq!(b.opportunities[0].closed_at, Some(here));
    }

    #[test]
    fn a_kept_stage_does_not_make_its_status_look_seen() {
        // Lost here; the CRM's file still has the deal open in Demo.
        let mut here = deal("Closed Lost", Status::Lost);
        here.closed_at = Some("2026-11-24T14:38:00Z".parse().unwrap());
        let mut b = batch(deal("Demo", Status::Open), true);
        let current = HashMap::from([("d1".to_string(), here)]);
        let edits = [
            edit(SyncField::Stage, "Closed Lost"),
            edit(SyncField::Status, "lost"),
        ];
        let r = reconcile(&mut b, &edits, &current, false);
        let settled: Vec<_> = r
            .settle
            .iter()
            .map(|s| (s.field, s.state, s.crm_value.as_deref()))
            .collect();
        assert_eq!(
            settled,
            [
                (SyncField::Stage, PendingState::Pending, Some("Demo")),
                (SyncField::Status, PendingState::Pending, Some("open")),
            ]
        );
        assert_eq!(b.opportunities[0].status, Status::Lost);
    }

    #[test]
    fn a_kept_next_step_keeps_its_date() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 12, d);
        let mut here = deal("Demo", Status::Open);
        here.next_step = Some("Send SOW".into());
        here.next_step_date = day(2);
        let mut incoming = deal("Demo", Status::Open);
        incoming.next_step = Some("Demo".into());
        incoming.next_step_date = day(5);
        let mut b = batch(incoming, true);
        let current = HashMap::from([("d1".to_string(), here)]);
        reconcile(
            &mut b,
            &[edit(SyncField::NextStep, "Send SOW")],
            &current,
            false,
        );
        let o = &b.opportunities[0];
        assert_eq!(
            (o.next_step.as_deref(), o.next_step_date),
            (Some("Send SOW"), day(2))
        );
    }

    #[test]
    fn the_same_value_settles_only_from_a_crm_export() {
        let e = [edit(SyncField::Stage, "Demo")];
        let mut from_crm = batch(deal("Demo", Status::Open), true);
        let r = reconcile(&mut from_crm, &e, &HashMap::new(), false);
        assert_eq!(r.settle.len(), 1);
        assert_eq!(r.settle[0].state, PendingState::Seen);
        // pipedeck's own CSV set is not the CRM: the edit stays pending.
        let mut native = batch(deal("Demo", Status::Open), false);
        let r = reconcile(&mut native, &e, &HashMap::new(), false);
        assert!(r.settle.is_empty() && r.kept.is_empty());
    }

    #[test]
    fn overwrite_local_takes_the_crm_value() {
        let mut b = batch(deal("Proposal", Status::Open), true);
        let r = reconcile(
            &mut b,
            &[edit(SyncField::Stage, "Demo")],
            &HashMap::new(),
            true,
        );
        assert_eq!(b.opportunities[0].stage, "Proposal");
        assert_eq!(r.settle[0].state, PendingState::Overwritten);
        assert_eq!(r.overwritten.len(), 1);
        assert!(r.kept.is_empty());
    }
}
