//! `pipedeck bench`'s cockpit: the app driven on a `TestBackend` as the
//! event loop drives it, timed from the first frame to every part drawn, a
//! pane switch, a period change and one edit.

use super::*;

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
    cache.validate(store)?;
    let mut cached: Vec<&str> = req
        .parts
        .names()
        .into_iter()
        .filter(|n| cache.has(&req, n))
        .collect();
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
    // The deal opened as on screen: its activities read on the worker.
    if let Some(e) = app.update(action::Action::Open) {
        carry_out(&mut app, &loader, e);
        while let Some(reply) = loader.recv() {
            let timeline = matches!(reply, Reply::Timeline(..));
            apply_reply(&mut app, reply);
            if timeline {
                break;
            }
        }
    }
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
            Reply::Edited(Err(e)) => Some(e.message.clone()),
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
