//! Below goal, sustained: a rep's metric missed its goal in each of the last
//! `k` complete periods of the goal's kind (default k = 2) ending by the
//! report period's end. Undefined values never count as a miss.

use super::{Anomaly, Ctx, Kind, Severity, Verdict, kind_word, say};
use crate::domain::metrics::goals::goal_for;
use crate::domain::metrics::{self, MetricId, Unit};
use crate::domain::period::Period;
use chrono::Days;

/// `whole`: the periods whose every metric the load read (the report
/// period, the history rule's runs, the periods of the goals on activity
/// or unknown metrics); a goal period of a deal metric outside them is
/// computed for the deal metrics alone.
pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period, whole: &[Period]) -> Vec<Anomaly> {
    let k = cx.settings.sustained_periods.max(1);
    let end = cx.judged_end(p);
    let mut out = Vec::new();
    for goal in cx
        .goals
        .iter()
        .filter(|g| MetricId::parse(&g.metric).is_some_and(|id| cx.judges(&id)))
    {
        let periods = goal_periods(&cx.cal, k, end, goal.period);
        let teams: Vec<_> = periods
            .iter()
            .map(|q| match super::deals_only(goal) && !whole.contains(q) {
                true => cx.team_deals(*q),
                false => cx.team(*q),
            })
            .collect();
        let Some(newest) = teams.last() else { continue };
        for row in newest.rows.iter().filter(|r| r.rep.role == goal.role) {
            let Some(def) = metrics::find(goal.role, &goal.metric) else {
                continue;
            };
            let mut values = Vec::new();
            let mut target = 0.0;
            for t in &teams {
                let Some(r) = t.row(&row.rep.id).filter(|r| !r.ramping) else {
                    break;
                };
                let Some(v) = r.metrics.get(goal.metric.as_str()).and_then(|v| v.value) else {
                    break;
                };
                let Some(g) = goal_for(cx.goals, goal.role, &def, &goal.metric, t.period, &cx.cal)
                    .filter(|g| g.direction == goal.direction && g.per == goal.period)
                else {
                    break;
                };
                if g.met(v) {
                    break;
                }
                target = g.target;
                values.push(v);
            }
            if values.len() as u32 != k {
                continue;
            }
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let word = kind_word(goal.period);
            let said: Vec<String> = values.iter().map(|v| say(def.unit, *v)).collect();
            let all_same = said.windows(2).all(|w| w[0] == w[1]);
            let had = if all_same {
                said[0].clone()
            } else {
                said.join(" and ")
            };
            let additive = matches!(def.unit, Unit::Count | Unit::Money | Unit::Minutes);
            let what = if additive {
                format!("{} had {had} {} a {word}", row.rep.name, def.label)
            } else {
                let each = if all_same { "" } else { " respectively" };
                format!("{}'s {} was {had}{each}", row.rep.name, def.label)
            };
            out.push(Anomaly {
                rep_id: row.rep.id.0.to_string(),
                rep_name: row.rep.name.clone(),
                metric: goal.metric.clone(),
                kind: Kind::BelowGoalSustained,
                rule: Kind::BelowGoalSustained,
                direction: Verdict::Bad,
                value: mean,
                reference: target,
                gap: mean - target,
                severity: Severity::of(mean, target),
                sentence: format!(
                    "{what} for the last {k} {word}s; the goal is {}.",
                    say(def.unit, target)
                ),
            });
        }
    }
    out
}

/// The last `k` complete periods of `kind` ending on or before `end`.
pub(super) fn goal_periods(
    cal: &crate::domain::period::Calendar,
    k: u32,
    end: chrono::NaiveDate,
    kind: crate::domain::model::PeriodKind,
) -> Vec<Period> {
    let mut last = cal.containing(kind, end - Days::new(1));
    if last.to > end {
        last = cal.shift(kind, last, -1);
    }
    (0..k)
        .rev()
        .map(|i| cal.shift(kind, last, -(i as i32)))
        .collect()
}
