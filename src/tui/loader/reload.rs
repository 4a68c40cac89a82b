//! Which groups of panes a load rebuilds. A period or filter change
//! rebuilds them all; an edit only those it can change, the others keeping
//! what they show (docs/cockpit.md "An edit on screen").

use super::Part;
use crate::app::edit::EditCmd;

/// The parts of a load ([`Part`]) to build and send; the panes of the
/// others keep their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reload {
    /// Agenda, hygiene, scores, the deal pane, pipeline, forecast, waterfall
    /// and the call's movement (and the dataset edits read).
    pub review: bool,
    /// The reps grid's metrics and their cuts.
    pub metrics: bool,
    /// The accuracy of past quarters' calls.
    pub accuracy: bool,
    /// The anomalies and the reps grid's flags.
    pub anomalies: bool,
}

impl Reload {
    pub const ALL: Reload = Reload {
        review: true,
        metrics: true,
        accuracy: true,
        anomalies: true,
    };
    pub const NONE: Reload = Reload {
        review: false,
        metrics: false,
        accuracy: false,
        anomalies: false,
    };
    pub const REVIEW: Reload = Reload {
        review: true,
        ..Reload::NONE
    };

    /// What an edit can change. Every edit rebuilds the review part (it
    /// reads every field of the deals on the agenda, their snoozes, tags,
    /// action items and the review sessions). Beyond it, by what the other
    /// parts read (docs/cockpit.md):
    /// - metrics (and the anomalies, computed from the metrics of every rep,
    ///   team baselines included) read the deals' owner, source rep,
    ///   creation, stage history, status, close instant and amount, and the
    ///   activities; never the close date, the category, the next step,
    ///   snoozes, tags, action items or review sessions;
    /// - accuracy reads the deals' status, close instant, amount and owner,
    ///   and the snapshots (whose rows are frozen copies); it is rebuilt on
    ///   any change of a deal's close date, category, stage, amount or
    ///   status (it costs no read of its own: it is built from the deals
    ///   the review part loads).
    pub fn after_edit(cmd: &EditCmd) -> Reload {
        match cmd {
            EditCmd::MoveStage { .. }
            | EditCmd::SetAmount { .. }
            | EditCmd::CloseWon { .. }
            | EditCmd::CloseLost { .. } => Reload::ALL,
            EditCmd::SetCloseDate { .. } | EditCmd::SetCategory { .. } => Reload {
                accuracy: true,
                ..Reload::REVIEW
            },
            EditCmd::Log { .. } => Reload {
                metrics: true,
                anomalies: true,
                ..Reload::REVIEW
            },
            EditCmd::SetNextStep { .. }
            | EditCmd::Snooze { .. }
            | EditCmd::Tag { .. }
            | EditCmd::ActionItem { .. }
            | EditCmd::StartReview { .. }
            | EditCmd::EndReview { .. } => Reload::REVIEW,
        }
    }

    /// The reps grid's parts among these (metrics, anomalies), read and
    /// built together (`loader::grid_parts`).
    pub fn grid(self) -> Reload {
        Reload {
            metrics: self.metrics,
            anomalies: self.anomalies,
            ..Reload::NONE
        }
    }

    /// Both sets of parts.
    pub fn union(self, o: Reload) -> Reload {
        Reload {
            review: self.review || o.review,
            metrics: self.metrics || o.metrics,
            accuracy: self.accuracy || o.accuracy,
            anomalies: self.anomalies || o.anomalies,
        }
    }

    /// `part` has arrived: no longer awaited.
    pub fn arrived(&mut self, part: &Part) {
        match part {
            Part::Review { .. } => self.review = false,
            Part::Metrics { .. } => self.metrics = false,
            Part::Accuracy(_) => self.accuracy = false,
            Part::Anomalies { .. } => self.anomalies = false,
        }
    }

    /// The names of the parts, in the worker's order (for messages and tests).
    pub fn names(self) -> Vec<&'static str> {
        [
            (self.review, "review"),
            (self.metrics, "metrics"),
            (self.accuracy, "accuracy"),
            (self.anomalies, "anomalies"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ActivityKind, ForecastCategory, Money, OppId, RepId, StuckTag};

    fn d() -> OppId {
        OppId("D-1".into())
    }

    #[test]
    fn each_edit_reloads_what_it_can_change() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let cases: Vec<(EditCmd, Vec<&str>)> = vec![
            (
                EditCmd::SetNextStep {
                    opp: d(),
                    text: "send the SOW".into(),
                    date: None,
                    session: None,
                },
                vec!["review"],
            ),
            (
                EditCmd::Tag {
                    opp: d(),
                    tag: StuckTag::Red,
                    note: None,
                    session: None,
                },
                vec!["review"],
            ),
            (
                EditCmd::Snooze {
                    opp: d(),
                    reason: "on holiday".into(),
                    until: day,
                    session: None,
                },
                vec!["review"],
            ),
            (
                EditCmd::ActionItem {
                    opp: d(),
                    owner: RepId("ann".into()),
                    text: "call legal".into(),
                    due: None,
                    session: None,
                },
                vec!["review"],
            ),
            (EditCmd::StartReview { facilitator: None }, vec!["review"]),
            (EditCmd::EndReview { session: Some(1) }, vec!["review"]),
            (
                EditCmd::SetCloseDate {
                    opp: d(),
                    date: day,
                    session: None,
                },
                vec!["review", "accuracy"],
            ),
            (
                EditCmd::SetCategory {
                    opp: d(),
                    category: ForecastCategory::Commit,
                    session: None,
                },
                vec!["review", "accuracy"],
            ),
            (
                EditCmd::Log {
                    log: crate::app::edit::LogActivity {
                        rep: None,
                        kind: ActivityKind::Call,
                        opp: Some(d()),
                        account: None,
                        contact: None,
                        outcome: None,
                        minutes: None,
                        meeting_type: None,
                        label: None,
                        at: None,
                    },
                    session: None,
                },
                vec!["review", "metrics", "anomalies"],
            ),
            (
                EditCmd::MoveStage {
                    opp: d(),
                    to: "Negotiation".into(),
                    session: None,
                },
                vec!["review", "metrics", "accuracy", "anomalies"],
            ),
            (
                EditCmd::SetAmount {
                    opp: d(),
                    amount: Money::from_major(9_000),
                    session: None,
                },
                vec!["review", "metrics", "accuracy", "anomalies"],
            ),
            (
                EditCmd::CloseWon {
                    opp: d(),
                    session: None,
                },
                vec!["review", "metrics", "accuracy", "anomalies"],
            ),
            (
                EditCmd::CloseLost {
                    opp: d(),
                    reason: "price".into(),
                    session: None,
                },
                vec!["review", "metrics", "accuracy", "anomalies"],
            ),
        ];
        for (cmd, want) in cases {
            assert_eq!(Reload::after_edit(&cmd).names(), want, "{cmd:?}");
        }
    }

    #[test]
    fn a_union_keeps_every_part_of_either() {
        let next = Reload::REVIEW.union(Reload {
            anomalies: true,
            ..Reload::NONE
        });
        assert_eq!(next.names(), ["review", "anomalies"]);
        assert_eq!(Reload::NONE.names(), Vec::<&str>::new());
    }
}
