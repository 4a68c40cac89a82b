//! Salesforce `Task` and `Event` rows as activities: a Task whose
//! TaskSubtype (or Type) is Call or Email becomes a call or an email, an Event
//! a meeting; other tasks (to-dos) are skipped.

use super::detect::SfKind;
use super::salesforce::{Read, UNASSIGNED};
use super::sf_values as sf;
use super::table::Row;
use super::{Batch, Context, Target};
use crate::domain::model::*;

/// A Task that is a call or an email, or an Event (a meeting); other tasks
/// (to-dos) are skipped.
pub(super) fn activity_row(
    row: &mut Row<'_>,
    kind: SfKind,
    ctx: &Context<'_>,
    read: &mut Read,
    batch: &mut Batch,
) {
    let Some(id) = sf::id(row.text("Id")) else {
        return;
    };
    let activity_kind = if kind == SfKind::Event {
        ActivityKind::Meeting
    } else {
        match row
            .text_any(&["TaskSubtype", "Type"])
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("call") => ActivityKind::Call,
            Some("email") => ActivityKind::Email,
            _ => return,
        }
    };
    let when_cols: &[&str] = if kind == SfKind::Event {
        &[
            "StartDateTime",
            "ActivityDateTime",
            "ActivityDate",
            "CreatedDate",
        ]
    } else {
        &["CompletedDateTime", "ActivityDate", "CreatedDate"]
    };
    let Some(col) = when_cols.iter().find(|c| row.text(c).is_some()) else {
        row.fail(when_cols[0], "no date or time for this activity".into());
        return;
    };
    let Some(occurred_at) = row.parse_with(col, |v| sf::instant(v, ctx.cal)) else {
        return;
    };
    let owner = sf::id(row.text("OwnerId")).unwrap_or_else(|| UNASSIGNED.to_string());
    read.owners.push(owner.clone());
    let what = sf::id(row.text("WhatId"));
    let opportunity_id = what.clone().filter(|w| w.starts_with("006"));
    let account_id = sf::id(row.text("AccountId")).or(what.filter(|w| w.starts_with("001")));
    let contact_id = sf::id(row.text("WhoId")).filter(|w| w.starts_with("003"));
    for (col, target, v) in [
        ("WhatId", Target::Opportunity, &opportunity_id),
        ("AccountId", Target::Account, &account_id),
        ("WhoId", Target::Contact, &contact_id),
    ] {
        if let Some(v) = v {
            batch.refer(row.loc(col), target, v);
        }
    }
    let duration_min = if kind == SfKind::Event {
        row.minutes("DurationInMinutes", 1)
    } else {
        row.minutes("CallDurationInSeconds", 60)
    };
    let direction = match row.text("CallType").map(str::to_ascii_lowercase).as_deref() {
        Some("inbound") => Some(Direction::Inbound),
        Some("outbound") => Some(Direction::Outbound),
        _ if activity_kind == ActivityKind::Email => Some(Direction::Outbound),
        _ => None,
    };
    batch.activities.push(Activity {
        id: ActivityId(id.into()),
        rep_id: RepId(owner.into()),
        kind: activity_kind,
        meeting_type: None,
        label: row.string("Subject"),
        opportunity_id: opportunity_id.map(OppId::from),
        account_id: account_id.map(AccountId::from),
        contact_id: contact_id.map(ContactId::from),
        occurred_at,
        outcome: None,
        duration_min,
        direction,
        review_session_id: None,
    });
}
