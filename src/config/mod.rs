//! Loading [`Settings`] from TOML (SPEC §9). The embedded defaults are the
//! documentation (`pipedeck config print-default`); a user file overrides any
//! of them, and arrays (stages, goals) replace the default arrays whole.

use crate::domain::Settings;
use std::path::{Path, PathBuf};

/// The embedded default configuration, comments included.
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/default-config.toml");

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the config file: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {key}{message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        /// `key `name`: ` when the offending key is known, else empty.
        key: String,
        message: String,
    },
    #[error("{path}: {message}")]
    Rule { path: String, message: String },
}

/// The tables of the config file that are not rule settings: the
/// cockpit's keys and colours, read by `tui::config::UiConfig`.
pub const UI_TABLES: [&str; 2] = ["keys", "theme"];

/// Parses config text into the rule settings (the [`UI_TABLES`] are the
/// cockpit's and are skipped here); `path` names it in errors.
pub fn parse(text: &str, path: &str) -> Result<Settings, ConfigError> {
    let settings: Settings = deserialize(text, path, |table| !UI_TABLES.contains(&table))?;
    validate(&settings).map_err(|message| ConfigError::Rule {
        path: path.to_string(),
        message,
    })?;
    Ok(settings)
}

/// Deserializes only the top-level tables `tables` of config text (another
/// part of the program's own section of the same file); errors name
/// `path:line:column` as for the settings.
pub fn parse_tables<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &str,
    tables: &[&str],
) -> Result<T, ConfigError> {
    deserialize(text, path, |table| tables.contains(&table))
}

/// Deserializes the top-level entries of `text` that `keep` keeps.
fn deserialize<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &str,
    keep: impl Fn(&str) -> bool,
) -> Result<T, ConfigError> {
    let invalid = |e: toml::de::Error| {
        let (line, column, key) = match e.span() {
            Some(span) => locate(text, span.start),
            None => (1, 1, String::new()),
        };
        ConfigError::Invalid {
            path: path.to_string(),
            line,
            column,
            key,
            message: e.message().trim().to_string(),
        }
    };
    let mut doc = toml::de::DeTable::parse(text).map_err(invalid)?;
    let dropped: Vec<String> = doc
        .get_ref()
        .keys()
        .map(|k| k.get_ref().to_string())
        .filter(|k| !keep(k))
        .collect();
    for k in &dropped {
        doc.get_mut().remove(k.as_str());
    }
    T::deserialize(toml::de::Deserializer::from(doc)).map_err(invalid)
}

/// What `config check` says of settings that are valid but implausible: an
/// open stage whose probability is below one earlier in the pipeline (the
/// weighted forecast would value a deal less as it advances).
pub fn implausible(s: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    let mut highest: Option<&crate::domain::settings::StageSetting> = None;
    // The list's order is the pipeline's.
    for st in s
        .stages
        .iter()
        .filter(|st| st.kind == crate::domain::StageKind::Open)
    {
        match highest {
            Some(h) if st.probability < h.probability => out.push(format!(
                "stage {:?}: probability {} is below {}, the probability of {:?} earlier in the \
                 pipeline; a deal would count for less in the weighted forecast as it advances",
                st.name, st.probability, h.probability, h.name
            )),
            _ => highest = Some(st),
        }
    }
    out
}

/// The longest look-back in days a setting may ask for (a century).
pub use crate::domain::settings::MAX_DAYS;
/// The most periods a rule may compare.
pub const MAX_PERIODS: u32 = 100;

/// Checks the rules serde cannot: a known time zone, probabilities in 0–1,
/// exactly one won and one lost stage, unique stage names.
fn validate(s: &Settings) -> Result<(), String> {
    s.calendar()?;
    crate::domain::settings::check_stages(&s.stages)?;
    for kind in [
        crate::domain::StageKind::Won,
        crate::domain::StageKind::Lost,
    ] {
        let n = s.stages.iter().filter(|st| st.kind == kind).count();
        if n != 1 {
            return Err(format!(
                "stages: need exactly one stage of kind {kind}, found {n}"
            ));
        }
    }
    let mut goals_seen = std::collections::HashSet::new();
    for g in &s.goals {
        if !goals_seen.insert((g.role, g.metric.as_str(), g.period)) {
            return Err(format!(
                "goal of {} per {} on {} is listed twice; give each goal one target",
                g.role, g.period, g.metric
            ));
        }
        let id: crate::domain::metrics::MetricId = g
            .metric
            .parse()
            .map_err(|e| format!("goal of {} per {}: {e}", g.role, g.period))?;
        if !(g.target.is_finite() && g.target >= 0.0) {
            return Err(format!(
                "goal of {} per {} on {}: target {} must be a number, 0 or more",
                g.role,
                g.period,
                id.as_str(),
                g.target
            ));
        }
        if let Some(why) = crate::domain::metrics::goals::target_out_of_range(g.role, &id, g.target)
        {
            return Err(format!("goal of {} per {}: {why}", g.role, g.period));
        }
        if crate::domain::metrics::lookup(g.role, &id).is_none() {
            return Err(format!(
                "goal of {} per {}: {:?} is not a metric of the {} role",
                g.role,
                g.period,
                id.as_str(),
                g.role
            ));
        }
    }
    if s.stale_days < 1 {
        return Err(format!(
            "key `stale_days`: {} must be at least 1",
            s.stale_days
        ));
    }
    if s.ramp_days < 0 {
        return Err(format!(
            "key `ramp_days`: {} must be 0 or more",
            s.ramp_days
        ));
    }
    let currency = &s.currency;
    if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic())) {
        return Err(format!(
            "key `currency`: {currency:?} is not a currency code (three letters, ISO 4217: USD, EUR)"
        ));
    }
    validate_revenue(s)?;
    let a = &s.anomalies;
    let positive = [
        ("coverage_target", s.coverage_target),
        ("coverage_light", s.coverage_light),
        ("anomalies.mad_multiplier", a.mad_multiplier),
    ];
    for (key, v) in positive {
        if !(v.is_finite() && v > 0.0) {
            return Err(format!("key `{key}`: {v} must be a number above 0"));
        }
    }
    if s.coverage_light > s.coverage_target {
        return Err(format!(
            "key `coverage_light`: {} must not be above coverage_target ({})",
            s.coverage_light, s.coverage_target
        ));
    }
    let at_least_one = [
        ("anomalies.min_sample", a.min_sample),
        (
            "anomalies.sustained_periods",
            u64::from(a.sustained_periods),
        ),
        ("anomalies.history_periods", u64::from(a.history_periods)),
        ("anomalies.slipping_pushes", u64::from(a.slipping_pushes)),
    ];
    if let Some((key, v)) = at_least_one.into_iter().find(|(_, v)| *v < 1) {
        return Err(format!("key `{key}`: {v} must be at least 1"));
    }
    let non_negative = [
        ("anomalies.min_relative_gap", a.min_relative_gap),
        ("anomalies.history_min_move", a.history_min_move),
        ("anomalies.history_team_band", a.history_team_band),
    ];
    for (key, v) in non_negative {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("key `{key}`: {v} must be 0 or more"));
        }
    }
    if !(a.wilson_confidence > 0.0 && a.wilson_confidence < 1.0) {
        return Err(format!(
            "key `anomalies.wilson_confidence`: {} must be between 0 and 1 (say 0.90)",
            a.wilson_confidence
        ));
    }
    if !(0.0..=1.0).contains(&a.new_hire_percentile) {
        return Err(format!(
            "key `anomalies.new_hire_percentile`: {} must be between 0 and 1",
            a.new_hire_percentile
        ));
    }
    if a.slipping_window_days < 1 {
        return Err(format!(
            "key `anomalies.slipping_window_days`: {} must be at least 1",
            a.slipping_window_days
        ));
    }
    // Look-backs past the calendar's range would make no date at all: day
    // counts stop at a century, counts of periods at a hundred.
    let days = [
        ("stale_days", s.stale_days),
        ("ramp_days", s.ramp_days),
        ("anomalies.slipping_window_days", a.slipping_window_days),
        ("score.engagement_days", s.score.engagement_days),
    ];
    if let Some((key, v)) = days.into_iter().find(|(_, v)| *v > MAX_DAYS) {
        return Err(format!("key `{key}`: {v} must be at most {MAX_DAYS} days"));
    }
    let periods = [
        ("anomalies.sustained_periods", a.sustained_periods),
        ("anomalies.history_periods", a.history_periods),
    ];
    if let Some((key, v)) = periods.into_iter().find(|(_, v)| *v > MAX_PERIODS) {
        return Err(format!(
            "key `{key}`: {v} must be at most {MAX_PERIODS} periods"
        ));
    }
    Ok(())
}

/// The rules of the revenue settings serde cannot check: the score's
/// weights, risks and points, the discount bands, the import rates.
fn validate_revenue(s: &Settings) -> Result<(), String> {
    let sc = &s.score;
    let weights = [
        ("score.weight_fit", sc.weight_fit),
        ("score.weight_engagement", sc.weight_engagement),
        ("score.weight_momentum", sc.weight_momentum),
        ("score.weight_risk", sc.weight_risk),
        ("score.risk_untouched", sc.risk_untouched),
        ("score.risk_past_due", sc.risk_past_due),
        ("score.risk_stuck", sc.risk_stuck),
        ("score.risk_no_next_step", sc.risk_no_next_step),
        ("score.risk_per_push", sc.risk_per_push),
    ];
    for (key, v) in weights {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            return Err(format!("key `{key}`: {v} must be a number from 0 to 100"));
        }
    }
    if sc.weight_fit + sc.weight_engagement + sc.weight_momentum <= 0.0 {
        return Err(
            "keys `score.weight_fit`, `weight_engagement`, `weight_momentum`: one must be above 0"
                .to_string(),
        );
    }
    let points = [("score.unknown_points".to_string(), sc.unknown_points)]
        .into_iter()
        .chain(
            sc.tier_points
                .iter()
                .map(|(k, v)| (format!("score.tier_points.{k}"), *v)),
        )
        .chain(
            sc.segment_points
                .iter()
                .map(|(k, v)| (format!("score.segment_points.{k}"), *v)),
        );
    for (key, v) in points {
        if !(v.is_finite() && (0.0..=100.0).contains(&v)) {
            return Err(format!("key `{key}`: {v} must be points from 0 to 100"));
        }
    }
    for (key, v) in [
        ("score.full_touches", sc.full_touches),
        ("score.full_contacts", sc.full_contacts),
    ] {
        if v < 1 {
            return Err(format!("key `{key}`: {v} must be at least 1"));
        }
    }
    let d = &s.discount;
    for (key, v) in [
        ("discount.rep_call", d.rep_call),
        ("discount.manager_approval", d.manager_approval),
    ] {
        if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
            return Err(format!(
                "key `{key}`: {v} must be a share from 0 to 1 (0.10 is 10 %)"
            ));
        }
    }
    if d.rep_call > d.manager_approval {
        return Err(format!(
            "key `discount.rep_call`: {} must not be above discount.manager_approval ({})",
            d.rep_call, d.manager_approval
        ));
    }
    for (c, r) in &s.import.rates {
        if c.eq_ignore_ascii_case(&s.currency) && *r != 1.0 {
            return Err(format!(
                "key `import.rates.{c}`: {c} is the database currency; its rate can only be 1"
            ));
        }
        if !(r.is_finite() && *r > 0.0) {
            return Err(format!(
                "key `import.rates.{c}`: {r} must be a number above 0 (units of {} per {c})",
                s.currency
            ));
        }
    }
    Ok(())
}

/// 1-based line and column of a byte offset, and the key named on that line.
fn locate(text: &str, offset: usize) -> (usize, usize, String) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let line_text = text[line_start..].lines().next().unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty() && !k.starts_with('['))
        .map(|k| format!("key `{k}`: "))
        .unwrap_or_default();
    (line, column, key)
}

/// Where the config is read from: `--config`, else `PIPEDECK_CONFIG`, else
/// `config.toml` in the platform config directory.
pub fn resolve_path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("PIPEDECK_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "pipedeck").map(|d| d.config_dir().join("config.toml"))
}

/// A config file read: its path (for errors) and its text.
pub struct Source {
    pub path: String,
    pub text: String,
}

/// Reads the config file: the one named explicitly (`--config`,
/// `PIPEDECK_CONFIG`: it must exist), else the default location when it
/// exists; `None`: the built-in defaults.
pub fn read(flag: Option<&Path>) -> Result<Option<Source>, ConfigError> {
    let explicit =
        flag.is_some() || std::env::var_os("PIPEDECK_CONFIG").is_some_and(|p| !p.is_empty());
    match resolve_path(flag) {
        Some(path) if explicit || path.exists() => {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            Ok(Some(Source {
                path: path.display().to_string(),
                text,
            }))
        }
        _ => Ok(None),
    }
}

/// Loads the settings from the config file ([`read`]), else the built-in
/// defaults.
pub fn load(flag: Option<&Path>) -> Result<Settings, ConfigError> {
    match read(flag)? {
        Some(src) => parse(&src.text, &src.path),
        None => Ok(Settings::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_equal_the_built_in_defaults() {
        let parsed = parse(DEFAULT_CONFIG, "default-config.toml").unwrap();
        assert_eq!(parsed, Settings::default());
    }

    #[test]
    fn a_partial_file_keeps_the_other_defaults() {
        let s = parse("stale_days = 14\n[anomalies]\nmin_sample = 5\n", "c.toml").unwrap();
        assert_eq!(s.stale_days, 14);
        assert_eq!(s.anomalies.min_sample, 5);
        assert_eq!(s.ramp_days, 90);
        assert_eq!(s.stages.len(), 8);
        assert_eq!(
            s.goals.len(),
            5,
            "goals not named in the file keep their defaults"
        );
    }

    #[test]
    fn the_cockpits_tables_are_not_settings_but_are_still_checked_as_toml() {
        let s = parse(
            "stale_days = 9\n[keys.global]\nquit = [\"x\"]\n[theme]\ngood = \"red\"\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(s.stale_days, 9);
        let err = parse("[theme\n", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:1:"), "{err}");
        // Only the tables asked for: the rest of the file is not looked at.
        let t: std::collections::BTreeMap<String, toml::Value> = parse_tables(
            "stale_days = 9\n[theme]\ngood = \"red\"\n",
            "c.toml",
            &["theme"],
        )
        .unwrap();
        assert_eq!(t.keys().collect::<Vec<_>>(), ["theme"]);
    }

    #[test]
    fn a_goal_on_an_unknown_metric_names_it_and_the_known_ids() {
        let goal = |role: &str, metric: &str| {
            format!(
                "[[goals]]\nrole = \"{role}\"\nmetric = \"{metric}\"\nperiod = \"week\"\ntarget = 1\ndirection = \"at_least\"\n"
            )
        };
        let err = parse(&goal("AE", "winrate"), "c.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml"), "{err}");
        assert!(err.contains("unknown metric \"winrate\""), "{err}");
        assert!(err.contains("known: meetings, first_meetings"), "{err}");
        let err = parse(&goal("SDR", "win_rate"), "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"win_rate\" is not a metric of the SDR role"),
            "{err}"
        );
        let err = parse(
            &goal("AE", "win_rate").replace("target = 1\n", "target = 25\n"),
            "c.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.ends_with("goal of AE per week: target 25 is more than 1, and win_rate is a share from 0 to 1 (write 25 % as 0.25)"),
            "{err}"
        );
        assert!(parse(&goal("AE", "win_rate"), "c.toml").is_ok());
        assert!(parse(&goal("SDR", "meetings_set"), "c.toml").is_ok());
        assert!(parse(&goal("AE", "stage_conversion.Demo"), "c.toml").is_ok());
    }

    #[test]
    fn an_explicit_empty_goal_list_means_no_goals() {
        let s = parse("goals = []\n", "c.toml").unwrap();
        assert!(s.goals.is_empty());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("stale_days = 14\nstale_dayz = 3\n", "my.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("my.toml:2:1: key `stale_dayz`"), "{text}");
        assert!(text.contains("unknown field"), "{text}");
    }

    #[test]
    fn bad_value_names_file_line_and_key() {
        let err = parse("currency = \"EUR\"\nstale_days = \"thirty\"\n", "my.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("my.toml:2:"), "{text}");
        assert!(text.contains("stale_days"), "{text}");
    }

    #[test]
    fn bad_zone_and_weekday_are_errors() {
        let err = parse("time_zone = \"Mars/Olympus\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"), "{err}");
        let err = parse("review_weekday = \"someday\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().contains("c.toml:1:"), "{err}");
    }
}
