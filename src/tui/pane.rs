//! The panes of the cockpit behind one dispatch: [`Focus`] names them (it
//! is also the keymap's section for each, `keymap::Mode::Pane`), [`Pane`] is
//! what each does for the frame and the keys (title, draw, the list the
//! selection keys move, scrolling, the position on its border), and
//! `App::pane` / `App::pane_mut` hand out the one in focus. The wrappers
//! here are thin: each pane's own code stays in `panes/`.

use super::action::Action;
use super::action::Action::*;
use super::panes::{
    Cx, TablesPane, anomalies::AnomaliesPane, deal::DealPane, forecast::ForecastPane,
    help::HelpPane, hygiene::HygienePane, pipeline::PipelinePane, reps::RepsPane,
    review::ReviewPane,
};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use strum::IntoEnumIterator;

/// The pane that has the keyboard. Its name (`review`) is its keymap
/// section, its label (`Review`) its tab; the order is the tab bar's.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::EnumIter, strum::IntoStaticStr,
)]
pub enum Focus {
    Review,
    Hygiene,
    Reps,
    Anomalies,
    Forecast,
    Pipeline,
    Deal,
    Help,
}

impl Focus {
    /// The panes `tab` cycles through, in tab-bar order (all but help).
    pub fn tabs() -> Vec<Focus> {
        Focus::iter().filter(|f| *f != Focus::Help).collect()
    }

    /// The keymap section of the pane.
    pub fn mode(self) -> super::keymap::Mode {
        super::keymap::Mode::Pane(self)
    }

    /// The tab's label: the variant's name.
    pub fn label(self) -> &'static str {
        self.into()
    }

    /// The name in the keymap (`review`, `deal_movement`): the label in
    /// snake case.
    pub fn name(self) -> String {
        let mut out = String::new();
        for (i, c) in self.label().chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        }
        out
    }
}

/// What a pane does for the cockpit. Drawing never mutates, queries or
/// computes (SPEC: a function of state).
pub trait Pane {
    /// The title on the pane's border.
    fn title(&self) -> String;
    /// Draws the pane inside its border.
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx);
    /// The list the selection keys (up, down, search…) move, in the pane's
    /// current state; `None`: the pane scrolls instead.
    fn list(&mut self) -> Option<&mut TablesPane> {
        None
    }
    /// The position shown on the bottom border (`12/102`, `lines 1–20 of 40`).
    fn position(&self) -> Option<String>;
    /// The actions the hint bar offers, most useful first.
    fn hints(&self) -> Vec<Action>;
    /// Scrolls by `delta` lines (the mouse wheel, page keys); by default
    /// moves the list's selection.
    fn scroll(&mut self, delta: isize) {
        if let Some(l) = self.list() {
            l.move_by(delta);
        }
    }
}

fn bump(s: &mut u16, delta: isize) {
    *s = (*s as isize + delta).max(0) as u16;
}

impl Pane for ReviewPane {
    fn title(&self) -> String {
        ReviewPane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx, cx.now)
    }
    fn list(&mut self) -> Option<&mut TablesPane> {
        Some(&mut self.agenda)
    }
    fn hints(&self) -> Vec<Action> {
        if self.run.is_some() {
            vec![
                NextBox,
                NextRep,
                Open,
                PickStage,
                SetCloseDate,
                CloseLost,
                LogCall,
                ActionItem,
                TagRed,
                Undo,
                EndReview,
                Help,
                Quit,
            ]
        } else if self.closing.is_some() {
            vec![SaveReport, Back, StartReview, Help, Quit]
        } else {
            vec![StartReview, NextBox, NextRep, Open, NextPane, Help, Quit]
        }
    }
    fn position(&self) -> Option<String> {
        match (&self.run, &self.closing) {
            (None, Some(_)) => None,
            _ => self.agenda.position(),
        }
    }
    fn scroll(&mut self, delta: isize) {
        if self.closing.is_some() && self.run.is_none() {
            bump(&mut self.scroll, delta)
        } else {
            self.agenda.move_by(delta)
        }
    }
}

impl Pane for HygienePane {
    fn title(&self) -> String {
        HygienePane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx)
    }
    fn list(&mut self) -> Option<&mut TablesPane> {
        Some(&mut self.list)
    }
    fn hints(&self) -> Vec<Action> {
        vec![
            Explain,
            Open,
            ReasonFilter,
            Sort,
            Search,
            ToggleSnoozed,
            PickStage,
            SetCloseDate,
            LogCall,
            Snooze,
            Undo,
            Help,
            Quit,
        ]
    }
    fn position(&self) -> Option<String> {
        self.list.position()
    }
}

impl Pane for RepsPane {
    fn title(&self) -> String {
        RepsPane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx)
    }
    fn list(&mut self) -> Option<&mut TablesPane> {
        (!self.own).then_some(&mut self.list)
    }
    fn hints(&self) -> Vec<Action> {
        if self.own {
            // One rep's metrics: no list to search (the view scrolls); the
            // team's cuts and the rep filter are left out by the view
            // (`App::refusal`).
            vec![
                RepsView, RepsCut, PeriodKind, PeriodPrev, RepFilter, Down, Help, Quit,
            ]
        } else {
            vec![
                RepsView, RepsCut, PeriodKind, PeriodPrev, RepFilter, Search, Help, Quit,
            ]
        }
    }
    fn position(&self) -> Option<String> {
        if self.own {
            self.detail_scroll.position()
        } else {
            self.list.position()
        }
    }
    fn scroll(&mut self, delta: isize) {
        if self.own {
            self.detail_scroll.by(delta)
        } else {
            self.list.move_by(delta)
        }
    }
}

impl Pane for AnomaliesPane {
    fn title(&self) -> String {
        AnomaliesPane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx)
    }
    fn list(&mut self) -> Option<&mut TablesPane> {
        Some(self.current_mut())
    }
    fn hints(&self) -> Vec<Action> {
        vec![Open, Back, PeriodKind, PeriodPrev, Help, Quit]
    }
    fn position(&self) -> Option<String> {
        self.current().position()
    }
}

impl Pane for ForecastPane {
    fn title(&self) -> String {
        ForecastPane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx)
    }
    fn hints(&self) -> Vec<Action> {
        vec![Down, Open, PageDown, PeriodKind, PeriodPrev, Help, Quit]
    }
    fn position(&self) -> Option<String> {
        self.scroll.position()
    }
    fn scroll(&mut self, delta: isize) {
        // A line at a time moves between the steps of the movement.
        match delta {
            1 => self.down(1),
            -1 => self.up(1),
            _ => self.scroll.by(delta),
        }
    }
}

impl Pane for PipelinePane {
    fn title(&self) -> String {
        PipelinePane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx)
    }
    fn list(&mut self) -> Option<&mut TablesPane> {
        self.own.is_some().then_some(&mut self.list)
    }
    fn hints(&self) -> Vec<Action> {
        if self.own.is_some() {
            vec![Open, Search, Help, Quit]
        } else {
            // The open pipeline of today: the period keys change nothing here.
            vec![Down, Up, NextPane, Help, Quit]
        }
    }
    fn position(&self) -> Option<String> {
        if self.own.is_some() {
            self.list.position()
        } else {
            self.scroll.position()
        }
    }
    fn scroll(&mut self, delta: isize) {
        if self.own.is_some() {
            self.list.move_by(delta)
        } else {
            self.scroll.by(delta)
        }
    }
}

impl Pane for DealPane {
    fn title(&self) -> String {
        DealPane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx)
    }
    fn hints(&self) -> Vec<Action> {
        vec![
            Back,
            PickStage,
            SetCloseDate,
            CloseLost,
            NextStep,
            LogCall,
            SetAmount,
            SetCategory,
            Snooze,
            Undo,
            Help,
        ]
    }
    fn position(&self) -> Option<String> {
        self.scroll.position()
    }
    fn scroll(&mut self, delta: isize) {
        self.scroll.by(delta)
    }
}

impl Pane for HelpPane {
    fn title(&self) -> String {
        HelpPane::title(self)
    }
    fn draw(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        self.render(area, buf, cx)
    }
    fn hints(&self) -> Vec<Action> {
        vec![Down, Up, Back, Quit]
    }
    fn position(&self) -> Option<String> {
        self.scroll.position()
    }
    fn scroll(&mut self, delta: isize) {
        self.scroll.by(delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_labels_and_tabs_come_from_the_variants() {
        assert_eq!(Focus::Review.label(), "Review");
        assert_eq!(Focus::Anomalies.name(), "anomalies");
        assert_eq!(Focus::tabs().len(), 7);
        assert!(!Focus::tabs().contains(&Focus::Help));
    }
}
