//! The worker thread: its jobs and replies, the queue that lets a newer job
//! stop a load, the prefetch thread and the handle the UI holds (`Loader`).

use super::*;

/// Work for the worker.
#[derive(Debug)]
pub enum Job {
    Load(Request),
    /// Apply an edit, then load again the parts of the request (those the
    /// edit can change, `Reload::after_edit`).
    Edit(EditCmd, Request),
    /// Build the drill-down of a rep's metric over a period.
    Drill {
        rep: String,
        metric: String,
        period: Period,
    },
    /// Read every activity of a deal (the deal pane's timeline).
    Timeline(OppId),
    /// Check the file's pages once a load is on screen (`spawn_check`):
    /// the terminal asks for it, the benchmark and the tests do not.
    CheckPages,
    /// A new day began: the rules judge this day from now on, and nothing
    /// built for the one before is served again.
    NewDay(chrono::NaiveDate),
    /// Keep a running review's time in each box (`Store::save_review_box_seconds`).
    BoxClock {
        session: i64,
        seconds: Vec<i64>,
    },
    Stop,
}

/// What the worker sends back.
#[derive(Debug)]
pub enum Reply {
    /// One group of panes of the load numbered `generation`.
    Part(u64, Box<Part>),
    /// The load numbered `generation` is complete.
    Done(u64),
    /// An edit was saved (the message says what) or refused (the error says why).
    Edited(Result<edit::Done, edit::Refused>),
    Drill(Box<Result<DrillReport, String>>),
    /// Every activity of a deal, by time: asked for when it is opened (and
    /// served between the parts of a load under way), and sent again before
    /// the parts of every load while it is open (`Request::deal`).
    Timeline(OppId, Result<Timeline, String>),
    Failed(String),
    /// Something the status line should say, beside any load.
    Warn(String),
    /// How the load numbered `generation` was served (sent before its
    /// `Done`): the parts taken from the cache and those built.
    Served(u64, Served),
    /// The worker, idle, has built and kept the parts of this period
    /// (a prefetch), so a change to it draws at once.
    Prefetched(Period),
    /// The file has damaged pages (SQLite's findings): checked in the
    /// background once the first load is drawn; edits are refused since.
    Damaged(String),
}

/// A deal read whole for the deal pane: its activities, and the deal with
/// its history (the pane shows them when the loaded window does not hold
/// the deal: one closed long ago, opened from a drill-down's records).
#[derive(Debug)]
pub struct Timeline {
    pub activities: Vec<Activity>,
    pub deal: Option<Box<crate::domain::Opportunity>>,
    pub history: Vec<crate::domain::HistoryEntry>,
}

/// Deal `id` read whole, as the worker sends it.
pub fn timeline(store: &Store, id: OppId) -> Reply {
    let read = || -> crate::storage::Result<Timeline> {
        Ok(Timeline {
            activities: store.deal_activities(&id)?,
            deal: store.opportunity(&id).ok().map(Box::new),
            history: store.deal_history(&id)?,
        })
    };
    let t = read().map_err(|e| e.to_string());
    Reply::Timeline(id, t)
}

/// The worker thread and its two channels.
pub struct Loader {
    jobs: Sender<Job>,
    replies: Receiver<Reply>,
    handle: Option<JoinHandle<()>>,
    /// Disconnects when the worker has returned (see `Stopper`).
    ended: Option<Receiver<()>>,
}

/// Stops the worker from another thread: what the cockpit's terminal
/// watchdog holds, since the thread that owns the `Loader` may be stuck.
pub struct Stopper {
    jobs: Sender<Job>,
    ended: Receiver<()>,
}

impl Stopper {
    /// Asks the worker to stop and waits until it has: edits queued before
    /// run first (jobs are taken in order), and an edit or load under way
    /// finishes, so nothing the user saved is cut off mid-transaction.
    pub fn stop_and_wait(self) {
        let _ = self.jobs.send(Job::Stop);
        // Err once the worker's end of the channel is dropped: it returned.
        let _ = self.ended.recv();
    }
}

impl Loader {
    /// Starts the worker on the database at `path` (opened on the worker).
    pub fn spawn(path: PathBuf, env: Env) -> Loader {
        Loader::start(move |jobs, replies| worker(path, env, jobs, replies))
    }

    /// Starts the worker on a database already open (the cockpit opens it
    /// once, before the screen changes, and hands it over).
    pub fn spawn_on(store: Store, env: Env) -> Loader {
        Loader::start(move |jobs, replies| work(store, env, jobs, replies))
    }

    fn start(run: impl FnOnce(Receiver<Job>, Sender<Reply>) + Send + 'static) -> Loader {
        let (jobs, job_rx) = channel::<Job>();
        let (reply_tx, replies) = channel::<Reply>();
        let (ended_tx, ended) = channel::<()>();
        let handle = std::thread::spawn(move || {
            let _ended = ended_tx;
            run(job_rx, reply_tx)
        });
        Loader {
            jobs,
            replies,
            handle: Some(handle),
            ended: Some(ended),
        }
    }

    /// The one `Stopper` of this worker (`None` once taken).
    pub fn stopper(&mut self) -> Option<Stopper> {
        let ended = self.ended.take()?;
        Some(Stopper {
            jobs: self.jobs.clone(),
            ended,
        })
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

    /// The next reply, waiting at most `wait`.
    pub fn recv_timeout(&self, wait: std::time::Duration) -> Option<Reply> {
        self.replies.recv_timeout(wait).ok()
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
    match Store::open_writable_or_read_only(&path) {
        Ok(store) => work(store, env, jobs, replies),
        Err(e) => {
            let _ = replies.send(Reply::Failed(e.to_string()));
        }
    }
}

/// The jobs not yet taken, read ahead so a load can see a newer one waiting.
struct Queue {
    rx: Receiver<Job>,
    pending: std::collections::VecDeque<Job>,
}

impl Queue {
    /// Moves every job sent so far into `pending` (a closed channel reads
    /// as `Stop`: the screen has gone away).
    fn poll(&mut self) {
        loop {
            match self.rx.try_recv() {
                Ok(j) => self.pending.push_back(j),
                Err(TryRecvError::Empty) => return,
                Err(TryRecvError::Disconnected) => {
                    if !matches!(self.pending.back(), Some(Job::Stop)) {
                        self.pending.push_back(Job::Stop);
                    }
                    return;
                }
            }
        }
    }

    /// The deals whose activities are asked for, taken out of the queue.
    fn take_timelines(&mut self) -> Vec<OppId> {
        self.poll();
        let mut ids = Vec::new();
        self.pending.retain(|j| match j {
            Job::Timeline(id) => {
                ids.push(id.clone());
                false
            }
            _ => true,
        });
        ids
    }

    /// A job waits that makes a load under way pointless: a newer load, an
    /// edit (which reloads what it changes and what was still awaited) or
    /// the end.
    fn supersedes(&mut self) -> bool {
        self.poll();
        self.pending
            .iter()
            .any(|j| matches!(j, Job::Load(_) | Job::Edit(..) | Job::NewDay(_) | Job::Stop))
    }
}

fn work(mut store: Store, mut env: Env, jobs: Receiver<Job>, replies: Sender<Reply>) {
    let mut queue = Queue {
        rx: jobs,
        pending: Default::default(),
    };
    let cache = Arc::new(std::sync::Mutex::new(Cache::default()));
    // The prefetch under way, on its own thread: set to stop it.
    let mut prefetching: Option<Arc<std::sync::atomic::AtomicBool>> = None;
    // What the check of the file's pages found wrong (see `spawn_check`),
    // and whether it was started.
    let damaged: Arc<std::sync::OnceLock<String>> = Arc::default();
    let (mut check_wanted, mut checking) = (false, false);
    loop {
        let first = match queue.pending.pop_front() {
            Some(j) => j,
            None => match queue.rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            },
        };
        // Coalesce: of queued loads only the newest matters; edits all run.
        let mut batch = vec![first];
        queue.poll();
        batch.extend(queue.pending.drain(..));
        if batch
            .iter()
            .any(|j| matches!(j, Job::Load(_) | Job::Edit(..) | Job::NewDay(_) | Job::Stop))
            && let Some(flag) = prefetching.take()
        {
            // The user's job first: the prefetch stops at its next part.
            flag.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let mut last_load: Option<Request> = None;
        for job in batch {
            match job {
                Job::Stop => return,
                Job::Load(req) => last_load = Some(req),
                Job::Drill {
                    rep,
                    metric,
                    period,
                } => {
                    let result = load_drill(&store, &env, &rep, &metric, period)
                        .unwrap_or_else(|e| Err(e.to_string()));
                    let _ = replies.send(Reply::Drill(Box::new(result)));
                }
                Job::Timeline(id) => {
                    let _ = replies.send(timeline(&store, id));
                }
                Job::CheckPages => check_wanted = true,
                Job::NewDay(today) => {
                    // A prefetch still running keeps nothing (the epoch moves).
                    lock(&cache).clear();
                    env.today = today;
                }
                // A damaged file is not written to; a timer not kept only
                // restarts at 0:00 if the review is resumed.
                Job::BoxClock { session, seconds } if damaged.get().is_none() => {
                    if let Err(e) = store.save_review_box_seconds(session, &seconds) {
                        let _ = replies.send(Reply::Warn(format!("review timers not kept: {e}")));
                    }
                }
                Job::BoxClock { .. } => {}
                Job::Edit(cmd, req) => {
                    // Whatever the edit changes, nothing built before it is
                    // served again (a prefetch still running keeps nothing:
                    // the cache's epoch moves).
                    lock(&cache).clear();
                    let result = match damaged.get() {
                        Some(d) => Err(edit::Refused::new(format!("not saved: {d}"))),
                        None => edit::apply(&mut store, &env, chrono::Utc::now(), &cmd),
                    };
                    let _ = replies.send(Reply::Edited(result));
                    last_load = Some(req);
                }
            }
        }
        if let Some(req) = last_load {
            let g = req.generation;
            if let Some(id) = &req.deal {
                let _ = replies.send(timeline(&store, id.clone()));
            }
            let mut emit = |p: Part| replies.send(Reply::Part(g, Box::new(p))).is_ok();
            // Between parts: a deal opened meanwhile gets its activities
            // now, not after the whole load.
            let mut stop = || {
                for id in queue.take_timelines() {
                    let _ = replies.send(timeline(&store, id));
                }
                queue.supersedes()
            };
            let mut c = lock(&cache);
            match load_cached(&store, &env, &req, Some(&mut c), &mut emit, &mut stop) {
                Ok(served) if served.complete => {
                    let _ = replies.send(Reply::Served(g, served));
                    if replies.send(Reply::Done(g)).is_err() {
                        return;
                    }
                    if check_wanted && !checking && store.path() != ":memory:" {
                        checking = true;
                        spawn_check(store.path(), &damaged, &replies);
                    }
                    // Only the neighbours the cache does not hold already.
                    let next: Vec<_> = cache::neighbours(&env, &req)
                        .into_iter()
                        .filter(|r| !c.holds(r))
                        .collect();
                    if !next.is_empty() && store.path() != ":memory:" {
                        prefetching = Some(spawn_prefetch(
                            store.path(),
                            &env,
                            next,
                            &cache,
                            &mut c,
                            &replies,
                        ));
                    }
                }
                // Stopped for a newer job: that job follows.
                Ok(_) => {}
                Err(e) => {
                    if replies.send(Reply::Failed(e.to_string())).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Checks the file's pages (`Store::check_pages`) on a thread of its own,
/// with its own read-only connection, once the first load is on screen (a
/// few seconds on a large org's file, off the user's way): a damaged file
/// is said on screen and every edit after it is refused, so nothing more
/// is written into it (docs/storage.md).
fn spawn_check(path: &str, damaged: &Arc<std::sync::OnceLock<String>>, replies: &Sender<Reply>) {
    let (path, damaged, replies) = (PathBuf::from(path), damaged.clone(), replies.clone());
    // No thread: the file goes unchecked, as before the cockpit checked it.
    let _ = std::thread::Builder::new()
        .name("cockpit-check".into())
        .spawn(move || {
            if let Err(StorageError::Damaged { path, detail }) = Store::check_file(&path) {
                let said = format!(
                    "the database file is damaged, edits are disabled; `pipedeck check` says more ({path}: {detail})"
                );
                let _ = damaged.set(said.clone());
                let _ = replies.send(Reply::Damaged(said));
            }
        });
}

/// The cache, even if a prefetch thread panicked holding it (it only ever
/// holds whole parts).
fn lock(cache: &std::sync::Mutex<Cache>) -> std::sync::MutexGuard<'_, Cache> {
    cache.lock().unwrap_or_else(|e| e.into_inner())
}

/// Builds the parts of `next` (the periods beside the one just loaded) on a
/// thread of its own, with its own read-only connection, so the worker
/// stays free for the user's jobs; it stops between parts when the returned
/// flag is set (the worker sets it on any load, edit or end). Each part
/// built goes into the worker's cache only if the cache has not been
/// cleared since the prefetch started (its epoch is the same: no edit, no
/// commit by another connection seen); a commit by another process during
/// the prefetch moves `PRAGMA data_version`, and the next load drops it all.
fn spawn_prefetch(
    path: &str,
    env: &Env,
    next: Vec<Request>,
    shared: &Arc<std::sync::Mutex<Cache>>,
    now: &mut Cache,
    replies: &Sender<Reply>,
) -> Arc<std::sync::atomic::AtomicBool> {
    let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let epoch = now.epoch();
    let review_data = now.review_data.clone();
    let (path, env, shared, replies, stop) = (
        PathBuf::from(path),
        env.clone(),
        shared.clone(),
        replies.clone(),
        flag.clone(),
    );
    let _ = std::thread::Builder::new()
        .name("cockpit-prefetch".into())
        .spawn(move || {
            let Ok(store) = Store::open_read_only(&path) else {
                return;
            };
            let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
            for req in next {
                // Its own cache for the build (the shared one is held by
                // the worker during a load); what it holds is copied over.
                let mut own = Cache::default();
                if own.validate(&store).is_err() {
                    return;
                }
                own.review_data = review_data.clone();
                let mut stop = || stopped();
                let Ok(served) = load_with(
                    &store,
                    &env,
                    &req,
                    Some(&mut own),
                    &mut |_| true,
                    &mut stop,
                    false,
                ) else {
                    return;
                };
                if stopped() {
                    return;
                }
                let mut c = lock(&shared);
                if c.epoch() != epoch {
                    return;
                }
                for n in served.built {
                    if let Some(p) = own.get(&req, n) {
                        c.put(&req, &p);
                    }
                }
                drop(c);
                let _ = replies.send(Reply::Prefetched(req.period));
            }
        });
    flag
}
