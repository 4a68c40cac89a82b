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
    // The cockpit's `[keys]` and `[theme]` tables of the same file are not
    // rule settings: `tui::config::UiConfig` reads them.
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

/// The longest look-back in days a setting may ask for (a century).
pub const MAX_DAYS: i64 = 36_500;

/// Whether `name` may name a stage: text without control characters,
/// invisible or reordering characters (`text::invisible`), or spaces
/// around it (a stage is typed to be found, and a backup must restore it).
pub fn check_stage_name(name: &str) -> Result<(), String> {
    let trimmed = name.trim();
    if trimmed.is_empty()
        || trimmed != name
        || name.chars().any(char::is_control)
        || crate::text::invisible(name).is_some()
    {
        return Err(format!(
            "stage {name:?}: a name must be text without control characters, invisible or \
             reordering characters, or spaces around it"
        ));
    }
    Ok(())
}

/// The rules every list of stages follows, the config's `[[stages]]` and a
/// mapping's alike: each name as [`check_stage_name`] says, once (in any
/// case), a probability in 0–1, `max_days` from 1 to [`MAX_DAYS`].
pub fn check_stages(stages: &[StageSetting]) -> Result<(), String> {
    let mut names = std::collections::HashSet::new();
    for st in stages {
        check_stage_name(&st.name)?;
        if !(0.0..=1.0).contains(&st.probability) {
            return Err(format!(
                "stage {:?}: probability {} is not between 0 and 1",
                st.name, st.probability
            ));
        }
        if !names.insert(st.name.to_lowercase()) {
            return Err(format!("stage {:?} is listed twice", st.name));
        }
        if st.max_days.is_some_and(|d| !(1..=MAX_DAYS).contains(&d)) {
            return Err(format!(
                "stage {:?}: max_days must be between 1 and {MAX_DAYS}",
                st.name
            ));
        }
    }
    Ok(())
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
    /// `[import.rates] EUR = 1.08`: units of the database currency per unit
    /// of a foreign currency, to convert a CRM file that mixes currencies.
    #[serde(default)]
    pub rates: std::collections::BTreeMap<String, f64>,
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
    /// The stages in force for a database (SPEC §12): the ones stored in it
    /// (written by imports and the demo, which bring their own pipelines)
    /// together with the configured ones. Stored stages keep their order and
    /// win on a shared name; a configured open stage the database lacks comes
    /// right after the stage that precedes it in the config (before any
    /// closed stage), a configured closed stage last. A won and a lost
    /// stage always exist (`Closed Won`, `Closed Lost` when neither names
    /// one). Positions are renumbered 0, 1, … in that order.
    pub fn effective_stages(&self, stored: &[Stage]) -> Vec<Stage> {
        let mut out: Vec<Stage> = stored.to_vec();
        out.sort_by_key(|s| s.position);
        let mut after: Option<usize> = None;
        for c in self.stage_list() {
            match out.iter().position(|s| s.name == c.name) {
                Some(i) => after = Some(i),
                // A closed stage goes last; an open one after its
                // predecessor, and never after a closed stage.
                None if c.kind != StageKind::Open => out.push(c),
                None => {
                    let first_closed = out
                        .iter()
                        .position(|s| s.kind != StageKind::Open)
                        .unwrap_or(out.len());
                    let at = after.map_or(0, |i| i + 1).min(first_closed);
                    out.insert(at, c);
                    after = Some(at);
                }
            }
        }
        for (kind, name, probability) in [
            (StageKind::Won, "Closed Won", 1.0),
            (StageKind::Lost, "Closed Lost", 0.0),
        ] {
            if !out.iter().any(|s| s.kind == kind) {
                out.push(Stage {
                    name: name.to_string(),
                    position: 0,
                    probability,
                    max_days: None,
                    kind,
                });
            }
        }
        for (i, s) in out.iter_mut().enumerate() {
            s.position = i as i64;
        }
        out
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

#[cfg(test)]
mod stage_union_tests {
    use super::*;

    fn stage(name: &str, position: i64, kind: StageKind) -> Stage {
        Stage {
            name: name.into(),
            position,
            probability: 0.5,
            max_days: None,
            kind,
        }
    }

    fn names(v: &[Stage]) -> Vec<&str> {
        v.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn stages_in_force_are_the_database_and_the_config_together() {
        let s = Settings::default();
        // An import whose deals used only Proposal: the rest of the config
        // is still in force (lost and stage moves used to be refused).
        let stored = [stage("Proposal", 0, StageKind::Open)];
        let got = s.effective_stages(&stored);
        // The default config's open stages, in order.
        let open = [
            "Prospecting",
            "Qualification",
            "Discovery",
            "Demo",
            "Proposal",
            "Negotiation",
        ];
        assert_eq!(
            names(&got),
            [&open[..], &["Closed Won", "Closed Lost"]].concat()
        );
        assert_eq!(got[4].probability, 0.5, "the stored stage wins");
        assert_eq!(
            got.iter().map(|s| s.position).collect::<Vec<_>>(),
            (0..8).collect::<Vec<i64>>()
        );
        // A set with its own pipeline (CRM Sales Opportunities).
        let maven = [
            stage("Prospecting", 0, StageKind::Open),
            stage("Engaging", 1, StageKind::Open),
            stage("Won", 2, StageKind::Won),
            stage("Lost", 3, StageKind::Lost),
        ];
        assert_eq!(
            names(&s.effective_stages(&maven)),
            [
                &open[..],
                &["Engaging", "Won", "Lost", "Closed Won", "Closed Lost"]
            ]
            .concat()
        );
        // Won and lost always exist, whatever the config says.
        let bare = Settings {
            stages: Vec::new(),
            ..Settings::default()
        };
        assert_eq!(
            names(&bare.effective_stages(&[])),
            vec!["Closed Won", "Closed Lost"]
        );
    }
}
