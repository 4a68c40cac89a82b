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
    /// Where typing goes, in characters from the start (at the end unless
    /// moved with ←, →, home, end).
    pub cursor: usize,
    /// Why the last answer was refused (a date, an amount or a period the
    /// prompt cannot take): shown beside the prompt while it stays open.
    pub refused: Option<String>,
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
            cursor: 0,
            refused: None,
        }
    }

    /// A prompt with its default answer typed in (enter keeps it).
    pub fn with_text(purpose: PromptFor, label: &str, text: &str) -> Prompt {
        Prompt {
            text: text.to_string(),
            cursor: text.chars().count(),
            ..Prompt::new(purpose, label)
        }
    }

    /// The byte offset of character `n`.
    fn byte(&self, n: usize) -> usize {
        self.text
            .char_indices()
            .nth(n)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts typed or pasted text at the cursor, up to
    /// [`MAX_PROMPT_CHARS`]: line breaks and tabs become spaces, other
    /// control characters are dropped. Returns whether anything was added.
    pub fn insert(&mut self, text: &str) -> bool {
        let room = MAX_PROMPT_CHARS.saturating_sub(self.text.chars().count());
        let add: String = text
            .chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !c.is_control())
            .take(room)
            .collect();
        let at = self.byte(self.cursor);
        self.text.insert_str(at, &add);
        self.cursor += add.chars().count();
        !add.is_empty()
    }

    /// Deletes the character before the cursor (backspace) or under it
    /// (delete); whether one was.
    pub fn delete(&mut self, before: bool) -> bool {
        let n = match before {
            true if self.cursor > 0 => self.cursor - 1,
            false if self.cursor < self.text.chars().count() => self.cursor,
            _ => return false,
        };
        let at = self.byte(n);
        self.text.remove(at);
        self.cursor = n;
        true
    }

    /// Moves the cursor by `by` characters, within the text.
    pub fn move_by(&mut self, by: isize) {
        let len = self.text.chars().count() as isize;
        self.cursor = (self.cursor as isize + by).clamp(0, len) as usize;
    }

    /// Empties the line.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
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

#[cfg(test)]
mod cursor_tests {
    use super::*;

    #[test]
    fn typing_goes_where_the_cursor_is() {
        let mut p = Prompt::with_text(PromptFor::Search, "search", "abcd");
        assert_eq!(p.cursor, 4);
        p.move_by(-2);
        p.insert("X");
        assert_eq!((p.text.as_str(), p.cursor), ("abXcd", 3));
        // Backspace takes the character before, delete the one under.
        assert!(p.delete(true));
        assert!(p.delete(false));
        assert_eq!((p.text.as_str(), p.cursor), ("abd", 2));
        p.move_by(-10);
        assert!(!p.delete(true));
        p.insert("é");
        assert_eq!((p.text.as_str(), p.cursor), ("éabd", 1));
        p.move_by(10);
        assert!(!p.delete(false));
        assert_eq!(p.cursor, 4);
        p.clear();
        assert_eq!((p.text.as_str(), p.cursor), ("", 0));
    }
}
