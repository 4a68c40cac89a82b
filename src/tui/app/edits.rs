//! Edits of the selected deal and of the review session: actions become
//! `EditCmd`s for the worker (text edits go through the prompt first).

use super::{App, Effect, Focus};
use crate::domain::{ActivityKind, ForecastCategory, Outcome, StageKind, StuckTag};
use crate::tui::action::Action;
use crate::tui::edit::EditCmd;
use crate::tui::panes::review::ReviewRun;
use crate::tui::prompt::{PickFor, Picker, Prompt, PromptFor};
use crate::tui::theme::Role;

impl App {
    pub(super) fn edit(&mut self, cmd: EditCmd) -> Option<Effect> {
        // What undoes it, from the deal as it stands now (kept once saved).
        let opp = match &cmd {
            EditCmd::MoveStage { opp, .. }
            | EditCmd::SetCloseDate { opp, .. }
            | EditCmd::SetAmount { opp, .. }
            | EditCmd::SetCategory { opp, .. }
            | EditCmd::SetNextStep { opp, .. }
            | EditCmd::CloseWon { opp, .. }
            | EditCmd::CloseLost { opp, .. }
            | EditCmd::Log { opp, .. }
            | EditCmd::Snooze { opp, .. }
            | EditCmd::Tag { opp, .. }
            | EditCmd::ActionItem { opp, .. } => self.data.opportunity(opp).cloned(),
            EditCmd::StartReview | EditCmd::EndReview { .. } => None,
        };
        self.pending_undo.push_back(opp.map(|o| {
            let mut u = crate::tui::edit::undo_of(&cmd, &o);
            if self.undoing {
                u.reverse = Err("an undo".into());
            }
            u
        }));
        self.undoing = false;
        self.generation += 1;
        self.loading = true;
        self.status = Some((
            Role::Muted,
            format!("saving: {}…", crate::tui::edit::describe(&cmd)),
        ));
        Some(Effect::Edit(cmd, self.request()))
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

    pub(super) fn end_review(&mut self) -> Option<Effect> {
        match self.session() {
            Some(session) => self.edit(EditCmd::EndReview { session }),
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
        let Some(opp) = self.data.opportunity(&id).cloned() else {
            self.status = Some((Role::Alert, format!("deal {id} is not in the database")));
            return None;
        };
        let session = self.session();
        let today = self.env.today;
        let shift = |days: i64| {
            // Pushing a missed date gives the deal a week from today, not a
            // week from the date it already missed.
            let base = match opp.close_date {
                Some(d) if days > 0 => d.max(today),
                Some(d) => d,
                None => today,
            };
            base.checked_add_signed(chrono::Duration::days(days))
                .unwrap_or(base)
        };
        // The stages the edit API validates against: the database's, else the config's.
        let stages = self.env.settings.effective_stages(&self.data.stages);
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
                    .map(|o| (o.as_str().to_string(), o.as_str().replace('_', " ")))
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
                    .map(|c| (c.as_str().to_string(), c.as_str().replace('_', " ")))
                    .collect();
                self.picker = Some(Picker::new(
                    PickFor::Category(id),
                    "forecast category",
                    options,
                    at,
                ));
                return None;
            }
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
                let cmd = with_session(cmd, session);
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

/// The edit stamped with the review session running now.
fn with_session(cmd: EditCmd, s: Option<i64>) -> EditCmd {
    match cmd {
        EditCmd::MoveStage { opp, to, .. } => EditCmd::MoveStage {
            opp,
            to,
            session: s,
        },
        EditCmd::SetCloseDate { opp, date, .. } => EditCmd::SetCloseDate {
            opp,
            date,
            session: s,
        },
        EditCmd::SetAmount { opp, amount, .. } => EditCmd::SetAmount {
            opp,
            amount,
            session: s,
        },
        EditCmd::SetCategory { opp, category, .. } => EditCmd::SetCategory {
            opp,
            category,
            session: s,
        },
        EditCmd::SetNextStep {
            opp, text, date, ..
        } => EditCmd::SetNextStep {
            opp,
            text,
            date,
            session: s,
        },
        other => other,
    }
}
