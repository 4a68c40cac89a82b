//! Loads the dataset and builds every pane's report model off the UI thread,
//! once per change of period, rep filter or data (never per frame). The
//! worker owns its own `Store`; the UI keeps showing the previous values with
//! "loading…" until the reply arrives. Edits go through the same worker, so
//! no keypress waits on the database; after an edit only the parts it can
//! change are rebuilt ([`Reload`]), the review part first.

use super::edit::{self, EditCmd};
use crate::app::load::{Facts, Need, Snaps};
use crate::domain::ReviewSession;
use crate::domain::{Activity, Dataset, OppId, Period, RepId, Snapshot};
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

/// Builds every pane's report from a dataset. Pure: the cockpit's only
/// route from data to screen. Metrics, anomalies and hygiene follow the rep
/// filter; the forecast covers the picked month or quarter (the quarter
/// containing today when a week is picked).
pub fn build_views(
    env: &Env,
    data: &Dataset,
    snapshots: &[Snapshot],
    sessions: &[ReviewSession],
    req: &Request,
) -> Views {
    let parts = Parts {
        metrics: data,
        anomalies: data,
        rep_anomalies: data,
        review: data,
        deals: data,
    };
    build_views_from(env, &parts, snapshots, sessions, req)
}

/// The datasets the panes are built from: each holds at least the window
/// its reports read (`app::load`), or all of them the same whole dataset.
pub struct Parts<'a> {
    /// The period on screen, with the untouched look-back: metrics and cuts.
    pub metrics: &'a Dataset,
    /// What the anomaly rules read for the anomalies' period.
    pub anomalies: &'a Dataset,
    /// What the anomaly rules read for the period on screen (the reps grid).
    pub rep_anomalies: &'a Dataset,
    /// Today's review window: agenda, hygiene, scores, the deal pane.
    pub review: &'a Dataset,
    /// Every deal with its history, no activities: pipeline, forecast,
    /// waterfall, accuracy, the call's movement.
    pub deals: &'a Dataset,
}

/// [`build_views`] from the windows of [`Parts`].
pub fn build_views_from(
    env: &Env,
    parts: &Parts<'_>,
    snapshots: &[Snapshot],
    sessions: &[ReviewSession],
    req: &Request,
) -> Views {
    let r = build_review(env, parts.review, parts.deals, snapshots, sessions, req);
    let (metrics, cuts) = build_metrics(env, parts.metrics, req);
    let (anomalies, rep_anomalies) =
        build_anomalies(env, parts.anomalies, parts.rep_anomalies, req);
    Views {
        pipeline: r.pipeline,
        agenda: r.agenda,
        hygiene: r.hygiene,
        metrics,
        anomalies,
        forecast: r.forecast,
        waterfall: r.waterfall,
        accuracy: build_accuracy(env, parts.deals, snapshots),
        movement: r.movement,
        rep_anomalies,
        cuts,
        scores: r.scores,
    }
}

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
            metrics,
            anomalies,
            forecast: r.forecast,
            waterfall: r.waterfall,
            accuracy,
            movement: r.movement,
            rep_anomalies,
            cuts,
            scores: r.scores,
        },
    })
}

/// Loads and builds the panes' reports group by group, cheapest and first
/// on screen first, handing each [`Part`] to `emit` as it is ready (the
/// review and forecast first; the anomalies, the slowest, are built on a
/// second thread beside the metrics and accuracy). Only the parts of
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
/// between parts (and while the anomalies build): true ends the load
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

/// [`load_cached`]; the anomalies on a second thread only when `beside`
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
        if !served.cached.is_empty() {}
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
    // The anomalies, the slowest part, start first on a second thread with
    // its own connection (none for an in-memory database: built here,
    // last), beside the review, the metrics and the accuracy built here.
    let beside = match beside && want.anomalies && store.path() != ":memory:" {
        true => Some(spawn_anomalies(store.path(), env, req)),
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
            Need::Forecast(forecast_window(env, req)),
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
    // Sends the anomalies if their thread has finished; Err when it failed.
    let mut anomalies_done = false;
    macro_rules! check_beside {
        ($wait:expr) => {
            if let Some((rx, _)) = &beside {
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
                        beside = None;
                        anomalies_done = true;
                        if !ship(part, &mut served, &mut cache) {
                            return Ok(served);
                        }
                    }
                    // Its connection could not open: built here instead.
                    Ok(Err(_)) | Err(true) => beside = None,
                    Err(false) => {}
                }
            }
        };
    }
    if want.metrics {
        if stop() {
            return Ok(served);
        }
        let (metrics, _) = get(Need::Metrics(req.period), Snaps::None)?;
        let (metrics, cuts) = build_metrics(env, &metrics, req);
        check_beside!(None);
        if !ship(Part::Metrics { metrics, cuts }, &mut served, &mut cache) {
            return Ok(served);
        }
    }
    if want.accuracy {
        check_beside!(None);
        if stop() {
            return Ok(served);
        }
        let read = crate::app::accuracy::load(store, &env.settings, &env.cal, env.today, None)?;
        let accuracy = build::accuracy_from(env, read);
        check_beside!(None);
        if !ship(Part::Accuracy(accuracy), &mut served, &mut cache) {
            return Ok(served);
        }
    }
    if want.anomalies && !anomalies_done {
        while beside.is_some() {
            if stop() {
                return Ok(served);
            }
            check_beside!(Some(std::time::Duration::from_millis(10)));
        }
        if !anomalies_done {
            if stop() {
                return Ok(served);
            }
            let Some(part) = anomalies_part(store, env, req, &cx, stop)? else {
                return Ok(served);
            };
            if !ship(part, &mut served, &mut cache) {
                return Ok(served);
            }
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

/// Sets the flag when dropped: the anomalies' thread, no longer awaited,
/// stops before its build.
struct CancelOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The anomalies part: the pane's week and the grid's period, read together.
fn anomalies_part(
    store: &Store,
    env: &Env,
    req: &Request,
    cx: &crate::app::load::Context<'_>,
    stop: &mut dyn FnMut() -> bool,
) -> Result<Option<Part>, StorageError> {
    let anomalies_period = req
        .anomalies_period
        .unwrap_or_else(|| crate::report::anomalies::last_complete_week(&env.cal, env.today));
    let anomalies = crate::app::load::load_union(
        store,
        &env.settings,
        &env.cal,
        &[
            Need::Anomalies(anomalies_period),
            Need::Anomalies(req.period),
        ],
        cx,
    )?;
    // Read, not built yet: the one point inside the slowest part where a
    // job waiting can stop it.
    if stop() {
        return Ok(None);
    }
    let (anomalies, rep_anomalies) = build_anomalies(env, &anomalies, &anomalies, req);
    Ok(Some(Part::Anomalies {
        anomalies,
        rep_anomalies,
    }))
}

/// The anomalies part for `req`, built on a thread of its own with its own
/// read-only connection to the file at `path`. The thread is not joined: a
/// load that stops early sets the flag (it then ends before its build) and
/// drops the receiver (a result then goes nowhere).
#[allow(clippy::type_complexity)]
fn spawn_anomalies(
    path: &str,
    env: &Env,
    req: &Request,
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
        .name("cockpit-anomalies".into())
        .spawn(move || {
            let run = || -> Result<Option<Part>, StorageError> {
                let store = Store::open_read_only(&path)?;
                let facts = Facts::read(&store, &env.settings, false)?;
                let cx = facts.context(&env.settings, &env.cal, env.today);
                let mut stop = || flag.load(std::sync::atomic::Ordering::Relaxed);
                if stop() {
                    return Ok(None);
                }
                anomalies_part(&store, &env, &req, &cx, &mut stop)
            };
            match run() {
                Ok(Some(p)) => {
                    let _ = tx.send(Ok(p));
                }
                Ok(None) => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            }
        });
    // No thread: the receiver reads as failed, and the part is built on
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
        Need::Drill(period),
        None,
        crate::app::load::Snaps::None,
    )?;
    Ok(build_drill(env, &data, rep, metric, period))
}
