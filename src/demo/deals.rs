//! The deals: who creates them when, where, how they move through the
//! configured stages, how they close (win rates fixed per rep and close month),
//! and every change as opportunity history.

use super::rng::Rng;
use super::{DECLINING_AE, SLOW_HIRE, World, workday_on_or_after};
use crate::domain::{
    ForecastCategory, HistoryEntry, HistoryField, Money, OppId, Opportunity, PeriodKind, Status,
};
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::collections::BTreeMap;

/// A planted hygiene situation on one deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealPlant {
    None,
    /// Close date pushed later twice in the last 90 days.
    Slipping,
    /// Sitting in the proposal stage past its `max_days`.
    Stuck,
}

/// One simulated deal: the stored row, its history, and what activities need.
pub struct Deal {
    pub owner: usize,
    pub source: Option<usize>,
    pub account: usize,
    pub created: DateTime<Utc>,
    pub created_day: NaiveDate,
    /// Day it closed; `None` while open on `today`.
    pub closed_day: Option<NaiveDate>,
    pub won: bool,
    /// Planted untouched: no activity on or after this day.
    pub freeze: Option<NaiveDate>,
    pub plant: DealPlant,
    /// Stage entries (instant, index into `World::stages`), oldest first.
    pub stages: Vec<(DateTime<Utc>, usize)>,
    /// Changes in the order they happened (stable by instant).
    pub events: Vec<HistoryEntry>,
    pub row: Opportunity,
}

impl Deal {
    /// Whether reps still work this deal on `day` (after the day it was
    /// created, before it closed, before it went quiet).
    pub fn workable_on(&self, day: NaiveDate) -> bool {
        day > self.created_day
            && self.closed_day.is_none_or(|c| day < c)
            && self.freeze.is_none_or(|f| day < f)
    }

    /// The stage (index into `World::stages`) the deal was in at `t`.
    pub fn stage_at(&self, t: DateTime<Utc>) -> Option<usize> {
        self.stages
            .iter()
            .rev()
            .find(|(at, _)| *at <= t)
            .map(|e| e.1)
    }
}

/// Planted untouched accounts: 16 accounts, each quiet from a day 33–70 days ago.
pub fn choose_dormant(w: &World, rng: &mut Rng) -> BTreeMap<usize, NaiveDate> {
    let mut idx: Vec<usize> = (0..w.team.accounts.len()).collect();
    rng.shuffle(&mut idx);
    idx.into_iter()
        .take(16)
        .map(|a| (a, w.today - Days::new(rng.range(33, 70) as u64)))
        .collect()
}

/// Weekly rate of new deals per fully ramped AE.
const DEALS_PER_WEEK: f64 = 3.4;
/// The declining AE works more deals, so each month has ≥ 12 closes.
const DECLINER_DEALS_PER_WEEK: f64 = 5.0;
/// Share of deals sourced by an SDR.
const SDR_SOURCED: f64 = 0.78;
/// The team's win rate.
pub const TEAM_WIN_RATE: f64 = 0.25;
/// The declining AE's win rate in the last three complete months, oldest first.
pub const DECLINE: [f64; 3] = [0.25, 0.20, 0.15];

struct Skeleton {
    owner: usize,
    source: Option<usize>,
    account: usize,
    created: DateTime<Utc>,
    day: NaiveDate,
    end_day: NaiveDate,
    end: DateTime<Utc>,
    closed: bool,
    won: bool,
    freeze: Option<NaiveDate>,
    plant: DealPlant,
}

/// Simulates every deal of the history.
pub fn build(w: &World, rng: &mut Rng) -> Vec<Deal> {
    let mut sk = Vec::new();
    for &ae in &w.team.aes {
        let rate = if w.team.reps[ae].id.as_str() == DECLINING_AE {
            DECLINER_DEALS_PER_WEEK
        } else {
            DEALS_PER_WEEK
        };
        // Deals arrive as a jittered steady flow (fractions carried over), so
        // monthly closes are steady enough for the planted win rates to read.
        let mut carry = rng.uniform();
        for day in w.days() {
            carry += rate / 5.0 * w.ramp(ae, day) * rng.between(0.5, 1.5);
            let n = carry.floor();
            carry -= n;
            for _ in 0..n as usize {
                if let Some(s) = skeleton(w, rng, ae, day) {
                    sk.push(s);
                }
            }
        }
    }
    plant_stale(w, rng, &mut sk);
    assign_outcomes(w, rng, &mut sk);
    plant_hygiene(w, rng, &mut sk);
    sk.sort_by_key(|s| (s.created, s.owner));
    sk.into_iter()
        .enumerate()
        .map(|(i, s)| simulate(w, rng, i, s))
        .collect()
}

fn skeleton(w: &World, rng: &mut Rng, owner: usize, day: NaiveDate) -> Option<Skeleton> {
    let mut source = None;
    let mut account = None;
    if rng.chance(SDR_SOURCED) {
        let s = rng.range(0, w.team.sdrs.len() as i64 - 1) as usize;
        if w.ramp(w.team.sdrs[s], day) > 0.0 {
            let set = &w.cadence[s][w.week_index(day)];
            if let Some(&a) = rng.pick(set) {
                source = Some(w.team.sdrs[s]);
                account = Some(a);
            }
        }
    }
    let account = match account {
        Some(a) => a,
        None => {
            let live: Vec<usize> = (0..w.team.accounts.len())
                .filter(|&a| !w.is_dormant(a, day))
                .collect();
            *rng.pick(&live)?
        }
    };
    let (lo, hi) = w.team.segments[account].cycle_days();
    let end_day = workday_on_or_after(day + Days::new(rng.range(lo, hi) as u64));
    let created = w.work_time(rng, day);
    let end = w.work_time(rng, end_day);
    let mut s = Skeleton {
        owner,
        source,
        account,
        created,
        day,
        end_day,
        end,
        closed: end_day < w.today,
        won: false,
        freeze: None,
        plant: DealPlant::None,
    };
    if let Some(&cut) = w.dormant.get(&account)
        && day < cut
        && end_day >= cut
    {
        s.freeze = Some(cut);
        s.closed = false;
    }
    Some(s)
}

/// Makes sure every quiet account has at least one open deal that went quiet with it.
fn plant_stale(w: &World, rng: &mut Rng, sk: &mut Vec<Skeleton>) {
    let ramped: Vec<usize> = w
        .team
        .aes
        .iter()
        .copied()
        .filter(|&a| w.ramp(a, w.start) >= 1.0)
        .collect();
    for (n, (&account, &cut)) in w.dormant.iter().enumerate() {
        if sk
            .iter()
            .any(|s| s.account == account && s.freeze.is_some())
        {
            continue;
        }
        let day = workday_on_or_after(cut - Days::new(rng.range(20, 55) as u64));
        let owner = ramped[n % ramped.len()];
        let territory = w.team.territory[account];
        let end_day = workday_on_or_after(w.today + Days::new(rng.range(10, 60) as u64));
        sk.push(Skeleton {
            owner,
            source: rng.chance(SDR_SOURCED).then(|| w.team.sdrs[territory]),
            account,
            created: w.work_time(rng, day),
            day,
            end_day,
            end: w.work_time(rng, end_day),
            closed: false,
            won: false,
            freeze: Some(cut),
            plant: DealPlant::None,
        });
    }
}

/// Wins per (owner, close month) are fixed, not drawn: round(rate × closes),
/// so the team holds near 25 % every month and the decline is exact.
fn assign_outcomes(w: &World, rng: &mut Rng, sk: &mut [Skeleton]) {
    let this_month = w.cal.month_containing(w.today);
    let decline: Vec<NaiveDate> = (1..=3)
        .rev()
        .map(|k| w.cal.shift(PeriodKind::Month, this_month, -k).from)
        .collect();
    let mut groups: BTreeMap<(usize, NaiveDate), Vec<usize>> = BTreeMap::new();
    for (i, s) in sk.iter_mut().enumerate() {
        if s.closed {
            let month = w.cal.month_containing(s.end_day).from;
            groups.entry((s.owner, month)).or_default().push(i);
        } else {
            // Open deals: the path they are on (they have not closed yet).
            s.won = rng.chance(0.3);
        }
    }
    // (wins, closes) of the declining AE's previous month in the decline.
    let mut previous: Option<(usize, usize)> = None;
    let mut first: Option<(usize, usize)> = None;
    for ((owner, month), mut members) in groups {
        rng.shuffle(&mut members);
        let n = members.len();
        let declining = w.team.reps[owner].id.as_str() == DECLINING_AE;
        let rate = match decline.iter().position(|m| *m == month) {
            Some(k) if declining => DECLINE[k],
            _ => TEAM_WIN_RATE,
        };
        let mut wins = (rate * n as f64).round() as usize;
        if declining && decline.contains(&month) {
            // Keep the fall strict even where rounding would flatten it, and
            // the last month at most 65 % of the first (a fall of ≥ 35 %).
            if let Some((pw, pn)) = previous {
                while wins > 0 && wins * pn >= pw * n {
                    wins -= 1;
                }
            }
            if let Some((fw, fn_)) = first
                && month == decline[2]
            {
                while wins > 0 && (wins * fn_) as f64 > 0.65 * (fw * n) as f64 {
                    wins -= 1;
                }
            }
            if month == decline[0] {
                first = Some((wins, n));
            }
            previous = Some((wins, n));
        }
        for (j, &i) in members.iter().enumerate() {
            sk[i].won = j < wins;
        }
    }
}

/// Picks the open deals that are stuck in the proposal stage and those slipping.
fn plant_hygiene(w: &World, rng: &mut Rng, sk: &mut [Skeleton]) {
    let slow = |s: &Skeleton| w.team.reps[s.owner].id.as_str() == SLOW_HIRE;
    let mut pool: Vec<usize> = (0..sk.len())
        .filter(|&i| {
            let s = &sk[i];
            !s.closed && s.freeze.is_none() && !slow(s) && s.day + Days::new(65) <= w.today
        })
        .collect();
    rng.shuffle(&mut pool);
    for (n, i) in pool.into_iter().take(6).enumerate() {
        sk[i].plant = if n < 2 {
            DealPlant::Stuck
        } else {
            DealPlant::Slipping
        };
    }
}

/// The stage index (position among open stages) a lost deal dies in.
fn loss_stage(rng: &mut Rng, n_open: usize) -> usize {
    let weights: Vec<f64> = if n_open == 6 {
        vec![0.30, 0.25, 0.18, 0.14, 0.08, 0.05]
    } else {
        (0..n_open).map(|i| (n_open - i) as f64).collect()
    };
    rng.weighted(&weights)
}

/// The open stage a stuck deal sits in: "Proposal" if configured, else the
/// last open stage but one.
pub fn stuck_stage(w: &World) -> usize {
    w.open
        .iter()
        .position(|&i| w.stages[i].name == "Proposal")
        .unwrap_or(w.open.len().saturating_sub(2))
}

const NEXT_STEPS: &[&str] = &[
    "Book discovery call",
    "Confirm budget owner",
    "Map decision process",
    "Schedule product demo",
    "Send proposal",
    "Agree terms with legal",
];
const LOSS_REASONS: &[&str] = &[
    "No budget",
    "Chose competitor",
    "No decision",
    "Timing",
    "Missing feature",
];
const PRODUCTS: &[&str] = &[
    "Platform",
    "Analytics add-on",
    "Expansion",
    "Team plan",
    "Pilot",
    "Multi-site rollout",
];

/// Replays one deal from creation to today, writing every change as history.
fn simulate(w: &World, rng: &mut Rng, index: usize, s: Skeleton) -> Deal {
    let id = OppId(format!("opp-{:05}", index + 1));
    let owner_id = w.team.reps[s.owner].id.clone();
    let n_open = w.open.len();
    let today_start = w.cal.start_of(w.today);
    // Nothing happens on or after this instant.
    let horizon = match s.freeze {
        Some(f) => w.cal.start_of(f).min(today_start),
        None => today_start,
    };
    // Path through the open stages and the instants it enters each one.
    let stuck = s.plant == DealPlant::Stuck;
    let last = if stuck {
        stuck_stage(w)
    } else if s.won {
        n_open - 1
    } else {
        loss_stage(rng, n_open)
    };
    // Stuck deals enter their last stage 20–28 days ago and stay; quiet deals
    // would move on only after today (their moves past the freeze are dropped).
    let span_end = if stuck {
        let d = workday_on_or_after(w.today - Days::new(rng.range(20, 28) as u64));
        w.work_time(rng, d)
    } else if s.freeze.is_some() {
        let d = s.end_day.max(w.today + Days::new(20));
        w.work_time(rng, d)
    } else {
        s.end
    };
    let weights: Vec<f64> = (0..=last).map(|_| rng.between(0.6, 1.4)).collect();
    let total: f64 = if stuck {
        weights[..last].iter().sum()
    } else {
        weights.iter().sum()
    };
    let span = (span_end - s.created).num_minutes().max(1) as f64;
    let mut entries: Vec<(DateTime<Utc>, usize)> = vec![(s.created, w.open[0])];
    let mut cum = 0.0;
    for j in 1..=last {
        cum += weights[j - 1];
        let at = if stuck && j == last {
            span_end
        } else {
            let raw = s.created + chrono::Duration::minutes((span * cum / total) as i64);
            let day = workday_on_or_after(w.cal.local_date(raw));
            w.work_time(rng, day)
        };
        let prev = entries[entries.len() - 1].0;
        let at = at.max(prev + chrono::Duration::minutes(1));
        if at >= horizon || (!stuck && at >= span_end) {
            break;
        }
        entries.push((at, w.open[j]));
    }
    let mut h = History::new(&id, &owner_id);
    // Creation.
    let seg = w.team.segments[s.account];
    let mut amount = dollars(rng.lognormal(seg.median_amount(), 0.45));
    let cycle = (s.end_day - s.day).num_days().max(1);
    let mut close = s.day + Days::new((cycle as f64 * rng.between(0.55, 0.95)) as u64);
    let mut category = ForecastCategory::Pipeline;
    h.push(
        s.created,
        HistoryField::Stage,
        None,
        stage_name(w, w.open[0]),
    );
    h.push(s.created, HistoryField::Amount, None, amount.to_string());
    h.push(s.created, HistoryField::CloseDate, None, close.to_string());
    h.push(
        s.created,
        HistoryField::ForecastCategory,
        None,
        cat(category),
    );
    h.push(
        s.created,
        HistoryField::Status,
        None,
        Status::Open.as_str().to_string(),
    );
    // Stage moves, with the amount and category changes that go with them.
    for k in 1..entries.len() {
        let (at, st) = entries[k];
        h.push(
            at,
            HistoryField::Stage,
            Some(stage_name(w, entries[k - 1].1)),
            stage_name(w, st),
        );
        if k + 2 == n_open && rng.chance(0.35) {
            let new = dollars(amount as f64 / 100.0 * rng.between(0.8, 1.25));
            if new != amount {
                h.push(
                    at,
                    HistoryField::Amount,
                    Some(amount.to_string()),
                    new.to_string(),
                );
                amount = new;
            }
        }
        if k + 1 == n_open && rng.chance(0.3) {
            let new = dollars(amount as f64 / 100.0 * rng.between(0.85, 0.97));
            if new != amount {
                h.push(
                    at,
                    HistoryField::Amount,
                    Some(amount.to_string()),
                    new.to_string(),
                );
                amount = new;
            }
        }
        let to = if k == n_open / 2 && rng.chance(if s.won { 0.7 } else { 0.4 }) {
            Some(ForecastCategory::BestCase)
        } else if k + 1 == n_open && rng.chance(if s.won { 0.85 } else { 0.45 }) {
            Some(ForecastCategory::Commit)
        } else {
            None
        };
        if let Some(to) = to.filter(|t| *t != category) {
            h.push(
                at,
                HistoryField::ForecastCategory,
                Some(cat(category)),
                cat(to),
            );
            category = to;
        }
    }
    // Close-date pushes: when a weekly look finds the date passed, the rep
    // (usually) moves it to when the deal will really close.
    let slipping = s.plant == DealPlant::Slipping;
    let mut look = s.day + Days::new(7);
    let natural_until = if slipping {
        w.today - Days::new(61)
    } else {
        w.cal.local_date(horizon)
    };
    let look_until = match s.closed {
        true => s.end_day.min(natural_until),
        false => natural_until,
    };
    while look < look_until {
        if close < look && rng.chance(0.8) {
            let new = (look + Days::new(rng.range(7, 21) as u64))
                .max(expected_close(s.end_day, w.today) + Days::new(rng.range(0, 7) as u64));
            h.push(
                w.work_time(rng, look),
                HistoryField::CloseDate,
                Some(close.to_string()),
                new.to_string(),
            );
            close = new;
        }
        look = look + Days::new(7);
    }
    if slipping {
        for ago in [rng.range(40, 58), rng.range(8, 25)] {
            let day = workday_on_or_after(w.today - Days::new(ago as u64));
            let new = close.max(day) + Days::new(rng.range(14, 35) as u64);
            h.push(
                w.work_time(rng, day),
                HistoryField::CloseDate,
                Some(close.to_string()),
                new.to_string(),
            );
            close = new;
        }
    }
    // Closing.
    let mut row_status = Status::Open;
    let mut closed_at = None;
    let mut loss_reason = None;
    if s.closed {
        let final_stage = if s.won { w.won } else { w.lost };
        let from = entries[entries.len() - 1].1;
        h.push(
            s.end,
            HistoryField::Stage,
            Some(stage_name(w, from)),
            stage_name(w, final_stage),
        );
        entries.push((s.end, final_stage));
        row_status = if s.won { Status::Won } else { Status::Lost };
        h.push(
            s.end,
            HistoryField::Status,
            Some(Status::Open.as_str().to_string()),
            row_status.as_str().to_string(),
        );
        h.push(
            s.end,
            HistoryField::ForecastCategory,
            Some(cat(category)),
            cat(ForecastCategory::Closed),
        );
        category = ForecastCategory::Closed;
        if close != s.end_day {
            h.push(
                s.end,
                HistoryField::CloseDate,
                Some(close.to_string()),
                s.end_day.to_string(),
            );
            close = s.end_day;
        }
        closed_at = Some(s.end);
        if !s.won {
            loss_reason = rng.pick(LOSS_REASONS).map(|r| r.to_string());
        }
    }
    let stage_now = entries[entries.len() - 1].1;
    let (next_step, next_step_date) = if s.closed {
        (None, None)
    } else if let Some(f) = s.freeze {
        (
            Some(NEXT_STEPS[0].to_string()),
            Some(f - Days::new(rng.range(0, 6) as u64)),
        )
    } else {
        let pos = w.open.iter().position(|&i| i == stage_now).unwrap_or(0);
        let text = NEXT_STEPS[pos.min(NEXT_STEPS.len() - 1)].to_string();
        match rng.weighted(&[0.8, 0.1, 0.1]) {
            0 => (
                Some(text),
                Some(w.today + Days::new(rng.range(1, 14) as u64)),
            ),
            1 => (None, None),
            _ => (
                Some(text),
                Some(w.today - Days::new(rng.range(3, 20) as u64)),
            ),
        }
    };
    let channel = match s.source {
        Some(_) => "outbound",
        None => ["inbound", "partner", "outbound"][rng.weighted(&[0.6, 0.25, 0.15])],
    };
    let account = &w.team.accounts[s.account];
    let row = Opportunity {
        id: id.clone(),
        name: format!(
            "{} - {}",
            account.name,
            rng.pick(PRODUCTS).copied().unwrap_or("Platform")
        ),
        account_id: Some(account.id.clone()),
        owner_id,
        source_rep_id: s.source.map(|i| w.team.reps[i].id.clone()),
        created_at: Some(s.created),
        stage: w.stages[stage_now].name.clone(),
        amount: Some(Money(amount)),
        close_date: Some(close),
        forecast_category: Some(category),
        status: row_status,
        closed_at,
        loss_reason,
        next_step,
        next_step_date,
        channel: Some(channel.to_string()),
    };
    let mut events = h.entries;
    events.sort_by_key(|e| e.changed_at);
    Deal {
        owner: s.owner,
        source: s.source,
        account: s.account,
        created: s.created,
        created_day: s.day,
        closed_day: s.closed.then_some(s.end_day),
        won: s.won,
        freeze: s.freeze,
        plant: s.plant,
        stages: entries,
        events,
        row,
    }
}

/// The close date a rep moves a passed date to: the real close for a deal
/// that closes before today, a guess at most 45 days out for one still open.
fn expected_close(end_day: NaiveDate, today: NaiveDate) -> NaiveDate {
    // An open deal's real close is unknown to the rep; aim a little past today.
    if end_day >= today {
        end_day.min(today + Days::new(45))
    } else {
        end_day
    }
}

/// Dollars rounded to the hundred, in cents, at least $2,000.
fn dollars(x: f64) -> i64 {
    ((x / 100.0).round() as i64).max(20) * 100 * 100
}

fn stage_name(w: &World, i: usize) -> String {
    w.stages[i].name.clone()
}

fn cat(c: ForecastCategory) -> String {
    c.as_str().to_string()
}

/// Collects one deal's history entries.
struct History<'a> {
    id: &'a OppId,
    by: String,
    entries: Vec<HistoryEntry>,
}

impl<'a> History<'a> {
    fn new(id: &'a OppId, by: &crate::domain::RepId) -> History<'a> {
        History {
            id,
            by: by.as_str().to_string(),
            entries: Vec::new(),
        }
    }

    fn push(&mut self, at: DateTime<Utc>, field: HistoryField, old: Option<String>, new: String) {
        self.entries.push(HistoryEntry {
            opportunity_id: self.id.clone(),
            changed_at: at,
            field,
            old_value: old,
            new_value: Some(new),
            changed_by: Some(self.by.clone()),
            review_session_id: None,
        });
    }
}

/// The stored rows and the whole history, ordered by instant then by the
/// order the changes were made.
pub fn finish(deals: &[Deal]) -> (Vec<Opportunity>, Vec<HistoryEntry>) {
    let rows = deals.iter().map(|d| d.row.clone()).collect();
    let mut history: Vec<HistoryEntry> = deals.iter().flat_map(|d| d.events.clone()).collect();
    history.sort_by_key(|e| e.changed_at);
    (rows, history)
}
