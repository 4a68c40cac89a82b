//! Keys typed into the one-line prompt or the pick list, and what the
//! answers become.

use super::{App, Effect};
use crate::domain::{ForecastCategory, Money, Outcome, RepId};
use crate::tui::edit::EditCmd;
use crate::tui::prompt::{PickFor, Picker, Prompt, PromptFor};
use crate::tui::theme::Role;
use chrono::NaiveDate;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl App {
    pub(super) fn prompt_key(&mut self, ev: KeyEvent) -> Option<Effect> {
        let prompt = self.prompt.as_mut()?;
        // A confirmation: `y` saves, any other key cancels.
        if let PromptFor::Confirm(_) = prompt.purpose {
            let p = self.prompt.take()?;
            let PromptFor::Confirm(cmd) = p.purpose else {
                return None;
            };
            return if matches!(ev.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                self.edit(*cmd)
            } else {
                self.status = Some((Role::Muted, "cancelled: nothing saved".into()));
                None
            };
        }
        // A key held with Ctrl or Alt is a command, never text: ctrl-c
        // cancels as Esc does, ctrl-u clears the line, ctrl-a and ctrl-e go
        // to its start and end, the others do nothing.
        // Ctrl and Alt together are AltGr on some systems (`@`, `€`): text.
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let chord = ctrl != ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char('c') if chord => KeyCode::Esc,
            KeyCode::Char('u') if chord => {
                prompt.clear();
                if prompt.purpose == PromptFor::Search {
                    self.set_filter(String::new());
                }
                return None;
            }
            KeyCode::Char('a') if chord => KeyCode::Home,
            KeyCode::Char('e') if chord => KeyCode::End,
            KeyCode::Char(_) if chord => return None,
            other => other,
        };
        match code {
            KeyCode::Esc => {
                let p = self.prompt.take()?;
                if p.purpose == PromptFor::Search {
                    self.set_filter(String::new());
                } else {
                    self.status = Some((Role::Muted, "cancelled: nothing saved".into()));
                }
                None
            }
            KeyCode::Enter => {
                let p = self.prompt.take()?;
                self.submit(p)
            }
            KeyCode::Backspace | KeyCode::Delete => {
                if prompt.delete(code == KeyCode::Backspace) && prompt.purpose == PromptFor::Search
                {
                    let t = prompt.text.clone();
                    self.set_filter(t);
                }
                None
            }
            KeyCode::Left | KeyCode::Right => {
                prompt.move_by(if code == KeyCode::Left { -1 } else { 1 });
                None
            }
            KeyCode::Home | KeyCode::End => {
                prompt.move_by(if code == KeyCode::Home {
                    isize::MIN / 2
                } else {
                    isize::MAX / 2
                });
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

    /// Keys in a pick list: up/down (k/j) move, enter picks, esc cancels.
    pub(super) fn picker_key(&mut self, ev: KeyEvent) -> Option<Effect> {
        let p = self.picker.as_mut()?;
        let n = p.options.len();
        // ctrl-c cancels as Esc does, as in the prompt.
        let ctrl_c = ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL);
        let code = if ctrl_c { KeyCode::Esc } else { ev.code };
        match code {
            KeyCode::Esc => {
                self.picker = None;
                self.status = Some((Role::Muted, "cancelled: nothing saved".into()));
                None
            }
            KeyCode::Up | KeyCode::Char('k') => {
                p.selected = p.selected.saturating_sub(1);
                None
            }
            KeyCode::Down | KeyCode::Char('j') => {
                if p.selected + 1 < n {
                    p.selected += 1;
                }
                None
            }
            KeyCode::Enter => {
                let p = self.picker.take()?;
                self.picked(p)
            }
            _ => None,
        }
    }

    fn picked(&mut self, p: Picker) -> Option<Effect> {
        let value = p.value()?.to_string();
        let session = self.session();
        match p.purpose {
            PickFor::Stage(opp) => self.edit(EditCmd::MoveStage {
                opp,
                to: value,
                session,
            }),
            PickFor::Category(opp) => match value.parse::<ForecastCategory>() {
                Ok(category) => self.edit(EditCmd::SetCategory {
                    opp,
                    category,
                    session,
                }),
                Err(e) => {
                    self.status = Some((Role::Alert, e));
                    None
                }
            },
            PickFor::Outcome(opp, kind) => {
                let outcome = value.parse::<Outcome>().ok();
                self.prompt = Some(Prompt::new(
                    PromptFor::LogNote(opp, kind, outcome),
                    &format!("{kind} note (enter: no note)"),
                ));
                None
            }
            PickFor::Owner(opp, text) => {
                let due = self
                    .env
                    .today
                    .checked_add_days(chrono::Days::new(7))
                    .unwrap_or(self.env.today);
                self.prompt = Some(Prompt::with_text(
                    PromptFor::ActionDue(opp, RepId(value.into()), text),
                    "due date (YYYY-MM-DD)",
                    &due.to_string(),
                ));
                None
            }
        }
    }

    /// A typed date, or (the prompt put back as typed, to fix) `None`.
    fn date(&mut self, text: &str, again: &Prompt) -> Option<NaiveDate> {
        match crate::app::parse_date(text) {
            Ok(d) => Some(d),
            Err(_) => self.retry(again, format!("{text:?} is not a date (YYYY-MM-DD)")),
        }
    }

    /// Puts the prompt back as it was typed, with why its answer was
    /// refused (drawn on the hint bar's row while the prompt is open):
    /// fixing a typo does not mean typing it all again.
    fn retry<T>(&mut self, again: &Prompt, why: String) -> Option<T> {
        self.prompt = Some(Prompt {
            refused: Some(format!("{why}: fix it, or esc")),
            ..again.clone()
        });
        None
    }

    /// Pasted text (bracketed paste): into the open prompt, capped, with one
    /// filter pass for the whole paste; ignored when no prompt is open (a
    /// paste is never taken for keys).
    pub fn on_paste(&mut self, text: &str) -> Option<Effect> {
        self.dirty = true;
        let prompt = self.prompt.as_mut()?;
        // A confirmation takes one key, never pasted text.
        if matches!(prompt.purpose, PromptFor::Confirm(_)) {
            return None;
        }
        if prompt.insert(text) && prompt.purpose == PromptFor::Search {
            let t = prompt.text.clone();
            self.set_filter(t);
        }
        None
    }

    fn submit(&mut self, p: Prompt) -> Option<Effect> {
        let again = p.clone();
        let text = p.text.trim().to_string();
        let session = self.session();
        match p.purpose {
            PromptFor::Search | PromptFor::Confirm(_) => None,
            PromptFor::Period => match self.env.cal.parse_period(&text, self.env.today) {
                Ok(period) => {
                    self.period = period;
                    self.period_picked = true;
                    // An earlier refusal no longer stands.
                    self.status = None;
                    Some(self.reload())
                }
                Err(e) => self.retry(&again, e),
            },
            // A note may be empty: the call or meeting is logged without one.
            PromptFor::LogNote(opp, kind, outcome) => self.edit(EditCmd::Log {
                log: crate::app::edit::LogActivity {
                    rep: None,
                    kind,
                    opp: Some(opp),
                    account: None,
                    contact: None,
                    outcome,
                    minutes: None,
                    meeting_type: None,
                    label: (!text.is_empty()).then_some(text),
                    at: None,
                },
                session,
            }),
            _ if text.is_empty() => {
                self.status = Some((Role::Warn, "nothing typed: nothing saved".into()));
                None
            }
            PromptFor::LossReason(opp) => {
                let name = self
                    .data
                    .opportunity(&opp)
                    .map_or(String::new(), |o| crate::text::sanitize(&o.name));
                self.prompt = Some(Prompt::new(
                    PromptFor::Confirm(Box::new(EditCmd::CloseLost {
                        opp: opp.clone(),
                        reason: text.clone(),
                        session,
                    })),
                    &format!("close {opp} LOST ({text})? y yes, any other key no · {name}"),
                ));
                None
            }
            PromptFor::NextStep(opp) => self.edit(EditCmd::SetNextStep {
                opp,
                text,
                date: None,
                session,
            }),
            PromptFor::CloseDate(opp) => {
                let date = self.date(&text, &again)?;
                self.edit(EditCmd::SetCloseDate { opp, date, session })
            }
            // As the screen shows amounts (`12,500.50`) or plain.
            PromptFor::Amount(opp) => match Money::parse_grouped(&text) {
                Ok(amount) => self.edit(EditCmd::SetAmount {
                    opp,
                    amount,
                    session,
                }),
                // The error quotes what it could not read.
                Err(e) => self.retry(&again, e.to_string()),
            },
            PromptFor::SnoozeUntil(opp) => {
                let until = self.date(&text, &again)?;
                // Checked before the reason is asked for (and lost).
                if until <= self.env.today {
                    let today = self.env.today;
                    return self.retry(&again, format!("{until} is not after today ({today})"));
                }
                self.prompt = Some(Prompt::new(
                    PromptFor::Snooze(opp, until),
                    &format!("snooze until {until}: reason"),
                ));
                None
            }
            PromptFor::Snooze(opp, until) => self.edit(EditCmd::Snooze {
                opp,
                reason: text,
                until,
                session,
            }),
            PromptFor::ActionItem(opp, owner) => {
                // Owners: the deal's owner first, then every active rep.
                let mut options: Vec<(String, String)> = Vec::new();
                let name = |id: &RepId| {
                    self.data
                        .rep(id)
                        .map_or_else(|| id.0.to_string(), |r| r.name.clone())
                };
                options.push((
                    owner.0.to_string(),
                    format!("{} (deal owner)", name(&owner)),
                ));
                let mut reps: Vec<&crate::domain::Rep> = self
                    .data
                    .reps
                    .iter()
                    .filter(|r| r.id != owner && r.is_active_on(self.env.today))
                    .collect();
                reps.sort_by(|a, b| a.name.cmp(&b.name));
                options.extend(reps.iter().map(|r| (r.id.0.to_string(), r.name.clone())));
                self.picker = Some(Picker::new(
                    PickFor::Owner(opp, text),
                    "action item: owner",
                    options,
                    0,
                ));
                None
            }
            PromptFor::ActionDue(opp, owner, item) => {
                let due = self.date(&text, &again)?;
                self.edit(EditCmd::ActionItem {
                    opp,
                    owner,
                    text: item,
                    due: Some(due),
                    session,
                })
            }
        }
    }
}
