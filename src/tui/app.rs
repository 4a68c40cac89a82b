//! The cockpit's state and the one place actions change it. `update` never
//! touches the database or the clock: it returns an `Effect` (load, save an
//! edit, write a file, quit) that the event loop carries out.

use super::action::Action;
use super::edit::{Done, EditCmd};
use super::keymap::{Key, Keymap, Mode};
use super::loader::{Env, Loaded, Request};
use super::panes::{
    TablesPane, anomalies::AnomaliesPane, deal::DealPane, forecast::ForecastPane, help::HelpPane,
    hygiene::HygienePane, pipeline::PipelinePane, reps::RepsPane, review::ReviewPane,
    review::ReviewRun,
};
use super::prompt::{Prompt, PromptFor};
use super::theme::{Role, Theme};
use crate::domain::{ActivityKind, Dataset, OppId, Period, PeriodKind, RepId, StageKind, StuckTag};
use chrono::{DateTime, Days, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::sync::Arc;

/// The pane that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Review,
    Hygiene,
    Reps,
    Anomalies,
    Forecast,
    Pipeline,
    Deal,
    Help,
}

impl Focus {
    /// The panes `tab` cycles through, in tab-bar order.
    pub const TABS: [Focus; 7] = [
        Focus::Review,
        Focus::Hygiene,
        Focus::Reps,
        Focus::Anomalies,
        Focus::Forecast,
        Focus::Pipeline,
        Focus::Deal,
    ];

    pub fn mode(self) -> Mode {
        match self {
            Focus::Review => Mode::Review,
            Focus::Hygiene => Mode::Hygiene,
            Focus::Reps => Mode::Reps,
            Focus::Anomalies => Mode::Anomalies,
            Focus::Forecast => Mode::Forecast,
            Focus::Pipeline => Mode::Pipeline,
            Focus::Deal => Mode::Deal,
            Focus::Help => Mode::Help,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Focus::Review => "Review",
            Focus::Hygiene => "Hygiene",
            Focus::Reps => "Reps",
            Focus::Anomalies => "Anomalies",
            Focus::Forecast => "Forecast",
            Focus::Pipeline => "Pipeline",
            Focus::Deal => "Deal",
            Focus::Help => "Help",
        }
    }
}

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
    /// Save an edit, then load again.
    Edit(EditCmd, Request),
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
    pub rep_filter: Option<RepId>,
    pub generation: u64,
    pub loading: bool,
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
    /// The terminal size at the last draw (for mouse hit-testing).
    pub area: Rect,
}

impl App {
    pub fn new(env: Env, keymap: Keymap, theme: Theme, start: Start, now: DateTime<Utc>) -> App {
        let (focus, kind, rep_filter) = match start {
            Start::Manager => (Focus::Review, PeriodKind::Month, None),
            Start::Rep(id) => (Focus::Hygiene, PeriodKind::Month, Some(id)),
            Start::Forecast => (Focus::Forecast, PeriodKind::Quarter, None),
        };
        let period = env.cal.containing(kind, env.today);
        let deal = DealPane {
            cal: env.cal,
            ..DealPane::default()
        };
        App {
            env,
            keymap,
            theme,
            focus,
            before_help: focus,
            now,
            period_kind: kind,
            period,
            rep_filter,
            generation: 0,
            loading: true,
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
            area: Rect::new(0, 0, 80, 24),
        }
    }

    /// The request for the current period and filter.
    pub fn request(&self) -> Request {
        Request {
            generation: self.generation,
            period: self.period,
            rep: self.rep_filter.clone(),
        }
    }

    /// A new load: numbered after every earlier one.
    pub fn reload(&mut self) -> Effect {
        self.generation += 1;
        self.loading = true;
        Effect::Load(self.request())
    }

    /// Takes a finished load (older generations are ignored: a newer one is coming).
    pub fn on_loaded(&mut self, l: Loaded) {
        if l.generation < self.generation {
            return;
        }
        self.loading = false;
        self.data = l.data.clone();
        let v = l.views;
        self.pipeline.list.set(v.pipeline);
        self.hygiene.set(v.hygiene);
        self.reps.focus_rep = self.rep_filter.as_ref().map(|r| r.0.clone());
        self.reps.set(v.metrics, &v.anomalies);
        self.anomalies.set(v.anomalies);
        self.forecast.set(v.forecast, v.waterfall, v.accuracy);
        self.review.set(v.agenda);
        if let Some(rep) = &self.rep_filter
            && let Some(i) = self.review.reps.iter().position(|r| &r.0 == rep)
            && i != self.review.rep_idx
        {
            self.review.rep_idx = i;
            self.review.rebuild();
        }
        self.deal.data = l.data;
        self.deal.hygiene = self.hygiene_row(self.deal.opp.as_ref());
    }

    /// The hygiene report's row of a deal, if it is flagged.
    fn hygiene_row(&self, id: Option<&OppId>) -> Option<crate::report::hygiene::HygieneRow> {
        let id = id?;
        self.hygiene
            .report
            .as_ref()?
            .rows
            .iter()
            .find(|r| &r.opportunity_id == id)
            .cloned()
    }

    /// The outcome of an edit.
    pub fn on_edited(&mut self, result: Result<Done, String>) {
        match result {
            Ok(done) => {
                if let (Some(id), Some(run)) = (done.session_started, self.review.run.as_mut()) {
                    run.session = Some(id);
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
                self.status = Some((Role::Alert, e));
            }
        }
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
        if self.prompt.is_some() {
            return self.prompt_key(ev);
        }
        let key = Key::from_event(ev)?;
        let action = self.keymap.action(self.focus.mode(), key)?;
        self.update(action)
    }

    /// Mouse: the wheel scrolls the focused pane, a click focuses the pane under it.
    pub fn on_mouse(&mut self, ev: MouseEvent) -> Option<Effect> {
        match ev.kind {
            MouseEventKind::ScrollUp => self.update(Action::ScrollUp),
            MouseEventKind::ScrollDown => self.update(Action::ScrollDown),
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(f) = super::view::pane_at(self, ev.column, ev.row) {
                    self.focus = f;
                }
                None
            }
            _ => None,
        }
    }

    fn prompt_key(&mut self, ev: KeyEvent) -> Option<Effect> {
        let prompt = self.prompt.as_mut()?;
        match ev.code {
            KeyCode::Esc => {
                let p = self.prompt.take()?;
                if p.purpose == PromptFor::Search {
                    self.set_filter(String::new());
                }
                None
            }
            KeyCode::Enter => {
                let p = self.prompt.take()?;
                self.submit(p)
            }
            KeyCode::Backspace => {
                prompt.text.pop();
                if prompt.purpose == PromptFor::Search {
                    let t = prompt.text.clone();
                    self.set_filter(t);
                }
                None
            }
            KeyCode::Char(c) if !c.is_control() => {
                prompt.text.push(c);
                if prompt.purpose == PromptFor::Search {
                    let t = prompt.text.clone();
                    self.set_filter(t);
                }
                None
            }
            _ => None,
        }
    }

    fn submit(&mut self, p: Prompt) -> Option<Effect> {
        let text = p.text.trim().to_string();
        let session = self.session();
        let today = self.env.today;
        match p.purpose {
            PromptFor::Search => None,
            PromptFor::Period => match self.env.cal.parse_period(&text, today) {
                Ok(period) => {
                    self.period = period;
                    Some(self.reload())
                }
                Err(e) => {
                    self.status = Some((Role::Alert, e));
                    None
                }
            },
            _ if text.is_empty() => {
                self.status = Some((Role::Warn, "nothing typed: nothing saved".into()));
                None
            }
            PromptFor::LossReason(opp) => self.edit(EditCmd::CloseLost {
                opp,
                reason: text,
                session,
            }),
            PromptFor::NextStep(opp) => self.edit(EditCmd::SetNextStep { opp, text, session }),
            PromptFor::Snooze(opp) => {
                let until = today.checked_add_days(Days::new(14)).unwrap_or(today);
                self.edit(EditCmd::Snooze {
                    opp,
                    reason: text,
                    until,
                    session,
                })
            }
            PromptFor::ActionItem(opp, owner) => {
                let due = today.checked_add_days(Days::new(7)).unwrap_or(today);
                self.edit(EditCmd::ActionItem {
                    opp,
                    owner,
                    text,
                    due,
                    session,
                })
            }
        }
    }

    fn edit(&mut self, cmd: EditCmd) -> Option<Effect> {
        self.generation += 1;
        self.loading = true;
        self.status = Some((
            Role::Muted,
            format!("saving: {}…", super::edit::describe(&cmd)),
        ));
        Some(Effect::Edit(cmd, self.request()))
    }

    fn session(&self) -> Option<i64> {
        self.review.run.as_ref().and_then(|r| r.session)
    }

    fn list_mut(&mut self) -> Option<&mut TablesPane> {
        match self.focus {
            Focus::Review => Some(&mut self.review.agenda),
            Focus::Hygiene => Some(&mut self.hygiene.list),
            Focus::Reps => Some(&mut self.reps.list),
            Focus::Anomalies => Some(match &mut self.anomalies.drill {
                Some(d) => d,
                None => &mut self.anomalies.list,
            }),
            Focus::Pipeline => Some(&mut self.pipeline.list),
            Focus::Forecast | Focus::Deal | Focus::Help => None,
        }
    }

    fn set_filter(&mut self, text: String) {
        if let Some(l) = self.list_mut() {
            l.filter = text;
            l.selected = 0;
            l.clamp();
        }
    }

    /// The deal the edit keys act on: the selected row's, or the open deal.
    pub fn selected_deal(&self) -> Option<OppId> {
        match self.focus {
            Focus::Review => self.review.agenda.selected_deal(),
            Focus::Hygiene => self.hygiene.list.selected_deal(),
            Focus::Deal => self.deal.opp.clone(),
            _ => None,
        }
    }

    fn scroll(&mut self, delta: isize) {
        let bump = |s: &mut u16| *s = (*s as isize + delta).max(0) as u16;
        match self.focus {
            Focus::Help => bump(&mut self.help.scroll),
            Focus::Deal => bump(&mut self.deal.scroll),
            Focus::Review if self.review.closing.is_some() && self.review.run.is_none() => {
                bump(&mut self.review.scroll)
            }
            _ => {
                if let Some(l) = self.list_mut() {
                    l.move_by(delta);
                }
            }
        }
    }

    /// Applies one action; returns the work the loop must do, if any.
    pub fn update(&mut self, action: Action) -> Option<Effect> {
        use Action::*;
        match action {
            Quit => return Some(Effect::Quit),
            Help => {
                if self.focus == Focus::Help {
                    self.focus = self.before_help;
                } else {
                    self.before_help = self.focus;
                    self.focus = Focus::Help;
                }
            }
            NextPane | PrevPane => {
                let i = Focus::TABS
                    .iter()
                    .position(|f| *f == self.focus)
                    .unwrap_or(0);
                let n = Focus::TABS.len();
                let j = if action == NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.focus = Focus::TABS[j];
            }
            FocusReview => self.focus = Focus::Review,
            FocusHygiene => self.focus = Focus::Hygiene,
            FocusReps => self.focus = Focus::Reps,
            FocusAnomalies => self.focus = Focus::Anomalies,
            FocusForecast => self.focus = Focus::Forecast,
            FocusPipeline => self.focus = Focus::Pipeline,
            FocusDeal => self.focus = Focus::Deal,
            Up | ScrollUp => self.scroll(-1),
            Down | ScrollDown => self.scroll(1),
            PageUp => self.scroll(-10),
            PageDown => self.scroll(10),
            Top => self.scroll(-100_000),
            Bottom => {
                if let Some(l) = self.list_mut() {
                    l.to_end();
                }
            }
            Open => return self.open(),
            Back => self.back(),
            Search => {
                if self.list_mut().is_some() {
                    self.prompt = Some(Prompt::new(PromptFor::Search, "search"));
                }
            }
            PeriodNext | PeriodPrev => {
                let n = if action == PeriodNext { 1 } else { -1 };
                self.period = self.env.cal.shift(self.period_kind, self.period, n);
                return Some(self.reload());
            }
            PeriodKind => {
                self.period_kind = match self.period_kind {
                    crate::domain::PeriodKind::Week => crate::domain::PeriodKind::Month,
                    crate::domain::PeriodKind::Month => crate::domain::PeriodKind::Quarter,
                    crate::domain::PeriodKind::Quarter => crate::domain::PeriodKind::Week,
                };
                self.period = self.env.cal.containing(self.period_kind, self.env.today);
                return Some(self.reload());
            }
            PeriodCustom => {
                self.prompt = Some(Prompt::new(
                    PromptFor::Period,
                    "period (2026-Q4, 2026-11, last-4-weeks, FROM..TO)",
                ));
            }
            RepFilter => {
                let mut ids: Vec<&crate::domain::Rep> = self
                    .data
                    .reps
                    .iter()
                    .filter(|r| r.is_active_on(self.env.today))
                    .filter(|r| {
                        matches!(r.role, crate::domain::Role::Ae | crate::domain::Role::Sdr)
                    })
                    .collect();
                ids.sort_by(|a, b| a.name.cmp(&b.name));
                let pos = self
                    .rep_filter
                    .as_ref()
                    .and_then(|f| ids.iter().position(|r| &r.id == f));
                self.rep_filter = match pos {
                    None => ids.first().map(|r| r.id.clone()),
                    Some(i) => ids.get(i + 1).map(|r| r.id.clone()),
                };
                return Some(self.reload());
            }
            Reload => return Some(self.reload()),
            Explain => {
                if self.focus == Focus::Hygiene {
                    self.hygiene.explaining = !self.hygiene.explaining;
                }
            }
            Sort => {
                self.hygiene.sort = self.hygiene.sort.next();
                self.hygiene.rebuild();
            }
            ReasonFilter => self.hygiene.cycle_reason(),
            ToggleSnoozed => {
                self.hygiene.show_snoozed = !self.hygiene.show_snoozed;
                self.hygiene.list.selected = 0;
                self.hygiene.rebuild();
            }
            RepsView => {
                self.reps.list.selected = 0;
                self.reps.next_view();
            }
            StartReview => return self.start_review(),
            EndReview => return self.end_review(),
            NextRep | PrevRep => {
                let n = self.review.reps.len();
                if n > 0 {
                    let i = self.review.rep_idx;
                    self.review.rep_idx = if action == NextRep {
                        (i + 1) % n
                    } else {
                        (i + n - 1) % n
                    };
                    self.review.agenda.selected = 0;
                    self.review.switch_box(0, self.now);
                }
            }
            NextBox => self.review.switch_box(self.review.box_idx + 1, self.now),
            PrevBox => self
                .review
                .switch_box(self.review.box_idx.saturating_sub(1), self.now),
            SaveReport => {
                if let Some(md) = &self.review.closing {
                    let path = PathBuf::from(format!("pipedeck-review-{}.md", self.env.today));
                    return Some(Effect::Save {
                        path,
                        text: md.clone(),
                    });
                }
                self.status = Some((
                    Role::Warn,
                    "no closing report yet: end a review first".into(),
                ));
            }
            StageForward | StageBack | PushClose | PullClose | CloseLost | CloseWon | NextStep
            | LogCall | LogMeeting | ActionItem | Snooze | TagRed | TagYellow | TagGreen => {
                return self.deal_edit(action);
            }
            Tick | Resize => {}
        }
        None
    }

    fn open(&mut self) -> Option<Effect> {
        match self.focus {
            Focus::Review | Focus::Hygiene => {
                if let Some(id) = self.selected_deal() {
                    self.deal.hygiene = self.hygiene_row(Some(&id));
                    self.deal.opp = Some(id);
                    self.deal.scroll = 0;
                    self.focus = Focus::Deal;
                }
            }
            Focus::Anomalies if self.anomalies.drill.is_none() => {
                if let Some((rep, metric)) = self.anomalies.selected() {
                    self.status = Some((Role::Muted, format!("drilling into {metric} of {rep}…")));
                    return Some(Effect::Drill {
                        rep,
                        metric,
                        period: self.period,
                    });
                }
            }
            _ => {}
        }
        None
    }

    fn back(&mut self) {
        if self.focus == Focus::Help {
            self.focus = self.before_help;
        } else if self.hygiene.explaining && self.focus == Focus::Hygiene {
            self.hygiene.explaining = false;
        } else if self.focus == Focus::Anomalies && self.anomalies.drill.is_some() {
            self.anomalies.drill = None;
        } else if let Some(l) = self.list_mut()
            && !l.filter.is_empty()
        {
            l.filter.clear();
            l.clamp();
        } else {
            self.status = None;
        }
    }

    fn start_review(&mut self) -> Option<Effect> {
        if self.review.run.is_some() {
            self.status = Some((Role::Warn, "a review is already running".into()));
            return None;
        }
        self.review.run = Some(ReviewRun {
            session: None,
            started_at: self.now,
            box_started_at: self.now,
            spent: [0; 5],
        });
        self.review.closing = None;
        self.review.box_idx = 0;
        self.review.rep_idx = 0;
        self.focus = Focus::Review;
        self.edit(EditCmd::StartReview)
    }

    fn end_review(&mut self) -> Option<Effect> {
        match self.session() {
            Some(session) => self.edit(EditCmd::EndReview { session }),
            None => {
                self.status = Some((Role::Warn, "no review session is running".into()));
                None
            }
        }
    }

    fn deal_edit(&mut self, action: Action) -> Option<Effect> {
        let Some(id) = self.selected_deal() else {
            self.status = Some((Role::Warn, "select a deal first".into()));
            return None;
        };
        let Some(opp) = self.data.opportunity(&id).cloned() else {
            self.status = Some((Role::Alert, format!("deal {id} is not in the database")));
            return None;
        };
        let session = self.session();
        let today = self.env.today;
        let shift = |days: i64| {
            let base = opp.close_date.unwrap_or(today);
            base.checked_add_signed(chrono::Duration::days(days))
                .unwrap_or(base)
        };
        let open_stages: Vec<&crate::domain::Stage> = self
            .data
            .stages
            .iter()
            .filter(|s| s.kind == StageKind::Open)
            .collect();
        let pos = open_stages.iter().position(|s| s.name == opp.stage);
        use Action::*;
        let cmd = match action {
            StageForward | StageBack => {
                let next = match (pos, action) {
                    (Some(i), StageForward) => open_stages.get(i + 1),
                    (Some(i), _) if i > 0 => open_stages.get(i - 1),
                    _ => None,
                };
                match next {
                    Some(s) => EditCmd::MoveStage {
                        opp: id,
                        to: s.name.clone(),
                        session,
                    },
                    None => {
                        self.status = Some((
                            Role::Warn,
                            "no open stage that way (close it won or lost instead)".into(),
                        ));
                        return None;
                    }
                }
            }
            PushClose => EditCmd::SetCloseDate {
                opp: id,
                date: shift(7),
                session,
            },
            PullClose => EditCmd::SetCloseDate {
                opp: id,
                date: shift(-7),
                session,
            },
            CloseWon => EditCmd::CloseWon { opp: id, session },
            LogCall => EditCmd::Log {
                opp: id,
                kind: ActivityKind::Call,
                session,
            },
            LogMeeting => EditCmd::Log {
                opp: id,
                kind: ActivityKind::Meeting,
                session,
            },
            TagRed => EditCmd::Tag {
                opp: id,
                tag: StuckTag::Red,
                session,
            },
            TagYellow => EditCmd::Tag {
                opp: id,
                tag: StuckTag::Yellow,
                session,
            },
            TagGreen => EditCmd::Tag {
                opp: id,
                tag: StuckTag::Green,
                session,
            },
            CloseLost => {
                self.prompt = Some(Prompt::new(PromptFor::LossReason(id), "loss reason"));
                return None;
            }
            NextStep => {
                self.prompt = Some(Prompt::new(PromptFor::NextStep(id), "next step"));
                return None;
            }
            Snooze => {
                self.prompt = Some(Prompt::new(PromptFor::Snooze(id), "snooze 14 days, reason"));
                return None;
            }
            ActionItem => {
                self.prompt = Some(Prompt::new(
                    PromptFor::ActionItem(id, opp.owner_id.clone()),
                    "action item (owner: deal owner, due in 7 days)",
                ));
                return None;
            }
            _ => return None,
        };
        self.edit(cmd)
    }
}
