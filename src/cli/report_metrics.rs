//! The metrics, anomalies and drill reports.

use super::Ctx;
use super::report::{ReportArgs, ReportName, input};
use crate::app::load::{Need, Snaps};
use crate::domain::metrics::goals;
use crate::domain::{Dataset, Period, Rep, Role};
use crate::report::anomalies::AnomaliesReport;
use crate::report::cuts::CutReport;
use crate::report::drill::DrillReport;
use crate::report::metrics::{MetricsFilter, MetricsReport};
use crate::report::render;
use crate::report::score::CalibrationReport;
use crate::storage::Store;
use anyhow::{Context, anyhow};

/// Builds and renders the report named in `args`; returns the text to print.
/// `reps` are the database's reps, read when `--rep` names one.
pub fn run(
    ctx: &Ctx,
    store: &Store,
    args: &ReportArgs,
    reps: Option<&[Rep]>,
) -> anyhow::Result<String> {
    let period = parse_period(ctx, args.period.as_deref())?;
    let today = args.as_of.unwrap_or(ctx.today);
    // A period that has not begun has nothing to count (the drill compared
    // two empty ranges).
    if let Some(p) = period.filter(|p| p.from > today) {
        return Err(super::Usage(format!(
            "--period {p} starts after today ({today}); a report answers for what has happened"
        ))
        .into());
    }
    let resolved = {
        let empty = Dataset::default();
        let probe = input(ctx, &empty, today, period);
        match args.name {
            ReportName::Anomalies => {
                period.unwrap_or_else(|| crate::report::anomalies::default_period(&probe))
            }
            ReportName::Drill => {
                period.unwrap_or_else(|| crate::report::drill::default_period(&probe))
            }
            _ => period.unwrap_or_else(|| crate::report::metrics::default_period(&probe)),
        }
    };
    let need = match args.name {
        ReportName::Anomalies => Need::Anomalies(resolved),
        ReportName::Drill => Need::Drill(resolved, drill_args(args)?.0.into()),
        _ => Need::Metrics(resolved),
    };
    let role = args.role;
    // What the report would refuse once built, said before its window is
    // read (seconds on a large org): the rep named, against the reps.
    if let (Some(rep), Some(reps)) = (args.rep.as_deref(), reps) {
        match args.name {
            ReportName::Drill => {
                let (_, metric) = drill_args(args)?;
                let (now, _) = crate::report::drill::like_for_like(&ctx.cal, resolved, today);
                crate::domain::drill::check(reps, rep, now, metric).map_err(anyhow::Error::msg)?;
            }
            ReportName::Metrics
                if args.by.is_none()
                    && !reps.iter().any(|r| {
                        r.id.as_str() == rep
                            && role.is_none_or(|role| r.role == role)
                            && crate::domain::metrics::in_team(r, resolved)
                    }) =>
            {
                return Err(nobody(Some(rep), role, resolved));
            }
            _ => {}
        }
    }
    let (data, _) = ctx.load(store, need, args.as_of, Snaps::None)?;
    let goals = crate::app::goals(store, &ctx.settings).context("reading goals")?;
    // The loaded dataset holds the stages in force.
    for w in goals::on_no_open_stage(&goals, &data.stages) {
        eprintln!("pipedeck: warning: {}", crate::text::sanitize(&w));
    }
    let input = input(ctx, &data, today, period);
    let filter = MetricsFilter {
        rep: args.rep.clone(),
        role,
        goals: Some(goals),
    };
    let out = match args.name {
        ReportName::Anomalies => render(&AnomaliesReport::build(&input, &filter), args.format),
        ReportName::Drill => {
            let (rep, metric) = drill_args(args)?;
            let report = DrillReport::build(&input, rep, metric).map_err(anyhow::Error::msg)?;
            render(&report, args.format)
        }
        _ => match args.by {
            Some(by) => render(&CutReport::build(&input, by.into()), args.format),
            None => {
                let report = MetricsReport::build(&input, &filter);
                // A filter that keeps no rep is said, not printed as a
                // report of the team alone.
                if report.reps.is_empty() && (filter.rep.is_some() || filter.role.is_some()) {
                    return Err(nobody(filter.rep.as_deref(), role, resolved));
                }
                render(&report, args.format)
            }
        },
    };
    out.map_err(anyhow::Error::msg)
}

/// `--rep` and `--metric`, which `report drill` needs.
fn drill_args(args: &ReportArgs) -> anyhow::Result<(&str, &str)> {
    let rep = args
        .rep
        .as_deref()
        .ok_or_else(|| anyhow!("report drill needs --rep ID"))?;
    let metric = args
        .metric
        .as_deref()
        .ok_or_else(|| anyhow!("report drill needs --metric ID"))?;
    Ok((rep, metric))
}

/// The metrics' filter (a rep, a role) keeps no rep of the period.
fn nobody(rep: Option<&str>, role: Option<Role>, period: Period) -> anyhow::Error {
    let role = role.map_or(" AE or SDR".to_string(), |r| format!(" {r}"));
    let who = match rep {
        Some(rep) => format!("rep {rep:?} is not an active{role}"),
        None => format!("there is no active{role}"),
    };
    anyhow!("{who} in {period}: metrics are kept for the AEs and SDRs active in a period")
}

/// `report score-calibration`: closed deals replayed `--days` before they closed.
pub fn calibration(ctx: &Ctx, store: &Store, args: &ReportArgs) -> anyhow::Result<String> {
    let period = parse_period(ctx, args.period.as_deref())?;
    let days = args.days.unwrap_or(30);
    let report = match period {
        Some(_) => {
            let need = Need::Calibration(period, days);
            let (data, _) = ctx.load(store, need, args.as_of, Snaps::None)?;
            let input = input(ctx, &data, args.as_of.unwrap_or(ctx.today), period);
            CalibrationReport::build(&input, days)
        }
        None => CalibrationReport::of(crate::app::calibration::every_close(
            store,
            &ctx.settings,
            &ctx.cal,
            ctx.today,
            args.as_of,
            days,
        )?),
    };
    render(&report, args.format).map_err(anyhow::Error::msg)
}

fn parse_period(ctx: &Ctx, text: Option<&str>) -> anyhow::Result<Option<Period>> {
    text.map(|t| {
        ctx.cal
            .parse_period(t, ctx.today)
            .map_err(|e| anyhow!("--period: {e}"))
    })
    .transpose()
}
