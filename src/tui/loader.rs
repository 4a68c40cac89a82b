//! Loads the dataset and builds every pane's report model off the UI thread,
//! once per change of period, rep filter or data (never per frame). The
//! worker owns its own `Store`; the UI keeps showing the previous values with
//! "loading…" until the reply arrives. Edits go through the same worker, so
//! no keypress waits on the database; after an edit only the parts it can
//! change are rebuilt ([`Reload`]), the review part first.

use super::edit::{self, EditCmd};
use crate::app::load::{Facts, Need, Snaps};
use crate::domain::{Activity, Dataset, OppId, Period, RepId};
use crate::report::accuracy::AccuracyReport;
use crate::report::agenda::AgendaReport;
use crate::report::anomalies::AnomaliesReport;
use crate::report::drill::DrillReport;
use crate::report::forecast::ForecastReport;
use crate::report::hygiene::HygieneReport;
use crate::report::metrics::MetricsReport;
use crate::report::waterfall::WaterfallReport;
use crate::report::{Input, Report, Table};
use crate::storage::{StorageError, Store};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

/// What to load: the period and rep filter in force, numbered so a stale
/// reply can be recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub generation: u64,
    pub period: Period,
    pub rep: Option<RepId>,
    /// The anomalies' period: `None` until a period is picked on screen,
    /// and then the report's default (the last complete week), as in
    /// `pipedeck report anomalies` (docs/cockpit.md "Default period").
    pub anomalies_period: Option<Period>,
    /// The rep's own view: the waterfall and the call's movement over the
    /// rep's (`rep`) deals only.
    pub own_view: bool,
    /// The parts to build: all of them, but after an edit only those it
    /// can change (the other panes keep their values).
    pub parts: Reload,
    /// The deal open in the deal pane: its activities are read again with
    /// every load (`Reply::Timeline`, before the parts), so an edit or
    /// another process's import shows in its timeline.
    pub deal: Option<OppId>,
}

/// The tables of one pane, or why there are none.
#[derive(Debug, Clone, Default)]
pub struct PaneTables {
    pub tables: Vec<Table>,
    /// Set when the pane's report could not be built (or is not in this build).
    pub missing: Option<String>,
}

impl PaneTables {
    fn of<R: Report>(r: &R) -> PaneTables {
        PaneTables {
            tables: r.tables(),
            missing: None,
        }
    }
}

/// Every pane's report, built from one dataset.
#[derive(Debug, Clone)]
pub struct Views {
    pub pipeline: PaneTables,
    pub agenda: AgendaReport,
    pub hygiene: HygieneReport,
    /// Every rep's hygiene rows (the deal card's flags).
    pub flagged: Arc<HygieneReport>,
    pub metrics: MetricsReport,
    pub anomalies: AnomaliesReport,
    pub forecast: ForecastReport,
    /// The waterfall of the period on screen from a week ago to now (the
    /// start rebuilt from history without a snapshot), or why there is none.
    pub waterfall: Result<WaterfallReport, String>,
    pub accuracy: AccuracyReport,
    /// How the call of the forecast's period moved since a week ago.
    pub movement: Option<crate::report::movement::CallMovement>,
    /// The anomalies of the period on screen (the flags of the reps grid);
    /// `anomalies` follows the anomalies' own default period.
    pub rep_anomalies: AnomaliesReport,
    /// The opportunity metrics cut by each dimension (the reps pane's `b`).
    pub cuts: Vec<crate::report::cuts::CutReport>,
    /// The score of every open deal (the deal pane).
    pub scores: Arc<crate::report::score::Scores>,
    /// The review session open in the database (`ReviewViews::open_session`).
    pub open_session: Option<i64>,
}

/// A finished load.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub generation: u64,
    pub data: Arc<Dataset>,
    pub views: Views,
}

/// Everything the builders need besides the data (`app::Env`).
pub use crate::app::Env;

mod build;
pub mod cache;
mod reload;
mod worker;
pub use build::*;
pub use cache::Cache;
pub use reload::Reload;
pub use worker::{Job, Loader, Reply, Stopper, Timeline, timeline};

/// The drill-down of one rep's metric over a period (`enter` on an anomaly).
pub fn build_drill(
    env: &Env,
    data: &Dataset,
    rep: &str,
    metric: &str,
    period: Period,
) -> Result<DrillReport, String> {
    let input = Input {
        data,
        snapshots: &[],
        settings: &env.settings,
        cal: &env.cal,
        today: env.today,
        period: Some(period),
    };
    // An anomaly on a driver (meetings, say) opens the outcome tree it feeds.
    let metric = data
        .reps
        .iter()
        .find(|r| r.id.as_str() == rep)
        .and_then(|r| crate::domain::drill::outcome_for(r.role, metric))
        .unwrap_or(metric);
    DrillReport::build(&input, rep, metric)
}

/// Loads what each pane reads (a window of the database per group of
/// panes, `app::load`) and builds the views. The review window, with every
/// activity of the deals it holds, is kept for the deal pane and edits.
pub fn load(store: &Store, env: &Env, req: &Request) -> Result<Loaded, StorageError> {
    let req = &Request {
        parts: Reload::ALL,
        ..req.clone()
    };
    let mut parts = Vec::new();
    load_parts(store, env, req, &mut |p| {
        parts.push(p);
        true
    })?;
    let mut views = None;
    let mut data = Arc::new(Dataset::default());
    let (mut accuracy, mut metrics, mut anomalies) = (None, None, None);
    for p in parts {
        match p {
            Part::Review { data: d, views: v } => {
                data = d;
                views = Some(*v);
            }
            Part::Accuracy(a) => accuracy = Some(a),
            Part::Metrics { metrics: m, cuts } => metrics = Some((m, cuts)),
            Part::Anomalies {
                anomalies: a,
                rep_anomalies,
            } => anomalies = Some((a, rep_anomalies)),
        }
    }
    let (Some(r), Some(accuracy), Some((metrics, cuts)), Some((anomalies, rep_anomalies))) =
        (views, accuracy, metrics, anomalies)
    else {
        return Err(StorageError::BadValue(
            "a part of the load is missing".into(),
        ));
    };
    Ok(Loaded {
        generation: req.generation,
        data,
        views: Views {
            pipeline: r.pipeline,
            agenda: r.agenda,
            hygiene: r.hygiene,
            flagged: r.flagged,
            metrics,
            anomalies,
            forecast: r.forecast,
            waterfall: r.waterfall,
            accuracy,
            movement: r.movement,
            rep_anomalies,
            cuts,
            scores: r.scores,
            open_session: r.open_session,
        },
    })
}

/// Loads and builds the panes' reports group by group, cheapest and first
/// on screen first, handing each [`Part`] to `emit` as it is ready (the
/// review and forecast first; the reps grid's metrics and anomalies, the
/// slowest, are read together and built on a second thread beside the
/// review and accuracy, [`grid_parts`]). Only the parts of
/// `req.parts` are built (after an edit, those it can change). `emit`
/// returns false to stop (the screen has gone away).
pub fn load_parts(
    store: &Store,
    env: &Env,
    req: &Request,
    emit: &mut dyn FnMut(Part) -> bool,
) -> Result<(), StorageError> {
    load_cached(store, env, req, None, emit, &mut || false).map(|_| ())
}

/// What a load did: the parts served from the cache and those built, in
/// the order sent; `complete` unless it was stopped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Served {
    pub cached: Vec<&'static str>,
    pub built: Vec<&'static str>,
    pub complete: bool,
}

/// [`load_parts`] through the worker's [`Cache`]: the parts it holds for
/// the request (under the database's present state, [`Cache::validate`])
/// are sent at once, the others built, sent and kept. `stop` is asked
/// between parts (and between the grid's read and build): true ends the load
/// early, incomplete (a newer job is waiting).
pub fn load_cached(
    store: &Store,
    env: &Env,
    req: &Request,
    cache: Option<&mut Cache>,
    emit: &mut dyn FnMut(Part) -> bool,
    stop: &mut dyn FnMut() -> bool,
) -> Result<Served, StorageError> {
    load_with(store, env, req, cache, emit, stop, true)
}

/// [`load_cached`]; the grid's parts on a second thread only when `beside`
/// (a prefetch, which nobody waits for, builds its parts one after the
/// other: one window in memory at a time, one core).
fn load_with(
    store: &Store,
    env: &Env,
    req: &Request,
    mut cache: Option<&mut Cache>,
    emit: &mut dyn FnMut(Part) -> bool,
    stop: &mut dyn FnMut() -> bool,
    beside: bool,
) -> Result<Served, StorageError> {
    let mut want = req.parts;
    let mut served = Served::default();
    if let Some(c) = cache.as_deref_mut() {
        c.validate(store)?;
        for n in want.names() {
            if let Some(p) = c.get(req, n) {
                want.arrived(&p);
                served.cached.push(n);
                if !emit(p) {
                    return Ok(served);
                }
            }
        }
    }
    if want == Reload::NONE {
        served.complete = true;
        return Ok(served);
    }
    let mut ship = |part: Part, served: &mut Served, cache: &mut Option<&mut Cache>| {
        served.built.push(cache::name(&part));
        if let Some(c) = cache.as_deref_mut() {
            c.put(req, &part);
        }
        emit(part)
    };
    let facts = Facts::read(store, &env.settings, true)?;
    let cx = facts.context(&env.settings, &env.cal, env.today);
    let get = |need: Need, snapshots: Snaps<'_>| {
        crate::app::load::load(store, &env.settings, &env.cal, need, &cx, None, snapshots)
    };
    // The reps grid's parts (the metrics, then the anomalies: the slowest)
    // start first on a second thread with its own connection, beside the
    // review and the accuracy built here. Built here, last, when there is
    // nothing else to build (the others served from the cache) or no
    // second connection (an in-memory database).
    let grid = want.grid();
    let own = want.review || want.accuracy;
    let beside = match beside && own && grid != Reload::NONE && store.path() != ":memory:" {
        true => Some(spawn_grid(store.path(), env, req, grid)),
        false => None,
    };
    let mut beside = beside.map(|(rx, cancel)| (rx, CancelOnDrop(cancel)));
    if want.review {
        if stop() {
            return Ok(served);
        }
        // Today's review window reads no period: one for every period.
        let review = match cache.as_deref().and_then(|c| c.review_data.clone()) {
            Some(d) => d,
            None => Arc::new(get(Need::Review, Snaps::None)?.0),
        };
        // The forecast, waterfall and call movement read the deals of their
        // own window; accuracy (every closed period) reads all deals later.
        let pick = crate::app::load::rule(|heads| review_reads(env, heads));
        let (deals, snapshots) = get(
            Need::Forecast(forecast_window(env, req), build::week_ago(env)),
            Snaps::Picked(&pick),
        )?;
        let views = build_review(env, &review, &deals, &snapshots, &facts.sessions, req);
        drop((deals, snapshots));
        let part = Part::Review {
            data: review,
            views: Box::new(views),
        };
        if !ship(part, &mut served, &mut cache) {
            return Ok(served);
        }
    }
    // Sends the grid's parts its thread has finished. The thread is done
    // with once every one it was asked for has come, or when it failed:
    // what is left is then built here.
    macro_rules! check_beside {
        ($wait:expr) => {
            while let Some((rx, _)) = &beside {
                let got = match $wait {
                    Some(t) => rx
                        .recv_timeout(t)
                        .map_err(|e| matches!(e, std::sync::mpsc::RecvTimeoutError::Disconnected)),
                    None => rx
                        .try_recv()
                        .map_err(|e| matches!(e, TryRecvError::Disconnected)),
                };
                match got {
                    Ok(Ok(part)) => {
                        want.arrived(&part);
                        if !want.metrics && !want.anomalies {
                            beside = None;
                        }
                        if !ship(part, &mut served, &mut cache) {
                            return Ok(served);
                        }
                    }
                    // Its connection could not open, or its read failed.
                    Ok(Err(_)) | Err(true) => beside = None,
                    Err(false) => break,
                }
            }
        };
    }
    if want.accuracy {
        check_beside!(None::<std::time::Duration>);
        if stop() {
            return Ok(served);
        }
        let read = crate::app::accuracy::load(store, &env.settings, &env.cal, env.today, None)?;
        let accuracy = build::accuracy_from(env, read);
        check_beside!(None::<std::time::Duration>);
        if !ship(Part::Accuracy(accuracy), &mut served, &mut cache) {
            return Ok(served);
        }
    }
    while beside.is_some() {
        if stop() {
            return Ok(served);
        }
        check_beside!(Some(std::time::Duration::from_millis(10)));
    }
    let left = want.grid();
    if left != Reload::NONE {
        if stop() {
            return Ok(served);
        }
        let mut send = |part: Part| ship(part, &mut served, &mut cache);
        if !grid_parts(store, env, req, &cx, left, stop, &mut send)? {
            return Ok(served);
        }
    }
    served.complete = true;
    Ok(served)
}

/// Builds and keeps in `cache` the parts of the periods beside `req`'s
/// ([`cache::neighbours`]), as the worker does when idle.
pub fn prefetch(
    store: &Store,
    env: &Env,
    req: &Request,
    cache: &mut Cache,
) -> Result<(), StorageError> {
    for next in cache::neighbours(env, req) {
        load_with(
            store,
            env,
            &next,
            Some(cache),
            &mut |_| true,
            &mut || false,
            false,
        )?;
    }
    Ok(())
}

/// Sets the flag when dropped: the grid's thread, no longer awaited,
/// stops before its next build.
struct CancelOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The reps grid's parts that `want` names (the metrics of the period on
/// screen and their cuts; the anomalies pane's week and the grid's flags),
/// read together and built on one index, the metrics first. The anomaly
/// rules' windows hold the metrics' own, so the union reads no more than
/// the anomalies alone, and the four reports share one index of it (each
/// made its own before). `Ok(false)` when stopped (`stop`, or `emit`
/// returning false).
fn grid_parts(
    store: &Store,
    env: &Env,
    req: &Request,
    cx: &crate::app::load::Context<'_>,
    want: Reload,
    stop: &mut dyn FnMut() -> bool,
    emit: &mut dyn FnMut(Part) -> bool,
) -> Result<bool, StorageError> {
    let anomalies_period = req
        .anomalies_period
        .unwrap_or_else(|| crate::report::anomalies::last_complete_week(&env.cal, env.today));
    let mut needs = Vec::new();
    if want.metrics {
        needs.push(Need::Metrics(req.period));
    }
    if want.anomalies {
        needs.push(Need::Anomalies(anomalies_period));
        if anomalies_period != req.period {
            needs.push(Need::Anomalies(req.period));
        }
    }
    let data = crate::app::load::load_union(store, &env.settings, &env.cal, &needs, cx)?;
    // Read, not built yet: a job waiting can stop it here, and between
    // the metrics and the anomalies.
    if stop() {
        return Ok(false);
    }
    let stages = env.settings.stage_list();
    let ix = grid_index(env, &data, &stages);
    if want.metrics {
        let (metrics, cuts) = build_metrics(env, &ix, req, cx.goals);
        if !emit(Part::Metrics { metrics, cuts }) || stop() {
            return Ok(false);
        }
    }
    if want.anomalies {
        let (anomalies, rep_anomalies) = build_anomalies(env, &ix, req, cx.goals);
        if !emit(Part::Anomalies {
            anomalies,
            rep_anomalies,
        }) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The grid's parts that `want` names ([`grid_parts`]), built on a thread
/// of its own with its own read-only connection to the file at `path`,
/// each sent as it is built. The thread is not joined: a load that stops
/// early sets the flag (it then ends before its next build) and drops the
/// receiver (a result then goes nowhere).
#[allow(clippy::type_complexity)]
fn spawn_grid(
    path: &str,
    env: &Env,
    req: &Request,
    want: Reload,
) -> (
    Receiver<Result<Part, StorageError>>,
    Arc<std::sync::atomic::AtomicBool>,
) {
    let (tx, rx) = channel();
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (path, env, req, flag) = (
        PathBuf::from(path),
        env.clone(),
        req.clone(),
        cancel.clone(),
    );
    let spawned = std::thread::Builder::new()
        .name("cockpit-grid".into())
        .spawn(move || {
            let run = || -> Result<bool, StorageError> {
                let store = Store::open_read_only(&path)?;
                let facts = Facts::read(&store, &env.settings, false)?;
                let cx = facts.context(&env.settings, &env.cal, env.today);
                let mut stop = || flag.load(std::sync::atomic::Ordering::Relaxed);
                if stop() {
                    return Ok(false);
                }
                let mut send = |p: Part| tx.send(Ok(p)).is_ok();
                grid_parts(&store, &env, &req, &cx, want, &mut stop, &mut send)
            };
            if let Err(e) = run() {
                let _ = tx.send(Err(e));
            }
        });
    // No thread: the receiver reads as failed, and the parts are built on
    // the worker.
    drop(spawned);
    (rx, cancel)
}

/// What the review part's forecast, waterfall and call movement read: the
/// forecast's period (the picked month or quarter; the quarter of today for
/// a week), the five weeks before today, and today's open deals.
fn forecast_window(env: &Env, req: &Request) -> Period {
    let forecast =
        build::forecast_period(req).unwrap_or_else(|| env.cal.quarter_containing(env.today));
    Period {
        from: forecast.from.min(env.today - chrono::Days::new(35)),
        to: forecast.to,
    }
}

/// The drill-down of `rep`'s `metric` over `period`, from its own window.
pub fn load_drill(
    store: &Store,
    env: &Env,
    rep: &str,
    metric: &str,
    period: Period,
) -> Result<Result<DrillReport, String>, StorageError> {
    let (data, _) = crate::app::load::load_one(
        store,
        &env.settings,
        &env.cal,
        env.today,
        Need::Drill(period, rep.into()),
        None,
        crate::app::load::Snaps::None,
    )?;
    Ok(build_drill(env, &data, rep, metric, period))
}
