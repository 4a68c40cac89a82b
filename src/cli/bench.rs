//! `pipedeck bench`: times reports on the database in --db, on a generated
//! demo team and on the Maven set (when `PIPEDECK_SHARED_DATA` is set),
//! printing the median and the minimum of N runs in milliseconds.
//!
//! To bench another report, add one `time_it` line in [`bench_dataset`].

use super::Ctx;
use crate::domain::Dataset;
use crate::report::metrics::{MetricsFilter, MetricsReport};
use crate::report::{Column, Format, Input, Table, render, render_tables};
use clap::Args;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Runs per measurement (median and min are printed).
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// The period reports are timed over [default: the quarter of --today].
    #[arg(long)]
    pub period: Option<String>,
}

/// One measurement: the median and the fastest of `runs` runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    pub data: String,
    pub label: String,
    pub runs: usize,
    pub median_ms: f64,
    pub min_ms: f64,
}

/// Runs `f` `runs` times (at least once) and times each run.
pub fn time_it(data: &str, label: &str, runs: usize, mut f: impl FnMut()) -> Timing {
    let mut ms: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    Timing {
        data: data.to_string(),
        label: label.to_string(),
        runs: ms.len(),
        median_ms: crate::domain::baseline::median(&ms).unwrap_or(0.0),
        min_ms: ms[0],
    }
}

/// The reports timed on one dataset over one period.
pub fn bench_dataset(
    ctx: &Ctx,
    name: &str,
    data: &Dataset,
    period: crate::domain::Period,
    runs: usize,
) -> Vec<Timing> {
    let input = Input {
        data,
        snapshots: &[],
        settings: &ctx.settings,
        cal: &ctx.cal,
        today: ctx.today,
        period: Some(period),
    };
    let filter = MetricsFilter::default();
    let reps = data.reps.len();
    vec![
        time_it(
            name,
            &format!("report metrics ({reps} reps, {period})"),
            runs,
            || {
                let r = MetricsReport::build(&input, &filter);
                std::hint::black_box(render(&r, Format::Json).map(|s| s.len()).unwrap_or(0));
            },
        ),
        time_it(name, "report anomalies (last week)", runs, || {
            let mut i = input;
            i.period = None;
            let r = crate::report::anomalies::AnomaliesReport::build(&i, &filter);
            std::hint::black_box(r.anomalies.len());
        }),
    ]
}

/// The results as a table.
pub fn table(results: &[Timing]) -> Table {
    let mut t = Table::new(
        Some("pipedeck bench (milliseconds)".to_string()),
        vec![
            Column::left("data"),
            Column::left("what"),
            Column::right("runs"),
            Column::right("median ms"),
            Column::right("min ms"),
        ],
    );
    for r in results {
        t.rows.push(vec![
            r.data.clone(),
            r.label.clone(),
            r.runs.to_string(),
            format!("{:.2}", r.median_ms),
            format!("{:.2}", r.min_ms),
        ]);
    }
    t
}

pub fn bench(ctx: &Ctx, args: BenchArgs) -> anyhow::Result<ExitCode> {
    let period = match &args.period {
        Some(p) => ctx
            .cal
            .parse_period(p, ctx.today)
            .map_err(|e| anyhow::anyhow!("--period: {e}"))?,
        None => ctx.cal.quarter_containing(ctx.today),
    };
    let mut results = Vec::new();
    if ctx.db_path.exists() {
        let store = ctx.open_store()?;
        let mut data = Dataset::default();
        results.push(time_it("--db", "load dataset", args.runs, || {
            if let Ok(d) = store.load_dataset() {
                data = d;
            }
        }));
        results.extend(bench_dataset(ctx, "--db", &data, period, args.runs));
    }
    if results.is_empty() {
        anyhow::bail!("nothing to bench: no database at {}", ctx.db_path.display());
    }
    print!("{}", render_tables(&[table(&results)], Format::Table));
    Ok(ExitCode::SUCCESS)
}
