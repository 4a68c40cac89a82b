//! Edits of the selected deal and of the review session: actions become
//! `EditCmd`s for the worker (text edits go through the prompt first).

use super::{App, Effect, Focus};
use crate::domain::{ActivityKind, StageKind, StuckTag};
use crate::tui::action::Action;
use crate::tui::edit::EditCmd;
use crate::tui::panes::review::ReviewRun;
use crate::tui::prompt::{Prompt, PromptFor};
use crate::tui::theme::Role;

impl App {
    pub(super) fn edit(&mut self, cmd: EditCmd) -> Option<Effect> {
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
