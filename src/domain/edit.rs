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
    /// The end of `now`'s local day, when known: an edit is recorded after
    /// its deal's latest change (storage's `edit_deal`), but never moved
    /// into a later day, where the reports would count it.
    pub day_end: Option<DateTime<Utc>>,
}

impl Stamp {
    pub fn new(now: DateTime<Utc>) -> Stamp {
        Stamp {
            now,
            by: None,
            session: None,
            day_end: None,
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
            old_value: old.map(Into::into),
            new_value: new.map(Into::into),
            changed_by: self.by.clone().map(Into::into),
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

/// The close date after pushing (`days` > 0) or pulling (`days` < 0) it by
/// `days`: a push of a date already missed starts from today (a week from
/// today, not a week from the day it missed); a pull starts from the date
/// itself; a deal without a date starts from today.
pub fn shifted_close_date(current: Option<NaiveDate>, today: NaiveDate, days: i64) -> NaiveDate {
    let base = match current {
        Some(d) if days > 0 => d.max(today),
        Some(d) => d,
        None => today,
    };
    base.checked_add_signed(chrono::Duration::days(days))
        .unwrap_or(base)
}

/// Days from today a next step set without a date is due.
pub const NEXT_STEP_DAYS: u64 = 7;

/// The date of a next step: the one given, else [`NEXT_STEP_DAYS`] from today.
pub fn next_step_date(given: Option<NaiveDate>, today: NaiveDate) -> Option<NaiveDate> {
    given.or_else(|| today.checked_add_days(chrono::Days::new(NEXT_STEP_DAYS)))
}

/// The open stage one step forward (`forward`) or back from `current` in
/// the stages in force, if there is one (closing goes through won / lost).
pub fn step_stage<'a>(stages: &'a [Stage], current: &str, forward: bool) -> Option<&'a Stage> {
    let open: Vec<&Stage> = stages
        .iter()
        .filter(|s| s.kind == StageKind::Open)
        .collect();
    let i = open.iter().position(|s| s.name == current)?;
    if forward {
        open.get(i + 1).copied()
    } else {
        i.checked_sub(1).and_then(|j| open.get(j).copied())
    }
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
    changes(before, after)
        .into_iter()
        .map(|(field, old, new)| stamp.history(before, field, old, new))
        .collect()
}

/// A tracked field's change: the field, its canonical text before and after.
pub type Change = (HistoryField, Option<String>, Option<String>);

/// Each tracked field whose canonical text differs between two versions of
/// a deal, with its text before and after: what history records of a change
/// (an edit's, or an import's that brings no history of its own).
pub fn changes(before: &Opportunity, after: &Opportunity) -> Vec<Change> {
    let fields: [(HistoryField, FieldText); 8] = [
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
        (HistoryField::OwnerId, |o| Some(o.owner_id.to_string())),
    ];
    fields
        .iter()
        .filter_map(|(field, get)| {
            let (old, new) = (get(before), get(after));
            (old != new).then_some((*field, old, new))
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

/// The longest call or meeting logged by hand: a day (a typo's
/// `--minutes 4294967295` would outweigh every call of the team).
pub const MAX_LOGGED_MINUTES: i64 = 24 * 60;

/// "a call", "an email".
fn article(kind: &ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Email => "an",
        _ => "a",
    }
}

/// Why an activity is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityRule {
    #[error(
        "outcome {outcome} does not fit {a} {kind} (a call is connected/no_answer, an email replied, a meeting held/no_show)",
        outcome = .1,
        a = article(.0),
        kind = .0
    )]
    Outcome(ActivityKind, Outcome),
    #[error("a meeting type is for meetings only, not {a} {kind}", a = article(.0), kind = .0)]
    MeetingType(ActivityKind),
    #[error("a duration is for calls and meetings only, not an email")]
    Duration,
    #[error("duration {0} min is negative")]
    NegativeDuration(i64),
    #[error("duration {0} min is longer than a day; log a call or meeting in minutes")]
    LongDuration(i64),
    #[error("{0} is before 1900; dates run from 1900 to 2199")]
    TooEarly(String),
    #[error("an activity must touch a deal, an account or a contact")]
    TouchesNothing,
    #[error("{at} is in the future (now is {now}); log what happened")]
    Future { at: String, now: String },
    #[error("account {given} is not the deal's account {deal}")]
    AccountMismatch { given: String, deal: String },
    #[error("the deal is {0}; log activities on open deals")]
    ClosedDeal(Status),
}

/// What of an activity's details does not fit its kind, in this order: an
/// outcome of another kind (a call `held`), a meeting type on a call or an
/// email, a duration on an email. `log` refuses the first; an import keeps
/// the row and warns of each (`import::native::activity`).
pub fn misfits(
    kind: ActivityKind,
    outcome: Option<Outcome>,
    meeting_type: Option<MeetingType>,
    duration_min: Option<i64>,
) -> Vec<ActivityRule> {
    let mut out = Vec::new();
    if let Some(o) = outcome {
        let fits = match kind {
            ActivityKind::Call => matches!(o, Outcome::Connected | Outcome::NoAnswer),
            ActivityKind::Email => o == Outcome::Replied,
            ActivityKind::Meeting => matches!(o, Outcome::Held | Outcome::NoShow),
        };
        if !fits {
            out.push(ActivityRule::Outcome(kind, o));
        }
    }
    if meeting_type.is_some() && kind != ActivityKind::Meeting {
        out.push(ActivityRule::MeetingType(kind));
    }
    if duration_min.is_some() && kind == ActivityKind::Email {
        out.push(ActivityRule::Duration);
    }
    out
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
    if let Some(broken) = misfits(kind, new.outcome, new.meeting_type, new.duration_min)
        .into_iter()
        .next()
    {
        return Err(broken);
    }
    match new.duration_min {
        Some(m) if m < 0 => return Err(ActivityRule::NegativeDuration(m)),
        Some(m) if m > MAX_LOGGED_MINUTES => return Err(ActivityRule::LongDuration(m)),
        _ => {}
    }
    let occurred_at = new.occurred_at.unwrap_or(stamp.now);
    if chrono::Datelike::year(&occurred_at) < 1900 {
        return Err(ActivityRule::TooEarly(occurred_at.to_rfc3339()));
    }
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
mod tests;
