//! `pipedeck report metrics --by DIMENSION`: the opportunity metrics per
//! value of a segment, ICP tier, industry, channel or stage at creation
//! (SPEC §15), unknown values as their own row, and the team beside them.

use super::metrics::{PeriodJson, default_period, sets_csv_table, sets_table};
use super::{Input, Report, Table};
use crate::domain::metrics::cuts::{self, Dimension};
use crate::domain::metrics::{Index, MetricSet};
use serde::Serialize;

/// `--by` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Segment,
    IcpTier,
    Industry,
    Channel,
    StageAtCreation,
}

impl From<By> for Dimension {
    fn from(b: By) -> Dimension {
        match b {
            By::Segment => Dimension::Segment,
            By::IcpTier => Dimension::IcpTier,
            By::Industry => Dimension::Industry,
            By::Channel => Dimension::Channel,
            By::StageAtCreation => Dimension::StageAtCreation,
        }
    }
}

/// One value of the dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CutRow {
    /// `null` for deals whose value is unknown.
    pub value: Option<String>,
    pub metrics: MetricSet,
}

/// The cut report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CutReport {
    pub period: PeriodJson,
    pub by: Dimension,
    pub rows: Vec<CutRow>,
    pub team: MetricSet,
}

/// Label of an unknown value in tables.
pub const UNKNOWN: &str = "(unknown)";

impl CutReport {
    /// The cut over the input's period (default: quarter to date).
    pub fn build(input: &Input, by: Dimension) -> CutReport {
        let stages = input.settings.stage_list();
        CutReport::over(&input.metrics_index(&stages), input, by)
    }

    /// The cut over an already built index.
    fn over(ix: &Index<'_>, input: &Input, by: Dimension) -> CutReport {
        let period = input.period.unwrap_or_else(|| default_period(input));
        CutReport {
            period: period.into(),
            by,
            rows: cuts::cut(ix, by, period)
                .into_iter()
                .map(|(value, metrics)| CutRow { value, metrics })
                .collect(),
            team: cuts::team(ix, period),
        }
    }
}

impl CutReport {
    /// The cut by every dimension, in [`Dimension::ALL`] order.
    pub fn build_all(input: &Input) -> Vec<CutReport> {
        let stages = input.settings.stage_list();
        CutReport::build_all_on(&input.metrics_index(&stages), input)
    }

    /// [`CutReport::build_all`] on an index of the input's data
    /// ([`Input::metrics_index`]), shared with other reports built from it.
    pub fn build_all_on(ix: &Index<'_>, input: &Input) -> Vec<CutReport> {
        debug_assert!(std::ptr::eq(ix.data, input.data) && ix.today == input.today);
        Dimension::ALL
            .iter()
            .map(|d| CutReport::over(ix, input, *d))
            .collect()
    }
}

impl CutReport {
    /// Each value's label and metrics, then the team's.
    fn labelled(&self) -> Vec<(String, &MetricSet)> {
        let mut rows: Vec<(String, &MetricSet)> = self
            .rows
            .iter()
            .map(|r| {
                (
                    r.value.clone().unwrap_or_else(|| UNKNOWN.into()),
                    &r.metrics,
                )
            })
            .collect();
        rows.push(("team".into(), &self.team));
        rows
    }
}

impl Report for CutReport {
    fn tables(&self) -> Vec<Table> {
        let rows = self.labelled();
        vec![sets_table(
            format!(
                "By {} — {}..{}",
                dimension_label(self.by),
                self.period.from,
                self.period.to
            ),
            self.by.as_str(),
            &rows,
        )]
    }

    /// A row per value and metric: value, sample and note in columns of
    /// their own, plain numbers, empty when undefined.
    fn csv_tables(&self) -> Vec<Table> {
        vec![sets_csv_table(self.by.as_str(), &self.labelled())]
    }
}

/// A dimension's name in words, for titles (`icp_tier` → `ICP tier`); the
/// id stays in JSON and as the CSV column.
pub fn dimension_label(d: Dimension) -> &'static str {
    match d {
        Dimension::Segment => "segment",
        Dimension::IcpTier => "ICP tier",
        Dimension::Industry => "industry",
        Dimension::Channel => "channel",
        Dimension::StageAtCreation => "stage at creation",
    }
}
