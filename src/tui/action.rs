//! Every behaviour of the cockpit, by name. Keys map to these (see
//! `keymap.rs`); the help screen and the hint bar list them. Internal
//! variants (`Tick`, `Resize`, mouse events) are `serde(skip)`: they can't
//! be bound to a key.

use serde::{Deserialize, Serialize};

/// One thing the user (or the event loop) asks the cockpit to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave the cockpit.
    Quit,
    /// Show or hide the help screen.
    Help,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Focus the review agenda.
    FocusReview,
    /// Focus the hygiene list.
    FocusHygiene,
    /// Focus the reps' metrics.
    FocusReps,
    /// Focus the anomalies.
    FocusAnomalies,
    /// Focus the forecast.
    FocusForecast,
    /// Focus the open pipeline.
    FocusPipeline,
    /// Focus the deal last opened.
    FocusDeal,
    /// Move the selection up.
    Up,
    /// Move the selection down.
    Down,
    /// Move the selection a page up.
    PageUp,
    /// Move the selection a page down.
    PageDown,
    /// Select the first row.
    Top,
    /// Select the last row.
    Bottom,
    /// Open the selected row (a deal, a drill-down).
    Open,
    /// Close the popup, prompt or search; back from the drill-down.
    Back,
    /// Search the focused list.
    Search,
    /// Next period of the same length.
    PeriodNext,
    /// Previous period of the same length.
    PeriodPrev,
    /// Cycle the period length: week, month, quarter.
    PeriodKind,
    /// Type a period (2026-Q4, 2026-11, last-4-weeks, FROM..TO).
    PeriodCustom,
    /// Cycle the rep filter: everyone, then each rep.
    RepFilter,
    /// Reload every report from the database.
    Reload,
    /// Explain why the selected deal is flagged.
    Explain,
    /// Cycle the sort order of the list.
    Sort,
    /// Cycle the reason filter of the hygiene list.
    ReasonFilter,
    /// Show or hide snoozed deals.
    ToggleSnoozed,
    /// Cycle the reps view: quantity, quality, revenue, SDR.
    RepsView,
    /// Cycle the reps pane's cut: by rep, segment, ICP tier, industry, channel, stage at creation.
    RepsCut,
    /// Start a review session.
    StartReview,
    /// End the review session and show the closing report.
    EndReview,
    /// Next rep of the agenda.
    NextRep,
    /// Previous rep of the agenda.
    PrevRep,
    /// Next time box of the agenda.
    NextBox,
    /// Previous time box of the agenda.
    PrevBox,
    /// Move the selected deal one stage forward.
    StageForward,
    /// Move the selected deal one stage back.
    StageBack,
    /// Push the selected deal's close date by a week.
    PushClose,
    /// Pull the selected deal's close date in by a week.
    PullClose,
    /// Close the selected deal lost (asks for a reason).
    CloseLost,
    /// Close the selected deal won.
    CloseWon,
    /// Set the selected deal's next step (asks for it).
    NextStep,
    /// Log a call on the selected deal.
    LogCall,
    /// Log a meeting on the selected deal.
    LogMeeting,
    /// Record an action item on the selected deal (asks for it).
    ActionItem,
    /// Snooze the selected deal with a reason for 14 days (asks for the reason).
    Snooze,
    /// Tag the selected deal red: blocker identified.
    TagRed,
    /// Tag the selected deal yellow: waiting on the customer.
    TagYellow,
    /// Tag the selected deal green: needs internal help.
    TagGreen,
    /// Save the closing report as Markdown.
    SaveReport,
    /// Type the selected deal's exact close date.
    SetCloseDate,
    /// Pick the selected deal's stage from a list.
    PickStage,
    /// Type the selected deal's amount.
    SetAmount,
    /// Pick the selected deal's forecast category from a list.
    SetCategory,
    /// Undo the last edit of this session (by appending the reverse change).
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
    /// The name used in keymap files (`next_pane`); `None` for internal actions.
    pub fn name(self) -> Option<String> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The action a keymap name stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// The first line of the doc comment, shortened, for the hint bar and help.
    pub fn describe(self) -> &'static str {
        use Action::*;
        match self {
            Quit => "quit",
            Help => "help",
            NextPane => "next pane",
            PrevPane => "previous pane",
            FocusReview => "review",
            FocusHygiene => "hygiene",
            FocusReps => "reps",
            FocusAnomalies => "anomalies",
            FocusForecast => "forecast",
            FocusPipeline => "pipeline",
            FocusDeal => "deal",
            Up => "up",
            Down => "down",
            PageUp => "page up",
            PageDown => "page down",
            Top => "first row",
            Bottom => "last row",
            Open => "open",
            Back => "back",
            Search => "search",
            PeriodNext => "next period",
            PeriodPrev => "previous period",
            PeriodKind => "week/month/quarter",
            PeriodCustom => "type a period",
            RepFilter => "rep filter",
            Reload => "reload",
            Explain => "why flagged",
            Sort => "sort",
            ReasonFilter => "reason filter",
            ToggleSnoozed => "snoozed",
            RepsView => "quantity/quality/revenue/SDR",
            RepsCut => "cut by segment/tier/…",
            StartReview => "start review",
            EndReview => "end review",
            NextRep => "next rep",
            PrevRep => "previous rep",
            NextBox => "next box",
            PrevBox => "previous box",
            StageForward => "stage +1",
            StageBack => "stage −1",
            PushClose => "push close +7d",
            PullClose => "pull close −7d",
            CloseLost => "close lost",
            CloseWon => "close won",
            NextStep => "next step",
            LogCall => "log call",
            LogMeeting => "log meeting",
            ActionItem => "action item",
            Snooze => "snooze",
            TagRed => "tag red",
            TagYellow => "tag yellow",
            TagGreen => "tag green",
            SaveReport => "save report .md",
            SetCloseDate => "close date",
            PickStage => "stage…",
            SetAmount => "amount",
            SetCategory => "category",
            Undo => "undo",
            Tick | Resize | ScrollUp | ScrollDown => "",
        }
    }

    /// Every action a key may be bound to.
    pub fn bindable() -> Vec<Action> {
        ALL.iter().copied().filter(|a| a.name().is_some()).collect()
    }
}

/// Every variant, in declaration order.
const ALL: &[Action] = {
    use Action::*;
    &[
        Quit,
        Help,
        NextPane,
        PrevPane,
        FocusReview,
        FocusHygiene,
        FocusReps,
        FocusAnomalies,
        FocusForecast,
        FocusPipeline,
        FocusDeal,
        Up,
        Down,
        PageUp,
        PageDown,
        Top,
        Bottom,
        Open,
        Back,
        Search,
        PeriodNext,
        PeriodPrev,
        PeriodKind,
        PeriodCustom,
        RepFilter,
        Reload,
        Explain,
        Sort,
        ReasonFilter,
        ToggleSnoozed,
        RepsView,
        RepsCut,
        StartReview,
        EndReview,
        NextRep,
        PrevRep,
        NextBox,
        PrevBox,
        StageForward,
        StageBack,
        PushClose,
        PullClose,
        CloseLost,
        CloseWon,
        NextStep,
        LogCall,
        LogMeeting,
        ActionItem,
        Snooze,
        TagRed,
        TagYellow,
        TagGreen,
        SaveReport,
        SetCloseDate,
        PickStage,
        SetAmount,
        SetCategory,
        Undo,
        Tick,
        Resize,
        ScrollUp,
        ScrollDown,
    ]
};

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
        assert_eq!(Action::bindable().len(), ALL.len() - 4);
    }
}
