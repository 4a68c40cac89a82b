//! Salesforce history: `OpportunityHistory` rows are snapshots of a deal
//! (stage, amount, close date, category) and become one history entry per
//! field that differs from the deal's previous row; `OpportunityFieldHistory`
//! rows are single field changes. Rows of one deal are taken in a
//! deterministic order — CreatedDate, then file, then line — so equal
//! timestamps keep file order and a re-import adds nothing.

use super::sf_values as sf;
use super::table::Row;
use super::{Batch, Context, Target};
use crate::domain::model::*;
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// One history row read from a file.
pub struct HistRow {
    loc: super::Loc,
    opp: String,
    at: DateTime<Utc>,
    file_no: usize,
    line: u64,
    by: Option<String>,
    what: What,
}

enum What {
    /// An `OpportunityHistory` row: the deal's values at `at` (empty = not recorded).
    Snapshot {
        stage: Option<String>,
        amount: Option<Money>,
        close: Option<NaiveDate>,
        category: Option<ForecastCategory>,
        /// The row's Probability (a share), to register a stage only history names.
        probability: Option<f64>,
    },
    /// An `OpportunityFieldHistory` row, values already canonical.
    Change {
        field: HistoryField,
        old: Option<String>,
        new: Option<String>,
    },
}

fn common(row: &mut Row<'_>, ctx: &Context<'_>) -> Option<(String, DateTime<Utc>)> {
    let opp = sf::eighteen(&row.required("OpportunityId"));
    let at = row.parse_with("CreatedDate", |v| sf::instant(v, ctx.cal));
    if row.text("CreatedDate").is_none() {
        row.required("CreatedDate");
    }
    (!opp.is_empty()).then_some(())?;
    Some((opp, at?))
}

/// Reads an `OpportunityHistory` row.
pub fn snapshot_row(row: &mut Row<'_>, file_no: usize, ctx: &Context<'_>, out: &mut Vec<HistRow>) {
    let stage = row.string("StageName");
    // A stage only history names is registered.
    if let Some(s) = &stage {
        row.visible("StageName", "stage", s);
    }
    let amount = row.grouped_money("Amount");
    let close = row.parse_with("CloseDate", sf::date);
    let category = row
        .parse_with("ForecastCategoryName", sf::category)
        .or_else(|| row.parse_with("ForecastCategory", sf::category));
    let probability = row.parse_with("Probability", sf::probability);
    let what = What::Snapshot {
        stage,
        amount,
        close,
        category,
        probability,
    };
    push(row, file_no, ctx, what, out);
}

/// Adds the history row `what` of `row` once its opportunity and instant
/// read ([`common`]), with where it stands and who made it.
fn push(row: &mut Row<'_>, file_no: usize, ctx: &Context<'_>, what: What, out: &mut Vec<HistRow>) {
    let Some((opp, at)) = common(row, ctx) else {
        return;
    };
    out.push(HistRow {
        loc: row.loc("OpportunityId"),
        opp,
        at,
        file_no,
        line: row.line,
        by: sf::id(row.text("CreatedById")),
        what,
    });
}

/// Reads an `OpportunityFieldHistory` row; fields pipedeck does not track are skipped.
pub fn field_row(row: &mut Row<'_>, file_no: usize, ctx: &Context<'_>, out: &mut Vec<HistRow>) {
    let field = match row.text("Field") {
        Some("StageName") => HistoryField::Stage,
        Some("Amount") => HistoryField::Amount,
        Some("CloseDate") => HistoryField::CloseDate,
        Some("ForecastCategoryName" | "ForecastCategory") => HistoryField::ForecastCategory,
        Some("Owner" | "OwnerId") => HistoryField::OwnerId,
        Some("NextStep") => HistoryField::NextStep,
        _ => return,
    };
    let canonical = |v: &str| -> Result<String, String> {
        match field {
            HistoryField::Amount => Money::parse_grouped(v)
                .map(|m| m.cents().to_string())
                .map_err(|_| format!("{v:?} is not an amount")),
            HistoryField::CloseDate => sf::date(v).map(|d| d.format("%Y-%m-%d").to_string()),
            HistoryField::ForecastCategory => sf::category(v).map(|c| c.as_str().to_string()),
            HistoryField::OwnerId => Ok(sf::eighteen(v)),
            _ => Ok(v.to_string()),
        }
    };
    let old = row.parse_with("OldValue", canonical);
    let new = row.parse_with("NewValue", canonical);
    push(row, file_no, ctx, What::Change { field, old, new }, out);
}

/// The values of a deal as its history rows go by.
#[derive(Default)]
struct State {
    stage: Option<String>,
    amount: Option<String>,
    close: Option<String>,
    category: Option<String>,
    status: Option<Status>,
    owner: Option<String>,
    next_step: Option<String>,
}

impl State {
    fn slot(&mut self, field: HistoryField) -> Option<&mut Option<String>> {
        match field {
            HistoryField::Stage => Some(&mut self.stage),
            HistoryField::Amount => Some(&mut self.amount),
            HistoryField::CloseDate => Some(&mut self.close),
            HistoryField::ForecastCategory => Some(&mut self.category),
            HistoryField::OwnerId => Some(&mut self.owner),
            HistoryField::NextStep => Some(&mut self.next_step),
            HistoryField::Status | HistoryField::NextStepDate => None,
        }
    }
}

/// Turns the rows into history entries (appended to the batch, with their
/// references) and returns, per closed deal, the instant its final closed
/// run began (its closed instant).
pub fn to_entries(
    mut rows: Vec<HistRow>,
    stage_kind: &dyn Fn(&str) -> Option<StageKind>,
    batch: &mut Batch,
) -> HashMap<OppId, DateTime<Utc>> {
    rows.sort_by(|a, b| (&a.opp, a.at, a.file_no, a.line).cmp(&(&b.opp, b.at, b.file_no, b.line)));
    let mut closed_at = HashMap::new();
    let mut state = State::default();
    let mut current: Option<String> = None;
    for r in rows {
        if current.as_deref() != Some(r.opp.as_str()) {
            state = State::default();
            current = Some(r.opp.clone());
            batch.refer(r.loc.clone(), Target::Opportunity, &r.opp);
        }
        let opp = OppId(r.opp.clone().into());
        let mut push = |field, old: Option<String>, new: Option<String>| {
            batch.history.push(HistoryEntry {
                opportunity_id: opp.clone(),
                changed_at: r.at,
                field,
                old_value: old.map(Into::into),
                new_value: new.map(Into::into),
                changed_by: r.by.clone().map(Into::into),
                review_session_id: None,
            });
        };
        let mut changes: Vec<(HistoryField, Option<String>, Option<String>)> = Vec::new();
        match r.what {
            What::Snapshot {
                stage,
                amount,
                close,
                category,
                ..
            } => {
                let values = [
                    (HistoryField::Stage, stage),
                    (HistoryField::Amount, amount.map(|m| m.cents().to_string())),
                    (
                        HistoryField::CloseDate,
                        close.map(|d| d.format("%Y-%m-%d").to_string()),
                    ),
                    (
                        HistoryField::ForecastCategory,
                        category.map(|c| c.as_str().to_string()),
                    ),
                ];
                for (field, value) in values {
                    // An empty cell is "not recorded": the previous value carries on.
                    let Some(value) = value else { continue };
                    let slot = state.slot(field).expect("tracked field");
                    if slot.as_deref() != Some(value.as_str()) {
                        changes.push((field, slot.clone(), Some(value.clone())));
                        *slot = Some(value);
                    }
                }
            }
            What::Change { field, old, new } => {
                if let Some(slot) = state.slot(field) {
                    *slot = new.clone();
                }
                changes.push((field, old, new));
            }
        }
        for (field, old, new) in changes {
            push(field, old, new);
        }
        // Status follows the stage's kind; the first row records it only when closed.
        if let Some(stage) = &state.stage {
            let status = match stage_kind(stage) {
                Some(StageKind::Won) => Status::Won,
                Some(StageKind::Lost) => Status::Lost,
                _ => Status::Open,
            };
            let first_open = state.status.is_none() && status == Status::Open;
            if state.status != Some(status) && !first_open {
                push(
                    HistoryField::Status,
                    state.status.map(|s| s.as_str().to_string()),
                    Some(status.as_str().to_string()),
                );
                if status.is_closed() {
                    closed_at.insert(opp.clone(), r.at);
                } else {
                    closed_at.remove(&opp);
                }
            }
            state.status = Some(status);
        }
    }
    closed_at
}

/// Stages named by snapshot rows, with what the row tells of them: its
/// probability and a kind guessed from probability and category (100 % and
/// Closed → won; 0 % and Closed/Omitted → lost; otherwise open).
pub fn stages_seen(rows: &[HistRow]) -> Vec<(String, f64, StageKind)> {
    rows.iter()
        .filter_map(|r| match &r.what {
            What::Snapshot {
                stage: Some(stage),
                probability,
                category,
                ..
            } => {
                let p = probability.unwrap_or(0.0);
                let closed = matches!(
                    category,
                    Some(ForecastCategory::Closed | ForecastCategory::Omitted)
                );
                let kind = match (p, closed) {
                    (p, true) if p >= 1.0 => StageKind::Won,
                    (p, true) if p <= 0.0 => StageKind::Lost,
                    _ => StageKind::Open,
                };
                Some((stage.clone(), p, kind))
            }
            _ => None,
        })
        .collect()
}
