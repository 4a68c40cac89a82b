//! `pipedeck report pipeline`: open pipeline by stage and by owner.

use super::{Column, Report, Table};
use crate::domain::pipeline::{Pipeline, PipelineGroup};
use serde::Serialize;

/// The pipeline report: the domain's grouping, as of a date.
#[derive(Debug, Clone, Serialize)]
pub struct PipelineReport {
    pub as_of: chrono::NaiveDate,
    pub currency: String,
    #[serde(flatten)]
    pub pipeline: Pipeline,
}

fn table(title: &str, key: &str, groups: &[PipelineGroup], total: &PipelineGroup) -> Table {
    let mut t = Table::new(
        Some(title.to_string()),
        vec![
            Column::left(key),
            Column::right("deals"),
            Column::right("amount"),
            Column::right("no amount"),
        ],
    );
    for g in groups.iter().chain([total]) {
        t.rows.push(vec![
            g.label.clone(),
            g.count.to_string(),
            g.amount.to_string(),
            g.without_amount.to_string(),
        ]);
    }
    t
}

impl Report for PipelineReport {
    fn tables(&self) -> Vec<Table> {
        let mut by_stage = table(
            "Open pipeline by stage",
            "stage",
            &self.pipeline.by_stage,
            &self.pipeline.total,
        );
        if self.pipeline.total.without_amount > 0 {
            by_stage.notes.push(format!(
                "{} open deals have no amount and are not in the amount column.",
                self.pipeline.total.without_amount
            ));
        }
        vec![
            by_stage,
            table(
                "Open pipeline by owner",
                "owner",
                &self.pipeline.by_owner,
                &self.pipeline.total,
            ),
        ]
    }
}
