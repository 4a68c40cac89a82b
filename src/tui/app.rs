//! The cockpit's state and the one place actions change it. `update` never
//! touches the database or the clock: it returns an `Effect` (load, save an
//! edit, write a file, quit) that the event loop carries out.

use super::action::Action;
use super::edit::{Done, EditCmd};
use super::keymap::{Key, Keymap};
use super::loader::{Env, Loaded, Part, Reload, Request, ReviewViews};
use super::panes::{
    anomalies::AnomaliesPane, deal::DealPane, forecast::ForecastPane, help::HelpPane,
    hygiene::HygienePane, pipeline::PipelinePane, reps::RepsPane, review::ReviewPane,
};
use super::prompt::Prompt;
use super::theme::{Role, Theme};
use crate::domain::{Dataset, OppId, Period, PeriodKind, RepId};
use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::sync::Arc;

pub use super::pane::Focus;
use super::pane::Pane;

/// Where the cockpit opens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Start {
    /// The manager's home: review agenda, hygiene, reps at a glance.
    #[default]
    Manager,
    /// A rep's morning view: their deals to work first, their metrics against the team.
    Rep(RepId),
    /// The founder's forecast view.
    Forecast,
}

/// Work for the event loop.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Load every report for this request (on the worker).
    Load(Request),
    /// A new day began (past midnight): the worker's rules judge `today`
    /// from now on, nothing built before is served again, and `load` loads
    /// every report for it.
    NewDay {
        today: chrono::NaiveDate,
        load: Request,
    },
    /// Save an edit, then load again.
    Edit(EditCmd, Request),
    /// Read every activity of the deal just opened (on the worker).
    Timeline(OppId),
    /// Build the drill-down of a rep's metric (on the worker).
    Drill {
        rep: String,
        metric: String,
        period: Period,
    },
    /// Write a file (the closing report as Markdown).
    Save {
        path: PathBuf,
        text: String,
    },
    /// Keep the running review's time in each box (no reload).
    BoxClock {
        session: i64,
        seconds: Vec<i64>,
    },
    Quit,
}

/// The whole cockpit.
pub struct App {
    pub env: Env,
    pub keymap: Keymap,
    pub theme: Theme,
    pub focus: Focus,
    /// Where `esc` from help goes back to.
    pub before_help: Focus,
    /// The instant timers are read against (set by the loop on each tick).
    pub now: DateTime<Utc>,
    pub period_kind: PeriodKind,
    pub period: Period,
    /// A period was picked on screen (`p`, `[`, `]`, `P`): the anomalies
    /// follow it; until then they judge the last complete week.
    pub period_picked: bool,
    pub rep_filter: Option<RepId>,
    pub generation: u64,
    pub loading: bool,
    /// The parts of the current load not arrived yet: an edit's reload
    /// builds them too (their panes may still show an older period's data).
    pub awaiting: Reload,
    pub data: Arc<Dataset>,
    pub review: ReviewPane,
    pub hygiene: HygienePane,
    pub reps: RepsPane,
    pub anomalies: AnomaliesPane,
    pub forecast: ForecastPane,
    pub pipeline: PipelinePane,
    pub deal: DealPane,
    pub help: HelpPane,
    pub prompt: Option<Prompt>,
    /// The status line: a message and its role.
    pub status: Option<(Role, String)>,
    /// What the check of the file's pages found wrong: on the status line
    /// whenever no other message is (edits are refused from then on).
    pub damaged: Option<String>,
    /// The terminal size at the last draw (for mouse hit-testing).
    pub area: Rect,
    /// Where the open deal was opened from (`esc` goes back there).
    pub deal_from: Option<Focus>,
    /// The database holds no deal and no rep: the welcome screen shows.
    pub empty: bool,
    /// The database file, for the welcome screen's commands.
    pub db_path: Option<PathBuf>,
    /// How the cockpit was opened (the rep's own view keeps to that rep).
    pub start: Start,
    /// Edits saved in this session, newest last, with what undoes them.
    pub undo: Vec<super::edit::Undo>,
    /// The undo of each edit sent and not yet answered, oldest first.
    pub pending_undo: std::collections::VecDeque<Option<super::edit::Undo>>,
    /// Keys pressed while an edit was being saved, in order: taken once it
    /// is saved and shown (`App::next_queued`), so an edit key starts from
    /// it (two quick `+` push two weeks; `u` undoes the last saved) and
    /// keys typed ahead go where they would have (`W` `y` confirms).
    pub queued: std::collections::VecDeque<KeyEvent>,
    /// The next edit sent is an undo (it is not undone in turn).
    pub undoing: bool,
    /// The pick list open (a stage, a category, an outcome, an owner).
    pub picker: Option<super::prompt::Picker>,
    /// Something changed since the last frame (the loop draws only then).
    pub dirty: bool,
    /// Today is the clock's date (no `--today`), so a new day begins at
    /// midnight ([`App::on_clock`]); false: today stays as given.
    pub follows_clock: bool,
    /// When the running review's timers were last kept by the clock
    /// ([`App::on_clock`]), or first seen running.
    timers_kept_at: Option<DateTime<Utc>>,
}

/// While a review runs, its timers are kept at least this often (seconds):
/// a cockpit killed, not quit, loses at most this much of the box it was in.
const KEEP_TIMERS_EVERY: i64 = 60;

mod edits;
mod prompt_keys;
mod update;

impl App {
    pub fn new(env: Env, keymap: Keymap, theme: Theme, start: Start, now: DateTime<Utc>) -> App {
        let (focus, kind, rep_filter) = match start.clone() {
            Start::Manager => (Focus::Review, PeriodKind::Month, None),
            Start::Rep(id) => (Focus::Hygiene, PeriodKind::Month, Some(id)),
            Start::Forecast => (Focus::Forecast, PeriodKind::Quarter, None),
        };
        let period = env.cal.containing(kind, env.today);
        let mut deal = DealPane::default();
        deal.cal = env.cal;
        deal.today = env.today;
        App {
            env,
            keymap,
            theme,
            focus,
            before_help: focus,
            now,
            period_kind: kind,
            period,
            period_picked: false,
            rep_filter,
            generation: 0,
            loading: true,
            awaiting: Reload::ALL,
            data: Arc::new(Dataset::default()),
            review: ReviewPane::default(),
            hygiene: HygienePane::default(),
            reps: RepsPane::default(),
            anomalies: AnomaliesPane::default(),
            forecast: ForecastPane::default(),
            pipeline: PipelinePane::default(),
            deal,
            help: HelpPane::default(),
            prompt: None,
            status: None,
            damaged: None,
            area: Rect::new(0, 0, 80, 24),
            deal_from: None,
            empty: false,
            db_path: None,
            start,
            undo: Vec::new(),
            pending_undo: Default::default(),
            queued: Default::default(),
            undoing: false,
            picker: None,
            dirty: true,
            follows_clock: false,
            timers_kept_at: None,
        }
    }

    /// The clock, read before each frame. Past midnight in the configured
    /// time zone, a cockpit that follows the clock moves to the new day:
    /// its rules judge that day (untouched days, past due, the review's
    /// week), the period on screen follows it unless one was picked, and
    /// every report is loaded again for it (a cockpit left open overnight
    /// shows the morning's list, not yesterday's). Otherwise, while a
    /// review runs, its timers are kept every [`KEEP_TIMERS_EVERY`] seconds.
    pub fn on_clock(&mut self, now: DateTime<Utc>) -> Option<Effect> {
        self.now = now;
        let day = self.env.cal.local_date(now);
        if !self.follows_clock || day <= self.env.today {
            return self.keep_timers(now);
        }
        self.env.today = day;
        self.deal.today = day;
        if !self.period_picked {
            self.period = self.env.cal.containing(self.period_kind, day);
        }
        self.status = Some((Role::Muted, format!("a new day: {day}")));
        Some(Effect::NewDay {
            today: day,
            load: self.next_load(),
        })
    }

    /// The running review's timers to keep, once a minute has passed since
    /// they were last kept by the clock (a move between boxes keeps them
    /// too); none before the database has opened the session.
    fn keep_timers(&mut self, now: DateTime<Utc>) -> Option<Effect> {
        if self.session().is_none() {
            self.timers_kept_at = None;
            return None;
        }
        let last = *self.timers_kept_at.get_or_insert(now);
        if (now - last).num_seconds() < KEEP_TIMERS_EVERY {
            return None;
        }
        self.timers_kept_at = Some(now);
        self.box_clock()
    }

    /// The rep whose own view this is (`--rep`).
    pub fn rep_view(&self) -> Option<&RepId> {
        match &self.start {
            Start::Rep(id) => Some(id),
            _ => None,
        }
    }

    /// The panes of the tab bar: the rep's own view has no team review.
    pub fn tabs(&self) -> Vec<Focus> {
        Focus::tabs()
            .into_iter()
            .filter(|f| self.rep_view().is_none() || *f != Focus::Review)
            .collect()
    }

    /// The position shown on a pane's bottom border (`12/102`, `lines 1–20 of 40`).
    pub fn position(&self, focus: Focus) -> Option<String> {
        self.pane(focus).position()
    }

    /// The pane behind a focus: the one dispatch from a focus to its pane.
    pub fn pane(&self, focus: Focus) -> &dyn Pane {
        match focus {
            Focus::Review => &self.review,
            Focus::Hygiene => &self.hygiene,
            Focus::Reps => &self.reps,
            Focus::Anomalies => &self.anomalies,
            Focus::Forecast => &self.forecast,
            Focus::Pipeline => &self.pipeline,
            Focus::Deal => &self.deal,
            Focus::Help => &self.help,
        }
    }

    /// [`App::pane`], to change it.
    pub fn pane_mut(&mut self, focus: Focus) -> &mut dyn Pane {
        match focus {
            Focus::Review => &mut self.review,
            Focus::Hygiene => &mut self.hygiene,
            Focus::Reps => &mut self.reps,
            Focus::Anomalies => &mut self.anomalies,
            Focus::Forecast => &mut self.forecast,
            Focus::Pipeline => &mut self.pipeline,
            Focus::Deal => &mut self.deal,
            Focus::Help => &mut self.help,
        }
    }

    /// The request for the current period and filter.
    pub fn request(&self) -> Request {
        Request {
            generation: self.generation,
            period: self.period,
            rep: self.rep_filter.clone(),
            anomalies_period: self.period_picked.then_some(self.period),
            own_view: self.rep_view().is_some(),
            parts: Reload::ALL,
            deal: self.deal.opp.clone(),
        }
    }

    /// A new load: numbered after every earlier one.
    pub fn reload(&mut self) -> Effect {
        Effect::Load(self.next_load())
    }

    /// The request of a new load of every part, numbered after every
    /// earlier one (the app now awaits its parts).
    fn next_load(&mut self) -> Request {
        self.generation += 1;
        self.loading = true;
        self.awaiting = Reload::ALL;
        self.request()
    }

    /// Takes a finished load (older generations are ignored: a newer one is coming).
    pub fn on_loaded(&mut self, l: Loaded) {
        for part in l.views.into_parts(l.data) {
            self.on_part(l.generation, part);
        }
        self.on_done(l.generation);
    }

    /// The load numbered `generation` is complete.
    pub fn on_done(&mut self, generation: u64) {
        if generation >= self.generation {
            self.loading = false;
            self.awaiting = Reload::NONE;
            self.dirty = true;
        }
    }

    /// Takes one group of panes of a load as it arrives (older generations
    /// are ignored: a newer one is coming). The other panes keep what they
    /// show ("loading…" until their first part; after an edit, their values
    /// until the part's new values arrive).
    pub fn on_part(&mut self, generation: u64, part: Part) {
        if generation < self.generation {
            return;
        }
        self.awaiting.arrived(&part);
        self.dirty = true;
        let me = self.rep_view().cloned();
        match part {
            Part::Review { data, views } => self.on_review(data, *views, me.as_ref()),
            Part::Accuracy(mut accuracy) => {
                if let Some(me) = &me {
                    let a = &mut accuracy.accuracy;
                    a.team = a.reps.iter().filter(|q| q.key == me.0).cloned().collect();
                    a.reps.clear();
                }
                self.forecast.set_accuracy(accuracy);
            }
            Part::Metrics { mut metrics, cuts } => {
                if let Some(me) = &me {
                    metrics.reps.retain(|r| r.rep_id == me.as_str());
                }
                self.reps.focus_rep = self.rep_filter.as_ref().map(|r| r.0.to_string());
                self.reps.today = self.env.today;
                self.reps.set(metrics);
                self.reps.set_cuts(cuts);
            }
            Part::Anomalies {
                anomalies,
                rep_anomalies,
            } => {
                self.reps.set_flags(&rep_anomalies);
                self.anomalies.set(anomalies);
            }
        }
    }

    fn on_review(&mut self, data: Arc<Dataset>, mut v: ReviewViews, me: Option<&RepId>) {
        self.review_still_open(v.open_session);
        self.data = data.clone();
        self.empty = self.data.opportunities.is_empty() && self.data.reps.is_empty();
        self.pipeline.list.set(std::mem::take(&mut v.pipeline));
        if let Some(me) = me {
            own_forecast(&mut v.forecast, me);
            self.reps.own = true;
            self.hygiene.own = true;
            self.pipeline.set_own(&self.data, me);
        }
        let names = self
            .data
            .reps
            .iter()
            .map(|r| (r.id.0.to_string(), r.name.clone()))
            .collect();
        self.hygiene.set(v.hygiene, names);
        self.forecast
            .set(v.forecast, v.waterfall, v.movement, &self.data);
        self.review.set(v.agenda);
        if let Some(rep) = &self.rep_filter
            && let Some(i) = self.review.reps.iter().position(|r| &r.0 == rep)
            && i != self.review.rep_idx
        {
            self.review.rep_idx = i;
            self.review.rebuild();
        }
        self.deal.data = data;
        self.deal.scores = v.scores;
        self.deal.flagged = v.flagged;
        self.deal.prepare();
    }

    /// Takes a deal's activities read whole, or why they could not be (the
    /// deal pane says so); a reply for a deal no longer open is dropped.
    pub fn on_timeline(&mut self, id: OppId, read: Result<super::loader::Timeline, String>) {
        if self.deal.opp.as_ref() != Some(&id) {
            return;
        }
        self.deal.set_read(read);
        self.dirty = true;
    }

    /// The outcome of an edit.
    pub fn on_edited(&mut self, result: Result<Done, super::edit::Refused>) {
        self.dirty = true;
        let undo = self.pending_undo.pop_front().flatten();
        match result {
            Ok(mut done) => {
                if let Some(applied) = done.deal.take() {
                    self.show_saved_deal(*applied);
                }
                if let Some(u) = undo.filter(|u| u.reverse != Err("an undo".to_string())) {
                    self.undo.push(u);
                }
                if let (Some(id), Some(run)) = (done.session_started, self.review.run.as_mut()) {
                    run.session = Some(id);
                    // A resumed review carries on its boxes' timers.
                    if let Some(kept) = done.box_seconds {
                        for (spent, secs) in run.spent.iter_mut().zip(kept) {
                            *spent = secs;
                        }
                        run.box_started_at = self.now;
                    }
                }
                if let Some(md) = done.closing_report {
                    self.review.run = None;
                    self.review.closing = Some(md);
                    self.review.scroll = 0;
                    self.focus = Focus::Review;
                }
                self.status = Some((Role::Good, done.message));
            }
            Err(e) => {
                if self
                    .review
                    .run
                    .as_ref()
                    .is_some_and(|r| r.session.is_none())
                {
                    self.review.run = None;
                }
                if let Some(id) = e.session_ended {
                    self.leave_ended_review(id);
                }
                self.status = Some((Role::Alert, e.message));
            }
        }
    }

    /// A deal edit just saved, shown at once, before the review part is
    /// rebuilt: the deal and its new history rows replace the old in a copy
    /// of the review window, which the Deal pane and the next edit key read
    /// (a second `>` pushes from the new date). The lists follow with the
    /// review part.
    fn show_saved_deal(&mut self, applied: crate::domain::edit::Applied) {
        if self.data.opportunity(&applied.deal.id).is_none() {
            return;
        }
        // The Deal pane lets go of the window first: it is then copied only
        // while the worker's cache still holds it (each edit clears that).
        self.deal.data = Arc::default();
        let data = Arc::make_mut(&mut self.data);
        if let Some(o) = data
            .opportunities
            .iter_mut()
            .find(|o| o.id == applied.deal.id)
        {
            *o = applied.deal;
        }
        data.history.extend(applied.history);
        self.deal.data = self.data.clone();
        self.deal.prepare();
    }

    /// A drill-down arrived.
    pub fn on_drill(&mut self, result: Result<crate::report::drill::DrillReport, String>) {
        self.status = None;
        self.anomalies.open_drill(result);
        self.focus = Focus::Anomalies;
    }

    /// A failed load or a dead worker.
    pub fn on_failed(&mut self, e: String) {
        self.loading = false;
        self.status = Some((Role::Alert, e));
    }

    /// A key from the terminal: typed into the prompt, or mapped to an action.
    pub fn on_key(&mut self, ev: KeyEvent) -> Option<Effect> {
        self.dirty = true;
        // While an edit is being saved (a few tens of milliseconds), keys
        // wait their turn behind it and any before them; ctrl-c never waits
        // (it drops them: a way out should a save never answer).
        let ctrl_c = ev.code == ratatui::crossterm::event::KeyCode::Char('c')
            && ev
                .modifiers
                .contains(ratatui::crossterm::event::KeyModifiers::CONTROL);
        if ctrl_c {
            self.queued.clear();
        } else if !self.pending_undo.is_empty() || !self.queued.is_empty() {
            self.queued.push_back(ev);
            return None;
        }
        self.key(ev)
    }

    /// One key, its turn come.
    fn key(&mut self, ev: KeyEvent) -> Option<Effect> {
        if self.picker.is_some() {
            return self.picker_key(ev);
        }
        if self.prompt.is_some() {
            return self.prompt_key(ev);
        }
        let key = Key::from_event(ev)?;
        let action = self.keymap.action(self.focus.mode(), key)?;
        self.update(action)
    }

    /// Mouse: the wheel scrolls the focused pane, a click focuses the pane
    /// under it and selects the row clicked.
    pub fn on_mouse(&mut self, ev: MouseEvent) -> Option<Effect> {
        self.dirty = true;
        match ev.kind {
            MouseEventKind::ScrollUp => self.update(Action::ScrollUp),
            MouseEventKind::ScrollDown => self.update(Action::ScrollDown),
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(f) = super::view::pane_at(self, ev.column, ev.row) {
                    self.focus = f;
                    if let Some(l) = self.list_mut() {
                        l.click(ev.column, ev.row);
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// The deal the edit keys act on: the selected row's, or the open deal.
    pub fn selected_deal(&self) -> Option<OppId> {
        match self.focus {
            Focus::Review => self.review.agenda.selected_deal(),
            Focus::Hygiene => self.hygiene.list.selected_deal(),
            Focus::Pipeline => self.pipeline.list.selected_deal(),
            Focus::Deal => self.deal.opp.clone(),
            _ => None,
        }
    }
}

/// The rep's own view of the reports: their forecast line as the headline
/// (no other rep named), their accuracy, their part of the call's movement;
/// the waterfall over their own deals is built by the loader's filter.
fn own_forecast(f: &mut crate::report::forecast::ForecastReport, me: &RepId) {
    let f = &mut f.forecast;
    if let Some(mut mine) = f.reps.iter().find(|l| l.key == me.0).cloned() {
        mine.label = f
            .team
            .first()
            .map_or(mine.label.clone(), |t| t.label.clone());
        f.team = vec![mine];
    } else {
        f.team.clear();
    }
    f.reps.clear();
}
