//! Per-rep metrics of SPEC §4: ids, directions, the value type, the registry,
//! and the computation of every metric of a role for a rep over a period.
//!
//! The dataset is indexed once ([`Index`]); each metric family then reads
//! only the rep's own slice of activities and opportunities.

mod ae_quality;
mod ae_quantity;
pub mod cuts;
pub mod goals;
mod id;
mod index;
pub mod records;
pub mod revenue;
mod sdr;

pub use id::{MetricId, STAGE_CONVERSION, StageConversionId, UnknownMetric, known_ids};
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricDef {
    /// Stable id, used in goals, config, JSON and tests.
    pub id: MetricId,
    pub label: &'static str,
    pub unit: Unit,
    pub better: Better,
    /// A quantity metric (activity volume): the new-hire band applies to it.
    pub quantity: bool,
    /// Computed from activities: not judged on data that records none
    /// (every value would be 0).
    #[serde(skip)]
    pub activity: bool,
}

const fn def(
    id: MetricId,
    label: &'static str,
    unit: Unit,
    better: Better,
    quantity: bool,
    activity: bool,
) -> MetricDef {
    MetricDef {
        id,
        label,
        unit,
        better,
        quantity,
        activity,
    }
}

use MetricId as Id;

use Better::{Higher, Lower, Neither};
use Unit::{Count, Days, MeanMoney, Minutes, Money, MoneyPerDay, MoneyShare, Ratio, Share};

/// The AE metrics (SPEC §4.1, §4.2), in display order. `stage_conversion`
/// is per stage: ids `stage_conversion.<stage name>`, added at compute time.
pub const AE_METRICS: &[MetricDef] = &[
    def(Id::Meetings, "meetings held", Count, Higher, true, true),
    def(
        Id::FirstMeetings,
        "first meetings",
        Count,
        Higher,
        true,
        true,
    ),
    def(
        Id::FollowUpMeetings,
        "follow-up meetings",
        Count,
        Higher,
        true,
        true,
    ),
    def(Id::Calls, "calls", Count, Higher, true, true),
    def(Id::Emails, "emails", Count, Higher, true, true),
    def(
        Id::OppsCreated,
        "opportunities created",
        Count,
        Higher,
        true,
        false,
    ),
    def(
        Id::Progressions,
        "stage progressions",
        Count,
        Higher,
        false,
        false,
    ),
    def(
        Id::AccountsEngaged,
        "accounts engaged",
        Count,
        Higher,
        true,
        true,
    ),
    def(
        Id::ContactsEngagedNew,
        "new contacts engaged",
        Count,
        Higher,
        true,
        true,
    ),
    def(
        Id::OpenOpps,
        "open opportunities",
        Count,
        Higher,
        false,
        false,
    ),
    def(
        Id::PipelineValue,
        "open pipeline",
        Money,
        Higher,
        false,
        false,
    ),
    def(Id::Won, "deals won", Count, Higher, false, false),
    def(Id::Lost, "deals lost", Count, Neither, false, false),
    def(Id::Closed, "deals closed", Count, Higher, false, false),
    def(Id::Bookings, "bookings", Money, Higher, false, false),
    def(Id::WinRate, "win rate", Share, Higher, false, false),
    def(
        Id::CohortWinRate,
        "cohort win rate",
        Share,
        Higher,
        false,
        false,
    ),
    def(
        Id::AvgDealSize,
        "average deal size",
        MeanMoney,
        Higher,
        false,
        false,
    ),
    def(
        Id::SalesCycleDays,
        "sales cycle (days)",
        Days,
        Lower,
        false,
        false,
    ),
    def(
        Id::OpenOppAgeDays,
        "open deal age (days)",
        Days,
        Lower,
        false,
        false,
    ),
    def(Id::StageAgeDays, "days in stage", Days, Lower, false, false),
    def(
        Id::DaysBetweenTouches,
        "days between touches",
        Days,
        Lower,
        false,
        true,
    ),
    def(
        Id::MeetingsPerOpp,
        "meetings per deal",
        Ratio,
        Neither,
        false,
        true,
    ),
    def(
        Id::ContactsPerAccount,
        "contacts per account",
        Ratio,
        Higher,
        false,
        true,
    ),
    def(
        Id::FirstToFollowUp,
        "first ÷ follow-up meetings",
        Ratio,
        Neither,
        false,
        true,
    ),
    def(
        Id::UntouchedOpps,
        "untouched deals",
        Count,
        Lower,
        false,
        true,
    ),
    def(Id::Discount, "discount", MoneyShare, Lower, false, false),
    def(
        Id::PipelineOver90d,
        "pipeline over 90 days old",
        MoneyShare,
        Lower,
        false,
        false,
    ),
    def(
        Id::Velocity,
        "velocity (per day)",
        MoneyPerDay,
        Higher,
        false,
        false,
    ),
];

/// The SDR metrics (SPEC §4.3), in display order.
pub const SDR_METRICS: &[MetricDef] = &[
    def(Id::MeetingsSet, "meetings set", Count, Higher, true, true),
    def(
        Id::PipelineCreated,
        "pipeline created",
        Money,
        Higher,
        false,
        false,
    ),
    def(Id::Calls, "calls", Count, Higher, true, true),
    def(
        Id::ConnectedCalls,
        "connected calls",
        Count,
        Higher,
        true,
        true,
    ),
    def(Id::TalkMinutes, "talk minutes", Minutes, Higher, true, true),
    def(Id::Emails, "emails", Count, Higher, true, true),
    def(
        Id::AccountsEngaged,
        "accounts engaged",
        Count,
        Higher,
        true,
        true,
    ),
    def(
        Id::ContactsEngagedNew,
        "new contacts engaged",
        Count,
        Higher,
        true,
        true,
    ),
    def(Id::ConnectRate, "connect rate", Share, Higher, false, true),
    def(Id::ReplyRate, "reply rate", Share, Higher, false, true),
    def(
        Id::ContactsPerAccount,
        "contacts per account",
        Ratio,
        Higher,
        false,
        true,
    ),
    def(
        Id::ActivitiesPerAccount,
        "activities per account",
        Ratio,
        Neither,
        false,
        true,
    ),
    def(
        Id::AccountToMeeting,
        "accounts to meeting",
        Share,
        Higher,
        false,
        true,
    ),
    def(
        Id::SourcedWinRate,
        "sourced win rate",
        Share,
        Higher,
        false,
        false,
    ),
    def(
        Id::SourcedAvgDealSize,
        "sourced deal size",
        MeanMoney,
        Higher,
        false,
        false,
    ),
];

/// The definition of the stage conversion of the stage named `stage`.
pub fn stage_conversion_def(stage: &str) -> MetricDef {
    def(
        MetricId::stage_conversion(stage),
        "stage conversion",
        Share,
        Higher,
        false,
        false,
    )
}

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
    lookup(role, &MetricId::parse(id)?)
}

/// The definition of a typed metric id for a role (per-stage conversions included).
pub fn lookup(role: Role, id: &MetricId) -> Option<MetricDef> {
    match id {
        MetricId::StageConversion(s) => (role == Role::Ae).then(|| stage_conversion_def(s.stage())),
        id => def_of(role, id).cloned(),
    }
}

/// The registry definition of `id` for a role (`None` for a stage
/// conversion, whose definition [`find`] builds).
pub fn def_of(role: Role, id: &MetricId) -> Option<&'static MetricDef> {
    metrics_for(role).iter().find(|d| d.id == *id)
}

/// Whether `id` is computed from activities (the `activity` flag of its
/// definition; an id is the same metric in every role that has it).
pub fn is_activity(id: &MetricId) -> bool {
    AE_METRICS
        .iter()
        .chain(SDR_METRICS)
        .any(|d| d.activity && d.id == *id)
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
pub type MetricSet = BTreeMap<MetricId, MetricValue>;

/// Whether a rep was active on any day of the period (the end date is the
/// last day worked: SPEC §2 "inactive after").
pub fn active_in(rep: &Rep, p: Period) -> bool {
    rep.start_date.is_none_or(|s| s < p.to) && rep.end_date.is_none_or(|e| e >= p.from)
}

/// Whether `rep` is one of the team whose metrics are kept over `p`: an AE
/// or SDR active in it.
pub fn in_team(rep: &Rep, p: Period) -> bool {
    matches!(
        rep.role,
        crate::domain::model::Role::Ae | crate::domain::model::Role::Sdr
    ) && active_in(rep, p)
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
    compute_over(ix, rep, role, &ix.window(p))
}

/// The metrics of `rep`'s role over `p` computed from deals and their
/// history alone (`MetricDef::activity` false), each equal to
/// [`compute`]'s; no activity metric is in the set. What a rule reads of a
/// period whose activities the load did not read (the sustained rule's
/// periods of a deal metric's goal, `anomaly::Needs::deal_periods`).
pub fn compute_deals(ix: &Index<'_>, rep: &RepId, role: Role, p: Period) -> MetricSet {
    let mut out = compute_over(ix, rep, role, &ix.deals_window(p));
    out.retain(|id, _| !is_activity(id));
    out
}

fn compute_over(ix: &Index<'_>, rep: &RepId, role: Role, w: &index::Window) -> MetricSet {
    let mut out = quantity_over(ix, rep, role, w);
    if role == Role::Ae {
        ae_quality::compute(ix, rep, w, &mut out);
        revenue::compute(ix, rep, w, &mut out);
    }
    out
}

/// The quantity family of `rep`'s role over `w` (see [`compute_quantity`]).
fn quantity_over(ix: &Index<'_>, rep: &RepId, role: Role, w: &index::Window) -> MetricSet {
    let mut out = MetricSet::new();
    match role {
        Role::Ae => ae_quantity::compute(ix, rep, w, &mut out),
        Role::Sdr => sdr::compute(ix, rep, w, &mut out),
        Role::Csm | Role::Manager => {}
    }
    out
}

/// The quantity metrics of `rep`'s role over `p` (the new-hire rule's):
/// for an AE the quantity family of SPEC §4.1 (with the few counts computed
/// beside them), for an SDR every metric (all cheap). Each value equals
/// [`compute`]'s; the quality and revenue families are skipped.
pub fn compute_quantity(ix: &Index<'_>, rep: &RepId, role: Role, p: Period) -> MetricSet {
    quantity_over(ix, rep, role, &ix.window(p))
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod revenue_tests;
#[cfg(test)]
mod team_tests;
#[cfg(test)]
pub(crate) mod tests;
