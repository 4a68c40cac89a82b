//! `pipedeck report drill --rep ID --metric M`: why a rep's outcome metric moved.

use super::metrics::PeriodJson;
use super::metrics::fmt_metric;
use super::{Column, Input, Report, Table};
use crate::domain::Period;
use crate::domain::anomaly::previous;
use crate::domain::baseline::TeamPeriod;
use crate::domain::drill::{Drill, Node, drill};
use crate::domain::metrics::Index;
use crate::domain::model::PeriodKind;
use crate::domain::model::RepId;
use crate::domain::period::Calendar;
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// The drill report: the domain's tree with both periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillReport {
    pub period: PeriodJson,
    pub previous_period: PeriodJson,
    #[serde(flatten)]
    pub drill: Drill,
}

impl DrillReport {
    /// Drills into `metric` for `rep` over the input's period (default: quarter to
    /// date) against the period before it (same kind, or same length).
    /// A driver metric (meetings, win rate, …) opens the outcome tree it
    /// feeds, in the CLI as in the cockpit.
    pub fn build(input: &Input, rep: &str, metric: &str) -> Result<DrillReport, String> {
        let metric = input
            .data
            .reps
            .iter()
            .find(|r| r.id.as_str() == rep)
            .and_then(|r| crate::domain::drill::outcome_for(r.role, metric))
            .unwrap_or(metric);
        let period = input
            .period
            .unwrap_or_else(|| super::metrics::default_period(input));
        let (period, prev) = like_for_like(input.cal, period, input.today);
        let stages = input.settings.stage_list();
        let ix = Index::new(input.data, *input.cal, input.settings.stale_days, &stages)
            .with_today(input.today);
        let ramp = input.settings.ramp_days;
        let now = TeamPeriod::build(&ix, period, ramp, input.today);
        let before = TeamPeriod::build(&ix, prev, ramp, input.today);
        let d = drill(&now, &before, &RepId(rep.to_string()), metric).map_err(|e| e.to_string())?;
        Ok(DrillReport {
            period: period.into(),
            previous_period: prev.into(),
            drill: d,
        })
    }
}

/// The period compared and the one it is compared with. A whole week, month
/// or quarter that has ended is compared with the whole one before it. A
/// period still under way, or one that covers only the start of its week,
/// month or quarter (`mtd`, `qtd`), is cut at today and compared with the
/// same number of days from the start of the previous one, so 1–24 November
/// is set against 1–24 October, not against all of October.
pub fn like_for_like(cal: &Calendar, period: Period, today: NaiveDate) -> (Period, Period) {
    let now = Period {
        from: period.from,
        to: period.to.min(today + Days::new(1)).max(period.from),
    };
    let enclosing = [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter]
        .into_iter()
        .map(|k| (k, cal.containing(k, period.from)))
        .find(|(_, p)| p.from == period.from && now.to <= p.to);
    match enclosing {
        Some((kind, whole)) if now.to < whole.to => {
            let before = cal.shift(kind, whole, -1);
            let to = (before.from + Days::new(now.days() as u64)).min(before.to);
            (
                now,
                Period {
                    from: before.from,
                    to,
                },
            )
        }
        _ => (now, previous(cal, now, 1)),
    }
}

/// A change in the metric's unit with its sign (`+3`, `−12.5%`).
fn fmt_change(id: &str, v: Option<f64>) -> String {
    match v {
        Some(x) if x > 0.0 => format!("+{}", fmt_metric(id, Some(x))),
        Some(x) if x < 0.0 => format!("−{}", fmt_metric(id, Some(-x))),
        other => fmt_metric(id, other),
    }
}

fn rows(n: &Node, depth: usize, out: &mut Vec<Vec<String>>) {
    out.push(vec![
        format!("{}{}", "  ".repeat(depth), n.metric),
        fmt_metric(&n.metric, n.this_period),
        fmt_metric(&n.metric, n.previous_period),
        fmt_change(&n.metric, n.change),
        fmt_metric(&n.metric, n.team),
        if n.marked {
            "◀ most".into()
        } else {
            String::new()
        },
    ]);
    for k in &n.drivers {
        rows(k, depth + 1, out);
    }
}

impl Report for DrillReport {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            Some(format!(
                "Why {} moved for {} ({}): {}..{} against {}..{}",
                self.drill.root.metric,
                self.drill.name,
                self.drill.rep_id,
                self.period.from,
                self.period.to,
                self.previous_period.from,
                self.previous_period.to
            )),
            vec![
                Column::left("metric"),
                Column::right("this period"),
                Column::right("previous"),
                Column::right("change"),
                Column::right("team"),
                Column::left("explains"),
            ],
        );
        rows(&self.drill.root, 0, &mut t.rows);
        if let Some(e) = &self.drill.explains {
            t.notes
                .push(format!("Most of the change is explained by {e}."));
        }
        vec![t]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(from: &str, to: &str) -> Period {
        Period {
            from: from.parse().expect("date"),
            to: to.parse().expect("date"),
        }
    }

    #[test]
    fn partial_periods_are_compared_like_for_like() {
        let cal = Calendar::default();
        let today: NaiveDate = "2026-11-24".parse().expect("date");
        let rows = [
            // November under way: 1–24 Nov against 1–24 Oct.
            (
                p("2026-11-01", "2026-12-01"),
                ("2026-11-01", "2026-11-25"),
                ("2026-10-01", "2026-10-25"),
            ),
            // qtd (55 days): against the first 55 days of Q3, 1 Jul – 25 Aug.
            (
                p("2026-10-01", "2026-11-25"),
                ("2026-10-01", "2026-11-25"),
                ("2026-07-01", "2026-08-25"),
            ),
            // A whole month that has ended: the whole month before.
            (
                p("2026-10-01", "2026-11-01"),
                ("2026-10-01", "2026-11-01"),
                ("2026-09-01", "2026-10-01"),
            ),
            // March 1–31 cut to 30 days of February: capped at February's end.
            (
                p("2026-03-01", "2026-03-31"),
                ("2026-03-01", "2026-03-31"),
                ("2026-02-01", "2026-03-01"),
            ),
            // A custom range: the same length just before it.
            (
                p("2026-11-05", "2026-11-12"),
                ("2026-11-05", "2026-11-12"),
                ("2026-10-29", "2026-11-05"),
            ),
        ];
        for (period, now, before) in rows {
            let (a, b) = like_for_like(&cal, period, today);
            assert_eq!((a, b), (p(now.0, now.1), p(before.0, before.1)), "{period}");
        }
    }
}
