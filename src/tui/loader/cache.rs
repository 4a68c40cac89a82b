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
use crate::domain::{Dataset, Period, RepId};
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
    /// Moves on every [`Cache::clear`]: a prefetch started before keeps
    /// nothing it built.
    epoch: u64,
}

impl Cache {
    /// Drops everything (an edit was saved).
    pub fn clear(&mut self) {
        *self = Cache {
            epoch: self.epoch + 1,
            ..Cache::default()
        };
    }

    /// How many times the cache was cleared.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Drops everything when another connection committed since the cache
    /// was filled (`PRAGMA data_version` on the store's own connection: it
    /// never moves for this connection's own writes, which are edits, and
    /// each edit clears the cache); afterwards what it holds reads as the
    /// database now.
    pub fn validate(&mut self, store: &Store) -> Result<(), StorageError> {
        let now = store.data_version()?;
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

    /// Whether the part `name` for `req` is held (without copying it).
    pub fn has(&self, req: &Request, name_of: &str) -> bool {
        if name_of == "accuracy" {
            return self.accuracy.is_some();
        }
        let key = Key::of(req);
        self.entries
            .iter()
            .any(|(k, parts)| *k == key && parts.iter().any(|p| name(p) == name_of))
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

/// The requests a prefetch builds after `req` is loaded: the previous
/// period, then the next one unless it starts after today, as the period
/// keys pick them (the anomalies then follow the period picked).
pub fn neighbours(env: &super::Env, req: &Request) -> Vec<Request> {
    let Some(kind) = crate::domain::anomaly::kind_of(&env.cal, req.period) else {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> super::super::Env {
        let settings = crate::domain::Settings::default();
        let cal = settings.calendar().expect("default calendar");
        super::super::Env {
            settings,
            cal,
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        }
    }

    fn period(from: (i32, u32, u32), to: (i32, u32, u32)) -> Period {
        let d = |(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Period {
            from: d(from),
            to: d(to),
        }
    }

    fn req(p: Period) -> Request {
        Request {
            generation: 1,
            period: p,
            rep: None,
            anomalies_period: None,
            own_view: false,
            parts: super::super::Reload::ALL,
            deal: None,
        }
    }

    #[test]
    fn the_neighbours_are_the_previous_period_and_a_next_one_not_in_the_future() {
        let env = env();
        // November 2026 on 24 November: October; December starts after today.
        let nov = req(period((2026, 11, 1), (2026, 12, 1)));
        let got: Vec<Period> = neighbours(&env, &nov).iter().map(|r| r.period).collect();
        assert_eq!(got, [period((2026, 10, 1), (2026, 11, 1))]);
        // From October: September and November (it has started).
        let oct = req(period((2026, 10, 1), (2026, 11, 1)));
        let n = neighbours(&env, &oct);
        let got: Vec<Period> = n.iter().map(|r| r.period).collect();
        assert_eq!(
            got,
            [
                period((2026, 9, 1), (2026, 10, 1)),
                period((2026, 11, 1), (2026, 12, 1))
            ]
        );
        // As the period keys ask: the anomalies follow the period picked;
        // accuracy (no period) is not rebuilt.
        assert_eq!(n[0].anomalies_period, Some(n[0].period));
        assert_eq!(n[0].parts.names(), ["review", "metrics", "anomalies"]);
        // A range that is no week, month or quarter has none.
        assert!(neighbours(&env, &req(period((2026, 11, 3), (2026, 11, 20)))).is_empty());
    }

    #[test]
    fn the_cache_keeps_six_keys_and_one_accuracy() {
        let mut cache = Cache::default();
        let acc = || {
            let empty = crate::domain::Dataset::default();
            let env = env();
            super::super::build_accuracy(&env, &empty, &[])
        };
        let weeks: Vec<Request> = (0..7)
            .map(|i| {
                let from =
                    chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Days::new(7 * i);
                req(Period {
                    from,
                    to: from + chrono::Days::new(7),
                })
            })
            .collect();
        for r in &weeks {
            cache.put(r, &Part::Accuracy(acc()));
            let metrics = crate::report::metrics::MetricsReport::build(
                &crate::report::Input {
                    data: &crate::domain::Dataset::default(),
                    snapshots: &[],
                    settings: &env().settings,
                    cal: &env().cal,
                    today: env().today,
                    period: Some(r.period),
                },
                &Default::default(),
            );
            cache.put(
                r,
                &Part::Metrics {
                    metrics,
                    cuts: Vec::new(),
                },
            );
        }
        assert_eq!(cache.len(), CAPACITY);
        // The oldest went first.
        assert!(cache.get(&weeks[0], "metrics").is_none());
        assert!(cache.get(&weeks[6], "metrics").is_some());
        assert!(cache.get(&weeks[0], "accuracy").is_some());
        // Another filter is another key.
        let ann = Request {
            rep: Some(RepId("ann".into())),
            ..weeks[6].clone()
        };
        assert!(cache.get(&ann, "metrics").is_none());
        cache.clear();
        assert!(cache.is_empty());
        assert!(cache.get(&weeks[6], "accuracy").is_none());
    }
}
