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
    /// Replay each closed deal this many days before it closed (score-calibration; default 30;
    /// at least 1: on its close day a deal is already closed).
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub days: Option<i64>,
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

/// Refuses an option the report would not use, so a filter is never
/// dropped in silence (README, "The command line").
fn check_options(ctx: &Ctx, args: &ReportArgs) -> anyhow::Result<()> {
    use ReportName::*;
    let n = args.name;
    let given: [(&str, bool, &[ReportName]); 9] = [
        ("--days", args.days.is_some(), &[ScoreCalibration]),
        ("--by", args.by.is_some(), &[Metrics]),
        ("--sort", args.sort.is_some(), &[Hygiene, Agenda]),
        ("--role", args.role.is_some(), &[Metrics, Anomalies]),
        ("--metric", args.metric.is_some(), &[Drill]),
        ("--from", args.from.is_some(), &[Waterfall, Movement]),
        ("--to", args.to.is_some(), &[Waterfall, Movement]),
        (
            "--period",
            args.period.is_some(),
            &[
                Metrics,
                Anomalies,
                Drill,
                Forecast,
                Movement,
                ScoreCalibration,
            ],
        ),
        (
            "--rep",
            args.rep.is_some(),
            &[
                Metrics, Anomalies, Drill, Hygiene, Forecast, Waterfall, Accuracy, Movement,
                Pipeline,
            ],
        ),
    ];
    for (flag, set, takes) in given {
        if set && !takes.contains(&n) {
            let names: Vec<String> = takes
                .iter()
                .map(|r| format!("report {}", name_of(*r)))
                .collect();
            anyhow::bail!("{flag} applies to {} only", names.join(", "));
        }
    }
    if args.by.is_some() && (args.rep.is_some() || args.role.is_some()) {
        anyhow::bail!("--by cuts the whole team's deals; it takes no --rep or --role");
    }
    if args.to.is_some() && args.as_of.is_some() {
        anyhow::bail!("--to and --as-of both name the last day; give one");
    }
    let (to_flag, to) = match (args.to, args.as_of) {
        (Some(d), _) => ("--to", d),
        (None, Some(d)) => ("--as-of", d),
        // Both reports end today by default.
        (None, None) => ("--to", ctx.today),
    };
    if let Some(from) = args.from.filter(|f| *f > to) {
        anyhow::bail!("--from {from} is after {to_flag} {to}: a report runs forward in time");
    }
    if let Some(from) = args.from.filter(|f| *f == to && n == Waterfall) {
        anyhow::bail!("--from {from} is {to_flag} {to}: a waterfall runs between two days");
    }
    let latest = [
        ("--as-of", args.as_of),
        ("--from", args.from),
        ("--to", args.to),
    ];
    if let Some((flag, day)) = latest
        .iter()
        .find(|(_, d)| d.is_some_and(|d| d > ctx.today))
    {
        anyhow::bail!(
            "{flag} {}: after today ({}); a report answers for what has happened",
            day.expect("found by is_some"),
            ctx.today
        );
    }
    Ok(())
}

/// The name a report is asked by on the command line.
fn name_of(r: ReportName) -> String {
    r.to_possible_value()
        .map_or_else(|| format!("{r:?}"), |v| v.get_name().to_string())
}

pub fn run(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<ExitCode> {
    check_options(ctx, &args).map_err(|e| super::Usage(e.to_string()))?;
    let store = ctx.open_store_read()?;
    // The reps, read once when a rep is named: it must be one, and the
    // metrics and the drill check it against their period before reading.
    let reps = match &args.rep {
        Some(id) => {
            let reps = store.load_reps()?;
            if !reps.iter().any(|r| r.id.as_str() == id) {
                anyhow::bail!("--rep: no rep with id {id:?} in the database");
            }
            Some(reps)
        }
        None => None,
    };
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
            let today = crate::domain::Period {
                from: ctx.today,
                to: ctx.today.succ_opt().unwrap_or(ctx.today),
            };
            let (mut data, _) = ctx.load(&store, Need::Standing(today), args.as_of, Snaps::None)?;
            if let Some(rep) = &args.rep {
                data.opportunities.retain(|o| o.owner_id.as_str() == rep);
            }
            let report = crate::report::pipeline::PipelineReport {
                as_of: args.as_of.unwrap_or(ctx.today),
                currency: ctx.settings.currency.clone(),
                pipeline: crate::domain::pipeline::open_pipeline(&data),
            };
            render(&report, args.format).map_err(anyhow::Error::msg)?
        }
        ReportName::Metrics | ReportName::Anomalies | ReportName::Drill => {
            super::report_metrics::run(ctx, &store, &args, reps.as_deref())?
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
