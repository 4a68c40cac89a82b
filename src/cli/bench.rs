//! `pipedeck bench`: times reports on the database in --db (if it exists), on
//! the demo team (seed 7, generated in memory for --today) and on the Maven
//! set (imported in memory, when `PIPEDECK_SHARED_DATA` is set),
//! printing the median and the minimum of N runs in milliseconds.
//!
//! To bench another report, add one `time_it` line in [`bench_dataset`].

use super::Ctx;
use crate::domain::{Dataset, Snapshot};
use crate::report::accuracy::AccuracyReport;
use crate::report::agenda::AgendaReport;
use crate::report::forecast::ForecastReport;
use crate::report::hygiene::HygieneReport;
use crate::report::metrics::{MetricsFilter, MetricsReport};
use crate::report::waterfall::WaterfallReport;
use crate::report::{Column, Format, Input, Table, render, render_tables};
use crate::storage::Store;
use clap::Args;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Runs per measurement (median and min are printed) [default: 3 with
    /// --db, else 10].
    #[arg(long)]
    pub runs: Option<usize>,
    /// The period reports are timed over [default: with --db, the last full
    /// quarter before --today; else the quarter of --today].
    #[arg(long)]
    pub period: Option<String>,
    /// Output format of `bench --db`.
    #[arg(long, value_enum, default_value = "table")]
    pub format: BenchFormat,
}

/// How `bench --db` prints its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchFormat {
    Table,
    Json,
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
    let ms: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    timing(data, label, ms)
}

/// The reports timed on one dataset over one period.
pub fn bench_dataset(
    ctx: &Ctx,
    name: &str,
    (data, snapshots): (&Dataset, &[Snapshot]),
    period: crate::domain::Period,
    today: chrono::NaiveDate,
    runs: usize,
) -> Vec<Timing> {
    let input = Input {
        data,
        snapshots,
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
        time_it(name, "report hygiene", runs, || {
            let r = HygieneReport::build(&input, None);
            std::hint::black_box(render(&r, Format::Table).map(|s| s.len()).unwrap_or(0));
        }),
        time_it(name, "report agenda (markdown)", runs, || {
            let r = AgendaReport::build(&input, &[]);
            std::hint::black_box(render(&r, Format::Md).map(|s| s.len()).unwrap_or(0));
        }),
        time_it(name, "report forecast (this quarter)", runs, || {
            let mut i = input;
            i.period = None;
            let r = ForecastReport::build(&i);
            std::hint::black_box(render(&r, Format::Json).map(|s| s.len()).unwrap_or(0));
        }),
        time_it(name, "report waterfall (week over week)", runs, || {
            let mut i = input;
            i.period = None;
            let r = WaterfallReport::build(&i, None, None).map(|r| render(&r, Format::Table));
            std::hint::black_box(r.is_ok());
        }),
        time_it(name, "report accuracy", runs, || {
            let r = AccuracyReport::build(&input);
            std::hint::black_box(render(&r, Format::Table).map(|s| s.len()).unwrap_or(0));
        }),
        time_it(name, "deal score of every open deal", runs, || {
            std::hint::black_box(crate::report::score::open_scores(&input).len());
        }),
        time_it(name, "report score-calibration (30 days)", runs, || {
            let mut i = input;
            i.period = None;
            let r = crate::report::score::CalibrationReport::build(&i, 30);
            std::hint::black_box(render(&r, Format::Json).map(|s| s.len()).unwrap_or(0));
        }),
        time_it(name, "report metrics --by industry", runs, || {
            let r = crate::report::cuts::CutReport::build(
                &input,
                crate::domain::metrics::cuts::Dimension::Industry,
            );
            std::hint::black_box(render(&r, Format::Json).map(|s| s.len()).unwrap_or(0));
        }),
    ]
}

/// The demo team (seed 7, --today) written to an in-memory database, loaded
/// back; generating and writing it are timed too.
type Demo = (Store, Dataset, Vec<Snapshot>, Vec<Timing>);

fn demo_team(ctx: &Ctx, runs: usize) -> anyhow::Result<Demo> {
    let name = "demo (seed 7)";
    let gen_runs = runs.clamp(1, 3);
    let generate = time_it(name, "generate the demo team", gen_runs, || {
        let team = crate::demo::generate(7, ctx.today, &ctx.settings, &ctx.cal);
        std::hint::black_box(team.activities.len());
    });
    let team = crate::demo::generate(7, ctx.today, &ctx.settings, &ctx.cal);
    let mut failed = None;
    let write = time_it(name, "write it to a fresh database", gen_runs, || {
        let written = crate::storage::Store::open_in_memory()
            .map_err(anyhow::Error::from)
            .and_then(|mut s| crate::demo::write(&team, &mut s).map_err(anyhow::Error::from));
        if let Err(e) = written {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let mut store = crate::storage::Store::open_in_memory()?;
    crate::demo::write(&team, &mut store)?;
    let mut data = Dataset::default();
    let load = time_it(name, "load dataset", runs, || {
        if let Ok(d) = store.load_dataset() {
            data = d;
        }
    });
    crate::app::in_force(&mut data, &ctx.settings);
    let snapshots = store.load_snapshots()?;
    Ok((store, data, snapshots, vec![generate, write, load]))
}

/// The cockpit on the demo: start to first frame (load every report, draw)
/// and each pane switch, on `TestBackend` at 80×24 and 200×60.
fn cockpit(ctx: &Ctx, store: &Store, runs: usize) -> anyhow::Result<Vec<Timing>> {
    let mut out = Vec::new();
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let env = ctx.env();
        let mut firsts = Vec::new();
        let mut last = None;
        for _ in 0..runs.clamp(1, 5) {
            let b = crate::tui::bench_cockpit_store(
                store,
                env.clone(),
                &ctx.ui,
                w,
                h,
                20,
                Instant::now(),
            )?;
            firsts.push(b.first_frame.as_secs_f64() * 1000.0);
            last = Some(b);
        }
        let name = format!("cockpit {w}x{h}");
        out.push(timing(&name, "start to first frame", firsts));
        if let Some(b) = last {
            for (pane, d) in b.switches {
                let ms = d.as_secs_f64() * 1000.0;
                out.push(
                    timing(&name, &format!("switch to {pane} and draw"), vec![ms])
                        .with_runs(b.rounds as usize),
                );
            }
        }
    }
    Ok(out)
}

/// A [`Timing`] from measured milliseconds.
fn timing(data: &str, label: &str, mut ms: Vec<f64>) -> Timing {
    ms.sort_by(f64::total_cmp);
    Timing {
        data: data.to_string(),
        label: label.to_string(),
        runs: ms.len(),
        median_ms: crate::domain::baseline::median(&ms).unwrap_or(0.0),
        min_ms: ms.first().copied().unwrap_or(0.0),
    }
}

impl Timing {
    fn with_runs(mut self, runs: usize) -> Timing {
        self.runs = runs;
        self
    }
}

/// The Maven set imported into an in-memory database (timed), loaded back.
fn maven(ctx: &Ctx, shared: &Path, runs: usize) -> anyhow::Result<(Dataset, Timing)> {
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
    let opts = crate::import::Options {
        format: crate::import::Format::Maven,
        dry_run: false,
        settings: &ctx.settings,
        cal: &ctx.cal,
    };
    let import = |store: &mut crate::storage::Store| {
        crate::import::run(store, &paths, &opts, &mut |_, _| {})
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("importing the Maven set from {}: {e}", dir.display()))
    };
    let mut failed = None;
    let timing = time_it(
        "maven",
        "import into a fresh database",
        runs.clamp(1, 3),
        || {
            let done = crate::storage::Store::open_in_memory()
                .map_err(anyhow::Error::from)
                .and_then(|mut s| import(&mut s));
            if let Err(e) = done {
                failed = Some(e);
            }
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }
    let mut store = crate::storage::Store::open_in_memory()?;
    import(&mut store)?;
    let mut data = store.load_dataset()?;
    crate::app::in_force(&mut data, &ctx.settings);
    Ok((data, timing))
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
    if ctx.db_explicit {
        let period = super::bench_period(ctx, args.period.as_deref())?;
        let b = super::bench_db(ctx, period, args.runs.unwrap_or(3))?;
        let text = match args.format {
            BenchFormat::Table => render_tables(&[super::db_table(&b)], Format::Table),
            BenchFormat::Json => serde_json::to_string_pretty(&b)? + "\n",
        };
        super::emit(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let runs = args.runs.unwrap_or(10);
    let mut results = Vec::new();
    {
        let (store, data, snapshots, timings) = demo_team(ctx, runs)?;
        results.extend(timings);
        results.extend(cockpit(ctx, &store, runs)?);
        let quarter = ctx.cal.quarter_containing(ctx.today);
        let name = "demo (seed 7)";
        results.extend(bench_dataset(
            ctx,
            name,
            (&data, &snapshots),
            quarter,
            ctx.today,
            runs,
        ));
    }
    if let Ok(shared) = std::env::var("PIPEDECK_SHARED_DATA") {
        let (data, import) = maven(ctx, Path::new(&shared), runs)?;
        results.push(import);
        let q2 = ctx
            .cal
            .fiscal_quarter(2017, 2)
            .ok_or_else(|| anyhow::anyhow!("no fiscal quarter 2017-Q2"))?;
        let today = chrono::NaiveDate::from_ymd_opt(2017, 12, 31).unwrap_or(ctx.today);
        results.extend(bench_dataset(ctx, "maven", (&data, &[]), q2, today, runs));
    }
    super::emit(&render_tables(&[table(&results)], Format::Table))?;
    Ok(ExitCode::SUCCESS)
}
