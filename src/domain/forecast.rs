//! The forecast of a period (SPEC §8): call, best case, pipeline, weighted,
//! and coverage of the quota still to close.
//!
//! For a period P seen on `today` (the dataset already as of that day):
//! - **won** = Σ amount of deals won with a closed date in P, on or before `today`;
//! - **open deals in P** = open deals whose expected close date falls in P;
//! - **call** = won + Σ amount of open deals in P in category `commit`;
//! - **best case** = call + Σ amount of open deals in P in category `best_case`;
//! - **pipeline** = won + Σ amount of every open deal in P (any category);
//! - **weighted** = won + Σ round(amount × stage probability) over open deals in P;
//! - **quota** = Σ quarterly quota of AEs active on some day of P (a month
//!   gets a third of it, rounded to the cent; other periods have none);
//! - **to close** = quota − won; **coverage** = open pipeline in P ÷ to close,
//!   undefined when to close ≤ 0 ("quota met"), when there is no quota, or
//!   when P is over (it ended on or before `today`: "ended").
//!
//! Deals with an unknown amount are never summed as 0: they are counted
//! beside (`won_without_amount`, `open_without_amount`).

use super::model::{Dataset, ForecastCategory, Opportunity, Rep, RepId, Role, Status};
use super::money::Money;
use super::period::{Calendar, Period};
use chrono::NaiveDate;
use serde::Serialize;

/// How coverage stands against the configured target and light threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// Coverage ≥ target (default 3×).
    OnTarget,
    /// light ≤ coverage < target.
    BelowTarget,
    /// Coverage < light (default 2×).
    Light,
    /// Won so far meets the quota: nothing left to cover.
    QuotaMet,
    /// No quota applies (no AE with a quota, or not a month or quarter).
    NoQuota,
    /// The period is over (it ended on or before today): nothing left to cover.
    Ended,
}

impl CoverageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::OnTarget => "on target",
            CoverageStatus::BelowTarget => "below target",
            CoverageStatus::Light => "light",
            CoverageStatus::QuotaMet => "quota met",
            CoverageStatus::NoQuota => "no quota",
            CoverageStatus::Ended => "ended",
        }
    }
}

/// The forecast figures of one owner (or the team) for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastLine {
    /// Rep id, or `team`.
    pub key: String,
    pub label: String,
    pub period: Period,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub won: Money,
    pub won_count: u64,
    pub won_without_amount: u64,
    /// Σ commit of open deals closing in the period.
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub commit: Money,
    /// Σ best case of open deals closing in the period.
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub best_case_open: Money,
    /// Σ of every open deal closing in the period.
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub open: Money,
    pub open_count: u64,
    pub open_without_amount: u64,
    /// Open deals in the period whose stage has no configured probability (not weighted).
    pub open_without_probability: u64,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub call: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub best_case: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub pipeline: Money,
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub weighted: Money,
    #[serde(serialize_with = "crate::domain::money::major::opt::serialize")]
    pub quota: Option<Money>,
    #[serde(serialize_with = "crate::domain::money::major::opt::serialize")]
    pub to_close: Option<Money>,
    /// open ÷ to_close; `None` when undefined.
    pub coverage: Option<f64>,
    pub coverage_status: CoverageStatus,
}

/// Coverage thresholds (settings `coverage_target`, `coverage_light`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoverageRule {
    pub target: f64,
    pub light: f64,
}

/// How much of a quarterly quota a period carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaShare {
    Quarter,
    Month,
    None,
}

/// Whether `p` is a fiscal quarter, a month, or neither.
pub fn quota_share(cal: &Calendar, p: Period) -> QuotaShare {
    if cal.quarter_containing(p.from) == p {
        QuotaShare::Quarter
    } else if cal.month_containing(p.from) == p {
        QuotaShare::Month
    } else {
        QuotaShare::None
    }
}

/// An AE active on at least one day of `p`.
pub fn active_ae_in(rep: &Rep, p: Period) -> bool {
    rep.role == Role::Ae
        && rep.start_date.is_none_or(|s| s < p.to)
        && rep.end_date.is_none_or(|e| e >= p.from)
}

/// The quota of `reps` (already filtered) for a period; `None` when none has a quota.
pub fn quota_for<'a>(reps: impl Iterator<Item = &'a Rep>, share: QuotaShare) -> Option<Money> {
    let quarterly: Vec<Money> = reps.filter_map(|r| r.quota_amount).collect();
    if quarterly.is_empty() {
        return None;
    }
    let total: Money = quarterly.into_iter().sum();
    match share {
        QuotaShare::Quarter => Some(total),
        QuotaShare::Month => Some(Money((total.0 as f64 / 3.0).round() as i64)),
        QuotaShare::None => None,
    }
}

/// Whether an open deal closes in `p`.
pub fn open_in(o: &Opportunity, p: Period) -> bool {
    o.status == Status::Open && o.close_date.is_some_and(|d| p.contains(d))
}

/// Whether a deal was won in `p` on or before `today`.
pub fn won_in(o: &Opportunity, cal: &Calendar, p: Period, today: NaiveDate) -> bool {
    o.status == Status::Won
        && o.closed_at.is_some_and(|t| {
            let d = cal.local_date(t);
            p.contains(d) && d <= today
        })
}

/// The forecast line of the deals `owner` has (all deals for `None`) in `p`.
#[allow(clippy::too_many_arguments)]
pub fn forecast_line(
    data: &Dataset,
    cal: &Calendar,
    p: Period,
    today: NaiveDate,
    owner: Option<&RepId>,
    quota: Option<Money>,
    rule: CoverageRule,
    (key, label): (String, String),
) -> ForecastLine {
    let mine = |o: &&Opportunity| owner.is_none_or(|r| &o.owner_id == r);
    let won: Vec<&Opportunity> = data
        .opportunities
        .iter()
        .filter(mine)
        .filter(|o| won_in(o, cal, p, today))
        .collect();
    let open: Vec<&Opportunity> = data
        .opportunities
        .iter()
        .filter(mine)
        .filter(|o| open_in(o, p))
        .collect();
    let sum = |deals: &[&Opportunity], f: &dyn Fn(&Opportunity) -> bool| -> Money {
        deals.iter().filter(|o| f(o)).filter_map(|o| o.amount).sum()
    };
    let won_sum = sum(&won, &|_| true);
    let commit = sum(&open, &|o| {
        o.forecast_category == Some(ForecastCategory::Commit)
    });
    let best = sum(&open, &|o| {
        o.forecast_category == Some(ForecastCategory::BestCase)
    });
    let open_sum = sum(&open, &|_| true);
    let mut weighted_open = Money::ZERO;
    let mut without_probability = 0;
    for o in &open {
        match (o.amount, data.stage(&o.stage)) {
            (Some(a), Some(s)) => {
                weighted_open += Money((a.0 as f64 * s.probability).round() as i64)
            }
            (_, None) => without_probability += 1,
            (None, Some(_)) => {}
        }
    }
    let to_close = quota.map(|q| q - won_sum);
    let (coverage, coverage_status) = match to_close {
        _ if p.to <= today => (None, CoverageStatus::Ended),
        None => (None, CoverageStatus::NoQuota),
        Some(t) if t.0 <= 0 => (None, CoverageStatus::QuotaMet),
        Some(t) => {
            let c = open_sum.0 as f64 / t.0 as f64;
            let status = if c >= rule.target {
                CoverageStatus::OnTarget
            } else if c >= rule.light {
                CoverageStatus::BelowTarget
            } else {
                CoverageStatus::Light
            };
            (Some(c), status)
        }
    };
    ForecastLine {
        key,
        label,
        period: p,
        won: won_sum,
        won_count: won.len() as u64,
        won_without_amount: won.iter().filter(|o| o.amount.is_none()).count() as u64,
        commit,
        best_case_open: best,
        open: open_sum,
        open_count: open.len() as u64,
        open_without_amount: open.iter().filter(|o| o.amount.is_none()).count() as u64,
        open_without_probability: without_probability,
        call: won_sum + commit,
        best_case: won_sum + commit + best,
        pipeline: won_sum + open_sum,
        weighted: won_sum + weighted_open,
        quota,
        to_close,
        coverage,
        coverage_status,
    }
}

/// The forecast of a period: the team for the period (and, for a quarter,
/// each of its months), and each rep for the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub period: Period,
    /// The team: the period first, then its months when it is a quarter.
    pub team: Vec<ForecastLine>,
    /// Active AEs of the period and anyone else owning deals in it, by name.
    pub reps: Vec<ForecastLine>,
}

/// The forecast of `p` on `today` from `data` (already as of `today`).
pub fn forecast(
    data: &Dataset,
    cal: &Calendar,
    p: Period,
    today: NaiveDate,
    rule: CoverageRule,
) -> Forecast {
    let share = quota_share(cal, p);
    let mut periods = vec![p];
    if share == QuotaShare::Quarter {
        for i in 0..3 {
            periods.push(cal.shift(
                super::model::PeriodKind::Month,
                cal.month_containing(p.from),
                i,
            ));
        }
    }
    let team = periods
        .iter()
        .map(|&q| {
            let quota = quota_for(
                data.reps.iter().filter(|r| active_ae_in(r, q)),
                quota_share(cal, q),
            );
            let label = match quota_share(cal, q) {
                QuotaShare::Quarter => {
                    let (y, n) = cal.fiscal_label(q.from);
                    format!("{y}-Q{n}")
                }
                QuotaShare::Month => q.from.format("%Y-%m").to_string(),
                QuotaShare::None => q.to_string(),
            };
            forecast_line(
                data,
                cal,
                q,
                today,
                None,
                quota,
                rule,
                ("team".into(), label),
            )
        })
        .collect();
    let mut owners: Vec<RepId> = data
        .reps
        .iter()
        .filter(|r| active_ae_in(r, p))
        .map(|r| r.id.clone())
        .chain(
            data.opportunities
                .iter()
                .filter(|o| open_in(o, p) || won_in(o, cal, p, today))
                .map(|o| o.owner_id.clone()),
        )
        .collect();
    owners.sort();
    owners.dedup();
    let mut reps: Vec<ForecastLine> = owners
        .iter()
        .map(|id| {
            let rep = data.rep(id);
            let quota = rep
                .filter(|r| active_ae_in(r, p))
                .and_then(|r| quota_for(std::iter::once(r), share));
            let label = rep.map_or_else(|| id.0.to_string(), |r| r.name.clone());
            forecast_line(
                data,
                cal,
                p,
                today,
                Some(id),
                quota,
                rule,
                (id.0.to_string(), label.to_string()),
            )
        })
        .collect();
    reps.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.key.cmp(&b.key)));
    Forecast {
        period: p,
        team,
        reps,
    }
}

#[cfg(test)]
mod tests;
