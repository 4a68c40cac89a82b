//! Pipedrive deals exports: `Deal - …` headers (`Deal - ID`, `Deal - Title`,
//! `Deal - Owner`, `Deal - Value`, `Deal - Currency of Value`, `Deal -
//! Organization`, `Deal - Pipeline`, `Deal - Stage`, `Deal - Status`, `Deal -
//! Deal created`, `Deal - Expected close date`, `Deal - Won time`, `Deal -
//! Lost time`, `Deal - Lost reason`, `Deal - Next activity date`, `Deal -
//! Last activity date`, …). Headers vary by language and export path: they
//! are matched ignoring case, spacing, punctuation and the `Deal - ` prefix,
//! with the known variants (`Deal - Currency`, `Deal - Creation date`, `Deal
//! - Closed on`, `Organisation`). Other columns are ignored.
//!
//! Pipedrive's stages are all open; Won and Lost are the deal's status. A
//! won (lost) deal goes to the first won (lost) stage of the database or the
//! config (`Won` / `Lost` registered when there is none), and its history
//! records the move from its Pipedrive stage.

use super::crm_values::{self as cv, SeenStage};
use super::currency;
use super::owners::Owners;
use super::table::{Row, Table};
use super::{Batch, Context, RowError};
use crate::domain::crm::Crm;
use crate::domain::model::*;
use std::collections::HashMap;

/// Who synthesized history rows are attributed to.
pub const CHANGED_BY: &str = "pipedrive";

/// A header with the `Deal - ` prefix dropped, then [`cv::norm`]ed.
pub fn key(header: &str) -> String {
    let h = header.trim();
    let lower = h.to_lowercase();
    let rest = lower
        .strip_prefix("deal")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix(['-', '–', '—']))
        .unwrap_or(&lower);
    cv::norm(rest)
}

struct Cols {
    id: Option<String>,
    title: Option<String>,
    owner: Option<String>,
    value: Option<String>,
    currency: Option<String>,
    org: Option<String>,
    stage: Option<String>,
    status: Option<String>,
    created: Option<String>,
    expected_close: Option<String>,
    won_time: Option<String>,
    lost_time: Option<String>,
    closed_on: Option<String>,
    lost_reason: Option<String>,
    next_activity: Option<String>,
    next_subject: Option<String>,
    last_activity: Option<String>,
    probability: Option<String>,
}

impl Cols {
    fn of(t: &Table) -> Cols {
        let f = |aliases: &[&str]| cv::find_column(t, aliases, &key);
        Cols {
            id: f(&["id", "dealid"]),
            title: f(&["title", "dealtitle", "name"]),
            owner: f(&["owner", "dealowner", "ownername", "user"]),
            value: f(&["value", "dealvalue", "amount"]),
            currency: f(&["currencyofvalue", "currency", "valuecurrency"]),
            org: f(&[
                "organization",
                "organisation",
                "organizationname",
                "organisationname",
            ]),
            stage: f(&["stage"]),
            status: f(&["status"]),
            created: f(&[
                "dealcreated",
                "creationdate",
                "dealcreationdate",
                "created",
                "addtime",
            ]),
            expected_close: f(&["expectedclosedate", "closedate"]),
            won_time: f(&["wontime"]),
            lost_time: f(&["losttime"]),
            closed_on: f(&["closedon", "closetime", "dealclosedon"]),
            lost_reason: f(&["lostreason"]),
            next_activity: f(&["nextactivitydate"]),
            next_subject: f(&["nextactivitysubject", "nextactivity"]),
            last_activity: f(&["lastactivitydate"]),
            probability: f(&["probability"]),
        }
    }
}

/// A Pipedrive deals export: an id, a title and a stage, and (unless the
/// format is forced) at least one `Deal - ` header.
pub fn detect(t: &Table, forced: bool) -> bool {
    let prefixed = t
        .headers
        .iter()
        .any(|h| h.trim().to_lowercase().starts_with("deal -") || h.trim().starts_with("Deal –"));
    let c = Cols::of(t);
    (prefixed || forced) && c.id.is_some() && c.title.is_some() && c.stage.is_some()
}

struct Read {
    opp: Opportunity,
    /// The Pipedrive stage (a won/lost deal's last open stage).
    pd_stage: String,
    currency: currency::Priced,
    probability: Option<f64>,
}

pub fn build(files: &[&Table], ctx: &Context<'_>, batch: &mut Batch, errors: &mut Vec<RowError>) {
    let mut deals: Vec<Read> = Vec::new();
    let mut seen: HashMap<String, (String, u64)> = HashMap::new();
    let mut owners = Owners::new(ctx.existing, &batch.reps);
    let mut uncarried = Vec::new();
    for t in files {
        let c = Cols::of(t);
        let mut file_deals = Vec::new();
        for mut row in t.rows() {
            let read = deal_row(&mut row, &c, ctx, &mut seen, &mut owners, batch);
            match (row.finish(), read) {
                (Ok(()), Some(r)) => file_deals.push(r),
                (Err(mut e), _) => errors.append(&mut e),
                (Ok(()), None) => {}
            }
        }
        let currencies: Vec<_> = file_deals.iter_mut().map(|d| d.currency.take()).collect();
        let amounts = file_deals.iter_mut().map(|d| &mut d.opp.amount);
        currency::convert(&currencies, amounts, ctx, t, errors);
        // The next activity's date alone makes a next step.
        let has = [
            ("account_id", c.org.is_some()),
            ("owner_id", c.owner.is_some()),
            ("created_at", c.created.is_some()),
            ("amount", c.value.is_some()),
            ("close_date", c.expected_close.is_some()),
            ("loss_reason", c.lost_reason.is_some()),
            (
                "next_step",
                c.next_subject.is_some() || c.next_activity.is_some(),
            ),
            ("next_step_date", c.next_activity.is_some()),
        ];
        let mut absent = cv::uncarried_of(&has);
        // Without `Deal - Status` every deal reads open: a deal the database
        // holds keeps its status (and the close that goes with it).
        if c.status.is_none() {
            absent.push("status");
        }
        uncarried.push((file_deals.len(), absent));
        deals.extend(file_deals);
    }
    // Open stages in the order first met; then the won and lost stages.
    let mut seen_stages: Vec<SeenStage> = Vec::new();
    for d in &deals {
        if !seen_stages.iter().any(|s| s.name == d.pd_stage) {
            seen_stages.push(SeenStage {
                name: d.pd_stage.clone(),
                kind: ctx.stage_kind(&d.pd_stage).unwrap_or(StageKind::Open),
                probability: d.probability,
            });
        }
    }
    let won = cv::terminal_stage(ctx, StageKind::Won).unwrap_or_else(|| "Won".into());
    let lost = cv::terminal_stage(ctx, StageKind::Lost).unwrap_or_else(|| "Lost".into());
    for (name, kind, used) in [
        (
            &won,
            StageKind::Won,
            deals.iter().any(|d| d.opp.status == Status::Won),
        ),
        (
            &lost,
            StageKind::Lost,
            deals.iter().any(|d| d.opp.status == Status::Lost),
        ),
    ] {
        if used {
            seen_stages.push(SeenStage {
                name: name.clone(),
                kind,
                probability: None,
            });
        }
    }
    cv::register_stages(seen_stages, ctx, batch);
    let from = batch.opportunities.len();
    for mut d in deals {
        let terminal = match d.opp.status {
            Status::Won => Some(&won),
            Status::Lost => Some(&lost),
            Status::Open => None,
        };
        if let Some(stage) = terminal {
            d.opp.stage = stage.clone();
            // A closed deal without an expected close date closed on its closed day.
            if d.opp.close_date.is_none() {
                d.opp.close_date = d.opp.closed_at.map(|t| ctx.cal.local_date(t));
            }
            d.opp.forecast_category = Some(ForecastCategory::Closed);
            if d.opp.closed_at.is_none() {
                d.opp.closed_at = cv::closed_fallback(d.opp.close_date, d.opp.created_at, ctx.cal);
            }
            // The move out of the Pipedrive stage, at the closed instant.
            if let (Some(created), Some(closed)) = (d.opp.created_at, d.opp.closed_at) {
                let row = |at, field, old: Option<String>, new: String| HistoryEntry {
                    opportunity_id: d.opp.id.clone(),
                    changed_at: at,
                    field,
                    old_value: old.map(Into::into),
                    new_value: Some(new.into()),
                    changed_by: Some(CHANGED_BY.into()),
                    review_session_id: None,
                };
                let closed = closed.max(created);
                if !ctx.existing.with_history.contains(d.opp.id.as_str()) {
                    batch
                        .history
                        .push(row(created, HistoryField::Stage, None, d.pd_stage.clone()));
                }
                // Only for a deal new to the database: one it holds keeps
                // the close it has, or is closed from the stage it held
                // (`history::record_changes`), not at a made-up instant again.
                let new_here = !ctx.existing.opportunities.contains(d.opp.id.as_str());
                if new_here && d.pd_stage != d.opp.stage {
                    batch.history.push(row(
                        closed,
                        HistoryField::Stage,
                        Some(d.pd_stage.clone()),
                        d.opp.stage.clone(),
                    ));
                }
                if new_here {
                    batch.history.push(row(
                        closed,
                        HistoryField::Status,
                        Some(Status::Open.as_str().to_string()),
                        d.opp.status.as_str().to_string(),
                    ));
                }
            }
        } else {
            d.opp.closed_at = None;
        }
        if d.opp.status != Status::Lost {
            d.opp.loss_reason = None;
        }
        batch.opportunities.push(d.opp);
    }
    cv::note_uncarried(batch, from, uncarried);
    owners.add_to(batch);
}

fn deal_row(
    row: &mut Row<'_>,
    c: &Cols,
    ctx: &Context<'_>,
    seen: &mut HashMap<String, (String, u64)>,
    owners: &mut Owners,
    batch: &mut Batch,
) -> Option<Read> {
    let col = |o: &Option<String>| o.clone().unwrap_or_default();
    let id_col = col(&c.id);
    let id = row.required(&id_col);
    let title = row.required(&col(&c.title));
    let stage = row.required(&col(&c.stage));
    row.visible(&col(&c.stage), "stage", &stage);
    let status = match c.status.as_deref() {
        Some(s) => row.parse_with(s, |v| match cv::norm(v).as_str() {
            // English, German, French, Spanish, Portuguese.
            "open" | "offen" | "ouvert" | "abierto" | "aberto" => Ok(Some(Status::Open)),
            "won" | "gewonnen" | "gagné" | "ganado" | "ganho" => Ok(Some(Status::Won)),
            "lost" | "verloren" | "perdu" | "perdido" => Ok(Some(Status::Lost)),
            "deleted" | "gelöscht" | "supprimé" | "eliminado" | "excluído" => Ok(None),
            _ => Err(format!("{v:?} is not a deal status (Open, Won, Lost)")),
        }),
        None => Some(Some(Status::Open)),
    };
    let inst = |row: &mut Row<'_>, o: &Option<String>| {
        o.as_deref()
            .and_then(|a| row.parse_with(a, |v| cv::instant(v, ctx.cal)))
    };
    let created_at = inst(row, &c.created);
    let won_time = inst(row, &c.won_time);
    let lost_time = inst(row, &c.lost_time);
    let closed_on = inst(row, &c.closed_on);
    let last = inst(row, &c.last_activity);
    let amount = c
        .value
        .as_deref()
        .and_then(|a| row.parse_with(a, cv::amount));
    let close_date = c
        .expected_close
        .as_deref()
        .and_then(|a| row.parse_with(a, cv::date));
    let next_date = c
        .next_activity
        .as_deref()
        .and_then(|a| row.parse_with(a, cv::date));
    let probability = c
        .probability
        .as_deref()
        .and_then(|a| row.parse_with(a, cv::probability));
    let currency = currency::of_row(row, c.currency.as_deref());
    // A status cell that did not parse is already an error; `deleted` is skipped.
    let status = match status {
        Some(Some(s)) => s,
        Some(None) => return None,
        None if c.status.as_deref().and_then(|s| row.text(s)).is_none() => Status::Open,
        None => return None,
    };
    if id.is_empty() || title.is_empty() || stage.is_empty() {
        return None;
    }
    if !cv::first_sighting(row, &id_col, &id, "deal id", seen) {
        return None;
    }
    let owner_id = owners.of_row(row, c.owner.as_deref());
    let account_id = cv::deal_account(row, c.org.as_deref(), batch);
    // Its next activity date is the next step's, when the file has it.
    let opp_id = cv::deal_origin(row, &id_col, id, Crm::Pipedrive, last, batch);
    let closed_at = match status {
        Status::Won => won_time.or(closed_on),
        Status::Lost => lost_time.or(closed_on),
        Status::Open => None,
    };
    let next_step = c
        .next_subject
        .as_deref()
        .and_then(|s| row.string(s))
        .or_else(|| next_date.map(|_| "Next activity (Pipedrive)".to_string()));
    Some(Read {
        opp: Opportunity {
            id: opp_id,
            name: title,
            account_id,
            owner_id,
            source_rep_id: None,
            created_at,
            stage: stage.clone(),
            amount,
            list_amount: None,
            close_date,
            forecast_category: None,
            status,
            closed_at,
            loss_reason: c.lost_reason.as_deref().and_then(|l| row.string(l)),
            next_step,
            next_step_date: next_date,
            channel: None,
        },
        pd_stage: stage,
        currency,
        probability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_headers_ignoring_case_spacing_and_the_prefix() {
        let cases = [
            ("Deal - ID", "id"),
            ("deal -  Currency of Value", "currencyofvalue"),
            ("Deal – Closed on", "closedon"),
            ("Organisation", "organisation"),
            ("Deal - Deal created", "dealcreated"),
            ("Deal created", "dealcreated"),
        ];
        for (h, want) in cases {
            assert_eq!(key(h), want, "{h}");
        }
    }
}
