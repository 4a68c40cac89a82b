//! Keys typed into the one-line prompt, and what the typed text becomes.

use super::{App, Effect};
use crate::tui::edit::EditCmd;
use crate::tui::prompt::{Prompt, PromptFor};
use crate::tui::theme::Role;
use chrono::Days;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

impl App {
    pub(super) fn prompt_key(&mut self, ev: KeyEvent) -> Option<Effect> {
        let prompt = self.prompt.as_mut()?;
        match ev.code {
            KeyCode::Esc => {
                let p = self.prompt.take()?;
                if p.purpose == PromptFor::Search {
                    self.set_filter(String::new());
                }
                None
            }
            KeyCode::Enter => {
                let p = self.prompt.take()?;
                self.submit(p)
            }
            KeyCode::Backspace => {
                prompt.text.pop();
                if prompt.purpose == PromptFor::Search {
                    let t = prompt.text.clone();
                    self.set_filter(t);
                }
                None
            }
            KeyCode::Char(c) if !c.is_control() => {
                if !prompt.insert(c.encode_utf8(&mut [0; 4])) {
                    return None;
                }
                if prompt.purpose == PromptFor::Search {
                    let t = prompt.text.clone();
                    self.set_filter(t);
                }
                None
            }
            _ => None,
        }
    }

    /// Pasted text (bracketed paste): into the open prompt, capped, with one
    /// filter pass for the whole paste; ignored when no prompt is open (a
    /// paste is never taken for keys).
    pub fn on_paste(&mut self, text: &str) -> Option<Effect> {
        let prompt = self.prompt.as_mut()?;
        if prompt.insert(text) && prompt.purpose == PromptFor::Search {
            let t = prompt.text.clone();
            self.set_filter(t);
        }
        None
    }

    fn submit(&mut self, p: Prompt) -> Option<Effect> {
        let text = p.text.trim().to_string();
        let session = self.session();
        let today = self.env.today;
        match p.purpose {
            PromptFor::Search => None,
            PromptFor::Period => match self.env.cal.parse_period(&text, today) {
                Ok(period) => {
                    self.period = period;
                    Some(self.reload())
                }
                Err(e) => {
                    self.status = Some((Role::Alert, e));
                    None
                }
            },
            _ if text.is_empty() => {
                self.status = Some((Role::Warn, "nothing typed: nothing saved".into()));
                None
            }
            PromptFor::LossReason(opp) => self.edit(EditCmd::CloseLost {
                opp,
                reason: text,
                session,
            }),
            PromptFor::NextStep(opp) => self.edit(EditCmd::SetNextStep { opp, text, session }),
            PromptFor::Snooze(opp) => {
                let until = today.checked_add_days(Days::new(14)).unwrap_or(today);
                self.edit(EditCmd::Snooze {
                    opp,
                    reason: text,
                    until,
                    session,
                })
            }
            PromptFor::ActionItem(opp, owner) => {
                let due = today.checked_add_days(Days::new(7)).unwrap_or(today);
                self.edit(EditCmd::ActionItem {
                    opp,
                    owner,
                    text,
                    due,
                    session,
                })
            }
        }
    }
}
