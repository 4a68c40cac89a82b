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
    let loader = Loader::spawn_on(opts.store, opts.env);
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
    loop {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        while let Some(reply) = loader.try_recv() {
            apply_reply(app, reply);
            app.dirty = true;
        }
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
        let mut wait = Duration::from_millis(200);
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
                    carry_out(app, loader, e);
                    app.dirty = true;
                }
                None => {}
            }
        }
    }
}

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
    /// Previous period: until its first part is drawn, and every part.
    pub period_change: Option<(Duration, Duration)>,
}

/// Loads the app's request part by part as the worker does, drawing each
/// part; the instants (from `t0`) of the first part drawn and of the last.
fn timed_load(
    store: &crate::storage::Store,
    env: &Env,
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    t0: Instant,
) -> Result<(Duration, Duration), TuiError> {
    let req = app.request();
    let mut first = None;
    loader::load_parts(store, env, &req, &mut |part| {
        app.on_part(req.generation, part);
        let Ok(_) = terminal.draw(|f| view::render(app, f.area(), f.buffer_mut()));
        first.get_or_insert_with(|| t0.elapsed());
        true
    })?;
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
    let (first_data, fully_loaded) = timed_load(store, &env, &mut app, &mut terminal, t0)?;
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
    let period_change = match app.update(action::Action::PeriodPrev) {
        Some(app::Effect::Load(_)) => Some(timed_load(
            store,
            &env,
            &mut app,
            &mut terminal,
            Instant::now(),
        )?),
        _ => None,
    };
    Ok(CockpitBench {
        first_frame,
        first_data,
        fully_loaded,
        switches,
        rounds,
        period_change,
    })
}
