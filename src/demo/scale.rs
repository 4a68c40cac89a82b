//! Larger demo orgs for timing: `demo --scale medium|large` writes several
//! pods of the demo team side by side, each generated from its own seed and
//! given its own ids (`p02-ae-03`, `p02-acc-001`, …), over three years of
//! history. Every pod plants the same situations as the small demo, so the
//! flags a manager expects are there at every size. Pods are generated and
//! written one at a time, so memory follows one pod, not the org.

use super::rng::Rng;
use super::team::{FIRST, SUR_HEAD, SUR_TAIL};
use super::{Demo, generate_with_history};
use crate::domain::period::Calendar;
use crate::domain::{
    AccountId, ActivityId, ContactId, HistoryField, OppId, RepId, Settings, Snapshot,
};
use crate::storage::{Counts, StorageError, Store};
use chrono::NaiveDate;

/// How big a demo org to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One pod (a manager, 8 AEs, 3 SDRs) over five quarters: the cockpit's demo.
    Small,
    /// Two pods (24 reps) over three years: a normal customer.
    Medium,
    /// Sixteen pods (192 reps) over three years: a large sales org.
    Large,
}

impl Scale {
    pub fn pods(self) -> usize {
        match self {
            Scale::Small => 1,
            Scale::Medium => 2,
            Scale::Large => 16,
        }
    }

    pub fn history_days(self) -> u64 {
        match self {
            Scale::Small => super::HISTORY_DAYS,
            Scale::Medium | Scale::Large => 3 * 365,
        }
    }
}

impl std::str::FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Scale, String> {
        match s {
            "small" => Ok(Scale::Small),
            "medium" => Ok(Scale::Medium),
            "large" => Ok(Scale::Large),
            _ => Err(format!("{s:?} is not a scale (small, medium, large)")),
        }
    }
}

/// What was written: the first pod (whose planted situations `--explain`
/// lists) and the totals over every pod.
pub struct Written {
    pub first: Demo,
    pub totals: Totals,
    pub counts: Counts,
}

/// Row counts over every pod.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub reps: usize,
    pub accounts: usize,
    pub contacts: usize,
    pub opportunities: usize,
    pub history: usize,
    pub activities: usize,
    pub snapshots: usize,
    pub planted: usize,
}

impl Totals {
    fn add(&mut self, d: &Demo) {
        self.reps += d.reps.len();
        self.accounts += d.accounts.len();
        self.contacts += d.contacts.len();
        self.opportunities += d.opportunities.len();
        self.history += d.history.len();
        self.activities += d.activities.len();
        self.snapshots = d.snapshots.len();
        self.planted += d.planted.len();
    }
}

/// Generates and writes every pod of `scale` in one transaction.
pub fn write_scaled(
    scale: Scale,
    seed: u64,
    today: NaiveDate,
    settings: &Settings,
    cal: &Calendar,
    store: &mut Store,
) -> Result<Written, StorageError> {
    let mut tx = store.begin()?;
    // A fresh file: the indexes and the first-touch trigger are set aside
    // while the rows land and built once after, as a first import does.
    let deferred = tx.defer_indexes_if_empty()?;
    let mut first = None;
    let mut totals = Totals::default();
    let mut snapshots: Vec<Snapshot> = Vec::new();
    for pod in 0..scale.pods() {
        let pod_seed = seed.wrapping_add(pod as u64 * 1_000_003);
        let mut demo = generate_with_history(pod_seed, today, settings, cal, scale.history_days());
        if pod > 0 {
            rename(&mut demo, pod, &mut Rng::new(pod_seed).fork(99));
        }
        totals.add(&demo);
        if pod == 0 {
            for s in &demo.stages {
                tx.upsert_stage(s)?;
            }
            for g in &demo.goals {
                tx.upsert_goal(g)?;
            }
        }
        super::write_rows(&demo, &mut tx)?;
        let taken = std::mem::take(&mut demo.snapshots);
        if snapshots.is_empty() {
            snapshots = taken;
        } else {
            for (into, from) in snapshots.iter_mut().zip(taken) {
                into.rows.extend(from.rows);
            }
        }
        if pod == 0 {
            first = Some(demo);
        }
    }
    for s in &mut snapshots {
        s.rows
            .sort_by(|a, b| a.opportunity_id.cmp(&b.opportunity_id));
        tx.insert_snapshot(s)?;
    }
    tx.rebuild_indexes(deferred)?;
    let counts = tx.commit()?;
    Ok(Written {
        first: first.expect("at least one pod"),
        totals,
        counts,
    })
}

/// Gives pod `pod` (0-based, > 0) ids and names of its own.
fn rename(d: &mut Demo, pod: usize, rng: &mut Rng) {
    let prefix = format!("p{:02}-", pod + 1);
    let p = |s: &str| format!("{prefix}{s}");
    let rep = |r: &RepId| RepId(p(r.as_str()).into());
    let team = format!("Pod {:02}", pod + 1);
    for r in &mut d.reps {
        r.id = rep(&r.id);
        r.manager_id = r.manager_id.as_ref().map(rep);
        r.email = Some(format!("{}@example.com", r.id));
        r.team = Some(team.clone());
        let first = rng.pick(FIRST).copied().unwrap_or("Alex");
        let head = rng.pick(SUR_HEAD).copied().unwrap_or("Ack");
        let tail = rng.pick(SUR_TAIL).copied().unwrap_or("aby");
        r.name = format!("{first} {head}{tail}");
    }
    for a in &mut d.accounts {
        a.id = AccountId(p(a.id.as_str()).into());
    }
    for c in &mut d.contacts {
        c.id = ContactId(p(c.id.as_str()).into());
        c.account_id = c
            .account_id
            .as_ref()
            .map(|a| AccountId(p(a.as_str()).into()));
    }
    for o in &mut d.opportunities {
        o.id = OppId(p(o.id.as_str()).into());
        o.owner_id = rep(&o.owner_id);
        o.source_rep_id = o.source_rep_id.as_ref().map(rep);
        o.account_id = o
            .account_id
            .as_ref()
            .map(|a| AccountId(p(a.as_str()).into()));
    }
    for h in &mut d.history {
        h.opportunity_id = OppId(p(h.opportunity_id.as_str()).into());
        h.changed_by = h.changed_by.as_deref().map(p).map(Into::into);
        if h.field == HistoryField::OwnerId {
            h.old_value = h.old_value.as_deref().map(p).map(Into::into);
            h.new_value = h.new_value.as_deref().map(p).map(Into::into);
        }
    }
    for a in &mut d.activities {
        a.id = ActivityId(p(a.id.as_str()).into());
        a.rep_id = rep(&a.rep_id);
        a.opportunity_id = a
            .opportunity_id
            .as_ref()
            .map(|o| OppId(p(o.as_str()).into()));
        a.account_id = a
            .account_id
            .as_ref()
            .map(|x| AccountId(p(x.as_str()).into()));
        a.contact_id = a
            .contact_id
            .as_ref()
            .map(|x| ContactId(p(x.as_str()).into()));
    }
    for s in &mut d.snapshots {
        for r in &mut s.rows {
            r.opportunity_id = OppId(p(r.opportunity_id.as_str()).into());
            r.owner_id = rep(&r.owner_id);
        }
    }
    for pl in &mut d.planted {
        pl.rep_id = rep(&pl.rep_id);
        pl.opportunity_id = pl
            .opportunity_id
            .as_ref()
            .map(|o| OppId(p(o.as_str()).into()));
    }
}
