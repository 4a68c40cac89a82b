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

impl Prompt {
    pub fn new(purpose: PromptFor, label: &str) -> Prompt {
        Prompt {
            purpose,
            label: label.to_string(),
            text: String::new(),
        }
    }
}
