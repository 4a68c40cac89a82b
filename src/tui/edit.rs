//! The cockpit's side of an edit: the use case is `app::edit` (the same the
//! command line calls); here only who the cockpit's edits are recorded as
//! and the status-bar line of what was saved.

use crate::app::Env;
use crate::app::edit::{self as use_case, Saved};
pub use crate::app::edit::{EditCmd, Undo, describe, undo_of};
use crate::storage::{EditError, Store};
use chrono::{DateTime, Utc};

/// What a saved edit produced, for the cockpit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Done {
    /// One line for the status bar.
    pub message: String,
    /// The id of a review session just started (or resumed).
    pub session_started: Option<i64>,
    /// The seconds a resumed session had spent in each box (by box).
    pub box_seconds: Option<Vec<i64>>,
    /// The closing report (Markdown) of a review session just ended.
    pub closing_report: Option<String>,
    /// A deal edit that changed the deal: the deal as saved and the history
    /// rows written (the cockpit shows it before the review part is rebuilt).
    pub deal: Option<Box<crate::domain::edit::Applied>>,
}

/// An edit not saved: one line for the status bar, and the review session
/// the edit was made in when that session has ended elsewhere (another
/// cockpit or `pipedeck review end` ended it): the cockpit then leaves
/// the review, so its next edits are not refused in turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub message: String,
    pub session_ended: Option<i64>,
}

impl Refused {
    /// A refusal that says only why.
    pub fn new(message: String) -> Refused {
        Refused {
            message,
            session_ended: None,
        }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Who the cockpit's edits are recorded as (`changed_by`).
pub const EDITOR: &str = "cockpit";

/// Saves one edit at the clock instant `real` (`app::edit::apply`); the
/// error says what could not be saved and why.
pub fn apply(
    store: &mut Store,
    env: &Env,
    real: DateTime<Utc>,
    cmd: &EditCmd,
) -> Result<Done, Refused> {
    let what = describe(cmd);
    // The refusal first: a status line cut at 80 columns still says so.
    let saved = use_case::apply(store, env, real, Some(EDITOR), cmd).map_err(|e| match e {
        EditError::SessionEnded { id } => Refused {
            message: match cmd {
                EditCmd::EndReview { .. } => format!(
                    "review #{id} was already ended elsewhere: this cockpit left it (R starts a new one)"
                ),
                _ => format!(
                    "not saved: review #{id} was ended elsewhere; left it (R starts a new one; {what})"
                ),
            },
            session_ended: Some(id),
        },
        e => Refused::new(format!("not saved: {e} ({what})")),
    })?;
    Ok(match saved {
        Saved::ReviewStarted(s) if s.resumed => Done {
            message: format!(
                "resumed review #{} (started {})",
                s.session.id,
                s.session.started_at.format("%Y-%m-%d %H:%M")
            ),
            session_started: Some(s.session.id),
            // Unreadable timers start at 0:00: the review itself goes on.
            box_seconds: store
                .review_box_seconds(s.session.id, crate::domain::review::TIME_BOXES.len())
                .ok(),
            ..Done::default()
        },
        Saved::ReviewStarted(s) => Done {
            message: format!("review #{} started: edits now carry its id", s.session.id),
            session_started: Some(s.session.id),
            ..Done::default()
        },
        Saved::ReviewEnded(e) => Done {
            message: format!(
                "review #{} ended: closing report below (S saves it)",
                e.session
            ),
            closing_report: Some(e.markdown),
            ..Done::default()
        },
        Saved::Deal(applied) if !applied.history.is_empty() => Done {
            message: format!("saved: {what}"),
            deal: Some(Box::new(applied)),
            ..Done::default()
        },
        _ => Done {
            message: format!("saved: {what}"),
            ..Done::default()
        },
    })
}
