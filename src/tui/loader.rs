//! Loads the dataset and builds every pane's report model off the UI thread,
//! once per change of period, rep filter or data (never per frame). The
//! worker owns its own `Store`; the UI keeps showing the previous values with
//! "loading…" until the reply arrives. Edits go through the same worker, so
//! no keypress waits on the database.

use super::edit::{self, EditCmd};
use crate::domain::period::Calendar;
use crate::domain::{Dataset, Period, RepId, Settings, Snapshot};
use crate::report::{Input, Report, Table};
use crate::storage::{StorageError, Store};
use chrono::NaiveDate;
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

    fn missing(what: &str) -> PaneTables {
        PaneTables {
            tables: Vec::new(),
            missing: Some(format!("{what} is not available in this build yet")),
        }
    }
}

/// Every pane's report, built from one dataset.
#[derive(Debug, Clone, Default)]
pub struct Views {
    pub pipeline: PaneTables,
    pub agenda: PaneTables,
    pub hygiene: PaneTables,
    pub reps: PaneTables,
    pub anomalies: PaneTables,
    pub forecast: PaneTables,
}

/// A finished load.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub generation: u64,
    pub data: Arc<Dataset>,
    pub views: Views,
    /// The AEs of the review agenda in its order: (id, name).
    pub review_reps: Vec<(RepId, String)>,
}

/// Everything the builders need besides the data.
#[derive(Debug, Clone)]
pub struct Env {
    pub settings: Settings,
    pub cal: Calendar,
    pub today: NaiveDate,
}

/// Builds every pane's report from a dataset. Pure: the cockpit's only
/// route from data to screen.
pub fn build_views(env: &Env, data: &Dataset, snapshots: &[Snapshot], req: &Request) -> Views {
    let input = Input {
        data,
        snapshots,
        settings: &env.settings,
        cal: &env.cal,
        today: env.today,
        period: Some(req.period),
    };
    let pipeline = crate::report::pipeline::PipelineReport {
        as_of: env.today,
        currency: env.settings.currency.clone(),
        pipeline: crate::domain::pipeline::open_pipeline(input.data),
    };
    Views {
        pipeline: PaneTables::of(&pipeline),
        agenda: PaneTables::missing("the review agenda"),
        hygiene: PaneTables::missing("the hygiene report"),
        reps: PaneTables::missing("the metrics report"),
        anomalies: PaneTables::missing("the anomalies report"),
        forecast: PaneTables::missing("the forecast report"),
    }
}

/// Active AEs in the agenda's order (`review_order`): largest open pipeline
/// first (the pipeline report's by-owner order), then by name.
pub fn review_reps(env: &Env, data: &Dataset) -> Vec<(RepId, String)> {
    let mut aes: Vec<&crate::domain::Rep> = data
        .reps
        .iter()
        .filter(|r| r.role == crate::domain::Role::Ae && r.is_active_on(env.today))
        .collect();
    aes.sort_by(|a, b| a.name.cmp(&b.name));
    if env.settings.review_order == crate::domain::settings::ReviewOrder::Pipeline {
        let order = crate::domain::pipeline::open_pipeline(data).by_owner;
        let rank = |id: &RepId| {
            order
                .iter()
                .position(|g| g.key == id.0)
                .unwrap_or(usize::MAX)
        };
        aes.sort_by_key(|r| rank(&r.id));
    }
    aes.into_iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect()
}

/// Loads the dataset and snapshots and builds the views.
pub fn load(store: &Store, env: &Env, req: &Request) -> Result<Loaded, StorageError> {
    let data = store.load_dataset()?;
    let snapshots = store.load_snapshots()?;
    let views = build_views(env, &data, &snapshots, req);
    let review_reps = review_reps(env, &data);
    Ok(Loaded {
        generation: req.generation,
        data: Arc::new(data),
        views,
        review_reps,
    })
}

/// Work for the worker.
#[derive(Debug)]
pub enum Job {
    Load(Request),
    /// Apply an edit, then load again with the request.
    Edit(EditCmd, Request),
    Stop,
}

/// What the worker sends back.
#[derive(Debug)]
pub enum Reply {
    Loaded(Box<Loaded>),
    /// An edit was saved (the message says what) or refused (the error says why).
    Edited(Result<edit::Done, String>),
    Failed(String),
}

/// The worker thread and its two channels.
pub struct Loader {
    jobs: Sender<Job>,
    replies: Receiver<Reply>,
    handle: Option<JoinHandle<()>>,
}

impl Loader {
    /// Starts the worker on the database at `path` (opened on the worker).
    pub fn spawn(path: PathBuf, env: Env) -> Loader {
        let (jobs, job_rx) = channel::<Job>();
        let (reply_tx, replies) = channel::<Reply>();
        let handle = std::thread::spawn(move || worker(path, env, job_rx, reply_tx));
        Loader {
            jobs,
            replies,
            handle: Some(handle),
        }
    }

    pub fn send(&self, job: Job) {
        // A closed channel means the worker died; its last reply says why.
        let _ = self.jobs.send(job);
    }

    /// The next reply, if one is ready (never blocks).
    pub fn try_recv(&self) -> Option<Reply> {
        match self.replies.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => None,
        }
    }

    /// Waits for the next reply (tests and the benchmark).
    pub fn recv(&self) -> Option<Reply> {
        self.replies.recv().ok()
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        let _ = self.jobs.send(Job::Stop);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn worker(path: PathBuf, env: Env, jobs: Receiver<Job>, replies: Sender<Reply>) {
    let mut store = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            let _ = replies.send(Reply::Failed(e.to_string()));
            return;
        }
    };
    while let Ok(first) = jobs.recv() {
        // Coalesce: of queued loads only the newest matters; edits all run.
        let mut batch = vec![first];
        while let Ok(more) = jobs.try_recv() {
            batch.push(more);
        }
        let mut last_load: Option<Request> = None;
        for job in batch {
            match job {
                Job::Stop => return,
                Job::Load(req) => last_load = Some(req),
                Job::Edit(cmd, req) => {
                    let result = edit::apply(&mut store, &env, &cmd);
                    let _ = replies.send(Reply::Edited(result));
                    last_load = Some(req);
                }
            }
        }
        if let Some(req) = last_load {
            let reply = match load(&store, &env, &req) {
                Ok(l) => Reply::Loaded(Box::new(l)),
                Err(e) => Reply::Failed(e.to_string()),
            };
            if replies.send(reply).is_err() {
                return;
            }
        }
    }
}
