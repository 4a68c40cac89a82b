//! Writes, always inside one transaction: upserts by id that report whether a
//! row was new, changed or unchanged, and append-only history.

use super::Result;
use super::codec::*;
use crate::domain::model::*;
use rusqlite::{ToSql, Transaction, params};
use serde::Serialize;
use std::collections::BTreeMap;

mod history;

/// What an upsert did to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    New,
    Changed,
    Unchanged,
}

/// How many rows of one entity were new, changed and unchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EntityCounts {
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// Per-entity counts of one transaction, keyed by table name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts(pub BTreeMap<&'static str, EntityCounts>);

impl Counts {
    fn record(&mut self, entity: &'static str, outcome: Outcome) {
        let c = self.0.entry(entity).or_default();
        match outcome {
            Outcome::New => c.new += 1,
            Outcome::Changed => c.changed += 1,
            Outcome::Unchanged => c.unchanged += 1,
        }
    }

    /// True when nothing was new or changed.
    pub fn is_noop(&self) -> bool {
        self.0.values().all(|c| c.new == 0 && c.changed == 0)
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx<'a> {
    tx: Transaction<'a>,
    counts: Counts,
    /// Per table: the SQL of its insert and of its update, built
    /// once (an import runs them millions of times).
    upsert_sql: std::collections::HashMap<&'static str, (String, String)>,
    /// While a bulk load has set the snapshot sums' insert trigger aside,
    /// what its snapshot rows add to them ([`super::snapshot_sums`]).
    pub(super) snapshot_sums: Option<super::snapshot_sums::SnapshotSums>,
}

impl<'a> Tx<'a> {
    pub(super) fn new(tx: Transaction<'a>) -> Tx<'a> {
        // Enough cached statements for every writer of one transaction (the
        // default of 16 would evict and re-prepare them row after row).
        tx.set_prepared_statement_cache_capacity(64);
        Tx {
            tx,
            counts: Counts::default(),
            upsert_sql: std::collections::HashMap::new(),
            snapshot_sums: None,
        }
    }

    /// The underlying transaction, for the other writers of `storage/`.
    pub(super) fn raw(&self) -> &Transaction<'a> {
        &self.tx
    }

    /// What this transaction has done so far, per entity.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Makes every write of this transaction durable, all at once.
    pub fn commit(self) -> Result<Counts> {
        self.tx.commit()?;
        Ok(self.counts)
    }

    /// Throws every write away (a dry run ends here).
    pub fn rollback(self) -> Result<Counts> {
        self.tx.rollback()?;
        Ok(self.counts)
    }

    /// Inserts or updates the row whose first column (the key) matches, and
    /// tells which of the three happened.
    fn upsert(
        &mut self,
        table: &'static str,
        cols: &[&str],
        values: &[&dyn ToSql],
    ) -> Result<Outcome> {
        self.upsert_keyed(table, 1, cols, values)
    }

    /// [`Tx::upsert`] of a table keyed by its first `keys` columns.
    pub(super) fn upsert_keyed(
        &mut self,
        table: &'static str,
        keys: usize,
        cols: &[&str],
        values: &[&dyn ToSql],
    ) -> Result<Outcome> {
        let (insert_sql, update_sql) = self
            .upsert_sql
            .entry(table)
            .or_insert_with(|| upsert_statements(table, keys, cols));
        // A new row takes one statement (the bulk of a first import); a row
        // seen before is updated only where a value differs.
        let inserted = self.tx.prepare_cached(insert_sql)?.execute(values)?;
        let outcome = if inserted == 1 {
            Outcome::New
        } else if self.tx.prepare_cached(update_sql)?.execute(values)? == 0 {
            Outcome::Unchanged
        } else {
            Outcome::Changed
        };
        self.counts.record(table, outcome);
        Ok(outcome)
    }

    pub fn upsert_rep(&mut self, r: &Rep) -> Result<Outcome> {
        self.upsert(
            "reps",
            &[
                "id",
                "name",
                "email",
                "role",
                "team",
                "manager_id",
                "start_date",
                "end_date",
                "quota_amount",
                "quota_meetings",
            ],
            &[
                &r.id,
                &r.name,
                &r.email,
                &r.role.as_str(),
                &r.team,
                &r.manager_id,
                &r.start_date.map(date_to_sql),
                &r.end_date.map(date_to_sql),
                &r.quota_amount.map(|m| m.0),
                &r.quota_meetings,
            ],
        )
    }

    pub fn upsert_account(&mut self, a: &Account) -> Result<Outcome> {
        self.upsert(
            "accounts",
            &["id", "name", "segment", "icp_tier", "industry", "employees"],
            &[
                &a.id,
                &a.name,
                &a.segment,
                &a.icp_tier,
                &a.industry,
                &a.employees,
            ],
        )
    }

    pub fn upsert_contact(&mut self, c: &Contact) -> Result<Outcome> {
        self.upsert(
            "contacts",
            &["id", "account_id", "name", "title"],
            &[&c.id, &c.account_id, &c.name, &c.title],
        )
    }

    pub fn upsert_stage(&mut self, s: &Stage) -> Result<Outcome> {
        self.upsert(
            "stages",
            &["name", "position", "probability", "max_days", "kind"],
            &[
                &s.name,
                &s.position,
                &s.probability,
                &s.max_days,
                &s.kind.as_str(),
            ],
        )
    }

    pub fn upsert_opportunity(&mut self, o: &Opportunity) -> Result<Outcome> {
        self.upsert(
            "opportunities",
            &[
                "id",
                "name",
                "account_id",
                "owner_id",
                "source_rep_id",
                "created_at",
                "stage",
                "amount",
                "close_date",
                "forecast_category",
                "status",
                "closed_at",
                "loss_reason",
                "next_step",
                "next_step_date",
                "channel",
                "list_amount",
            ],
            &[
                &o.id,
                &o.name,
                &o.account_id,
                &o.owner_id,
                &o.source_rep_id,
                &o.created_at.map(instant_to_sql),
                &o.stage,
                &o.amount.map(|m| m.0),
                &o.close_date.map(date_to_sql),
                &o.forecast_category.map(|c| c.as_str()),
                &o.status.as_str(),
                &o.closed_at.map(instant_to_sql),
                &o.loss_reason,
                &o.next_step,
                &o.next_step_date.map(date_to_sql),
                &o.channel,
                &o.list_amount.map(|m| m.0),
            ],
        )
    }

    pub fn upsert_activity(&mut self, a: &Activity) -> Result<Outcome> {
        self.upsert(
            "activities",
            &[
                "id",
                "rep_id",
                "kind",
                "meeting_type",
                "label",
                "opportunity_id",
                "account_id",
                "contact_id",
                "occurred_at",
                "outcome",
                "duration_min",
                "direction",
                "review_session_id",
            ],
            &[
                &a.id,
                &a.rep_id,
                &a.kind.as_str(),
                &a.meeting_type.map(|m| m.as_str()),
                &a.label,
                &a.opportunity_id,
                &a.account_id,
                &a.contact_id,
                &instant_to_sql(a.occurred_at),
                &a.outcome.map(|m| m.as_str()),
                &a.duration_min,
                &a.direction.map(|m| m.as_str()),
                &a.review_session_id,
            ],
        )
    }

    pub fn upsert_review_session(&mut self, s: &ReviewSession) -> Result<Outcome> {
        self.upsert(
            "review_sessions",
            &[
                "id",
                "started_at",
                "ended_at",
                "facilitator",
                "report_markdown",
            ],
            &[
                &s.id,
                &instant_to_sql(s.started_at),
                &s.ended_at.map(instant_to_sql),
                &s.facilitator,
                &s.report_markdown,
            ],
        )
    }

    pub fn upsert_snooze(&mut self, z: &Snooze) -> Result<Outcome> {
        self.upsert(
            "snoozes",
            &[
                "id",
                "opportunity_id",
                "reason",
                "until",
                "created_at",
                "created_by",
                "review_session_id",
            ],
            &[
                &z.id,
                &z.opportunity_id,
                &z.reason,
                &date_to_sql(z.until),
                &instant_to_sql(z.created_at),
                &z.created_by,
                &z.review_session_id,
            ],
        )
    }

    pub fn upsert_action_item(&mut self, a: &ActionItem) -> Result<Outcome> {
        self.upsert(
            "action_items",
            &[
                "id",
                "opportunity_id",
                "owner_id",
                "text",
                "due_date",
                "created_at",
                "done_at",
                "review_session_id",
            ],
            &[
                &a.id,
                &a.opportunity_id,
                &a.owner_id,
                &a.text,
                &a.due_date.map(date_to_sql),
                &instant_to_sql(a.created_at),
                &a.done_at.map(instant_to_sql),
                &a.review_session_id,
            ],
        )
    }

    /// Stores a stuck-deal tag unless the same tag was set on the deal at
    /// the same instant (tags have no id of their own in a file).
    pub fn insert_tag(&mut self, t: &DealTag) -> Result<Outcome> {
        let exists = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM deal_tags WHERE opportunity_id = ?1 AND set_at = ?2 AND tag = ?3",
            )?
            .exists(params![
                t.opportunity_id,
                instant_to_sql(t.set_at),
                t.tag.as_str()
            ])?;
        let outcome = if exists {
            Outcome::Unchanged
        } else {
            self.tx
                .prepare_cached(
                    "INSERT INTO deal_tags (opportunity_id, tag, note, set_at, review_session_id)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    t.opportunity_id,
                    t.tag.as_str(),
                    t.note,
                    instant_to_sql(t.set_at),
                    t.review_session_id
                ])?;
            Outcome::New
        };
        self.counts.record("deal_tags", outcome);
        Ok(outcome)
    }

    /// Stores a goal (role, metric, period are the key).
    pub fn upsert_goal(&mut self, g: &Goal) -> Result<Outcome> {
        let exists = self
            .tx
            .prepare_cached("SELECT 1 FROM goals WHERE role = ?1 AND metric = ?2 AND period = ?3")?
            .exists(params![g.role.as_str(), g.metric, g.period.as_str()])?;
        let n = self.tx.prepare_cached(
            "INSERT INTO goals (role, metric, period, target, direction) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (role, metric, period) DO UPDATE SET target = excluded.target,
               direction = excluded.direction
             WHERE (target, direction) IS NOT (excluded.target, excluded.direction)",
        )?
        .execute(params![g.role.as_str(), g.metric, g.period.as_str(), g.target, g.direction.as_str()])?;
        let outcome = match (exists, n) {
            (false, _) => Outcome::New,
            (true, 0) => Outcome::Unchanged,
            (true, _) => Outcome::Changed,
        };
        self.counts.record("goals", outcome);
        Ok(outcome)
    }

    /// Stores a forecast snapshot; one per day, so a second one for the same
    /// day is ignored and `false` returned.
    pub fn insert_snapshot(&mut self, s: &Snapshot) -> Result<bool> {
        let Some(id) = self.begin_snapshot(s.taken_on, s.taken_at)? else {
            return Ok(false);
        };
        self.append_snapshot_rows(id, &s.rows)?;
        Ok(true)
    }

    /// Starts the snapshot of `taken_on` and returns its id for
    /// [`Tx::append_snapshot_rows`]; `None` (counted unchanged) when the
    /// database has that day's snapshot already (a snapshot is never edited).
    pub fn begin_snapshot(
        &mut self,
        taken_on: chrono::NaiveDate,
        taken_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<i64>> {
        let n = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO forecast_snapshots (taken_on, taken_at) VALUES (?1, ?2)",
            )?
            .execute(params![date_to_sql(taken_on), instant_to_sql(taken_at)])?;
        if n == 0 {
            self.counts.record("forecast_snapshots", Outcome::Unchanged);
            return Ok(None);
        }
        self.counts.record("forecast_snapshots", Outcome::New);
        Ok(Some(self.tx.last_insert_rowid()))
    }

    /// Frozen deals of the snapshot [`Tx::begin_snapshot`] started, up to
    /// [`SNAPSHOT_CHUNK`] rows a statement: a statement per row spent half
    /// its time opening and closing what every statement opens (its
    /// cursors, the journal of its triggers' writes), 0.16 s of the
    /// independent org's 18k-row snapshot. Each row's triggers run as
    /// before; a refused row fails its whole statement, and so the
    /// transaction, as it failed it before.
    pub fn append_snapshot_rows(&mut self, snapshot_id: i64, rows: &[SnapshotRow]) -> Result<()> {
        for chunk in rows.chunks(SNAPSHOT_CHUNK) {
            let values = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "INSERT INTO snapshot_rows (snapshot_id, opportunity_id, owner_id, stage, amount,
                    close_date, forecast_category) VALUES {values}"
            );
            // A whole chunk's statement and a one-row one (an import's rows
            // come one at a time) are kept; a last chunk of another length
            // is not, so it pushes no other statement out of the cache.
            let (mut cached, mut fresh);
            let stmt: &mut rusqlite::Statement<'_> = match chunk.len() {
                1 | SNAPSHOT_CHUNK => {
                    cached = self.tx.prepare_cached(&sql)?;
                    &mut cached
                }
                _ => {
                    fresh = self.tx.prepare(&sql)?;
                    &mut fresh
                }
            };
            for (i, r) in chunk.iter().enumerate() {
                let at = i * 7;
                stmt.raw_bind_parameter(at + 1, snapshot_id)?;
                stmt.raw_bind_parameter(at + 2, &r.opportunity_id)?;
                stmt.raw_bind_parameter(at + 3, &r.owner_id)?;
                stmt.raw_bind_parameter(at + 4, &r.stage)?;
                stmt.raw_bind_parameter(at + 5, r.amount.map(|m| m.0))?;
                stmt.raw_bind_parameter(at + 6, r.close_date.map(date_to_sql))?;
                stmt.raw_bind_parameter(at + 7, r.forecast_category.map(|c| c.as_str()))?;
            }
            stmt.raw_execute()?;
        }
        if let Some(sums) = &mut self.snapshot_sums {
            for r in rows {
                sums.add(snapshot_id, r);
            }
        }
        Ok(())
    }
}

/// Snapshot rows written by one statement: 7 parameters each, well under
/// SQLite's bound on a statement's parameters (32,766).
const SNAPSHOT_CHUNK: usize = 256;

/// The insert of a new row of `table` (nothing when its key, the first
/// column, is there) and the update of an existing one, which changes it
/// only when some value differs, so "changed" means changed.
fn upsert_statements(table: &str, keys: usize, cols: &[&str]) -> (String, String) {
    let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING",
        cols.join(", "),
        placeholders.join(", "),
        cols[..keys].join(", "),
    );
    let rest = &cols[keys..];
    let sets: Vec<String> = rest
        .iter()
        .zip(&placeholders[keys..])
        .map(|(c, p)| format!("{c} = {p}"))
        .collect();
    let key: Vec<String> = cols[..keys]
        .iter()
        .zip(&placeholders)
        .map(|(c, p)| format!("{c} = {p}"))
        .collect();
    let update = format!(
        "UPDATE {table} SET {} WHERE {} AND ({}) IS NOT ({})",
        sets.join(", "),
        key.join(" AND "),
        rest.join(", "),
        placeholders[keys..].join(", "),
    );
    (insert, update)
}
