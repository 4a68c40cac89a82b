//! Every behaviour of the cockpit, by name. Keys map to these (see
//! `keymap.rs`); the help screen and the hint bar list them. One list: each
//! variant carries its keymap name (strum, snake_case) and its short
//! description (`strum(message)`); iteration is derived. Internal variants
//! (`Tick`, `Resize`, mouse events) have no description and can't be bound
//! to a key.

use serde::{Deserialize, Serialize};
use strum::{EnumMessage, IntoEnumIterator};

/// One thing the user (or the event loop) asks the cockpit to do.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::EnumMessage,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    /// Leave the cockpit.
    #[strum(message = "quit")]
    Quit,
    /// Show or hide the help screen.
    #[strum(message = "help")]
    Help,
    /// Focus the next pane.
    #[strum(message = "next pane")]
    NextPane,
    /// Focus the previous pane.
    #[strum(message = "previous pane")]
    PrevPane,
    /// Focus the review agenda.
    #[strum(message = "review")]
    FocusReview,
    /// Focus the hygiene list.
    #[strum(message = "hygiene")]
    FocusHygiene,
    /// Focus the reps' metrics.
    #[strum(message = "reps")]
    FocusReps,
    /// Focus the anomalies.
    #[strum(message = "anomalies")]
    FocusAnomalies,
    /// Focus the forecast.
    #[strum(message = "forecast")]
    FocusForecast,
    /// Focus the open pipeline.
    #[strum(message = "pipeline")]
    FocusPipeline,
    /// Focus the deal last opened.
    #[strum(message = "deal")]
    FocusDeal,
    /// Move the selection up.
    #[strum(message = "up")]
    Up,
    /// Move the selection down.
    #[strum(message = "down")]
    Down,
    /// Move the selection a page up.
    #[strum(message = "page up")]
    PageUp,
    /// Move the selection a page down.
    #[strum(message = "page down")]
    PageDown,
    /// Select the first row.
    #[strum(message = "first row")]
    Top,
    /// Select the last row.
    #[strum(message = "last row")]
    Bottom,
    /// Open the selected row (a deal, a drill-down).
    #[strum(message = "open")]
    Open,
    /// Close the popup, prompt or search; back from the drill-down.
    #[strum(message = "back")]
    Back,
    /// Search the focused list.
    #[strum(message = "search")]
    Search,
    /// Next period of the same length.
    #[strum(message = "next period")]
    PeriodNext,
    /// Previous period of the same length.
    #[strum(message = "previous period")]
    PeriodPrev,
    /// Cycle the period length: week, month, quarter.
    #[strum(message = "week/month/quarter")]
    PeriodKind,
    /// Type a period (2026-Q4, 2026-11, last-4-weeks, FROM..TO).
    #[strum(message = "type a period")]
    PeriodCustom,
    /// Cycle the rep filter: everyone, then each rep.
    #[strum(message = "rep filter")]
    RepFilter,
    /// Reload every report from the database.
    #[strum(message = "reload")]
    Reload,
    /// Explain why the selected deal is flagged.
    #[strum(message = "why flagged")]
    Explain,
    /// Cycle the sort order of the list.
    #[strum(message = "sort")]
    Sort,
    /// Cycle the reason filter of the hygiene list.
    #[strum(message = "reason filter")]
    ReasonFilter,
    /// Show or hide snoozed deals.
    #[strum(message = "snoozed")]
    ToggleSnoozed,
    /// Cycle the reps view: quantity, quality, revenue, SDR.
    #[strum(message = "quantity/quality/revenue/SDR")]
    RepsView,
    /// Cycle the reps pane's cut: by rep, segment, ICP tier, industry, channel, stage at creation.
    #[strum(message = "cut by segment/tier/…")]
    RepsCut,
    /// Start a review session.
    #[strum(message = "start review")]
    StartReview,
    /// End the review session and show the closing report.
    #[strum(message = "end review")]
    EndReview,
    /// Next rep of the agenda.
    #[strum(message = "next rep")]
    NextRep,
    /// Previous rep of the agenda.
    #[strum(message = "previous rep")]
    PrevRep,
    /// Next time box of the agenda.
    #[strum(message = "next box")]
    NextBox,
    /// Previous time box of the agenda.
    #[strum(message = "previous box")]
    PrevBox,
    /// Move the selected deal one stage forward.
    #[strum(message = "stage +1")]
    StageForward,
    /// Move the selected deal one stage back.
    #[strum(message = "stage −1")]
    StageBack,
    /// Push the selected deal's close date by a week.
    #[strum(message = "push close +7d")]
    PushClose,
    /// Pull the selected deal's close date in by a week.
    #[strum(message = "pull close −7d")]
    PullClose,
    /// Close the selected deal lost (asks for a reason).
    #[strum(message = "close lost")]
    CloseLost,
    /// Close the selected deal won.
    #[strum(message = "close won")]
    CloseWon,
    /// Set the selected deal's next step (asks for it).
    #[strum(message = "next step")]
    NextStep,
    /// Log a call on the selected deal.
    #[strum(message = "log call")]
    LogCall,
    /// Log a meeting on the selected deal.
    #[strum(message = "log meeting")]
    LogMeeting,
    /// Record an action item on the selected deal (asks for it).
    #[strum(message = "action item")]
    ActionItem,
    /// Snooze the selected deal with a reason for 14 days (asks for the reason).
    #[strum(message = "snooze")]
    Snooze,
    /// Tag the selected deal red: blocker identified.
    #[strum(message = "tag red")]
    TagRed,
    /// Tag the selected deal yellow: waiting on the customer.
    #[strum(message = "tag yellow")]
    TagYellow,
    /// Tag the selected deal green: needs internal help.
    #[strum(message = "tag green")]
    TagGreen,
    /// Save the closing report as Markdown.
    #[strum(message = "save report .md")]
    SaveReport,
    /// Type the selected deal's exact close date.
    #[strum(message = "close date")]
    SetCloseDate,
    /// Pick the selected deal's stage from a list.
    #[strum(message = "stage…")]
    PickStage,
    /// Type the selected deal's amount.
    #[strum(message = "amount")]
    SetAmount,
    /// Pick the selected deal's forecast category from a list.
    #[strum(message = "category")]
    SetCategory,
    /// Undo the last edit of this session (by appending the reverse change).
    #[strum(message = "undo")]
    Undo,
    /// Internal: the clock ticked (redraw timers, poll the loader).
    #[serde(skip)]
    Tick,
    /// Internal: the terminal was resized.
    #[serde(skip)]
    Resize,
    /// Internal: mouse wheel up.
    #[serde(skip)]
    ScrollUp,
    /// Internal: mouse wheel down.
    #[serde(skip)]
    ScrollDown,
}

impl Action {
    /// The name used in keymap files (`next_pane`); `None` for internal
    /// actions (those without a description).
    pub fn name(self) -> Option<String> {
        self.is_bindable()
            .then(|| <&'static str>::from(self).to_string())
    }

    /// The action a keymap name stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::iter().find(|a| a.is_bindable() && <&'static str>::from(*a) == name)
    }

    /// The short description (the variant's `message`), for the hint bar
    /// and help; empty for internal actions.
    pub fn describe(self) -> &'static str {
        self.get_message().unwrap_or("")
    }

    fn is_bindable(self) -> bool {
        self.get_message().is_some()
    }

    /// Every action a key may be bound to, in declaration order.
    pub fn bindable() -> Vec<Action> {
        Action::iter().filter(|a| a.is_bindable()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_internal_actions_have_none() {
        assert_eq!(Action::NextPane.name().as_deref(), Some("next_pane"));
        assert_eq!(Action::from_name("close_lost"), Some(Action::CloseLost));
        assert_eq!(Action::Tick.name(), None);
        assert_eq!(Action::from_name("tick"), None);
        assert_eq!(Action::from_name("resize"), None);
        for a in Action::bindable() {
            let name = a.name().expect("bindable actions have names");
            assert_eq!(Action::from_name(&name), Some(a));
            assert!(!a.describe().is_empty(), "{name} has no description");
        }
        assert_eq!(Action::bindable().len(), Action::iter().count() - 4);
    }
}
