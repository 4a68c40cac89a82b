//! Loading a window of the database instead of all of it: what a report for
//! one period needs, so its cost follows the window, not the history.
//!
//! A [`Scope`] is a set of half-open instant ranges. [`Store::load_scope`]
//! returns a [`Dataset`] holding:
//! - every rep, account, contact, stage, snooze, tag and action item (small);
//! - the deals alive in some range (created before its end, or at an unknown
//!   time, and not closed before its start), and the deals an activity in a
//!   range touched, each with its whole history;
//! - the activities in the ranges, and for each loaded deal and each account
//!   of one its latest activity before the first range (so "last touch" and
//!   the gap before the first activity in range read as on the whole data);
//! - in [`Lookback`], what the rules read from all time: the first activity
//!   of the database, and when each rep first touched each contact they touch
//!   in a range.
//!
//! Reports whose rules look back (the anomaly rules, the drill-down, the
//! untouched rule) name the ranges they read; see `report::scope`.

use super::codec::*;
use super::{Result, Store};
use crate::domain::model::*;
use chrono::{DateTime, Utc};

/// Half-open instant ranges `[from, to)`, sorted and merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whether to read activities at all (forecast reports read deals only).
    activities: bool,
    /// Whether every deal open now is read too, whenever it was created
    /// (reports of the pipeline as it stands, which may be asked for a
    /// `--today` earlier than some deals).
    open_now: bool,
    /// Deals read whole whatever the ranges: the deal itself, its history
    /// and every activity on it (the deal card).
    deals: Vec<String>,
    /// Whether every activity of every loaded deal is read (the cockpit's
    /// deal pane shows a deal's whole timeline).
    deal_activities: bool,
}

impl Scope {
    /// The ranges given, sorted and with overlapping or touching ones merged.
    pub fn new(mut ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Scope {
        ranges.retain(|(a, b)| a < b);
        ranges.sort();
        let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        Scope {
            ranges: out,
            activities: true,
            open_now: false,
            deals: Vec::new(),
            deal_activities: false,
        }
    }

    /// The same ranges, reading every activity of every loaded deal or not.
    pub fn with_deal_activities(mut self, on: bool) -> Scope {
        self.deal_activities = on;
        self
    }

    /// The same ranges, with these deals read whole.
    pub fn with_deals(mut self, deals: Vec<OppId>) -> Scope {
        self.deals = deals.into_iter().map(|d| d.0).collect();
        self
    }

    /// The same ranges, with every deal open now or not.
    pub fn with_open_now(mut self, open_now: bool) -> Scope {
        self.open_now = open_now;
        self
    }

    /// The same ranges, reading activities or not.
    pub fn with_activities(mut self, activities: bool) -> Scope {
        self.activities = activities;
        self
    }

    pub fn ranges(&self) -> &[(DateTime<Utc>, DateTime<Utc>)] {
        &self.ranges
    }

    /// `(column >= ?a AND column < ?b) OR …` over the ranges, with its parameters.
    fn predicate(&self, column: &str) -> (String, Vec<String>) {
        if self.ranges.is_empty() {
            return ("0".to_string(), Vec::new());
        }
        let mut sql = Vec::new();
        let mut params = Vec::new();
        for (a, b) in &self.ranges {
            sql.push(format!("({column} >= ? AND {column} < ?)"));
            params.push(instant_to_sql(*a));
            params.push(instant_to_sql(*b));
        }
        (format!("({})", sql.join(" OR ")), params)
    }

    /// Deals alive in some range: `(created unknown or before its end) and
    /// (never closed or closed at or after its start)`.
    fn alive(&self) -> (String, Vec<String>) {
        let mut sql = Vec::new();
        if self.open_now {
            sql.push("status = 'open'".to_string());
        }
        let mut params = Vec::new();
        for d in &self.deals {
            sql.push("id = ?".to_string());
            params.push(d.clone());
        }
        if self.ranges.is_empty() && sql.is_empty() {
            return ("0".to_string(), Vec::new());
        }
        for (a, b) in &self.ranges {
            sql.push(
                "((created_at IS NULL OR created_at < ?) AND (closed_at IS NULL OR closed_at >= ?))"
                    .to_string(),
            );
            params.push(instant_to_sql(*b));
            params.push(instant_to_sql(*a));
        }
        (format!("({})", sql.join(" OR ")), params)
    }
}

const OPP_COLUMNS: &str = "id, name, account_id, owner_id, source_rep_id, created_at, stage, \
     amount, close_date, forecast_category, status, closed_at, loss_reason, next_step, \
     next_step_date, channel, list_amount";
const ACTIVITY_COLUMNS: &str = "id, rep_id, kind, meeting_type, label, opportunity_id, \
     account_id, contact_id, occurred_at, outcome, duration_min, direction, review_session_id";

impl Store {
    /// The dataset a report over `scope` reads (see the module doc).
    pub fn load_scope(&self, scope: &Scope) -> Result<Dataset> {
        let conn = self.conn();
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_opps (id TEXT PRIMARY KEY) WITHOUT ROWID;
             DELETE FROM temp.scope_opps;",
        )?;
        let (alive, alive_params) = scope.alive();
        conn.execute(
            &format!(
                "INSERT OR IGNORE INTO temp.scope_opps SELECT id FROM opportunities WHERE {alive}"
            ),
            rusqlite::params_from_iter(alive_params.iter()),
        )?;
        if scope.activities {
            // The deals an activity in range touched (its account is read through them).
            let (in_range, range_params) = scope.predicate("occurred_at");
            conn.execute(
                &format!(
                    "INSERT OR IGNORE INTO temp.scope_opps
                     SELECT DISTINCT opportunity_id FROM activities
                     WHERE opportunity_id IS NOT NULL AND {in_range}"
                ),
                rusqlite::params_from_iter(range_params.iter()),
            )?;
        }
        let opportunities = self.collect_params(
            &format!(
                "SELECT {OPP_COLUMNS} FROM opportunities
                 WHERE id IN (SELECT id FROM temp.scope_opps) ORDER BY id"
            ),
            &[],
            super::read::opportunity_from_row,
        )?;
        let history = self.collect_params(
            "SELECT h.opportunity_id, h.changed_at, h.field, h.old_value, h.new_value,
                    h.changed_by, h.review_session_id
             FROM temp.scope_opps s JOIN opportunity_history h ON h.opportunity_id = s.id
             ORDER BY h.changed_at, h.seq",
            &[],
            super::read::history_from_row,
        )?;
        let crm_last_touch = self.collect_params(
            "SELECT c.opportunity_id, c.touched_at
             FROM temp.scope_opps s JOIN crm_last_touch c ON c.opportunity_id = s.id
             ORDER BY 1",
            &[],
            |r| Ok((OppId(r.get(0)?), instant_from_sql(&r.get::<_, String>(1)?)?)),
        )?;
        let first = scope.ranges.first().map(|r| instant_to_sql(r.0));
        let first_activity_at = conn
            .query_row("SELECT MIN(occurred_at) FROM activities", [], |r| {
                r.get::<_, Option<String>>(0)
            })?
            .map(|s| instant_from_sql(&s))
            .transpose()?;
        let (activities, first_touch) = if scope.activities {
            self.scoped_activities(scope, first.as_deref())?
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(Dataset {
            reps: self.load_reps()?,
            accounts: self.load_accounts()?,
            contacts: self.load_contacts()?,
            opportunities,
            history,
            activities,
            stages: self.load_stages()?,
            snoozes: self.load_snoozes()?,
            tags: self.load_tags()?,
            action_items: self.load_action_items()?,
            lookback: Some(Lookback {
                first_activity_at,
                first_touch,
            }),
            crm_last_touch,
        })
    }

    /// The activities of the ranges with the latest one before them on each
    /// loaded deal and account, and the first touches of the contacts touched.
    #[allow(clippy::type_complexity)]
    fn scoped_activities(
        &self,
        scope: &Scope,
        first: Option<&str>,
    ) -> Result<(Vec<Activity>, Vec<(RepId, ContactId, DateTime<Utc>)>)> {
        let (in_range, range_params) = scope.predicate("occurred_at");
        let mut sql = format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {in_range}");
        let mut params = range_params.clone();
        for d in &scope.deals {
            sql.push_str(&format!(
                " UNION SELECT {ACTIVITY_COLUMNS} FROM activities WHERE opportunity_id = ?"
            ));
            params.push(d.clone());
        }
        if scope.deal_activities {
            sql.push_str(&format!(
                " UNION SELECT {ACTIVITY_COLUMNS} FROM activities
                  WHERE opportunity_id IN (SELECT id FROM temp.scope_opps)"
            ));
        }
        if let Some(first) = first {
            // The latest activity before the first range on each loaded deal,
            // and on each account of one.
            sql.push_str(&format!(
                " UNION SELECT {ACTIVITY_COLUMNS} FROM activities WHERE rowid IN (
                    SELECT (SELECT a.rowid FROM activities a
                            WHERE a.opportunity_id = s.id AND a.occurred_at < ?
                            ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1)
                    FROM temp.scope_opps s)
                  UNION SELECT {ACTIVITY_COLUMNS} FROM activities WHERE rowid IN (
                    SELECT (SELECT a.rowid FROM activities a
                            WHERE a.account_id = acc.account_id AND a.occurred_at < ?
                            ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1)
                    FROM (SELECT DISTINCT o.account_id FROM temp.scope_opps s
                          JOIN opportunities o ON o.id = s.id
                          WHERE o.account_id IS NOT NULL) acc)"
            ));
            params.push(first.to_string());
            params.push(first.to_string());
        }
        sql.push_str(" ORDER BY occurred_at, id");
        let activities = self.collect_params(&sql, &params, super::read::activity_from_row)?;
        let (touched, touched_params) = scope.predicate("occurred_at");
        let first_touch = self.collect_params(
            &format!(
                "SELECT p.rep_id, p.contact_id,
                        (SELECT MIN(x.occurred_at) FROM activities x
                         WHERE x.contact_id = p.contact_id AND x.rep_id = p.rep_id)
                 FROM (SELECT DISTINCT rep_id, contact_id FROM activities
                       WHERE contact_id IS NOT NULL AND {touched}) p"
            ),
            &touched_params,
            |r| {
                Ok((
                    RepId(r.get(0)?),
                    ContactId(r.get(1)?),
                    instant_from_sql(&r.get::<_, String>(2)?)?,
                ))
            },
        )?;
        Ok((activities, first_touch))
    }

    fn collect_params<T>(
        &self,
        sql: &str,
        params: &[String],
        map: impl Fn(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn().prepare(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(map(row)?);
        }
        Ok(out)
    }
}
