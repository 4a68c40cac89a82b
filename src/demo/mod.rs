//! `pipedeck demo`: a deterministic, realistic demo team with planted situations.
//!
//! [`generate`] is pure: the same seed, `today`, settings and calendar give the
//! same [`Demo`], value for value (our own PRNG, sorted collections only, no
//! clock). [`write`] stores it in one transaction. `docs/demo.md` describes the
//! team, the rates and every planted situation.

mod activities;
mod deals;
mod forecast;
mod planted;
pub mod rng;
mod scale;
mod snapshots;
mod team;
mod timeline;

pub use planted::{Planted, PlantedKind, explain};
pub use scale::{Scale, write_scaled};

use crate::domain::period::Calendar;
use crate::domain::{
    Account, Activity, Contact, Goal, HistoryEntry, Opportunity, Rep, Settings, Snapshot, Stage,
    StageKind,
};
use crate::storage::{Counts, StorageError, Store};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use rng::Rng;
use std::collections::BTreeMap;

/// The AE planted under the weekly meeting goal for the last two complete weeks.
pub const UNDER_GOAL_AE: &str = "ae-03";
/// The AE whose win rate falls 25 % → 20 % → 15 % over the last three months.
pub const DECLINING_AE: &str = "ae-05";
/// The SDR who engages twice the accounts of the other two.
pub const BUSY_SDR: &str = "sdr-02";
/// The ramping AE below the new-hire band.
pub const SLOW_HIRE: &str = "ae-08";
/// Days of history before `today` (five quarters).
pub const HISTORY_DAYS: u64 = 455;

/// Everything the demo puts in a database.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub reps: Vec<Rep>,
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub opportunities: Vec<Opportunity>,
    /// Ordered by `changed_at`, then by the order the changes were made.
    pub history: Vec<HistoryEntry>,
    /// Ordered by `occurred_at`, then id.
    pub activities: Vec<Activity>,
    pub stages: Vec<Stage>,
    pub goals: Vec<Goal>,
    /// One per Monday of the history, oldest first.
    pub snapshots: Vec<Snapshot>,
    pub planted: Vec<Planted>,
}

/// What the generator's parts share: the dates, the stages, the team, and
/// which accounts go quiet when.
pub(crate) struct World<'a> {
    pub today: NaiveDate,
    /// First day of the history.
    pub start: NaiveDate,
    pub cal: &'a Calendar,
    pub settings: &'a Settings,
    pub stages: Vec<Stage>,
    /// Indexes into `stages` of the open stages, in pipeline order.
    pub open: Vec<usize>,
    pub won: usize,
    pub lost: usize,
    pub team: team::Team,
    /// Accounts planted as untouched: account index → first day with no contact.
    pub dormant: BTreeMap<usize, NaiveDate>,
    /// Monday (week start) of every week of the history, oldest first.
    pub weeks: Vec<NaiveDate>,
    /// Per SDR (index into `team.sdrs`), per week: the accounts worked that week.
    pub cadence: Vec<Vec<Vec<usize>>>,
}

impl World<'_> {
    /// The instant `minutes` after local midnight of `day`.
    pub fn at(&self, day: NaiveDate, minutes: i64) -> DateTime<Utc> {
        self.cal.start_of(day) + chrono::Duration::minutes(minutes)
    }

    /// A random instant in working hours (08:00–17:59 local) of `day`.
    pub fn work_time(&self, rng: &mut Rng, day: NaiveDate) -> DateTime<Utc> {
        self.at(day, rng.range(8 * 60, 18 * 60 - 1))
    }

    /// The working days of the history, `start..today` (today itself has not happened yet).
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.start
            .iter_days()
            .take_while(|d| *d < self.today)
            .filter(|d| is_workday(*d))
    }

    /// Index of the week containing `day` in `weeks`.
    pub fn week_index(&self, day: NaiveDate) -> usize {
        let from = self.cal.week_containing(day).from;
        ((from - self.weeks[0]).num_days() / 7).max(0) as usize
    }

    /// The account has gone quiet (planted untouched) on `day`.
    pub fn is_dormant(&self, account: usize, day: NaiveDate) -> bool {
        self.dormant.get(&account).is_some_and(|c| day >= *c)
    }

    /// Activity level of a rep on `day`: 0 before the start, rising from 0.3
    /// to 1 over the ramp, and half that for the planted slow new hire.
    pub fn ramp(&self, rep: usize, day: NaiveDate) -> f64 {
        let r = &self.team.reps[rep];
        let Some(start) = r.start_date else {
            return 1.0;
        };
        if day < start {
            return 0.0;
        }
        let slow = r.id.as_str() == SLOW_HIRE;
        ramp_level((day - start).num_days(), self.settings.ramp_days, slow)
    }
}

/// Activity level after `tenure` days: 0.3 on the first day rising linearly
/// to 1.0 at `ramp_days`, then 1.0; the planted slow hire works at 45 % of it.
pub fn ramp_level(tenure: i64, ramp_days: i64, slow: bool) -> f64 {
    let level = if tenure >= ramp_days {
        1.0
    } else {
        0.3 + 0.7 * tenure as f64 / ramp_days.max(1) as f64
    };
    if slow { level * 0.45 } else { level }
}

/// Monday–Friday.
pub fn is_workday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The next working day on or after `d`.
pub fn workday_on_or_after(d: NaiveDate) -> NaiveDate {
    let mut d = d;
    while !is_workday(d) {
        d = d + Days::new(1);
    }
    d
}

/// Why the configured stages cannot carry a demo: it needs at least one open
/// stage and a won and a lost stage.
pub fn check_stages(settings: &Settings) -> Result<(), String> {
    let stages = settings.stage_list();
    for kind in [StageKind::Open, StageKind::Won, StageKind::Lost] {
        if !stages.iter().any(|s| s.kind == kind) {
            return Err(format!(
                "the configured stages have no {} stage; the demo needs open, won and lost stages",
                kind.as_str()
            ));
        }
    }
    Ok(())
}

/// Builds the demo for `seed` with `today` as the last day of the history.
/// The stages must pass [`check_stages`] (the default ones do).
pub fn generate(seed: u64, today: NaiveDate, settings: &Settings, cal: &Calendar) -> Demo {
    generate_with_history(seed, today, settings, cal, HISTORY_DAYS)
}

/// [`generate`] with `history_days` of history before `today` instead of
/// five quarters (the larger scales keep three years).
pub fn generate_with_history(
    seed: u64,
    today: NaiveDate,
    settings: &Settings,
    cal: &Calendar,
    history_days: u64,
) -> Demo {
    let root = Rng::new(seed);
    let stages = settings.stage_list();
    let open: Vec<usize> = (0..stages.len())
        .filter(|&i| stages[i].kind == StageKind::Open)
        .collect();
    let won = stages
        .iter()
        .position(|s| s.kind == StageKind::Won)
        .unwrap_or(stages.len().saturating_sub(2));
    let lost = stages
        .iter()
        .position(|s| s.kind == StageKind::Lost)
        .unwrap_or(stages.len().saturating_sub(1));
    let start = today - Days::new(history_days);
    let team = team::build(&mut root.fork(1), today);
    let first_week = cal.week_containing(start).from;
    let weeks: Vec<NaiveDate> = (0..)
        .map(|i| first_week + Days::new(7 * i))
        .take_while(|w| *w <= today)
        .collect();
    let mut world = World {
        today,
        start,
        cal,
        settings,
        stages,
        open,
        won,
        lost,
        team,
        dormant: BTreeMap::new(),
        weeks,
        cadence: Vec::new(),
    };
    world.dormant = deals::choose_dormant(&world, &mut root.fork(2));
    world.cadence = activities::cadence(&world, &mut root.fork(3));
    let mut book = deals::build(&world, &mut root.fork(4));
    forecast::calibrate(&world, &mut root.fork(6), &mut book);
    let activities = activities::build(&world, &book, &mut root.fork(5));
    let snapshots = snapshots::build(&world, &book);
    let planted = planted::describe(&world, &book, &activities);
    let (opportunities, history) = deals::finish(&book);
    Demo {
        reps: world.team.reps.clone(),
        accounts: world.team.accounts.clone(),
        contacts: world.team.contacts.clone(),
        opportunities,
        history,
        activities,
        stages: world.stages.clone(),
        goals: settings.goals.clone(),
        snapshots,
        planted,
    }
}

/// Stores the demo in one transaction; on any error nothing lands.
pub fn write(demo: &Demo, store: &mut Store) -> Result<Counts, StorageError> {
    let mut tx = store.begin()?;
    for s in &demo.stages {
        tx.upsert_stage(s)?;
    }
    for g in &demo.goals {
        tx.upsert_goal(g)?;
    }
    write_rows(demo, &mut tx)?;
    for s in &demo.snapshots {
        tx.insert_snapshot(s)?;
    }
    tx.commit()
}

/// The team, its accounts, deals, history and activities (not stages, goals
/// or snapshots, which a many-pod org writes once).
fn write_rows(demo: &Demo, tx: &mut crate::storage::Tx<'_>) -> Result<(), StorageError> {
    for r in &demo.reps {
        tx.upsert_rep(r)?;
    }
    for a in &demo.accounts {
        tx.upsert_account(a)?;
    }
    for c in &demo.contacts {
        tx.upsert_contact(c)?;
    }
    for o in &demo.opportunities {
        tx.upsert_opportunity(o)?;
    }
    for h in &demo.history {
        tx.append_history(h)?;
    }
    for a in &demo.activities {
        tx.upsert_activity(a)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ramp_rises_from_thirty_percent_to_full_over_the_ramp() {
        // (tenure, slow, level): 0.3 + 0.7 × 45/90 = 0.65; slow × 0.45 → 0.2925;
        // 0.3 × 0.45 = 0.135 on day one of the slow hire.
        for (tenure, slow, want) in [
            (0, false, 0.3),
            (45, false, 0.65),
            (89, false, 0.3 + 0.7 * 89.0 / 90.0),
            (90, false, 1.0),
            (400, false, 1.0),
            (45, true, 0.2925),
            (0, true, 0.135),
        ] {
            let got = ramp_level(tenure, 90, slow);
            assert!((got - want).abs() < 1e-12, "{tenure} {slow}: {got}");
        }
    }

    #[test]
    fn stages_need_open_won_and_lost() {
        assert_eq!(check_stages(&Settings::default()), Ok(()));
        let mut s = Settings::default();
        s.stages.retain(|st| st.kind != StageKind::Lost);
        let err = check_stages(&s).unwrap_err();
        assert!(err.contains("no lost stage"), "{err}");
    }

    #[test]
    fn workdays_skip_the_weekend() {
        // 2026-11-21 is a Saturday, 11-22 a Sunday, 11-23 a Monday.
        for (day, want, work) in [
            ("2026-11-20", "2026-11-20", true),
            ("2026-11-21", "2026-11-23", false),
            ("2026-11-22", "2026-11-23", false),
            ("2026-11-23", "2026-11-23", true),
        ] {
            assert_eq!(workday_on_or_after(d(day)), d(want), "{day}");
            assert_eq!(is_workday(d(day)), work, "{day}");
        }
    }
}
