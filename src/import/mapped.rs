//! Reading a flat deal file through a [`Mapping`]: every row one deal, the
//! mapping's stages registered, owners and accounts made from the columns.

use super::crm_values as cv;
use super::mapping::{DERIVABLE, Mapping};
use super::owners::Owners;
use super::round_trip::Origin;
use super::sf_values;
use super::table::{self, Row, Table};
use super::{Batch, Context, RowError, Target};
use crate::domain::crm::Crm;
use crate::domain::model::*;
use chrono::{Datelike, Days};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

fn mapped<'m>(map: &'m BTreeMap<String, String>, v: &str) -> Option<&'m str> {
    map.get(v)
        .or_else(|| {
            map.iter()
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(v.trim()))
                .map(|(_, x)| x)
        })
        .map(String::as_str)
}

fn boolean(v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" => Ok(true),
        "false" | "0" | "no" | "n" => Ok(false),
        _ => Err(format!("{v:?} is not a boolean (true/false, 1/0, yes/no)")),
    }
}

pub fn build(
    files: &[&Table],
    m: &Mapping,
    ctx: &Context<'_>,
    batch: &mut Batch,
    errors: &mut Vec<RowError>,
) {
    // The mapping's stages, registered unless the database has them.
    let base = ctx
        .existing
        .stages
        .values()
        .map(|s| s.0)
        .max()
        .map_or(0, |x| x + 1);
    let mut n = 0;
    for s in &m.stages {
        if !ctx.existing.stages.contains_key(&s.name) {
            batch.stages.push(Stage {
                name: s.name.clone(),
                position: base + n,
                probability: s.probability,
                max_days: s.max_days,
                kind: s.kind,
            });
            n += 1;
        }
    }
    // A synthesized creation row of a closed deal starts in the first open stage.
    if let Some(first) = m.stages.iter().find(|s| s.kind == StageKind::Open) {
        batch.closed_creation_stage = Some(first.name.clone());
    }
    // Where a deal the status closes goes when its stage is an open one.
    let mut terminal = |kind: StageKind, fallback: &str, batch: &mut Batch| -> String {
        if let Some(s) = m.stages.iter().find(|s| s.kind == kind) {
            return s.name.clone();
        }
        if let Some(s) = cv::terminal_stage(ctx, kind) {
            return s;
        }
        if !batch.stages.iter().any(|s| s.name == fallback) {
            batch.stages.push(Stage {
                name: fallback.to_string(),
                position: base + n,
                probability: if kind == StageKind::Won { 1.0 } else { 0.0 },
                max_days: None,
                kind,
            });
            n += 1;
        }
        fallback.to_string()
    };
    let won_stage = terminal(StageKind::Won, "Won", batch);
    let lost_stage = terminal(StageKind::Lost, "Lost", batch);
    let kind_of = |name: &str| -> Option<StageKind> {
        ctx.existing
            .stages
            .get(name)
            .map(|s| s.1)
            .or_else(|| m.stages.iter().find(|s| s.name == name).map(|s| s.kind))
            .or_else(|| ctx.stage_kind(name))
    };
    let crm = m.crm.as_deref().and_then(|c| Crm::from_str(c).ok());
    let mut seen: HashMap<String, (String, u64)> = HashMap::new();
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut by_name = Owners::new(ctx.existing, &batch.reps);
    for t in files {
        let missing: Vec<&str> = m.sources().into_iter().filter(|c| !t.has(c)).collect();
        if !missing.is_empty() {
            errors.push(t.file_error(format!(
                "the mapping names column(s) this file does not have: {} (the file has: {})",
                missing.join(", "),
                t.headers.join(",")
            )));
            continue;
        }
        let from = batch.opportunities.len();
        let mut lines = Vec::new();
        for mut row in t.rows() {
            deal_row(
                &mut row,
                m,
                ctx,
                (crm, [won_stage.as_str(), lost_stage.as_str()]),
                &kind_of,
                &mut seen,
                (&mut owners, &mut by_name),
                batch,
            );
            lines.resize(batch.opportunities.len() - from, row.line);
            if let Err(mut e) = row.finish() {
                errors.append(&mut e);
            }
        }
        let range = from..batch.opportunities.len();
        batch.deal_lines.push((range, t.file.clone(), lines));
        if crm.is_some() {
            let c = &m.columns;
            let has =
                |field: &str, col: &Option<String>| col.is_some() || m.derived.contains_key(field);
            let has = [
                (
                    "account_id",
                    c.account_id.is_some() || c.account_name.is_some(),
                ),
                ("owner_id", true),
                ("created_at", has("created_at", &c.created_at)),
                ("amount", c.amount.is_some()),
                ("close_date", has("close_date", &c.close_date)),
                ("forecast_category", c.forecast_category.is_some()),
                ("loss_reason", c.loss_reason.is_some()),
                ("next_step", c.next_step.is_some()),
                ("next_step_date", has("next_step_date", &c.next_step_date)),
                ("channel", c.channel.is_some()),
            ];
            let n = batch.opportunities.len() - from;
            cv::note_uncarried(batch, from, vec![(n, cv::uncarried_of(&has))]);
        }
    }
    by_name.add_to(batch);
    for (id, name) in owners {
        let known =
            batch.reps.iter().any(|r| r.id.as_str() == id) || ctx.existing.reps.contains(&id);
        if !known {
            let mut rep = cv::owner_rep(&name);
            rep.id = RepId(id.into());
            batch.reps.push(rep);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn deal_row(
    row: &mut Row<'_>,
    m: &Mapping,
    ctx: &Context<'_>,
    (crm, [won_stage, lost_stage]): (Option<Crm>, [&str; 2]),
    kind_of: &dyn Fn(&str) -> Option<StageKind>,
    seen: &mut HashMap<String, (String, u64)>,
    (owners, by_name): (&mut BTreeMap<String, String>, &mut Owners),
    batch: &mut Batch,
) {
    let c = &m.columns;
    let id = row.required(&c.id);
    // A Salesforce report's 15-character ids are the Data Export's 18.
    let sf_id = |v: String| {
        if crm == Some(Crm::Salesforce) {
            super::sf_values::eighteen(&v)
        } else {
            v
        }
    };
    let id = sf_id(id);
    let name = row.required(&c.name);
    let stage_cell = row.required(&c.stage);
    let opt = |row: &Row<'_>, col: &Option<String>| col.as_deref().and_then(|x| row.string(x));
    let date_of = |row: &mut Row<'_>, col: &Option<String>| {
        col.as_deref()
            .and_then(|x| row.parse_with(x, |v| m.date(v)))
    };
    let inst_of = |row: &mut Row<'_>, col: &Option<String>| {
        col.as_deref()
            .and_then(|x| row.parse_with(x, |v| m.instant(v, ctx)))
    };
    let amount = c
        .amount
        .as_deref()
        .and_then(|a| row.parse_with(a, cv::amount));
    let mut close_date = date_of(row, &c.close_date);
    let mut created_at = inst_of(row, &c.created_at);
    let mut closed_at = inst_of(row, &c.closed_at);
    let mut last_activity = inst_of(row, &c.last_activity);
    let mut next_step_date = date_of(row, &c.next_step_date);
    let category = c.forecast_category.as_deref().and_then(|col| {
        row.parse_with(col, |v| match mapped(&m.values.forecast_category, v) {
            Some(x) => ForecastCategory::from_str(x),
            None => sf_values::category(v),
        })
    });
    let status_cell = c.status.as_deref().and_then(|col| {
        row.parse_with(col, |v| match mapped(&m.values.status, v) {
            Some(x) => Status::from_str(x),
            None => Status::from_str(v),
        })
    });
    let flags = m.status_from.as_ref().map(|s| {
        (
            row.parse_with(&s.closed, boolean),
            row.parse_with(&s.won, boolean),
        )
    });
    // Derived dates, in a fixed order so one may start from another.
    for field in DERIVABLE {
        let Some(d) = m.derived.get(field) else {
            continue;
        };
        let (col, sign) = match (&d.minus_days, &d.plus_days) {
            (Some(col), _) => (col.as_str(), -1i64),
            (None, Some(col)) => (col.as_str(), 1),
            (None, None) => continue,
        };
        let days = row.parse_with(col, |v| {
            let v = v.trim();
            let not_days = || format!("{v:?} is not a number of days");
            v.parse::<i64>().or_else(|_| match v.parse::<f64>() {
                // `NaN` and `inf` parse as numbers of no day.
                Ok(f) if f.is_finite() && f.abs() < 1e9 => Ok(f.floor() as i64),
                _ => Err(not_days()),
            })
        });
        let start = match (d.from.as_deref(), d.anchor) {
            (Some("close_date"), _) => close_date,
            (Some("created_at"), _) => created_at.map(|t| ctx.cal.local_date(t)),
            (Some("closed_at"), _) => closed_at.map(|t| ctx.cal.local_date(t)),
            (_, Some(a)) => Some(a),
            _ => None,
        };
        let (Some(start), Some(days)) = (start, days) else {
            continue;
        };
        let day = if sign * days >= 0 {
            start.checked_add_days(Days::new((sign * days) as u64))
        } else {
            start.checked_sub_days(Days::new((-sign * days) as u64))
        };
        // A day derived is refused outside the years a date read may have,
        // and checked for plausibility like one (the cell it came from named).
        let Some(day) = day
            .filter(|d| (table::MIN_YEAR..=table::MAX_YEAR).contains(&d.year()))
            .and_then(|d| row.parse_with(col, |_| Ok(d)))
        else {
            row.fail(
                col,
                format!(
                    "{days} days from {start} is out of range: a derived {field} must fall in the years {} to {}",
                    table::MIN_YEAR,
                    table::MAX_YEAR
                ),
            );
            continue;
        };
        match field {
            "close_date" => close_date = close_date.or(Some(day)),
            "created_at" => created_at = created_at.or(Some(ctx.cal.start_of(day))),
            "closed_at" => closed_at = closed_at.or(Some(ctx.cal.start_of(day))),
            "last_activity" => last_activity = last_activity.or(Some(ctx.cal.start_of(day))),
            _ => next_step_date = next_step_date.or(Some(day)),
        }
    }
    if id.is_empty() || name.is_empty() || stage_cell.is_empty() {
        return;
    }
    let stage = mapped(&m.values.stage, &stage_cell)
        .unwrap_or(&stage_cell)
        .to_string();
    let Some(kind) = kind_of(&stage) else {
        row.fail(
            &c.stage,
            format!("unknown stage {stage:?}: list it under [[stages]] in the mapping, or map it in [values.stage]"),
        );
        return;
    };
    let status = match (status_cell, flags) {
        (Some(s), _) => s,
        (None, Some((Some(true), Some(true)))) => Status::Won,
        (None, Some((Some(true), _))) => Status::Lost,
        (None, Some((Some(false), _))) => Status::Open,
        _ => match kind {
            StageKind::Open => Status::Open,
            StageKind::Won => Status::Won,
            StageKind::Lost => Status::Lost,
        },
    };
    // A deal the status closes sits in a closed stage, not in an open one.
    let stage = match (status, kind) {
        (Status::Won, StageKind::Open) => won_stage.to_string(),
        (Status::Lost, StageKind::Open) => lost_stage.to_string(),
        _ => stage,
    };
    if !cv::first_sighting(row, &c.id, &id, "id", seen) {
        return;
    }
    let owner_name = opt(row, &c.owner);
    // Owner ids are the CRM's; an owner named alone (by name, email or
    // both) is matched to a rep as a HubSpot owner is.
    // Ids of owners and accounts the file brings become reps and accounts.
    for (col, what) in [(&c.owner_id, "owner id"), (&c.account_id, "account id")] {
        if let (Some(col), Some(v)) = (col.as_deref(), opt(row, col)) {
            row.visible(col, what, &v);
        }
    }
    let owner_id = match opt(row, &c.owner_id).map(sf_id) {
        Some(i) => {
            owners
                .entry(i.clone())
                .or_insert_with(|| owner_name.clone().unwrap_or_else(|| i.clone()));
            i
        }
        None => by_name.resolve(owner_name.as_deref()).as_str().to_string(),
    };
    let account_id = opt(row, &c.account_id).map(sf_id).or_else(|| {
        c.account_id
            .is_none()
            .then(|| opt(row, &c.account_name).map(|n| cv::rep_id(&n)))
            .flatten()
    });
    if let Some(a) = &account_id {
        if !batch.accounts.iter().any(|x| x.id.as_str() == a) && !ctx.existing.accounts.contains(a)
        {
            batch.accounts.push(Account {
                id: AccountId::from(a.as_str()),
                name: opt(row, &c.account_name).unwrap_or_else(|| a.clone()),
                segment: None,
                icp_tier: None,
                industry: opt(row, &c.account_industry),
                employees: None,
            });
        }
        batch.refer(
            row.loc(c.account_id.as_deref().unwrap_or(&c.id)),
            Target::Account,
            a,
        );
    }
    let opp_id = OppId(id.clone().into());
    if let Some(crm) = crm {
        batch.origins.push(Origin {
            opp: opp_id.clone(),
            crm,
            crm_id: id.clone(),
            at: row.loc(&c.id),
        });
    }
    if let Some(t) = last_activity {
        batch.last_touch.push((opp_id.clone(), t));
    }
    if status.is_closed() && closed_at.is_none() {
        closed_at = cv::closed_fallback(close_date, created_at, ctx.cal);
    }
    batch.opportunities.push(Opportunity {
        id: opp_id,
        name,
        account_id: account_id.map(AccountId::from),
        owner_id: RepId(owner_id.into()),
        source_rep_id: None,
        created_at,
        stage,
        amount,
        list_amount: None,
        close_date,
        forecast_category: category.or(status.is_closed().then_some(ForecastCategory::Closed)),
        status,
        closed_at: if status.is_closed() { closed_at } else { None },
        loss_reason: opt(row, &c.loss_reason).filter(|_| status == Status::Lost),
        next_step: opt(row, &c.next_step),
        next_step_date,
        channel: opt(row, &c.channel),
    });
}
