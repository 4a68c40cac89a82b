//! `pipedeck report NAME`: builds the report model and renders it.

use super::Ctx;
use crate::app::load::{Need, Snaps};
use crate::domain::Role;
use crate::domain::period::Calendar;
use crate::report::{Format, render};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportName {
    /// Open pipeline by stage and by owner.
    Pipeline,
    /// Every rep's quantity and quality metrics beside baseline and goal.
    Metrics,
    /// Divergences worth a conversation.
    Anomalies,
    /// Why a rep's outcome metric moved (needs --rep and --metric).
    Drill,
    /// Stale and at-risk open deals with their reasons.
    Hygiene,
    /// The weekly review agenda.
    Agenda,
    /// Call, best case, pipeline, weighted and coverage.
    Forecast,
    /// Week-over-week pipeline waterfall.
    Waterfall,
    /// Accuracy of past forecast calls.
    Accuracy,
    /// How the call moved between two days (default: the last 7) and the deals that moved in or out.
    Movement,
    /// Whether the deal score predicts anything: closed deals replayed --days before close.
    ScoreCalibration,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    pub name: ReportName,
    /// Period: 2017-Q2, 2017-05, 2017-W19, this-week, last-week, mtd, qtd, last-4-weeks, FROM..TO.
    #[arg(long, value_parser = check_period)]
    pub period: Option<String>,
    /// Only this rep (drill: required).
    #[arg(long, value_name = "ID", required_if_eq("name", "drill"))]
    pub rep: Option<String>,
    /// Only this role (AE, SDR, CSM, Manager).
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// Metric id (drill: required).
    #[arg(long, required_if_eq("name", "drill"))]
    pub metric: Option<String>,
    /// Answer as the pipeline stood at the end of this day.
    #[arg(long, value_parser = super::parse_date, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Waterfall and movement start date (movement: default 7 days before --to).
    #[arg(long, value_parser = super::parse_date, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Waterfall and movement end date (movement: default today).
    #[arg(long, value_parser = super::parse_date, value_name = "DATE")]
    pub to: Option<NaiveDate>,
    /// Metrics per value of a dimension instead of per rep (metrics).
    #[arg(long, value_parser = super::args::by())]
    pub by: Option<crate::report::cuts::By>,
    /// Replay each closed deal this many days before it closed (score-calibration).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub days: i64,
    /// Order of the hygiene list and of the agenda's closing and stuck boxes.
    #[arg(long, value_parser = super::args::sort())]
    pub sort: Option<crate::report::score::SortKey>,
    /// Output format.
    #[arg(long, value_parser = super::args::format(), default_value = "table")]
    pub format: Format,
}

/// Checks a period's syntax at parse time, so a typo is a usage error (exit 2);
/// relative periods are resolved later against `--today`.
fn check_period(s: &str) -> Result<String, String> {
    let probe = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date");
    Calendar::default().parse_period(s, probe)?;
    Ok(s.to_string())
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

/// The input of a report that reads no forecast snapshots: `data` under the
/// context's settings and calendar, as of `today`, for `period`.
pub(super) fn input<'a>(
    ctx: &'a Ctx,
    data: &'a crate::domain::Dataset,
    today: NaiveDate,
    period: Option<crate::domain::Period>,
) -> crate::report::Input<'a> {
    crate::report::Input {
        data,
        snapshots: &[],
        settings: &ctx.settings,
        cal: &ctx.cal,
        today,
        period,
    }
}

pub fn run(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<ExitCode> {
    if args.by.is_some() && args.name != ReportName::Metrics {
        anyhow::bail!("--by applies to report metrics only");
    }
    if args.sort.is_some() && !matches!(args.name, ReportName::Hygiene | ReportName::Agenda) {
        anyhow::bail!("--sort applies to report hygiene and report agenda only");
    }
    let store = ctx.open_store_read()?;
    let kept = super::kept::Kept::slot(ctx, &store, &args);
    if let Some(out) = kept.as_ref().and_then(|k| k.read()) {
        super::emit(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if super::kept::mode().as_deref() == Some("only") {
        anyhow::bail!("no kept result for this report (PIPEDECK_KEPT=only)");
    }
    let out = match args.name {
        ReportName::Pipeline => {
            let (data, _) = ctx.load(&store, Need::Pipeline, args.as_of, Snaps::None)?;
            let report = crate::report::pipeline::PipelineReport {
                as_of: args.as_of.unwrap_or(ctx.today),
                currency: ctx.settings.currency.clone(),
                pipeline: crate::domain::pipeline::open_pipeline(&data),
            };
            render(&report, args.format).map_err(anyhow::Error::msg)?
        }
        ReportName::Metrics | ReportName::Anomalies | ReportName::Drill => {
            super::report_metrics::run(ctx, &store, &args)?
        }
        ReportName::Hygiene | ReportName::Agenda => super::report_review::run(ctx, &store, &args)?,
        ReportName::ScoreCalibration => super::report_metrics::calibration(ctx, &store, &args)?,
        ReportName::Forecast
        | ReportName::Waterfall
        | ReportName::Accuracy
        | ReportName::Movement => super::report_forecast::run(ctx, &store, &args)?,
    };
    if let Some(k) = &kept {
        k.keep(&store, &out);
    }
    super::emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
