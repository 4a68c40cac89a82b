//! `pipedeck report forecast`: call, best case, pipeline, weighted and
//! coverage for the team (period and its months) and per rep.

use super::{Column, Input, Report, Table, UNDEFINED};
use crate::domain::Period;
use crate::domain::forecast::{CoverageRule, CoverageStatus, Forecast, ForecastLine, forecast};
use chrono::NaiveDate;
use serde::Serialize;

/// The forecast report. JSON: `{as_of, currency, coverage_target,
/// coverage_light, period, team: [line], reps: [line]}`.
#[derive(Debug, Clone, Serialize)]
pub struct ForecastReport {
    pub as_of: NaiveDate,
    pub currency: String,
    pub coverage_target: f64,
    pub coverage_light: f64,
    #[serde(flatten)]
    pub forecast: Forecast,
}

impl ForecastReport {
    /// The forecast of `input.period` (default: the fiscal quarter containing today).
    pub fn build(input: &Input) -> ForecastReport {
        let period: Period = input
            .period
            .unwrap_or_else(|| input.cal.quarter_containing(input.today));
        let rule = CoverageRule {
            target: input.settings.coverage_target,
            light: input.settings.coverage_light,
        };
        ForecastReport {
            as_of: input.today,
            currency: input.settings.currency.clone(),
            coverage_target: rule.target,
            coverage_light: rule.light,
            forecast: forecast(input.data, input.cal, period, input.today, rule),
        }
    }
}

/// `2.45×`, or `—` when undefined.
pub fn fmt_coverage(c: Option<f64>) -> String {
    c.map_or_else(|| UNDEFINED.to_string(), |c| format!("{c:.2}×"))
}

/// The status word; colour is never the only signal.
pub fn coverage_word(s: CoverageStatus) -> &'static str {
    match s {
        CoverageStatus::Light => "LIGHT",
        other => other.as_str(),
    }
}

/// What is left to close: `24,200`, or `over by 24,200` when won already
/// passed the quota; `—` without a quota.
pub fn fmt_to_close(m: Option<crate::domain::Money>) -> String {
    match m {
        None => UNDEFINED.to_string(),
        Some(m) if m.0 < 0 => format!("over by {}", crate::domain::Money(-m.0)),
        Some(m) => m.to_string(),
    }
}

/// Team lines carry their period label; rep lines are all of `rep_period`.
/// `counts`: each row also counts the deals its figures leave out (no
/// amount, no probability) in columns of their own, for a spreadsheet,
/// which reads no note under a table.
fn table(title: String, lines: &[ForecastLine], rep_period: Option<&str>, counts: bool) -> Table {
    let team = rep_period.is_none();
    let mut t = Table::new(
        Some(title),
        vec![
            Column::left("who"),
            Column::left("period"),
            Column::right("won"),
            Column::right("commit"),
            Column::right("call"),
            Column::right("best case"),
            Column::right("pipeline"),
            Column::right("weighted"),
            Column::right("quota"),
            Column::right("to close"),
            Column::right("coverage"),
            Column::left("status"),
        ],
    );
    let opt = |m: Option<crate::domain::Money>| {
        m.map_or_else(|| UNDEFINED.to_string(), |m| m.to_string())
    };
    for l in lines {
        t.rows.push(vec![
            match rep_period {
                None => "Team".to_string(),
                Some(_) => l.label.clone(),
            },
            rep_period.map_or_else(|| l.label.clone(), str::to_string),
            l.won.to_string(),
            l.commit.to_string(),
            l.call.to_string(),
            l.best_case.to_string(),
            l.pipeline.to_string(),
            l.weighted.to_string(),
            opt(l.quota),
            fmt_to_close(l.to_close),
            fmt_coverage(l.coverage),
            coverage_word(l.coverage_status).to_string(),
        ]);
        if counts {
            t.rows.last_mut().expect("just pushed").extend(
                [
                    l.won_without_amount,
                    l.open_without_amount,
                    l.open_without_probability,
                ]
                .map(|n| n.to_string()),
            );
        }
    }
    if counts {
        t.columns.extend(LEFT_OUT.map(Column::right));
    }
    let won_unknown: u64 = lines.iter().take(1).map(|l| l.won_without_amount).sum();
    let open_unknown: u64 = lines.iter().take(1).map(|l| l.open_without_amount).sum();
    let unweighted: u64 = lines
        .iter()
        .take(1)
        .map(|l| l.open_without_probability)
        .sum();
    if team {
        if won_unknown > 0 {
            t.notes.push(format!(
                "{won_unknown} won deals have no amount and are not in the figures."
            ));
        }
        if open_unknown > 0 {
            t.notes.push(format!(
                "{open_unknown} open deals closing in the period have no amount and are not in the figures."
            ));
        }
        if unweighted > 0 {
            t.notes.push(format!(
                "{unweighted} open deals are in a stage with no configured probability and are not weighted."
            ));
        }
    }
    t
}

/// The CSV's columns of the deals a row's figures leave out.
const LEFT_OUT: [&str; 3] = [
    "won without amount",
    "open without amount",
    "open without probability",
];

impl Report for ForecastReport {
    fn tables(&self) -> Vec<Table> {
        self.laid_out(false)
    }

    fn csv_tables(&self) -> Vec<Table> {
        self.laid_out(true)
    }
}

impl ForecastReport {
    /// The team's table and the reps' (see [`table`] for `counts`).
    fn laid_out(&self, counts: bool) -> Vec<Table> {
        let mut team = table(
            format!("Forecast {} (as of {})", self.forecast.period, self.as_of),
            &self.forecast.team,
            None,
            counts,
        );
        let label = self
            .forecast
            .team
            .first()
            .map_or_else(|| self.forecast.period.to_string(), |l| l.label.clone());
        team.notes.push(format!(
            "call = won + commit; best case adds best-case deals; pipeline adds every open deal; \
             coverage = open pipeline ÷ quota still to close (target {:.1}×, light below {:.1}×).",
            self.coverage_target, self.coverage_light
        ));
        vec![
            team,
            table(
                format!("Forecast by rep {}", self.forecast.period),
                &self.forecast.reps,
                Some(&label),
                counts,
            ),
        ]
    }
}
