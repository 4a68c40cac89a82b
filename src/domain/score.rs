//! The deal score of SPEC §15: 0–100 for an open deal, a weighted sum of
//! four factors, each 0–100 and each explained in one sentence.
//!
//! - **fit**: the mean of the points of the account's ICP tier and of its
//!   segment (`tier_points`, `segment_points`; unknown or unlisted:
//!   `unknown_points`).
//! - **engagement**: real touches (activities on the deal or its account) and
//!   distinct contacts among them in the last `engagement_days` up to today:
//!   60 × min(touches ÷ `full_touches`, 1) + 40 × min(contacts ÷ `full_contacts`, 1).
//! - **momentum**: 0.6 × stage part + 0.4 × close-date part. Stage part =
//!   100 × (1 − min(days in stage ÷ the stage's `max_days`, 1)), 50 when
//!   either is unknown; close-date part = 50 + 25 × (pulls − pushes) of the
//!   close date in the slipping window (`anomalies.slipping_window_days`),
//!   clamped to 0–100.
//! - **risk** (subtracts): the points of each hygiene flag the deal carries
//!   today (`risk_untouched`, `risk_past_due`, `risk_stuck`,
//!   `risk_no_next_step`; `slipping` has none of its own) plus
//!   `risk_per_push` per close-date push in the slipping window, at most 100.
//!
//! Each factor is rounded to a whole number; the score is
//! (w_fit × fit + w_engagement × engagement + w_momentum × momentum)
//! ÷ (w_fit + w_engagement + w_momentum) − w_risk × risk, rounded and
//! clamped to 0–100. [`calibration`] replays closed deals to show whether
//! the score predicts anything on the team's own history.

pub mod calibration;
mod facts;

pub use facts::ScoreIndex;

use super::hygiene::Reason;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Weights and thresholds of the deal score (`[score]` in the config).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreSettings {
    pub weight_fit: f64,
    pub weight_engagement: f64,
    pub weight_momentum: f64,
    /// Risk subtracts this many points per point of risk.
    pub weight_risk: f64,
    /// Points of an unknown or unlisted tier or segment.
    pub unknown_points: f64,
    pub engagement_days: i64,
    pub full_touches: u32,
    pub full_contacts: u32,
    pub risk_untouched: f64,
    pub risk_past_due: f64,
    pub risk_stuck: f64,
    pub risk_no_next_step: f64,
    pub risk_per_push: f64,
    /// Points per ICP tier (names matched ignoring case).
    pub tier_points: BTreeMap<String, f64>,
    /// Points per segment (names matched ignoring case).
    pub segment_points: BTreeMap<String, f64>,
}

impl Default for ScoreSettings {
    fn default() -> ScoreSettings {
        let map = |v: &[(&str, f64)]| v.iter().map(|(k, p)| (k.to_string(), *p)).collect();
        ScoreSettings {
            weight_fit: 0.2,
            weight_engagement: 0.3,
            weight_momentum: 0.5,
            weight_risk: 0.5,
            unknown_points: 50.0,
            engagement_days: 30,
            full_touches: 6,
            full_contacts: 3,
            risk_untouched: 30.0,
            risk_past_due: 25.0,
            risk_stuck: 20.0,
            risk_no_next_step: 20.0,
            risk_per_push: 10.0,
            tier_points: map(&[("A", 100.0), ("B", 60.0), ("C", 20.0)]),
            segment_points: map(&[("Enterprise", 100.0), ("Mid-Market", 80.0), ("SMB", 50.0)]),
        }
    }
}

/// The four factors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    Fit,
    Engagement,
    Momentum,
    /// Subtracts.
    Risk,
}

impl FactorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FactorKind::Fit => "fit",
            FactorKind::Engagement => "engagement",
            FactorKind::Momentum => "momentum",
            FactorKind::Risk => "risk",
        }
    }
}

/// One factor of a score: its value 0–100, its weight and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    pub factor: FactorKind,
    pub value: u32,
    pub weight: f64,
    pub explanation: String,
}

/// A deal's score with its four factors (fit, engagement, momentum, risk).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealScore {
    pub value: u32,
    pub factors: Vec<Factor>,
}

impl DealScore {
    pub fn factor(&self, k: FactorKind) -> Option<&Factor> {
        self.factors.iter().find(|f| f.factor == k)
    }
}

/// What the score reads about one open deal on one day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealFacts {
    pub icp_tier: Option<String>,
    pub segment: Option<String>,
    /// Real touches in the last `engagement_days` (up to today).
    pub touches: u32,
    /// Distinct contacts among those touches.
    pub contacts: u32,
    pub stage: String,
    pub days_in_stage: Option<i64>,
    pub max_days: Option<i64>,
    /// Close date moved later / earlier in the slipping window.
    pub pushes: u32,
    pub pulls: u32,
    /// Hygiene flags the deal carries today.
    pub reasons: Vec<Reason>,
    /// The slipping window in days (for the sentences).
    pub window_days: i64,
}

fn points(map: &BTreeMap<String, f64>, key: Option<&str>, unknown: f64) -> f64 {
    key.and_then(|k| {
        map.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(k.trim()))
            .map(|(_, p)| *p)
    })
    .unwrap_or(unknown)
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fit(f: &DealFacts, s: &ScoreSettings) -> Factor {
    let tier = points(&s.tier_points, f.icp_tier.as_deref(), s.unknown_points);
    let seg = points(&s.segment_points, f.segment.as_deref(), s.unknown_points);
    let name = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".into());
    Factor {
        factor: FactorKind::Fit,
        value: ((tier + seg) / 2.0).round().clamp(0.0, 100.0) as u32,
        weight: s.weight_fit,
        explanation: format!(
            "ICP tier {} ({tier:.0} points) and segment {} ({seg:.0} points).",
            name(&f.icp_tier),
            name(&f.segment)
        ),
    }
}

fn engagement(f: &DealFacts, s: &ScoreSettings) -> Factor {
    let part = |n: u32, full: u32| {
        if full == 0 {
            1.0
        } else {
            (n as f64 / full as f64).min(1.0)
        }
    };
    let v = 60.0 * part(f.touches, s.full_touches) + 40.0 * part(f.contacts, s.full_contacts);
    Factor {
        factor: FactorKind::Engagement,
        value: v.round() as u32,
        weight: s.weight_engagement,
        explanation: format!(
            "{} and {} in the last {} days (full marks at {} and {}).",
            plural(f.touches, "real touch", "real touches"),
            plural(f.contacts, "contact", "distinct contacts"),
            s.engagement_days,
            s.full_touches,
            s.full_contacts
        ),
    }
}

fn momentum(f: &DealFacts, s: &ScoreSettings) -> Factor {
    let (stage_part, stage_text) = match (f.days_in_stage, f.max_days) {
        (Some(d), Some(m)) if m > 0 => (
            100.0 * (1.0 - (d.max(0) as f64 / m as f64).min(1.0)),
            format!("{d} of the {m} days allowed in {}", f.stage),
        ),
        (Some(d), _) => (50.0, format!("{d} days in {} (no limit)", f.stage)),
        (None, _) => (50.0, format!("days in {} unknown", f.stage)),
    };
    let date_part = (50.0 + 25.0 * (f.pulls as f64 - f.pushes as f64)).clamp(0.0, 100.0);
    Factor {
        factor: FactorKind::Momentum,
        value: (0.6 * stage_part + 0.4 * date_part).round() as u32,
        weight: s.weight_momentum,
        explanation: format!(
            "{stage_text}; close date pulled in {}×, pushed out {}× in the last {} days.",
            f.pulls, f.pushes, f.window_days
        ),
    }
}

fn risk(f: &DealFacts, s: &ScoreSettings) -> Factor {
    let flag_points: f64 = f
        .reasons
        .iter()
        .map(|r| match r {
            Reason::Untouched => s.risk_untouched,
            Reason::PastDue => s.risk_past_due,
            Reason::Stuck => s.risk_stuck,
            Reason::NoNextStep => s.risk_no_next_step,
            Reason::Slipping => 0.0,
        })
        .sum();
    let v = (flag_points + s.risk_per_push * f.pushes as f64).clamp(0.0, 100.0);
    let flags: Vec<&str> = f.reasons.iter().map(|r| r.label()).collect();
    let flags = if flags.is_empty() {
        "no hygiene flag".to_string()
    } else {
        format!("flagged {}", flags.join(", "))
    };
    Factor {
        factor: FactorKind::Risk,
        value: v.round() as u32,
        weight: s.weight_risk,
        explanation: format!(
            "{flags}; {} of the close date in the last {} days.",
            plural(f.pushes, "push", "pushes"),
            f.window_days
        ),
    }
}

/// The score of a deal from its facts (see the module doc for the rules).
pub fn score(f: &DealFacts, s: &ScoreSettings) -> DealScore {
    let factors = vec![fit(f, s), engagement(f, s), momentum(f, s), risk(f, s)];
    let positive_weight = s.weight_fit + s.weight_engagement + s.weight_momentum;
    let positive: f64 = factors[..3]
        .iter()
        .map(|x| x.weight * x.value as f64)
        .sum::<f64>();
    let positive = if positive_weight > 0.0 {
        positive / positive_weight
    } else {
        0.0
    };
    let value = (positive - s.weight_risk * factors[3].value as f64)
        .round()
        .clamp(0.0, 100.0) as u32;
    DealScore { value, factors }
}

#[cfg(test)]
mod tests;
