//! Cuts (SPEC §15): the opportunity metrics of [`super::revenue::deal_metrics`]
//! per value of a dimension of the deal instead of per rep. Every deal in the
//! data counts (whoever owns it); a deal whose value is unknown falls in the
//! `None` row, so the rows add up to the team.

use super::MetricSet;
use super::index::Index;
use super::revenue::deal_metrics;
use crate::domain::model::{Account, AccountId, Opportunity};
use crate::domain::period::Period;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What a cut groups deals by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The account's segment.
    Segment,
    /// The account's ICP tier.
    IcpTier,
    /// The account's industry.
    Industry,
    /// The deal's channel (source).
    Channel,
    /// The stage the deal was created in: its first stage history entry.
    StageAtCreation,
}

impl Dimension {
    pub const ALL: [Dimension; 5] = [
        Dimension::Segment,
        Dimension::IcpTier,
        Dimension::Industry,
        Dimension::Channel,
        Dimension::StageAtCreation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Segment => "segment",
            Dimension::IcpTier => "icp_tier",
            Dimension::Industry => "industry",
            Dimension::Channel => "channel",
            Dimension::StageAtCreation => "stage_at_creation",
        }
    }

    /// The next dimension, for cycling through them.
    pub fn next(self) -> Dimension {
        let i = Dimension::ALL.iter().position(|d| *d == self).unwrap_or(0);
        Dimension::ALL[(i + 1) % Dimension::ALL.len()]
    }
}

/// The value of `o` for `dim`; `None` when unknown.
fn value_of(
    ix: &Index<'_>,
    accounts: &HashMap<&AccountId, &Account>,
    o: &Opportunity,
    dim: Dimension,
) -> Option<String> {
    let acc = || o.account_id.as_ref().and_then(|a| accounts.get(a));
    let v = match dim {
        Dimension::Segment => acc().and_then(|a| a.segment.clone()),
        Dimension::IcpTier => acc().and_then(|a| a.icp_tier.clone()),
        Dimension::Industry => acc().and_then(|a| a.industry.clone()),
        Dimension::Channel => o.channel.clone(),
        Dimension::StageAtCreation => ix
            .stage_changes(&o.id)
            .first()
            .and_then(|h| h.new_value.as_deref().map(str::to_string)),
    };
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Per value of `dim` (known values by name, then unknown), the metrics of
/// the deals with that value over `p`.
pub fn cut(ix: &Index<'_>, dim: Dimension, p: Period) -> Vec<(Option<String>, MetricSet)> {
    let accounts: HashMap<&AccountId, &Account> =
        ix.data.accounts.iter().map(|a| (&a.id, a)).collect();
    let mut groups: BTreeMap<(bool, Option<String>), Vec<&Opportunity>> = BTreeMap::new();
    for o in &ix.data.opportunities {
        let v = value_of(ix, &accounts, o, dim);
        groups.entry((v.is_none(), v)).or_default().push(o);
    }
    let w = ix.window(p);
    groups
        .into_iter()
        .map(|((_, v), deals)| (v, deal_metrics(ix, &deals, &w)))
        .collect()
}

/// The metrics of every deal in the data over `p` (the team).
pub fn team(ix: &Index<'_>, p: Period) -> MetricSet {
    let deals: Vec<&Opportunity> = ix.data.opportunities.iter().collect();
    deal_metrics(ix, &deals, &ix.window(p))
}
