//! The rule parameters of SPEC §9, as plain values. Loading them from a file
//! is `config`'s job; every field has a default (`assets/default-config.toml`).

use super::model::{Goal, GoalDirection, PeriodKind, Role, Stage, StageKind};
use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// Every setting pipedeck's rules read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub currency: String,
    /// IANA zone name; dates are shown and day counts made in it.
    pub time_zone: String,
    #[serde(with = "weekday_name")]
    pub week_start: Weekday,
    pub fiscal_year_start_month: u32,
    pub stale_days: i64,
    pub ramp_days: i64,
    #[serde(with = "weekday_name")]
    pub review_weekday: Weekday,
    pub review_order: ReviewOrder,
    pub coverage_target: f64,
    pub coverage_light: f64,
    pub anomalies: AnomalySettings,
    /// Pricing guardrails (SPEC §15).
    pub discount: DiscountSettings,
    /// The deal score's weights and thresholds (SPEC §15).
    pub score: super::score::ScoreSettings,
    pub stages: Vec<StageSetting>,
    /// Missing from a file: the default goals (the container default fills it).
    pub goals: Vec<Goal>,
    /// Column mappings for imports: file kind → (pipedeck column → source column).
    pub import: ImportSettings,
    /// Cockpit key overrides: `[keys.MODE] action = ["key", …]` replaces that
    /// action's keys in that mode (defaults: `assets/keymap.toml`).
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, std::collections::BTreeMap<String, Vec<String>>>,
    /// Cockpit colour overrides per role (`good = "green"`, `alert = "#ff0000"`).
    #[serde(default)]
    pub theme: std::collections::BTreeMap<String, String>,
}

/// Thresholds of the anomaly and slipping rules (SPEC §5, §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnomalySettings {
    pub sustained_periods: u32,
    pub min_sample: u64,
    pub mad_multiplier: f64,
    pub min_relative_gap: f64,
    pub wilson_confidence: f64,
    pub history_periods: u32,
    pub history_min_move: f64,
    pub history_team_band: f64,
    pub slipping_pushes: u32,
    pub slipping_window_days: i64,
    pub new_hire_percentile: f64,
}

/// Pricing guardrails: the discount bands of won deals (SPEC §15). A
/// discount up to `rep_call` (premiums included) is the rep's call, up to
/// `manager_approval` needs a manager, above it is an exception.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscountSettings {
    pub rep_call: f64,
    pub manager_approval: f64,
}

impl Default for DiscountSettings {
    fn default() -> DiscountSettings {
        DiscountSettings {
            rep_call: 0.10,
            manager_approval: 0.20,
        }
    }
}

/// One configured stage, in pipeline order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSetting {
    pub name: String,
    pub probability: f64,
    #[serde(default)]
    pub max_days: Option<i64>,
    #[serde(default = "open_kind")]
    pub kind: StageKind,
}

fn open_kind() -> StageKind {
    StageKind::Open
}

/// How the review agenda orders AEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOrder {
    /// Largest open pipeline first.
    Pipeline,
    /// By name.
    Name,
}

/// Column mappings that override format detection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSettings {
    /// `[import.mappings.opportunities] amount = "Deal Value"` maps a source
    /// column onto a pipedeck column of that file kind.
    #[serde(default)]
    pub mappings: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
}

impl Default for Settings {
    /// The built-in defaults; `assets/default-config.toml` documents them and a
    /// test keeps the two equal.
    fn default() -> Settings {
        let stage =
            |name: &str, probability: f64, max_days: Option<i64>, kind: StageKind| StageSetting {
                name: name.to_string(),
                probability,
                max_days,
                kind,
            };
        let goal = |role: Role, metric: &str, period: PeriodKind, target: f64| Goal {
            role,
            metric: metric.to_string(),
            period,
            target,
            direction: GoalDirection::AtLeast,
        };
        Settings {
            currency: "USD".to_string(),
            time_zone: "UTC".to_string(),
            week_start: Weekday::Mon,
            fiscal_year_start_month: 1,
            stale_days: 30,
            ramp_days: 90,
            review_weekday: Weekday::Tue,
            review_order: ReviewOrder::Pipeline,
            coverage_target: 3.0,
            coverage_light: 2.0,
            anomalies: AnomalySettings::default(),
            discount: DiscountSettings::default(),
            score: super::score::ScoreSettings::default(),
            stages: vec![
                stage("Prospecting", 0.05, Some(30), StageKind::Open),
                stage("Qualification", 0.10, Some(21), StageKind::Open),
                stage("Discovery", 0.20, Some(21), StageKind::Open),
                stage("Demo", 0.35, Some(21), StageKind::Open),
                stage("Proposal", 0.60, Some(14), StageKind::Open),
                stage("Negotiation", 0.80, Some(14), StageKind::Open),
                stage("Closed Won", 1.0, None, StageKind::Won),
                stage("Closed Lost", 0.0, None, StageKind::Lost),
            ],
            goals: vec![
                goal(Role::Ae, "meetings", PeriodKind::Week, 15.0),
                goal(Role::Ae, "opps_created", PeriodKind::Month, 8.0),
                goal(Role::Ae, "win_rate", PeriodKind::Quarter, 0.25),
                goal(Role::Sdr, "meetings_set", PeriodKind::Week, 6.0),
                goal(Role::Sdr, "calls", PeriodKind::Week, 200.0),
            ],
            import: ImportSettings::default(),
            keys: Default::default(),
            theme: Default::default(),
        }
    }
}

impl Default for AnomalySettings {
    fn default() -> AnomalySettings {
        AnomalySettings {
            sustained_periods: 2,
            min_sample: 8,
            mad_multiplier: 2.0,
            min_relative_gap: 0.25,
            wilson_confidence: 0.90,
            history_periods: 3,
            history_min_move: 0.30,
            history_team_band: 0.10,
            slipping_pushes: 2,
            slipping_window_days: 90,
            new_hire_percentile: 0.25,
        }
    }
}

impl Settings {
    /// The stages in force for a database: the ones stored in it (written by
    /// imports and the demo, which bring their own pipelines) when there are
    /// any, else the configured stages.
    pub fn effective_stages(&self, stored: &[Stage]) -> Vec<Stage> {
        if stored.is_empty() {
            self.stage_list()
        } else {
            stored.to_vec()
        }
    }

    /// The configured stages as domain stages, positions in file order.
    pub fn stage_list(&self) -> Vec<Stage> {
        self.stages
            .iter()
            .enumerate()
            .map(|(i, s)| Stage {
                name: s.name.clone(),
                position: i as i64,
                probability: s.probability,
                max_days: s.max_days,
                kind: s.kind,
            })
            .collect()
    }
}

/// Weekdays as lower-case English names in TOML.
mod weekday_name {
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{d:?}").to_lowercase())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let text = String::deserialize(d)?;
        text.parse::<Weekday>().map_err(|_| {
            serde::de::Error::custom(format!(
                "{text:?} is not a weekday (monday, tuesday, …, sunday)"
            ))
        })
    }
}

impl Settings {
    /// The calendar rules of these settings; an unknown zone name is an error.
    pub fn calendar(&self) -> Result<super::period::Calendar, String> {
        let tz = self.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            format!(
                "time_zone {:?} is not an IANA time zone name",
                self.time_zone
            )
        })?;
        if !(1..=12).contains(&self.fiscal_year_start_month) {
            return Err(format!(
                "fiscal_year_start_month {} is not a month (1–12)",
                self.fiscal_year_start_month
            ));
        }
        Ok(super::period::Calendar {
            week_start: self.week_start,
            fiscal_year_start_month: self.fiscal_year_start_month,
            tz,
        })
    }
}
