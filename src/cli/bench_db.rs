//! `pipedeck bench --db PATH`: every report timed on one database, whole
//! process (this executable run once per measurement with the same `--db`,
//! `--today` and `--config`: open, load, build, render to a discarded
//! stdout), beside the reference query of `bench/reference.sql` run through
//! the bundled SQLite on the plain file (built from this one, see
//! [`plain_copy`]) and on this file. `snapshot` runs on a temporary copy.
//! The cockpit is timed in process on `TestBackend` at 200×60.
//!
//! Each figure is the median of `--runs` runs, with its ratio to the
//! reference query's median on the plain file (the targets are
//! ratios to that).

use super::Ctx;
use crate::domain::Period;
use crate::storage::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The reference query of issue 10 (per-rep 2026-Q3 aggregate).
pub const REFERENCE_SQL: &str = include_str!("../../bench/reference.sql");

/// One measured (or unmeasured) item.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub key: String,
    pub what: String,
    /// Median milliseconds; `None` when not measured (see `note`).
    pub median_ms: Option<f64>,
    pub min_ms: Option<f64>,
    pub runs: usize,
    /// `median_ms` over the reference query's median; `None` when undefined.
    pub ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DbBench {
    pub db: String,
    pub today: String,
    pub period: String,
    pub runs: usize,
    pub items: Vec<Item>,
}

fn median(ms: &mut [f64]) -> Option<f64> {
    ms.sort_by(f64::total_cmp);
    crate::domain::baseline::median(ms)
}

fn item(key: &str, what: &str, mut ms: Vec<f64>) -> Item {
    let runs = ms.len();
    let med = median(&mut ms);
    Item {
        key: key.to_string(),
        what: what.to_string(),
        median_ms: med,
        min_ms: ms.first().copied(),
        runs,
        ratio: None,
        note: None,
    }
}

fn unmeasured(key: &str, what: &str, note: &str) -> Item {
    Item {
        key: key.to_string(),
        what: what.to_string(),
        median_ms: None,
        min_ms: None,
        runs: 0,
        ratio: None,
        note: Some(note.to_string()),
    }
}

/// Runs this executable with `args` (after the global flags), discarding its
/// output; fails with its stderr when it exits non-zero. With kept results
/// off (`PIPEDECK_KEPT=off`): every run makes its report.
fn run_self(ctx: &Ctx, db: &Path, args: &[String]) -> anyhow::Result<f64> {
    run_self_kept(ctx, db, args, "off")
}

/// [`run_self`] with `PIPEDECK_KEPT` set to `kept` (`off`, `on`, `only`).
fn run_self_kept(ctx: &Ctx, db: &Path, args: &[String], kept: &str) -> anyhow::Result<f64> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.arg("--db")
        .arg(db)
        .arg("--today")
        .arg(ctx.today.to_string());
    if let Some(c) = ctx.config_path.as_ref().filter(|c| c.exists()) {
        cmd.arg("--config").arg(c);
    }
    cmd.env("PIPEDECK_KEPT", kept);
    cmd.args(args)
        .env_remove("PIPEDECK_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let t = Instant::now();
    let out = cmd.output()?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    // Every report and `snapshot` exit 0 when they succeed: anything else
    // (a failure, or no kept result under `PIPEDECK_KEPT=only`) is an error.
    if !out.status.success() {
        anyhow::bail!(
            "pipedeck {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(ms)
}

/// The reports also timed given their kept result.
const KEPT_TIMED: &[&str] = &[
    "metrics",
    "anomalies",
    "hygiene",
    "agenda",
    "accuracy",
    "drill",
];

/// The reference query through the bundled SQLite (open, run, read every row).
fn reference_once(db: &Path) -> anyhow::Result<f64> {
    let t = Instant::now();
    let conn = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut stmt = conn.prepare(REFERENCE_SQL)?;
    let mut rows = stmt.query([])?;
    let mut n = 0usize;
    while let Some(r) = rows.next()? {
        let _: String = r.get(0)?;
        n += 1;
    }
    std::hint::black_box(n);
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

/// Issue 10's plain file at `to`: the reference query's three tables
/// (reps, deals, activities) copied from `db` in their stored order, as
/// loading the CSVs would lay them, with an index on activity time and one
/// on close time and nothing else: the file the targets are
/// ratios to.
fn plain_copy(db: &Path, to: &Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_file(to);
    let src = db
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("{}: not a UTF-8 path", db.display()))?;
    let conn = rusqlite::Connection::open(to)?;
    conn.execute("ATTACH DATABASE ?1 AS src", [src])?;
    conn.execute_batch(
        "PRAGMA main.journal_mode = OFF;
         PRAGMA main.synchronous = OFF;
         CREATE TABLE reps AS SELECT * FROM src.reps ORDER BY rowid;
         CREATE TABLE opportunities AS SELECT * FROM src.opportunities ORDER BY rowid;
         CREATE TABLE activities AS SELECT * FROM src.activities ORDER BY rowid;
         CREATE INDEX activities_time ON activities (occurred_at);
         CREATE INDEX opportunities_closed ON opportunities (closed_at);
         DETACH DATABASE src;",
    )?;
    Ok(())
}

/// A rep for `report drill`: the first AE active in `period` (started
/// before its end, not left before its start: `metrics::active_in`), else
/// the first SDR active then. A rep who left earlier has no metrics to
/// drill into, and a team's first id is often such a rep.
fn drill_rep(db: &Path, period: Period) -> anyhow::Result<Option<String>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let id = conn
        .query_row(
            "SELECT id FROM reps
             WHERE role IN ('AE', 'SDR')
               AND (start_date IS NULL OR start_date < ?2)
               AND (end_date IS NULL OR end_date >= ?1)
             ORDER BY role <> 'AE', id LIMIT 1",
            [period.from.to_string(), period.to.to_string()],
            |r| r.get(0),
        )
        .ok();
    Ok(id)
}

/// The period reports are timed over: `--period`, else the last full quarter
/// before today (2026-Q3 for the demo's 2026-11-24, the reference query's).
pub fn bench_period(ctx: &Ctx, period: Option<&str>) -> anyhow::Result<Period> {
    Ok(match period {
        Some(p) => ctx
            .cal
            .parse_period(p, ctx.today)
            .map_err(|e| anyhow::anyhow!("--period: {e}"))?,
        None => {
            let this = ctx.cal.quarter_containing(ctx.today);
            ctx.cal
                .quarter_containing(this.from.pred_opt().unwrap_or(this.from))
        }
    })
}

/// Times everything on `ctx.db_path`.
pub fn bench_db(ctx: &Ctx, period: Period, runs: usize) -> anyhow::Result<DbBench> {
    let db = ctx.db_path.clone();
    if !db.exists() {
        anyhow::bail!("{}: no such database", db.display());
    }
    let runs = runs.max(1);
    // Migrate once up front (a read of an older file migrates it), so no
    // report run pays for it.
    drop(Store::open_writable_or_read_only(&db)?);
    let mut items = Vec::new();
    let times = |f: &mut dyn FnMut() -> anyhow::Result<f64>| -> anyhow::Result<Vec<f64>> {
        (0..runs).map(|_| f()).collect()
    };
    // The reference file is built (untimed) and dropped before any
    // report runs, so the reports run with the page cache as before.
    let plain = std::env::temp_dir().join(format!("pipedeck-plain-{}.db", std::process::id()));
    let on_plain = plain_copy(&db, &plain).and_then(|()| times(&mut || reference_once(&plain)));
    let _ = std::fs::remove_file(&plain);
    let what = "bench/reference.sql, bundled SQLite, the issue's plain file";
    items.push(match on_plain {
        Ok(ms) => item("reference_query", what, ms),
        // No room for the copy, say: the ratios are then to this file's.
        Err(e) => unmeasured(
            "reference_query",
            what,
            &format!("not measured: {e}; ratios to this file's instead"),
        ),
    });
    items.push(item(
        "reference_query_same_file",
        "bench/reference.sql, bundled SQLite, this file",
        times(&mut || reference_once(&db))?,
    ));
    let p = period.to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut reports: Vec<(&str, String, Vec<String>)> = vec![
        (
            "metrics",
            format!("report metrics --period {p} --format json"),
            s(&["report", "metrics", "--period", &p, "--format", "json"]),
        ),
        (
            "anomalies",
            "report anomalies".into(),
            s(&["report", "anomalies"]),
        ),
        (
            "hygiene",
            "report hygiene".into(),
            s(&["report", "hygiene"]),
        ),
        (
            "agenda",
            "report agenda --format md".into(),
            s(&["report", "agenda", "--format", "md"]),
        ),
        (
            "forecast",
            "report forecast".into(),
            s(&["report", "forecast"]),
        ),
        (
            "waterfall",
            "report waterfall".into(),
            s(&["report", "waterfall"]),
        ),
        (
            "accuracy",
            "report accuracy".into(),
            s(&["report", "accuracy"]),
        ),
        (
            "movement",
            "report movement".into(),
            s(&["report", "movement"]),
        ),
        (
            "pipeline",
            "report pipeline".into(),
            s(&["report", "pipeline"]),
        ),
    ];
    let rep = drill_rep(&db, period)?;
    if let Some(rep) = &rep {
        reports.push((
            "drill",
            format!("report drill --rep {rep} --metric win_rate --period {p}"),
            s(&[
                "report", "drill", "--rep", rep, "--metric", "win_rate", "--period", &p,
            ]),
        ));
    }
    reports.push((
        "score_calibration",
        "report score-calibration".into(),
        s(&["report", "score-calibration"]),
    ));
    // A report that fails on this database is named with its error, and
    // the others are still timed.
    for (key, what, args) in &reports {
        match times(&mut || run_self(ctx, &db, args)) {
            Ok(ms) => items.push(item(key, what, ms)),
            Err(e) => items.push(unmeasured(key, what, &e.to_string())),
        }
    }
    // The same reports again on the unchanged database, given their kept
    // result (made by one untimed run first, in the user's cache). A timed
    // run that finds none fails (`PIPEDECK_KEPT=only`): the item is then
    // not measured, rather than the report's own time under this name.
    for (key, what, args) in reports.iter().filter(|(k, _, _)| KEPT_TIMED.contains(k)) {
        let (key, what) = (format!("{key}_kept"), format!("{what} (kept result)"));
        if let Err(e) = run_self_kept(ctx, &db, args, "on") {
            items.push(unmeasured(&key, &what, &e.to_string()));
            continue;
        }
        match times(&mut || run_self_kept(ctx, &db, args, "only")) {
            Ok(ms) => items.push(item(&key, &what, ms)),
            Err(e) => items.push(unmeasured(&key, &what, &e.to_string())),
        }
    }
    if rep.is_none() {
        items.push(unmeasured(
            "drill",
            "report drill",
            "no AE or SDR active in the period",
        ));
    }
    // snapshot writes: each run on a fresh temporary copy (the copy is not
    // timed). The copy is synced to disk first: its pages are otherwise still
    // dirty in the page cache, and the snapshot's checkpoint, which syncs the
    // file, would pay for writing the whole copy (1.1 s of the 1.3 s measured
    // on the independent org's 2 GB file).
    let copy: PathBuf =
        std::env::temp_dir().join(format!("pipedeck-bench-{}.db", std::process::id()));
    items.push(item(
        "snapshot",
        "snapshot (on a temporary copy)",
        times(&mut || {
            std::fs::copy(&db, &copy)?;
            std::fs::OpenOptions::new()
                .write(true)
                .open(&copy)?
                .sync_all()?;
            run_self(ctx, &copy, &s(&["snapshot"]))
        })?,
    ));
    let _ = std::fs::remove_file(&copy);
    items.extend(cockpit(ctx, &db, runs)?);
    let reference = items[0]
        .median_ms
        .or(items[1].median_ms)
        .filter(|m| *m > 0.0);
    for i in &mut items {
        i.ratio = match (i.median_ms, reference) {
            (Some(m), Some(r)) => Some(m / r),
            _ => None,
        };
    }
    Ok(DbBench {
        db: db.display().to_string(),
        today: ctx.today.to_string(),
        period: p,
        runs,
        items,
    })
}

/// The cockpit at 200×60 on `TestBackend`, in process, loading part by
/// part as its worker does.
fn cockpit(ctx: &Ctx, db: &Path, runs: usize) -> anyhow::Result<Vec<Item>> {
    let env = ctx.env();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let (mut first, mut data, mut fully) = (Vec::new(), Vec::new(), Vec::new());
    let (mut switch, mut period_first, mut period) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cold_first, mut cold, mut prefetch) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let b = crate::tui::bench_cockpit(db, env.clone(), &ctx.ui, 200, 60, 5)?;
        first.push(ms(b.first_frame));
        data.push(ms(b.first_data));
        fully.push(ms(b.fully_loaded));
        let n = b.switches.len().max(1) as f64;
        switch.push(b.switches.iter().map(|(_, d)| ms(*d)).sum::<f64>() / n);
        if let Some((f, all)) = b.period_change {
            period_first.push(ms(f));
            period.push(ms(all));
        }
        if let Some((f, all)) = b.period_change_cold {
            cold_first.push(ms(f));
            cold.push(ms(all));
        }
        prefetch.push(ms(b.prefetch));
    }
    let mut out = vec![
        item(
            "cockpit_first_frame",
            "cockpit 200x60: start to first frame (before any load)",
            first,
        ),
        item(
            "cockpit_first_data",
            "cockpit 200x60: start to the first panes drawn (review, hygiene, forecast)",
            data,
        ),
        item(
            "cockpit_fully_loaded",
            "cockpit 200x60: start to fully loaded (anomalies last)",
            fully,
        ),
        item(
            "cockpit_pane_switch",
            "cockpit 200x60: pane switch and draw (mean of 8 panes)",
            switch,
        ),
    ];
    for (key, what, v) in [
        (
            "cockpit_prefetch",
            "cockpit 200x60: once loaded, the idle worker builds the periods beside (not on screen)",
            prefetch,
        ),
        (
            "cockpit_period_change_first",
            "cockpit 200x60: previous period (prefetched), to its first panes drawn",
            period_first,
        ),
        (
            "cockpit_period_change",
            "cockpit 200x60: previous period (prefetched), every pane drawn",
            period,
        ),
        (
            "cockpit_period_change_cold_first",
            "cockpit 200x60: the period before that (cold), to its first panes drawn",
            cold_first,
        ),
        (
            "cockpit_period_change_cold",
            "cockpit 200x60: the period before that (cold), every pane reloaded and drawn",
            cold,
        ),
    ] {
        out.push(if v.is_empty() {
            unmeasured(key, what, "not measured")
        } else {
            item(key, what, v)
        });
    }
    out.extend(cockpit_edit(ctx, db, runs));
    Ok(out)
}

/// One edit in the cockpit (push the close date of the first open deal of
/// the review agenda a week), each run on a fresh temporary copy of `db`
/// (the copy is not timed; `db` itself is never written): to the Deal pane
/// redrawn with the new date, to the review part rebuilt, and to every part
/// it changes rebuilt.
fn cockpit_edit(ctx: &Ctx, db: &Path, runs: usize) -> Vec<Item> {
    let (k_vis, w_vis) = (
        "cockpit_edit",
        "cockpit 200x60: one edit (push a close date), key to the deal redrawn with it",
    );
    let (k_rev, w_rev) = (
        "cockpit_edit_review",
        "cockpit 200x60: one edit, key to the review part (agenda, hygiene, forecast) rebuilt",
    );
    let (k_full, w_full) = (
        "cockpit_edit_full",
        "cockpit 200x60: one edit, key to every part it changes reloaded and drawn",
    );
    let copy: PathBuf =
        std::env::temp_dir().join(format!("pipedeck-bench-edit-{}.db", std::process::id()));
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let (mut vis, mut rev, mut full) = (Vec::new(), Vec::new(), Vec::new());
    let mut failed = None;
    for _ in 0..runs {
        match crate::tui::bench_cockpit_edit(db, &copy, ctx.env(), &ctx.ui, 200, 60) {
            Ok(Some(b)) => {
                vis.push(ms(b.visible));
                rev.push(ms(b.review));
                full.push(ms(b.full));
            }
            Ok(None) => {
                failed = Some("not measured: no open deal on the agenda or the pipeline".into());
            }
            Err(e) => failed = Some(format!("not measured: {e}")),
        }
    }
    for stale in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{stale}", copy.display()));
    }
    match failed {
        Some(note) => vec![
            unmeasured(k_vis, w_vis, &note),
            unmeasured(k_rev, w_rev, &note),
            unmeasured(k_full, w_full, &note),
        ],
        None => vec![
            item(k_vis, w_vis, vis),
            item(k_rev, w_rev, rev),
            item(k_full, w_full, full),
        ],
    }
}

/// The results as a table.
pub fn db_table(b: &DbBench) -> crate::report::Table {
    use crate::report::Column;
    let mut t = crate::report::Table::new(
        Some(format!(
            "pipedeck bench --db {} (today {}, period {}, median of {} runs)",
            b.db, b.today, b.period, b.runs
        )),
        vec![
            Column::left("key"),
            Column::left("what"),
            Column::right("median ms"),
            Column::right("min ms"),
            Column::right("× reference"),
        ],
    );
    let f = |v: Option<f64>, d: usize| v.map_or("—".to_string(), |v| format!("{v:.d$}"));
    for i in &b.items {
        let what = match &i.note {
            Some(n) if i.median_ms.is_none() => format!("{} ({n})", i.what),
            _ => i.what.clone(),
        };
        t.rows.push(vec![
            i.key.clone(),
            what,
            f(i.median_ms, 1),
            f(i.min_ms, 1),
            f(i.ratio, 2),
        ]);
    }
    t
}
