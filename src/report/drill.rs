//! `pipedeck report drill --rep ID --metric M`: why a rep's metric moved,
//! down to the records behind it (the activities or deals it counts).

use super::metrics::PeriodJson;
use super::metrics::fmt_metric;
use super::{Column, Input, Report, Table};
use crate::domain::Period;
use crate::domain::anomaly::previous;
use crate::domain::baseline::TeamPeriod;
use crate::domain::drill::{Drill, Node, drill, previous_metrics};
use crate::domain::metrics::Unit;
use crate::domain::metrics::records::{MetricRecords, records};
use crate::domain::model::PeriodKind;
use crate::domain::model::RepId;
use crate::domain::period::Calendar;
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// The drill report: the domain's tree with both periods, and the records
/// behind the metric asked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillReport {
    pub period: PeriodJson,
    pub previous_period: PeriodJson,
    #[serde(flatten)]
    pub drill: Drill,
    /// The metric asked for (the tree's root, or one of its drivers).
    pub asked: String,
    /// The records behind the metric asked for, this period.
    pub records: Option<Behind>,
    /// The records behind every node of the tree, in the order the tree
    /// table lists them (the cockpit opens them; not in the JSON).
    #[serde(skip)]
    pub node_records: Vec<Option<Behind>>,
}

/// The records behind one metric with the value they make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Behind {
    /// The metric's value this period (as `report metrics` shows it).
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub den: Option<f64>,
    #[serde(flatten)]
    pub records: MetricRecords,
}

impl DrillReport {
    /// Drills into `metric` for `rep` over the input's period (default: quarter to
    /// date) against the period before it (same kind, or same length).
    /// A driver metric (meetings, win rate, …) opens the outcome tree it
    /// feeds, in the CLI as in the cockpit.
    /// A metric no tree holds is a tree of one node. Either way the report
    /// ends in the records behind the metric asked for.
    pub fn build(input: &Input, rep: &str, asked: &str) -> Result<DrillReport, String> {
        let metric = input
            .data
            .reps
            .iter()
            .find(|r| r.id.as_str() == rep)
            .and_then(|r| crate::domain::drill::outcome_for(r.role, asked))
            .unwrap_or(asked);
        let period = input.period.unwrap_or_else(|| default_period(input));
        let (period, prev) = like_for_like(input.cal, period, input.today);
        let stages = input.settings.stage_list();
        let ix = input.metrics_index(&stages);
        let ramp = input.settings.ramp_days;
        let now = TeamPeriod::build(&ix, period, ramp, input.today);
        let rep_id = RepId(rep.to_string().into());
        let before = previous_metrics(&ix, &rep_id, prev);
        let d = drill(&now, before.as_ref(), &rep_id, metric).map_err(|e| e.to_string())?;
        let behind = |id: &str| -> Option<Behind> {
            let row = now.row(&rep_id)?;
            let r = records(&ix, &rep_id, row.rep.role, period, id)?;
            let v = row.metrics.get(id);
            Some(Behind {
                value: v.and_then(|v| v.value),
                num: v.and_then(|v| v.num),
                den: v.and_then(|v| v.den),
                records: r,
            })
        };
        let mut ids = Vec::new();
        node_ids(&d.root, &mut ids);
        Ok(DrillReport {
            period: period.into(),
            previous_period: prev.into(),
            records: behind(asked),
            node_records: ids.iter().map(|id| behind(id)).collect(),
            asked: asked.to_string(),
            drill: d,
        })
    }
}

/// The drill's default period: the quarter under way (cut at today by
/// [`like_for_like`]), so it is set against as many days of the quarter
/// before, also in the quarter's first month (`qtd` there reads as `mtd`).
pub fn default_period(input: &Input) -> Period {
    input.cal.quarter_containing(input.today)
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
    let kinds = [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter];
    let whole = |k| (k, cal.containing(k, period.from));
    // A whole week, month or quarter asked for is compared as that (a
    // quarter's first month under way is also the start of a month);
    // else the smallest one the period starts and ends within.
    let enclosing = kinds
        .into_iter()
        .map(whole)
        .find(|(_, p)| *p == period)
        .or_else(|| {
            kinds
                .into_iter()
                .map(whole)
                .find(|(_, p)| p.from == period.from && now.to <= p.to)
        });
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

/// The metric ids of a tree in the order its table lists them.
fn node_ids(n: &Node, out: &mut Vec<String>) {
    out.push(n.metric.clone());
    for k in &n.drivers {
        node_ids(k, out);
    }
}

/// The records of one metric as tables: its activities, then its deals.
/// `label` names the metric (its id in the CLI, its label in the cockpit);
/// `compact` (the cockpit) leaves out the activity ids.
pub fn records_tables(b: &Behind, label: &str, compact: bool) -> Vec<Table> {
    let r = &b.records;
    let id = r.metric.as_str();
    let value = fmt_metric(id, b.value);
    let unit = crate::domain::metrics::find(crate::domain::Role::Ae, id)
        .or_else(|| crate::domain::metrics::find(crate::domain::Role::Sdr, id))
        .map(|d| d.unit);
    let money = |x: f64| crate::domain::Money((x * 100.0).round() as i64).to_string();
    let sample = match (unit, b.num, b.den) {
        (Some(Unit::MoneyShare), Some(n), Some(d)) => format!(" ({} of {})", money(n), money(d)),
        (Some(Unit::MeanMoney), Some(n), Some(d)) => format!(" ({} over {})", money(n), plain(d)),
        (Some(Unit::Days), Some(n), Some(d)) => format!(" ({} days over {})", plain(n), plain(d)),
        (_, Some(n), Some(d)) => format!(" ({} of {})", plain(n), plain(d)),
        _ => String::new(),
    };
    let mut summary = format!("{label} = {value}{sample}");
    if let Some(n) = &r.note {
        summary.push_str(&format!(": {n}"));
    }
    let mut out = Vec::new();
    // With nothing behind it, a metric still says which records it counts.
    let of_activities = !r.activities.is_empty()
        || (r.deals.is_empty()
            && r.metric
                .parse::<crate::domain::metrics::MetricId>()
                .is_ok_and(|m| crate::domain::metrics::is_activity(&m)));
    if of_activities {
        let mut t = Table::new(
            Some(format!("Activities behind {label}: {}", r.activities.len())),
            vec![
                Column::left("date"),
                Column::left("type"),
                Column::left("outcome"),
                Column::left("deal"),
                Column::left("account"),
                Column::left("subject"),
                Column::left("side"),
                Column::left("counts in"),
                Column::left("id"),
            ],
        );
        for a in &r.activities {
            let kind = match (a.meeting_type, compact) {
                (Some("first"), true) => "first mtg".to_string(),
                (Some(_), true) => "follow-up mtg".to_string(),
                (Some(m), false) => format!("{} ({})", a.kind, m.replace('_', "-")),
                (None, _) => a.kind.to_string(),
            };
            t.rows.push(vec![
                a.date.to_string(),
                kind,
                a.outcome.unwrap_or("—").to_string(),
                a.deal_id.clone().unwrap_or_else(|| "—".into()),
                a.account_id.clone().unwrap_or_else(|| "—".into()),
                a.subject.clone().unwrap_or_default(),
                a.side.clone(),
                a.counts.as_str().to_string(),
                a.id.clone(),
            ]);
        }
        if compact {
            t.columns.pop();
            for row in &mut t.rows {
                row.pop();
            }
        }
        if r.deals.is_empty() {
            t.notes.push(summary.clone());
        }
        out.push(t);
    }
    if !r.deals.is_empty() || !of_activities {
        let mut t = Table::new(
            Some(format!("Deals behind {label}: {}", r.deals.len())),
            vec![
                Column::left("id"),
                Column::left("name"),
                Column::right("amount"),
                Column::left("stage"),
                Column::left("close date"),
                Column::left("side"),
                Column::left("counts in"),
            ],
        );
        for o in &r.deals {
            t.rows.push(vec![
                o.id.clone(),
                o.name.clone(),
                fmt_metric("bookings", o.amount),
                o.stage.clone(),
                o.close_date.map_or_else(|| "—".into(), |d| d.to_string()),
                o.side.clone(),
                o.counts.as_str().to_string(),
            ]);
        }
        t.notes.push(summary);
        out.push(t);
    }
    out
}

/// A count without decimals, else two.
fn plain(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
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
        let mut out = vec![t];
        if let Some(b) = &self.records {
            out.extend(records_tables(b, &self.asked, false));
        }
        out
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
        // Quarters from February: Nov–Jan is a quarter whose first month is November.
        let fiscal = Calendar {
            fiscal_year_start_month: 2,
            ..Calendar::default()
        };
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
        // A whole quarter asked for whose first month is under way (Nov–Jan
        // from a February year): against the quarter before, not October.
        let q = like_for_like(&fiscal, p("2026-11-01", "2027-02-01"), today);
        assert_eq!(
            q,
            (p("2026-11-01", "2026-11-25"), p("2026-08-01", "2026-08-25"))
        );
    }
}
