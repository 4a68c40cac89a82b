//! Per-rep metrics of SPEC §4: ids, directions, the value type, the registry,
//! and the computation of every metric of a role for a rep over a period.
//!
//! The dataset is indexed once ([`Index`]); each metric family then reads
//! only the rep's own slice of activities and opportunities.

mod ae_quality;
mod ae_quantity;
pub mod cuts;
pub mod goals;
mod index;
pub mod records;
pub mod revenue;
mod sdr;

pub use index::Index;

use super::model::{Rep, RepId, Role};
use super::period::Period;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
    /// Neither: a move either way is worth a look, not a judgement.
    Neither,
}

/// What a metric's value measures, for formatting and for the anomaly rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count of events or things.
    Count,
    /// Money in major units of the currency.
    Money,
    /// A proportion num ÷ den of the same things (0–1): Wilson intervals apply.
    Share,
    /// A ratio num ÷ den of different things (may exceed 1).
    Ratio,
    /// A mean in days (num = sum of days, den = sample size).
    Days,
    /// A mean amount in major units (num = sum, den = sample size).
    MeanMoney,
    /// Minutes.
    Minutes,
    /// A share of money, num ÷ den of two sums in major units (a discount
    /// may be negative); the sample is the deals behind it (`deals`).
    MoneyShare,
    /// Money per day, in major units.
    MoneyPerDay,
}

impl Unit {
    /// Ratios and means carry a numerator and a denominator.
    pub fn has_den(self) -> bool {
        matches!(
            self,
            Unit::Share | Unit::Ratio | Unit::Days | Unit::MeanMoney | Unit::MoneyShare
        )
    }
}

/// A metric's fixed description.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricDef {
    /// Stable id, used in goals, config, JSON and tests.
    pub id: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub better: Better,
    /// A quantity metric (activity volume): the new-hire band applies to it.
    pub quantity: bool,
}

const fn def(
    id: &'static str,
    label: &'static str,
    unit: Unit,
    better: Better,
    quantity: bool,
) -> MetricDef {
    MetricDef {
        id,
        label,
        unit,
        better,
        quantity,
    }
}

use Better::{Higher, Lower, Neither};
use Unit::{Count, Days, MeanMoney, Minutes, Money, MoneyPerDay, MoneyShare, Ratio, Share};

/// The AE metrics (SPEC §4.1, §4.2), in display order. `stage_conversion`
/// is per stage: ids `stage_conversion.<stage name>`, added at compute time.
pub const AE_METRICS: &[MetricDef] = &[
    def("meetings", "meetings held", Count, Higher, true),
    def("first_meetings", "first meetings", Count, Higher, true),
    def(
        "follow_up_meetings",
        "follow-up meetings",
        Count,
        Higher,
        true,
    ),
    def("calls", "calls", Count, Higher, true),
    def("emails", "emails", Count, Higher, true),
    def("opps_created", "opportunities created", Count, Higher, true),
    def("progressions", "stage progressions", Count, Higher, false),
    def("accounts_engaged", "accounts engaged", Count, Higher, true),
    def(
        "contacts_engaged_new",
        "new contacts engaged",
        Count,
        Higher,
        true,
    ),
    def("open_opps", "open opportunities", Count, Higher, false),
    def("pipeline_value", "open pipeline", Money, Higher, false),
    def("won", "deals won", Count, Higher, false),
    def("lost", "deals lost", Count, Neither, false),
    def("closed", "deals closed", Count, Higher, false),
    def("bookings", "bookings", Money, Higher, false),
    def("win_rate", "win rate", Share, Higher, false),
    def("cohort_win_rate", "cohort win rate", Share, Higher, false),
    def(
        "avg_deal_size",
        "average deal size",
        MeanMoney,
        Higher,
        false,
    ),
    def("sales_cycle_days", "sales cycle (days)", Days, Lower, false),
    def(
        "open_opp_age_days",
        "open deal age (days)",
        Days,
        Lower,
        false,
    ),
    def("stage_age_days", "days in stage", Days, Lower, false),
    def(
        "days_between_touches",
        "days between touches",
        Days,
        Lower,
        false,
    ),
    def(
        "meetings_per_opp",
        "meetings per deal",
        Ratio,
        Neither,
        false,
    ),
    def(
        "contacts_per_account",
        "contacts per account",
        Ratio,
        Higher,
        false,
    ),
    def(
        "first_to_follow_up",
        "first ÷ follow-up meetings",
        Ratio,
        Neither,
        false,
    ),
    def("untouched_opps", "untouched deals", Count, Lower, false),
    def("discount", "discount", MoneyShare, Lower, false),
    def(
        "pipeline_over_90d",
        "pipeline over 90 days old",
        MoneyShare,
        Lower,
        false,
    ),
    def("velocity", "velocity (per day)", MoneyPerDay, Higher, false),
];

/// The SDR metrics (SPEC §4.3), in display order.
pub const SDR_METRICS: &[MetricDef] = &[
    def("meetings_set", "meetings set", Count, Higher, true),
    def("pipeline_created", "pipeline created", Money, Higher, false),
    def("calls", "calls", Count, Higher, true),
    def("connected_calls", "connected calls", Count, Higher, true),
    def("talk_minutes", "talk minutes", Minutes, Higher, true),
    def("emails", "emails", Count, Higher, true),
    def("accounts_engaged", "accounts engaged", Count, Higher, true),
    def(
        "contacts_engaged_new",
        "new contacts engaged",
        Count,
        Higher,
        true,
    ),
    def("connect_rate", "connect rate", Share, Higher, false),
    def("reply_rate", "reply rate", Share, Higher, false),
    def(
        "contacts_per_account",
        "contacts per account",
        Ratio,
        Higher,
        false,
    ),
    def(
        "activities_per_account",
        "activities per account",
        Ratio,
        Neither,
        false,
    ),
    def(
        "account_to_meeting",
        "accounts to meeting",
        Share,
        Higher,
        false,
    ),
    def("sourced_win_rate", "sourced win rate", Share, Higher, false),
    def(
        "sourced_avg_deal_size",
        "sourced deal size",
        MeanMoney,
        Higher,
        false,
    ),
];

/// Prefix of the per-stage conversion ids.
pub const STAGE_CONVERSION: &str = "stage_conversion";

/// The definition of the stage conversion of one stage.
pub const STAGE_CONVERSION_DEF: MetricDef =
    def(STAGE_CONVERSION, "stage conversion", Share, Higher, false);

/// The metrics that apply to a role (CSMs and managers have none).
pub fn metrics_for(role: Role) -> &'static [MetricDef] {
    match role {
        Role::Ae => AE_METRICS,
        Role::Sdr => SDR_METRICS,
        Role::Csm | Role::Manager => &[],
    }
}

/// The definition of a metric id for a role (per-stage conversions included).
pub fn find(role: Role, id: &str) -> Option<MetricDef> {
    if role == Role::Ae && id.starts_with("stage_conversion.") {
        return Some(STAGE_CONVERSION_DEF);
    }
    metrics_for(role).iter().find(|d| d.id == id).copied()
}

/// One metric's value for a rep and a period. `value` is `None` when
/// undefined (a zero denominator, no sample); ratios and means carry `num`
/// and `den` so sample size is never lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetricValue {
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub den: Option<f64>,
    /// Cohort win rate: how many of the cohort are still open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub still_open: Option<u64>,
    /// Money metrics: deals whose amount is unknown (left out of the sum).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_amount: Option<u64>,
    /// Money shares (`discount`, `pipeline_over_90d`): the deals behind the sums.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deals: Option<u64>,
}

impl MetricValue {
    /// A count or a sum: always defined.
    pub fn count(n: impl Into<f64>) -> MetricValue {
        MetricValue {
            value: Some(n.into()),
            ..MetricValue::default()
        }
    }

    /// The sample behind a ratio or mean: the deals for money shares, else `den`.
    pub fn sample(&self, unit: Unit) -> Option<f64> {
        match unit {
            Unit::MoneyShare => self.deals.map(|n| n as f64),
            _ => self.den,
        }
    }

    /// num ÷ den, undefined when den is 0.
    pub fn ratio(num: f64, den: f64) -> MetricValue {
        MetricValue {
            value: (den != 0.0).then(|| num / den),
            num: Some(num),
            den: Some(den),
            ..MetricValue::default()
        }
    }
}

/// Every metric of a rep's role over a period, by id.
pub type MetricSet = BTreeMap<String, MetricValue>;

/// Whether a rep was active on any day of the period (the end date is the
/// last day worked: SPEC §2 "inactive after").
pub fn active_in(rep: &Rep, p: Period) -> bool {
    rep.start_date.is_none_or(|s| s < p.to) && rep.end_date.is_none_or(|e| e >= p.from)
}

/// The day a rep's ramp is judged on for a period: its last day, or today if earlier.
pub fn ramp_day(p: Period, today: chrono::NaiveDate) -> chrono::NaiveDate {
    p.last_day().min(today)
}

/// Whether a rep counts as ramping on `day`: within the first `ramp_days`
/// after the start date, or not started yet (a rep active later in the
/// period but not on `day` is not ramped, so never a baseline peer).
pub fn ramping_on(rep: &Rep, day: chrono::NaiveDate, ramp_days: i64) -> bool {
    rep.is_ramping_on(day, ramp_days) || rep.start_date.is_some_and(|s| s > day)
}

/// Every metric of `rep`'s role over `p`; empty for roles without metrics.
pub fn compute(ix: &Index<'_>, rep: &RepId, role: Role, p: Period) -> MetricSet {
    let mut out = MetricSet::new();
    let w = ix.window(p);
    match role {
        Role::Ae => {
            ae_quantity::compute(ix, rep, &w, &mut out);
            ae_quality::compute(ix, rep, &w, &mut out);
            revenue::compute(ix, rep, &w, &mut out);
        }
        Role::Sdr => sdr::compute(ix, rep, &w, &mut out),
        Role::Csm | Role::Manager => {}
    }
    out
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod revenue_tests;
#[cfg(test)]
mod team_tests;
#[cfg(test)]
pub(crate) mod tests;
