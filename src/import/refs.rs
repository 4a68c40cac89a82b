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
        let id = r.id.as_str();
        let known = match r.target {
            Target::Rep => reps.contains(id) || existing.reps.contains(id),
            Target::Account => accounts.contains(id) || existing.accounts.contains(id),
            Target::Contact => contacts.contains(id) || existing.contacts.contains(id),
            Target::Opportunity => opps.contains(id) || existing.opportunities.contains(id),
            Target::ReviewSession => sessions.contains(id) || existing.review_sessions.contains(id),
        };
        if !known {
            errors.push(RowError {
                at: r.at.clone(),
                reason: format!("unknown {} {id:?}", r.target.what()),
            });
        }
    }
}

/// The formats an import read, in build order, with their files and where
/// their rows end in the batch: an id read from files of two formats is an
/// error (the later row would replace the earlier in silence; an id twice
/// within one format is each reader's own error, with both lines).
#[derive(Default)]
pub struct Formats {
    parts: Vec<(&'static str, Vec<String>, [usize; 4])>,
}

/// How many reps, accounts, deals and activities the batch holds.
fn marks(batch: &Batch) -> [usize; 4] {
    [
        batch.reps.len(),
        batch.accounts.len(),
        batch.opportunities.len(),
        batch.activities.len(),
    ]
}

impl Formats {
    /// Notes that `format` read `files` (nothing noted for none).
    pub fn read(&mut self, format: &'static str, files: Vec<String>, batch: &Batch) {
        if !files.is_empty() {
            self.parts.push((format, files, marks(batch)));
        }
    }

    /// One error per id read from files of two formats.
    pub fn check(&self, batch: &Batch, errors: &mut Vec<RowError>) {
        if self.parts.len() < 2 {
            return;
        }
        let ids: [(&str, Vec<&str>); 4] = [
            ("rep", batch.reps.iter().map(|r| r.id.as_str()).collect()),
            (
                "account",
                batch.accounts.iter().map(|a| a.id.as_str()).collect(),
            ),
            (
                "deal",
                batch.opportunities.iter().map(|o| o.id.as_str()).collect(),
            ),
            (
                "activity",
                batch.activities.iter().map(|a| a.id.as_str()).collect(),
            ),
        ];
        for (k, (what, ids)) in ids.iter().enumerate() {
            let mut first: std::collections::HashMap<&str, usize> = Default::default();
            let mut start = 0;
            for (i, (format, files, ends)) in self.parts.iter().enumerate() {
                for id in &ids[start..ends[k]] {
                    let j = *first.entry(id).or_insert(i);
                    if j == i {
                        continue;
                    }
                    let (before, before_files, _) = &self.parts[j];
                    // A CRM deal's row is known (the later format's origin is
                    // the later one); otherwise the format's first file.
                    let at = batch
                        .origins
                        .iter()
                        .rfind(|o| *what == "deal" && o.opp.as_str() == *id)
                        .map(|o| o.at.clone())
                        .unwrap_or_else(|| super::Loc {
                            file: files[0].clone(),
                            line: 1,
                            column: None,
                        });
                    errors.push(RowError {
                        at,
                        reason: format!(
                            "{what} id {id:?} is also in {before} files ({}): import one format's file for each id, or they replace each other in silence ({format} here)",
                            before_files.join(", ")
                        ),
                    });
                }
                start = ends[k];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crm::Crm;
    use crate::domain::model::*;
    use crate::import::round_trip::Origin;

    /// A deal id in a Salesforce file and a HubSpot file: refused on the
    /// HubSpot row (the later format's), naming the Salesforce file.
    #[test]
    fn an_id_in_two_crm_formats_is_refused_on_the_later_row() {
        let mut b = Batch::default();
        let mut f = Formats::default();
        for (crm, file, line) in [(Crm::Salesforce, "a.csv", 2), (Crm::Hubspot, "b.csv", 3)] {
            b.opportunities.push(Opportunity {
                id: OppId("7".into()),
                name: "D".into(),
                account_id: None,
                owner_id: RepId("r".into()),
                source_rep_id: None,
                created_at: None,
                stage: "Demo".into(),
                amount: None,
                list_amount: None,
                close_date: None,
                forecast_category: None,
                status: Status::Open,
                closed_at: None,
                loss_reason: None,
                next_step: None,
                next_step_date: None,
                channel: None,
            });
            let at = crate::import::Loc {
                file: file.into(),
                line,
                column: None,
            };
            b.origins.push(Origin {
                opp: OppId("7".into()),
                crm,
                crm_id: "7".into(),
                at,
            });
            let name = if crm == Crm::Salesforce {
                "Salesforce"
            } else {
                "HubSpot"
            };
            f.read(name, vec![file.into()], &b);
        }
        let mut errors = Vec::new();
        f.check(&b, &mut errors);
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            text,
            [
                "b.csv:3: deal id \"7\" is also in Salesforce files (a.csv): import one format's file for each id, or they replace each other in silence (HubSpot here)"
            ]
        );
    }
}
