//! The worker's cache of built parts: the parts of the last few periods
//! shown or prefetched, so a period change to one of them draws at once
//! (docs/cockpit.md "Prefetch and the cache").
//!
//! A stale number is a wrong number, so the cache is only ever served under
//! the state of the database it was built from: every edit clears it
//! ([`Cache::clear`]), and before each use [`Cache::validate`] compares
//! `PRAGMA data_version` with the value it was filled under (it moves when
//! another connection, say an import in another process, commits).

use super::{Part, Request};
use crate::domain::{Dataset, Period, PeriodKind, RepId};
use crate::report::accuracy::AccuracyReport;
use crate::storage::{StorageError, Store};
use std::collections::VecDeque;
use std::sync::Arc;

/// Keys kept at most: the period on screen, the two prefetched beside it,
/// and the last few left (a handful of small reports each; the review
/// window they read is one dataset shared by all).
pub const CAPACITY: usize = 6;

/// Everything a period-dependent part's build reads from the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub period: Period,
    pub rep: Option<RepId>,
    pub anomalies_period: Option<Period>,
    pub own_view: bool,
}

impl Key {
    pub fn of(req: &Request) -> Key {
        Key {
            period: req.period,
            rep: req.rep.clone(),
            anomalies_period: req.anomalies_period,
            own_view: req.own_view,
        }
    }
}

/// The parts built under one state of the database.
#[derive(Debug, Default)]
pub struct Cache {
    /// `PRAGMA data_version` of the worker's connection when filled.
    version: Option<i64>,
    /// Oldest first; the review, metrics and anomalies parts of each key.
    entries: VecDeque<(Key, Vec<Part>)>,
    /// Accuracy reads no period and no filter: one for every key.
    accuracy: Option<AccuracyReport>,
    /// Today's review window (it reads no period): the review part of
    /// every period is built from this one dataset.
    pub review_data: Option<Arc<Dataset>>,
    /// Loads served from the cache, in whole or in part (tests, bench).
    pub hits: u64,
}

/// `PRAGMA data_version` on the store's own connection: it moves when
/// another connection commits (never for this connection's own writes,
/// which are edits, and each edit clears the cache).
pub fn data_version(store: &Store) -> Result<i64, StorageError> {
    Ok(store
        .conn()
        .query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

impl Cache {
    /// Drops everything (an edit was saved).
    pub fn clear(&mut self) {
        *self = Cache {
            hits: self.hits,
            ..Cache::default()
        };
    }

    /// Drops everything when another connection committed since the cache
    /// was filled; afterwards what it holds reads as the database now.
    pub fn validate(&mut self, store: &Store) -> Result<(), StorageError> {
        let now = data_version(store)?;
        if self.version != Some(now) {
            self.clear();
            self.version = Some(now);
        }
        Ok(())
    }

    /// The number of keys held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether every period-dependent part of `req` is held.
    pub fn holds(&self, req: &Request) -> bool {
        let key = Key::of(req);
        self.entries.iter().any(|(k, parts)| {
            *k == key
                && ["review", "metrics", "anomalies"]
                    .iter()
                    .all(|n| parts.iter().any(|p| name(p) == *n))
        })
    }

    /// A copy of the cached part `name` for `req`, if held.
    pub fn get(&self, req: &Request, name_of: &str) -> Option<Part> {
        if name_of == "accuracy" {
            return self.accuracy.clone().map(Part::Accuracy);
        }
        let key = Key::of(req);
        let (_, parts) = self.entries.iter().find(|(k, _)| *k == key)?;
        parts.iter().find(|p| name(p) == name_of).cloned()
    }

    /// Keeps a copy of `part`, built for `req`.
    pub fn put(&mut self, req: &Request, part: &Part) {
        if let Part::Accuracy(a) = part {
            self.accuracy = Some(a.clone());
            return;
        }
        if let Part::Review { data, .. } = part {
            self.review_data = Some(data.clone());
        }
        let key = Key::of(req);
        let at = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                if self.entries.len() >= CAPACITY {
                    self.entries.pop_front();
                }
                self.entries.push_back((key, Vec::new()));
                self.entries.len() - 1
            }
        };
        let parts = &mut self.entries[at].1;
        parts.retain(|p| name(p) != name(part));
        parts.push(part.clone());
    }
}

/// A part's name, as [`super::Reload::names`] spells it.
pub fn name(p: &Part) -> &'static str {
    match p {
        Part::Review { .. } => "review",
        Part::Metrics { .. } => "metrics",
        Part::Accuracy(_) => "accuracy",
        Part::Anomalies { .. } => "anomalies",
    }
}

/// The kind of `p` on `cal`: the kind whose period containing its first
/// day is `p` (a week, a month or a quarter), if any.
pub fn kind_of(cal: &crate::domain::period::Calendar, p: Period) -> Option<PeriodKind> {
    [PeriodKind::Week, PeriodKind::Month, PeriodKind::Quarter]
        .into_iter()
        .find(|k| cal.containing(*k, p.from) == p)
}

/// The requests a prefetch builds after `req` is loaded: the previous
/// period, then the next one unless it starts after today, as the period
/// keys pick them (the anomalies then follow the period picked).
pub fn neighbours(env: &super::Env, req: &Request) -> Vec<Request> {
    let Some(kind) = kind_of(&env.cal, req.period) else {
        return Vec::new();
    };
    [-1, 1]
        .into_iter()
        .map(|n| env.cal.shift(kind, req.period, n))
        .filter(|p| p.from <= env.today)
        .map(|period| Request {
            period,
            anomalies_period: Some(period),
            parts: super::Reload {
                accuracy: false,
                ..super::Reload::ALL
            },
            ..req.clone()
        })
        .collect()
}
