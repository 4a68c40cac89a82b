//! The round trip with the CRM (SPEC §13), as pure rules: which deal fields
//! are synced, their canonical text, which local edits are pending, what a
//! re-import does with a pending edit, and the CRM's own column names and
//! value forms for the update file.

use super::model::{ForecastCategory, Opportunity, Status};
use super::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A CRM pipedeck imports from and writes updates for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Crm {
    Salesforce,
    Hubspot,
    Pipedrive,
}

impl Crm {
    pub const ALL: [Crm; 3] = [Crm::Salesforce, Crm::Hubspot, Crm::Pipedrive];

    pub fn as_str(self) -> &'static str {
        match self {
            Crm::Salesforce => "salesforce",
            Crm::Hubspot => "hubspot",
            Crm::Pipedrive => "pipedrive",
        }
    }

    /// The record id column of the CRM's update file.
    pub fn id_column(self) -> &'static str {
        match self {
            Crm::Salesforce => "Id",
            Crm::Hubspot => "Record ID",
            Crm::Pipedrive => "Deal - ID",
        }
    }

    /// The update file's name.
    pub fn update_file(self) -> &'static str {
        match self {
            Crm::Salesforce => "salesforce-opportunity-updates.csv",
            Crm::Hubspot => "hubspot-deal-updates.csv",
            Crm::Pipedrive => "pipedrive-deal-updates.csv",
        }
    }

    /// The CRM's column for a synced field; `None` when the CRM has no such
    /// field on a deal (Salesforce's status follows the stage; Pipedrive has
    /// no next step or forecast category).
    pub fn column(self, f: SyncField) -> Option<&'static str> {
        use SyncField::*;
        match (self, f) {
            (Crm::Salesforce, Stage) => Some("StageName"),
            (Crm::Salesforce, CloseDate) => Some("CloseDate"),
            (Crm::Salesforce, Amount) => Some("Amount"),
            (Crm::Salesforce, NextStep) => Some("NextStep"),
            (Crm::Salesforce, ForecastCategory) => Some("ForecastCategoryName"),
            (Crm::Salesforce, Status) => None,
            (Crm::Salesforce, LossReason) => Some("Loss_Reason__c"),
            (Crm::Hubspot, Stage) => Some("Deal Stage"),
            (Crm::Hubspot, CloseDate) => Some("Close Date"),
            (Crm::Hubspot, Amount) => Some("Amount"),
            (Crm::Hubspot, NextStep) => Some("Next step"),
            (Crm::Hubspot, ForecastCategory) => Some("Forecast category"),
            (Crm::Hubspot, Status) => None,
            (Crm::Hubspot, LossReason) => Some("Closed lost reason"),
            (Crm::Pipedrive, Stage) => Some("Deal - Stage"),
            (Crm::Pipedrive, CloseDate) => Some("Deal - Expected close date"),
            (Crm::Pipedrive, Amount) => Some("Deal - Value"),
            (Crm::Pipedrive, NextStep) => None,
            (Crm::Pipedrive, ForecastCategory) => None,
            (Crm::Pipedrive, Status) => Some("Deal - Status"),
            (Crm::Pipedrive, LossReason) => Some("Deal - Lost reason"),
        }
    }

    /// A canonical value written in the CRM's form: amounts as decimals in
    /// major units, categories and statuses as the CRM's labels.
    pub fn cell(self, f: SyncField, canonical: Option<&str>) -> String {
        let Some(v) = canonical else {
            return String::new();
        };
        match f {
            SyncField::Amount => SyncField::Amount.shown(Some(v)),
            SyncField::ForecastCategory => match (self, ForecastCategory::from_str(v)) {
                (Crm::Salesforce, Ok(c)) => match c {
                    ForecastCategory::Pipeline => "Pipeline",
                    ForecastCategory::BestCase => "Best Case",
                    ForecastCategory::Commit => "Commit",
                    ForecastCategory::Omitted => "Omitted",
                    ForecastCategory::Closed => "Closed",
                }
                .to_string(),
                (_, Ok(c)) => match c {
                    ForecastCategory::Pipeline => "Pipeline",
                    ForecastCategory::BestCase => "Best case",
                    ForecastCategory::Commit => "Commit",
                    ForecastCategory::Omitted => "Not forecasted",
                    ForecastCategory::Closed => "Closed",
                }
                .to_string(),
                (_, Err(_)) => v.to_string(),
            },
            _ => v.to_string(),
        }
    }
}

impl fmt::Display for Crm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Crm {
    type Err = String;
    fn from_str(s: &str) -> Result<Crm, String> {
        Crm::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("{s:?} is not one of salesforce, hubspot, pipedrive"))
    }
}

/// The deal fields the round trip tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SyncField {
    Stage,
    CloseDate,
    Amount,
    NextStep,
    ForecastCategory,
    Status,
    LossReason,
}

impl SyncField {
    /// A canonical value as a user reads it (amounts in major units).
    pub fn shown(self, v: Option<&str>) -> String {
        match v {
            None => String::new(),
            Some(v) if self == SyncField::Amount => v
                .parse::<i64>()
                .map(|c| Money(c).to_decimal())
                .unwrap_or_else(|_| v.to_string()),
            Some(v) => v.to_string(),
        }
    }

    pub const ALL: [SyncField; 7] = [
        SyncField::Stage,
        SyncField::CloseDate,
        SyncField::Amount,
        SyncField::NextStep,
        SyncField::ForecastCategory,
        SyncField::Status,
        SyncField::LossReason,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SyncField::Stage => "stage",
            SyncField::CloseDate => "close_date",
            SyncField::Amount => "amount",
            SyncField::NextStep => "next_step",
            SyncField::ForecastCategory => "forecast_category",
            SyncField::Status => "status",
            SyncField::LossReason => "loss_reason",
        }
    }

    /// The field's canonical text on a deal (stage name, cents, `YYYY-MM-DD`,
    /// category or status name, free text); `None` when empty.
    pub fn value(self, o: &Opportunity) -> Option<String> {
        match self {
            SyncField::Stage => Some(o.stage.clone()),
            SyncField::CloseDate => o.close_date.map(|d| d.format("%Y-%m-%d").to_string()),
            SyncField::Amount => o.amount.map(|m| m.0.to_string()),
            SyncField::NextStep => o.next_step.clone(),
            SyncField::ForecastCategory => o.forecast_category.map(|c| c.as_str().to_string()),
            SyncField::Status => Some(o.status.as_str().to_string()),
            SyncField::LossReason => o.loss_reason.clone(),
        }
    }

    /// Sets the field from canonical text (a value that does not parse leaves
    /// the deal as it is: canonical text only comes from [`SyncField::value`]).
    pub fn set(self, o: &mut Opportunity, v: Option<&str>) {
        match self {
            SyncField::Stage => {
                if let Some(s) = v {
                    o.stage = s.to_string();
                }
            }
            SyncField::CloseDate => {
                o.close_date = v.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            }
            SyncField::Amount => o.amount = v.and_then(|c| c.parse().ok()).map(Money),
            SyncField::NextStep => o.next_step = v.map(str::to_string),
            SyncField::ForecastCategory => {
                o.forecast_category = v.and_then(|c| ForecastCategory::from_str(c).ok())
            }
            SyncField::Status => {
                if let Some(s) = v.and_then(|s| Status::from_str(s).ok()) {
                    o.status = s;
                }
            }
            SyncField::LossReason => o.loss_reason = v.map(str::to_string),
        }
    }

    /// The fields whose values differ between two versions of a deal.
    pub fn changed(before: &Opportunity, after: &Opportunity) -> Vec<SyncField> {
        SyncField::ALL
            .into_iter()
            .filter(|f| f.value(before) != f.value(after))
            .collect()
    }
}

impl fmt::Display for SyncField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SyncField {
    type Err = String;
    fn from_str(s: &str) -> Result<SyncField, String> {
        SyncField::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not a synced field"))
    }
}

/// Where a pending edit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PendingState {
    /// Edited in pipedeck, not yet seen back in a CRM import.
    Pending,
    /// A CRM import brought the same value: the CRM has it.
    Seen,
    /// A CRM import with `--overwrite-local` replaced it.
    Overwritten,
}

impl PendingState {
    pub fn as_str(self) -> &'static str {
        match self {
            PendingState::Pending => "pending",
            PendingState::Seen => "seen",
            PendingState::Overwritten => "overwritten",
        }
    }

    pub fn parse(s: &str) -> Option<PendingState> {
        match s {
            "pending" => Some(PendingState::Pending),
            "seen" => Some(PendingState::Seen),
            "overwritten" => Some(PendingState::Overwritten),
            _ => None,
        }
    }
}

/// The latest local edit of one field of one deal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalEdit {
    pub deal: String,
    pub field: SyncField,
    /// The value set in pipedeck (canonical text).
    pub local: Option<String>,
    /// The CRM's value as last known (from the last import, or the value
    /// before the first local edit).
    pub base: Option<String>,
    pub edited_at: DateTime<Utc>,
    pub state: PendingState,
    /// When an import settled it (seen or overwritten); `None` while pending.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// The CRM record a deal is, and when it was last imported from it.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmRecord {
    pub opportunity_id: crate::domain::OppId,
    pub crm: Crm,
    pub crm_id: String,
    pub imported_at: DateTime<Utc>,
}

/// What a re-import does with one pending edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The CRM brings the local value: no longer pending.
    Seen,
    /// The CRM brings another value: pipedeck keeps its own (listed).
    KeepLocal,
    /// `--overwrite-local`: the CRM's value replaces the local edit.
    TakeCrm,
}

/// Decides a pending edit against the value a CRM import brings.
pub fn resolve(local: Option<&str>, crm: Option<&str>, overwrite_local: bool) -> Resolution {
    if local == crm {
        Resolution::Seen
    } else if overwrite_local {
        Resolution::TakeCrm
    } else {
        Resolution::KeepLocal
    }
}

/// After a new local edit of a field: `None` when the edit puts the field
/// back to the CRM's value (nothing left to write back), else the state.
pub fn after_edit(base: Option<&str>, local: Option<&str>) -> Option<PendingState> {
    (base != local).then_some(PendingState::Pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_a_pending_edit_against_the_crm_value() {
        let cases = [
            (Some("Proposal"), Some("Proposal"), false, Resolution::Seen),
            (
                Some("Proposal"),
                Some("Qualification"),
                false,
                Resolution::KeepLocal,
            ),
            (
                Some("Proposal"),
                Some("Qualification"),
                true,
                Resolution::TakeCrm,
            ),
            (Some("Proposal"), None, false, Resolution::KeepLocal),
            (None, None, true, Resolution::Seen),
        ];
        for (local, crm, over, want) in cases {
            assert_eq!(resolve(local, crm, over), want, "{local:?} {crm:?} {over}");
        }
    }

    #[test]
    fn an_edit_back_to_the_crm_value_is_not_pending() {
        assert_eq!(after_edit(Some("2026-12-01"), Some("2026-12-01")), None);
        assert_eq!(
            after_edit(Some("2026-12-01"), Some("2026-12-15")),
            Some(PendingState::Pending)
        );
    }

    #[test]
    fn writes_values_in_each_crm_form() {
        let cases = [
            (Crm::Salesforce, SyncField::Amount, "1250050", "12500.50"),
            (
                Crm::Salesforce,
                SyncField::ForecastCategory,
                "best_case",
                "Best Case",
            ),
            (
                Crm::Hubspot,
                SyncField::ForecastCategory,
                "omitted",
                "Not forecasted",
            ),
            (Crm::Pipedrive, SyncField::Status, "lost", "lost"),
            (
                Crm::Hubspot,
                SyncField::CloseDate,
                "2026-12-15",
                "2026-12-15",
            ),
        ];
        for (crm, f, v, want) in cases {
            assert_eq!(crm.cell(f, Some(v)), want, "{crm} {f}");
        }
        assert_eq!(Crm::Salesforce.column(SyncField::Stage), Some("StageName"));
        assert_eq!(Crm::Pipedrive.column(SyncField::NextStep), None);
    }
}
