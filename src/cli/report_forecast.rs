//! The forecast, waterfall and accuracy reports.

use super::Ctx;
use super::report::{ReportArgs, ReportName};
use crate::app::load::{Need, Snaps, rule};
use crate::report::accuracy::AccuracyReport;
use crate::report::forecast::ForecastReport;
use crate::report::waterfall::WaterfallReport;
use crate::report::{Input, render};
use crate::storage::Store;

/// Builds and renders the report named in `args`; returns the text to print.
///
/// With `--as-of D` the data is rebuilt as it stood at the end of D (history,
/// falling back to the nearest earlier snapshot) and only snapshots taken on
/// or before D are used. `--rep` keeps that rep's lines only.
pub fn run(ctx: &Ctx, store: &Store, args: &ReportArgs) -> anyhow::Result<String> {
    match args.name {
        ReportName::Movement => return movement(ctx, store, args),
        ReportName::Accuracy => return accuracy(ctx, store, args),
        _ => {}
    }
    let today = args.as_of.unwrap_or(ctx.today);
    let period = args
        .period
        .as_deref()
        .map(|p| ctx.cal.parse_period(p, today))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let need = match args.name {
        // From the first day it may rebuild from history; `load` goes back
        // to its start snapshot.
        ReportName::Waterfall => {
            Need::Waterfall(crate::report::waterfall::rebuilt_days(today, args.from, args.to).0)
        }
        _ => Need::Standing(period.unwrap_or_else(|| ctx.cal.quarter_containing(today))),
    };
    let waterfall = rule(|heads| {
        crate::report::waterfall::read_by_build(&ctx.cal, today, heads, args.from, args.to)
    });
    let snaps = match args.name {
        ReportName::Waterfall => Snaps::Picked(&waterfall),
        _ => Snaps::AS_OF,
    };
    let (data, snapshots) = ctx.load(store, need, args.as_of, snaps)?;
    let input = Input {
        data: &data,
        snapshots: &snapshots,
        settings: &ctx.settings,
        cal: &ctx.cal,
        today,
        period,
    };
    let out = match args.name {
        ReportName::Waterfall => {
            let mut r = WaterfallReport::build(&input, args.from, args.to)?;
            r.reps.retain(|x| kept(args, x.rep_id.as_str()));
            if args.rep.is_some() {
                r.waterfall
                    .moves
                    .retain(|m| kept(args, m.owner_id.as_str()));
            }
            render(&r, args.format)
        }
        _ => {
            let mut r = ForecastReport::build(&input);
            r.forecast.reps.retain(|x| kept(args, &x.key));
            render(&r, args.format)
        }
    };
    out.map_err(anyhow::Error::msg)
}

/// Whether `--rep` keeps the line of rep `key` (every line without it).
fn kept(args: &ReportArgs, key: &str) -> bool {
    args.rep.as_deref().is_none_or(|r| r == key)
}

/// `report accuracy`: every closed quarter's calls against its result, as
/// of `--as-of` when given; `--rep` keeps that rep's lines only.
fn accuracy(ctx: &Ctx, store: &Store, args: &ReportArgs) -> anyhow::Result<String> {
    let today = args.as_of.unwrap_or(ctx.today);
    let read = crate::app::accuracy::load(store, &ctx.settings, &ctx.cal, ctx.today, args.as_of)?;
    let input = Input {
        data: &read.data,
        snapshots: &read.snapshots,
        settings: &ctx.settings,
        cal: &ctx.cal,
        today,
        period: None,
    };
    let mut r = AccuracyReport::build_with(&input, read.calls);
    r.accuracy.reps.retain(|x| kept(args, &x.key));
    render(&r, args.format).map_err(anyhow::Error::msg)
}

/// `report movement [--from D] [--to D] [--period P]`: the call of P (default:
/// the quarter of --to) at the end of --from (default: 7 days before --to)
/// against the end of --to (default: today, or --as-of), read as of --to.
fn movement(ctx: &Ctx, store: &Store, args: &ReportArgs) -> anyhow::Result<String> {
    let to = args.to.or(args.as_of).unwrap_or(ctx.today);
    let from = args.from.unwrap_or(to - chrono::Days::new(7));
    let period = match args.period.as_deref() {
        Some(p) => ctx.cal.parse_period(p, to).map_err(anyhow::Error::msg)?,
        None => ctx.cal.quarter_containing(to),
    };
    // The deals alive in the period and between the two days, with history.
    let window = crate::domain::Period {
        from: period.from.min(from),
        to: period.to,
    };
    let as_of = (to != ctx.today).then_some(to);
    let days = (to - from).num_days().max(0) as u64;
    let pick = rule(|heads| {
        crate::report::movement::reads(&ctx.cal, to, days, heads)
            .into_iter()
            .collect()
    });
    // The call is rewound to the end of the day `days` before `to`: the
    // history from then on is all it reads.
    let (then, _) = crate::report::movement::then_and_end(&ctx.cal, to, days);
    let need = Need::Forecast(window, then);
    let (data, snapshots) = ctx.load(store, need, as_of, Snaps::Picked(&pick))?;
    let input = Input {
        data: &data,
        snapshots: &snapshots,
        settings: &ctx.settings,
        cal: &ctx.cal,
        today: to,
        period: Some(period),
    };
    let owner = args
        .rep
        .as_ref()
        .map(|r| crate::domain::RepId::from(r.as_str()));
    let r = crate::report::movement::MovementReport::build(&input, period, from, owner.as_ref())
        .map_err(anyhow::Error::msg)?;
    render(&r, args.format).map_err(anyhow::Error::msg)
}
