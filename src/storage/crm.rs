//! The round trip with the CRM (SPEC §13): which CRM record each deal is,
//! the local edits not yet seen back in a CRM import, and the CRM's last
//! activity dates.

use super::codec::*;
use super::write::Outcome;
use super::{Result, StorageError, Store, Tx};
use crate::domain::crm::{self, Crm, CrmRecord, LocalEdit, PendingState, SyncField};
use crate::domain::model::{OppId, Opportunity};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;
use std::str::FromStr;

/// The columns of `crm_records`, in order: a backup's file has the same.
pub const CRM_RECORD_COLUMNS: [&str; 4] = ["opportunity_id", "crm", "crm_id", "imported_at"];

/// The columns of `local_edits`, in order: a backup's file has the same.
pub const LOCAL_EDIT_COLUMNS: [&str; 7] = [
    "opportunity_id",
    "field",
    "local_value",
    "base_value",
    "edited_at",
    "state",
    "resolved_at",
];

/// Restoring a backup (`pipedeck export`): each row as it was, upserted by
/// its key.
impl Tx<'_> {
    pub fn restore_crm_record(&mut self, r: &CrmRecord) -> Result<Outcome> {
        self.upsert_keyed(
            "crm_records",
            2,
            &CRM_RECORD_COLUMNS,
            &[
                &r.opportunity_id,
                &r.crm.as_str(),
                &r.crm_id,
                &instant_to_sql(r.imported_at),
            ],
        )
    }

    pub fn restore_last_touch(&mut self, opp: &OppId, at: DateTime<Utc>) -> Result<Outcome> {
        self.upsert_keyed(
            "crm_last_touch",
            1,
            &["opportunity_id", "touched_at"],
            &[opp, &instant_to_sql(at)],
        )
    }

    pub fn restore_local_edit(&mut self, e: &LocalEdit) -> Result<Outcome> {
        self.upsert_keyed(
            "local_edits",
            2,
            &LOCAL_EDIT_COLUMNS,
            &[
                &e.deal,
                &e.field.as_str(),
                &e.local,
                &e.base,
                &instant_to_sql(e.edited_at),
                &e.state.as_str(),
                &e.resolved_at.map(instant_to_sql),
            ],
        )
    }
}

impl Tx<'_> {
    /// Records that `opp` is the CRM record `crm_id`, imported at `now`.
    pub fn record_origin(
        &mut self,
        opp: &OppId,
        crm: Crm,
        crm_id: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.raw()
            .prepare_cached(
                "INSERT INTO crm_records (opportunity_id, crm, crm_id, imported_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (opportunity_id, crm) DO UPDATE SET crm_id = excluded.crm_id,
                   imported_at = excluded.imported_at",
            )?
            .execute(params![
                opp.as_str(),
                crm.as_str(),
                crm_id,
                instant_to_sql(now)
            ])?;
        Ok(())
    }

    /// Stores the CRM's last activity instant of a deal (the latest wins).
    pub fn set_last_touch(&mut self, opp: &OppId, at: DateTime<Utc>) -> Result<()> {
        self.raw()
            .prepare_cached(
                "INSERT INTO crm_last_touch (opportunity_id, touched_at) VALUES (?1, ?2)
                 ON CONFLICT (opportunity_id) DO UPDATE SET touched_at = excluded.touched_at
                 WHERE excluded.touched_at > touched_at",
            )?
            .execute(params![opp.as_str(), instant_to_sql(at)])?;
        Ok(())
    }

    /// Records the synced fields an edit changed, from the deal before and
    /// after it: the first edit of a field keeps the value before it as the
    /// CRM's; an edit back to that value leaves nothing pending.
    pub fn record_local_edits(
        &mut self,
        before: &Opportunity,
        after: &Opportunity,
        now: DateTime<Utc>,
    ) -> Result<()> {
        for f in SyncField::changed(before, after) {
            let existing: Option<(Option<String>, String)> = self
                .raw()
                .prepare_cached(
                    "SELECT base_value, state FROM local_edits
                     WHERE opportunity_id = ?1 AND field = ?2",
                )?
                .query_row(params![before.id.as_str(), f.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let base = match existing {
                Some((base, state)) if state == PendingState::Pending.as_str() => base,
                _ => f.value(before),
            };
            let local = f.value(after);
            let state =
                crm::after_edit(base.as_deref(), local.as_deref()).unwrap_or(PendingState::Seen);
            self.raw()
                .prepare_cached(
                    "INSERT INTO local_edits (opportunity_id, field, local_value, base_value,
                        edited_at, state, resolved_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)
                     ON CONFLICT (opportunity_id, field) DO UPDATE SET
                       local_value = excluded.local_value, base_value = excluded.base_value,
                       edited_at = excluded.edited_at, state = excluded.state,
                       resolved_at = NULL",
                )?
                .execute(params![
                    before.id.as_str(),
                    f.as_str(),
                    local,
                    base,
                    instant_to_sql(now),
                    state.as_str()
                ])?;
        }
        Ok(())
    }

    /// Settles a pending edit after an import: `state` seen or overwritten,
    /// or still pending with the CRM's latest value as its base.
    pub fn settle_local_edit(
        &mut self,
        opp: &OppId,
        field: SyncField,
        state: PendingState,
        crm_value: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let resolved = (state != PendingState::Pending).then(|| instant_to_sql(now));
        self.raw()
            .prepare_cached(
                "UPDATE local_edits SET state = ?3, base_value = ?4, resolved_at = ?5
                 WHERE opportunity_id = ?1 AND field = ?2",
            )?
            .execute(params![
                opp.as_str(),
                field.as_str(),
                state.as_str(),
                crm_value,
                resolved
            ])?;
        Ok(())
    }
}

impl Store {
    /// Every local edit of a synced field (pending or settled), by deal and field.
    pub fn local_edits(&self) -> Result<Vec<LocalEdit>> {
        let mut stmt = self.conn().prepare(
            "SELECT opportunity_id, field, local_value, base_value, edited_at, state, resolved_at
             FROM local_edits ORDER BY opportunity_id, field",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let field: String = r.get(1)?;
            let state: String = r.get(5)?;
            out.push(LocalEdit {
                deal: r.get(0)?,
                field: SyncField::from_str(&field).map_err(StorageError::BadValue)?,
                local: r.get(2)?,
                base: r.get(3)?,
                edited_at: instant_from_sql(&r.get::<_, String>(4)?)?,
                state: PendingState::parse(&state)
                    .ok_or_else(|| StorageError::BadValue(format!("edit state {state:?}")))?,
                resolved_at: r
                    .get::<_, Option<String>>(6)?
                    .map(|t| instant_from_sql(&t))
                    .transpose()?,
            });
        }
        Ok(out)
    }

    /// Every deal's CRM record, by deal and CRM.
    pub fn crm_records(&self) -> Result<Vec<CrmRecord>> {
        let mut stmt = self.conn().prepare(
            "SELECT opportunity_id, crm, crm_id, imported_at FROM crm_records ORDER BY 1, 2",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let crm: String = r.get(1)?;
            out.push(CrmRecord {
                opportunity_id: r.get(0)?,
                crm: Crm::from_str(&crm).map_err(StorageError::BadValue)?,
                crm_id: r.get(2)?,
                imported_at: instant_from_sql(&r.get::<_, String>(3)?)?,
            });
        }
        Ok(out)
    }

    /// Deal id → the record id in `crm`, for every deal imported from it.
    pub fn crm_ids(&self, crm: Crm) -> Result<BTreeMap<String, String>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT opportunity_id, crm_id FROM crm_records WHERE crm = ?1")?;
        let rows = stmt.query_map([crm.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (k, v) = row?;
            out.insert(k, v);
        }
        Ok(out)
    }

    /// The CRM's last activity instant per deal.
    pub fn crm_last_touches(&self) -> Result<Vec<(OppId, DateTime<Utc>)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT opportunity_id, touched_at FROM crm_last_touch ORDER BY 1")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(keyed_instant(r)?);
        }
        Ok(out)
    }
}
