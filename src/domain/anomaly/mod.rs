//! Anomalies (SPEC §5): divergences worth a conversation, each with the
//! value, the reference it diverges from, the gap, a direction, a severity
//! and one plain sentence a manager could read aloud.
//!
//! Kinds: below goal sustained ([`sustained`]), off the team ([`team`]), off
//! their own history ([`history`]), positive outliers (the good-direction
//! side of the team and history rules), new hire off the band ([`new_hire`]).
//! Ramping reps are judged by the new-hire rule only.

mod history;
mod new_hire;
mod sustained;
mod team;

use super::baseline::TeamPeriod;
use super::metrics::{self, Better, Index, MetricDef, MetricId, Unit};
use super::model::{Goal, PeriodKind};
use super::money::Money;
use super::period::{Calendar, Period};
use super::settings::AnomalySettings;
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;

/// The kind of an anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Missed the goal in each of the last `k` complete goal periods.
    BelowGoalSustained,
    /// Far from the team's leave-one-out median (MAD rule, Wilson for shares).
    OffTeam,
    /// Moved monotonically the bad way over the last periods while the team held.
    OffHistory,
    /// The off-team or off-history rule, in the good direction.
    PositiveOutlier,
    /// A ramping rep below the 25th percentile of ramped reps at the same tenure week.
    NewHireOffBand,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::BelowGoalSustained => "below_goal_sustained",
            Kind::OffTeam => "off_team",
            Kind::OffHistory => "off_history",
            Kind::PositiveOutlier => "positive_outlier",
            Kind::NewHireOffBand => "new_hire_off_band",
        }
    }
}

/// Whether the divergence is good news, bad news, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Bad,
    Ambiguous,
    Good,
}

/// How big the gap is, from the relative gap |value − reference| ÷ |reference|:
/// low below 35 %, medium below 60 %, high from 60 % (or a zero reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn of(value: f64, reference: f64) -> Severity {
        if reference == 0.0 {
            return Severity::High;
        }
        let r = (value - reference).abs() / reference.abs();
        if r >= 0.60 {
            Severity::High
        } else if r >= 0.35 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

/// One anomaly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    pub rep_id: String,
    pub rep_name: String,
    pub metric: String,
    pub kind: Kind,
    /// For positive outliers: the rule that found it (`off_team` or `off_history`).
    pub rule: Kind,
    pub direction: Verdict,
    pub value: f64,
    pub reference: f64,
    /// value − reference.
    pub gap: f64,
    pub severity: Severity,
    pub sentence: String,
}

/// What the rules read.
pub struct Ctx<'i, 'a> {
    pub ix: &'i Index<'a>,
    pub settings: &'i AnomalySettings,
    pub goals: &'i [Goal],
    pub cal: Calendar,
    pub today: NaiveDate,
    pub ramp_days: i64,
    /// Whether the data records any activity at all (Maven's set has none).
    has_activities: bool,
    /// Team periods already computed, by period.
    cache: RefCell<HashMap<Period, std::rc::Rc<TeamPeriod<'a>>>>,
    /// Team periods of the deal metrics alone ([`Ctx::team_deals`]).
    deals_cache: RefCell<HashMap<Period, std::rc::Rc<TeamPeriod<'a>>>>,
}

impl<'i, 'a> Ctx<'i, 'a> {
    pub fn new(
        ix: &'i Index<'a>,
        settings: &'i AnomalySettings,
        goals: &'i [Goal],
        today: NaiveDate,
        ramp_days: i64,
    ) -> Ctx<'i, 'a> {
        Ctx {
            ix,
            settings,
            goals,
            cal: ix.cal,
            today,
            ramp_days,
            has_activities: ix.data.has_activities(),
            cache: RefCell::new(HashMap::new()),
            deals_cache: RefCell::new(HashMap::new()),
        }
    }

    /// Every active rep's metrics over `p`, computed once per period.
    pub fn team(&self, p: Period) -> std::rc::Rc<TeamPeriod<'a>> {
        self.kept(&self.cache, p, TeamPeriod::build)
    }

    /// The deal metrics (`MetricDef::activity` false) of every active rep
    /// over `p`, computed once per period: the whole team of `p` when one
    /// was computed (a context shared by reports of other periods, see
    /// `AnomaliesReport::build_in`), else a team of those metrics alone
    /// (the sustained rule's, for a period no other rule reads).
    pub fn team_deals(&self, p: Period) -> std::rc::Rc<TeamPeriod<'a>> {
        if let Some(t) = self.cache.borrow().get(&p) {
            return t.clone();
        }
        self.kept(&self.deals_cache, p, TeamPeriod::build_deals)
    }

    /// The team of `p` in `cache`, built there by `build` the first time.
    fn kept(
        &self,
        cache: &RefCell<HashMap<Period, std::rc::Rc<TeamPeriod<'a>>>>,
        p: Period,
        build: impl Fn(&Index<'a>, Period, i64, NaiveDate) -> TeamPeriod<'a>,
    ) -> std::rc::Rc<TeamPeriod<'a>> {
        if let Some(t) = cache.borrow().get(&p) {
            return t.clone();
        }
        let t = std::rc::Rc::new(build(self.ix, p, self.ramp_days, self.today));
        cache.borrow_mut().insert(p, t.clone());
        t
    }

    /// Whether a metric can be judged: metrics read from activities are not
    /// judged on data that records no activity at all (they would all be 0).
    pub fn judges(&self, metric: &MetricId) -> bool {
        self.has_activities || !metrics::is_activity(metric)
    }

    /// The end of what can be judged for `p`: its end, or tomorrow if earlier.
    pub fn judged_end(&self, p: Period) -> NaiveDate {
        judged_end(self.today, p)
    }
}

/// The end of what can be judged for `p` on `today`: its end, or tomorrow if earlier.
pub fn judged_end(today: NaiveDate, p: Period) -> NaiveDate {
    p.to.min(today + Days::new(1))
}

/// What the rules read for `p`: periods of every rep's data, periods of
/// every rep's deals only (a goal's periods when its metric reads no
/// activity: two quarters of a win-rate goal need not read half a year of
/// calls), and periods of one rep's own activities only (the new-hire
/// rule's first weeks of each peer, which span years but only the peer's
/// own work).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub periods: Vec<Period>,
    /// Read by the rules for metrics computed from deals and their history
    /// alone (`MetricDef::activity` false); the other metrics of these
    /// periods are never read.
    pub deal_periods: Vec<Period>,
    pub per_rep: Vec<(crate::domain::model::RepId, Period)>,
}

/// The periods the rules read for the report period `p` (see [`Needs`]).
pub fn periods_needed(
    cal: &Calendar,
    settings: &AnomalySettings,
    goals: &[Goal],
    reps: &[crate::domain::model::Rep],
    ramp_days: i64,
    today: NaiveDate,
    p: Period,
) -> Needs {
    let mut out = vec![p];
    for (run, _) in history::series(cal, settings, today, p) {
        out.extend(run);
    }
    let end = judged_end(today, p);
    let k = settings.sustained_periods.max(1);
    let mut deal_periods = Vec::new();
    for goal in goals {
        // The sustained rule reads a goal's periods for the goal's metric
        // only; an unknown metric is read in full.
        let to = if deals_only(goal) {
            &mut deal_periods
        } else {
            &mut out
        };
        to.extend(sustained::goal_periods(cal, k, end, goal.period));
    }
    Needs {
        periods: out,
        deal_periods,
        per_rep: new_hire::windows(reps, ramp_days, today, p),
    }
}

/// Whether a goal's metric is computed from deals alone (an unknown metric
/// is not).
fn deals_only(goal: &Goal) -> bool {
    MetricId::parse(&goal.metric).is_some_and(|id| !metrics::is_activity(&id))
}

/// Every anomaly for the period `p`, most severe and bad first.
pub fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let mut out = Vec::new();
    let whole = periods_needed(
        &cx.cal,
        cx.settings,
        cx.goals,
        &cx.ix.data.reps,
        cx.ramp_days,
        cx.today,
        p,
    )
    .periods;
    out.extend(sustained::detect(cx, p, &whole));
    out.extend(team::detect(cx, p));
    out.extend(history::detect(cx, p));
    out.extend(new_hire::detect(cx, p));
    out.sort_by(|a, b| {
        (b.severity, a.direction, &a.rep_name, &a.metric, a.kind).cmp(&(
            a.severity,
            b.direction,
            &b.rep_name,
            &b.metric,
            b.kind,
        ))
    });
    out
}

/// The period kind `p` is exactly one of, if any.
pub fn kind_of(cal: &Calendar, p: Period) -> Option<PeriodKind> {
    [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter]
        .into_iter()
        .find(|k| cal.containing(*k, p.from) == p)
}

/// The period `n` steps before `p`: by its kind when it is exactly a week,
/// month or quarter, else by its length in days.
pub fn previous(cal: &Calendar, p: Period, n: u32) -> Period {
    match kind_of(cal, p) {
        Some(k) => cal.shift(k, p, -(n as i32)),
        None => {
            let back = Days::new(p.days() as u64 * n as u64);
            Period {
                from: p.from - back,
                to: p.to - back,
            }
        }
    }
}

/// Good or bad for a metric, from the sign of `value − reference`.
pub fn verdict(def: &MetricDef, value: f64, reference: f64) -> Verdict {
    match (def.better, value > reference) {
        (Better::Neither, _) => Verdict::Ambiguous,
        (Better::Higher, true) | (Better::Lower, false) => Verdict::Good,
        _ => Verdict::Bad,
    }
}

/// A value as a manager would say it.
pub fn say(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Count | Unit::Minutes => {
            if (v - v.round()).abs() < 1e-9 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        }
        Unit::Money | Unit::MeanMoney => Money((v * 100.0).round() as i64).to_string(),
        Unit::Share => format!("{:.0}%", v * 100.0),
        Unit::MoneyShare => format!("{:.1}%", v * 100.0),
        Unit::MoneyPerDay => format!("{}/day", Money((v * 100.0).round() as i64)),
        Unit::Ratio => format!("{v:.2}"),
        Unit::Days => format!("{v:.1} days"),
    }
}

/// The name of a period kind in a sentence.
pub fn kind_word(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::Week => "week",
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
    }
}

#[cfg(test)]
mod new_hire_tests;
#[cfg(test)]
mod tests;
