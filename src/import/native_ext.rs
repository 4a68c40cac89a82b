//! The kinds of pipedeck's own CSV set that other systems do not export
//! (SPEC §10.1, "export is the backup"): goals, review sessions, forecast
//! snapshots, snoozes, deal tags and action items. Read row by row for
//! `native::build`; the snapshots streamed too (`stream_read`).

use super::native::{reference, session_ref};
use super::table::{FirstSeen, Row};
use super::{Batch, Target};
use crate::domain::model::*;

/// A required cell parsed by `parse` (missing: "a value is required").
fn need<T: 'static>(
    row: &mut Row<'_>,
    column: &str,
    parse: impl FnOnce(&mut Row<'_>, &str) -> Option<T>,
) -> Option<T> {
    if row.text(column).is_none() {
        row.required(column);
        return None;
    }
    parse(row, column)
}

pub(super) fn goal(row: &mut Row<'_>, batch: &mut Batch) {
    let role = need(row, "role", |r, c| r.enum_value::<Role>(c));
    let metric = need(row, "metric", |r, c| {
        r.parse_with(c, |v| {
            v.parse::<crate::domain::metrics::MetricId>()
                .map(|_| v.to_string())
                .map_err(|e| e.to_string())
        })
    });
    let period = need(row, "period", |r, c| r.enum_value::<PeriodKind>(c));
    let target = need(row, "target", |r, c| {
        r.parse_with(c, |v| {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("{v:?} is not a target (a number, 0 or more)"))
        })
    });
    let direction = need(row, "direction", |r, c| r.enum_value::<GoalDirection>(c));
    if let (Some(role), Some(metric), Some(target)) = (role, &metric, target)
        && let Ok(id) = metric.parse::<crate::domain::metrics::MetricId>()
        && let Some(why) = crate::domain::metrics::goals::target_out_of_range(role, &id, target)
    {
        row.fail("target", why);
    }
    if let (Some(role), Some(metric), Some(period), Some(target), Some(direction)) =
        (role, metric, period, target, direction)
    {
        batch.goals.push(Goal {
            role,
            metric,
            period,
            target,
            direction,
        });
    }
}

pub(super) fn review_session(row: &mut Row<'_>, batch: &mut Batch) {
    let id = need(row, "id", |r, c| r.int(c));
    let started_at = need(row, "started_at", |r, c| r.instant(c));
    let ended_at = row.instant("ended_at");
    if let (Some(id), Some(started_at)) = (id, started_at) {
        batch.review_sessions.push(ReviewSession {
            id,
            started_at,
            ended_at,
            facilitator: row.string("facilitator"),
            report_markdown: row.document("report_markdown"),
        });
    }
}

/// Where each deal of each day's snapshot was first read: a deal twice in
/// one day's snapshot is refused with both lines, as an id read twice is (a
/// snapshot is never edited, so the database would refuse the second row
/// with no line to show).
pub(super) struct SnapshotDeals<'f>(FirstSeen<'f, (chrono::NaiveDate, OppId)>);

impl<'f> SnapshotDeals<'f> {
    pub(super) fn new() -> Self {
        SnapshotDeals(FirstSeen::default())
    }

    /// Fails `row` (line `line` of file `file`) when `read` (the day and
    /// deal [`snapshot_row`] read from it) was read before.
    pub(super) fn check(
        &mut self,
        row: &mut Row<'_>,
        read: Option<(chrono::NaiveDate, OppId)>,
        file: &'f str,
        line: u64,
    ) {
        let Some((day, deal)) = read else { return };
        if let Some(first) = self.0.before((day, deal.clone()), file, line) {
            let twice = format!(
                "deal {:?} appears twice in the snapshot of {day} (first {first})",
                deal.as_str()
            );
            row.fail("opportunity_id", twice);
        }
    }
}

/// One frozen deal of a snapshot (a snapshot of no open deal is one row
/// with an empty `opportunity_id`): the day and deal read, if both were.
pub(super) fn snapshot_row(
    row: &mut Row<'_>,
    batch: &mut Batch,
) -> Option<(chrono::NaiveDate, OppId)> {
    let taken_on = need(row, "taken_on", |r, c| r.date(c));
    let taken_at = need(row, "taken_at", |r, c| r.instant(c));
    // The deal and its owner are the database's (deals and reps are never
    // deleted); the stage is what it was then, unchecked, as history's are.
    let deal = reference(row, "opportunity_id", Target::Opportunity, batch).map(|opp| {
        let owner = row.required("owner_id");
        if !owner.is_empty() {
            batch.refer_from(row, "owner_id", Target::Rep, &owner);
        }
        let stage = row.required("stage");
        SnapshotRow {
            opportunity_id: OppId(opp.into()),
            owner_id: RepId(owner.into()),
            stage,
            amount: row.money("amount"),
            close_date: row.date("close_date"),
            forecast_category: row.enum_value("forecast_category"),
        }
    });
    let (Some(taken_on), Some(taken_at)) = (taken_on, taken_at) else {
        return None;
    };
    let read = deal.as_ref().map(|d| (taken_on, d.opportunity_id.clone()));
    match batch.snapshots.iter_mut().find(|s| s.taken_on == taken_on) {
        Some(s) => s.rows.extend(deal),
        None => batch.snapshots.push(Snapshot {
            taken_on,
            taken_at,
            rows: deal.into_iter().collect(),
        }),
    }
    read
}

pub(super) fn snooze(row: &mut Row<'_>, batch: &mut Batch) {
    let id = need(row, "id", |r, c| r.int(c));
    let opp = reference(row, "opportunity_id", Target::Opportunity, batch);
    if opp.is_none() {
        row.required("opportunity_id");
    }
    let reason = row.required("reason");
    let until = need(row, "until", |r, c| r.date(c));
    let created_at = need(row, "created_at", |r, c| r.instant(c));
    let review_session_id = session_ref(row, batch);
    if let (Some(id), Some(opp), Some(until), Some(created_at)) = (id, opp, until, created_at) {
        batch.snoozes.push(Snooze {
            id,
            opportunity_id: OppId(opp.into()),
            reason,
            until,
            created_at,
            created_by: row.string("created_by"),
            review_session_id,
        });
    }
}

pub(super) fn tag(row: &mut Row<'_>, batch: &mut Batch) {
    let opp = reference(row, "opportunity_id", Target::Opportunity, batch);
    if opp.is_none() {
        row.required("opportunity_id");
    }
    let tag = need(row, "tag", |r, c| r.enum_value::<StuckTag>(c));
    let set_at = need(row, "set_at", |r, c| r.instant(c));
    let review_session_id = session_ref(row, batch);
    if let (Some(opp), Some(tag), Some(set_at)) = (opp, tag, set_at) {
        batch.tags.push(DealTag {
            opportunity_id: OppId(opp.into()),
            tag,
            note: row.string("note"),
            set_at,
            review_session_id,
        });
    }
}

pub(super) fn action_item(row: &mut Row<'_>, batch: &mut Batch) {
    let id = need(row, "id", |r, c| r.int(c));
    let opportunity_id =
        reference(row, "opportunity_id", Target::Opportunity, batch).map(OppId::from);
    let owner = reference(row, "owner_id", Target::Rep, batch);
    if owner.is_none() {
        row.required("owner_id");
    }
    let text = row.required("text");
    let due_date = row.date("due_date");
    let created_at = need(row, "created_at", |r, c| r.instant(c));
    let done_at = row.instant("done_at");
    let review_session_id = session_ref(row, batch);
    if let (Some(id), Some(owner), Some(created_at)) = (id, owner, created_at) {
        batch.action_items.push(ActionItem {
            id,
            opportunity_id,
            owner_id: RepId(owner.into()),
            text,
            due_date,
            created_at,
            done_at,
            review_session_id,
        });
    }
}

/// The round trip's state a backup restores (SPEC §12): each deal's CRM
/// record, the CRM's last activity dates and the local edits, written as
/// they were (an import of pipedeck's own set settles no edit).
#[derive(Debug, Clone, Default)]
pub struct Restored {
    pub records: Vec<crate::domain::crm::CrmRecord>,
    pub last_touch: Vec<(OppId, chrono::DateTime<chrono::Utc>)>,
    pub edits: Vec<crate::domain::crm::LocalEdit>,
}

impl Restored {
    pub fn len(&self) -> usize {
        self.records.len() + self.last_touch.len() + self.edits.len()
    }
}

/// A deal's id, a required reference.
fn deal_ref(row: &mut Row<'_>, batch: &mut Batch) -> Option<OppId> {
    let opp = reference(row, "opportunity_id", Target::Opportunity, batch);
    if opp.is_none() {
        row.required("opportunity_id");
    }
    opp.map(OppId::from)
}

pub(super) fn crm_record(row: &mut Row<'_>, batch: &mut Batch) {
    let opp = deal_ref(row, batch);
    let crm = need(row, "crm", |r, c| {
        r.enum_value::<crate::domain::crm::Crm>(c)
    });
    let crm_id = row.required("crm_id");
    let imported_at = need(row, "imported_at", |r, c| r.instant(c));
    if let (Some(opportunity_id), Some(crm), Some(imported_at)) = (opp, crm, imported_at) {
        batch.restored.records.push(crate::domain::crm::CrmRecord {
            opportunity_id,
            crm,
            crm_id,
            imported_at,
        });
    }
}

pub(super) fn crm_last_touch(row: &mut Row<'_>, batch: &mut Batch) {
    let opp = deal_ref(row, batch);
    let at = need(row, "touched_at", |r, c| r.instant(c));
    if let (Some(opp), Some(at)) = (opp, at) {
        batch.restored.last_touch.push((opp, at));
    }
}

pub(super) fn local_edit(row: &mut Row<'_>, batch: &mut Batch) {
    use crate::domain::crm::{PendingState, SyncField};
    let opp = deal_ref(row, batch);
    let field = need(row, "field", |r, c| r.enum_value::<SyncField>(c));
    let edited_at = need(row, "edited_at", |r, c| r.instant(c));
    let state = need(row, "state", |r, c| {
        r.parse_with(c, |v| {
            PendingState::parse(v)
                .ok_or_else(|| format!("{v:?} is not one of pending, seen, overwritten"))
        })
    });
    let resolved_at = row.instant("resolved_at");
    // Values as the edit stores them; amounts are written as decimals.
    let value = |row: &mut Row<'_>, c: &str| match field {
        Some(SyncField::Amount) => row.money(c).map(|m| m.0.to_string()),
        _ => row.string(c),
    };
    let (local, base) = (value(row, "local_value"), value(row, "base_value"));
    if let (Some(opp), Some(field), Some(edited_at), Some(state)) = (opp, field, edited_at, state) {
        batch.restored.edits.push(crate::domain::crm::LocalEdit {
            deal: opp.as_str().to_string(),
            field,
            local,
            base,
            edited_at,
            state,
            resolved_at,
        });
    }
}
