//! The closing report of a review session (SPEC §7): what the meeting
//! changed, from the history rows, activities, snoozes, tags and action items
//! that carry the session's id.

use super::super::hygiene::hygiene;
use super::super::model::{
    ActionItem, ActivityKind, Dataset, HistoryEntry, HistoryField, OppId, RepId, ReviewSession,
    Stage, StageKind, Status,
};
use super::super::money::Money;
use super::super::period::Calendar;
use super::super::settings::Settings;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A deal closed in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedLine {
    pub opportunity_id: OppId,
    pub name: String,
    pub owner_id: RepId,
    pub status: Status,
    #[serde(serialize_with = "crate::domain::money::major::opt::serialize")]
    pub amount: Option<Money>,
    pub loss_reason: Option<String>,
}

/// Changes of one field made in the session to deals not closed by them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldCount {
    pub field: HistoryField,
    /// History rows of the field.
    pub changes: usize,
    /// Distinct deals they touch.
    pub deals: usize,
}

/// One field of one deal the session changed: its value before the
/// session's first change and after its last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealChange {
    pub opportunity_id: OppId,
    pub name: String,
    pub owner_id: RepId,
    pub field: HistoryField,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// What is left open for one rep when the session ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOpen {
    pub rep_id: RepId,
    pub name: String,
    /// Hygiene to-do items (snoozed deals not counted).
    pub hygiene_items: usize,
    /// Action items not done.
    pub action_items: usize,
}

/// The closing report of one review session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClosingReport {
    pub session_id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    /// Whole minutes from start to end.
    pub minutes: i64,
    pub closed: Vec<ClosedLine>,
    /// Distinct deals edited in the session, closes excluded.
    pub deals_updated: usize,
    /// Per field, in field order; closes (status and the stage/category they set) excluded.
    pub updated_by_field: Vec<FieldCount>,
    /// Every deal changed, per field, old → new (closes excluded), by deal then field.
    pub changes: Vec<DealChange>,
    pub activities_logged: usize,
    pub calls: usize,
    pub emails: usize,
    pub meetings: usize,
    /// Distinct contacts of the activities logged.
    pub contacts_touched: usize,
    pub snoozes: usize,
    pub tags: usize,
    pub action_items: Vec<ActionItem>,
    pub left_open: Vec<LeftOpen>,
}

/// The closing report of `session`, ending at `ended_at`; "left open" is
/// the hygiene to-do list and open action items on `today`.
pub fn closing_report(
    data: &Dataset,
    stages: &[Stage],
    session: &ReviewSession,
    ended_at: DateTime<Utc>,
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
) -> ClosingReport {
    let sid = Some(session.id);
    let rows: Vec<_> = data
        .history
        .iter()
        .filter(|h| h.review_session_id == sid)
        .collect();
    // A close writes status, the terminal stage and category `closed`: those rows are the close.
    let is_close = |h: &HistoryEntry| match h.field {
        HistoryField::Status => true,
        HistoryField::Stage => h.new_value.as_deref().is_some_and(|v| {
            stages
                .iter()
                .any(|s| s.name == v && s.kind != StageKind::Open)
        }),
        HistoryField::ForecastCategory => h.new_value.as_deref() == Some("closed"),
        _ => false,
    };
    let deals = data.opportunities_by_id();
    let mut closed: Vec<ClosedLine> = rows
        .iter()
        .filter(|h| {
            h.field == HistoryField::Status
                && matches!(h.new_value.as_deref(), Some("won") | Some("lost"))
        })
        .filter_map(|h| deals.get(&h.opportunity_id).copied())
        .map(|o| ClosedLine {
            opportunity_id: o.id.clone(),
            name: o.name.clone(),
            owner_id: o.owner_id.clone(),
            status: o.status,
            amount: o.amount,
            loss_reason: o.loss_reason.clone(),
        })
        .collect();
    closed.sort_by(|a, b| a.opportunity_id.cmp(&b.opportunity_id));
    closed.dedup_by(|a, b| a.opportunity_id == b.opportunity_id);

    let edits: Vec<_> = rows.iter().filter(|h| !is_close(h)).collect();
    let mut per_field: BTreeMap<HistoryField, (usize, BTreeSet<&OppId>)> = BTreeMap::new();
    for h in &edits {
        let e = per_field.entry(h.field).or_default();
        e.0 += 1;
        e.1.insert(&h.opportunity_id);
    }
    // History is in `changed_at` order: the first row of a (deal, field)
    // holds the old value, the last one the new.
    type OldNew = (Option<String>, Option<String>);
    let mut by_deal: BTreeMap<(&OppId, HistoryField), OldNew> = BTreeMap::new();
    for h in &edits {
        by_deal
            .entry((&h.opportunity_id, h.field))
            .and_modify(|e| e.1 = h.new_value.as_deref().map(str::to_string))
            .or_insert((
                h.old_value.as_deref().map(str::to_string),
                h.new_value.as_deref().map(str::to_string),
            ));
    }
    let changes: Vec<DealChange> = by_deal
        .into_iter()
        .filter(|(_, (old, new))| old != new)
        .map(|((id, field), (old_value, new_value))| {
            let o = deals.get(id);
            DealChange {
                opportunity_id: id.clone(),
                name: o.map_or_else(String::new, |o| o.name.clone()),
                owner_id: o.map_or_else(|| RepId(String::new().into()), |o| o.owner_id.clone()),
                field,
                old_value,
                new_value,
            }
        })
        .collect();
    let deals_updated = edits
        .iter()
        .map(|h| &h.opportunity_id)
        .collect::<BTreeSet<_>>()
        .len();

    let acts: Vec<_> = data
        .activities
        .iter()
        .filter(|a| a.review_session_id == sid)
        .collect();
    let kind = |k: ActivityKind| acts.iter().filter(|a| a.kind == k).count();

    let items = hygiene(data, stages, settings, cal, today);
    let mut left: BTreeMap<RepId, (usize, usize)> = BTreeMap::new();
    for i in items.iter().filter(|i| i.is_todo()) {
        left.entry(i.owner_id.clone()).or_default().0 += 1;
    }
    for a in data.action_items.iter().filter(|a| a.done_at.is_none()) {
        left.entry(a.owner_id.clone()).or_default().1 += 1;
    }
    // Every active AE and SDR is listed, with nothing left open too.
    for r in data.reps.iter().filter(|r| {
        r.is_active_on(today)
            && matches!(
                r.role,
                super::super::model::Role::Ae | super::super::model::Role::Sdr
            )
    }) {
        left.entry(r.id.clone()).or_default();
    }
    ClosingReport {
        session_id: session.id,
        started_at: session.started_at,
        ended_at,
        minutes: (ended_at - session.started_at).num_minutes(),
        closed,
        deals_updated,
        updated_by_field: per_field
            .into_iter()
            .map(|(field, (changes, deals))| FieldCount {
                field,
                changes,
                deals: deals.len(),
            })
            .collect(),
        changes,
        activities_logged: acts.len(),
        calls: kind(ActivityKind::Call),
        emails: kind(ActivityKind::Email),
        meetings: kind(ActivityKind::Meeting),
        contacts_touched: acts
            .iter()
            .filter_map(|a| a.contact_id.as_ref())
            .collect::<BTreeSet<_>>()
            .len(),
        snoozes: data
            .snoozes
            .iter()
            .filter(|s| s.review_session_id == sid)
            .count(),
        tags: data
            .tags
            .iter()
            .filter(|t| t.review_session_id == sid)
            .count(),
        action_items: data
            .action_items
            .iter()
            .filter(|a| a.review_session_id == sid)
            .cloned()
            .collect(),
        left_open: left
            .into_iter()
            .map(|(rep_id, (h, a))| LeftOpen {
                name: data
                    .rep(&rep_id)
                    .map_or_else(|| rep_id.0.to_string(), |r| r.name.clone()),
                rep_id,
                hygiene_items: h,
                action_items: a,
            })
            .collect(),
    }
}
