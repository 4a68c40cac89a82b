//! Revenue metrics of SPEC §15 and the opportunity metrics of a group of
//! deals (a rep's, the team's, or one value of a cut such as a segment).
//!
//! - `discount` = 1 − Σ amount ÷ Σ list_amount over deals won in the period
//!   with both known (amount-weighted; negative = premium); num = Σ list −
//!   Σ amount, den = Σ list (major units), `deals` the sample.
//! - `pipeline_over_90d` = the share of open pipeline amount (deals open at
//!   the period end, amount and created date known) in deals created more
//!   than 90 days before the period's last day (or today, if earlier).
//! - `velocity` = open_opps × win_rate × avg_deal_size ÷ sales_cycle_days
//!   (money per day); undefined when any part is undefined or the cycle is 0.

use super::index::{Index, Window, closed_in, open_at};
use super::{MetricId, MetricSet, MetricValue, ae_quality};
use crate::domain::model::{Opportunity, RepId, Status};
use crate::domain::money::Money;
use crate::domain::settings::DiscountSettings;
use serde::Serialize;

/// Age, in days, past which open pipeline counts in `pipeline_over_90d`.
pub const PIPELINE_AGE_DAYS: i64 = 90;

/// Adds `discount`, `pipeline_over_90d` and `velocity` of `rep` to `out`
/// (after the quantity and quality metrics, whose values velocity reads).
pub(super) fn compute(ix: &Index<'_>, rep: &RepId, w: &Window, out: &mut MetricSet) {
    let owned = ix.owned(rep);
    let won = won_in(owned, w);
    out.insert(MetricId::Discount, discount(won.iter().copied()));
    let open = open_at_end(owned, w);
    add_age_and_velocity(ix, &open, w, out);
}

/// Deals open at the window's end.
fn open_at_end<'a>(deals: &[&'a Opportunity], w: &Window) -> Vec<&'a Opportunity> {
    deals
        .iter()
        .copied()
        .filter(|o| open_at(o, w.end))
        .collect()
}

/// Adds `pipeline_over_90d` of the `open` deals and `velocity`, which reads
/// the `win_rate`, `avg_deal_size` and `sales_cycle_days` already in `out`.
fn add_age_and_velocity(ix: &Index<'_>, open: &[&Opportunity], w: &Window, out: &mut MetricSet) {
    out.insert(MetricId::PipelineOver90d, pipeline_over_90d(ix, open, w));
    let v = |id: MetricId| out.get(&id).and_then(|m| m.value);
    let vel = velocity(
        open.len() as f64,
        v(MetricId::WinRate),
        v(MetricId::AvgDealSize),
        v(MetricId::SalesCycleDays),
    );
    out.insert(MetricId::Velocity, vel);
}

/// Deals won in the window.
pub(super) fn won_in<'a>(deals: &[&'a Opportunity], w: &Window) -> Vec<&'a Opportunity> {
    deals
        .iter()
        .copied()
        .filter(|o| closed_in(o, Status::Won, w))
        .collect()
}

/// A won deal's discount, 1 − amount ÷ list_amount; `None` unless both are
/// known and the list amount is positive.
pub fn deal_discount(o: &Opportunity) -> Option<f64> {
    let (a, l) = (o.amount?, o.list_amount?);
    (l.cents() > 0).then(|| 1.0 - a.cents() as f64 / l.cents() as f64)
}

/// 1 − Σ amount ÷ Σ list_amount over `won` deals with both known.
pub fn discount<'a>(won: impl Iterator<Item = &'a Opportunity>) -> MetricValue {
    let (mut amount, mut list, mut n, mut missing) = (0i64, 0i64, 0u64, 0u64);
    for o in won {
        match (o.amount, o.list_amount) {
            (Some(a), Some(l)) => {
                amount += a.cents();
                list += l.cents();
                n += 1;
            }
            _ => missing += 1,
        }
    }
    let mut v = MetricValue::ratio(
        Money(list - amount).as_major_f64(),
        Money(list).as_major_f64(),
    );
    v.deals = Some(n);
    v.without_amount = Some(missing);
    v
}

/// Share of open pipeline amount in deals created more than 90 days before
/// the period's last day (or today, if earlier).
pub fn pipeline_over_90d(ix: &Index<'_>, open: &[&Opportunity], w: &Window) -> MetricValue {
    let last_day = w.period.last_day().min(ix.today);
    let (mut old, mut all, mut n, mut missing) = (0i64, 0i64, 0u64, 0u64);
    for o in open {
        let (Some(a), Some(c)) = (ix.amount_at(o, w.end), o.created_at) else {
            missing += 1;
            continue;
        };
        all += a.cents();
        n += 1;
        if older_than_90d(ix, c, last_day) {
            old += a.cents();
        }
    }
    let mut v = MetricValue::ratio(Money(old).as_major_f64(), Money(all).as_major_f64());
    v.deals = Some(n);
    v.without_amount = Some(missing);
    v
}

/// Whether a deal created at `created` is past [`PIPELINE_AGE_DAYS`] on `last_day`.
pub(super) fn older_than_90d(
    ix: &Index<'_>,
    created: chrono::DateTime<chrono::Utc>,
    last_day: chrono::NaiveDate,
) -> bool {
    (last_day - ix.day(created)).num_days() > PIPELINE_AGE_DAYS
}

/// open_opps × win_rate × avg_deal_size ÷ sales_cycle_days, money per day;
/// `None` when a part is undefined or the cycle is 0 days.
pub fn velocity(
    open_opps: f64,
    win_rate: Option<f64>,
    avg_deal_size: Option<f64>,
    sales_cycle_days: Option<f64>,
) -> MetricValue {
    let value = match (win_rate, avg_deal_size, sales_cycle_days) {
        (Some(w), Some(a), Some(c)) if c > 0.0 => Some(open_opps * w * a / c),
        _ => None,
    };
    MetricValue {
        value,
        ..MetricValue::default()
    }
}

/// The opportunity metrics of a group of deals over the window: `won`,
/// `lost`, `win_rate`, `bookings`, `avg_deal_size`, `sales_cycle_days`,
/// `discount`, `open_opps`, `pipeline_value`, `pipeline_over_90d`,
/// `velocity` — the same definitions as a rep's (SPEC §4, §15).
pub fn deal_metrics(ix: &Index<'_>, deals: &[&Opportunity], w: &Window) -> MetricSet {
    let mut out = MetricSet::new();
    let won = won_in(deals, w);
    let lost = deals
        .iter()
        .filter(|o| closed_in(o, Status::Lost, w))
        .count() as f64;
    let n_won = won.len() as f64;
    out.insert(MetricId::Won, MetricValue::count(n_won));
    out.insert(MetricId::Lost, MetricValue::count(lost));
    out.insert(MetricId::WinRate, MetricValue::ratio(n_won, n_won + lost));
    out.insert(
        MetricId::Bookings,
        super::ae_quantity::money_sum(won.iter().map(|o| o.amount)),
    );
    out.insert(MetricId::AvgDealSize, ae_quality::avg_deal_size(&won));
    out.insert(
        MetricId::SalesCycleDays,
        ae_quality::sales_cycle_days(ix, &won),
    );
    out.insert(MetricId::Discount, discount(won.iter().copied()));
    let open = open_at_end(deals, w);
    out.insert(MetricId::OpenOpps, MetricValue::count(open.len() as f64));
    out.insert(
        MetricId::PipelineValue,
        super::ae_quantity::money_sum(open.iter().map(|o| ix.amount_at(o, w.end))),
    );
    add_age_and_velocity(ix, &open, w, &mut out);
    out
}

/// A guardrail band of a won deal's discount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountBand {
    /// Up to `rep_call` (premiums included).
    RepCall,
    /// Above `rep_call`, up to `manager_approval`.
    ManagerApproval,
    /// Above `manager_approval`.
    Exception,
    /// Amount or list amount unknown.
    Unknown,
}

impl DiscountBand {
    pub const ALL: [DiscountBand; 4] = [
        DiscountBand::RepCall,
        DiscountBand::ManagerApproval,
        DiscountBand::Exception,
        DiscountBand::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiscountBand::RepCall => "rep_call",
            DiscountBand::ManagerApproval => "manager_approval",
            DiscountBand::Exception => "exception",
            DiscountBand::Unknown => "unknown",
        }
    }
}

/// The band of a discount (`None`: unknown).
pub fn band_of(discount: Option<f64>, s: &DiscountSettings) -> DiscountBand {
    match discount {
        None => DiscountBand::Unknown,
        // A tolerance so 10 % of a price in cents is still "up to 10 %".
        Some(d) if d <= s.rep_call + 1e-9 => DiscountBand::RepCall,
        Some(d) if d <= s.manager_approval + 1e-9 => DiscountBand::ManagerApproval,
        Some(_) => DiscountBand::Exception,
    }
}

/// Won deals and their amount in one band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandCount {
    pub band: DiscountBand,
    pub deals: u64,
    /// Sum of the known amounts, major units.
    pub amount: f64,
}

/// Per band, the deals won in the window among `deals` and their amount.
pub fn discount_bands(deals: &[&Opportunity], w: &Window, s: &DiscountSettings) -> Vec<BandCount> {
    let won = won_in(deals, w);
    DiscountBand::ALL
        .iter()
        .map(|b| {
            let mine: Vec<_> = won
                .iter()
                .filter(|o| band_of(deal_discount(o), s) == *b)
                .collect();
            BandCount {
                band: *b,
                deals: mine.len() as u64,
                amount: Money(
                    mine.iter()
                        .filter_map(|o| o.amount)
                        .map(|m| m.cents())
                        .sum(),
                )
                .as_major_f64(),
            }
        })
        .collect()
}
