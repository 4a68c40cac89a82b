//! `pipedeck report metrics`: every active rep's metrics for a period beside
//! the team baseline and the goal (SPEC §4, §5, §11).

use super::{Column, Input, Report, Table, UNDEFINED, fmt_opt};
use crate::domain::baseline::TeamPeriod;
use crate::domain::metrics::goals::{self, GoalFor};
use crate::domain::metrics::revenue::{BandCount, discount_bands};
use crate::domain::metrics::{
    self, Index, MetricDef, MetricId, MetricSet, MetricValue, Unit, cuts,
};
use crate::domain::model::{Goal, GoalDirection, RepId, Role};
use crate::domain::{Money, Period};
use serde::Serialize;
use std::collections::BTreeMap;

/// Which reps a metrics report shows (baselines always use the whole team).
#[derive(Debug, Clone, Default)]
pub struct MetricsFilter {
    pub rep: Option<String>,
    pub role: Option<Role>,
    /// Goals in force (config merged with the database's); `None`: the config's.
    pub goals: Option<Vec<Goal>>,
}

/// `{"from", "to"}` of SPEC §11.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeriodJson {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

impl From<Period> for PeriodJson {
    fn from(p: Period) -> PeriodJson {
        PeriodJson {
            from: p.from,
            to: p.to,
        }
    }
}

/// One metric of one rep, as JSON shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricCell {
    #[serde(flatten)]
    pub value: MetricValue,
    /// Leave-one-out median of the ramped peers; `null` with fewer than 3.
    pub baseline: Option<f64>,
    /// The goal for this period (prorated for counts and money), or `null`.
    pub goal: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_direction: Option<GoalDirection>,
    /// Whether the value meets the goal; `null` without a goal or a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_met: Option<bool>,
    /// Whether `goal` is prorated from the configured goal (to the period's
    /// length or to the days elapsed), and that goal; absent without a goal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_prorated: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_per: Option<GoalPer>,
    #[serde(skip)]
    pub def: MetricDef,
}

/// A goal as configured: its target per period of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoalPer {
    pub period: crate::domain::model::PeriodKind,
    pub target: f64,
}

/// One rep's metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepMetrics {
    pub rep_id: String,
    pub name: String,
    pub role: Role,
    pub ramping: bool,
    pub metrics: BTreeMap<MetricId, MetricCell>,
    /// Metric ids in display order (JSON keys are sorted).
    #[serde(skip)]
    pub order: Vec<MetricId>,
}

/// The metrics report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricsReport {
    pub period: PeriodJson,
    pub reps: Vec<RepMetrics>,
    /// The opportunity metrics of every deal (SPEC §15 "per rep and team").
    pub team: MetricSet,
    /// Per AE shown, the won deals and amount in each discount guardrail band.
    pub discount_bands: Vec<RepBands>,
    #[serde(skip)]
    pub currency: String,
}

/// One AE's won deals per guardrail band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepBands {
    pub rep_id: String,
    pub name: String,
    pub bands: Vec<BandCount>,
}

/// The team metrics in display order.
pub const TEAM_ORDER: [MetricId; 11] = [
    MetricId::Won,
    MetricId::Lost,
    MetricId::WinRate,
    MetricId::Bookings,
    MetricId::AvgDealSize,
    MetricId::SalesCycleDays,
    MetricId::Discount,
    MetricId::OpenOpps,
    MetricId::PipelineValue,
    MetricId::PipelineOver90d,
    MetricId::Velocity,
];

/// The default period of the metrics report: the current quarter to date.
pub fn default_period(input: &Input) -> Period {
    input
        .cal
        .parse_period("qtd", input.today)
        .unwrap_or_else(|_| input.cal.quarter_containing(input.today))
}

impl MetricsReport {
    /// Computes every active AE's and SDR's metrics over the input's period
    /// (default: quarter to date), with baselines and goals, then keeps the
    /// reps the filter asks for.
    pub fn build(input: &Input, filter: &MetricsFilter) -> MetricsReport {
        let stages = input.settings.stage_list();
        MetricsReport::build_on(&input.metrics_index(&stages), input, filter)
    }

    /// [`MetricsReport::build`] on an index of the input's data
    /// ([`Input::metrics_index`]), shared with other reports built from it.
    pub fn build_on(ix: &Index<'_>, input: &Input, filter: &MetricsFilter) -> MetricsReport {
        debug_assert!(std::ptr::eq(ix.data, input.data) && ix.today == input.today);
        let period = input.period.unwrap_or_else(|| default_period(input));
        let team = TeamPeriod::build(ix, period, input.settings.ramp_days, input.today);
        let goals = filter.goals.as_deref().unwrap_or(&input.settings.goals);
        let mut report = MetricsReport::from_team(&team, goals, input, filter);
        report.team = cuts::team(ix, period);
        let w = ix.window(period);
        report.discount_bands = report
            .reps
            .iter()
            .filter(|r| r.role == Role::Ae)
            .map(|r| RepBands {
                rep_id: r.rep_id.clone(),
                name: r.name.clone(),
                bands: discount_bands(
                    ix.owned(&RepId(r.rep_id.clone().into())),
                    &w,
                    &input.settings.discount,
                ),
            })
            .collect();
        report
    }

    /// The report over an already computed team period.
    pub fn from_team(
        team: &TeamPeriod<'_>,
        goals: &[Goal],
        input: &Input,
        filter: &MetricsFilter,
    ) -> MetricsReport {
        let reps = team
            .rows
            .iter()
            .filter(|r| {
                filter
                    .rep
                    .as_deref()
                    .is_none_or(|id| r.rep.id.as_str() == id)
            })
            .filter(|r| filter.role.is_none_or(|role| r.rep.role == role))
            .map(|row| {
                let mut cells = BTreeMap::new();
                let mut order = Vec::new();
                for (id, value) in &row.metrics {
                    let Some(def) = metrics::lookup(row.rep.role, id) else {
                        continue;
                    };
                    let goal: Option<GoalFor> = goals::goal_to_date(
                        goals,
                        row.rep.role,
                        &def,
                        id.as_str(),
                        team.period,
                        input.cal,
                        input.today,
                    );
                    cells.insert(
                        id.clone(),
                        MetricCell {
                            value: value.clone(),
                            baseline: team.baseline(row, id.as_str()).map(|b| b.median),
                            goal: goal.map(|g| g.target),
                            goal_direction: goal.map(|g| g.direction),
                            goal_met: goal.zip(value.value).map(|(g, v)| g.met(v)),
                            goal_prorated: goal.map(|g| g.prorated),
                            goal_per: goal.map(|g| GoalPer {
                                period: g.per,
                                target: g.per_target,
                            }),
                            def,
                        },
                    );
                }
                for d in metrics::metrics_for(row.rep.role) {
                    order.push(d.id.clone());
                    if d.id == MetricId::UntouchedOpps {
                        order.extend(
                            cells
                                .keys()
                                .filter(|k| matches!(k, MetricId::StageConversion(_)))
                                .cloned(),
                        );
                    }
                }
                order.retain(|k| cells.contains_key(k));
                RepMetrics {
                    rep_id: row.rep.id.0.to_string(),
                    name: row.rep.name.clone(),
                    role: row.rep.role,
                    ramping: row.ramping,
                    metrics: cells,
                    order,
                }
            })
            .collect();
        MetricsReport {
            period: team.period.into(),
            reps,
            team: BTreeMap::new(),
            discount_bands: Vec::new(),
            currency: input.settings.currency.clone(),
        }
    }
}

/// A metric value as text in its unit; `—` when undefined.
pub fn fmt_value(unit: Unit, v: Option<f64>) -> String {
    let Some(x) = v else {
        return UNDEFINED.to_string();
    };
    match unit {
        Unit::Count | Unit::Minutes => {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.1}")
            }
        }
        Unit::Money | Unit::MeanMoney => Money((x * 100.0).round() as i64).to_string(),
        Unit::Share | Unit::MoneyShare => format!("{:.1}%", x * 100.0),
        Unit::MoneyPerDay => format!("{}/day", Money((x * 100.0).round() as i64)),
        Unit::Ratio => format!("{x:.2}"),
        Unit::Days => format!("{x:.1}"),
    }
}

/// A value of the metric `id` in its unit (counts without decimals, money
/// with separators, shares as percentages); two decimals for an unknown id.
pub fn fmt_metric(id: &str, v: Option<f64>) -> String {
    let def = metrics::find(Role::Ae, id).or_else(|| metrics::find(Role::Sdr, id));
    match def {
        Some(d) => fmt_value(d.unit, v),
        None => fmt_opt(v, 2),
    }
}

/// The sample beside a value: `3/12` for ratios, `n=4` for means, blank otherwise.
pub fn fmt_sample(unit: Unit, v: &MetricValue) -> String {
    match (unit, v.num, v.den) {
        (Unit::Share | Unit::Ratio, Some(n), Some(d)) => format!("{n}/{d}"),
        (Unit::Days | Unit::MeanMoney, _, Some(d)) => format!("n={d}"),
        (Unit::MoneyShare, _, _) => v.deals.map_or_else(String::new, |n| format!("n={n}")),
        _ => String::new(),
    }
}

/// A table of metric sets side by side: one row per set (`label`), one
/// column per id of [`TEAM_ORDER`], each value with its sample and its
/// notes (deals without an amount are counted beside a sum, never silent).
pub fn sets_table(title: String, first: &str, rows: &[(String, &MetricSet)]) -> Table {
    let mut cols = vec![Column::left(first)];
    for id in &TEAM_ORDER {
        cols.push(Column::right(id.as_str()));
    }
    let mut t = Table::new(Some(title), cols);
    for (label, set) in rows {
        let mut row = vec![label.clone()];
        for id in &TEAM_ORDER {
            let unit = unit_of(id);
            row.push(match set.get(id) {
                Some(v) => {
                    let x = fmt_value(unit, v.value);
                    let beside: Vec<String> = Some(fmt_sample(unit, v))
                        .filter(|s| !s.is_empty())
                        .into_iter()
                        .chain(notes(v, None))
                        .collect();
                    if beside.is_empty() {
                        x
                    } else {
                        format!("{x} ({})", beside.join("; "))
                    }
                }
                None => UNDEFINED.to_string(),
            });
        }
        t.rows.push(row);
    }
    t
}

/// The unit a team metric is shown in.
fn unit_of(id: &MetricId) -> Unit {
    metrics::def_of(Role::Ae, id).map_or(Unit::Count, |d| d.unit)
}

/// [`sets_table`] for spreadsheets: a row per set and metric, its value,
/// sample and note in columns of their own (the layout of a rep's metrics).
pub fn sets_csv_table(first: &str, rows: &[(String, &MetricSet)]) -> Table {
    let mut t = Table::new(
        None,
        vec![
            Column::left(first),
            Column::left("metric"),
            Column::right("value"),
            Column::right("sample"),
            Column::left("note"),
        ],
    );
    for (label, set) in rows {
        for id in &TEAM_ORDER {
            let Some(v) = set.get(id) else { continue };
            let unit = unit_of(id);
            t.rows.push(vec![
                label.clone(),
                id.to_string(),
                fmt_value(unit, v.value),
                fmt_sample(unit, v),
                notes(v, None).join("; "),
            ]);
        }
    }
    t
}

impl MetricsReport {
    /// The team's metrics as a table of the same columns as a rep's, so CSV
    /// stays one shape.
    fn team_table(&self) -> Option<Table> {
        if self.team.is_empty() {
            return None;
        }
        let mut t = Table::new(
            Some(format!(
                "Team (every deal) — {}..{}",
                self.period.from, self.period.to
            )),
            rep_columns(),
        );
        for id in &TEAM_ORDER {
            let (Some(v), Some(def)) = (self.team.get(id), metrics::def_of(Role::Ae, id)) else {
                continue;
            };
            t.rows.push(vec![
                id.to_string(),
                fmt_value(def.unit, v.value),
                fmt_sample(def.unit, v),
                UNDEFINED.to_string(),
                UNDEFINED.to_string(),
                notes(v, None).join("; "),
            ]);
        }
        Some(t)
    }

    /// Rows `discount.<band>` of a rep: won deals in the band, their amount.
    fn band_rows(&self, rep_id: &str) -> Vec<Vec<String>> {
        let Some(b) = self.discount_bands.iter().find(|b| b.rep_id == rep_id) else {
            return Vec::new();
        };
        b.bands
            .iter()
            .map(|c| {
                vec![
                    format!("discount.{}", c.band.as_str()),
                    c.deals.to_string(),
                    Money((c.amount * 100.0).round() as i64).to_string(),
                    String::new(),
                    String::new(),
                    "won deals in the band (amount)".to_string(),
                ]
            })
            .collect()
    }
}

fn rep_columns() -> Vec<Column> {
    vec![
        Column::left("metric"),
        Column::right("value"),
        Column::right("sample"),
        Column::right("team"),
        Column::right("goal"),
        Column::left("note"),
    ]
}

/// The note of a metric: below goal, still open, without amount.
fn notes(v: &MetricValue, goal_met: Option<bool>) -> Vec<String> {
    let mut note = Vec::new();
    if let Some(false) = goal_met {
        note.push("below goal".to_string());
    }
    if let Some(n) = v.still_open.filter(|n| *n > 0) {
        note.push(format!("{n} still open"));
    }
    if let Some(n) = v.without_amount.filter(|n| *n > 0) {
        note.push(format!("{n} without amount"));
    }
    note
}

impl Report for MetricsReport {
    fn tables(&self) -> Vec<Table> {
        let mut tables: Vec<Table> = self
            .reps
            .iter()
            .map(|r| {
                let mut t = Table::new(
                    Some(format!(
                        "{} ({}, {}){} — {}..{}",
                        r.name,
                        r.rep_id,
                        r.role,
                        if r.ramping { ", ramping" } else { "" },
                        self.period.from,
                        self.period.to
                    )),
                    rep_columns(),
                );
                for id in &r.order {
                    let Some(c) = r.metrics.get(id) else { continue };
                    let unit = c.def.unit;
                    let mut note = notes(&c.value, c.goal_met);
                    if c.goal_prorated == Some(true)
                        && let Some(per) = c.goal_per
                    {
                        note.push(format!(
                            "goal prorated from {} per {}",
                            fmt_value(unit, Some(per.target)),
                            per.period
                        ));
                    }
                    t.rows.push(vec![
                        id.to_string(),
                        fmt_value(unit, c.value.value),
                        fmt_sample(unit, &c.value),
                        fmt_value(unit, c.baseline),
                        if c.goal_prorated == Some(true) {
                            format!("{}*", fmt_value(unit, c.goal))
                        } else if c.goal.is_some() {
                            fmt_value(unit, c.goal)
                        } else {
                            fmt_opt(None, 0)
                        },
                        note.join("; "),
                    ]);
                    if id == "discount" {
                        t.rows.extend(self.band_rows(&r.rep_id));
                    }
                }
                if r.metrics.values().any(|c| c.goal_prorated == Some(true)) {
                    t.notes.push(
                        "* goal prorated: to the length of the period, or to the days of it elapsed by today"
                            .into(),
                    );
                }
                t
            })
            .collect();
        tables.extend(self.team_table());
        tables
    }

    /// A table per rep and the team's: as many as the period has reps.
    fn csv_names_tables(&self) -> bool {
        true
    }
}
