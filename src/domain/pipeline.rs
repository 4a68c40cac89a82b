//! Open pipeline by stage and by owner: count, amount, and deals without an amount.

use super::model::{Dataset, RepId, Status};
use super::money::Money;
use serde::Serialize;

/// Open deals of one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PipelineGroup {
    /// Stage name, or rep id for the by-owner view.
    pub key: String,
    /// The rep's name in the by-owner view.
    pub label: String,
    /// Open deals in the group.
    pub count: u64,
    /// Sum of the amounts that are known.
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub amount: Money,
    /// Open deals whose amount is unknown (not counted in `amount`).
    pub without_amount: u64,
}

/// Open pipeline grouped two ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    /// In configured stage order; stages not configured follow, by name.
    pub by_stage: Vec<PipelineGroup>,
    /// Largest amount first, then by rep id.
    pub by_owner: Vec<PipelineGroup>,
    pub total: PipelineGroup,
}

/// Open deals of the dataset grouped by stage and by owner.
pub fn open_pipeline(data: &Dataset) -> Pipeline {
    let open: Vec<_> = data
        .opportunities
        .iter()
        .filter(|o| o.status == Status::Open)
        .collect();
    let group = |key: String, label: String, deals: &[&&super::model::Opportunity]| PipelineGroup {
        key,
        label,
        count: deals.len() as u64,
        amount: deals.iter().filter_map(|o| o.amount).sum(),
        without_amount: deals.iter().filter(|o| o.amount.is_none()).count() as u64,
    };
    let mut stage_names: Vec<(i64, String)> = Vec::new();
    for o in &open {
        if !stage_names.iter().any(|(_, n)| n == &o.stage) {
            let pos = data.stage(&o.stage).map_or(i64::MAX, |s| s.position);
            stage_names.push((pos, o.stage.clone()));
        }
    }
    stage_names.sort();
    let by_stage = stage_names
        .into_iter()
        .map(|(_, name)| {
            let deals: Vec<_> = open.iter().filter(|o| o.stage == name).collect();
            group(name.clone(), name, &deals)
        })
        .collect();
    let mut owners: Vec<RepId> = open.iter().map(|o| o.owner_id.clone()).collect();
    owners.sort();
    owners.dedup();
    let mut by_owner: Vec<PipelineGroup> = owners
        .into_iter()
        .map(|id| {
            let deals: Vec<_> = open.iter().filter(|o| o.owner_id == id).collect();
            let name = data
                .rep(&id)
                .map_or_else(|| id.0.to_string(), |r| r.name.clone());
            group(id.0.to_string(), name.to_string(), &deals)
        })
        .collect();
    by_owner.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.key.cmp(&b.key)));
    let all: Vec<_> = open.iter().collect();
    Pipeline {
        by_stage,
        by_owner,
        total: group("total".into(), "Total".into(), &all),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;

    fn opp(id: &str, owner: &str, stage: &str, amount: Option<i64>, status: Status) -> Opportunity {
        Opportunity {
            id: OppId(id.into()),
            name: id.into(),
            account_id: None,
            owner_id: RepId(owner.into()),
            source_rep_id: None,
            created_at: None,
            stage: stage.into(),
            amount: amount.map(Money::from_major),
            close_date: None,
            forecast_category: None,
            status,
            closed_at: None,
            loss_reason: None,
            next_step: None,
            next_step_date: None,
            list_amount: None,
            channel: None,
        }
    }

    #[test]
    fn groups_open_deals_and_counts_missing_amounts() {
        let data = Dataset {
            stages: crate::domain::Settings::default().stage_list(),
            opportunities: vec![
                opp("1", "ann", "Proposal", Some(1000), Status::Open),
                opp("2", "ann", "Demo", None, Status::Open),
                opp("3", "bob", "Proposal", Some(500), Status::Open),
                opp("4", "bob", "Closed Won", Some(9999), Status::Won),
                opp("5", "bob", "Odd Stage", Some(1), Status::Open),
            ],
            ..Dataset::default()
        };
        let p = open_pipeline(&data);
        // Demo (pos 3) before Proposal (pos 4); the unconfigured stage last.
        let stages: Vec<(&str, u64, i64, u64)> = p
            .by_stage
            .iter()
            .map(|g| (g.key.as_str(), g.count, g.amount.0, g.without_amount))
            .collect();
        assert_eq!(
            stages,
            vec![
                ("Demo", 1, 0, 1),
                ("Proposal", 2, 150_000, 0),
                ("Odd Stage", 1, 100, 0)
            ]
        );
        let owners: Vec<(&str, u64, i64)> = p
            .by_owner
            .iter()
            .map(|g| (g.key.as_str(), g.count, g.amount.0))
            .collect();
        assert_eq!(owners, vec![("ann", 2, 100_000), ("bob", 2, 50_100)]);
        assert_eq!(
            (p.total.count, p.total.amount.0, p.total.without_amount),
            (4, 150_100, 1)
        );
    }
}
