//! Below goal, sustained: a rep's metric missed its goal in each of the last
//! `k` complete periods of the goal's kind (default k = 2) ending by the
//! report period's end. Undefined values never count as a miss.

use super::{Anomaly, Ctx, Kind, Severity, Verdict, kind_word, say};
use crate::domain::metrics;
use crate::domain::metrics::goals::goal_for;
use crate::domain::period::Period;
use chrono::Days;

pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let k = cx.settings.sustained_periods.max(1);
    let end = cx.judged_end(p);
    let mut out = Vec::new();
    for goal in cx.goals {
        // The last complete period of the goal's kind ending on or before `end`.
        let mut last = cx.cal.containing(goal.period, end - Days::new(1));
        if last.to > end {
            last = cx.cal.shift(goal.period, last, -1);
        }
        let periods: Vec<Period> = (0..k)
            .rev()
            .map(|i| cx.cal.shift(goal.period, last, -(i as i32)))
            .collect();
        let teams: Vec<_> = periods.iter().map(|q| cx.team(*q)).collect();
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
                let Some(v) = r.metrics.get(&goal.metric).and_then(|v| v.value) else {
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
            out.push(Anomaly {
                rep_id: row.rep.id.0.clone(),
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
                    "{} had {had} {} a {word} for the last {k} {word}s; the goal is {}.",
                    row.rep.name,
                    def.label,
                    say(def.unit, target)
                ),
            });
        }
    }
    out
}
