//! `pipedeck report drill --rep ID --metric M`: why a rep's outcome metric moved.

use super::metrics::PeriodJson;
use super::{Column, Input, Report, Table, fmt_opt};
use crate::domain::anomaly::previous;
use crate::domain::baseline::TeamPeriod;
use crate::domain::drill::{Drill, Node, drill};
use crate::domain::metrics::Index;
use crate::domain::model::RepId;
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
    pub fn build(input: &Input, rep: &str, metric: &str) -> Result<DrillReport, String> {
        let period = input
            .period
            .unwrap_or_else(|| super::metrics::default_period(input));
        let prev = previous(input.cal, period, 1);
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

fn rows(n: &Node, depth: usize, out: &mut Vec<Vec<String>>) {
    out.push(vec![
        format!("{}{}", "  ".repeat(depth), n.metric),
        fmt_opt(n.this_period, 2),
        fmt_opt(n.previous_period, 2),
        fmt_opt(n.change, 2),
        fmt_opt(n.team, 2),
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
