//! Edits of the selected deal and of the review session: actions become
//! `EditCmd`s for the worker (text edits go through the prompt first).

use super::{App, Effect, Focus};
use crate::domain::{ActivityKind, ForecastCategory, Outcome, StageKind, StuckTag};
use crate::tui::action::Action;
use crate::tui::edit::EditCmd;
use crate::tui::loader::{Reload, Request};
use crate::tui::panes::review::ReviewRun;
use crate::tui::prompt::{PickFor, Picker, Prompt, PromptFor};
use crate::tui::theme::Role;

impl App {
    pub(super) fn edit(&mut self, cmd: EditCmd) -> Option<Effect> {
        // What undoes it, from the deal as it stands now (kept once saved).
        let opp = cmd.deal().and_then(|id| self.opportunity(id)).cloned();
        self.pending_undo.push_back(opp.map(|o| {
            let mut u = crate::app::edit::undo_of(&cmd, &o);
            if self.undoing {
                u.reverse = Err("an undo".into());
            }
            u
        }));
        self.undoing = false;
        self.generation += 1;
        self.loading = true;
        // Only the parts the edit can change, and any the last load has not
        // delivered yet (their answers to the older generation are dropped).
        self.awaiting = Reload::after_edit(&cmd).union(self.awaiting);
        self.status = Some((
            Role::Muted,
            format!("saving: {}…", crate::app::edit::describe(&cmd)),
        ));
        let req = Request {
            parts: self.awaiting,
            ..self.request()
        };
        Some(Effect::Edit(cmd, req))
    }

    /// A deal as the loaded window holds it, else as the Deal pane read it
    /// whole (one closed long ago, opened from a drill-down's records).
    fn opportunity(&self, id: &crate::domain::OppId) -> Option<&crate::domain::Opportunity> {
        self.data
            .opportunity(id)
            .or_else(|| self.deal.deal().filter(|o| &o.id == id))
    }

    /// The keys pressed while an edit was being saved, once none is, in
    /// order: the effect of the next one that has one (an edit it sends
    /// makes the rest wait again).
    pub fn next_queued(&mut self) -> Option<Effect> {
        while self.pending_undo.is_empty() {
            let ev = self.queued.pop_front()?;
            if let Some(e) = self.key(ev) {
                return Some(e);
            }
        }
        None
    }

    pub(super) fn session(&self) -> Option<i64> {
        self.review.run.as_ref().and_then(|r| r.session)
    }

    pub(super) fn start_review(&mut self) -> Option<Effect> {
        if self.review.run.is_some() {
            self.status = Some((Role::Warn, "a review is already running".into()));
            return None;
        }
        self.review.run = Some(ReviewRun {
            session: None,
            box_started_at: self.now,
            spent: [0; 5],
        });
        self.review.closing = None;
        self.review.box_idx = 0;
        self.review.rep_idx = 0;
        self.focus = Focus::Review;
        self.edit(EditCmd::StartReview {
            facilitator: Some(crate::tui::edit::EDITOR.to_string()),
        })
    }

    /// The review session `id` has ended elsewhere (another cockpit or
    /// `pipedeck review end`): if it is the one this cockpit runs, the
    /// cockpit leaves it, so no further edit is made in it and `R` starts
    /// a new one. Returns whether it was.
    pub(super) fn leave_ended_review(&mut self, id: i64) -> bool {
        if self.session() != Some(id) {
            return false;
        }
        self.review.run = None;
        self.timers_kept_at = None;
        true
    }

    /// A reload says which review session is open in the database (`open`):
    /// the one this cockpit runs, ended elsewhere meanwhile, is left, with
    /// a status line saying so.
    pub(super) fn review_still_open(&mut self, open: Option<i64>) {
        let Some(id) = self.session() else {
            return;
        };
        if open != Some(id) && self.leave_ended_review(id) {
            self.status = Some((
                Role::Warn,
                format!(
                    "review #{id} was ended elsewhere (another cockpit or `pipedeck review end`): \
                     this cockpit left it (R starts a new one)"
                ),
            ));
        }
    }

    /// The running review's time in each box, to keep (a review resumed
    /// after the cockpit closed carries it on); `None` before the database
    /// has opened the session.
    pub fn box_clock(&self) -> Option<Effect> {
        let session = self.session()?;
        let seconds = (0..self.review.run.as_ref()?.spent.len())
            .map(|i| self.review.box_seconds(i, self.now))
            .collect();
        Some(Effect::BoxClock { session, seconds })
    }

    pub(super) fn end_review(&mut self) -> Option<Effect> {
        match self.session() {
            Some(session) => self.edit(EditCmd::EndReview {
                session: Some(session),
            }),
            None => {
                self.status = Some((Role::Warn, "no review session is running".into()));
                None
            }
        }
    }

    pub(super) fn deal_edit(&mut self, action: Action) -> Option<Effect> {
        let Some(id) = self.selected_deal() else {
            self.status = Some((Role::Warn, "select a deal first".into()));
            return None;
        };
        let Some(opp) = self.opportunity(&id).cloned() else {
            self.status = Some((Role::Alert, format!("deal {id} is not in the database")));
            return None;
        };
        let session = self.session();
        let today = self.env.today;
        let shift =
            |days: i64| crate::domain::edit::shifted_close_date(opp.close_date, today, days);
        // The loaded dataset holds the stages in force (`app::load`).
        let stages = &self.data.stages;
        let open_stages: Vec<&crate::domain::Stage> = stages
            .iter()
            .filter(|s| s.kind == StageKind::Open)
            .collect();
        let name = crate::text::sanitize(&opp.name);
        let amount = opp
            .amount
            .map_or("no amount".to_string(), |m| m.to_string());
        let pos = open_stages.iter().position(|s| s.name == opp.stage);
        use Action::*;
        let cmd = match action {
            StageForward | StageBack => {
                let next =
                    crate::domain::edit::step_stage(stages, &opp.stage, action == StageForward);
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
            CloseWon => {
                self.prompt = Some(Prompt::new(
                    PromptFor::Confirm(Box::new(EditCmd::CloseWon {
                        opp: id.clone(),
                        session,
                    })),
                    &format!("close {id} WON at {amount}? y yes, any other key no · {name}"),
                ));
                return None;
            }
            LogCall | LogMeeting => {
                let kind = if action == LogCall {
                    ActivityKind::Call
                } else {
                    ActivityKind::Meeting
                };
                let outcomes: &[Outcome] = if kind == ActivityKind::Call {
                    &[Outcome::Connected, Outcome::NoAnswer]
                } else {
                    &[Outcome::Held, Outcome::NoShow]
                };
                let mut options: Vec<(String, String)> = outcomes
                    .iter()
                    .map(|o| (o.as_str().to_string(), o.label()))
                    .collect();
                options.push((String::new(), "no outcome".into()));
                self.picker = Some(Picker::new(
                    PickFor::Outcome(id, kind),
                    &format!("log a {kind}: outcome (enter keeps the first)"),
                    options,
                    0,
                ));
                return None;
            }
            SetCloseDate => {
                let current = opp.close_date.unwrap_or(today).to_string();
                self.prompt = Some(Prompt::with_text(
                    PromptFor::CloseDate(id),
                    "close date (YYYY-MM-DD)",
                    &current,
                ));
                return None;
            }
            SetAmount => {
                let current = opp
                    .amount
                    .map_or(String::new(), |m| m.to_string().replace(',', ""));
                self.prompt = Some(Prompt::with_text(PromptFor::Amount(id), "amount", &current));
                return None;
            }
            PickStage => {
                let options: Vec<(String, String)> = open_stages
                    .iter()
                    .map(|s| (s.name.clone(), crate::text::sanitize(&s.name)))
                    .collect();
                self.picker = Some(Picker::new(
                    PickFor::Stage(id),
                    "stage (closing: W won, x lost)",
                    options,
                    pos.unwrap_or(0),
                ));
                return None;
            }
            SetCategory => {
                let cats = [
                    ForecastCategory::Pipeline,
                    ForecastCategory::BestCase,
                    ForecastCategory::Commit,
                    ForecastCategory::Omitted,
                ];
                let at = cats
                    .iter()
                    .position(|c| Some(*c) == opp.forecast_category)
                    .unwrap_or(0);
                let options = cats
                    .iter()
                    .map(|c| (c.as_str().to_string(), c.label()))
                    .collect();
                self.picker = Some(Picker::new(
                    PickFor::Category(id),
                    "forecast category",
                    options,
                    at,
                ));
                return None;
            }
            TagRed | TagYellow | TagGreen => EditCmd::Tag {
                opp: id,
                tag: match action {
                    TagRed => StuckTag::Red,
                    TagYellow => StuckTag::Yellow,
                    _ => StuckTag::Green,
                },
                note: None,
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
                let until = today
                    .checked_add_days(chrono::Days::new(14))
                    .unwrap_or(today)
                    .to_string();
                self.prompt = Some(Prompt::with_text(
                    PromptFor::SnoozeUntil(id),
                    "snooze until (YYYY-MM-DD)",
                    &until,
                ));
                return None;
            }
            ActionItem => {
                self.prompt = Some(Prompt::new(
                    PromptFor::ActionItem(id, opp.owner_id.clone()),
                    "action item (then its owner and due date)",
                ));
                return None;
            }
            _ => return None,
        };
        self.edit(cmd)
    }
}

impl App {
    /// `u`: undoes the last edit of this session by saving its reverse
    /// (appended to history like any edit; nothing is deleted).
    pub(super) fn undo_last(&mut self) -> Option<Effect> {
        let Some(u) = self.undo.pop() else {
            self.status = Some((Role::Warn, "nothing to undo in this session".into()));
            return None;
        };
        match u.reverse {
            Ok(cmd) => {
                let session = self.session();
                let cmd = cmd.with_session(session);
                self.undoing = true;
                let e = self.edit(cmd);
                if let Some((_, msg)) = &mut self.status {
                    *msg = format!("undoing {}: {msg}", u.what);
                }
                e
            }
            Err(why) => {
                self.status = Some((Role::Warn, format!("cannot undo {}: {why}", u.what)));
                None
            }
        }
    }
}
