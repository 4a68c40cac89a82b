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
    // A goal on activities is not judged over a period that ended before
    // the first activity recorded: a rep "had 0 meetings" then only because
    // nothing was recorded yet (an org imported with a year of deals and a
    // month of calls), not because they missed it. A period the data begins
    // in is judged (what it records of it is what the team did).
    let data_start = cx.ix.data.first_activity_at().map(|t| cx.ix.day(t));
    for goal in cx
        .goals
        .iter()
        .filter(|g| MetricId::parse(&g.metric).is_some_and(|id| cx.judges(&id)))
    {
        let periods = goal_periods(&cx.cal, k, end, goal.period);
        let on_activities =
            MetricId::parse(&goal.metric).is_none_or(|id| metrics::is_activity(&id));
        if on_activities
            && periods
                .first()
                .is_some_and(|q| data_start.is_none_or(|s| q.to <= s))
        {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::super::Kind;
    use super::super::tests::{last_week, many, meetings_goal, run};
    use crate::domain::metrics::tests::rep;
    use crate::domain::model::{Dataset, Role};
    use crate::domain::settings::Settings;

    /// Ann and Bea: 8 meetings held each on `day` (a Monday), nothing before.
    fn team_from(day: &str) -> Dataset {
        let mut activities = Vec::new();
        for r in ["ann", "bea"] {
            many(&mut activities, r, "meeting/first/held", day, 8);
        }
        activities.sort_by_key(|a| a.occurred_at);
        Dataset {
            reps: ["ann", "bea"]
                .iter()
                .map(|r| rep(r, Role::Ae, Some("2024-01-01"), None))
                .collect(),
            activities,
            stages: Settings::default().stage_list(),
            ..Dataset::default()
        }
    }

    #[test]
    fn a_goal_on_activities_is_not_judged_before_the_first_one_recorded() {
        // Goal 15 a week; the last two weeks are 11-09 and 11-16. Recorded
        // from 11-16 on: week 11-09 holds nothing because nothing was
        // recorded yet, so no "0 and 8 meetings a week" flag.
        let goal = [meetings_goal(15.0)];
        let flagged = |data: &Dataset| {
            let found = run(data, &goal, last_week());
            let mut reps: Vec<String> = found
                .iter()
                .filter(|a| a.kind == Kind::BelowGoalSustained)
                .map(|a| a.rep_id.clone())
                .collect();
            reps.sort();
            reps
        };
        assert!(flagged(&team_from("2026-11-16")).is_empty());
        // Recorded from a call on week 11-09's first day: 0 meetings that
        // week is a miss.
        let mut from_09 = team_from("2026-11-16");
        let mut earlier = Vec::new();
        many(&mut earlier, "ann", "call/outbound", "2026-11-09", 1);
        from_09.activities.splice(0..0, earlier);
        assert_eq!(flagged(&from_09), ["ann", "bea"]);
    }
}
