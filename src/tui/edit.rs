//! Edits the cockpit asks the worker to save, and how they are saved: through
//! the storage edit API, never SQL of our own.

use super::loader::Env;
use crate::domain::{ActivityKind, OppId, RepId, StuckTag};
use crate::storage::Store;
use chrono::NaiveDate;

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
        session: Option<i64>,
    },
    Log {
        opp: OppId,
        kind: ActivityKind,
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

/// Saves one edit; the error says what could not be saved and why.
pub fn apply(_store: &mut Store, _env: &Env, cmd: &EditCmd) -> Result<Done, String> {
    Err(format!(
        "{}: editing needs the storage edit API, not available in this build yet",
        describe(cmd)
    ))
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
        EditCmd::SetNextStep { opp, .. } => format!("{opp}: next step set"),
        EditCmd::Log { opp, kind, .. } => format!("{opp}: {kind} logged"),
        EditCmd::ActionItem { opp, .. } => format!("{opp}: action item added"),
        EditCmd::Snooze { opp, until, .. } => format!("{opp}: snoozed until {until}"),
        EditCmd::Tag { opp, tag, .. } => format!("{opp}: tagged {tag}"),
    }
}
