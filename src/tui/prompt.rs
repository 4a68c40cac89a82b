//! A one-line prompt (search, a period, a loss reason, a next step, a date,
//! a confirmation, …) and a pick list (a stage, a category, an outcome, an
//! owner). Edits that need several answers go prompt → list → prompt, each
//! step carrying what was answered before.

use super::edit::EditCmd;
use crate::domain::{ActivityKind, OppId, Outcome, RepId};
use chrono::NaiveDate;

/// What the typed text is for.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptFor {
    /// Filters the focused list as you type.
    Search,
    Period,
    LossReason(OppId),
    NextStep(OppId),
    /// The snooze's end date (prefilled two weeks out), then its reason.
    SnoozeUntil(OppId),
    Snooze(OppId, NaiveDate),
    /// The action item's text, then its owner (a list), then its due date.
    ActionItem(OppId, RepId),
    ActionDue(OppId, RepId, String),
    CloseDate(OppId),
    Amount(OppId),
    /// The note of a logged call or meeting (empty: none).
    LogNote(OppId, ActivityKind, Option<Outcome>),
    /// `y` saves the edit, any other key cancels.
    Confirm(Box<EditCmd>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub purpose: PromptFor,
    pub label: String,
    pub text: String,
}

/// The most characters a prompt holds: a search, a reason or a next step
/// is a line, and a paste of a whole document must not stall the screen.
pub const MAX_PROMPT_CHARS: usize = 200;

impl Prompt {
    pub fn new(purpose: PromptFor, label: &str) -> Prompt {
        Prompt {
            purpose,
            label: label.to_string(),
            text: String::new(),
        }
    }

    /// A prompt with its default answer typed in (enter keeps it).
    pub fn with_text(purpose: PromptFor, label: &str, text: &str) -> Prompt {
        Prompt {
            text: text.to_string(),
            ..Prompt::new(purpose, label)
        }
    }

    /// Appends typed or pasted text up to [`MAX_PROMPT_CHARS`]: line breaks
    /// and tabs become spaces, other control characters are dropped.
    /// Returns whether anything was added.
    pub fn insert(&mut self, text: &str) -> bool {
        let room = MAX_PROMPT_CHARS.saturating_sub(self.text.chars().count());
        let before = self.text.len();
        self.text.extend(
            text.chars()
                .map(|c| {
                    if matches!(c, '\n' | '\r' | '\t') {
                        ' '
                    } else {
                        c
                    }
                })
                .filter(|c| !c.is_control())
                .take(room),
        );
        self.text.len() != before
    }
}

/// What a pick list chooses.
#[derive(Debug, Clone, PartialEq)]
pub enum PickFor {
    Stage(OppId),
    Category(OppId),
    Outcome(OppId, ActivityKind),
    /// The action item's owner (the text typed before).
    Owner(OppId, String),
}

/// A list to pick one line of: up/down (j/k) move, enter picks, esc cancels.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub purpose: PickFor,
    pub title: String,
    /// (value, what the line says).
    pub options: Vec<(String, String)>,
    pub selected: usize,
}

impl Picker {
    pub fn new(
        purpose: PickFor,
        title: &str,
        options: Vec<(String, String)>,
        selected: usize,
    ) -> Picker {
        let selected = selected.min(options.len().saturating_sub(1));
        Picker {
            purpose,
            title: title.to_string(),
            options,
            selected,
        }
    }

    pub fn value(&self) -> Option<&str> {
        self.options.get(self.selected).map(|o| o.0.as_str())
    }
}
