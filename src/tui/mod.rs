//! The cockpit: a ratatui app over the same report models the CLI prints.
//!
//! - `action` — every behaviour by name; `keymap` — keys → actions per mode.
//! - `app` — state, `update(action) → Effect`; `view` — the root render.
//! - `panes/` — one file per pane; `widgets` — the shared table widget.
//! - `loader` — loads data and builds reports on a worker thread.
//! - `edit` — edits, saved through the storage edit API.
//!
//! This file holds the short event loop and the terminal setup/restore.

pub mod action;
pub mod app;
pub mod config;
pub mod edit;
pub mod keymap;
pub mod loader;
pub mod pane;
pub mod panes;
pub mod prompt;
pub mod theme;
pub mod view;
pub mod widgets;

use app::{App, Effect, Start};
use config::UiConfig;
use loader::{Env, Job, Loader, Reply};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::{DefaultTerminal, Terminal};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What stopped the cockpit.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("config: {0}")]
    Keymap(#[from] keymap::KeymapError),
    #[error("config: {0}")]
    Theme(#[from] theme::ThemeError),
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error(
        "the cockpit needs a terminal (stdin and stdout are not both one); for scripts use `pipedeck report NAME`"
    )]
    NotATerminal,
}

/// How to open the cockpit.
pub struct Options {
    /// The database, opened once by the caller (read-only when it cannot be
    /// written: edits are then disabled); the worker takes it over.
    pub store: crate::storage::Store,
    pub db_path: PathBuf,
    pub env: Env,
    /// The cockpit's keys and colours.
    pub ui: UiConfig,
    pub start: Start,
    pub no_color: bool,
}

/// Builds the app: keymap and theme patched by the config's `[keys]` and
/// `[theme]` tables (`ui`).
pub fn build_app(env: Env, ui: &UiConfig, start: Start, no_color: bool) -> Result<App, TuiError> {
    let keymap = ui.keymap()?;
    let theme = ui.theme(no_color)?;
    Ok(App::new(env, keymap, theme, start, chrono::Utc::now()))
}

/// Opens the cockpit on the terminal until the user quits. The terminal is
/// restored on every exit path: normal return, error, and panic (ratatui's
/// hook, chained with one that releases the mouse).
pub fn run(opts: Options) -> Result<(), TuiError> {
    let mut app = build_app(opts.env.clone(), &opts.ui, opts.start, opts.no_color)?;
    app.db_path = Some(opts.db_path.clone());
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    if opts.store.is_read_only() {
        app.status = Some((
            theme::Role::Alert,
            format!(
                "read-only: {} cannot be written; edits are disabled",
                opts.db_path.display()
            ),
        ));
    }
    let mut loader = Loader::spawn_on(opts.store, opts.env);
    let stopper = loader.stopper();
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            return Err(e.into());
        }
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(
            std::io::stdout(),
            DisableMouseCapture,
            DisableBracketedPaste
        );
        previous(info);
    }));
    let result = signals()
        .and_then(|stop| {
            if let Some(stopper) = stopper {
                watch_terminal(stopper)?;
            }
            execute!(std::io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
            Ok(stop)
        })
        .map_err(TuiError::from)
        .and_then(|stop| event_loop(&mut terminal, &mut app, &loader, &stop));
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste
    );
    ratatui::restore();
    // Waits for an edit in flight (one transaction) before the process ends.
    drop(loader);
    result
}

/// SIGTERM, SIGHUP and SIGINT set the returned flag: the event loop sees it
/// within one poll and returns, so the terminal is restored as on `q`. A
/// second signal while the first is handled exits at once (status 1).
fn signals() -> std::io::Result<std::sync::Arc<std::sync::atomic::AtomicBool>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [SIGTERM, SIGHUP, SIGINT] {
        signal_hook::flag::register_conditional_shutdown(sig, 1, stop.clone())?;
        signal_hook::flag::register(sig, stop.clone())?;
    }
    Ok(stop)
}

/// Ends the process when the terminal hangs up with no signal: its emulator
/// died while something else (a shell) led the session, and only a
/// session's leader gets SIGHUP. The terminal then reads as end of file,
/// which crossterm 0.29's `poll` reads again and again without returning, so
/// the event loop never runs again; this thread notices instead (a hung-up
/// terminal stops answering terminal requests: `isatty` turns false), lets
/// the worker finish the edits it was given, and exits. There is no terminal
/// left to restore.
fn watch_terminal(stopper: loader::Stopper) -> std::io::Result<()> {
    use std::io::IsTerminal;
    std::thread::Builder::new()
        .name("terminal-watch".into())
        .spawn(move || {
            while std::io::stdin().is_terminal() {
                std::thread::sleep(Duration::from_millis(250));
            }
            stopper.stop_and_wait();
            std::process::exit(0);
        })?;
    Ok(())
}

/// Events read per frame at most: a flood of keys (a paste without
/// bracketed paste) is handled in batches, not one frame per key.
const EVENTS_PER_FRAME: usize = 256;

/// Applies a worker reply to the app.
pub fn apply_reply(app: &mut App, reply: Reply) {
    match reply {
        Reply::Part(g, p) => app.on_part(g, *p),
        Reply::Done(g) => app.on_done(g),
        Reply::Edited(r) => app.on_edited(r),
        Reply::Drill(d) => app.on_drill(*d),
        Reply::Failed(e) => app.on_failed(e),
        // What the worker served from its cache, and what it prefetched:
        // nothing to show.
        Reply::Served(..) | Reply::Prefetched(_) => {}
    }
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    loader: &Loader,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<(), TuiError> {
    let first = app.reload();
    carry_out(app, loader, first);
    let mut drawn_second = None;
    // After a new load is asked for: until when to wait for its parts before
    // drawing, so one the worker has cached (a prefetched period) is drawn
    // in the first frame, with no "loading…" frame before it.
    let mut hold: Option<Instant> = None;
    loop {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        loop {
            let reply = match hold {
                Some(until) if app.loading => {
                    loader.recv_timeout(until.saturating_duration_since(Instant::now()))
                }
                _ => loader.try_recv(),
            };
            let Some(reply) = reply else { break };
            apply_reply(app, reply);
            app.dirty = true;
        }
        hold = None;
        app.now = chrono::Utc::now();
        // Draw only on change: a key, a paste, a reply, a resize — or, while
        // a review runs, a new second on its timers.
        let second = app.now.timestamp();
        if app.review.run.is_some() && drawn_second != Some(second) {
            app.dirty = true;
        }
        if app.dirty {
            terminal.draw(|f| {
                app.area = f.area();
                view::render(app, f.area(), f.buffer_mut());
            })?;
            app.dirty = false;
            drawn_second = Some(second);
        }
        // While a load runs, its parts are picked up within 20 ms.
        let mut wait = Duration::from_millis(if app.loading { 20 } else { 200 });
        for _ in 0..EVENTS_PER_FRAME {
            if !event::poll(wait)? {
                break;
            }
            wait = Duration::ZERO;
            let effect = match event::read()? {
                Event::Key(k) if k.kind == KeyEventKind::Press => app.on_key(k),
                Event::Mouse(m) => app.on_mouse(m),
                Event::Paste(text) => app.on_paste(&text),
                Event::Resize(..) => {
                    app.dirty = true;
                    app.update(action::Action::Resize)
                }
                _ => None,
            };
            match effect {
                Some(Effect::Quit) => return Ok(()),
                Some(e) => {
                    if matches!(e, Effect::Load(_)) {
                        hold = Some(Instant::now() + HOLD_FOR_CACHED);
                    }
                    carry_out(app, loader, e);
                    app.dirty = true;
                }
                None => {}
            }
        }
    }
}

/// How long the frame after a period or filter change waits for the
/// worker's parts: a cached period's come within a few milliseconds;
/// otherwise "loading…" shows after this.
const HOLD_FOR_CACHED: Duration = Duration::from_millis(30);

/// Carries out one effect (everything but quitting).
pub fn carry_out(app: &mut App, loader: &Loader, effect: Effect) {
    match effect {
        Effect::Load(req) => loader.send(Job::Load(req)),
        Effect::Edit(cmd, req) => loader.send(Job::Edit(cmd, req)),
        Effect::Drill {
            rep,
            metric,
            period,
        } => loader.send(Job::Drill {
            rep,
            metric,
            period,
        }),
        Effect::Save { path, text } => {
            app.status = Some(match std::fs::write(&path, text) {
                Ok(()) => (theme::Role::Good, format!("saved {}", path.display())),
                Err(e) => (
                    theme::Role::Alert,
                    format!("{}: cannot write: {e}", path.display()),
                ),
            });
        }
        Effect::Quit => {}
    }
}

/// Timings of the cockpit on a database (`pipedeck bench`).
#[derive(Debug, Clone)]
pub struct CockpitBench {
    /// Open the database and draw the first frame (before any load).
    pub first_frame: Duration,
    /// Until the first part (review, hygiene, forecast) is drawn.
    pub first_data: Duration,
    /// Until every part is drawn.
    pub fully_loaded: Duration,
    /// Per pane: mean time to switch to it and draw, over `rounds`.
    pub switches: Vec<(&'static str, Duration)>,
    pub rounds: u32,
    /// Building the periods beside the loaded one while idle (the worker's
    /// prefetch; not on screen).
    pub prefetch: Duration,
    /// Previous period, prefetched: until its first part is drawn, and
    /// every part.
    pub period_change: Option<(Duration, Duration)>,
    /// The period before that, not prefetched (cold): the same two.
    pub period_change_cold: Option<(Duration, Duration)>,
}

/// Loads the app's request part by part as the worker does, drawing each
/// part; the instants (from `t0`) of the first part drawn and of the last.
fn timed_load(
    store: &crate::storage::Store,
    env: &Env,
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    cache: &mut loader::Cache,
    t0: Instant,
) -> Result<(Duration, Duration), TuiError> {
    let req = app.request();
    let mut first = None;
    // The parts the cache holds come at once, before any is built: the
    // event loop applies them together and draws one frame (it drains
    // every reply waiting, and holds the frame for them after a load is
    // sent); each part built is drawn as it comes.
    let mut cached: Vec<&str> = req
        .parts
        .names()
        .into_iter()
        .filter(|n| cache.get(&req, n).is_some())
        .collect();
    if loader::cache::data_version(store).ok() != cache.version() {
        cached.clear();
    }
    let mut review_in = false;
    let mut emit = |part: loader::Part| {
        // The first panes are the review part's (review, hygiene,
        // forecast): a part served from the cache before it (accuracy,
        // which reads no period) does not count alone.
        review_in |= matches!(part, loader::Part::Review { .. });
        let name = loader::cache::name(&part);
        app.on_part(req.generation, part);
        let batch = cached.iter().position(|n| *n == name).map(|i| {
            cached.remove(i);
        });
        if batch.is_some() && !cached.is_empty() {
            return true;
        }
        let Ok(_) = terminal.draw(|f| view::render(app, f.area(), f.buffer_mut()));
        if review_in || !req.parts.review {
            first.get_or_insert_with(|| t0.elapsed());
        }
        true
    };
    loader::load_cached(store, env, &req, Some(cache), &mut emit, &mut || false)?;
    app.on_done(req.generation);
    let Ok(_) = terminal.draw(|f| view::render(app, f.area(), f.buffer_mut()));
    let all = t0.elapsed();
    Ok((first.unwrap_or(all), all))
}

/// Times the cockpit on `TestBackend` (`width`×`height`): start to first
/// frame with data, then each pane switch.
pub fn bench_cockpit(
    db_path: &std::path::Path,
    env: Env,
    ui: &UiConfig,
    width: u16,
    height: u16,
    rounds: u32,
) -> Result<CockpitBench, TuiError> {
    let t0 = Instant::now();
    let store = crate::storage::Store::open_read_only(db_path)?;
    bench_cockpit_store(&store, env, ui, width, height, rounds, t0)
}

/// [`bench_cockpit`] on an open store (say the demo written to
/// `Store::open_in_memory`); the first frame is timed from `t0`.
pub fn bench_cockpit_store(
    store: &crate::storage::Store,
    env: Env,
    ui: &UiConfig,
    width: u16,
    height: u16,
    rounds: u32,
    t0: Instant,
) -> Result<CockpitBench, TuiError> {
    let mut app = build_app(env.clone(), ui, Start::Manager, true)?;
    app.now = chrono::DateTime::from_naive_utc_and_offset(
        env.today.and_hms_opt(9, 0, 0).unwrap_or_default(),
        chrono::Utc,
    );
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).map_err(|e| -> TuiError { match e {} })?;
    // As the real cockpit: the first frame before any load, then each part
    // drawn as it arrives.
    let draw = |terminal: &mut Terminal<TestBackend>, app: &App| {
        let Ok(_) = terminal.draw(|f| view::render(app, f.area(), f.buffer_mut()));
    };
    draw(&mut terminal, &app);
    let first_frame = t0.elapsed();
    let mut cache = loader::Cache::default();
    let (first_data, fully_loaded) =
        timed_load(store, &env, &mut app, &mut terminal, &mut cache, t0)?;
    let mut switches = Vec::new();
    let rounds = rounds.max(1);
    for (focus, action) in [
        ("review", action::Action::FocusReview),
        ("hygiene", action::Action::FocusHygiene),
        ("reps", action::Action::FocusReps),
        ("anomalies", action::Action::FocusAnomalies),
        ("forecast", action::Action::FocusForecast),
        ("pipeline", action::Action::FocusPipeline),
        ("deal", action::Action::FocusDeal),
        ("help", action::Action::Help),
    ] {
        let t = Instant::now();
        for _ in 0..rounds {
            app.update(action::Action::FocusReview);
            app.update(action);
            terminal
                .draw(|f| view::render(&app, f.area(), f.buffer_mut()))
                .map_err(|e| -> TuiError { match e {} })?;
        }
        switches.push((focus, t.elapsed() / rounds));
    }
    // Idle after the load, the worker builds the periods beside it.
    let t = Instant::now();
    loader::prefetch(store, &env, &app.request(), &mut cache)?;
    let prefetch = t.elapsed();
    let mut change =
        |app: &mut App, cache: &mut loader::Cache| match app.update(action::Action::PeriodPrev) {
            Some(app::Effect::Load(_)) => {
                timed_load(store, &env, app, &mut terminal, cache, Instant::now()).map(Some)
            }
            _ => Ok(None),
        };
    // The previous period was prefetched; the one before it was not.
    let period_change = change(&mut app, &mut cache)?;
    let period_change_cold = change(&mut app, &mut cache)?;
    Ok(CockpitBench {
        first_frame,
        first_data,
        fully_loaded,
        switches,
        rounds,
        prefetch,
        period_change,
        period_change_cold,
    })
}

/// One edit timed through the cockpit's own worker (`pipedeck bench`).
#[derive(Debug, Clone)]
pub struct EditBench {
    /// From the key (`>`: push the close date a week) to the Deal pane
    /// drawn with the new close date (shown once the worker reports it
    /// saved, before any part is rebuilt).
    pub visible: Duration,
    /// From the key to the review part rebuilt and drawn (agenda, hygiene,
    /// pipeline, forecast with the edit).
    pub review: Duration,
    /// From the key to every part the edit can change reloaded and drawn.
    pub full: Duration,
    /// The deal edited: the first open deal of the review agenda (else of
    /// the pipeline).
    pub deal: crate::domain::OppId,
    pub before: Option<chrono::NaiveDate>,
    pub after: chrono::NaiveDate,
    /// The frame drawn when `visible` was taken shows the new close date.
    pub shown: bool,
}

/// Times one edit as a manager makes it in the review: on a copy of `db`
/// written to `copy` (the copy is not timed; `db` is never opened), opens
/// the cockpit on `TestBackend`, waits until fully loaded, selects the first
/// open deal of the review agenda, opens it and pushes its close date a week
/// (`PushClose`), carried out by the cockpit's worker ([`Loader`]) exactly as
/// in the terminal. `None` when no open deal is on screen to edit.
pub fn bench_cockpit_edit(
    db: &std::path::Path,
    copy: &std::path::Path,
    env: Env,
    ui: &UiConfig,
    width: u16,
    height: u16,
) -> Result<Option<EditBench>, TuiError> {
    for stale in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{stale}", copy.display()));
    }
    std::fs::copy(db, copy)?;
    let store = crate::storage::Store::open_existing(copy)?;
    let mut app = build_app(env.clone(), ui, Start::Manager, true)?;
    app.now = chrono::Utc::now();
    let mut terminal =
        Terminal::new(TestBackend::new(width, height)).map_err(|e| -> TuiError { match e {} })?;
    let loader = Loader::spawn_on(store, env);
    let first = app.reload();
    carry_out(&mut app, &loader, first);
    until_done(&loader, &mut app, &mut terminal, &mut |_, _, _| {})?;
    let Some(id) = first_open_deal(&mut app) else {
        return Ok(None);
    };
    let before = app.data.opportunity(&id).and_then(|o| o.close_date);
    app.update(action::Action::Open);
    let Ok(_) = terminal.draw(|f| view::render(&app, f.area(), f.buffer_mut()));
    let t = Instant::now();
    let edit = app.update(action::Action::PushClose);
    let after = match &edit {
        Some(Effect::Edit(edit::EditCmd::SetCloseDate { date, .. }, _)) => *date,
        other => {
            return Err(TuiError::Storage(crate::storage::StorageError::BadValue(
                format!("the bench's edit did not start: {other:?}"),
            )));
        }
    };
    if let Some(e) = edit {
        carry_out(&mut app, &loader, e);
    }
    let mut seen = None;
    let mut review = None;
    let wanted = after.to_string();
    until_done(
        &loader,
        &mut app,
        &mut terminal,
        &mut |app, part, terminal| {
            if review.is_none() && part {
                review = Some(t.elapsed());
            }
            let on_pane = app.deal.opp.as_ref() == Some(&id)
                && app.deal.data.opportunity(&id).and_then(|o| o.close_date) == Some(after);
            if on_pane && seen.is_none() {
                seen = Some((t.elapsed(), buffer_text(terminal).contains(&wanted)));
            }
        },
    )?;
    let full = t.elapsed();
    let (visible, shown) = seen.unwrap_or((full, false));
    Ok(Some(EditBench {
        visible,
        review: review.unwrap_or(full),
        full,
        deal: id,
        before,
        after,
        shown,
    }))
}

/// Applies the worker's replies, drawing after each, until the load of the
/// app's current generation is done; `drawn` sees each frame drawn, and
/// whether it is the first with that load's review part.
fn until_done(
    loader: &Loader,
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    drawn: &mut dyn FnMut(&App, bool, &Terminal<TestBackend>),
) -> Result<(), TuiError> {
    loop {
        let Some(reply) = loader.recv() else {
            return Err(TuiError::Storage(crate::storage::StorageError::BadValue(
                "the cockpit's worker stopped".into(),
            )));
        };
        let g = app.generation;
        let review = matches!(&reply, Reply::Part(n, p) if *n == g && matches!(**p, loader::Part::Review { .. }));
        let done = matches!(reply, Reply::Done(n) if n == g);
        let failed = match &reply {
            Reply::Failed(e) => Some(e.clone()),
            Reply::Edited(Err(e)) => Some(e.clone()),
            _ => None,
        };
        apply_reply(app, reply);
        if let Some(e) = failed {
            return Err(TuiError::Storage(crate::storage::StorageError::BadValue(e)));
        }
        let Ok(_) = terminal.draw(|f| view::render(app, f.area(), f.buffer_mut()));
        drawn(app, review, terminal);
        if done {
            return Ok(());
        }
    }
}

/// The text of the last frame drawn.
fn buffer_text(terminal: &Terminal<TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    buf.content().iter().map(|c| c.symbol()).collect()
}

/// The selected row of the focused pane's list, if it has one.
fn list_at(app: &mut App) -> Option<usize> {
    let focus = app.focus;
    app.pane_mut(focus).list().map(|l| l.selected)
}

/// Selects the first open deal of the review agenda (rep by rep, box by
/// box), else of the pipeline; the pane is left focused on it.
fn first_open_deal(app: &mut App) -> Option<crate::domain::OppId> {
    let open = |app: &App| {
        app.selected_deal().filter(|id| {
            app.data
                .opportunity(id)
                .is_some_and(|o| o.status == crate::domain::Status::Open)
        })
    };
    let scan = |app: &mut App| {
        for _ in 0..500 {
            if let Some(id) = open(app) {
                return Some(id);
            }
            let at = list_at(app);
            app.update(action::Action::Down);
            if list_at(app) == at {
                return None;
            }
        }
        None
    };
    app.update(action::Action::FocusReview);
    for _ in 0..app.review.reps.len().max(1) {
        for b in 0..crate::domain::review::TIME_BOXES.len() {
            app.review.switch_box(b, app.now);
            if let Some(id) = scan(app) {
                return Some(id);
            }
        }
        app.update(action::Action::NextRep);
    }
    app.update(action::Action::FocusPipeline);
    scan(app)
}
