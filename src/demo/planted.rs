//! The situations planted in the demo for the cockpit to find, described with
//! the numbers measured on the generated data itself.

use super::activities::last_complete_weeks;
use super::deals::{Deal, DealPlant};
use super::timeline::stuck_stage;
use super::{BUSY_SDR, DECLINING_AE, SLOW_HIRE, UNDER_GOAL_AE, World};
use crate::domain::{Activity, ActivityKind, OppId, Outcome, Period, PeriodKind, Rep, RepId, Role};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What kind of situation was planted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantedKind {
    /// An AE under the weekly meeting goal for the last two complete weeks.
    BelowGoal,
    /// An AE whose win rate falls month after month while the team holds.
    OffOwnHistory,
    /// An SDR engaging about twice the accounts of the others.
    PositiveOutlier,
    /// A ramping AE below the new-hire band.
    NewHireOffBand,
    /// An open deal with no activity on it or its account for 30+ days.
    Untouched,
    /// An open deal whose close date was pushed later twice in the last 90 days.
    Slipping,
    /// An open deal in the proposal stage past its `max_days`.
    Stuck,
}

impl PlantedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlantedKind::BelowGoal => "below_goal",
            PlantedKind::OffOwnHistory => "off_own_history",
            PlantedKind::PositiveOutlier => "positive_outlier",
            PlantedKind::NewHireOffBand => "new_hire_off_band",
            PlantedKind::Untouched => "untouched",
            PlantedKind::Slipping => "slipping",
            PlantedKind::Stuck => "stuck",
        }
    }
}

/// One planted situation: who, which metric, which deal, and the numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planted {
    pub kind: PlantedKind,
    pub rep_id: RepId,
    pub metric: String,
    pub opportunity_id: Option<OppId>,
    pub description: String,
}

/// The planted list as readable text, one numbered item per situation.
pub fn explain(planted: &[Planted], reps: &[Rep]) -> String {
    let mut out = String::from("Situations planted in this demo:\n");
    for (i, p) in planted.iter().enumerate() {
        let name = reps
            .iter()
            .find(|r| r.id == p.rep_id)
            .map(|r| r.name.as_str())
            .unwrap_or("?");
        let deal = p
            .opportunity_id
            .as_ref()
            .map(|o| format!(", deal {o}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>2}. [{}] {} ({}), metric {}{}\n    {}\n",
            i + 1,
            p.kind.as_str(),
            p.rep_id,
            name,
            p.metric,
            deal,
            p.description
        ));
    }
    out
}

fn rep_index(w: &World, id: &str) -> Option<usize> {
    w.team.reps.iter().position(|r| r.id.as_str() == id)
}

/// Held meetings of `rep` with the local date in `[from, to)`.
fn held(w: &World, acts: &[Activity], rep: &RepId, from: NaiveDate, to: NaiveDate) -> usize {
    acts.iter()
        .filter(|a| &a.rep_id == rep && a.kind == ActivityKind::Meeting)
        .filter(|a| a.outcome == Some(Outcome::Held))
        .filter(|a| {
            let d = w.cal.local_date(a.occurred_at);
            from <= d && d < to
        })
        .count()
}

/// Won and closed (won + lost) deals of the `owners` with the close date in `p`.
fn closes(deals: &[Deal], owners: &[usize], p: Period) -> (usize, usize) {
    let mut won = 0;
    let mut all = 0;
    for d in deals {
        if owners.contains(&d.owner) && d.closed_day.is_some_and(|c| p.contains(c)) {
            all += 1;
            won += usize::from(d.won);
        }
    }
    (won, all)
}

fn pct(won: usize, all: usize) -> String {
    if all == 0 {
        "—".to_string()
    } else {
        format!("{:.1} % ({won}/{all})", 100.0 * won as f64 / all as f64)
    }
}

/// Distinct accounts touched by `rep` in `p`.
fn engaged(w: &World, acts: &[Activity], rep: &RepId, p: Period) -> usize {
    acts.iter()
        .filter(|a| &a.rep_id == rep && p.contains(w.cal.local_date(a.occurred_at)))
        .filter_map(|a| a.account_id.as_ref())
        .collect::<BTreeSet<_>>()
        .len()
}

/// Describes every planted situation with numbers measured on the data.
pub fn describe(w: &World, deals: &[Deal], acts: &[Activity]) -> Vec<Planted> {
    let mut out = Vec::new();
    let goal = w
        .settings
        .goals
        .iter()
        .find(|g| g.role == Role::Ae && g.metric == "meetings" && g.period == PeriodKind::Week)
        .map(|g| g.target)
        .unwrap_or(15.0);
    let ramped_aes: Vec<usize> = w
        .team
        .aes
        .iter()
        .copied()
        .filter(|&a| !w.team.reps[a].is_ramping_on(w.today, w.settings.ramp_days))
        .collect();
    // 1. Under the weekly meeting goal.
    if let Some(ae) = rep_index(w, UNDER_GOAL_AE) {
        let id = w.team.reps[ae].id.clone();
        let weeks = last_complete_weeks(w, 2);
        let mine: Vec<String> = weeks
            .iter()
            .map(|wk| format!("{wk}: {}", held(w, acts, &id, *wk, *wk + Days::new(7))))
            .collect();
        let others: Vec<usize> = weeks
            .iter()
            .flat_map(|wk| {
                ramped_aes
                    .iter()
                    .filter(|&&a| a != ae)
                    .map(|&a| held(w, acts, &w.team.reps[a].id, *wk, *wk + Days::new(7)))
                    .collect::<Vec<_>>()
            })
            .collect();
        out.push(Planted {
            kind: PlantedKind::BelowGoal,
            rep_id: id,
            metric: "meetings".to_string(),
            opportunity_id: None,
            description: format!(
                "held meetings in the last two complete weeks ({}) against a goal of {goal}; \
                 the other ramped AEs held {}–{} a week",
                mine.join(", "),
                others.iter().min().unwrap_or(&0),
                others.iter().max().unwrap_or(&0)
            ),
        });
    }
    // 2. Win rate falling against a steady team.
    if let Some(ae) = rep_index(w, DECLINING_AE) {
        let this = w.cal.month_containing(w.today);
        let peers: Vec<usize> = ramped_aes.iter().copied().filter(|&a| a != ae).collect();
        let mut mine = Vec::new();
        let mut team = Vec::new();
        for k in (1..=3).rev() {
            let m = w.cal.shift(PeriodKind::Month, this, -k);
            let (a, b) = closes(deals, &[ae], m);
            let (c, d) = closes(deals, &peers, m);
            mine.push(format!("{}: {}", &m.from.to_string()[..7], pct(a, b)));
            team.push(pct(c, d));
        }
        out.push(Planted {
            kind: PlantedKind::OffOwnHistory,
            rep_id: w.team.reps[ae].id.clone(),
            metric: "win_rate".to_string(),
            opportunity_id: None,
            description: format!(
                "win rate by close month over the last three complete months: {}; the other \
                 ramped AEs together: {}",
                mine.join(", "),
                team.join(", ")
            ),
        });
    }
    // 3. The SDR engaging twice the accounts.
    if let Some(sdr) = rep_index(w, BUSY_SDR) {
        let week = w
            .cal
            .shift(PeriodKind::Week, w.cal.week_containing(w.today), -1);
        let month = w
            .cal
            .shift(PeriodKind::Month, w.cal.month_containing(w.today), -1);
        let quarter = w
            .cal
            .shift(PeriodKind::Quarter, w.cal.quarter_containing(w.today), -1);
        let parts: Vec<String> = [
            ("last week", week),
            ("last month", month),
            ("last quarter", quarter),
        ]
        .iter()
        .map(|(label, p)| {
            let others: Vec<String> = w
                .team
                .sdrs
                .iter()
                .filter(|&&s| s != sdr)
                .map(|&s| engaged(w, acts, &w.team.reps[s].id, *p).to_string())
                .collect();
            format!(
                "{label} {} (others {})",
                engaged(w, acts, &w.team.reps[sdr].id, *p),
                others.join(", ")
            )
        })
        .collect();
        out.push(Planted {
            kind: PlantedKind::PositiveOutlier,
            rep_id: w.team.reps[sdr].id.clone(),
            metric: "accounts_engaged".to_string(),
            opportunity_id: None,
            description: format!(
                "about twice the distinct accounts engaged of the other SDRs: {}; meetings set \
                 stay level, so account_to_meeting is lower",
                parts.join("; ")
            ),
        });
    }
    // 4. The slow new hire.
    if let Some(ae) = rep_index(w, SLOW_HIRE) {
        let start = w.team.reps[ae].start_date.unwrap_or(w.today);
        let weeks = ((w.today - start).num_days() / 7).max(1) as u64;
        let tenure = |rep: usize| -> Option<String> {
            let s = w.team.reps[rep].start_date?;
            if s < w.start || s + Days::new(7 * weeks) > w.today {
                return None;
            }
            let end = s + Days::new(7 * weeks);
            let meetings = held(w, acts, &w.team.reps[rep].id, s, end);
            let opps = deals
                .iter()
                .filter(|d| d.owner == rep && d.created_day >= s && d.created_day < end)
                .count();
            Some(format!(
                "{} {meetings} meetings, {opps} opps",
                w.team.reps[rep].id
            ))
        };
        let others: Vec<String> = w
            .team
            .aes
            .iter()
            .filter(|&&a| a != ae)
            .filter_map(|&a| tenure(a))
            .collect();
        out.push(Planted {
            kind: PlantedKind::NewHireOffBand,
            rep_id: w.team.reps[ae].id.clone(),
            metric: "meetings".to_string(),
            opportunity_id: None,
            description: format!(
                "hired {start}; in the first {weeks} tenure weeks: {}; other AEs over their \
                 own first {weeks} weeks: {}",
                tenure(ae).unwrap_or_default(),
                others.join("; ")
            ),
        });
    }
    hygiene(w, deals, acts, &mut out);
    out
}

/// The per-deal plants: untouched (some past due), slipping, stuck.
fn hygiene(w: &World, deals: &[Deal], acts: &[Activity], out: &mut Vec<Planted>) {
    let mut last_on_deal: BTreeMap<&OppId, NaiveDate> = BTreeMap::new();
    let mut last_on_account: BTreeMap<&crate::domain::AccountId, NaiveDate> = BTreeMap::new();
    for a in acts {
        let d = w.cal.local_date(a.occurred_at);
        if let Some(o) = &a.opportunity_id {
            last_on_deal.insert(o, d);
        }
        if let Some(acc) = &a.account_id {
            last_on_account.insert(acc, d);
        }
    }
    for d in deals.iter().filter(|d| d.freeze.is_some()) {
        let row = &d.row;
        let last = [
            last_on_deal.get(&row.id).copied(),
            row.account_id
                .as_ref()
                .and_then(|a| last_on_account.get(a).copied()),
        ]
        .into_iter()
        .flatten()
        .max();
        let since = last
            .map(|l| format!("last touched {l} ({} days ago)", (w.today - l).num_days()))
            .unwrap_or_else(|| "never touched".to_string());
        let due = match row.close_date {
            Some(c) if c < w.today => format!("; close date {c} is past"),
            Some(c) => format!("; close date {c}"),
            None => String::new(),
        };
        out.push(Planted {
            kind: PlantedKind::Untouched,
            rep_id: row.owner_id.clone(),
            metric: "untouched_opps".to_string(),
            opportunity_id: Some(row.id.clone()),
            description: format!("{}: {since}{due}", row.name),
        });
    }
    let window = w.today - Days::new(w.settings.anomalies.slipping_window_days.max(0) as u64);
    for d in deals.iter().filter(|d| d.plant == DealPlant::Slipping) {
        let pushes: Vec<String> = d
            .events
            .iter()
            .filter(|e| e.field == crate::domain::HistoryField::CloseDate && e.old_value.is_some())
            .filter(|e| w.cal.local_date(e.changed_at) >= window)
            .map(|e| {
                format!(
                    "{} → {} on {}",
                    e.old_value.as_deref().unwrap_or(""),
                    e.new_value.as_deref().unwrap_or(""),
                    w.cal.local_date(e.changed_at)
                )
            })
            .collect();
        out.push(Planted {
            kind: PlantedKind::Slipping,
            rep_id: d.row.owner_id.clone(),
            metric: "slipping".to_string(),
            opportunity_id: Some(d.row.id.clone()),
            description: format!(
                "{}: close date pushed {} times in the last 90 days ({})",
                d.row.name,
                pushes.len(),
                pushes.join("; ")
            ),
        });
    }
    let stage = w.open.get(stuck_stage(w)).map(|&i| &w.stages[i]);
    for d in deals.iter().filter(|d| d.plant == DealPlant::Stuck) {
        let entered = d.stages.last().map(|(t, _)| w.cal.local_date(*t));
        out.push(Planted {
            kind: PlantedKind::Stuck,
            rep_id: d.row.owner_id.clone(),
            metric: "stuck".to_string(),
            opportunity_id: Some(d.row.id.clone()),
            description: format!(
                "{}: in {} since {} ({} days; limit {} days)",
                d.row.name,
                d.row.stage,
                entered.map(|e| e.to_string()).unwrap_or_default(),
                entered.map(|e| (w.today - e).num_days()).unwrap_or(0),
                stage.and_then(|s| s.max_days).unwrap_or(0)
            ),
        });
    }
}
