//! `update`: the one place an action changes the app, and its helpers.

use super::{App, Effect, Focus};
use crate::domain::OppId;
use crate::tui::action::Action;
use crate::tui::panes::TablesPane;
use crate::tui::prompt::{Prompt, PromptFor};
use crate::tui::theme::Role;
use std::path::PathBuf;

impl App {
    pub(super) fn list_mut(&mut self) -> Option<&mut TablesPane> {
        self.pane_mut(self.focus).list()
    }

    pub(super) fn set_filter(&mut self, text: String) {
        if let Some(l) = self.list_mut() {
            l.filter = text;
            l.selected = 0;
            l.clamp();
        }
    }

    fn scroll(&mut self, delta: isize) {
        self.pane_mut(self.focus).scroll(delta);
    }

    /// Why `action` does nothing in this view, or `None` when it does
    /// something: an empty database takes only the welcome screen's keys
    /// (and help's), the rep's own view has no team review, rep filter or
    /// team cuts. The one rule for both `update` (which says why) and the
    /// hint bar (which leaves the action out).
    pub fn refusal(&self, action: Action) -> Option<&'static str> {
        use Action::*;
        if self.empty {
            let welcome = matches!(action, Quit | Help | Reload | Back | Resize | Tick);
            let scroll = matches!(
                action,
                Up | Down | PageUp | PageDown | Top | Bottom | ScrollUp | ScrollDown
            );
            return match welcome || (scroll && self.focus == Focus::Help) {
                true => None,
                false => Some("the database is empty: import data or run the demo first"),
            };
        }
        self.rep_view()?;
        match action {
            FocusReview => Some("your own view has no team review (open pipedeck without --rep)"),
            RepFilter => Some("this is your own view: one rep"),
            RepsCut => Some("the cuts are the team's: they show in the manager's cockpit"),
            StartReview => {
                Some("the team review runs from the manager's cockpit (pipedeck without --rep)")
            }
            _ => None,
        }
    }

    /// Applies one action; returns the work the loop must do, if any.
    pub fn update(&mut self, action: Action) -> Option<Effect> {
        use Action::*;
        // What this view does not do says why (and is not in the hint bar).
        if let Some(why) = self.refusal(action) {
            self.status = Some((Role::Muted, why.into()));
            return None;
        }
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
                let tabs = self.tabs();
                let i = tabs.iter().position(|f| *f == self.focus).unwrap_or(0);
                let n = tabs.len();
                let j = if action == NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.focus = tabs[j];
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
            Bottom => match self.list_mut() {
                Some(l) => l.to_end(),
                None => self.scroll(100_000),
            },
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
                self.period_picked = true;
                return Some(self.reload());
            }
            PeriodKind => {
                self.period_kind = match self.period_kind {
                    crate::domain::PeriodKind::Week => crate::domain::PeriodKind::Month,
                    crate::domain::PeriodKind::Month => crate::domain::PeriodKind::Quarter,
                    crate::domain::PeriodKind::Quarter => crate::domain::PeriodKind::Week,
                };
                self.period = self.env.cal.containing(self.period_kind, self.env.today);
                self.period_picked = true;
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
            RepsCut => {
                self.reps.list.selected = 0;
                self.reps.next_cut();
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
                    return self.box_clock();
                }
            }
            NextBox => {
                self.review.switch_box(self.review.box_idx + 1, self.now);
                return self.box_clock();
            }
            PrevBox => {
                let to = self.review.box_idx.saturating_sub(1);
                self.review.switch_box(to, self.now);
                return self.box_clock();
            }
            SaveReport => {
                if let Some(md) = &self.review.closing {
                    // The full path, so the status line can say where it went.
                    let name = format!("pipedeck-review-{}.md", self.env.today);
                    let path = std::env::current_dir()
                        .map(|d| d.join(&name))
                        .unwrap_or_else(|_| PathBuf::from(name));
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
            | LogCall | LogMeeting | ActionItem | Snooze | TagRed | TagYellow | TagGreen
            | SetCloseDate | PickStage | SetAmount | SetCategory => {
                return self.deal_edit(action);
            }
            Undo => return self.undo_last(),
            Tick | Resize => {}
        }
        None
    }

    fn open(&mut self) -> Option<Effect> {
        match self.focus {
            Focus::Review | Focus::Hygiene | Focus::Pipeline => {
                if let Some(id) = self.selected_deal() {
                    return Some(self.open_deal(id));
                }
            }
            Focus::Forecast => self.forecast.toggle_step(),
            Focus::Anomalies if self.anomalies.records.is_some() => {
                let deal = self
                    .anomalies
                    .records
                    .as_ref()
                    .and_then(|r| r.selected_deal());
                if let Some(id) = deal {
                    return Some(self.open_deal(id));
                }
            }
            Focus::Anomalies
                if self.anomalies.drill.is_some() && !self.anomalies.open_records() =>
            {
                self.status = Some((Role::Muted, "no records behind this metric".into()));
            }
            Focus::Anomalies if self.anomalies.drill.is_some() => {}
            Focus::Anomalies => {
                if let Some((rep, metric)) = self.anomalies.selected() {
                    let who = self
                        .data
                        .rep(&crate::domain::RepId::from(rep.as_str()))
                        .map_or_else(|| rep.clone(), |r| crate::text::sanitize(&r.name));
                    let what = crate::tui::panes::metric_label(&metric);
                    self.status = Some((Role::Muted, format!("drilling into {what} of {who}…")));
                    // The anomaly's own period (the records are the ones it
                    // judged), else the period on screen.
                    let period = self
                        .anomalies
                        .report
                        .as_ref()
                        .and_then(|r| r.period)
                        .unwrap_or(self.period);
                    return Some(Effect::Drill {
                        rep,
                        metric,
                        period,
                    });
                }
            }
            _ => {}
        }
        None
    }

    /// Opens a deal in the deal pane, from the pane in focus; its
    /// activities are read whole on the worker (the loaded windows hold
    /// the recent ones only).
    fn open_deal(&mut self, id: OppId) -> Effect {
        self.deal.open(id.clone());
        self.deal_from = Some(self.focus);
        self.focus = Focus::Deal;
        Effect::Timeline(id)
    }

    fn back(&mut self) {
        if self.focus == Focus::Help {
            self.focus = self.before_help;
        } else if self.focus == Focus::Deal {
            // Back to where the deal was opened (Review if it was never opened).
            self.focus = self.deal_from.unwrap_or(Focus::Review);
            if self.rep_view().is_some() && self.focus == Focus::Review {
                self.focus = Focus::Hygiene;
            }
        } else if self.focus == Focus::Review
            && self.review.run.is_none()
            && self.review.closing.is_some()
        {
            // Back from the closing report to the agenda (the report is
            // kept with its session; `S` saved it as a file).
            self.review.closing = None;
            self.status = None;
        } else if self.focus == Focus::Forecast && self.forecast.open_step.is_some() {
            self.forecast.open_step = None;
        } else if self.hygiene.explaining && self.focus == Focus::Hygiene {
            self.hygiene.explaining = false;
        } else if self.focus == Focus::Anomalies && self.anomalies.records.is_some() {
            self.anomalies.records = None;
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
}
