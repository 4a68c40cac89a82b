//! The help screen, generated from the keymap's reverse map (action → keys),
//! so it always says what the keys really do.

use super::Cx;
use crate::tui::keymap::Mode;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

#[derive(Debug, Clone, Default)]
pub struct HelpPane {
    /// Clamped at the last line: the help does not scroll past its end.
    pub scroll: super::Scroll,
}

impl HelpPane {
    pub fn title(&self) -> String {
        "Help · keys (esc closes)".into()
    }

    /// Every section with its actions, in keymap order.
    pub fn lines(cx: &Cx) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for mode in Mode::all() {
            let section = cx.keymap.section(mode);
            if section.is_empty() {
                continue;
            }
            let heading = match mode {
                Mode::Global => "everywhere".to_string(),
                Mode::Edit => "on a selected deal (review, hygiene, deal)".to_string(),
                m => format!("in {}", m.name()),
            };
            lines.push(Line::styled(heading, cx.theme.title(true)));
            for (action, keys) in section {
                let k = keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" ");
                lines.push(Line::from(vec![
                    Span::styled(format!("  {k:<14}"), cx.theme.money()),
                    Span::raw(action.describe().to_string()),
                ]));
            }
        }
        lines
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let lines = HelpPane::lines(cx);
        if area.width >= 120 {
            let half = lines.len().div_ceil(2);
            let shown = area.height as usize;
            self.scroll.last.set((shown, half));
            let top = self.scroll.offset.min(half.saturating_sub(shown)) as u16;
            let [l, r] =
                Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(area);
            Paragraph::new(lines[..half].to_vec())
                .scroll((top, 0))
                .render(l, buf);
            Paragraph::new(lines[half..].to_vec())
                .scroll((top, 0))
                .render(r, buf);
        } else {
            self.scroll.lines(area, buf, lines);
        }
    }
}
