//! The cockpit's own configuration: its keys and colours, from the `[keys]`
//! and `[theme]` tables of the same `config.toml` the rule settings come
//! from (`config::UI_TABLES`). The rule settings (`domain::Settings`) hold
//! nothing of the screen.

use super::keymap::{KeyPatch, Keymap};
use super::theme::Theme;
use crate::config::{self, ConfigError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The cockpit's keys and colours as the config file gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// Key overrides: `[keys.MODE] action = ["key", …]` replaces that
    /// action's keys in that mode (defaults: `assets/keymap.toml`).
    pub keys: KeyPatch,
    /// Colour overrides per role (`good = "green"`, `alert = "#ff0000"`).
    pub theme: BTreeMap<String, String>,
}

impl UiConfig {
    /// The `[keys]` and `[theme]` tables of config text; `path` names it in
    /// errors (`path:line:column`).
    pub fn parse(text: &str, path: &str) -> Result<UiConfig, ConfigError> {
        config::parse_tables(text, path, &config::UI_TABLES)
    }

    /// The tables of a config file read (`config::read`); none: the defaults.
    pub fn of(source: Option<&config::Source>) -> Result<UiConfig, ConfigError> {
        source.map_or_else(
            || Ok(UiConfig::default()),
            |s| UiConfig::parse(&s.text, &s.path),
        )
    }

    /// The embedded keymap patched by `[keys]`: an unknown mode or action, a
    /// key that is no key, or a key bound twice in one mode is refused.
    pub fn keymap(&self) -> Result<Keymap, super::keymap::KeymapError> {
        Keymap::load(&self.keys)
    }

    /// The theme with `[theme]`'s colours (none with `no_color`: NO_COLOR
    /// wins); an unknown role or colour is refused.
    pub fn theme(&self, no_color: bool) -> Result<Theme, super::theme::ThemeError> {
        Theme::load(&self.theme, no_color)
    }

    /// Checks both (`pipedeck config check`), colours included even under
    /// NO_COLOR.
    pub fn check(&self) -> Result<(), String> {
        self.keymap().map_err(|e| e.to_string())?;
        self.theme(false).map_err(|e| e.to_string())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_config_has_no_overrides() {
        let ui = UiConfig::parse(config::DEFAULT_CONFIG, "default-config.toml").unwrap();
        assert_eq!(ui, UiConfig::default());
        assert_eq!(ui.check(), Ok(()));
    }

    #[test]
    fn tables_are_read_beside_the_settings_and_checked() {
        let text =
            "stale_days = 9\n[keys.global]\nquit = [\"ctrl-q\"]\n[theme]\ngood = \"#00ff00\"\n";
        let ui = UiConfig::parse(text, "c.toml").unwrap();
        assert_eq!(ui.keys["global"]["quit"], vec!["ctrl-q".to_string()]);
        assert_eq!(ui.theme["good"], "#00ff00");
        assert_eq!(ui.check(), Ok(()));
        let dup = UiConfig::parse("[keys.global]\nquit = [\"j\"]\n", "c.toml").unwrap();
        assert_eq!(
            dup.check(),
            Err("keys.global: \"j\" is bound to both down and quit".into())
        );
        let colour = UiConfig::parse("[theme]\ngood = \"shiny\"\n", "c.toml").unwrap();
        assert_eq!(
            colour.check(),
            Err("theme.good: \"shiny\" is not a colour name or #rrggbb".into())
        );
        // A key list that is not a list: file, line and column.
        let err = UiConfig::parse("[keys.global]\nquit = \"q\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml:2:"), "{err}");
    }
}
