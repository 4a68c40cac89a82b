//! Goals per role, metric and period (SPEC §2 "Goal"): config goals merged
//! with the database's, and a goal read against a report period.

use super::{MetricDef, MetricId, Unit};
use crate::domain::model::{Goal, GoalDirection, PeriodKind, Role, Stage, StageKind};
use crate::domain::period::{Calendar, Period};
use serde::Serialize;

/// Config goals, overridden by database goals with the same role, metric and period kind.
pub fn merge(config: &[Goal], db: &[Goal]) -> Vec<Goal> {
    let mut out: Vec<Goal> = config
        .iter()
        .filter(|c| {
            !db.iter()
                .any(|d| d.role == c.role && d.metric == c.metric && d.period == c.period)
        })
        .cloned()
        .collect();
    out.extend(db.iter().cloned());
    out
}

/// Why `target` is no goal for `role`'s metric `id`, if it is none: a share
/// (a win rate, a discount) runs from 0 to 1, so 25 would be 2,500 %.
pub fn target_out_of_range(role: Role, id: &MetricId, target: f64) -> Option<String> {
    let def = super::lookup(role, id)?;
    (matches!(def.unit, Unit::Share | Unit::MoneyShare) && target > 1.0).then(|| {
        format!(
            "target {target} is more than 1, and {} is a share from 0 to 1 (write 25 % as 0.25)",
            id.as_str()
        )
    })
}

/// What is wrong with each goal on a per-stage conversion whose stage is
/// no open stage in force (`stages`): no rep has that metric, so the goal
/// is met by no one and shown nowhere (a typo, a stage renamed, or a
/// closed stage). Stage names match exactly, as the metric ids do.
pub fn on_no_open_stage(goals: &[Goal], stages: &[Stage]) -> Vec<String> {
    let mut open: Vec<&Stage> = stages
        .iter()
        .filter(|s| s.kind == StageKind::Open)
        .collect();
    open.sort_by_key(|s| s.position);
    let names: Vec<&str> = open.iter().map(|s| s.name.as_str()).collect();
    goals
        .iter()
        .filter_map(|g| {
            let id = MetricId::parse(&g.metric)?;
            let stage = id.stage()?;
            (!names.contains(&stage)).then(|| {
                format!(
                    "goal of {} per {} on {}: no open stage is named {stage:?} \
                     (the open stages: {}); the goal applies to no one",
                    g.role,
                    g.period,
                    g.metric,
                    names.join(", ")
                )
            })
        })
        .collect()
}

/// A goal as it applies to one report period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoalFor {
    /// The target for this period: a count or money goal is prorated by days
    /// when the period is not exactly one period of the goal's kind; a ratio
    /// or mean is not.
    pub target: f64,
    pub direction: GoalDirection,
    /// The goal's own period kind and target, as configured.
    pub per: PeriodKind,
    pub per_target: f64,
    /// Whether `target` is prorated from `per_target` (to the period's
    /// length, or to the days of it elapsed by today).
    pub prorated: bool,
}

impl GoalFor {
    /// Whether `value` meets the goal.
    pub fn met(&self, value: f64) -> bool {
        match self.direction {
            GoalDirection::AtLeast => value >= self.target,
            GoalDirection::AtMost => value <= self.target,
        }
    }
}

/// Mean length in days of a period kind, for prorating.
fn kind_days(kind: PeriodKind) -> f64 {
    match kind {
        PeriodKind::Week => 7.0,
        PeriodKind::Month => 365.25 / 12.0,
        PeriodKind::Quarter => 365.25 / 4.0,
    }
}

/// [`goal_for`] over the part of `p` that has happened by the end of `today`:
/// a count or money goal of a period still under way is prorated to the days
/// elapsed, so a month read on its 24th is judged against 24 days of goal.
pub fn goal_to_date(
    goals: &[Goal],
    role: Role,
    def: &MetricDef,
    metric_id: &str,
    p: Period,
    cal: &Calendar,
    today: chrono::NaiveDate,
) -> Option<GoalFor> {
    let mut g = goal_for(goals, role, def, metric_id, p, cal)?;
    let elapsed_to = p.to.min(today + chrono::Days::new(1));
    let additive = matches!(def.unit, Unit::Count | Unit::Money | Unit::Minutes);
    if additive && elapsed_to < p.to {
        let elapsed = (elapsed_to - p.from).num_days().max(0) as f64;
        g.target *= elapsed / p.days() as f64;
        g.prorated = true;
    }
    Some(g)
}

/// The goal for a role's metric over `p`: a goal whose kind matches `p`
/// exactly is preferred; otherwise the first goal for the metric, prorated.
pub fn goal_for(
    goals: &[Goal],
    role: Role,
    def: &MetricDef,
    metric_id: &str,
    p: Period,
    cal: &Calendar,
) -> Option<GoalFor> {
    let mut candidates = goals
        .iter()
        .filter(|g| g.role == role && g.metric == metric_id);
    let exact = goals
        .iter()
        .filter(|g| g.role == role && g.metric == metric_id)
        .find(|g| cal.containing(g.period, p.from) == p);
    let g = exact.or_else(|| candidates.next())?;
    let additive = matches!(def.unit, Unit::Count | Unit::Money | Unit::Minutes);
    let prorated = exact.is_none() && additive;
    let target = if prorated {
        g.target * p.days() as f64 / kind_days(g.period)
    } else {
        g.target
    };
    Some(GoalFor {
        target,
        direction: g.direction,
        per: g.period,
        per_target: g.target,
        prorated,
    })
}
