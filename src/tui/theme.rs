//! A semantic theme: panes ask for a role, never a colour. With `NO_COLOR`
//! every role is a modifier (bold, reversed, underlined) and flags keep their
//! symbol or word, so nothing relies on colour alone.

use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;

/// The meanings text can have on screen; the name in `[theme]` is the
/// variant's in snake case (`title_focused`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::EnumString, strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    Title,
    TitleFocused,
    Muted,
    Selected,
    Good,
    Warn,
    Alert,
    Money,
}

/// Every role's name, for an error: `title, title_focused, …`.
fn known_roles() -> String {
    <Role as strum::IntoEnumIterator>::iter()
        .map(<&'static str>::from)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Styles per role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    title: Style,
    title_focused: Style,
    muted: Style,
    selected: Style,
    good: Style,
    warn: Style,
    alert: Style,
    money: Style,
}

/// A theme override that can't be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ThemeError {
    #[error("theme.{0}: unknown role (known: {known})", known = known_roles())]
    UnknownRole(String),
    #[error("theme.{role}: {value:?} is not a colour name or #rrggbb")]
    BadColour { role: String, value: String },
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            title: Style::new().add_modifier(Modifier::BOLD),
            title_focused: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            muted: Style::new().fg(Color::DarkGray),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            good: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            alert: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            money: Style::new().fg(Color::LightBlue),
        }
    }
}

impl Theme {
    /// No colour at all (`NO_COLOR`): meaning by modifier, symbol and word.
    pub fn monochrome() -> Theme {
        Theme {
            title: Style::new().add_modifier(Modifier::BOLD),
            title_focused: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            muted: Style::new().add_modifier(Modifier::DIM),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            good: Style::new(),
            warn: Style::new(),
            alert: Style::new().add_modifier(Modifier::BOLD),
            money: Style::new(),
        }
    }

    /// The default (or monochrome) theme with the user's `[theme]` colours.
    /// With `no_color` the overrides are ignored: NO_COLOR wins.
    pub fn load(overrides: &BTreeMap<String, String>, no_color: bool) -> Result<Theme, ThemeError> {
        if no_color {
            return Ok(Theme::monochrome());
        }
        let mut t = Theme::default();
        for (name, value) in overrides {
            let role: Role = name
                .parse()
                .map_err(|_| ThemeError::UnknownRole(name.clone()))?;
            let colour: Color = value.parse().map_err(|_| ThemeError::BadColour {
                role: name.clone(),
                value: value.clone(),
            })?;
            let slot = t.slot(role);
            *slot = slot.fg(colour);
        }
        Ok(t)
    }

    fn slot(&mut self, role: Role) -> &mut Style {
        match role {
            Role::Title => &mut self.title,
            Role::TitleFocused => &mut self.title_focused,
            Role::Muted => &mut self.muted,
            Role::Selected => &mut self.selected,
            Role::Good => &mut self.good,
            Role::Warn => &mut self.warn,
            Role::Alert => &mut self.alert,
            Role::Money => &mut self.money,
        }
    }

    pub fn style(&self, role: Role) -> Style {
        match role {
            Role::Title => self.title,
            Role::TitleFocused => self.title_focused,
            Role::Muted => self.muted,
            Role::Selected => self.selected,
            Role::Good => self.good,
            Role::Warn => self.warn,
            Role::Alert => self.alert,
            Role::Money => self.money,
        }
    }

    /// A pane title, highlighted when the pane has focus.
    pub fn title(&self, focused: bool) -> Style {
        if focused {
            self.title_focused
        } else {
            self.title
        }
    }
    pub fn muted(&self) -> Style {
        self.muted
    }
    pub fn selected(&self) -> Style {
        self.selected
    }
    pub fn good(&self) -> Style {
        self.good
    }
    pub fn warn(&self) -> Style {
        self.warn
    }
    pub fn alert(&self) -> Style {
        self.alert
    }
    pub fn money(&self) -> Style {
        self.money
    }
}

/// True when the environment asks for no colour (`NO_COLOR` set and non-empty).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_bad_ones_are_named() {
        let mut o = BTreeMap::new();
        o.insert("good".to_string(), "#00ff00".to_string());
        let t = Theme::load(&o, false).expect("valid override");
        assert_eq!(t.good().fg, Some(Color::Rgb(0, 255, 0)));
        assert_eq!(Theme::load(&o, true), Ok(Theme::monochrome()));
        o.insert("shiny".to_string(), "red".to_string());
        assert_eq!(
            Theme::load(&o, false),
            Err(ThemeError::UnknownRole("shiny".into()))
        );
        assert_eq!(
            ThemeError::UnknownRole("shiny".into()).to_string(),
            "theme.shiny: unknown role (known: title, title_focused, muted, selected, good, warn, alert, money)"
        );
        let mut bad = BTreeMap::new();
        bad.insert("alert".to_string(), "not-a-colour".to_string());
        assert_eq!(
            Theme::load(&bad, false),
            Err(ThemeError::BadColour {
                role: "alert".into(),
                value: "not-a-colour".into()
            })
        );
    }

    #[test]
    fn monochrome_has_no_colours() {
        let t = Theme::monochrome();
        for r in <Role as strum::IntoEnumIterator>::iter() {
            assert_eq!(t.style(r).fg, None, "{r:?}");
            assert_eq!(t.style(r).bg, None, "{r:?}");
        }
    }
}
