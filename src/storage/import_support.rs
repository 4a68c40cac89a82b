//! What an import needs to know about the database before it writes: which ids
//! already exist (so references to them are valid), which stages are
//! registered, and which opportunities already have history.

use super::codec::parse_enum;
use super::{Result, Store};
use crate::domain::model::StageKind;
use std::collections::{BTreeMap, BTreeSet};

/// The ids already in the database, read in one query per table.
#[derive(Debug, Clone, Default)]
pub struct ExistingIds {
    pub reps: BTreeSet<String>,
    pub accounts: BTreeSet<String>,
    pub contacts: BTreeSet<String>,
    pub opportunities: BTreeSet<String>,
    /// Registered stages: name → (position, kind).
    pub stages: BTreeMap<String, (i64, StageKind)>,
    /// Opportunities with at least one history row.
    pub with_history: BTreeSet<String>,
}

impl Store {
    /// Reads every id an import may reference or must not duplicate.
    pub fn existing_ids(&self) -> Result<ExistingIds> {
        let ids = |sql: &str| -> Result<BTreeSet<String>> {
            let mut stmt = self.conn().prepare(sql)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            let mut out = BTreeSet::new();
            for id in rows {
                out.insert(id?);
            }
            Ok(out)
        };
        let mut stages = BTreeMap::new();
        {
            let mut stmt = self
                .conn()
                .prepare("SELECT name, position, kind FROM stages")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let kind: StageKind = parse_enum(&r.get::<_, String>(2)?)?;
                stages.insert(r.get::<_, String>(0)?, (r.get::<_, i64>(1)?, kind));
            }
        }
        Ok(ExistingIds {
            reps: ids("SELECT id FROM reps")?,
            accounts: ids("SELECT id FROM accounts")?,
            contacts: ids("SELECT id FROM contacts")?,
            opportunities: ids("SELECT id FROM opportunities")?,
            stages,
            with_history: ids("SELECT DISTINCT opportunity_id FROM opportunity_history")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::*;

    #[test]
    fn reads_ids_stages_and_history_owners() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        tx.upsert_stage(&Stage {
            name: "Won".into(),
            position: 3,
            probability: 1.0,
            max_days: None,
            kind: StageKind::Won,
        })
        .unwrap();
        tx.upsert_account(&Account {
            id: "a1".into(),
            name: "Acme".into(),
            segment: None,
            icp_tier: None,
            industry: None,
            employees: None,
        })
        .unwrap();
        tx.commit().unwrap();
        let ids = store.existing_ids().unwrap();
        assert_eq!(ids.accounts.iter().collect::<Vec<_>>(), vec!["a1"]);
        assert!(ids.reps.is_empty());
        assert_eq!(ids.stages.get("Won"), Some(&(3, StageKind::Won)));
        assert!(ids.with_history.is_empty());
    }
}
