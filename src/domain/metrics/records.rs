//! The records behind a metric: the activities or deals a rep's metric
//! counts over a period, each with the side it counts on (won or lost for a
//! win rate, connected or not for a connect rate …).
//!
//! Every list is selected with the same predicate the computation counts
//! with (`index::is_held_meeting`, `closed_in`, `ae_quality::converted` …),
//! so the records are exactly the ones behind the number: for a count the
//! records counted are the value; for a share the records in the numerator
//! are `num` and all of them `den`.

use super::ae_quality::{converted, is_untouched, open_age_days, stage_age_days, touch_gaps};
use super::ae_quantity::{forward_moves, is_new_contact};
use super::index::{
    Index, Window, closed_in, created_in, is_call, is_connected_call, is_first_meeting,
    is_follow_up_meeting, is_held_meeting, is_linked_held_meeting, is_replied_email, is_sent_email,
    open_at,
};
use super::revenue::{deal_discount, older_than_90d, won_in};
use super::{MetricId, MetricId as Id, find};
use crate::domain::model::{Activity, Opportunity, RepId, Role, StageKind, Status};
use crate::domain::period::Period;
use chrono::NaiveDate;
use serde::Serialize;

/// Which part of the metric a record counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counts {
    /// In the value of a count or a sum (one each, or its amount / minutes).
    Value,
    /// In the numerator and the denominator of a share or a mean.
    Both,
    /// In the numerator only (a ratio of different things).
    Numerator,
    /// In the denominator only (a lost deal of a win rate …).
    Denominator,
    /// Listed because the rule looked at it, but left out (amount unknown …).
    Excluded,
}

impl Counts {
    pub fn as_str(self) -> &'static str {
        match self {
            Counts::Value => "value",
            Counts::Both => "num+den",
            Counts::Numerator => "num",
            Counts::Denominator => "den",
            Counts::Excluded => "left out",
        }
    }

    /// Whether the record adds to the numerator (or the value of a count).
    pub fn in_numerator(self) -> bool {
        matches!(self, Counts::Value | Counts::Both | Counts::Numerator)
    }
}

/// One activity behind a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityRecord {
    pub id: String,
    /// Local date it happened.
    pub date: NaiveDate,
    /// call, email, meeting.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_type: Option<&'static str>,
    pub outcome: Option<&'static str>,
    pub deal_id: Option<String>,
    /// The account it touched (its own, its deal's or its contact's).
    pub account_id: Option<String>,
    pub contact_id: Option<String>,
    pub subject: Option<String>,
    /// The rep who logged it (an SDR's meetings set may be logged by the AE).
    pub rep_id: String,
    /// The side it counts on, in words ("held", "connected", "gap 2.0 days").
    pub side: String,
    pub counts: Counts,
}

/// One deal behind a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DealRecord {
    pub id: String,
    pub name: String,
    /// Major units; `None` when unknown.
    pub amount: Option<f64>,
    pub stage: String,
    pub status: &'static str,
    /// The day it closed, else its expected close date.
    pub close_date: Option<NaiveDate>,
    /// The side it counts on, in words ("won", "lost", "open", "moved on").
    pub side: String,
    pub counts: Counts,
}

/// The records behind one metric of one rep over one period.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct MetricRecords {
    pub metric: String,
    pub activities: Vec<ActivityRecord>,
    pub deals: Vec<DealRecord>,
    /// How the records make the value, when it is not one per record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl MetricRecords {
    /// How many records count in the numerator (the value, for a count).
    pub fn in_numerator(&self) -> usize {
        self.activities
            .iter()
            .map(|a| a.counts)
            .chain(self.deals.iter().map(|d| d.counts))
            .filter(|c| c.in_numerator())
            .count()
    }

    /// How many records count at all (the denominator, for a share).
    pub fn counted(&self) -> usize {
        self.activities
            .iter()
            .map(|a| a.counts)
            .chain(self.deals.iter().map(|d| d.counts))
            .filter(|c| *c != Counts::Excluded)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.activities.is_empty() && self.deals.is_empty()
    }
}

fn activity(
    ix: &Index<'_>,
    a: &Activity,
    side: impl Into<String>,
    counts: Counts,
) -> ActivityRecord {
    ActivityRecord {
        id: a.id.as_str().to_string(),
        date: ix.day(a.occurred_at),
        kind: a.kind.as_str(),
        meeting_type: a.meeting_type.map(|m| m.as_str()),
        outcome: a.outcome.map(|o| o.as_str()),
        deal_id: a.opportunity_id.as_ref().map(|o| o.as_str().to_string()),
        account_id: ix.account_of(a).map(|x| x.as_str().to_string()),
        contact_id: a.contact_id.as_ref().map(|c| c.as_str().to_string()),
        subject: a.label.clone(),
        rep_id: a.rep_id.as_str().to_string(),
        side: side.into(),
        counts,
    }
}

fn status_side(o: &Opportunity) -> &'static str {
    o.status.as_str()
}

/// The records behind `metric` of `rep` (of `role`) over `period`; `None`
/// when the role has no such metric.
pub fn records(
    ix: &Index<'_>,
    rep: &RepId,
    role: Role,
    period: Period,
    metric: &str,
) -> Option<MetricRecords> {
    find(role, metric)?;
    let metric = &MetricId::parse(metric)?;
    let w = ix.window(period);
    let mut r = MetricRecords {
        metric: metric.to_string(),
        ..MetricRecords::default()
    };
    match role {
        Role::Ae => ae(ix, rep, &w, metric, &mut r)?,
        Role::Sdr => sdr(ix, rep, &w, metric, &mut r)?,
        Role::Csm | Role::Manager => return None,
    }
    Some(r)
}

/// Records of the activity metrics AEs and SDRs share; `false` when `metric` is not one.
fn shared_activities(
    ix: &Index<'_>,
    rep: &RepId,
    w: &Window,
    metric: &MetricId,
    r: &mut MetricRecords,
) -> bool {
    let acts = ix.rep_activities(rep, w);
    let mut list = |pred: &dyn Fn(&Activity) -> Option<(String, Counts)>| {
        for a in acts {
            if let Some((side, counts)) = pred(a) {
                r.activities.push(activity(ix, a, side, counts));
            }
        }
    };
    let v = Counts::Value;
    match metric {
        Id::Calls => list(&|a| is_call(a).then(|| ("call".into(), v))),
        Id::Emails => list(&|a| is_sent_email(a).then(|| ("sent".into(), v))),
        Id::AccountsEngaged => {
            list(&|a| {
                ix.account_of(a)
                    .map(|acc| (acc.as_str().to_string(), Counts::Both))
            });
            r.note = Some("the value counts the distinct accounts (side) these touched".into());
        }
        Id::ContactsEngagedNew => {
            list(&|a| {
                let c = a.contact_id.as_ref()?;
                is_new_contact(ix, &a.rep_id, c, w).then(|| (c.as_str().to_string(), Counts::Both))
            });
            r.note = Some(
                "the value counts the distinct contacts (side) first touched in the period".into(),
            );
        }
        Id::ContactsPerAccount => {
            list(&|a| {
                let side = format!(
                    "{} @ {}",
                    a.contact_id.as_ref().map_or("—", |c| c.as_str()),
                    ix.account_of(a).map_or("—", |x| x.as_str())
                );
                Some((side, Counts::Both))
            });
            r.note = Some(
                "distinct contacts touched ÷ distinct accounts touched, over these activities"
                    .into(),
            );
        }
        _ => return false,
    }
    true
}

fn ae(
    ix: &Index<'_>,
    rep: &RepId,
    w: &Window,
    metric: &MetricId,
    r: &mut MetricRecords,
) -> Option<()> {
    if shared_activities(ix, rep, w, metric, r) {
        return Some(());
    }
    let acts = ix.rep_activities(rep, w);
    let owned = ix.owned(rep);
    let last_day = w.period.last_day().min(ix.today);
    let v = Counts::Value;
    let act = |a: &Activity, side: &str, c: Counts| activity(ix, a, side, c);
    match metric {
        Id::Meetings => {
            r.activities = acts
                .iter()
                .filter(|a| is_held_meeting(a))
                .map(|a| act(a, "held", v))
                .collect();
        }
        Id::FirstMeetings => {
            r.activities = acts
                .iter()
                .filter(|a| is_first_meeting(a))
                .map(|a| act(a, "held", v))
                .collect();
        }
        Id::FollowUpMeetings => {
            r.activities = acts
                .iter()
                .filter(|a| is_follow_up_meeting(a))
                .map(|a| act(a, "held", v))
                .collect();
        }
        Id::FirstToFollowUp => {
            for a in acts {
                if is_first_meeting(a) {
                    r.activities.push(act(a, "first", Counts::Numerator));
                } else if is_follow_up_meeting(a) {
                    r.activities.push(act(a, "follow-up", Counts::Denominator));
                }
            }
        }
        Id::MeetingsPerOpp => {
            r.activities = acts
                .iter()
                .filter(|a| is_linked_held_meeting(a))
                .map(|a| act(a, "held, on a deal", Counts::Numerator))
                .collect();
            r.note = Some("the denominator counts the distinct deals these are on".into());
        }
        Id::DaysBetweenTouches => {
            for o in owned {
                for (days, a) in touch_gaps(ix, o, w) {
                    r.activities
                        .push(act(a, &format!("gap {days:.1} days"), Counts::Both));
                }
            }
            r.activities.sort_by_key(|a| a.date);
            r.note =
                Some("the mean of the gaps since the touch before each, on the rep's deals".into());
        }
        Id::OppsCreated => deals(ix, r, owned, |o| {
            created_in(o, w).then(|| ("created".into(), v))
        }),
        Id::Progressions => {
            for o in owned {
                for h in forward_moves(ix, o, w) {
                    let side = format!(
                        "{} → {} on {}",
                        h.old_value.as_deref().unwrap_or("—"),
                        h.new_value.as_deref().unwrap_or("—"),
                        ix.day(h.changed_at)
                    );
                    r.deals.push(deal(ix, o, side, v));
                }
            }
        }
        Id::OpenOpps | Id::PipelineValue => {
            open_deals(ix, r, owned, w, |_, _| ("open".into(), v));
        }
        Id::Won | Id::Bookings => deals(ix, r, owned, |o| {
            closed_in(o, Status::Won, w).then(|| ("won".into(), v))
        }),
        Id::Lost => deals(ix, r, owned, |o| {
            closed_in(o, Status::Lost, w).then(|| ("lost".into(), v))
        }),
        Id::Closed => deals(ix, r, owned, |o| {
            (closed_in(o, Status::Won, w) || closed_in(o, Status::Lost, w))
                .then(|| (status_side(o).into(), v))
        }),
        Id::WinRate => win_loss(ix, r, owned, w),
        Id::CohortWinRate => deals(ix, r, owned, |o| {
            created_in(o, w).then(|| {
                let c = if o.status == Status::Won {
                    Counts::Both
                } else {
                    Counts::Denominator
                };
                (status_side(o).into(), c)
            })
        }),
        Id::AvgDealSize => {
            for o in won_in(owned, w) {
                let c = if o.amount.is_some() {
                    Counts::Both
                } else {
                    Counts::Excluded
                };
                r.deals.push(deal(ix, o, "won", c));
            }
        }
        Id::SalesCycleDays => {
            for o in won_in(owned, w) {
                let days = o
                    .closed_at
                    .zip(o.created_at)
                    .map(|(c, s)| (ix.day(c) - ix.day(s)).num_days());
                r.deals.push(match days {
                    Some(d) => deal(ix, o, format!("cycle {d} days"), Counts::Both),
                    None => deal(ix, o, "created unknown", Counts::Excluded),
                });
            }
        }
        Id::OpenOppAgeDays => deals(ix, r, owned, |o| {
            open_at(o, w.end).then(|| match open_age_days(ix, o, last_day) {
                Some(d) => (format!("{d} days old"), Counts::Both),
                None => ("created unknown".into(), Counts::Excluded),
            })
        }),
        Id::StageAgeDays => deals(ix, r, owned, |o| {
            open_at(o, w.end).then(|| match stage_age_days(ix, o, w, last_day) {
                Some(d) => (format!("{d} days in stage"), Counts::Both),
                None => ("entered unknown".into(), Counts::Excluded),
            })
        }),
        Id::UntouchedOpps => deals(ix, r, owned, |o| {
            (open_at(o, w.end) && is_untouched(ix, o, w, last_day)).then(|| ("untouched".into(), v))
        }),
        Id::Discount => {
            for o in won_in(owned, w) {
                r.deals.push(match deal_discount(o) {
                    Some(d) if o.list_amount.is_some() => {
                        deal(ix, o, format!("{:.1}% off list", d * 100.0), Counts::Both)
                    }
                    _ => deal(ix, o, "list or amount unknown", Counts::Excluded),
                });
            }
            r.note = Some("1 − Σ amount ÷ Σ list amount over the deals counted".into());
        }
        Id::PipelineOver90d => {
            open_deals(ix, r, owned, w, |o, amount| match (amount, o.created_at) {
                (Some(_), Some(c)) if older_than_90d(ix, c, last_day) => {
                    ("over 90 days".into(), Counts::Both)
                }
                (Some(_), Some(_)) => ("90 days or less".into(), Counts::Denominator),
                _ => ("amount or created unknown".into(), Counts::Excluded),
            })
        }
        Id::Velocity => {
            open_deals(ix, r, owned, w, |_, _| ("open".into(), v));
            r.note = Some(
                "velocity = open deals (listed) × win rate × average deal size ÷ sales cycle: drill those for their deals"
                    .into(),
            );
        }
        Id::StageConversion(sc) => {
            let name = sc.stage();
            let Some((pos, StageKind::Open)) = ix.stage(name) else {
                return Some(());
            };
            deals(ix, r, owned, |o| {
                converted(ix, o, name, pos, w).map(|later| {
                    if later {
                        ("moved on".into(), Counts::Both)
                    } else {
                        ("not moved on".into(), Counts::Denominator)
                    }
                })
            });
        }
        _ => return None,
    }
    Some(())
}

/// The records of a share of activities: those `of` counts, each in both
/// terms when `hit` (side `yes`), else in the denominator only (side `no`).
fn share(
    act: &impl Fn(&Activity, &str, Counts) -> ActivityRecord,
    acts: &[&Activity],
    of: fn(&Activity) -> bool,
    hit: fn(&Activity) -> bool,
    (yes, no): (&str, &str),
) -> Vec<ActivityRecord> {
    acts.iter()
        .filter(|a| of(a))
        .map(|a| match hit(a) {
            true => act(a, yes, Counts::Both),
            false => act(a, no, Counts::Denominator),
        })
        .collect()
}

fn sdr(
    ix: &Index<'_>,
    rep: &RepId,
    w: &Window,
    metric: &MetricId,
    r: &mut MetricRecords,
) -> Option<()> {
    if shared_activities(ix, rep, w, metric, r) {
        return Some(());
    }
    let acts = ix.rep_activities(rep, w);
    let sourced = ix.sourced(rep);
    let v = Counts::Value;
    let act = |a: &Activity, side: &str, c: Counts| activity(ix, a, side, c);
    match metric {
        Id::MeetingsSet => {
            r.activities = super::sdr::meetings_set(ix, rep, w)
                .into_iter()
                .map(|a| act(a, "first meeting set", v))
                .collect();
        }
        Id::ConnectedCalls => {
            r.activities = acts
                .iter()
                .filter(|a| is_connected_call(a))
                .map(|a| act(a, "connected", v))
                .collect();
        }
        Id::TalkMinutes => {
            r.activities = acts
                .iter()
                .filter(|a| is_call(a))
                .map(|a| match a.duration_min {
                    Some(m) => act(a, &format!("{m} min"), v),
                    None => act(a, "duration unknown", Counts::Excluded),
                })
                .collect();
            r.note = Some("the value sums the minutes of these calls".into());
        }
        Id::ConnectRate => {
            r.activities = share(
                &act,
                acts,
                is_call,
                is_connected_call,
                ("connected", "not connected"),
            );
        }
        Id::ReplyRate => {
            r.activities = share(
                &act,
                acts,
                is_sent_email,
                is_replied_email,
                ("replied", "no reply"),
            );
        }
        Id::ActivitiesPerAccount => {
            r.activities = acts
                .iter()
                .filter_map(|a| {
                    let acc = ix.account_of(a)?;
                    Some(act(a, acc.as_str(), Counts::Numerator))
                })
                .collect();
            r.note = Some("the denominator counts the distinct accounts (side)".into());
        }
        Id::AccountToMeeting => {
            let set = super::sdr::meetings_set(ix, rep, w);
            let hit: std::collections::HashSet<_> =
                set.iter().filter_map(|a| ix.account_of(a)).collect();
            r.activities = acts
                .iter()
                .filter_map(|a| {
                    let acc = ix.account_of(a)?;
                    Some(if hit.contains(acc) {
                        act(a, &format!("{} (meeting set)", acc.as_str()), Counts::Both)
                    } else {
                        act(a, acc.as_str(), Counts::Denominator)
                    })
                })
                .collect();
            r.note = Some(
                "distinct accounts with a meeting set ÷ distinct accounts these touched".into(),
            );
        }
        Id::PipelineCreated => deals(ix, r, sourced, |o| {
            created_in(o, w).then(|| ("created".into(), v))
        }),
        Id::SourcedWinRate => win_loss(ix, r, sourced, w),
        Id::SourcedAvgDealSize => {
            for o in won_in(sourced, w) {
                let c = if o.amount.is_some() {
                    Counts::Both
                } else {
                    Counts::Excluded
                };
                r.deals.push(deal(ix, o, "won", c));
            }
        }
        _ => return None,
    }
    Some(())
}

mod deal_rows;
use deal_rows::{deal, deals, open_deals, win_loss};

#[cfg(test)]
mod tests;
