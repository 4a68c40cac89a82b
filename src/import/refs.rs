//! Every reference of an import must name an id of the same import or one
//! already in the database: `file:line:column (col): unknown rep "x"`.

use super::{Batch, Target};
use crate::import::RowError;
use crate::storage::import_support::ExistingIds;
use std::collections::HashSet;

/// Adds one error per reference to a missing id.
pub fn check(batch: &Batch, existing: &ExistingIds, errors: &mut Vec<RowError>) {
    let reps: HashSet<&str> = batch.reps.iter().map(|r| r.id.as_str()).collect();
    let accounts: HashSet<&str> = batch.accounts.iter().map(|r| r.id.as_str()).collect();
    let contacts: HashSet<&str> = batch.contacts.iter().map(|r| r.id.as_str()).collect();
    let opps: HashSet<&str> = batch.opportunities.iter().map(|r| r.id.as_str()).collect();
    let session_ids: Vec<String> = batch
        .review_sessions
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    let sessions: HashSet<&str> = session_ids.iter().map(String::as_str).collect();
    for r in &batch.refs {
        let (here, there, what) = match r.target {
            Target::Rep => (&reps, &existing.reps, "rep"),
            Target::Account => (&accounts, &existing.accounts, "account"),
            Target::Contact => (&contacts, &existing.contacts, "contact"),
            Target::Opportunity => (&opps, &existing.opportunities, "opportunity"),
            Target::ReviewSession => (&sessions, &existing.review_sessions, "review session"),
        };
        if !here.contains(r.id.as_str()) && !there.contains(&r.id) {
            errors.push(RowError {
                at: r.at.clone(),
                reason: format!("unknown {what} {:?}", r.id),
            });
        }
    }
}
