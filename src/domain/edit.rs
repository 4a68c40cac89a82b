//! Edits of a deal (SPEC §6, §7), as a pure rule: validate an edit against
//! the deal and the configured stages, and say what the deal becomes and
//! which opportunity history rows record the change. Storage applies the
//! result in one transaction; the CLI and the cockpit call the same API.

use super::model::{
    AccountId, Activity, ActivityId, ActivityKind, ContactId, Direction, ForecastCategory,
    HistoryEntry, HistoryField, MeetingType, OppId, Opportunity, Outcome, RepId, Stage, StageKind,
    Status,
};
use super::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

/// One change a user asks for on one deal.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Move to another open stage (closing goes through `Won` / `Lost`).
    Stage(String),
    /// Set the expected close date.
    CloseDate(NaiveDate),
    /// Set the amount (not negative).
    Amount(Money),
    /// Set the forecast category (`closed` is set by closing, never by hand).
    Category(ForecastCategory),
    /// Set the next step and, optionally, its date.
    NextStep {
        text: String,
        date: Option<NaiveDate>,
    },
    /// Close won: the first won stage, status won, category closed, closed now.
    Won,
    /// Close lost with a reason: the first lost stage, status lost, category closed.
    Lost { reason: String },
}

/// Why an edit is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditRule {
    #[error("the deal is already {0}; closed deals are not edited")]
    Closed(Status),
    #[error("stage {0:?} is not a configured stage (one of: {1})")]
    UnknownStage(String, String),
    #[error("stage {0:?} closes the deal; use `won` or `lost --reason …` instead")]
    TerminalStage(String),
    #[error("amount {0} is negative")]
    NegativeAmount(Money),
    #[error("category `closed` is set by closing the deal, not by hand")]
    ClosedCategory,
    #[error("the next step is empty")]
    EmptyNextStep,
    #[error("a lost deal needs a reason")]
    EmptyLossReason,
    #[error("no {0} stage is configured")]
    NoTerminalStage(&'static str),
}

/// Who and when an edit is made, and the review session it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub now: DateTime<Utc>,
    /// Free text (a rep id or a user name) stored as `changed_by`.
    pub by: Option<String>,
    /// The open review session, if any.
    pub session: Option<i64>,
}

impl Stamp {
    pub fn new(now: DateTime<Utc>) -> Stamp {
        Stamp {
            now,
            by: None,
            session: None,
        }
    }

    fn history(
        &self,
        deal: &Opportunity,
        field: HistoryField,
        old: Option<String>,
        new: Option<String>,
    ) -> HistoryEntry {
        HistoryEntry {
            opportunity_id: deal.id.clone(),
            changed_at: self.now,
            field,
            old_value: old,
            new_value: new,
            changed_by: self.by.clone(),
            review_session_id: self.session,
        }
    }
}

/// What an edit does: the deal after it, and the history rows recording it
/// (empty when the edit changes nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub deal: Opportunity,
    pub history: Vec<HistoryEntry>,
}

/// Canonical history text of a date: `YYYY-MM-DD`.
pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Canonical history text of an amount: integer cents.
pub fn amount_text(m: Money) -> String {
    m.0.to_string()
}

/// Validates `edit` on `deal` and returns the deal after it with the history
/// rows of every field that changed (stage, amount, close_date,
/// forecast_category, status, next_step; values in canonical text).
pub fn apply(
    deal: &Opportunity,
    edit: &Edit,
    stages: &[Stage],
    stamp: &Stamp,
) -> Result<Applied, EditRule> {
    if deal.status.is_closed() {
        return Err(EditRule::Closed(deal.status));
    }
    let mut after = deal.clone();
    match edit {
        Edit::Stage(name) => {
            let stage = find_stage(stages, name)?;
            if stage.kind != StageKind::Open {
                return Err(EditRule::TerminalStage(stage.name.clone()));
            }
            after.stage = stage.name.clone();
        }
        Edit::CloseDate(d) => after.close_date = Some(*d),
        Edit::Amount(m) => {
            if m.0 < 0 {
                return Err(EditRule::NegativeAmount(*m));
            }
            after.amount = Some(*m);
        }
        Edit::Category(c) => {
            if *c == ForecastCategory::Closed {
                return Err(EditRule::ClosedCategory);
            }
            after.forecast_category = Some(*c);
        }
        Edit::NextStep { text, date } => {
            let text = text.trim();
            if text.is_empty() {
                return Err(EditRule::EmptyNextStep);
            }
            after.next_step = Some(text.to_string());
            after.next_step_date = *date;
        }
        Edit::Won => close(&mut after, stages, StageKind::Won, stamp.now)?,
        Edit::Lost { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(EditRule::EmptyLossReason);
            }
            close(&mut after, stages, StageKind::Lost, stamp.now)?;
            after.loss_reason = Some(reason.to_string());
        }
    }
    let history = diff(deal, &after, stamp);
    Ok(Applied {
        deal: after,
        history,
    })
}

fn find_stage<'a>(stages: &'a [Stage], name: &str) -> Result<&'a Stage, EditRule> {
    let name = name.trim();
    stages
        .iter()
        .find(|s| s.name == name)
        .or_else(|| stages.iter().find(|s| s.name.eq_ignore_ascii_case(name)))
        .ok_or_else(|| {
            let all: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
            EditRule::UnknownStage(name.to_string(), all.join(", "))
        })
}

fn close(
    deal: &mut Opportunity,
    stages: &[Stage],
    kind: StageKind,
    now: DateTime<Utc>,
) -> Result<(), EditRule> {
    let stage = stages
        .iter()
        .find(|s| s.kind == kind)
        .ok_or(EditRule::NoTerminalStage(kind.as_str()))?;
    deal.stage = stage.name.clone();
    deal.status = if kind == StageKind::Won {
        Status::Won
    } else {
        Status::Lost
    };
    deal.forecast_category = Some(ForecastCategory::Closed);
    deal.closed_at = Some(now);
    Ok(())
}

/// Reads one tracked field of a deal as canonical text.
type FieldText = fn(&Opportunity) -> Option<String>;

/// One history row per tracked field whose canonical text differs.
fn diff(before: &Opportunity, after: &Opportunity, stamp: &Stamp) -> Vec<HistoryEntry> {
    let fields: [(HistoryField, FieldText); 7] = [
        (HistoryField::Stage, |o| Some(o.stage.clone())),
        (HistoryField::Amount, |o| o.amount.map(amount_text)),
        (HistoryField::CloseDate, |o| o.close_date.map(date_text)),
        (HistoryField::ForecastCategory, |o| {
            o.forecast_category.map(|c| c.as_str().to_string())
        }),
        (HistoryField::Status, |o| {
            Some(o.status.as_str().to_string())
        }),
        (HistoryField::NextStep, |o| o.next_step.clone()),
        (HistoryField::NextStepDate, |o| {
            o.next_step_date.map(date_text)
        }),
    ];
    fields
        .iter()
        .filter_map(|(field, get)| {
            let (old, new) = (get(before), get(after));
            (old != new).then(|| stamp.history(before, *field, old, new))
        })
        .collect()
}

/// A call, email or meeting to log, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub rep_id: RepId,
    pub kind: ActivityKind,
    /// Meetings only; a meeting without a type is logged as a follow-up.
    pub meeting_type: Option<MeetingType>,
    pub label: Option<String>,
    pub opportunity_id: Option<OppId>,
    /// Taken from the deal when absent.
    pub account_id: Option<AccountId>,
    pub contact_id: Option<ContactId>,
    /// When it happened; `None` is now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
    /// Calls and meetings only.
    pub duration_min: Option<i64>,
    /// Calls and emails default to outbound.
    pub direction: Option<Direction>,
}

/// Why an activity is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityRule {
    #[error(
        "outcome {1} does not fit a {0} (a call is connected/no_answer, an email replied, a meeting held/no_show)"
    )]
    Outcome(ActivityKind, Outcome),
    #[error("a meeting type is for meetings only, not a {0}")]
    MeetingType(ActivityKind),
    #[error("a duration is for calls and meetings only, not an email")]
    Duration,
    #[error("duration {0} min is negative")]
    NegativeDuration(i64),
    #[error("an activity must touch a deal, an account or a contact")]
    TouchesNothing,
    #[error("{at} is in the future (now is {now}); log what happened")]
    Future { at: String, now: String },
    #[error("account {given} is not the deal's account {deal}")]
    AccountMismatch { given: String, deal: String },
    #[error("the deal is {0}; log activities on open deals")]
    ClosedDeal(Status),
}

/// Validates `new` (with its deal, when it names one) and returns the
/// activity to store under `id`, stamped with the session.
pub fn activity(
    new: &NewActivity,
    deal: Option<&Opportunity>,
    id: ActivityId,
    stamp: &Stamp,
) -> Result<Activity, ActivityRule> {
    let kind = new.kind;
    if let Some(o) = new.outcome {
        let fits = match kind {
            ActivityKind::Call => matches!(o, Outcome::Connected | Outcome::NoAnswer),
            ActivityKind::Email => o == Outcome::Replied,
            ActivityKind::Meeting => matches!(o, Outcome::Held | Outcome::NoShow),
        };
        if !fits {
            return Err(ActivityRule::Outcome(kind, o));
        }
    }
    if new.meeting_type.is_some() && kind != ActivityKind::Meeting {
        return Err(ActivityRule::MeetingType(kind));
    }
    match new.duration_min {
        Some(_) if kind == ActivityKind::Email => return Err(ActivityRule::Duration),
        Some(m) if m < 0 => return Err(ActivityRule::NegativeDuration(m)),
        _ => {}
    }
    let occurred_at = new.occurred_at.unwrap_or(stamp.now);
    if occurred_at > stamp.now {
        return Err(ActivityRule::Future {
            at: occurred_at.to_rfc3339(),
            now: stamp.now.to_rfc3339(),
        });
    }
    let mut account_id = new.account_id.clone();
    if let Some(d) = deal {
        if d.status.is_closed() {
            return Err(ActivityRule::ClosedDeal(d.status));
        }
        match (&account_id, &d.account_id) {
            (Some(given), Some(own)) if given != own => {
                return Err(ActivityRule::AccountMismatch {
                    given: given.to_string(),
                    deal: own.to_string(),
                });
            }
            (None, own) => account_id = own.clone(),
            _ => {}
        }
    }
    if new.opportunity_id.is_none() && account_id.is_none() && new.contact_id.is_none() {
        return Err(ActivityRule::TouchesNothing);
    }
    Ok(Activity {
        id,
        rep_id: new.rep_id.clone(),
        kind,
        meeting_type: match kind {
            ActivityKind::Meeting => Some(new.meeting_type.unwrap_or(MeetingType::FollowUp)),
            _ => None,
        },
        label: new.label.clone().filter(|l| !l.trim().is_empty()),
        opportunity_id: new.opportunity_id.clone(),
        account_id,
        contact_id: new.contact_id.clone(),
        occurred_at,
        outcome: new.outcome,
        duration_min: new.duration_min,
        direction: match kind {
            ActivityKind::Meeting => new.direction,
            _ => Some(new.direction.unwrap_or(Direction::Outbound)),
        },
        review_session_id: stamp.session,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Settings;

    fn deal() -> Opportunity {
        Opportunity {
            id: OppId("o1".into()),
            name: "Deal".into(),
            account_id: None,
            owner_id: RepId("ae-01".into()),
            source_rep_id: None,
            created_at: None,
            stage: "Demo".into(),
            amount: Some(Money(1_000_000)),
            close_date: NaiveDate::from_ymd_opt(2026, 12, 1),
            forecast_category: Some(ForecastCategory::Pipeline),
            status: Status::Open,
            closed_at: None,
            loss_reason: None,
            next_step: None,
            next_step_date: None,
            channel: None,
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            now: "2026-11-24T10:00:00Z".parse().unwrap(),
            by: Some("mgr".into()),
            session: Some(3),
        }
    }

    fn rows(a: &Applied) -> Vec<(&str, Option<&str>, Option<&str>)> {
        a.history
            .iter()
            .map(|h| {
                (
                    h.field.as_str(),
                    h.old_value.as_deref(),
                    h.new_value.as_deref(),
                )
            })
            .collect()
    }

    #[test]
    fn each_edit_records_exactly_its_fields_in_canonical_text() {
        let stages = Settings::default().stage_list();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        type Row = (
            Edit,
            Vec<(&'static str, Option<&'static str>, Option<&'static str>)>,
        );
        let cases: Vec<Row> = vec![
            (
                Edit::Stage("proposal".into()),
                vec![("stage", Some("Demo"), Some("Proposal"))],
            ),
            (
                Edit::CloseDate(d(2026, 12, 15)),
                vec![("close_date", Some("2026-12-01"), Some("2026-12-15"))],
            ),
            // 12 500.00 is 1 250 000 cents.
            (
                Edit::Amount(Money(1_250_000)),
                vec![("amount", Some("1000000"), Some("1250000"))],
            ),
            (
                Edit::Category(ForecastCategory::Commit),
                vec![("forecast_category", Some("pipeline"), Some("commit"))],
            ),
            (
                Edit::NextStep {
                    text: " Send SOW ".into(),
                    date: Some(d(2026, 12, 1)),
                },
                vec![
                    ("next_step", None, Some("Send SOW")),
                    ("next_step_date", None, Some("2026-12-01")),
                ],
            ),
            (
                Edit::Won,
                vec![
                    ("stage", Some("Demo"), Some("Closed Won")),
                    ("forecast_category", Some("pipeline"), Some("closed")),
                    ("status", Some("open"), Some("won")),
                ],
            ),
            (
                Edit::Lost {
                    reason: "No budget".into(),
                },
                vec![
                    ("stage", Some("Demo"), Some("Closed Lost")),
                    ("forecast_category", Some("pipeline"), Some("closed")),
                    ("status", Some("open"), Some("lost")),
                ],
            ),
            // Same value as now: no history.
            (Edit::Stage("Demo".into()), vec![]),
        ];
        for (edit, want) in cases {
            let a = apply(&deal(), &edit, &stages, &stamp()).unwrap();
            assert_eq!(rows(&a), want, "{edit:?}");
            assert!(
                a.history
                    .iter()
                    .all(|h| h.review_session_id == Some(3)
                        && h.changed_by.as_deref() == Some("mgr"))
            );
        }
    }

    #[test]
    fn closing_sets_the_closed_fields() {
        let stages = Settings::default().stage_list();
        let a = apply(
            &deal(),
            &Edit::Lost {
                reason: "No budget".into(),
            },
            &stages,
            &stamp(),
        )
        .unwrap();
        assert_eq!(a.deal.status, Status::Lost);
        assert_eq!(a.deal.loss_reason.as_deref(), Some("No budget"));
        assert_eq!(a.deal.closed_at, Some(stamp().now));
    }

    #[test]
    fn refuses_invalid_edits() {
        let stages = Settings::default().stage_list();
        let mut closed = deal();
        closed.status = Status::Lost;
        let cases: Vec<(Opportunity, Edit, EditRule)> = vec![
            (closed.clone(), Edit::Won, EditRule::Closed(Status::Lost)),
            (
                closed,
                Edit::Amount(Money(5)),
                EditRule::Closed(Status::Lost),
            ),
            (
                deal(),
                Edit::Amount(Money(-1)),
                EditRule::NegativeAmount(Money(-1)),
            ),
            (
                deal(),
                Edit::Stage("Closed Won".into()),
                EditRule::TerminalStage("Closed Won".into()),
            ),
            (
                deal(),
                Edit::Category(ForecastCategory::Closed),
                EditRule::ClosedCategory,
            ),
            (
                deal(),
                Edit::NextStep {
                    text: "  ".into(),
                    date: None,
                },
                EditRule::EmptyNextStep,
            ),
            (
                deal(),
                Edit::Lost { reason: "".into() },
                EditRule::EmptyLossReason,
            ),
        ];
        for (d, edit, want) in cases {
            assert_eq!(apply(&d, &edit, &stages, &stamp()), Err(want), "{edit:?}");
        }
        let err = apply(&deal(), &Edit::Stage("Nope".into()), &stages, &stamp()).unwrap_err();
        assert!(matches!(err, EditRule::UnknownStage(ref n, _) if n == "Nope"));
        assert!(err.to_string().contains("Proposal"), "{err}");
    }

    fn new_activity(kind: ActivityKind) -> NewActivity {
        NewActivity {
            rep_id: RepId("ae-01".into()),
            kind,
            meeting_type: None,
            label: None,
            opportunity_id: Some(OppId("o1".into())),
            account_id: None,
            contact_id: None,
            occurred_at: None,
            outcome: None,
            duration_min: None,
            direction: None,
        }
    }

    #[test]
    fn activity_rules() {
        use ActivityKind::*;
        let mut on_account = deal();
        on_account.account_id = Some(AccountId("acc1".into()));
        let mut lost = deal();
        lost.status = Status::Lost;
        type Row = (NewActivity, Opportunity, Result<(), ActivityRule>);
        let with = |k, f: &dyn Fn(&mut NewActivity)| {
            let mut a = new_activity(k);
            f(&mut a);
            a
        };
        let rows: Vec<Row> = vec![
            (
                with(Call, &|a| a.outcome = Some(Outcome::Connected)),
                deal(),
                Ok(()),
            ),
            (
                with(Call, &|a| a.outcome = Some(Outcome::Replied)),
                deal(),
                Err(ActivityRule::Outcome(Call, Outcome::Replied)),
            ),
            (
                with(Meeting, &|a| a.outcome = Some(Outcome::NoShow)),
                deal(),
                Ok(()),
            ),
            (
                with(Email, &|a| a.meeting_type = Some(MeetingType::First)),
                deal(),
                Err(ActivityRule::MeetingType(Email)),
            ),
            (
                with(Call, &|a| a.duration_min = Some(-1)),
                deal(),
                Err(ActivityRule::NegativeDuration(-1)),
            ),
            (
                with(Email, &|a| a.account_id = Some(AccountId("other".into()))),
                on_account.clone(),
                Err(ActivityRule::AccountMismatch {
                    given: "other".into(),
                    deal: "acc1".into(),
                }),
            ),
            (
                with(Email, &|_| {}),
                lost,
                Err(ActivityRule::ClosedDeal(Status::Lost)),
            ),
        ];
        for (new, d, want) in rows {
            let got = activity(&new, Some(&d), ActivityId("x".into()), &stamp()).map(|_| ());
            assert_eq!(got, want, "{new:?}");
        }
        // Defaults: a meeting is a follow-up, an email outbound, the account
        // comes from the deal, the time is now, the session is stamped.
        let m = activity(
            &new_activity(Meeting),
            Some(&on_account),
            ActivityId("m".into()),
            &stamp(),
        )
        .unwrap();
        assert_eq!(m.meeting_type, Some(MeetingType::FollowUp));
        assert_eq!(m.direction, None);
        assert_eq!(m.account_id, Some(AccountId("acc1".into())));
        assert_eq!(m.occurred_at, stamp().now);
        assert_eq!(m.review_session_id, Some(3));
        let e = activity(
            &new_activity(Email),
            Some(&deal()),
            ActivityId("e".into()),
            &stamp(),
        )
        .unwrap();
        assert_eq!(e.direction, Some(Direction::Outbound));
    }
}
