//! What an import needs to know about the database before it writes: which ids
//! already exist (so references to them are valid), which stages are
//! registered, and which opportunities already have history.

use super::codec::parse_enum;
use super::snapshot_sums::SnapshotSums;
use super::{Result, Store};
use crate::domain::model::StageKind;
use std::collections::{BTreeMap, BTreeSet};

/// A rep as an import matches a CRM owner to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
}

/// The ids already in the database, read in one query per table.
#[derive(Debug, Clone, Default)]
pub struct ExistingIds {
    pub reps: BTreeSet<String>,
    /// Every rep's id, name and email: a CRM file names its owners by name
    /// or email, not by our ids.
    pub people: Vec<Person>,
    pub accounts: BTreeSet<String>,
    pub contacts: BTreeSet<String>,
    pub opportunities: BTreeSet<String>,
    /// Registered stages: name → (position, kind).
    pub stages: BTreeMap<String, (i64, StageKind)>,
    /// How many deals each stage holds (the stages holding any).
    pub stage_deals: BTreeMap<String, u64>,
    /// Opportunities with at least one history row.
    pub with_history: BTreeSet<String>,
    /// Review session numbers, as text.
    pub review_sessions: BTreeSet<String>,
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
        let mut stage_deals = BTreeMap::new();
        {
            let mut stmt = self
                .conn()
                .prepare("SELECT stage, count(*) FROM opportunities GROUP BY stage")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                stage_deals.insert(r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64);
            }
        }
        let mut people = Vec::new();
        {
            let mut stmt = self.conn().prepare("SELECT id, name, email FROM reps")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                people.push(Person {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    email: r.get(2)?,
                });
            }
        }
        Ok(ExistingIds {
            reps: people.iter().map(|p| p.id.clone()).collect(),
            people,
            accounts: ids("SELECT id FROM accounts")?,
            contacts: ids("SELECT id FROM contacts")?,
            opportunities: ids("SELECT id FROM opportunities")?,
            stages,
            stage_deals,
            with_history: ids("SELECT DISTINCT opportunity_id FROM opportunity_history")?,
            review_sessions: ids("SELECT CAST(id AS TEXT) FROM review_sessions")?,
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

/// The secondary indexes a bulk load into empty tables set aside, to build
/// once after the rows land (one sort instead of a B-tree insert per row),
/// and the triggers that keep a summary table (one upsert per row
/// inserted), whose tables are then filled in one pass: each as
/// `(name, table, sql)`.
#[derive(Debug, Default)]
pub struct DeferredIndexes(Vec<(String, String, String)>);

/// How a bulk load fills the table a trigger it set aside keeps.
enum Refill {
    /// Afresh from the rows, in one pass, by this SQL.
    Sql(&'static str),
    /// With what the load added up as it wrote its rows ([`SnapshotSums`]).
    SnapshotSums,
    /// Nothing to fill: a guard (a bulk load writes each snapshot row once).
    Guard,
}

/// The triggers a bulk load sets aside, each with how its table is filled
/// once the rows are in (see `migrations/0008_first_touches.sql`,
/// `migrations/0010_snapshot_owner_months.sql` and
/// `migrations/0011_write_stamp.sql`).
const DEFERRED_TRIGGERS: &[(&str, Refill)] = &[
    (
        "activities_first_touch_insert",
        Refill::Sql(
            // In the table's key order: 835k pairs of the independent org
            // inserted in the index's (contact, rep) order took 9 s of
            // B-tree splits and spills, 2 s in key order.
            "DELETE FROM first_touches;
             INSERT INTO first_touches (rep_id, contact_id, first_at)
             SELECT rep_id, contact_id, MIN(occurred_at) FROM activities
             WHERE contact_id IS NOT NULL
             GROUP BY contact_id, rep_id
             ORDER BY rep_id, contact_id;",
        ),
    ),
    ("snapshot_rows_owner_month_insert", Refill::SnapshotSums),
    ("snapshot_rows_no_replace", Refill::Guard),
    // A new write stamp once, not one per row (`0011_write_stamp.sql`).
    ("activities_stamp_insert", Refill::Sql(NEW_STAMP)),
    ("opportunity_history_stamp_insert", Refill::Sql(NEW_STAMP)),
    ("opportunities_stamp_insert", Refill::Sql(NEW_STAMP)),
    ("snapshot_rows_stamp_insert", Refill::Sql(NEW_STAMP)),
];

const NEW_STAMP: &str = "UPDATE write_stamp SET stamp = random();";

/// The tables a [`Refill::Sql`] fills: their secondary indexes are set
/// aside too, and built after the fill (one sort, not an insert per row).
const REFILLED: &[&str] = &["first_touches"];

/// How the trigger `name` set aside is refilled, if it is one of ours.
fn refill_of(name: &str) -> Option<&'static Refill> {
    DEFERRED_TRIGGERS
        .iter()
        .find(|(t, _)| *t == name)
        .map(|(_, r)| r)
}

/// Whether activities, history and deals are all empty: a first import, a
/// bulk load.
/// Whether the database holds no deal, history or activity yet.
pub(super) fn bulk_target_empty(conn: &rusqlite::Connection) -> Result<bool> {
    let empty = |t: &str| -> Result<bool> {
        Ok(
            conn.query_row(&format!("SELECT NOT EXISTS (SELECT 1 FROM {t})"), [], |r| {
                r.get::<_, bool>(0)
            })?,
        )
    };
    Ok(empty("activities")? && empty("opportunity_history")? && empty("opportunities")?)
}

impl super::Tx<'_> {
    /// When activities, history and deals are all empty, drops their
    /// non-unique indexes inside this transaction and returns them for
    /// [`super::Tx::rebuild_indexes`]; otherwise keeps everything. Unique
    /// indexes stay: the writes rely on them to recognise a row seen before.
    pub fn defer_indexes_if_empty(&mut self) -> Result<DeferredIndexes> {
        let tx = self.raw();
        if !bulk_target_empty(tx)? {
            return Ok(DeferredIndexes::default());
        }
        let triggers = vec!["?"; DEFERRED_TRIGGERS.len()].join(", ");
        let refilled = vec!["?"; REFILLED.len()].join(", ");
        let mut stmt = tx.prepare(&format!(
            "SELECT type, name, tbl_name, sql FROM sqlite_master
             WHERE (type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'
                    AND tbl_name IN ('activities', 'opportunity_history', 'opportunities',
                                     'snapshot_rows', {refilled}))
                OR (type = 'trigger' AND name IN ({triggers}))
             ORDER BY type, name"
        ))?;
        let names = REFILLED
            .iter()
            .chain(DEFERRED_TRIGGERS.iter().map(|(name, _)| name));
        let found: Vec<(String, String, String, String)> = stmt
            .query_map(rusqlite::params_from_iter(names), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        for (kind, name, _, _) in &found {
            let kind = if kind == "trigger" {
                "TRIGGER"
            } else {
                "INDEX"
            };
            tx.execute_batch(&format!("DROP {kind} \"{}\"", name.replace('"', "\"\"")))?;
        }
        if found
            .iter()
            .any(|(_, name, _, _)| matches!(refill_of(name), Some(Refill::SnapshotSums)))
        {
            self.snapshot_sums = Some(SnapshotSums::default());
        }
        Ok(DeferredIndexes(
            found
                .into_iter()
                .map(|(_, name, table, sql)| (name, table, sql))
                .collect(),
        ))
    }

    /// Turns SQLite's CHECK constraints off (`true`) or back on for the
    /// writes that follow in this transaction. Only for rows whose checked
    /// values hold by construction: a streamed import's activities, whose
    /// `kind` is written from [`crate::domain::model::ActivityKind`]. The
    /// check `kind IN ('call', 'email', 'meeting')` otherwise builds a
    /// temporary B-tree of its three values for every row inserted (about a
    /// third of an activity insert). Statements prepared before are
    /// recompiled by SQLite when the setting changes.
    pub fn skip_check_constraints(&self, skip: bool) -> Result<()> {
        self.raw().execute_batch(if skip {
            "PRAGMA ignore_check_constraints = ON"
        } else {
            "PRAGMA ignore_check_constraints = OFF"
        })?;
        Ok(())
    }

    /// Builds the indexes [`super::Tx::defer_indexes_if_empty`] set aside.
    /// The builds run with an 8 MB page cache (the import's is 64 MB, see
    /// [`Store::begin_bulk`]). SQLite's sorter cuts an index's keys into
    /// sorted runs of the cache's size and, with `PRAGMA threads`, sorts
    /// each run on a helper thread while the main one reads the next rows,
    /// then merges the runs. A cache large enough to hold an activities
    /// index's keys whole (1.9M keys on the large demo, 128 MB: the fourth
    /// pass's choice) left the one sort to the main thread: the five
    /// activities indexes took 7.5–8.8 s of a first import, 4.8–5.3 s with
    /// 8 MB runs (16 MB: 5.1–5.9 s, 32 MB: 6.2–6.4 s), and the import's
    /// peak memory fell from 425 to 336 MB (docs/PERFORMANCE.md, eighth
    /// pass).
    ///
    /// Then, for each summary trigger set aside, fills its table: from the
    /// rows in one pass (`first_touches`, in the order of the index on
    /// contact, rep and time just built), or with what the load added up
    /// ([`SnapshotSums`]); and puts the trigger back.
    pub fn rebuild_indexes(&mut self, deferred: DeferredIndexes) -> Result<()> {
        if deferred.0.is_empty() {
            return Ok(());
        }
        self.raw().execute_batch(super::INDEX_BUILD_CACHE)?;
        let (triggers, indexes): (Vec<_>, Vec<_>) = deferred
            .0
            .into_iter()
            .partition(|(name, _, _)| refill_of(name).is_some());
        // The refills read the rows' indexes; the refilled tables' own
        // indexes wait for their rows.
        let (after, before): (Vec<_>, Vec<_>) = indexes
            .into_iter()
            .partition(|(_, table, _)| REFILLED.contains(&table.as_str()));
        for (_, _, sql) in before {
            self.raw().execute_batch(&sql)?;
        }
        for (name, _, sql) in triggers {
            match refill_of(&name) {
                Some(Refill::Sql(fill)) => self.raw().execute_batch(fill)?,
                Some(Refill::SnapshotSums) => {
                    if let Some(sums) = self.snapshot_sums.take() {
                        sums.write(self.raw())?;
                    }
                }
                Some(Refill::Guard) | None => {}
            }
            self.raw().execute_batch(&sql)?;
        }
        for (_, _, sql) in after {
            self.raw().execute_batch(&sql)?;
        }
        self.raw().execute_batch(super::IMPORT_CACHE)?;
        Ok(())
    }
}

/// What [`Store::begin_bulk`] changed, for [`Store::end_bulk`] to restore.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bulk {
    /// The write-ahead log was set aside for the rollback journal.
    journal: bool,
}

impl Store {
    /// Settings for one bulk import, for as long as this connection (one
    /// command) or until [`Store::end_bulk`]: a 64 MB page cache (SQLite's
    /// default is 2 MB) and helper threads for the sorts of the deferred
    /// index builds. Into a database with no deals, history or activities
    /// yet, the rollback journal replaces the write-ahead log while the
    /// import runs: every new page is then written once, into the database
    /// file, instead of into the log and again at the checkpoint (the
    /// import stays one atomic transaction: a journal holds the few pages
    /// it changes that existed before). A database another connection holds
    /// open keeps its log.
    pub fn begin_bulk(&self) -> Result<Bulk> {
        self.conn()
            .execute_batch(&format!("{} PRAGMA threads = 2;", super::IMPORT_CACHE))?;
        if self.path == ":memory:" || !bulk_target_empty(self.conn())? {
            return Ok(Bulk::default());
        }
        let mode = self
            .conn()
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            });
        Ok(Bulk {
            journal: mode.is_ok_and(|m| m.eq_ignore_ascii_case("delete")),
        })
    }

    /// Puts back the write-ahead log [`Store::begin_bulk`] set aside.
    pub fn end_bulk(&self, bulk: Bulk) -> Result<()> {
        if bulk.journal {
            self.conn()
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod bulk_tests {
    use super::*;

    fn mode(store: &Store) -> String {
        store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    }

    /// A first import runs on the rollback journal and puts the log back;
    /// into a database with deals it keeps the log throughout.
    #[test]
    fn a_first_import_sets_the_log_aside_and_puts_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db")).unwrap();
        assert_eq!(mode(&store), "wal");
        let bulk = store.begin_bulk().unwrap();
        assert_eq!(mode(&store), "delete");
        store.end_bulk(bulk).unwrap();
        assert_eq!(mode(&store), "wal");
        store
            .conn()
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO opportunities (id, name, account_id, owner_id, stage, amount,
                   created_at, status) VALUES ('o1', 'x', 'a', 'r', 's', 0,
                   '2026-01-01T00:00:00Z', 'open');",
            )
            .unwrap();
        let bulk = store.begin_bulk().unwrap();
        assert_eq!(mode(&store), "wal");
        store.end_bulk(bulk).unwrap();
        assert_eq!(mode(&store), "wal");
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;
    use crate::domain::model::*;

    fn activity(id: &str, kind: ActivityKind) -> Activity {
        Activity {
            id: ActivityId(id.into()),
            rep_id: RepId("r1".into()),
            kind,
            meeting_type: None,
            label: None,
            opportunity_id: None,
            account_id: None,
            contact_id: None,
            occurred_at: "2026-01-05T10:00:00Z".parse().unwrap(),
            outcome: None,
            duration_min: None,
            direction: None,
            review_session_id: None,
        }
    }

    /// Every activity kind the domain writes passes the schema's check, so
    /// skipping the check for streamed activities lets nothing else in; the
    /// check is off only between the two calls.
    #[test]
    fn the_activity_kinds_are_the_checked_ones_and_the_skip_ends() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        for (i, k) in ActivityKind::ALL.iter().enumerate() {
            tx.upsert_activity(&activity(&format!("a{i}"), *k)).unwrap();
        }
        let fax = |id: &str| {
            format!(
                "INSERT INTO activities (id, rep_id, kind, occurred_at)
                 VALUES ('{id}', 'r1', 'fax', '2026-01-05T10:00:00Z')"
            )
        };
        tx.skip_check_constraints(true).unwrap();
        tx.raw().execute_batch(&fax("x1")).unwrap();
        tx.skip_check_constraints(false).unwrap();
        let err = tx.raw().execute_batch(&fax("x2")).unwrap_err();
        assert!(err.to_string().contains("CHECK constraint failed"), "{err}");
    }
}
