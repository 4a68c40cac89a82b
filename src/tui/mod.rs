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
mod bench;
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
pub use bench::*;
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
    /// Today is the clock's date (no `--today`): past midnight the cockpit
    /// moves to the new day (`App::on_clock`).
    pub follows_clock: bool,
    /// The cockpit's keys and colours.
    pub ui: UiConfig,
    pub start: Start,
    pub no_color: bool,
    /// A warning for the status line at start (a goal that applies to no
    /// one), unless the file's being read-only is said there.
    pub notice: Option<String>,
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
    app.follows_clock = opts.follows_clock;
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
    if app.status.is_none()
        && let Some(notice) = opts.notice
    {
        app.status = Some((theme::Role::Alert, notice));
    }
    let mut loader = Loader::spawn_on(opts.store, opts.env);
    loader.send(Job::CheckPages);
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
    // The review's timers as they stand, kept for a resumed review.
    app.now = chrono::Utc::now();
    if let Some(clock) = app.box_clock() {
        carry_out(&mut app, &loader, clock);
    }
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
        Reply::Timeline(id, acts) => app.on_timeline(id, acts),
        Reply::Failed(e) => app.on_failed(e),
        Reply::Warn(e) => app.status = Some((theme::Role::Alert, e)),
        Reply::Damaged(e) => {
            app.status = Some((theme::Role::Alert, e.clone()));
            app.damaged = Some(e);
        }
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
        // Keys pressed while an edit was saved, now from it.
        while let Some(e) = app.next_queued() {
            if e == Effect::Quit {
                return Ok(());
            }
            carry_out(app, loader, e);
        }
        hold = None;
        if let Some(e) = app.on_clock(chrono::Utc::now()) {
            carry_out(app, loader, e);
            app.dirty = true;
        }
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
        Effect::NewDay { today, load } => {
            loader.send(Job::NewDay(today));
            loader.send(Job::Load(load));
        }
        Effect::Edit(cmd, req) => loader.send(Job::Edit(cmd, req)),
        Effect::Timeline(id) => loader.send(Job::Timeline(id)),
        Effect::BoxClock { session, seconds } => loader.send(Job::BoxClock { session, seconds }),
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
