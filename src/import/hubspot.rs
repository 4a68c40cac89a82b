//! HubSpot deals exports (`hubspot-crm-exports-all-deals-YYYY-MM-DD.csv`):
//! property labels as headers ("Record ID", "Deal Name", "Deal Stage",
//! "Pipeline", "Deal owner", "Amount", "Create Date", "Close Date", "Last
//! Activity Date", …), matched ignoring case and spacing (internal names
//! such as `dealname` are accepted too). Stage history comes as one
//! `Date entered "<Stage> (<Pipeline>)"` column per stage; those columns
//! also give the pipeline's stage order. Other columns (`Date exited …`,
//! `Cumulative time in …`, the account's custom properties) are ignored.

use super::crm_values::{self as cv, SeenStage};
use super::currency;
use super::owners::Owners;
use super::table::{Row, Table, invisible_reason};
use super::{Batch, Context, RowError};
use crate::domain::crm::Crm;
use crate::domain::model::*;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Who imported history rows are attributed to.
pub const CHANGED_BY: &str = "hubspot";

/// The columns read, each with its accepted header forms (normalised).
struct Cols {
    id: Option<String>,
    name: Option<String>,
    stage: Option<String>,
    pipeline: Option<String>,
    owner: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
    created: Option<String>,
    close: Option<String>,
    last_activity: Option<String>,
    next_step: Option<String>,
    category: Option<String>,
    lost_reason: Option<String>,
    is_won: Option<String>,
    is_closed: Option<String>,
    probability: Option<String>,
    company: Option<String>,
    /// `Date entered` columns in header order: (column, stage, pipeline).
    entered: Vec<(String, String, Option<String>)>,
}

impl Cols {
    fn of(t: &Table) -> Cols {
        let f = |aliases: &[&str]| cv::find_column(t, aliases, &cv::norm);
        Cols {
            id: f(&["recordid", "hsobjectid", "dealid"]),
            name: f(&["dealname"]),
            stage: f(&["dealstage"]),
            pipeline: f(&["pipeline"]),
            owner: f(&["dealowner", "hubspotownerid", "owner"]),
            amount: f(&["amount"]),
            currency: f(&["currency", "dealcurrencycode", "currencycode"]),
            created: f(&["createdate", "createddate"]),
            close: f(&["closedate"]),
            last_activity: f(&["lastactivitydate", "noteslastupdated"]),
            next_step: f(&["nextstep", "hsnextstep"]),
            category: f(&["forecastcategory", "hsmanualforecastcategory"]),
            lost_reason: f(&["closedlostreason"]),
            is_won: f(&["isclosedwon", "hsisclosedwon"]),
            is_closed: f(&["isdealclosed", "isclosed", "hsisclosed"]),
            probability: f(&["dealprobability", "hsdealstageprobability", "probability"]),
            company: f(&[
                "associatedcompany",
                "associatedcompanyprimary",
                "companyname",
                "company",
            ]),
            entered: t
                .headers
                .iter()
                .filter_map(|h| entered_column(h).map(|(s, p)| (h.clone(), s, p)))
                .collect(),
        }
    }
}

/// A HubSpot deals export: a record id, a deal name and a deal stage.
pub fn detect(t: &Table) -> bool {
    let c = Cols::of(t);
    c.id.is_some() && c.name.is_some() && c.stage.is_some()
}

/// `Date entered "Stage (Pipeline)"` → (stage, pipeline). Quotes may be
/// straight or curly or absent; the pipeline is the last parenthesis.
/// `hs_date_entered_<stage id>` (internal names) → (stage id, none).
pub fn entered_column(header: &str) -> Option<(String, Option<String>)> {
    let h = header.trim();
    // Internal names: `hs_date_entered_<stage id>` (the stage id is what
    // `dealstage` holds in such an export).
    if let Some(id) = h.strip_prefix("hs_date_entered_").filter(|s| !s.is_empty()) {
        return Some((id.to_string(), None));
    }
    let prefix = "date entered";
    if h.len() <= prefix.len() || !h[..prefix.len()].eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = h[prefix.len()..]
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '“' | '”'))
        .trim();
    if rest.is_empty() {
        return None;
    }
    if rest.ends_with(')') {
        // The parenthesis that closes at the end (a pipeline may hold its own).
        let mut depth = 0;
        let open = rest.char_indices().rev().find_map(|(i, ch)| {
            match ch {
                ')' => depth += 1,
                '(' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        if let Some(open) = open {
            let stage = rest[..open].trim().to_string();
            let pipeline = rest[open + 1..rest.len() - 1].trim().to_string();
            if !stage.is_empty() && !pipeline.is_empty() {
                return Some((stage, Some(pipeline)));
            }
        }
    }
    Some((rest.to_string(), None))
}

/// A deal's stage cell, without a trailing ` (<its pipeline>)`.
fn stage_name(cell: &str, pipeline: Option<&str>) -> String {
    if let Some(p) = pipeline {
        let suffix = format!(" ({p})");
        if let Some(s) = cell.strip_suffix(&suffix) {
            return s.trim().to_string();
        }
    }
    cell.to_string()
}

fn yes(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("{v:?} is not true/false")),
    }
}

/// One deal read, before stages are known.
struct Read {
    opp: Opportunity,
    pipeline: Option<String>,
    /// Stage entries: (instant, stage, column index).
    entered: Vec<(DateTime<Utc>, String, usize)>,
    is_won: Option<bool>,
    is_closed: Option<bool>,
    probability: Option<f64>,
    currency: currency::Priced,
}

pub fn build(files: &[&Table], ctx: &Context<'_>, batch: &mut Batch, errors: &mut Vec<RowError>) {
    let mut deals: Vec<Read> = Vec::new();
    let mut seen: HashMap<String, (String, u64)> = HashMap::new();
    let mut owners = Owners::new(ctx.existing, &batch.reps);
    // Stage order: Date entered columns of every file, in header order.
    let mut order: Vec<(String, Option<String>)> = Vec::new();
    let mut uncarried = Vec::new();
    for t in files {
        let c = Cols::of(t);
        let before = deals.len();
        for (column, s, p) in &c.entered {
            // A stage a header names is registered: refused as its cells are.
            if let Some(ch) = crate::text::invisible(s) {
                let i = t.headers.iter().position(|h| h == column).unwrap_or(0);
                errors.push(t.header_error(i, invisible_reason("stage", s, ch)));
            }
            if !order.iter().any(|(o, _)| o == s) {
                order.push((s.clone(), p.clone()));
            }
        }
        for mut row in t.rows() {
            let Some(read) = deal_row(&mut row, &c, ctx, &mut seen, &mut owners, batch) else {
                if let Err(mut e) = row.finish() {
                    errors.append(&mut e);
                }
                continue;
            };
            match row.finish() {
                Ok(()) => deals.push(read),
                Err(mut e) => errors.append(&mut e),
            }
        }
        let file_deals = &mut deals[before..];
        let currencies: Vec<_> = file_deals.iter_mut().map(|d| d.currency.take()).collect();
        let amounts = file_deals.iter_mut().map(|d| &mut d.opp.amount);
        currency::convert(&currencies, amounts, ctx, t, errors);
        let has = [
            ("account_id", c.company.is_some()),
            ("owner_id", c.owner.is_some()),
            ("created_at", c.created.is_some()),
            ("amount", c.amount.is_some()),
            ("close_date", c.close.is_some()),
            ("forecast_category", c.category.is_some()),
            ("loss_reason", c.lost_reason.is_some()),
            ("next_step", c.next_step.is_some()),
        ];
        uncarried.push((deals.len() - before, cv::uncarried_of(&has)));
    }
    // Kinds: the database's or config's, the stage's name, the deals' flags.
    let mut kinds: HashMap<String, StageKind> = HashMap::new();
    let mut probability: HashMap<String, f64> = HashMap::new();
    // A stage the database registered open while it held no deal (met
    // only in a header's `Date entered` column, its kind a guess) takes the
    // kind its deals' closed flags now give it: a won renewal is not read
    // as open because an earlier export had no deal in its stage.
    let mut corrected: HashMap<String, StageKind> = HashMap::new();
    for d in &deals {
        let flags = match (d.is_won, d.is_closed) {
            (Some(true), _) => Some(StageKind::Won),
            (_, Some(true)) => Some(StageKind::Lost),
            (_, Some(false)) | (Some(false), None) => Some(StageKind::Open),
            (None, None) => None,
        };
        if let Some(k) = flags {
            kinds.entry(d.opp.stage.clone()).or_insert(k);
        }
        let name = &d.opp.stage;
        if let Some(flagged @ (StageKind::Won | StageKind::Lost)) = flags
            && let Some((position, StageKind::Open)) = ctx.existing.stages.get(name)
            && !ctx.existing.stage_deals.contains_key(name)
            && !corrected.contains_key(name)
        {
            corrected.insert(name.clone(), flagged);
            batch.stages.push(Stage {
                name: name.clone(),
                position: *position,
                probability: if flagged == StageKind::Won { 1.0 } else { 0.0 },
                max_days: None,
                kind: flagged,
            });
        }
        if let Some(p) = d.probability {
            probability.entry(d.opp.stage.clone()).or_insert(p);
        }
        // Without the closed flags: a 100 % stage is won; a stage whose deals
        // carry a closed-lost reason is lost.
        if flags.is_none() {
            if d.probability == Some(1.0) {
                kinds.entry(d.opp.stage.clone()).or_insert(StageKind::Won);
            } else if d.opp.loss_reason.is_some() {
                kinds.entry(d.opp.stage.clone()).or_insert(StageKind::Lost);
            }
        }
        if !order.iter().any(|(o, _)| *o == d.opp.stage) {
            order.push((d.opp.stage.clone(), d.pipeline.clone()));
        }
    }
    let kind_of = |name: &str| -> StageKind {
        // The file's own closed flags before the name's words.
        corrected
            .get(name)
            .copied()
            .or_else(|| ctx.stage_kind(name))
            .or_else(|| kinds.get(name).copied())
            .or_else(|| cv::kind_from_name(name))
            .unwrap_or(StageKind::Open)
    };
    cv::register_stages(
        order
            .iter()
            .map(|(name, _)| SeenStage {
                name: name.clone(),
                kind: kind_of(name),
                probability: probability.get(name).copied(),
            })
            .collect(),
        ctx,
        batch,
    );
    let from = batch.opportunities.len();
    for mut d in deals {
        let kind = kind_of(&d.opp.stage);
        d.opp.status = match kind {
            StageKind::Open => Status::Open,
            StageKind::Won => Status::Won,
            StageKind::Lost => Status::Lost,
        };
        if d.opp.status != Status::Lost {
            d.opp.loss_reason = None;
        }
        if d.opp.status.is_closed() && d.opp.forecast_category.is_none() {
            d.opp.forecast_category = Some(ForecastCategory::Closed);
        }
        let closed_at = stage_history(&mut d, &kind_of, batch);
        if d.opp.status.is_closed() {
            d.opp.closed_at = closed_at
                .or_else(|| cv::closed_fallback(d.opp.close_date, d.opp.created_at, ctx.cal));
            if d.opp.close_date.is_none() {
                d.opp.close_date = d.opp.closed_at.map(|t| ctx.cal.local_date(t));
            }
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
    let (id_col, name_col, stage_col) = (col(&c.id), col(&c.name), col(&c.stage));
    let id = row.required(&id_col);
    let name = row.required(&name_col);
    let stage_cell = row.required(&stage_col);
    row.visible(&stage_col, "stage", &stage_cell);
    let pipeline = c.pipeline.as_deref().and_then(|p| row.string(p));
    let amount = c
        .amount
        .as_deref()
        .and_then(|a| row.parse_with(a, cv::amount));
    let currency = currency::of_row(row, c.currency.as_deref());
    let created_at = c
        .created
        .as_deref()
        .and_then(|a| row.parse_with(a, |v| cv::instant(v, ctx.cal)));
    let close_date = c.close.as_deref().and_then(|a| row.parse_with(a, cv::date));
    let last = c
        .last_activity
        .as_deref()
        .and_then(|a| row.parse_with(a, |v| cv::instant(v, ctx.cal)));
    let category = c.category.as_deref().and_then(|a| {
        row.parse_with(a, |v| match cv::norm(v).as_str() {
            "notforecasted" | "omit" | "omitted" => Ok(ForecastCategory::Omitted),
            "pipeline" => Ok(ForecastCategory::Pipeline),
            "bestcase" => Ok(ForecastCategory::BestCase),
            "commit" => Ok(ForecastCategory::Commit),
            "closed" | "closedwon" => Ok(ForecastCategory::Closed),
            _ => Err(format!(
                "{v:?} is not a forecast category (Not forecasted, Pipeline, Best case, Commit, Closed)"
            )),
        })
    });
    let is_won = c.is_won.as_deref().and_then(|a| row.parse_with(a, yes));
    let is_closed = c.is_closed.as_deref().and_then(|a| row.parse_with(a, yes));
    let probability = c
        .probability
        .as_deref()
        .and_then(|a| row.parse_with(a, cv::probability));
    let mut entered = Vec::new();
    for (i, (column, stage, p)) in c.entered.iter().enumerate() {
        let same_pipeline = match (p, &pipeline) {
            (Some(p), Some(mine)) => p == mine,
            _ => true,
        };
        if let Some(at) = row.parse_with(column, |v| cv::instant(v, ctx.cal))
            && same_pipeline
        {
            entered.push((at, stage.clone(), i));
        }
    }
    if id.is_empty() || name.is_empty() || stage_cell.is_empty() {
        return None;
    }
    if !cv::first_sighting(row, &id_col, &id, "record id", seen) {
        return None;
    }
    let owner_id = owners.of_row(row, c.owner.as_deref());
    let account_id = cv::deal_account(row, c.company.as_deref(), batch);
    let opp_id = cv::deal_origin(row, &id_col, id, Crm::Hubspot, last, batch);
    Some(Read {
        opp: Opportunity {
            id: opp_id,
            name,
            account_id,
            owner_id,
            source_rep_id: None,
            created_at,
            stage: stage_name(&stage_cell, pipeline.as_deref()),
            amount,
            list_amount: None,
            close_date,
            forecast_category: category,
            status: Status::Open,
            closed_at: None,
            loss_reason: c.lost_reason.as_deref().and_then(|l| row.string(l)),
            next_step: c.next_step.as_deref().and_then(|n| row.string(n)),
            next_step_date: None,
            channel: None,
        },
        pipeline,
        entered,
        is_won,
        is_closed,
        probability,
        currency,
    })
}

/// Stage-change rows from the deal's `Date entered` cells, in time order
/// (ties: column order); a status row when a stage closes or reopens the
/// deal. Returns the instant its final closed run began.
fn stage_history(
    d: &mut Read,
    kind_of: &dyn Fn(&str) -> StageKind,
    batch: &mut Batch,
) -> Option<DateTime<Utc>> {
    d.entered.sort_by_key(|e| (e.0, e.2));
    let mut prev: Option<String> = None;
    let mut status = Status::Open;
    let mut closed_at = None;
    for (at, stage, _) in &d.entered {
        if prev.as_deref() == Some(stage.as_str()) {
            continue;
        }
        let row = |field, old: Option<String>, new: String| HistoryEntry {
            opportunity_id: d.opp.id.clone(),
            changed_at: *at,
            field,
            old_value: old.map(Into::into),
            new_value: Some(new.into()),
            changed_by: Some(CHANGED_BY.into()),
            review_session_id: None,
        };
        batch
            .history
            .push(row(HistoryField::Stage, prev.clone(), stage.clone()));
        let now = match kind_of(stage) {
            StageKind::Open => Status::Open,
            StageKind::Won => Status::Won,
            StageKind::Lost => Status::Lost,
        };
        if now != status {
            batch.history.push(row(
                HistoryField::Status,
                Some(status.as_str().to_string()),
                now.as_str().to_string(),
            ));
            closed_at = now.is_closed().then_some(*at);
            status = now;
        }
        prev = Some(stage.clone());
    }
    closed_at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stage_and_pipeline_from_date_entered_headers() {
        let cases = [
            (
                "Date entered \"Appointment Scheduled (Sales Pipeline)\"",
                Some(("Appointment Scheduled", Some("Sales Pipeline"))),
            ),
            (
                "Date entered “Closed Won (Renewals (EU))”",
                Some(("Closed Won", Some("Renewals (EU)"))),
            ),
            ("date entered Demo", Some(("Demo", None))),
            ("hs_date_entered_closedwon", Some(("closedwon", None))),
            ("Date exited \"Demo (Sales Pipeline)\"", None),
            ("Cumulative time in \"Demo (Sales Pipeline)\"", None),
        ];
        for (h, want) in cases {
            let got = entered_column(h);
            let got = got.as_ref().map(|(s, p)| (s.as_str(), p.as_deref()));
            assert_eq!(got, want, "{h}");
        }
    }
}
