//! Every edit, for the command line and the cockpit alike: one [`EditCmd`]
//! per change a user can ask for, stamped the same way from either
//! front-end ([`now`], [`stamp`]) and saved through the storage edit API
//! ([`apply`]). The front-ends keep only their argument parsing or prompting
//! and how they print what was saved ([`Saved`]).

use super::Env;
use super::review::{self, Ended, Started};
use crate::domain::edit::{Applied, Edit, NewActivity, Stamp, next_step_date};
use crate::domain::{
    AccountId, ActionItem, Activity, ActivityKind, ContactId, DealTag, ForecastCategory,
    MeetingType, Money, OppId, Opportunity, Outcome, RepId, Snooze, StuckTag,
};
use crate::storage::{EditError, EditResult, Store};
use chrono::{DateTime, NaiveDate, Utc};

/// The instant an edit is stamped with: the clock, moved onto `today`'s
/// date (same time of day) when `today` is fixed to another date
/// (`--today`), so an edit made "on" that day is recorded on it.
pub fn now(env: &Env, real: DateTime<Utc>) -> DateTime<Utc> {
    let real_day = env.cal.local_date(real);
    if real_day == env.today {
        real
    } else {
        env.cal.start_of(env.today) + (real - env.cal.start_of(real_day))
    }
}

/// Who and when an edit is made ([`now`] of the clock instant `real`), and
/// the review session it belongs to.
pub fn stamp(env: &Env, real: DateTime<Utc>, by: Option<&str>, session: Option<i64>) -> Stamp {
    let now = now(env, real);
    Stamp {
        now,
        by: by.map(str::to_string),
        session,
        day_end: Some(env.cal.end_of(env.cal.local_date(now))),
    }
}

/// The id of the review session open in the database, if any: what the
/// command line attaches its edits to.
pub fn open_session(store: &Store) -> EditResult<Option<i64>> {
    Ok(store.open_review_session()?.map(|s| s.id))
}

/// A call, email or meeting to log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogActivity {
    /// The rep who did it; `None`: the owner of the deal (`opp`).
    pub rep: Option<RepId>,
    pub kind: ActivityKind,
    pub opp: Option<OppId>,
    /// The account (taken from the deal when absent).
    pub account: Option<AccountId>,
    pub contact: Option<ContactId>,
    pub outcome: Option<Outcome>,
    pub minutes: Option<i64>,
    /// First or follow-up (meetings; follow-up when absent).
    pub meeting_type: Option<MeetingType>,
    /// A label, or the cockpit's note.
    pub label: Option<String>,
    /// When it happened; `None`: now.
    pub at: Option<DateTime<Utc>>,
}

/// One change to save. `session` is the review session the edit belongs to
/// (edits made in a review carry its id).
#[derive(Debug, Clone, PartialEq)]
pub enum EditCmd {
    /// Start a review session, or resume the open one.
    StartReview {
        facilitator: Option<String>,
    },
    /// End the open review session (only the one numbered so, when given).
    EndReview {
        session: Option<i64>,
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
        /// `None`: a week from today (`domain::edit::next_step_date`).
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
        log: LogActivity,
        session: Option<i64>,
    },
    ActionItem {
        opp: OppId,
        owner: RepId,
        text: String,
        due: Option<NaiveDate>,
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
        note: Option<String>,
        session: Option<i64>,
    },
}

impl EditCmd {
    /// The deal the edit changes, if it changes one.
    pub fn deal(&self) -> Option<&OppId> {
        match self {
            EditCmd::MoveStage { opp, .. }
            | EditCmd::SetCloseDate { opp, .. }
            | EditCmd::SetAmount { opp, .. }
            | EditCmd::SetCategory { opp, .. }
            | EditCmd::SetNextStep { opp, .. }
            | EditCmd::CloseWon { opp, .. }
            | EditCmd::CloseLost { opp, .. }
            | EditCmd::Snooze { opp, .. }
            | EditCmd::Tag { opp, .. }
            | EditCmd::ActionItem { opp, .. } => Some(opp),
            EditCmd::Log { log, .. } => log.opp.as_ref(),
            EditCmd::StartReview { .. } | EditCmd::EndReview { .. } => None,
        }
    }

    /// The free text the edit stores, if any, with the name it is given by.
    fn text(&self) -> Option<(&'static str, &str)> {
        match self {
            EditCmd::StartReview {
                facilitator: Some(f),
            } => Some(("facilitator", f)),
            EditCmd::MoveStage { to, .. } => Some(("stage", to)),
            EditCmd::CloseLost { reason, .. } | EditCmd::Snooze { reason, .. } => {
                Some(("reason", reason))
            }
            EditCmd::SetNextStep { text, .. } | EditCmd::ActionItem { text, .. } => {
                Some(("text", text))
            }
            EditCmd::Log { log, .. } => log.label.as_deref().map(|l| ("label", l)),
            EditCmd::Tag { note: Some(n), .. } => Some(("note", n)),
            _ => None,
        }
    }

    /// The same edit in review session `s` (the review sessions' own
    /// commands are left as they are).
    pub fn with_session(mut self, s: Option<i64>) -> EditCmd {
        match &mut self {
            EditCmd::MoveStage { session, .. }
            | EditCmd::SetCloseDate { session, .. }
            | EditCmd::SetAmount { session, .. }
            | EditCmd::SetCategory { session, .. }
            | EditCmd::SetNextStep { session, .. }
            | EditCmd::CloseWon { session, .. }
            | EditCmd::CloseLost { session, .. }
            | EditCmd::Snooze { session, .. }
            | EditCmd::Tag { session, .. }
            | EditCmd::ActionItem { session, .. }
            | EditCmd::Log { session, .. } => *session = s,
            EditCmd::StartReview { .. } | EditCmd::EndReview { .. } => {}
        }
        self
    }
}

/// What a saved edit produced: each front-end says it its own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    ReviewStarted(Started),
    ReviewEnded(Ended),
    /// A deal edit, with the history rows it wrote (none: nothing changed).
    Deal(Applied),
    Logged(Activity),
    ActionItem(ActionItem),
    Snoozed(Snooze),
    Tagged(DealTag),
}

/// Saves one edit, stamped at the clock instant `real` (see [`now`]) as made
/// by `by`, through the storage edit API; a deal edit is checked against the
/// stages in force.
pub fn apply(
    store: &mut Store,
    env: &Env,
    real: DateTime<Utc>,
    by: Option<&str>,
    cmd: &EditCmd,
) -> EditResult<Saved> {
    // Text an import would refuse is refused here too, so what is saved
    // exports and imports back (docs/review.md).
    let by_text = by.map(|b| ("who made it", b));
    for (name, text) in cmd.text().into_iter().chain(by_text) {
        if let Some(c) = crate::text::forbidden_control(text) {
            return Err(EditError::Invalid(format!(
                "{name}: control character U+{:04X} in the text (remove it)",
                c as u32
            )));
        }
    }
    let stamp = |session: &Option<i64>| stamp(env, real, by, *session);
    let deal_edit = |store: &mut Store, opp: &OppId, e: Edit, session: &Option<i64>| {
        let stages = super::stages(store, &env.settings)?;
        store
            .edit_deal(opp, &e, &stages, &stamp(session))
            .map(Saved::Deal)
    };
    match cmd {
        EditCmd::StartReview { facilitator } => {
            review::start(store, env, real, facilitator.as_deref()).map(Saved::ReviewStarted)
        }
        EditCmd::EndReview { session } => {
            review::end(store, env, real, *session).map(Saved::ReviewEnded)
        }
        EditCmd::MoveStage { opp, to, session } => {
            deal_edit(store, opp, Edit::Stage(to.clone()), session)
        }
        EditCmd::SetCloseDate { opp, date, session } => {
            deal_edit(store, opp, Edit::CloseDate(*date), session)
        }
        EditCmd::CloseLost {
            opp,
            reason,
            session,
        } => deal_edit(
            store,
            opp,
            Edit::Lost {
                reason: reason.clone(),
            },
            session,
        ),
        EditCmd::CloseWon { opp, session } => deal_edit(store, opp, Edit::Won, session),
        EditCmd::SetAmount {
            opp,
            amount,
            session,
        } => deal_edit(store, opp, Edit::Amount(*amount), session),
        EditCmd::SetCategory {
            opp,
            category,
            session,
        } => deal_edit(store, opp, Edit::Category(*category), session),
        EditCmd::SetNextStep {
            opp,
            text,
            date,
            session,
        } => deal_edit(
            store,
            opp,
            Edit::NextStep {
                text: text.clone(),
                date: next_step_date(*date, env.today),
            },
            session,
        ),
        EditCmd::Log { log, session } => {
            let rep_id = match (&log.rep, &log.opp) {
                (Some(rep), _) => rep.clone(),
                (None, Some(opp)) => store.opportunity(opp)?.owner_id,
                (None, None) => {
                    return Err(EditError::Invalid(
                        "an activity needs a rep or a deal".into(),
                    ));
                }
            };
            let new = NewActivity {
                rep_id,
                kind: log.kind,
                meeting_type: log.meeting_type,
                label: log.label.clone(),
                opportunity_id: log.opp.clone(),
                account_id: log.account.clone(),
                contact_id: log.contact.clone(),
                occurred_at: log.at,
                outcome: log.outcome,
                duration_min: log.minutes,
                direction: None,
            };
            store.log_activity(&new, &stamp(session)).map(Saved::Logged)
        }
        EditCmd::ActionItem {
            opp,
            owner,
            text,
            due,
            session,
        } => store
            .add_action_item(Some(opp), owner, text, *due, &stamp(session))
            .map(Saved::ActionItem),
        EditCmd::Snooze {
            opp,
            reason,
            until,
            session,
        } => store
            .snooze(opp, reason, *until, env.today, &stamp(session))
            .map(Saved::Snoozed),
        EditCmd::Tag {
            opp,
            tag,
            note,
            session,
        } => store
            .tag_deal(opp, *tag, note.as_deref(), &stamp(session))
            .map(Saved::Tagged),
    }
}

/// A short description of an edit, for messages.
pub fn describe(cmd: &EditCmd) -> String {
    match cmd {
        EditCmd::StartReview { .. } => "start review".into(),
        EditCmd::EndReview { session: Some(s) } => format!("end review #{s}"),
        EditCmd::EndReview { session: None } => "end review".into(),
        EditCmd::MoveStage { opp, to, .. } => format!("{opp}: stage → {to}"),
        EditCmd::SetCloseDate { opp, date, .. } => format!("{opp}: close date → {date}"),
        EditCmd::CloseLost { opp, .. } => format!("{opp}: closed lost"),
        EditCmd::CloseWon { opp, .. } => format!("{opp}: closed won"),
        EditCmd::SetNextStep { opp, text, .. } => format!("{opp}: next step → {text}"),
        EditCmd::SetAmount { opp, amount, .. } => format!("{opp}: amount → {amount}"),
        EditCmd::SetCategory { opp, category, .. } => format!("{opp}: category → {category}"),
        EditCmd::Log { log, .. } => {
            let on = log.opp.as_ref().map_or(String::new(), |o| format!("{o}: "));
            match log.outcome {
                Some(o) => format!("{on}{} logged ({o})", log.kind),
                None => format!("{on}{} logged", log.kind),
            }
        }
        EditCmd::ActionItem { opp, .. } => format!("{opp}: action item added"),
        EditCmd::Snooze { opp, until, .. } => format!("{opp}: snoozed until {until}"),
        EditCmd::Tag { opp, tag, .. } => format!("{opp}: tagged {tag}"),
    }
}

/// What undoes one saved edit: the reverse change, appended to history like
/// any edit (nothing is ever deleted), or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    /// The edit, as [`describe`] said it.
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
        EditCmd::StartReview { .. } | EditCmd::EndReview { .. } => {
            Err("not an edit of a deal".into())
        }
    };
    Undo { what, reverse }
}
