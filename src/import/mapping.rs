//! Mapped flat exports (`import --mapping FILE.toml PATH`): any flat CSV of
//! deals, one row per deal, read through a TOML file that names the source
//! column of each pipedeck field, the date formats, value maps for stage,
//! status and forecast category, the stages with their order, and derived
//! fields (a date from another date or an anchor, minus or plus a column of
//! days). The format is documented in `docs/import.md`; `docs/mappings/`
//! ships examples. This file is the mapping file; `mapped.rs` reads the rows.

use super::Context;
use super::crm_values as cv;
use super::table::{MAX_YEAR, MIN_YEAR};
use crate::domain::crm::Crm;
use crate::domain::model::*;
use crate::domain::settings::{check_stage_name, check_stages};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;

/// A mapping file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The CRM whose record ids the `id` column holds, so that local edits
    /// can be written back (`export --changes --for CRM`).
    pub crm: Option<String>,
    /// chrono formats tried in order for every date cell (default: the CRM
    /// forms, `YYYY-MM-DD[ HH:MM[:SS]]`, ISO 8601, `MM/DD/YYYY`).
    #[serde(default)]
    pub date_formats: Vec<String>,
    /// pipedeck field → source column.
    pub columns: Columns,
    /// Status from two boolean columns, when there is no status column.
    pub status_from: Option<StatusFrom>,
    /// Value maps: `[values.stage]`, `[values.status]`,
    /// `[values.forecast_category]`, each source value → ours.
    #[serde(default)]
    pub values: Values,
    /// Derived dates: `[derived.created_at] from = "close_date", minus_days = "Age"`.
    #[serde(default)]
    pub derived: BTreeMap<String, Derived>,
    /// The stages the file uses, in pipeline order (registered unless the
    /// database has them).
    #[serde(default)]
    pub stages: Vec<StageDef>,
}

/// The source column of each field (all optional but `id`, `name`, `stage`
/// and one of `owner` / `owner_id`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub id: String,
    pub name: String,
    /// Owner names: rep ids are derived from them (`Ann Lee` → `ann-lee`).
    pub owner: Option<String>,
    /// Owner ids, used as they are (`owner` then gives their names).
    pub owner_id: Option<String>,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub account_industry: Option<String>,
    pub stage: String,
    pub amount: Option<String>,
    pub created_at: Option<String>,
    pub close_date: Option<String>,
    pub closed_at: Option<String>,
    pub forecast_category: Option<String>,
    pub status: Option<String>,
    pub loss_reason: Option<String>,
    pub next_step: Option<String>,
    pub next_step_date: Option<String>,
    pub channel: Option<String>,
    /// The last real contact (feeds the untouched rule; not an activity).
    pub last_activity: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusFrom {
    /// A boolean column: the deal is closed.
    pub closed: String,
    /// A boolean column: the deal is won.
    pub won: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Values {
    #[serde(default)]
    pub stage: BTreeMap<String, String>,
    #[serde(default)]
    pub status: BTreeMap<String, String>,
    #[serde(default)]
    pub forecast_category: BTreeMap<String, String>,
}

/// A date computed from another: `from` a date field (`close_date`,
/// `created_at`, `closed_at`) or an `anchor` date, minus or plus a column
/// of whole days.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    pub from: Option<String>,
    pub anchor: Option<NaiveDate>,
    pub minus_days: Option<String>,
    pub plus_days: Option<String>,
}

/// A mapping's stage: a stage of the config's `[[stages]]`, by the same
/// rules (`settings::check_stages`).
pub type StageDef = crate::domain::settings::StageSetting;

/// Why a mapping file is refused.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("{path}: {detail}")]
    Read { path: String, detail: String },
    #[error("{path}: {detail}")]
    Invalid { path: String, detail: String },
}

pub(super) const DERIVABLE: [&str; 5] = [
    "close_date",
    "created_at",
    "closed_at",
    "last_activity",
    "next_step_date",
];

/// Reads and checks a mapping file (TOML; unknown keys are errors).
pub fn load(path: &std::path::Path) -> Result<Mapping, MappingError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| MappingError::Read {
        path: p.clone(),
        detail: e.to_string(),
    })?;
    let m: Mapping = toml::from_str(&text).map_err(|e| MappingError::Invalid {
        path: p.clone(),
        detail: e.to_string(),
    })?;
    let invalid = |detail: String| MappingError::Invalid {
        path: p.clone(),
        detail,
    };
    if let Some(c) = &m.crm {
        Crm::from_str(c).map_err(|e| invalid(format!("crm: {e}")))?;
    }
    if m.columns.owner.is_none() && m.columns.owner_id.is_none() {
        return Err(invalid(
            "columns: give `owner` (names) or `owner_id`".into(),
        ));
    }
    for (field, d) in &m.derived {
        if !DERIVABLE.contains(&field.as_str()) {
            return Err(invalid(format!(
                "derived.{field}: only {} can be derived",
                DERIVABLE.join(", ")
            )));
        }
        match (&d.from, d.anchor) {
            (Some(f), None) if DERIVABLE[..3].contains(&f.as_str()) && f != field => {}
            (None, Some(a)) if (MIN_YEAR..=MAX_YEAR).contains(&a.year()) => {}
            (None, Some(a)) => {
                return Err(invalid(format!(
                    "derived.{field}: anchor {a} is outside the years {MIN_YEAR} to {MAX_YEAR}"
                )));
            }
            _ => {
                return Err(invalid(format!(
                    "derived.{field}: give `from` (close_date, created_at or closed_at, not itself) or `anchor` (a date)"
                )));
            }
        }
        if d.minus_days.is_some() == d.plus_days.is_some() {
            return Err(invalid(format!(
                "derived.{field}: give one of `minus_days` or `plus_days` (a column of whole days)"
            )));
        }
    }
    for v in m.values.status.values() {
        Status::from_str(v).map_err(|e| invalid(format!("values.status: {e}")))?;
    }
    for v in m.values.forecast_category.values() {
        ForecastCategory::from_str(v)
            .map_err(|e| invalid(format!("values.forecast_category: {e}")))?;
    }
    // What the mapping registers, the config's rules: a stage restores
    // from a backup only if it could be configured.
    check_stages(&m.stages).map_err(|e| invalid(format!("stages: {e}")))?;
    for (from, to) in &m.values.stage {
        check_stage_name(to).map_err(|e| invalid(format!("values.stage: {from:?} → {e}")))?;
    }
    Ok(m)
}

impl Mapping {
    /// Every source column the mapping reads.
    pub(super) fn sources(&self) -> Vec<&str> {
        let c = &self.columns;
        let mut out: Vec<&str> = vec![&c.id, &c.name, &c.stage];
        out.extend(
            [
                &c.owner,
                &c.owner_id,
                &c.account_id,
                &c.account_name,
                &c.account_industry,
                &c.amount,
                &c.created_at,
                &c.close_date,
                &c.closed_at,
                &c.forecast_category,
                &c.status,
                &c.loss_reason,
                &c.next_step,
                &c.next_step_date,
                &c.channel,
                &c.last_activity,
            ]
            .into_iter()
            .flatten()
            .map(String::as_str),
        );
        if let Some(s) = &self.status_from {
            out.extend([s.closed.as_str(), s.won.as_str()]);
        }
        for d in self.derived.values() {
            out.extend(
                [&d.minus_days, &d.plus_days]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
        }
        out
    }

    pub(super) fn date(&self, v: &str) -> Result<NaiveDate, String> {
        if self.date_formats.is_empty() {
            return cv::date(v);
        }
        self.date_formats
            .iter()
            .find_map(|f| {
                NaiveDate::parse_from_str(v.trim(), f).ok().or_else(|| {
                    chrono::NaiveDateTime::parse_from_str(v.trim(), f)
                        .ok()
                        .map(|t| t.date())
                })
            })
            .ok_or_else(|| format!("{v:?} is not a date in {}", self.date_formats.join(" or ")))
    }

    pub(super) fn instant(&self, v: &str, ctx: &Context<'_>) -> Result<DateTime<Utc>, String> {
        if self.date_formats.is_empty() {
            return cv::instant(v, ctx.cal);
        }
        for f in &self.date_formats {
            if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v.trim(), f) {
                return Ok(ctx.cal.instant_of(t));
            }
        }
        self.date(v).map(|d| ctx.cal.start_of(d))
    }
}
