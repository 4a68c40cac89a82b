//! `pipedeck report anomalies`: divergences worth a conversation (SPEC §5).
//! JSON is a list of `{"rep_id", "metric", "kind", "direction", "value",
//! "reference", "severity", "sentence"}` (plus `name`, `rule` and `gap`).

use super::metrics::MetricsFilter;
use super::{Column, Input, Report, Table};
use crate::domain::anomaly::{self, Anomaly, Ctx, Kind, Severity, Verdict};
use crate::domain::metrics::Index;
use crate::domain::{Goal, Period};
use serde::Serialize;

/// One anomaly as JSON shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnomalyRow {
    pub rep_id: String,
    pub name: String,
    pub metric: String,
    pub kind: Kind,
    pub rule: Kind,
    pub direction: Verdict,
    pub value: f64,
    pub reference: f64,
    pub gap: f64,
    pub severity: Severity,
    pub sentence: String,
}

impl From<Anomaly> for AnomalyRow {
    fn from(a: Anomaly) -> AnomalyRow {
        AnomalyRow {
            rep_id: a.rep_id,
            name: a.rep_name,
            metric: a.metric,
            kind: a.kind,
            rule: a.rule,
            direction: a.direction,
            value: a.value,
            reference: a.reference,
            gap: a.gap,
            severity: a.severity,
            sentence: a.sentence,
        }
    }
}

/// The anomalies of a period, most severe and bad first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct AnomaliesReport {
    pub anomalies: Vec<AnomalyRow>,
    #[serde(skip)]
    pub period: Option<Period>,
}

/// The default period of the anomalies report: the last complete week.
pub fn default_period(input: &Input) -> Period {
    last_complete_week(input.cal, input.today)
}

/// The week before the one containing `today`.
pub fn last_complete_week(
    cal: &crate::domain::period::Calendar,
    today: chrono::NaiveDate,
) -> Period {
    let week = cal.week_containing(today);
    cal.shift(crate::domain::model::PeriodKind::Week, week, -1)
}

impl AnomaliesReport {
    /// Runs every anomaly rule over the input's period (default: the last complete week).
    pub fn build(input: &Input, filter: &MetricsFilter) -> AnomaliesReport {
        let stages = input.settings.stage_list();
        AnomaliesReport::build_on(&input.metrics_index(&stages), input, filter)
    }

    /// [`AnomaliesReport::build`] on an index of the input's data
    /// ([`Input::metrics_index`]), shared with other reports built from it.
    pub fn build_on(ix: &Index<'_>, input: &Input, filter: &MetricsFilter) -> AnomaliesReport {
        let goals = filter.goals.as_deref().unwrap_or(&input.settings.goals);
        AnomaliesReport::build_in(&context(ix, input, goals), input, filter)
    }

    /// [`AnomaliesReport::build_on`] in an anomaly context ([`context`])
    /// shared with other reports on the same index: a period's team is
    /// computed once for all of them. The goals are the context's
    /// (`filter.goals` is not read); the rep and role filters apply.
    pub fn build_in(cx: &Ctx<'_, '_>, input: &Input, filter: &MetricsFilter) -> AnomaliesReport {
        debug_assert!(std::ptr::eq(cx.ix.data, input.data) && cx.today == input.today);
        debug_assert!(filter.goals.as_deref().is_none_or(|g| g == cx.goals));
        let period = input.period.unwrap_or_else(|| default_period(input));
        let role_of = |id: &str| {
            input
                .data
                .reps
                .iter()
                .find(|r| r.id.as_str() == id)
                .map(|r| r.role)
        };
        let anomalies = anomaly::detect(cx, period)
            .into_iter()
            .filter(|a| filter.rep.as_deref().is_none_or(|id| a.rep_id == id))
            .filter(|a| filter.role.is_none_or(|r| role_of(&a.rep_id) == Some(r)))
            .map(AnomalyRow::from)
            .collect();
        AnomaliesReport {
            anomalies,
            period: Some(period),
        }
    }
}

/// The anomaly rules' context on `ix` for the input's settings and day,
/// with `goals` in force.
pub fn context<'i, 'a>(ix: &'i Index<'a>, input: &'i Input, goals: &'i [Goal]) -> Ctx<'i, 'a> {
    debug_assert!(std::ptr::eq(ix.data, input.data) && ix.today == input.today);
    Ctx::new(
        ix,
        &input.settings.anomalies,
        goals,
        input.today,
        input.settings.ramp_days,
    )
}

impl Report for AnomaliesReport {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            self.period
                .map(|p| format!("Anomalies {}..{}", p.from, p.to)),
            vec![
                Column::left("severity"),
                Column::left("direction"),
                Column::left("rep"),
                Column::left("metric"),
                Column::left("kind"),
                Column::right("value"),
                Column::right("reference"),
                Column::left("sentence"),
            ],
        );
        for a in &self.anomalies {
            let word = |s: &str| s.trim_matches('"').to_string();
            t.rows.push(vec![
                word(&serde_json::to_string(&a.severity).unwrap_or_default()),
                word(&serde_json::to_string(&a.direction).unwrap_or_default()),
                a.rep_id.clone(),
                a.metric.clone(),
                a.kind.as_str().to_string(),
                super::metrics::fmt_metric(&a.metric, Some(a.value)),
                super::metrics::fmt_metric(&a.metric, Some(a.reference)),
                a.sentence.clone(),
            ]);
        }
        if self.anomalies.is_empty() {
            t.notes.push("No anomalies.".into());
        }
        vec![t]
    }
}
