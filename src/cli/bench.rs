//! `pipedeck bench`: times reports on the database in --db (if it exists), on
//! the demo team (seed 7, generated in memory for --today) and on the Maven
//! set (imported in memory, when `PIPEDECK_SHARED_DATA` is set),
//! printing the median and the minimum of N runs in milliseconds.
//!
//! To bench another report, add one `time_it` line in [`bench_dataset`].

use super::Ctx;
use crate::domain::Dataset;
use crate::report::metrics::{MetricsFilter, MetricsReport};
use crate::report::{Column, Format, Input, Table, render, render_tables};
use clap::Args;
use std::path::Path;
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
    today: chrono::NaiveDate,
    runs: usize,
) -> Vec<Timing> {
    let input = Input {
        data,
        snapshots: &[],
        settings: &ctx.settings,
        cal: &ctx.cal,
        today,
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

/// The demo team (seed 7, --today) written to an in-memory database, loaded back.
fn demo_team(ctx: &Ctx) -> anyhow::Result<Dataset> {
    let team = crate::demo::generate(7, ctx.today, &ctx.settings, &ctx.cal);
    let mut store = crate::storage::Store::open_in_memory()?;
    crate::demo::write(&team, &mut store)?;
    Ok(store.load_dataset()?)
}

/// The Maven set imported into an in-memory database, loaded back.
fn maven(ctx: &Ctx, shared: &Path) -> anyhow::Result<Dataset> {
    let dir = shared.join("maven-crm-sales-opportunities");
    let paths: Vec<_> = [
        "sales_teams.csv",
        "accounts.csv",
        "products.csv",
        "sales_pipeline.csv",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let mut store = crate::storage::Store::open_in_memory()?;
    let opts = crate::import::Options {
        format: crate::import::Format::Maven,
        dry_run: false,
        settings: &ctx.settings,
        cal: &ctx.cal,
    };
    crate::import::run(&mut store, &paths, &opts, &mut |_, _| {})
        .map_err(|e| anyhow::anyhow!("importing the Maven set from {}: {e}", dir.display()))?;
    Ok(store.load_dataset()?)
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
        results.extend(bench_dataset(
            ctx, "--db", &data, period, ctx.today, args.runs,
        ));
    }
    {
        let data = demo_team(ctx)?;
        let quarter = ctx.cal.quarter_containing(ctx.today);
        let name = "demo (seed 7)";
        results.extend(bench_dataset(
            ctx, name, &data, quarter, ctx.today, args.runs,
        ));
    }
    if let Ok(shared) = std::env::var("PIPEDECK_SHARED_DATA") {
        let data = maven(ctx, Path::new(&shared))?;
        let q2 = ctx
            .cal
            .fiscal_quarter(2017, 2)
            .ok_or_else(|| anyhow::anyhow!("no fiscal quarter 2017-Q2"))?;
        let today = chrono::NaiveDate::from_ymd_opt(2017, 12, 31).unwrap_or(ctx.today);
        results.extend(bench_dataset(ctx, "maven", &data, q2, today, args.runs));
    }
    print!("{}", render_tables(&[table(&results)], Format::Table));
    Ok(ExitCode::SUCCESS)
}
