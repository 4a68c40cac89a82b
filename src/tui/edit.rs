//! Edits the cockpit asks the worker to save, and how they are saved: through
//! the storage edit API, never SQL of our own.

use super::loader::Env;
use crate::domain::edit::{Edit, NewActivity, Stamp};
use crate::domain::review::closing::closing_report;
use crate::domain::{
    ActivityKind, ForecastCategory, MeetingType, Money, OppId, Opportunity, Outcome, RepId,
    StuckTag,
};
use crate::report::review::ClosingReportView;
use crate::report::{Format, render};
use crate::storage::{EditError, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// One change to save. `session` is the review session in progress, if any:
/// edits made in a review carry its id.
#[derive(Debug, Clone, PartialEq)]
pub enum EditCmd {
    StartReview,
    EndReview {
        session: i64,
    },
    MoveStage {
        opp: OppId,
        to: String,
        session: Option<i64>,
    },
    SetCloseDate {
        opp: OppId,
        date: NaiveDate,
        session: Option<i64>,
    },
    CloseLost {
        opp: OppId,
        reason: String,
        session: Option<i64>,
    },
    CloseWon {
        opp: OppId,
        session: Option<i64>,
    },
    SetNextStep {
        opp: OppId,
        text: String,
        /// `None`: a week from today.
        date: Option<NaiveDate>,
        session: Option<i64>,
    },
    SetAmount {
        opp: OppId,
        amount: Money,
        session: Option<i64>,
    },
    SetCategory {
        opp: OppId,
        category: ForecastCategory,
        session: Option<i64>,
    },
    Log {
        opp: OppId,
        kind: ActivityKind,
        outcome: Option<Outcome>,
        /// The note, kept as the activity's label.
        note: Option<String>,
        session: Option<i64>,
    },
    ActionItem {
        opp: OppId,
        owner: RepId,
        text: String,
        due: NaiveDate,
        session: Option<i64>,
    },
    Snooze {
        opp: OppId,
        reason: String,
        until: NaiveDate,
        session: Option<i64>,
    },
    Tag {
        opp: OppId,
        tag: StuckTag,
        session: Option<i64>,
    },
}

/// What a saved edit produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Done {
    /// One line for the status bar.
    pub message: String,
    /// The id of a review session just started.
    pub session_started: Option<i64>,
    /// The closing report (Markdown) of a review session just ended.
    pub closing_report: Option<String>,
}

/// The instant edits are stamped with: the clock, moved onto `today`'s date
/// (same time of day) when `today` is fixed to another date — as the CLI does.
pub fn stamp_now(env: &Env, real: DateTime<Utc>) -> DateTime<Utc> {
    let real_day = env.cal.local_date(real);
    if real_day == env.today {
        real
    } else {
        env.cal.start_of(env.today) + (real - env.cal.start_of(real_day))
    }
}

/// Who the cockpit's edits are recorded as (`changed_by`).
pub const EDITOR: &str = "cockpit";

/// Saves one edit at `now` through the storage edit API; the error says what
/// could not be saved and why.
pub fn apply(
    store: &mut Store,
    env: &Env,
    now: DateTime<Utc>,
    cmd: &EditCmd,
) -> Result<Done, String> {
    let what = describe(cmd);
    apply_inner(store, env, now, cmd).map_err(|e| format!("{what}: {e}"))
}

fn apply_inner(
    store: &mut Store,
    env: &Env,
    now: DateTime<Utc>,
    cmd: &EditCmd,
) -> Result<Done, EditError> {
    let stamp = |session: &Option<i64>| Stamp {
        now,
        by: Some(EDITOR.to_string()),
        session: *session,
    };
    let saved = |msg: String| Done {
        message: format!("saved: {msg}"),
        ..Done::default()
    };
    let deal_edit = |store: &mut Store, opp: &OppId, e: Edit, session: &Option<i64>| {
        let stages = env.settings.effective_stages(&store.load_stages()?);
        store.edit_deal(opp, &e, &stages, &stamp(session))
    };
    match cmd {
        EditCmd::StartReview => {
            // A session left open (say by a crash) is resumed, not refused.
            if let Some(s) = store.open_review_session()? {
                return Ok(Done {
                    message: format!(
                        "resumed review #{} (started {})",
                        s.id,
                        s.started_at.format("%Y-%m-%d %H:%M")
                    ),
                    session_started: Some(s.id),
                    closing_report: None,
                });
            }
            let s = store.start_review(now, Some(EDITOR))?;
            Ok(Done {
                message: format!("review #{} started: edits now carry its id", s.id),
                session_started: Some(s.id),
                closing_report: None,
            })
        }
        EditCmd::EndReview { session } => {
            let open = store
                .open_review_session()?
                .filter(|s| s.id == *session)
                .ok_or(EditError::NoSession)?;
            let ended = now.max(open.started_at);
            let (data, _) = crate::app::load::load_one(
                store,
                &env.settings,
                &env.cal,
                env.today,
                crate::app::load::Need::Review,
                None,
                false,
            )?;
            let view = ClosingReportView {
                currency: env.settings.currency.clone(),
                report: closing_report(
                    &data,
                    &env.settings.effective_stages(&data.stages),
                    &open,
                    ended,
                    &env.settings,
                    &env.cal,
                    env.today,
                ),
            };
            let md = render(&view, Format::Md).map_err(EditError::Invalid)?;
            store.end_review(open.id, ended, &md)?;
            Ok(Done {
                message: format!(
                    "review #{} ended: closing report below (S saves it)",
                    open.id
                ),
                session_started: None,
                closing_report: Some(md),
            })
        }
        EditCmd::MoveStage { opp, to, session } => {
            deal_edit(store, opp, Edit::Stage(to.clone()), session)?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::SetCloseDate { opp, date, session } => {
            deal_edit(store, opp, Edit::CloseDate(*date), session)?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::CloseLost {
            opp,
            reason,
            session,
        } => {
            deal_edit(
                store,
                opp,
                Edit::Lost {
                    reason: reason.clone(),
                },
                session,
            )?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::CloseWon { opp, session } => {
            deal_edit(store, opp, Edit::Won, session)?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::SetAmount {
            opp,
            amount,
            session,
        } => {
            deal_edit(store, opp, Edit::Amount(*amount), session)?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::SetCategory {
            opp,
            category,
            session,
        } => {
            deal_edit(store, opp, Edit::Category(*category), session)?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::SetNextStep {
            opp,
            text,
            date,
            session,
        } => {
            let date = date.or_else(|| env.today.checked_add_days(chrono::Days::new(7)));
            deal_edit(
                store,
                opp,
                Edit::NextStep {
                    text: text.clone(),
                    date,
                },
                session,
            )?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::Log {
            opp,
            kind,
            outcome,
            note,
            session,
        } => {
            let deal = store.opportunity(opp)?;
            let new = NewActivity {
                rep_id: deal.owner_id.clone(),
                kind: *kind,
                meeting_type: (*kind == ActivityKind::Meeting).then_some(MeetingType::FollowUp),
                label: note.clone().filter(|n| !n.trim().is_empty()),
                opportunity_id: Some(opp.clone()),
                account_id: None,
                contact_id: None,
                occurred_at: None,
                outcome: *outcome,
                duration_min: None,
                direction: None,
            };
            store.log_activity(&new, &stamp(session))?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::ActionItem {
            opp,
            owner,
            text,
            due,
            session,
        } => {
            store.add_action_item(Some(opp), owner, text, Some(*due), &stamp(session))?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::Snooze {
            opp,
            reason,
            until,
            session,
        } => {
            store.snooze(opp, reason, *until, env.today, &stamp(session))?;
            Ok(saved(describe(cmd)))
        }
        EditCmd::Tag { opp, tag, session } => {
            store.tag_deal(opp, *tag, None, &stamp(session))?;
            Ok(saved(describe(cmd)))
        }
    }
}

/// A short description of an edit, for messages.
pub fn describe(cmd: &EditCmd) -> String {
    match cmd {
        EditCmd::StartReview => "start review".into(),
        EditCmd::EndReview { session } => format!("end review #{session}"),
        EditCmd::MoveStage { opp, to, .. } => format!("{opp}: stage → {to}"),
        EditCmd::SetCloseDate { opp, date, .. } => format!("{opp}: close date → {date}"),
        EditCmd::CloseLost { opp, .. } => format!("{opp}: closed lost"),
        EditCmd::CloseWon { opp, .. } => format!("{opp}: closed won"),
        EditCmd::SetNextStep { opp, text, .. } => format!("{opp}: next step → {text}"),
        EditCmd::SetAmount { opp, amount, .. } => format!("{opp}: amount → {amount}"),
        EditCmd::SetCategory { opp, category, .. } => format!("{opp}: category → {category}"),
        EditCmd::Log {
            opp, kind, outcome, ..
        } => match outcome {
            Some(o) => format!("{opp}: {kind} logged ({o})"),
            None => format!("{opp}: {kind} logged"),
        },
        EditCmd::ActionItem { opp, .. } => format!("{opp}: action item added"),
        EditCmd::Snooze { opp, until, .. } => format!("{opp}: snoozed until {until}"),
        EditCmd::Tag { opp, tag, .. } => format!("{opp}: tagged {tag}"),
    }
}

/// What undoes one saved edit of this session: the reverse change, appended
/// to history like any edit (nothing is ever deleted), or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    /// The edit, as the status line said it.
    pub what: String,
    pub reverse: Result<EditCmd, String>,
}

/// The undo of `cmd` on the deal as it stood before it (`before`).
pub fn undo_of(cmd: &EditCmd, before: &Opportunity) -> Undo {
    let what = describe(cmd);
    let id = before.id.clone();
    let reverse = match cmd {
        EditCmd::MoveStage { session, .. } => Ok(EditCmd::MoveStage {
            opp: id,
            to: before.stage.clone(),
            session: *session,
        }),
        EditCmd::SetCloseDate { session, .. } => match before.close_date {
            Some(date) => Ok(EditCmd::SetCloseDate {
                opp: id,
                date,
                session: *session,
            }),
            None => Err("the deal had no close date, and a date cannot be emptied".into()),
        },
        EditCmd::SetAmount { session, .. } => match before.amount {
            Some(amount) => Ok(EditCmd::SetAmount {
                opp: id,
                amount,
                session: *session,
            }),
            None => Err("the deal had no amount, and an amount cannot be emptied".into()),
        },
        EditCmd::SetCategory { session, .. } => match before.forecast_category {
            Some(category) if category != ForecastCategory::Closed => Ok(EditCmd::SetCategory {
                opp: id,
                category,
                session: *session,
            }),
            _ => Err("the deal had no category to go back to".into()),
        },
        EditCmd::SetNextStep { session, .. } => match &before.next_step {
            Some(text) if !text.trim().is_empty() => Ok(EditCmd::SetNextStep {
                opp: id,
                text: text.clone(),
                date: before.next_step_date,
                session: *session,
            }),
            _ => Err("the deal had no next step, and a next step cannot be emptied".into()),
        },
        EditCmd::CloseWon { .. } | EditCmd::CloseLost { .. } => {
            Err("a closed deal is not re-opened from the cockpit".into())
        }
        EditCmd::Log { .. } => {
            Err("a logged activity stays logged (history is never deleted)".into())
        }
        EditCmd::Snooze { .. } => Err("a snooze runs to its date".into()),
        EditCmd::Tag { .. } | EditCmd::ActionItem { .. } => {
            Err("tags and action items stay in history; set another one instead".into())
        }
        EditCmd::StartReview | EditCmd::EndReview { .. } => Err("not an edit of a deal".into()),
    };
    Undo { what, reverse }
}
