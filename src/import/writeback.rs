//! Write-back (SPEC §13): the local edits a CRM has not seen, as that CRM's
//! own update file — its record id column, its field names, one row per deal
//! with the latest value of every changed field (other cells empty: the
//! CRM importers leave a field with an empty cell as it is). Deals the CRM
//! has no record of (created in pipedeck, or imported from another source)
//! are listed apart, as are fields the CRM has no column for.

use super::export::ExportError;
use crate::domain::crm::{Crm, PendingState, SyncField};
use crate::domain::model::{ForecastCategory, OppId, StageKind};
use crate::storage::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One deal to update in the CRM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateRow {
    pub crm_id: String,
    pub deal: String,
    /// Field → the CRM's cell.
    pub cells: BTreeMap<SyncField, String>,
}

/// A changed field of a deal that cannot go into the update file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Apart {
    pub deal: String,
    pub name: String,
    pub field: SyncField,
    /// The value in pipedeck (canonical text).
    pub value: String,
    pub why: &'static str,
}

/// The changes to write for one CRM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changes {
    pub crm: Crm,
    /// The fields with a column in the file, in [`SyncField::ALL`] order.
    pub fields: Vec<SyncField>,
    pub rows: Vec<UpdateRow>,
    /// Changes of deals without a record in this CRM, and of fields the CRM
    /// has no column for.
    pub apart: Vec<Apart>,
}

/// Why a change is listed apart.
pub const NO_RECORD: &str =
    "no record in this CRM (created in pipedeck or imported from elsewhere)";
pub const NO_COLUMN: &str = "this CRM has no such deal field";

/// The changes for `crm`: every local edit not yet seen back in a CRM
/// import, or with `since`, every edit made at or after it that an import
/// has not overwritten.
pub fn changes(
    store: &Store,
    crm: Crm,
    since: Option<DateTime<Utc>>,
) -> Result<Changes, ExportError> {
    let ids = store.crm_ids(crm)?;
    let stages = store.load_stages()?;
    let closed_stage = |name: &str| {
        stages
            .iter()
            .any(|s| s.name == name && s.kind != StageKind::Open)
    };
    let mut wanted: BTreeMap<String, BTreeSet<SyncField>> = BTreeMap::new();
    for e in store.local_edits()? {
        let take = match since {
            None => e.state == PendingState::Pending,
            Some(t) => e.edited_at >= t && e.state != PendingState::Overwritten,
        };
        if take {
            wanted.entry(e.deal.clone()).or_default().insert(e.field);
        }
    }
    let mut rows = Vec::new();
    let mut apart = Vec::new();
    let mut fields = BTreeSet::new();
    for (deal_id, changed) in wanted {
        let deal = store.opportunity(&OppId(deal_id.clone().into()))?;
        let mut cells = BTreeMap::new();
        for f in changed {
            let value = f.value(&deal);
            let canonical = value.clone().unwrap_or_default();
            let note = |why| Apart {
                deal: deal_id.clone(),
                name: deal.name.clone(),
                field: f,
                value: canonical.clone(),
                why,
            };
            if !ids.contains_key(&deal_id) {
                apart.push(note(NO_RECORD));
                continue;
            }
            // The stage carries won/lost in Salesforce and HubSpot; in
            // Pipedrive the status does, and a closed stage is not a stage.
            let skip = match (crm, f) {
                (Crm::Salesforce | Crm::Hubspot, SyncField::Status) => true,
                // (A closed deal's stage is closed, whether or not the
                // database registered that stage: the config's are not.)
                (Crm::Pipedrive, SyncField::Stage) => {
                    closed_stage(&deal.stage) || deal.status.is_closed()
                }
                // Closing sets the category `closed`; Pipedrive has none.
                (Crm::Pipedrive, SyncField::ForecastCategory) => {
                    deal.forecast_category == Some(ForecastCategory::Closed)
                }
                _ => false,
            };
            if skip {
                continue;
            }
            match crm.column(f) {
                Some(_) => {
                    fields.insert(f);
                    cells.insert(f, crm.cell(f, value.as_deref()));
                }
                None => apart.push(note(NO_COLUMN)),
            }
        }
        if let (false, Some(crm_id)) = (cells.is_empty(), ids.get(&deal_id)) {
            rows.push(UpdateRow {
                crm_id: crm_id.clone(),
                deal: deal_id,
                cells,
            });
        }
    }
    Ok(Changes {
        crm,
        fields: fields.into_iter().collect(),
        rows,
        apart,
    })
}

/// Every file [`write`] may write, for any CRM: its update file and its
/// `<crm>-not-written.csv`.
pub fn own_files() -> Vec<String> {
    Crm::ALL
        .into_iter()
        .flat_map(|c| [c.update_file().to_string(), not_written_file(c)])
        .collect()
}

fn not_written_file(crm: Crm) -> String {
    format!("{}-not-written.csv", crm.as_str())
}

/// Writes the update file (and `<crm>-not-written.csv` when anything is
/// listed apart) into `dir`; returns each file written with its row count.
pub fn write(changes: &Changes, dir: &Path) -> Result<Vec<(PathBuf, usize)>, ExportError> {
    let fail = |path: &Path, e: &dyn std::fmt::Display| ExportError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, &e))?;
    let crm = changes.crm;
    let path = dir.join(crm.update_file());
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(&path)
        .map_err(|e| fail(&path, &e))?;
    let mut header = vec![crm.id_column()];
    header.extend(changes.fields.iter().filter_map(|f| crm.column(*f)));
    w.write_record(&header).map_err(|e| fail(&path, &e))?;
    for r in &changes.rows {
        let mut rec = vec![r.crm_id.clone()];
        rec.extend(
            changes
                .fields
                .iter()
                .map(|f| r.cells.get(f).cloned().unwrap_or_default()),
        );
        w.write_record(&rec).map_err(|e| fail(&path, &e))?;
    }
    w.flush().map_err(|e| fail(&path, &e))?;
    let mut out = vec![(path, changes.rows.len())];
    let apart_path = dir.join(not_written_file(crm));
    if changes.apart.is_empty() && apart_path.exists() {
        // A list from an earlier run would be read as this one's.
        std::fs::remove_file(&apart_path).map_err(|e| fail(&apart_path, &e))?;
    }
    if !changes.apart.is_empty() {
        let path = apart_path;
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_path(&path)
            .map_err(|e| fail(&path, &e))?;
        w.write_record(["id", "name", "field", "value", "why"])
            .map_err(|e| fail(&path, &e))?;
        for a in &changes.apart {
            w.write_record([
                a.deal.as_str(),
                a.name.as_str(),
                a.field.as_str(),
                &a.field.shown(Some(&a.value)),
                a.why,
            ])
            .map_err(|e| fail(&path, &e))?;
        }
        w.flush().map_err(|e| fail(&path, &e))?;
        out.push((path, changes.apart.len()));
    }
    Ok(out)
}
