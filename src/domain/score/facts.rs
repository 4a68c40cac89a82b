//! The facts of the deal score, gathered deal by deal on any day from
//! indexes built once over a dataset, so the same rules score today's open
//! deals and replay a closed deal as of a day before it closed. The hygiene
//! flags are the rules of `domain/hygiene.rs`, fed the same facts (last real
//! touch, stage entry, close-date pushes) read up to that day.

use super::{DealFacts, DealScore, score};
use crate::domain::hygiene::{self, Flag};
use crate::domain::model::{
    Account, AccountId, Activity, Dataset, HistoryEntry, HistoryField, OppId, Opportunity, Stage,
    Status,
};
use crate::domain::period::Calendar;
use crate::domain::settings::Settings;
use chrono::{DateTime, Days, NaiveDate, Utc};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// A dataset indexed for scoring.
pub struct ScoreIndex<'a> {
    pub data: &'a Dataset,
    pub settings: &'a Settings,
    pub cal: Calendar,
    accounts: HashMap<&'a AccountId, &'a Account>,
    max_days: HashMap<&'a str, Option<i64>>,
    /// Activities on a deal, by time.
    by_deal: HashMap<&'a OppId, Vec<&'a Activity>>,
    /// Activities naming an account, by time.
    by_account: HashMap<&'a AccountId, Vec<&'a Activity>>,
    /// Every history entry of a deal, in history order (by time, then insertion).
    history: HashMap<&'a OppId, Vec<&'a HistoryEntry>>,
    /// A deal's touches known without an activity row (a CRM's last
    /// activity instant, SPEC §13; the latest before a window read for
    /// last touches only): touches, as the hygiene rules count them, each
    /// judged by its own date (a later one is no reason to pass over an
    /// earlier one).
    deal_touch: HashMap<&'a OppId, Vec<DateTime<Utc>>>,
    /// The same of an account.
    account_touch: HashMap<&'a AccountId, Vec<DateTime<Utc>>>,
}

impl<'a> ScoreIndex<'a> {
    pub fn new(
        data: &'a Dataset,
        stages: &'a [Stage],
        settings: &'a Settings,
        cal: Calendar,
    ) -> ScoreIndex<'a> {
        let mut ix = ScoreIndex {
            data,
            settings,
            cal,
            accounts: data.accounts.iter().map(|a| (&a.id, a)).collect(),
            max_days: stages
                .iter()
                .map(|s| (s.name.as_str(), s.max_days))
                .collect(),
            by_deal: HashMap::new(),
            by_account: HashMap::new(),
            history: HashMap::new(),
            deal_touch: HashMap::new(),
            account_touch: HashMap::new(),
        };
        for (o, at) in data.deal_touches_beside() {
            ix.deal_touch.entry(o).or_default().push(at);
        }
        for (acc, at) in data.account_touches_beside() {
            ix.account_touch.entry(acc).or_default().push(at);
        }
        for a in &data.activities {
            if let Some(o) = &a.opportunity_id {
                ix.by_deal.entry(o).or_default().push(a);
            }
            if let Some(acc) = &a.account_id {
                ix.by_account.entry(acc).or_default().push(a);
            }
        }
        for v in ix.by_deal.values_mut().chain(ix.by_account.values_mut()) {
            v.sort_by_key(|a| a.occurred_at);
        }
        for h in &data.history {
            ix.history.entry(&h.opportunity_id).or_default().push(h);
        }
        ix
    }

    /// A deal's history entries, in history order.
    pub fn history(&self, id: &OppId) -> &[&'a HistoryEntry] {
        self.history.get(id).map_or(&[], |v| v.as_slice())
    }

    /// The facts of `o` (as it stands in the caller's hands) on `today`,
    /// reading only what happened up to the end of that day, and its flags.
    pub fn facts(&self, o: &Opportunity, today: NaiveDate) -> (DealFacts, Vec<Flag>) {
        let s = &self.settings.score;
        let cal = &self.cal;
        let end = cal.end_of(today);
        fn before<'v, 'a>(v: &'v [&'a Activity], end: DateTime<Utc>) -> &'v [&'a Activity] {
            &v[..v.partition_point(|a| a.occurred_at < end)]
        }
        let on_deal = self.by_deal.get(&o.id).map_or(&[][..], |v| before(v, end));
        let account = o.account_id.as_ref();
        let on_account = account
            .and_then(|a| self.by_account.get(a))
            .map_or(&[][..], |v| before(v, end));
        let beside = [
            self.deal_touch.get(&o.id),
            account.and_then(|a| self.account_touch.get(a)),
        ];
        let last_touch = [on_deal.last(), on_account.last()]
            .into_iter()
            .flatten()
            .map(|a| a.occurred_at)
            .chain(
                beside
                    .into_iter()
                    .flatten()
                    .flatten()
                    .copied()
                    .filter(|t| *t < end),
            )
            .map(|t| cal.local_date(t))
            .max();
        let since = cal.start_of(today - Days::new(s.engagement_days.max(0) as u64));
        let mut seen = HashSet::new();
        let mut contacts = HashSet::new();
        fn from<'v, 'a>(v: &'v [&'a Activity], since: DateTime<Utc>) -> &'v [&'a Activity] {
            &v[v.partition_point(|a| a.occurred_at < since)..]
        }
        for a in from(on_deal, since).iter().chain(from(on_account, since)) {
            if seen.insert(&a.id)
                && let Some(c) = &a.contact_id
            {
                contacts.insert(c);
            }
        }
        let history = self.history(&o.id);
        let upto = &history
            .iter()
            .filter(|h| h.changed_at < end)
            .collect::<Vec<_>>();
        let created = o.created_at.map(|t| cal.local_date(t));
        let entered = upto
            .iter()
            .filter(|h| h.field == HistoryField::Stage)
            .map(|h| cal.local_date(h.changed_at))
            .max()
            .or(created);
        let window = self.settings.anomalies.slipping_window_days;
        let from = today
            .checked_sub_days(Days::new(window.max(0) as u64))
            .unwrap_or(today);
        let moves: Vec<_> = upto
            .iter()
            .filter(|h| h.field == HistoryField::CloseDate)
            .filter(|h| cal.local_date(h.changed_at) >= from)
            .filter_map(|h| match h.dates() {
                (Some(old), Some(new)) => Some((h.changed_at, old, new)),
                _ => None,
            })
            .collect();
        let (pushes, pulls) = hygiene::pushes_and_pulls(moves);
        let max_days = self.max_days.get(o.stage.as_str()).copied().flatten();
        let hf = hygiene::Facts {
            last_touch,
            created,
            days_in_stage: entered.map(|d| hygiene::days(d, today)),
            pushes,
            max_days,
        };
        let flags = hygiene::flags(o, &hf, self.settings, today);
        let acc = account.and_then(|a| self.accounts.get(a));
        let facts = DealFacts {
            icp_tier: acc.and_then(|a| a.icp_tier.clone()),
            segment: acc.and_then(|a| a.segment.clone()),
            touches: seen.len() as u32,
            contacts: contacts.len() as u32,
            stage: o.stage.clone(),
            days_in_stage: hf.days_in_stage,
            max_days,
            pushes,
            pulls,
            reasons: flags.iter().map(|f| f.reason).collect(),
            window_days: window,
        };
        (facts, flags)
    }

    /// The score of `o` on `today`.
    pub fn score(&self, o: &Opportunity, today: NaiveDate) -> DealScore {
        score(&self.facts(o, today).0, &self.settings.score)
    }

    /// The score of every open deal on `today`, by id (on every core: each
    /// deal's is its own).
    pub fn open_scores(&self, today: NaiveDate) -> HashMap<OppId, DealScore> {
        let open: Vec<&Opportunity> = self
            .data
            .opportunities
            .iter()
            .filter(|o| o.status == Status::Open)
            .collect();
        crate::domain::par::map(&open, |o| (o.id.clone(), self.score(o, today)))
            .into_iter()
            .collect()
    }
}
