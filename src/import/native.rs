//! pipedeck's own CSV set (SPEC §10.1): header required, columns in any
//! order, unknown columns an error, required columns enforced.

use super::detect::NativeKind;
use super::table::{FirstSeen, Row, Table};
use super::{Batch, Context, RowError, Target};
use crate::domain::edit::ActivityRule;
use crate::domain::model::*;
use crate::storage::{StorageError, Store};
use std::collections::HashMap;

use super::native_ext::{self, action_item, goal, review_session, snooze, tag};
pub(super) use super::native_ext::{SnapshotDeals, snapshot_row};
use super::native_stages;

/// Parses every native file, in load order (reps … activities).
pub fn build(
    files: &mut [(NativeKind, &Table)],
    ctx: &Context<'_>,
    batch: &mut Batch,
    errors: &mut Vec<RowError>,
) {
    files.sort_by_key(|(k, t)| (*k, t.file.clone()));
    // Where each id of a kind was first read, over every file of the import:
    // an id twice would make the last row win silently, by file order.
    let mut seen = FirstSeen::default();
    let mut snapshot_deals = SnapshotDeals::new();
    // And each goal (role, metric, period): which of two targets applied
    // would be the file's order, said nowhere.
    let mut goals_seen = FirstSeen::default();
    let known_before = batch.known.take();
    let mut previous = None;
    for (kind, t) in files.iter() {
        if !check_header(*kind, t, errors) {
            continue;
        }
        if previous != Some(*kind) {
            if refers_back(previous, *kind) {
                batch.known = None;
                let known = super::stream::Known::new(batch, ctx);
                batch.known = Some(std::sync::Arc::new(known));
            }
            previous = Some(*kind);
        }
        let deals_from = batch.opportunities.len();
        let mut lines = Vec::new();
        for mut row in t.rows() {
            let key = if *kind == NativeKind::Stages {
                "name"
            } else {
                "id"
            };
            let id = row.text(key).filter(|_| *kind != NativeKind::History);
            if let Some(id) = id {
                row.visible_id(key, id);
                if let Some(first) = seen.before((*kind, id), &t.file, row.line) {
                    row.fail(key, format!("id {id:?} appears twice (first {first})"));
                }
            }
            match kind {
                NativeKind::Stages => native_stages::stage(&mut row, ctx, batch),
                NativeKind::Reps => rep(&mut row, batch),
                NativeKind::Accounts => account(&mut row, batch),
                NativeKind::Contacts => contact(&mut row, batch),
                NativeKind::Opportunities => {
                    opportunity(&mut row, ctx, batch);
                    lines.resize(batch.opportunities.len() - deals_from, row.line);
                }
                NativeKind::History => history(&mut row, batch),
                NativeKind::Activities => activity(&mut row, batch),
                NativeKind::Goals => {
                    let before = batch.goals.len();
                    goal(&mut row, batch);
                    if let Some(g) = batch.goals.get(before)
                        && let Some(first) = goals_seen.before(
                            (g.role, g.metric.clone(), g.period),
                            &t.file,
                            row.line,
                        )
                    {
                        let twice = format!(
                            "the goal of {} on {} per {} appears twice (first {first})",
                            g.role, g.metric, g.period
                        );
                        row.fail("metric", twice);
                    }
                }
                NativeKind::ReviewSessions => review_session(&mut row, batch),
                NativeKind::Snapshots => {
                    let read = snapshot_row(&mut row, batch);
                    let line = row.line;
                    snapshot_deals.check(&mut row, read, &t.file, line);
                }
                NativeKind::Snoozes => snooze(&mut row, batch),
                NativeKind::Tags => tag(&mut row, batch),
                NativeKind::ActionItems => action_item(&mut row, batch),
                NativeKind::CrmRecords => native_ext::crm_record(&mut row, batch),
                NativeKind::CrmLastTouch => native_ext::crm_last_touch(&mut row, batch),
                NativeKind::LocalEdits => native_ext::local_edit(&mut row, batch),
            }
            if let Err(mut e) = row.finish() {
                errors.append(&mut e);
            }
        }
        if *kind == NativeKind::Opportunities {
            let range = deals_from..batch.opportunities.len();
            batch.deal_lines.push((range, t.file.clone(), lines));
            let absent: Vec<&'static str> = kind
                .columns()
                .iter()
                .copied()
                .filter(|c| !t.has(c) && !kind.required().contains(c))
                .collect();
            if !absent.is_empty() {
                let range = deals_from..batch.opportunities.len();
                batch.partial_deals.push((range, absent));
            }
        }
    }
    batch.known = known_before;
}

/// Whether the ids the batch and the database hold are made known anew
/// before the first file of `kind`, read after a file of `previous`: so a
/// reference to one is not kept to be checked at the end (the 200k deals
/// of the independent org kept 600k, 160 MB, until then). Ids only join
/// the batch, so a reference known then is known at the end. Only the
/// kinds after accounts refer to a kind read before them, and only reps,
/// accounts, contacts and deals add ids: at most three times (each copies
/// the database's ids too).
fn refers_back(previous: Option<NativeKind>, kind: NativeKind) -> bool {
    use NativeKind::*;
    kind > Accounts && previous.is_some_and(|p| (Reps..=Opportunities).contains(&p))
}

/// Unknown columns and missing required columns are header errors.
pub(super) fn check_header(kind: NativeKind, t: &Table, errors: &mut Vec<RowError>) -> bool {
    let before = errors.len();
    for (i, h) in t.headers.iter().enumerate() {
        if !kind.columns().contains(&h.as_str()) {
            errors.push(t.header_error(
                i,
                format!(
                    "unknown column {h:?} for {}.csv (known: {})",
                    kind.name(),
                    kind.columns().join(", ")
                ),
            ));
        }
    }
    for c in kind.required() {
        if !t.has(c) {
            errors.push(t.file_error(format!(
                "required column {c:?} is missing for {}.csv",
                kind.name()
            )));
        }
    }
    errors.len() == before
}

/// Reads `column` as an id and records a reference to it.
pub(super) fn reference(
    row: &Row<'_>,
    column: &str,
    target: Target,
    batch: &mut Batch,
) -> Option<String> {
    let id = row.string(column)?;
    batch.refer_from(row, column, target, &id);
    Some(id)
}

/// A review session's number, checked to name a session of the import or
/// the database.
pub(super) fn session_ref(row: &mut Row<'_>, batch: &mut Batch) -> Option<i64> {
    let id = row.int("review_session_id")?;
    batch.refer_from(
        row,
        "review_session_id",
        Target::ReviewSession,
        &id.to_string(),
    );
    Some(id)
}

fn rep(row: &mut Row<'_>, batch: &mut Batch) {
    let id = row.required("id");
    let name = row.required("name");
    let role = match row.text("role") {
        Some(_) => row.enum_value::<Role>("role"),
        None => {
            row.required("role");
            None
        }
    };
    // The column is required; an empty value is an unknown start (treated as
    // ramped), which sets without start dates need to round-trip.
    let start_date = row.date("start_date");
    let end_date = row.date("end_date");
    let (quota_amount, quota_meetings) = match role {
        Some(Role::Sdr) => (None, row.int("quota")),
        _ => (row.money("quota"), None),
    };
    let manager_id = reference(row, "manager_id", Target::Rep, batch).map(RepId::from);
    let Some(role) = role else { return };
    batch.reps.push(Rep {
        id: RepId(id.into()),
        name,
        email: row.string("email"),
        role,
        team: row.string("team"),
        manager_id,
        start_date,
        end_date,
        quota_amount,
        quota_meetings,
    });
}

fn account(row: &mut Row<'_>, batch: &mut Batch) {
    let id = row.required("id");
    let name = row.required("name");
    let icp_tier = row.parse_with("icp_tier", |v| match v {
        "A" | "B" | "C" => Ok(v.to_string()),
        _ => Err(format!("{v:?} is not an ICP tier (A, B or C)")),
    });
    let employees = row.int("employees");
    batch.accounts.push(Account {
        id: AccountId(id.into()),
        name,
        segment: row.string("segment"),
        icp_tier,
        industry: row.string("industry"),
        employees,
    });
}

fn contact(row: &mut Row<'_>, batch: &mut Batch) {
    let id = row.required("id");
    let name = row.required("name");
    let account_id = reference(row, "account_id", Target::Account, batch).map(AccountId::from);
    batch.contacts.push(Contact {
        id: ContactId(id.into()),
        account_id,
        name,
        title: row.string("title"),
    });
}

fn opportunity(row: &mut Row<'_>, ctx: &Context<'_>, batch: &mut Batch) {
    let id = row.required("id");
    let name = row.required("name");
    let owner = row.required("owner_id");
    if !owner.is_empty() {
        batch.refer_from(row, "owner_id", Target::Rep, &owner);
    }
    let account_id = reference(row, "account_id", Target::Account, batch).map(AccountId::from);
    let source_rep_id = reference(row, "source_rep_id", Target::Rep, batch).map(RepId::from);
    let stage = row.required("stage");
    let kind = batch
        .stages
        .iter()
        .find(|s| s.name == stage)
        .map(|s| s.kind)
        .or_else(|| ctx.stage_kind(&stage));
    if kind.is_none() && !stage.is_empty() {
        row.fail(
            "stage",
            format!("unknown stage {stage:?} (not in the configured stages nor the database)"),
        );
    }
    let stage_status = match kind {
        Some(StageKind::Won) => Status::Won,
        Some(StageKind::Lost) => Status::Lost,
        _ => Status::Open,
    };
    let given = row.enum_value::<Status>("status");
    if let (Some(given), Some(_)) = (given, kind)
        && given != stage_status
    {
        row.fail(
            "status",
            format!("status {given} contradicts stage {stage:?}, which is {stage_status}"),
        );
    }
    let status = given.unwrap_or(stage_status);
    let close_date = row.date("close_date");
    // A file without either column leaves a deal the database holds its own
    // (`keep_absent_columns`).
    let left_out = !row.has("closed_at")
        && !row.has("close_date")
        && ctx.existing.opportunities.contains(id.as_str());
    // A closed deal without its closing instant closes at the start of its
    // close date; with neither it would count in no period, so it is an error.
    let closed_at = row.instant("closed_at").or_else(|| {
        if !status.is_closed() || left_out {
            return None;
        }
        if close_date.is_none() {
            row.fail(
                "closed_at",
                format!("a {status} deal needs closed_at (or at least close_date)"),
            );
        }
        close_date.map(|d| ctx.cal.start_of(d))
    });
    let created_at = row.instant("created_at");
    if let (Some(c), Some(cl)) = (created_at, closed_at)
        && cl < c
    {
        row.warn(
            "closed_at",
            format!(
                "closed at {}, before it was created at {} (implausible)",
                cl.format("%Y-%m-%d %H:%M"),
                c.format("%Y-%m-%d %H:%M")
            ),
        );
    }
    // A deal created or closed after today: a backup keeps it as it is (a
    // CRM's closed deal closes now instead, `plausible::no_future_closes`),
    // with a warning. Days, not instants: the clock's time of day is not
    // the file's.
    let today = ctx.cal.local_date(ctx.now);
    if let Some(c) = created_at.filter(|c| ctx.cal.local_date(*c) > today) {
        row.warn(
            "created_at",
            format!(
                "created on {}, after today (implausible)",
                ctx.cal.local_date(c)
            ),
        );
    }
    if let Some(cl) = closed_at.filter(|cl| status.is_closed() && ctx.cal.local_date(*cl) > today) {
        row.warn(
            "closed_at",
            format!(
                "{status} on {}, after today (implausible)",
                ctx.cal.local_date(cl)
            ),
        );
    }
    let opp = Opportunity {
        id: OppId(id.into()),
        name,
        account_id,
        owner_id: RepId(owner.into()),
        source_rep_id,
        created_at,
        stage,
        amount: row.money("amount"),
        list_amount: row.money("list_amount"),
        close_date,
        forecast_category: row.enum_value("forecast_category"),
        status,
        closed_at,
        loss_reason: row.string("loss_reason"),
        next_step: row.string("next_step"),
        next_step_date: row.date("next_step_date"),
        channel: row.string("channel"),
    };
    batch.opportunities.push(opp);
}

/// A history value in its canonical stored text: amounts in cents, dates
/// `YYYY-MM-DD`, category and status names. Amounts and dates are read as
/// the deal's own columns are, so an impossible one (a negative amount, the
/// year 9999) is refused and an implausible date warned of.
fn canonical_value(row: &mut Row<'_>, column: &str, field: HistoryField) -> Option<String> {
    match field {
        HistoryField::Amount => row.money(column).map(|m| m.cents().to_string()),
        HistoryField::CloseDate | HistoryField::NextStepDate => {
            row.date(column).map(|d| d.format("%Y-%m-%d").to_string())
        }
        HistoryField::ForecastCategory => row.parse_with(column, |v| {
            v.parse::<ForecastCategory>()
                .map(|c| c.as_str().to_string())
        }),
        HistoryField::Status => row.parse_with(column, |v| {
            v.parse::<Status>().map(|c| c.as_str().to_string())
        }),
        HistoryField::Stage | HistoryField::OwnerId | HistoryField::NextStep => row.string(column),
    }
}

pub(super) fn history(row: &mut Row<'_>, batch: &mut Batch) {
    let opp = row.required("opportunity_id");
    if !opp.is_empty() {
        batch.refer_from(row, "opportunity_id", Target::Opportunity, &opp);
    }
    let changed_at = row.instant("changed_at");
    if row.text("changed_at").is_none() {
        row.required("changed_at");
    }
    let field = row.enum_value::<HistoryField>("field");
    if row.text("field").is_none() {
        row.required("field");
    }
    if row.text("new_value").is_none() {
        row.required("new_value");
    }
    let (Some(changed_at), Some(field)) = (changed_at, field) else {
        return;
    };
    super::plausible::ahead_of_today(row, "changed_at", changed_at);
    let old_value = canonical_value(row, "old_value", field);
    let new_value = canonical_value(row, "new_value", field);
    let review_session_id = session_ref(row, batch);
    batch.history.push(HistoryEntry {
        opportunity_id: OppId(opp.into()),
        changed_at,
        field,
        old_value: old_value.map(Into::into),
        new_value: new_value.map(Into::into),
        changed_by: row.string("changed_by").map(Into::into),
        review_session_id,
    });
}

pub(super) fn activity(row: &mut Row<'_>, batch: &mut Batch) {
    let id = row.required("id");
    let rep = row.required("rep_id");
    if !rep.is_empty() {
        batch.refer_from(row, "rep_id", Target::Rep, &rep);
    }
    let kind = row.enum_value::<ActivityKind>("kind");
    if row.text("kind").is_none() {
        row.required("kind");
    }
    let occurred_at = row.instant("occurred_at");
    if row.text("occurred_at").is_none() {
        row.required("occurred_at");
    }
    let opportunity_id =
        reference(row, "opportunity_id", Target::Opportunity, batch).map(OppId::from);
    let account_id = reference(row, "account_id", Target::Account, batch).map(AccountId::from);
    let contact_id = reference(row, "contact_id", Target::Contact, batch).map(ContactId::from);
    let meeting_type = row.enum_value("meeting_type");
    let outcome = row.enum_value("outcome");
    let duration_min = row.minutes("duration_min", 1);
    let direction = row.enum_value("direction");
    let review_session_id = session_ref(row, batch);
    let (Some(kind), Some(occurred_at)) = (kind, occurred_at) else {
        return;
    };
    super::plausible::ahead_of_today(row, "occurred_at", occurred_at);
    // What `log` refuses, a file's row only makes implausible: it lands as
    // read, and each rule counts it by its kind (a call `held` is a call
    // that did not connect, and no meeting held).
    for misfit in crate::domain::edit::misfits(kind, outcome, meeting_type, duration_min) {
        let column = match misfit {
            ActivityRule::Outcome(..) => "outcome",
            ActivityRule::MeetingType(_) => "meeting_type",
            _ => "duration_min",
        };
        row.warn(column, format!("{misfit} (implausible; kept as read)"));
    }
    batch.activities.push(Activity {
        id: ActivityId(id.into()),
        rep_id: RepId(rep.into()),
        kind,
        meeting_type,
        label: row.string("label"),
        opportunity_id,
        account_id,
        contact_id,
        occurred_at,
        outcome,
        duration_min,
        direction,
        review_session_id,
    });
}

/// A deal the database holds, read from a native file that leaves out some
/// optional columns, keeps the database's values there: a file of a few
/// columns (`id,name,owner_id,stage,amount`) updates those, and wipes
/// nothing else. The closed instant and loss reason follow the status when
/// the file says the deal is closed the same way.
pub fn keep_absent_columns(
    store: &Store,
    batch: &mut Batch,
    cal: &crate::domain::period::Calendar,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StorageError> {
    if batch.partial_deals.is_empty() && batch.origins.is_empty() {
        return Ok(());
    }
    let absent = batch.absent_columns();
    let from_crm: std::collections::HashSet<String> =
        batch.origins.iter().map(|o| o.opp.to_string()).collect();
    // The deals of the files read once: those that leave columns out, and
    // a CRM's, whose closed instants the database holds are kept
    // (`round_trip::keep_closed_instants`).
    let mut held: HashMap<String, Opportunity> = HashMap::new();
    let mut closed = HashMap::new();
    let ids: std::collections::BTreeSet<&str> = absent
        .keys()
        .map(String::as_str)
        .chain(from_crm.iter().map(String::as_str))
        .collect();
    store.each_opportunity_of(ids.into_iter(), |o| {
        if let (true, true, Some(at)) = (
            from_crm.contains(o.id.as_str()),
            o.status.is_closed(),
            o.closed_at,
        ) {
            closed.insert(o.id.to_string(), (o.status, at));
        }
        held.insert(o.id.to_string(), o);
    })?;
    for o in batch.opportunities.iter_mut() {
        let (Some(columns), Some(db)) = (absent.get(o.id.as_str()), held.remove(o.id.as_str()))
        else {
            continue;
        };
        // A CRM file without a status column (Pipedrive's can be exported
        // so) keeps the deal's status, and a closed deal its close whole.
        // Natively the stage gives the status: never kept this way.
        if columns.contains(&"status") && from_crm.contains(o.id.as_str()) && db.status != o.status
        {
            o.status = db.status;
            if db.status.is_closed() {
                o.stage = db.stage.clone();
                o.closed_at = db.closed_at;
                o.forecast_category = db.forecast_category;
                o.loss_reason = db.loss_reason.clone();
            }
        }
        let same_close = db.status == o.status;
        for c in columns {
            match *c {
                "account_id" => o.account_id = db.account_id.clone(),
                // Only a CRM's file may leave the owner out (natively it is required).
                "owner_id" => o.owner_id = db.owner_id.clone(),
                "source_rep_id" => o.source_rep_id = db.source_rep_id.clone(),
                "created_at" => o.created_at = db.created_at,
                "amount" => o.amount = db.amount,
                "list_amount" => o.list_amount = db.list_amount,
                "close_date" => o.close_date = db.close_date,
                // `closed` is a closed deal's category, and only its: kept
                // while the deal stays as it was, set when this file closes
                // it, left empty when it reopens one.
                "forecast_category" if same_close => o.forecast_category = db.forecast_category,
                "forecast_category" if o.status.is_closed() => {
                    o.forecast_category = Some(ForecastCategory::Closed)
                }
                "closed_at" if same_close => o.closed_at = db.closed_at,
                "loss_reason" if same_close => o.loss_reason = db.loss_reason.clone(),
                "next_step" => o.next_step = db.next_step.clone(),
                // A date is its step's: kept while the step is.
                "next_step_date" if o.next_step == db.next_step => {
                    o.next_step_date = db.next_step_date
                }
                "channel" => o.channel = db.channel.clone(),
                _ => {}
            }
        }
        // A CRM file without a close date that closes the deal gave it its
        // creation as the closed instant (`crm_values::closed_fallback`):
        // the database's close date says better when it should have closed.
        let crm_fallback = from_crm.contains(o.id.as_str())
            && columns.contains(&"close_date")
            && db.status == Status::Open
            && o.status.is_closed()
            && o.closed_at.is_some()
            && o.closed_at == o.created_at;
        if crm_fallback {
            let at = super::crm_values::closed_fallback(db.close_date, o.created_at, cal);
            o.closed_at = at.map(|t| t.min(now).max(o.created_at.unwrap_or(t)));
        }
        // Closed by this file, with no instant in it: at the start of the
        // close date (the database's), as a row with a close date alone, and
        // no later than the import (it is closed by then).
        if o.status.is_closed() && o.closed_at.is_none() {
            let day = o.close_date.map(|d| cal.start_of(d));
            o.closed_at = Some(day.map_or(now, |t| t.min(now)));
        }
    }
    super::round_trip::keep_closed_instants(batch, &closed);
    // The placeholder owner a CRM file without an owner column made
    // ("unassigned"), when every deal kept its owner and nothing else names it.
    let (opps, acts) = (&batch.opportunities, &batch.activities);
    batch.reps.retain(|r| {
        r.id.as_str() != super::salesforce::UNASSIGNED
            || opps.iter().any(|o| o.owner_id == r.id)
            || acts.iter().any(|a| a.rep_id == r.id)
    });
    Ok(())
}
