//! Salesforce exports with API field names as headers (Data Export, Data
//! Loader, and the same re-saved by a spreadsheet). Each file's kind is told
//! from its header; columns this importer does not use are ignored.

use super::crm_values as cv;
use super::currency;
use super::detect::SfKind;
use super::sf_activities;
use super::sf_history::{self, HistRow};
use super::sf_values as sf;
use super::table::{Row, Table, first_met};
use super::{Batch, Context, RowError, Target};
use crate::domain::model::*;
use crate::domain::money::Money;
use std::collections::{BTreeMap, HashMap};

/// The rep that owns deals of an export without an `OwnerId` column.
pub const UNASSIGNED: &str = "unassigned";

/// What the files say about a stage the database and config don't know.
struct StageSeen {
    probability: f64,
    kind: StageKind,
    sort: Option<i64>,
}

/// Everything read from the Salesforce files before it is assembled.
#[derive(Default)]
pub(super) struct Read {
    role_names: HashMap<String, String>,
    stages: BTreeMap<String, StageSeen>,
    history: Vec<HistRow>,
    pub(super) owners: Vec<String>,
    /// The `CurrencyIsoCode` of each deal of the Opportunity file being read.
    currencies: Vec<currency::Priced>,
    /// The rate each deal's amounts were put in the database currency at
    /// (its history's amounts follow), when not 1.
    rates: HashMap<String, f64>,
}

pub fn build(
    files: &[(SfKind, &Table)],
    ctx: &Context<'_>,
    batch: &mut Batch,
    errors: &mut Vec<RowError>,
) {
    if files.is_empty() {
        return;
    }
    let mut read = Read::default();
    // Where each record id was first read, per entity: an id twice would make
    // the last row win silently (Task and Event share the activities).
    let mut seen: HashMap<(u8, String), (String, u64)> = HashMap::new();
    let entity = |k: SfKind| match k {
        SfKind::User => Some(0u8),
        SfKind::Account => Some(1),
        SfKind::Contact => Some(2),
        SfKind::Opportunity => Some(3),
        SfKind::Task | SfKind::Event => Some(4),
        _ => None,
    };
    let order = [
        SfKind::UserRole,
        SfKind::User,
        SfKind::Account,
        SfKind::Contact,
        SfKind::Opportunity,
        SfKind::OpportunityHistory,
        SfKind::OpportunityFieldHistory,
        SfKind::Task,
        SfKind::Event,
    ];
    for want in order {
        for (file_no, (kind, t)) in files.iter().enumerate().filter(|(_, (k, _))| *k == want) {
            let from = batch.opportunities.len();
            for mut row in t.rows() {
                if row.parse_with("IsDeleted", sf::boolean) == Some(true) {
                    continue;
                }
                if let (Some(e), Some(id)) = (entity(*kind), sf::id(row.text("Id"))) {
                    row.visible_id("Id", &id);
                    if let Some((file, line)) = seen.get(&(e, id.clone())) {
                        let first = first_met(file, *line, &t.file);
                        row.fail("Id", format!("id {id:?} appears twice (first {first})"));
                        if let Err(mut e) = row.finish() {
                            errors.append(&mut e);
                        }
                        continue;
                    }
                    seen.insert((e, id), (t.file.clone(), row.line));
                }
                match kind {
                    SfKind::UserRole => role_row(&row, &mut read),
                    SfKind::User => user_row(&row, &read, batch),
                    SfKind::Account => account_row(&mut row, batch),
                    SfKind::Contact => contact_row(&row, batch),
                    SfKind::Opportunity => opp_row(&mut row, t, ctx, &mut read, batch),
                    SfKind::OpportunityHistory => {
                        sf_history::snapshot_row(&mut row, file_no, ctx, &mut read.history)
                    }
                    SfKind::OpportunityFieldHistory => {
                        sf_history::field_row(&mut row, file_no, ctx, &mut read.history)
                    }
                    SfKind::Task | SfKind::Event => {
                        sf_activities::activity_row(&mut row, *kind, ctx, &mut read, batch)
                    }
                }
                if let Err(mut e) = row.finish() {
                    errors.append(&mut e);
                }
            }
            if *kind == SfKind::Opportunity {
                let has = [
                    ("account_id", t.has("AccountId")),
                    ("owner_id", t.has("OwnerId")),
                    ("created_at", t.has("CreatedDate")),
                    ("amount", t.has("Amount")),
                    ("close_date", t.has("CloseDate")),
                    (
                        "forecast_category",
                        t.has("ForecastCategoryName") || t.has("ForecastCategory"),
                    ),
                    ("next_step", t.has("NextStep")),
                    ("channel", t.has("LeadSource")),
                ];
                let n = batch.opportunities.len() - from;
                cv::note_uncarried(batch, from, vec![(n, cv::uncarried_of(&has))]);
                let currencies = std::mem::take(&mut read.currencies);
                let deals = &mut batch.opportunities[from..];
                let amounts = deals.iter_mut().map(|o| &mut o.amount);
                let rates = currency::convert(&currencies, amounts, ctx, t, errors);
                for (o, rate) in deals.iter().zip(rates).filter(|(_, r)| *r != 1.0) {
                    read.rates.insert(o.id.to_string(), rate);
                }
            }
        }
    }
    for (name, probability, kind) in sf_history::stages_seen(&read.history) {
        if ctx.stage_kind(&name).is_none() {
            read.stages.entry(name).or_insert(StageSeen {
                probability,
                kind,
                sort: None,
            });
        }
    }
    register_stages(&read, ctx, batch);
    let kinds: HashMap<String, StageKind> = batch
        .stages
        .iter()
        .map(|s| (s.name.clone(), s.kind))
        .collect();
    let stage_kind = |name: &str| kinds.get(name).copied().or_else(|| ctx.stage_kind(name));
    let history_from = batch.history.len();
    let closed_at = sf_history::to_entries(read.history, &stage_kind, batch);
    convert_history_amounts(&mut batch.history[history_from..], &read.rates);
    for o in batch.opportunities.iter_mut() {
        if o.status.is_closed() {
            o.closed_at = closed_at
                .get(&o.id)
                .copied()
                .or_else(|| cv::closed_fallback(o.close_date, o.created_at, ctx.cal));
        }
    }
    add_placeholder_reps(&read.owners, ctx, batch);
}

fn role_row(row: &Row<'_>, read: &mut Read) {
    if let (Some(id), Some(name)) = (sf::id(row.text("Id")), row.text("Name")) {
        read.role_names.insert(id, name.to_string());
    }
}

/// A role from a Salesforce role name: SDR/BDR/development → SDR; success →
/// CSM; manager, director, VP, head, CEO, SVP → Manager; anything else AE.
fn role_from_name(name: &str) -> Role {
    let n = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&["sdr", "bdr", "development"]) {
        Role::Sdr
    } else if has(&["success", "csm"]) {
        Role::Csm
    } else if has(&[
        "manager",
        "director",
        "vp",
        "head",
        "ceo",
        "chief",
        "president",
    ]) {
        Role::Manager
    } else {
        Role::Ae
    }
}

fn person_name(row: &Row<'_>) -> Option<String> {
    row.string("Name").or_else(|| {
        let parts: Vec<&str> = ["FirstName", "LastName"]
            .iter()
            .filter_map(|c| row.text(c))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

fn user_row(row: &Row<'_>, read: &Read, batch: &mut Batch) {
    let Some(id) = sf::id(row.text("Id")) else {
        return;
    };
    let role_name = sf::id(row.text("UserRoleId")).and_then(|r| read.role_names.get(&r).cloned());
    let manager_id = sf::id(row.text("ManagerId")).map(RepId::from);
    if let Some(m) = &manager_id {
        batch.refer(row.loc("ManagerId"), Target::Rep, m.as_str());
    }
    batch.reps.push(Rep {
        id: RepId(id.clone().into()),
        name: person_name(row).unwrap_or(id),
        email: row.string("Email"),
        role: role_name.as_deref().map_or(Role::Ae, role_from_name),
        team: role_name,
        manager_id,
        start_date: None,
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    });
}

fn account_row(row: &mut Row<'_>, batch: &mut Batch) {
    let Some(id) = sf::id(row.text("Id")) else {
        return;
    };
    // Salesforce may write a whole number as `250.0`; NaN, infinities and
    // negatives are no number of employees, as in every format.
    let employees = row.parse_with("NumberOfEmployees", |v| match v.parse::<f64>() {
        Ok(n) if n < 0.0 => Err(format!("{v:?} is negative")),
        Ok(n) if n.is_finite() && n < 1e15 => Ok(n as i64),
        _ => Err(format!("{v:?} is not a number of employees")),
    });
    batch.accounts.push(Account {
        id: AccountId(id.clone().into()),
        name: row.string("Name").unwrap_or(id),
        segment: None,
        icp_tier: None,
        industry: row.string("Industry"),
        employees,
    });
}

fn contact_row(row: &Row<'_>, batch: &mut Batch) {
    let Some(id) = sf::id(row.text("Id")) else {
        return;
    };
    let account_id = sf::id(row.text("AccountId"));
    if let Some(a) = &account_id {
        batch.refer(row.loc("AccountId"), Target::Account, a);
    }
    batch.contacts.push(Contact {
        id: ContactId(id.clone().into()),
        account_id: account_id.map(AccountId::from),
        name: person_name(row).unwrap_or(id),
        title: row.string("Title"),
    });
}

fn opp_row(row: &mut Row<'_>, t: &Table, ctx: &Context<'_>, read: &mut Read, batch: &mut Batch) {
    let id = sf::eighteen(&row.required("Id"));
    let name = row.required("Name");
    let stage = row.required("StageName");
    row.visible("StageName", "stage", &stage);
    let closed = row.parse_with("IsClosed", sf::boolean);
    let won = row.parse_with("IsWon", sf::boolean);
    let probability = row.parse_with("Probability", sf::probability);
    let sort = row.int("StageSortOrder");
    let amount = row.grouped_money("Amount");
    let close_date = row.parse_with("CloseDate", sf::date);
    let created_at = row.parse_with("CreatedDate", |v| sf::instant(v, ctx.cal));
    let category = row
        .parse_with("ForecastCategoryName", sf::category)
        .or_else(|| row.parse_with("ForecastCategory", sf::category));
    if stage.is_empty() || id.is_empty() {
        return;
    }
    let kind = match (closed, won) {
        (Some(true), Some(true)) => Some(StageKind::Won),
        (Some(true), _) => Some(StageKind::Lost),
        (Some(false), _) => Some(StageKind::Open),
        (None, _) => ctx.stage_kind(&stage),
    };
    let Some(kind) = kind else {
        row.fail(
            "StageName",
            format!("unknown stage {stage:?} and no IsClosed/IsWon to tell its kind"),
        );
        return;
    };
    // The flags decide (the CRM's own status); a stage the pipeline keeps
    // open that they close is worth a look.
    if kind != StageKind::Open && ctx.stage_kind(&stage) == Some(StageKind::Open) {
        row.warn(
            "IsClosed",
            format!("stage {stage:?} is an open stage, but IsClosed/IsWon close the deal: read as {kind}"),
        );
    }
    if ctx.stage_kind(&stage).is_none() {
        read.stages.entry(stage.clone()).or_insert(StageSeen {
            probability: probability.unwrap_or(match kind {
                StageKind::Won => 1.0,
                _ => 0.0,
            }),
            kind,
            sort,
        });
    }
    let owner = if t.has("OwnerId") {
        sf::id(row.text("OwnerId")).unwrap_or_else(|| UNASSIGNED.to_string())
    } else {
        UNASSIGNED.to_string()
    };
    // An owner without a User row becomes a rep of that id.
    if !row.visible("OwnerId", "owner id", &owner) {
        return;
    }
    read.owners.push(owner.clone());
    let account_id = sf::id(row.text("AccountId"));
    if let Some(a) = &account_id {
        batch.refer(row.loc("AccountId"), Target::Account, a);
    }
    batch.origins.push(super::round_trip::Origin {
        opp: OppId(id.clone().into()),
        crm: crate::domain::crm::Crm::Salesforce,
        crm_id: id.clone(),
        at: row.loc("Id"),
    });
    read.currencies
        .push(currency::of_row(row, Some("CurrencyIsoCode")));
    batch.opportunities.push(Opportunity {
        id: OppId(id.into()),
        name,
        account_id: account_id.map(AccountId::from),
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at,
        stage,
        amount,
        close_date,
        forecast_category: category,
        status: match kind {
            StageKind::Open => Status::Open,
            StageKind::Won => Status::Won,
            StageKind::Lost => Status::Lost,
        },
        closed_at: None,
        loss_reason: None,
        next_step: row.string("NextStep"),
        next_step_date: None,
        list_amount: None,
        channel: row.string("LeadSource"),
    });
}

/// The amounts of the history of a deal whose amount was converted (its
/// history is in its currency), at the deal's rate.
fn convert_history_amounts(history: &mut [HistoryEntry], rates: &HashMap<String, f64>) {
    if rates.is_empty() {
        return;
    }
    for h in history
        .iter_mut()
        .filter(|h| h.field == HistoryField::Amount)
    {
        let Some(&rate) = rates.get(h.opportunity_id.as_str()) else {
            continue;
        };
        for v in [&mut h.old_value, &mut h.new_value].into_iter().flatten() {
            if let Ok(cents) = v.parse::<i64>() {
                *v = currency::at_rate(Money(cents), rate).0.to_string().into();
            }
        }
    }
}

/// Stages the files use that neither the database nor the config knows:
/// registered with the file's probability, after every known stage, open
/// ones by (StageSortOrder, probability), then won, then lost.
fn register_stages(read: &Read, ctx: &Context<'_>, batch: &mut Batch) {
    let base = cv::known_positions(ctx).max().map_or(0, |m| m + 1);
    let mut new: Vec<(&String, &StageSeen)> = read.stages.iter().collect();
    new.sort_by(|a, b| {
        let key = |s: &StageSeen| (s.kind != StageKind::Open, s.kind == StageKind::Lost, s.sort);
        key(a.1)
            .cmp(&key(b.1))
            .then(a.1.probability.total_cmp(&b.1.probability))
            .then(a.0.cmp(b.0))
    });
    for (i, (name, seen)) in new.into_iter().enumerate() {
        batch.stages.push(Stage {
            name: name.clone(),
            position: base + i as i64,
            probability: seen.probability,
            max_days: None,
            kind: seen.kind,
        });
    }
}

/// Owners with no User row and not in the database become reps named by
/// their id (role AE); `unassigned` is the owner of deals without one.
fn add_placeholder_reps(owners: &[String], ctx: &Context<'_>, batch: &mut Batch) {
    for owner in owners {
        let known =
            batch.reps.iter().any(|r| r.id.as_str() == owner) || ctx.existing.reps.contains(owner);
        if !known {
            let name = if owner == UNASSIGNED {
                "Unassigned".to_string()
            } else {
                owner.clone()
            };
            batch.reps.push(Rep::ae(RepId(owner.clone().into()), name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_role_names_to_roles() {
        let cases = [
            ("Western Sales Team", Role::Ae),
            ("SVP, Sales & Marketing", Role::Manager),
            ("Director, Channel Sales", Role::Manager),
            ("Sales Development Rep", Role::Sdr),
            ("Customer Success", Role::Csm),
        ];
        for (name, want) in cases {
            assert_eq!(role_from_name(name), want, "{name}");
        }
    }
}
