//! Stale deals and hygiene (SPEC §6): every open deal with its named
//! reasons, each one explained (rule, threshold, last real touch, what would
//! clear it), sorted by amount at risk then age, with snoozes applied.
//!
//! Day counts are whole calendar days between local dates in the configured
//! time zone: an activity on 25 October is 30 days old on 24 November,
//! whatever its hour. "In the last N days" means on or after today − N.

mod facts;
pub(crate) use facts::pushes_and_pulls;

use super::edit::date_text;
use super::model::{
    AccountId, Dataset, DealTag, OppId, Opportunity, RepId, Stage, Status, StuckTag,
};
use super::money::Money;
use super::period::Calendar;
use super::settings::Settings;
use chrono::NaiveDate;
use serde::Serialize;

/// A named hygiene reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No real contact (an activity on the deal or its account) for ≥ `stale_days`.
    Untouched,
    /// Expected close date before today.
    PastDue,
    /// Days in the current stage > the stage's `max_days`.
    Stuck,
    /// Next step empty, or its date before today.
    NoNextStep,
    /// Close date pushed later ≥ `slipping_pushes` times in the last `slipping_window_days`.
    Slipping,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Untouched,
        Reason::PastDue,
        Reason::Stuck,
        Reason::NoNextStep,
        Reason::Slipping,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Untouched => "untouched",
            Reason::PastDue => "past_due",
            Reason::Stuck => "stuck",
            Reason::NoNextStep => "no_next_step",
            Reason::Slipping => "slipping",
        }
    }

    /// The reason in words, for sentences (`past due`, `no next step`).
    pub fn label(self) -> &'static str {
        match self {
            Reason::PastDue => "past due",
            Reason::NoNextStep => "no next step",
            other => other.as_str(),
        }
    }
}

/// One reason a deal is on the list, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub reason: Reason,
    /// The rule, in a sentence.
    pub rule: String,
    /// The configured threshold the deal crossed.
    pub threshold: String,
    /// What the deal shows (e.g. "34 days since the last touch on 2026-10-21").
    pub observed: String,
    /// What would clear the flag.
    pub clear: String,
}

/// The snooze in force on a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnoozeNote {
    /// Back on the to-do list on this date.
    pub until: NaiveDate,
    pub reason: String,
    pub by: Option<String>,
}

/// The snooze in force on deal `o` today, flagged or not (the deal card,
/// `deal ID show`): none on a closed deal, which has no flag to hide. Reads
/// that deal's snoozes only (the cockpit asks on every frame).
pub fn snooze_in_force(
    data: &Dataset,
    cal: &Calendar,
    today: NaiveDate,
    o: &Opportunity,
) -> Option<SnoozeNote> {
    if o.status != Status::Open {
        return None;
    }
    let mine = data.snoozes.iter().filter(|s| s.opportunity_id == o.id);
    facts::snoozes_in_force(mine, cal, today).remove(&o.id)
}

/// The stuck tag in force on deal `id` today (the hygiene list's, the
/// deal card's and `deal ID show`'s): the latest set up to the end of
/// today, the later stored of two set at one instant. Reads that deal's
/// tags only.
pub fn tag_in_force<'a>(
    data: &'a Dataset,
    cal: &Calendar,
    today: NaiveDate,
    id: &OppId,
) -> Option<&'a DealTag> {
    let mine = data.tags.iter().filter(|t| &t.opportunity_id == id);
    facts::tags_in_force(mine, cal, today).remove(id)
}

/// An open deal on the hygiene list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HygieneItem {
    pub opportunity_id: OppId,
    pub name: String,
    pub owner_id: RepId,
    pub account_id: Option<AccountId>,
    pub stage: String,
    #[serde(serialize_with = "crate::domain::money::major::opt::serialize")]
    pub amount: Option<Money>,
    pub close_date: Option<NaiveDate>,
    /// Days since created (`None` when the created date is unknown).
    pub age_days: Option<i64>,
    /// Local date of the last real touch (activity on the deal or its account).
    pub last_touch: Option<NaiveDate>,
    /// Days since the last touch, else since created; `None` when neither is known.
    pub days_untouched: Option<i64>,
    /// Days in the current stage (`None` when unknown).
    pub days_in_stage: Option<i64>,
    pub flags: Vec<Flag>,
    /// The snooze in force today, if any (the deal is then off the to-do list).
    pub snooze: Option<SnoozeNote>,
    /// The latest stuck-deal tag of a review.
    pub tag: Option<StuckTag>,
}

impl HygieneItem {
    pub fn reasons(&self) -> Vec<Reason> {
        self.flags.iter().map(|f| f.reason).collect()
    }

    pub fn has(&self, r: Reason) -> bool {
        self.flags.iter().any(|f| f.reason == r)
    }

    /// On the to-do list: flagged and not snoozed today.
    pub fn is_todo(&self) -> bool {
        self.snooze.is_none()
    }
}

/// Whole calendar days from `from` to `to`.
pub(crate) fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// Every open deal with at least one reason, snoozed ones included (marked),
/// largest amount at risk first (unknown amounts last), then the oldest,
/// then by id. Activities, history and snoozes after `today` are ignored.
pub fn hygiene(
    data: &Dataset,
    stages: &[Stage],
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
) -> Vec<HygieneItem> {
    let touches = facts::last_touches(data, cal, today);
    let stage_entered = facts::stage_entries(data, cal, today);
    let pushes = facts::close_date_pushes(data, settings, cal, today);
    let snoozes = facts::snoozes_in_force(&data.snoozes, cal, today);
    let tags = facts::tags_in_force(&data.tags, cal, today);
    let mut items: Vec<HygieneItem> = data
        .opportunities
        .iter()
        .filter(|o| o.status == Status::Open)
        .filter_map(|o| {
            let last_touch = [
                touches.by_deal.get(&o.id).copied(),
                o.account_id
                    .as_ref()
                    .and_then(|a| touches.by_account.get(a).copied()),
            ]
            .into_iter()
            .flatten()
            .max();
            let created = o.created_at.map(|t| cal.local_date(t));
            let entered = stage_entered.get(&o.id).copied().or(created);
            let facts = Facts {
                last_touch,
                created,
                days_in_stage: entered.map(|d| days(d, today)),
                pushes: pushes.get(&o.id).copied().unwrap_or(0),
                max_days: stages
                    .iter()
                    .find(|s| s.name == o.stage)
                    .and_then(|s| s.max_days),
            };
            let flags = flags(o, &facts, settings, today);
            if flags.is_empty() {
                return None;
            }
            Some(HygieneItem {
                opportunity_id: o.id.clone(),
                name: o.name.clone(),
                owner_id: o.owner_id.clone(),
                account_id: o.account_id.clone(),
                stage: o.stage.clone(),
                amount: o.amount,
                close_date: o.close_date,
                age_days: created.map(|d| days(d, today)),
                last_touch,
                days_untouched: last_touch.or(created).map(|d| days(d, today)),
                days_in_stage: facts.days_in_stage,
                flags,
                snooze: snoozes.get(&o.id).cloned(),
                tag: tags.get(&o.id).map(|t| t.tag),
            })
        })
        .collect();
    items.sort_by(|a, b| {
        b.amount
            .unwrap_or(Money(-1))
            .cmp(&a.amount.unwrap_or(Money(-1)))
            .then_with(|| b.age_days.unwrap_or(-1).cmp(&a.age_days.unwrap_or(-1)))
            .then_with(|| a.opportunity_id.cmp(&b.opportunity_id))
    });
    items
}

/// What the rules read about one deal (the deal score gathers the same
/// facts deal by deal, see `domain/score/facts.rs`).
pub(crate) struct Facts {
    pub(crate) last_touch: Option<NaiveDate>,
    pub(crate) created: Option<NaiveDate>,
    pub(crate) days_in_stage: Option<i64>,
    pub(crate) pushes: u32,
    pub(crate) max_days: Option<i64>,
}

/// The flags of one open deal on `today`, from its facts.
pub(crate) fn flags(
    o: &Opportunity,
    f: &Facts,
    settings: &Settings,
    today: NaiveDate,
) -> Vec<Flag> {
    let mut out = Vec::new();
    let stale = settings.stale_days;
    // A deal never touched counts from its created date; unknown both: untouched.
    let since = f.last_touch.or(f.created);
    if since.is_none_or(|d| days(d, today) >= stale) {
        let observed = match (f.last_touch, f.created) {
            (Some(t), _) => format!(
                "{} days since the last touch on {}",
                days(t, today),
                date_text(t)
            ),
            (None, Some(c)) => format!(
                "never touched; created {} days ago on {}",
                days(c, today),
                date_text(c)
            ),
            (None, None) => "never touched; created date unknown".to_string(),
        };
        out.push(Flag {
            reason: Reason::Untouched,
            rule: "no call, email or meeting on the deal or its account (record edits don't count)"
                .into(),
            threshold: format!("{stale} days"),
            observed,
            clear: "log a call, email or meeting on the deal or its account".into(),
        });
    }
    if let Some(close) = o.close_date.filter(|d| *d < today) {
        out.push(Flag {
            reason: Reason::PastDue,
            rule: "expected close date is before today".into(),
            threshold: format!("today {}", date_text(today)),
            observed: format!(
                "close date {} ({} days ago)",
                date_text(close),
                days(close, today)
            ),
            clear: "push the close date, or close the deal won or lost".into(),
        });
    }
    if let (Some(max), Some(d)) = (f.max_days, f.days_in_stage)
        && d > max
    {
        out.push(Flag {
            reason: Reason::Stuck,
            rule: format!("more days in {} than the stage allows", o.stage),
            threshold: format!("{max} days"),
            observed: format!("{d} days in {}", o.stage),
            clear: "move the stage (or close the deal)".into(),
        });
    }
    let step = o.next_step.as_deref().map(str::trim).unwrap_or("");
    let overdue = o.next_step_date.filter(|d| *d < today);
    if step.is_empty() || overdue.is_some() {
        let observed = match overdue {
            _ if step.is_empty() => "no next step".to_string(),
            Some(d) => format!("next step {step:?} was due {}", date_text(d)),
            None => String::new(),
        };
        out.push(Flag {
            reason: Reason::NoNextStep,
            rule: "next step empty, or its date before today".into(),
            threshold: format!("today {}", date_text(today)),
            observed,
            clear: "set a next step dated today or later".into(),
        });
    }
    let (need, window) = (
        settings.anomalies.slipping_pushes,
        settings.anomalies.slipping_window_days,
    );
    if need > 0 && f.pushes >= need {
        out.push(Flag {
            reason: Reason::Slipping,
            rule: format!("close date pushed later in the last {window} days"),
            threshold: format!("{need} pushes"),
            observed: format!("pushed {} times", f.pushes),
            clear: format!(
                "wait until fewer than {need} pushes fall in the last {window} days, or close the deal"
            ),
        });
    }
    out
}

/// Counts per reason over the items (snoozed included).
pub fn count_by_reason(items: &[HygieneItem]) -> Vec<(Reason, usize)> {
    Reason::ALL
        .iter()
        .map(|r| (*r, items.iter().filter(|i| i.has(*r)).count()))
        .collect()
}
