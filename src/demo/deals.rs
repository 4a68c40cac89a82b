//! The deals: who creates them when, where, how they move through the
//! configured stages, how they close (win rates fixed per rep and close month),
//! and every change as opportunity history.

use super::rng::Rng;
use super::timeline;
use super::{DECLINING_AE, SLOW_HIRE, World, workday_on_or_after};
use crate::domain::{HistoryEntry, Opportunity, PeriodKind};
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
const DEALS_PER_WEEK: f64 = 3.6;
/// The declining AE works more deals, so each month has ≥ 12 closes.
const DECLINER_DEALS_PER_WEEK: f64 = 5.0;
/// Share of deals sourced by an SDR.
const SDR_SOURCED: f64 = 0.85;
/// The team's win rate.
pub const TEAM_WIN_RATE: f64 = 0.25;
/// The declining AE's win rate in the last three complete months, oldest first.
pub const DECLINE: [f64; 3] = [0.25, 0.20, 0.15];

pub struct Skeleton {
    pub owner: usize,
    pub source: Option<usize>,
    pub account: usize,
    pub created: DateTime<Utc>,
    pub day: NaiveDate,
    pub end_day: NaiveDate,
    pub end: DateTime<Utc>,
    pub closed: bool,
    pub won: bool,
    pub freeze: Option<NaiveDate>,
    pub plant: DealPlant,
}

/// Simulates every deal of the history.
pub fn build(w: &World, rng: &mut Rng) -> Vec<Deal> {
    let mut sk = Vec::new();
    let mut sourcing = Sourcing {
        carry: rng.uniform(),
        next: 0,
    };
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
            carry += rate / 5.0 * w.ramp(ae, day) * rng.between(0.7, 1.3);
            let n = carry.floor();
            carry -= n;
            for _ in 0..n as usize {
                if let Some(s) = skeleton(w, rng, &mut sourcing, ae, day) {
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
        .map(|(i, s)| timeline::simulate(w, rng, i, s))
        .collect()
}

/// Who sources the next deal: 85 % of deals, in turn, go to the SDRs (a
/// carried fraction and a rotation rather than draws, so each SDR books a
/// steady ~7.5 first meetings a week against the goal of 6).
struct Sourcing {
    carry: f64,
    next: usize,
}

impl Sourcing {
    /// The index (into `team.sdrs`) of the SDR sourcing the next deal, if any.
    fn next(&mut self, sdrs: usize) -> Option<usize> {
        self.carry += SDR_SOURCED;
        if self.carry < 1.0 || sdrs == 0 {
            return None;
        }
        self.carry -= 1.0;
        self.next = (self.next + 1) % sdrs;
        Some(self.next)
    }
}

fn skeleton(
    w: &World,
    rng: &mut Rng,
    sourcing: &mut Sourcing,
    owner: usize,
    day: NaiveDate,
) -> Option<Skeleton> {
    let mut source = None;
    let mut account = None;
    if let Some(s) = sourcing.next(w.team.sdrs.len())
        && w.ramp(w.team.sdrs[s], day) > 0.0
        && let Some(&a) = rng.pick(&w.cadence[s][w.week_index(day)])
    {
        source = Some(w.team.sdrs[s]);
        account = Some(a);
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

/// The stored rows and the whole history, ordered by instant then by the
/// order the changes were made.
pub fn finish(deals: &[Deal]) -> (Vec<Opportunity>, Vec<HistoryEntry>) {
    let rows = deals.iter().map(|d| d.row.clone()).collect();
    let mut history: Vec<HistoryEntry> = deals.iter().flat_map(|d| d.events.clone()).collect();
    history.sort_by_key(|e| e.changed_at);
    (rows, history)
}
