//! A one-line text prompt (search, a period, a loss reason, a next step, …).

use crate::domain::{OppId, RepId};

/// What the typed text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptFor {
    /// Filters the focused list as you type.
    Search,
    Period,
    LossReason(OppId),
    NextStep(OppId),
    Snooze(OppId),
    ActionItem(OppId, RepId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
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
