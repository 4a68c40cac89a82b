//! Keys → actions, in one place per mode. The default map is embedded TOML
//! (`assets/keymap.toml`), patched by the `[keys.MODE]` tables of the user's
//! config; a key bound twice in one mode is an error. The help screen and
//! the hint bar read the reverse map (action → keys), so they can't drift.

use super::action::Action;
use super::pane::Focus;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

/// The embedded default keymap.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// A section of the keymap: where a key is looked up. Each pane's section
/// is its [`Focus`] (one list of panes); `global` and `edit` are shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Global,
    /// Edits of the selected deal (review, hygiene and deal panes).
    Edit,
    /// One pane's own keys.
    Pane(Focus),
}

impl Mode {
    /// Every section: the shared ones, then each pane's in tab order.
    pub fn all() -> Vec<Mode> {
        [Mode::Global, Mode::Edit]
            .into_iter()
            .chain(Focus::iter().map(Mode::Pane))
            .collect()
    }

    /// The section's name in keymap files (`[keys.NAME]`).
    pub fn name(self) -> String {
        match self {
            Mode::Global => "global".to_string(),
            Mode::Edit => "edit".to_string(),
            Mode::Pane(f) => f.name(),
        }
    }

    fn from_name(s: &str) -> Option<Mode> {
        Mode::all().into_iter().find(|m| m.name() == s)
    }

    /// The sections searched for a key in this mode, most specific first.
    pub fn lookup_order(self) -> Vec<Mode> {
        match self {
            Mode::Pane(Focus::Review | Focus::Hygiene | Focus::Deal) => {
                vec![self, Mode::Edit, Mode::Global]
            }
            _ => vec![self, Mode::Global],
        }
    }
}

/// Every section's name, for an error: `global, edit, review, …`.
fn known_sections() -> String {
    Mode::all()
        .into_iter()
        .map(Mode::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A key with its modifiers (shift is folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

/// `KeyCode` subset we bind, ordered so keys can be map keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// What is wrong with a keymap.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KeymapError {
    #[error("keymap: {0}")]
    Toml(String),
    #[error("keys.{section}: unknown section (known: {})", known_sections())]
    UnknownSection { section: String },
    #[error("keys.{section}.{action}: unknown action")]
    UnknownAction { section: String, action: String },
    #[error("keys.{section}.{action}: {key:?} is not a key name")]
    BadKey {
        section: String,
        action: String,
        key: String,
    },
    #[error("keys.{section}: {key:?} is bound to both {first} and {second}")]
    Duplicate {
        section: String,
        key: String,
        first: String,
        second: String,
    },
}

impl Key {
    /// Parses `q`, `G`, `?`, `ctrl-c`, `alt-x`, `enter`, `pgdn`, `f1`, …
    pub fn parse(text: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "backspace" => KeyCodeOrd::Backspace,
            "space" => KeyCodeOrd::Char(' '),
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "pgup" => KeyCodeOrd::PageUp,
            "pgdn" => KeyCodeOrd::PageDown,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            s => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCodeOrd::Char(c),
                    (Some('f'), Some(_)) => {
                        let n: u8 = s[1..].parse().ok()?;
                        if !(1..=12).contains(&n) {
                            return None;
                        }
                        KeyCodeOrd::F(n)
                    }
                    _ => return None,
                }
            }
        };
        Some(Key { code, ctrl, alt })
    }

    /// The key of a terminal event (`None` for keys we never bind).
    pub fn from_event(ev: KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            _ => return None,
        };
        Some(Key { code, ctrl, alt })
    }

    /// The key as the help screen shows it (`ctrl-c`, `G`, `pgdn`).
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "space".to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::F(n) => format!("f{n}"),
            KeyCodeOrd::Enter => "enter".into(),
            KeyCodeOrd::Esc => "esc".into(),
            KeyCodeOrd::Tab => "tab".into(),
            KeyCodeOrd::BackTab => "S-tab".into(),
            KeyCodeOrd::Backspace => "bksp".into(),
            KeyCodeOrd::Up => "↑".into(),
            KeyCodeOrd::Down => "↓".into(),
            KeyCodeOrd::Left => "←".into(),
            KeyCodeOrd::Right => "→".into(),
            KeyCodeOrd::PageUp => "pgup".into(),
            KeyCodeOrd::PageDown => "pgdn".into(),
            KeyCodeOrd::Home => "home".into(),
            KeyCodeOrd::End => "end".into(),
        };
        let mut out = String::new();
        if self.ctrl {
            out.push_str("ctrl-");
        }
        if self.alt {
            out.push_str("alt-");
        }
        out.push_str(&base);
        out
    }
}

/// User patches: section → action name → keys (replacing the default keys).
pub type KeyPatch = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// The resolved keymap: per mode, key → action, and the reverse.
#[derive(Debug, Clone)]
pub struct Keymap {
    forward: BTreeMap<Mode, BTreeMap<Key, Action>>,
    reverse: BTreeMap<Mode, BTreeMap<Action, Vec<Key>>>,
}

impl Keymap {
    /// The embedded defaults patched by the user's `[keys]` tables.
    pub fn load(patch: &KeyPatch) -> Result<Keymap, KeymapError> {
        let mut table: KeyPatch =
            toml::from_str(DEFAULT_KEYMAP).map_err(|e| KeymapError::Toml(e.to_string()))?;
        for (section, actions) in patch {
            if Mode::from_name(section).is_none() {
                return Err(KeymapError::UnknownSection {
                    section: section.clone(),
                });
            }
            let entry = table.entry(section.clone()).or_default();
            for (action, keys) in actions {
                entry.insert(action.clone(), keys.clone());
            }
        }
        Keymap::from_table(&table)
    }

    fn from_table(table: &KeyPatch) -> Result<Keymap, KeymapError> {
        let mut forward: BTreeMap<Mode, BTreeMap<Key, Action>> = BTreeMap::new();
        let mut reverse: BTreeMap<Mode, BTreeMap<Action, Vec<Key>>> = BTreeMap::new();
        for (section, actions) in table {
            let mode = Mode::from_name(section).ok_or_else(|| KeymapError::UnknownSection {
                section: section.clone(),
            })?;
            let fwd = forward.entry(mode).or_default();
            let rev = reverse.entry(mode).or_default();
            for (name, keys) in actions {
                let action = Action::from_name(name).ok_or_else(|| KeymapError::UnknownAction {
                    section: section.clone(),
                    action: name.clone(),
                })?;
                for text in keys {
                    let key = Key::parse(text).ok_or_else(|| KeymapError::BadKey {
                        section: section.clone(),
                        action: name.clone(),
                        key: text.clone(),
                    })?;
                    if let Some(prev) = fwd.insert(key, action) {
                        let (a, b) = (prev.name().unwrap_or_default(), name.clone());
                        let (first, second) = if a <= b { (a, b) } else { (b, a) };
                        return Err(KeymapError::Duplicate {
                            section: section.clone(),
                            key: text.clone(),
                            first,
                            second,
                        });
                    }
                    rev.entry(action).or_default().push(key);
                }
            }
        }
        Ok(Keymap { forward, reverse })
    }

    /// The action of `key` in `mode` (the mode's section, then the shared ones).
    pub fn action(&self, mode: Mode, key: Key) -> Option<Action> {
        mode.lookup_order()
            .into_iter()
            .find_map(|m| self.forward.get(&m).and_then(|f| f.get(&key)).copied())
    }

    /// The keys of `action` in `mode`, as the user would press them there
    /// (keys shadowed by a more specific section are left out).
    pub fn keys(&self, mode: Mode, action: Action) -> Vec<Key> {
        let mut out = Vec::new();
        for m in mode.lookup_order() {
            if let Some(keys) = self.reverse.get(&m).and_then(|r| r.get(&action)) {
                for k in keys {
                    if self.action(mode, *k) == Some(action) && !out.contains(k) {
                        out.push(*k);
                    }
                }
            }
        }
        out
    }

    /// `k/↑` style label of an action's keys in a mode; empty when unbound.
    pub fn label(&self, mode: Mode, action: Action) -> String {
        self.keys(mode, action)
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every (action, keys) bound in exactly this section, in action order.
    pub fn section(&self, mode: Mode) -> Vec<(Action, Vec<Key>)> {
        self.reverse
            .get(&mode)
            .map(|r| r.iter().map(|(a, k)| (*a, k.clone())).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).expect("valid key")
    }

    fn patch(section: &str, action: &str, keys: &[&str]) -> KeyPatch {
        let mut p = KeyPatch::new();
        p.entry(section.into())
            .or_default()
            .insert(action.into(), keys.iter().map(|k| k.to_string()).collect());
        p
    }

    #[test]
    fn default_keymap_loads_and_resolves_by_mode() {
        let km = Keymap::load(&KeyPatch::new()).expect("default keymap is valid");
        let cases = [
            (Mode::Global, "q", Some(Action::Quit)),
            (Mode::Pane(Focus::Hygiene), "?", Some(Action::Explain)),
            (Mode::Pane(Focus::Reps), "?", Some(Action::Help)),
            (Mode::Pane(Focus::Hygiene), "x", Some(Action::CloseLost)),
            (Mode::Pane(Focus::Reps), "x", None),
            (Mode::Pane(Focus::Review), "l", Some(Action::NextBox)),
            (Mode::Pane(Focus::Deal), "j", Some(Action::Down)),
            (Mode::Global, "ctrl-c", Some(Action::Quit)),
            (Mode::Global, "G", Some(Action::Bottom)),
        ];
        for (mode, k, want) in cases {
            assert_eq!(km.action(mode, key(k)), want, "{mode:?} {k}");
        }
        // `?` is shadowed by explain in hygiene, so help there is f1 only.
        assert_eq!(km.label(Mode::Pane(Focus::Hygiene), Action::Help), "f1");
        assert_eq!(km.label(Mode::Pane(Focus::Reps), Action::Help), "?/f1");
    }

    #[test]
    fn user_patch_replaces_an_actions_keys() {
        let km = Keymap::load(&patch("global", "quit", &["ctrl-q"])).expect("valid");
        assert_eq!(km.action(Mode::Global, key("ctrl-q")), Some(Action::Quit));
        assert_eq!(km.action(Mode::Global, key("q")), None);
    }

    #[test]
    fn bad_patches_are_rejected_with_a_reason() {
        let cases = [
            (
                patch("global", "quit", &["j"]),
                KeymapError::Duplicate {
                    section: "global".into(),
                    key: "j".into(),
                    first: "down".into(),
                    second: "quit".into(),
                },
            ),
            (
                patch("nowhere", "quit", &["q"]),
                KeymapError::UnknownSection {
                    section: "nowhere".into(),
                },
            ),
            (
                patch("global", "tick", &["t"]),
                KeymapError::UnknownAction {
                    section: "global".into(),
                    action: "tick".into(),
                },
            ),
            (
                patch("global", "quit", &["ctrl-"]),
                KeymapError::BadKey {
                    section: "global".into(),
                    action: "quit".into(),
                    key: "ctrl-".into(),
                },
            ),
        ];
        for (p, want) in cases {
            assert_eq!(Keymap::load(&p).err(), Some(want));
        }
        // The sections an unknown one is told about come from the panes.
        assert_eq!(
            Keymap::load(&patch("nowhere", "quit", &["q"]))
                .err()
                .map(|e| e.to_string()),
            Some("keys.nowhere: unknown section (known: global, edit, review, hygiene, reps, anomalies, forecast, pipeline, deal, help)".to_string())
        );
    }

    #[test]
    fn terminal_events_match_parsed_keys() {
        let ev = |code, mods| Key::from_event(KeyEvent::new(code, mods));
        assert_eq!(ev(KeyCode::Char('G'), KeyModifiers::SHIFT), Some(key("G")));
        assert_eq!(
            ev(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(key("ctrl-c"))
        );
        assert_eq!(
            ev(KeyCode::BackTab, KeyModifiers::SHIFT),
            Some(key("backtab"))
        );
        assert_eq!(ev(KeyCode::F(1), KeyModifiers::NONE), Some(key("f1")));
    }
}
