//! The deals a load reads, from a temporary table of their ids; and the few
//! the window's activities name besides those.
//!
//! A report over the metrics reads, besides the deals alive in its ranges,
//! every deal an activity in a range names (a call logged on a deal closed
//! before the range still counts, and its account is read through the
//! deal). Finding those in SQL read every activity row of the window on the
//! load's own connection just for its deal: 100–300 ms while the second
//! connection read the very same rows. They are found in the window's rows
//! instead, once read: on the orgs measured, none to a few hundred deals.

use super::{OPP_COLUMNS, Scope};
use crate::domain::model::{Activity, HistoryEntry, HistoryField, Lookback, OppId, Opportunity};
use crate::storage::codec::keyed_instant;
use crate::storage::{Result, Store};
use chrono::{DateTime, Utc};

/// Deals read: by id, their history in `(changed_at, seq)` order with its
/// `seq`, and a CRM's last activity instant of each, by deal; read from an
/// instant on ([`HistoryRead::Since`]), the deals with entries before it
/// (`Lookback::history_since`).
#[derive(Default)]
pub(super) struct Deals {
    pub(super) opportunities: Vec<Opportunity>,
    pub(super) history: Vec<Entry>,
    pub(super) crm_last_touch: Vec<(OppId, DateTime<Utc>)>,
    pub(super) history_earlier: Vec<OppId>,
}

/// The fields of the history the metrics read (`domain::metrics::index`).
pub(super) const METRIC_FIELDS: &[HistoryField] = &[HistoryField::Stage, HistoryField::Amount];

/// A history entry with its `seq` (the order it was written in).
type Entry = (i64, HistoryEntry);

/// How much of the deals' history a load reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HistoryRead {
    None,
    Whole,
    /// Every entry of these fields.
    Of(&'static [HistoryField]),
    /// The entries from this instant on, and every entry of a deal whose
    /// status changed from it on (a rewind to an instant at or after it
    /// reads no other: see `domain::asof`).
    Since(DateTime<Utc>),
}

impl Deals {
    /// Both sets of deals (no deal in both), in the same orders.
    /// Ids, `seq` and the CRM's deals are unique: unstable sorts give the
    /// one order, without a scratch buffer the size of the history.
    fn join(&mut self, other: Deals) {
        self.opportunities.extend(other.opportunities);
        self.opportunities.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        self.history.extend(other.history);
        self.history.sort_unstable_by_key(by_time);
        self.crm_last_touch.extend(other.crm_last_touch);
        self.crm_last_touch.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.history_earlier.extend(other.history_earlier);
        self.history_earlier.sort_unstable();
    }
}

/// The history rows of the deals `table` holds (`h`), `on` what else.
fn of_deals(table: &str, on: &str) -> String {
    format!("{table} s CROSS JOIN opportunity_history h ON h.opportunity_id = s.id {on}")
}

/// A history row's place: by instant, then by the order it was written.
fn by_time((seq, h): &Entry) -> (DateTime<Utc>, i64) {
    (h.changed_at, *seq)
}

impl Store {
    /// The deals whose ids `table` holds, with as much of their history as
    /// `history` says.
    pub(super) fn deals_of(&self, table: &str, history: HistoryRead) -> Result<Deals> {
        let opportunities = self.collect_params(
            &format!(
                "SELECT {OPP_COLUMNS} FROM opportunities
                 WHERE id IN (SELECT id FROM {table}) ORDER BY id"
            ),
            &[],
            crate::storage::read::opportunity_from_row,
        )?;
        // CROSS JOIN keeps the loaded deals outside: with no statistics on
        // the temporary table SQLite scanned all of history instead. The
        // rows are put in (changed_at, seq) order here: SQLite's sorter
        // compared the instants as text, a fifth of reading all history.
        let rows = |from: &str, params: &[String]| {
            self.collect_params(
                &format!(
                    "SELECT h.opportunity_id, h.changed_at, h.field, h.old_value, h.new_value,
                            h.changed_by, h.review_session_id, h.seq
                     FROM {from}"
                ),
                params,
                |r| {
                    Ok((
                        r.get::<_, i64>(7)?,
                        crate::storage::read::history_from_row(r)?,
                    ))
                },
            )
        };
        let (mut history, history_earlier) = match history {
            HistoryRead::None => (Vec::new(), Vec::new()),
            HistoryRead::Whole => (rows(&of_deals(table, ""), &[])?, Vec::new()),
            HistoryRead::Of(fields) => {
                let of = fields.iter().map(|f| format!("'{}'", f.as_str()));
                let on = format!("AND h.field IN ({})", of.collect::<Vec<_>>().join(", "));
                (rows(&of_deals(table, &on), &[])?, Vec::new())
            }
            HistoryRead::Since(t) => self.history_since(table, t, rows)?,
        };
        history.sort_unstable_by_key(by_time);
        let crm_last_touch = self.collect_params(
            &format!(
                "SELECT c.opportunity_id, c.touched_at
                 FROM {table} s JOIN crm_last_touch c ON c.opportunity_id = s.id
                 ORDER BY 1"
            ),
            &[],
            keyed_instant,
        )?;
        Ok(Deals {
            opportunities,
            history,
            crm_last_touch,
            history_earlier,
        })
    }

    /// [`HistoryRead::Since`] for the deals `table` holds: the entries
    /// from `t` on (`rows`), every entry of a deal whose status changed
    /// from `t` on (a close undone reads its earlier closes), and the deals
    /// with entries before `t` not read, by id.
    fn history_since(
        &self,
        table: &str,
        t: DateTime<Utc>,
        rows: impl Fn(&str, &[String]) -> Result<Vec<Entry>>,
    ) -> Result<(Vec<Entry>, Vec<OppId>)> {
        let at = [crate::storage::codec::instant_to_sql(t)];
        let mut history = rows(&of_deals(table, "AND h.changed_at >= ?1"), &at)?;
        // The older entries of the deals whose status changed from `t` on,
        // in one pass over the loaded deals.
        let status_changed = format!(
            "(SELECT s.id FROM {table} s WHERE EXISTS (
                SELECT 1 FROM opportunity_history x
                WHERE x.opportunity_id = s.id AND x.changed_at >= ?1 AND x.field = '{}'))",
            HistoryField::Status.as_str()
        );
        let earlier_rows = rows(&of_deals(&status_changed, "AND h.changed_at < ?1"), &at)?;
        let earlier = self.collect_params(
            &format!(
                "SELECT s.id FROM {table} s WHERE EXISTS (
                   SELECT 1 FROM opportunity_history h
                   WHERE h.opportunity_id = s.id AND h.changed_at < ?1)
                 ORDER BY 1"
            ),
            &at,
            |r| Ok(r.get::<_, OppId>(0)?),
        )?;
        history.extend(earlier_rows);
        Ok((history, earlier))
    }

    /// Reads the deals `window` names that `deals` lacks into it, with what
    /// lies before each range on each of them and on each of their
    /// accounts, as the load reads it for the others: the latest activity
    /// rows, returned (`latest_rows_before`), or their instants, put in
    /// `before` (`Scope::with_touches_before`).
    pub(super) fn named_by_window(
        &self,
        scope: &Scope,
        window: &[Activity],
        deals: &mut Deals,
        before: &mut Lookback,
    ) -> Result<Vec<Activity>> {
        let loaded: foldhash::HashSet<&str> = deals
            .opportunities
            .iter()
            .map(|o| o.id.0.as_str())
            .collect();
        let mut named: Vec<&str> = window
            .iter()
            .filter_map(|a| a.opportunity_id.as_ref().map(|o| o.0.as_str()))
            .filter(|o| !loaded.contains(o))
            .collect();
        if named.is_empty() {
            return Ok(Vec::new());
        }
        named.sort_unstable();
        named.dedup();
        let conn = self.conn();
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_named (id TEXT PRIMARY KEY) WITHOUT ROWID;
             DELETE FROM temp.scope_named;",
        )?;
        let mut insert = conn.prepare_cached("INSERT INTO temp.scope_named VALUES (?1)")?;
        for id in &named {
            insert.execute([id])?;
        }
        // An id no deal row has (a file written by another tool) may be
        // among the loaded ones already: it is not read twice.
        conn.execute_batch(
            "DELETE FROM temp.scope_named WHERE id IN (SELECT id FROM temp.scope_opps);
             INSERT INTO temp.scope_opps SELECT id FROM temp.scope_named;",
        )?;
        deals.join(self.deals_of("temp.scope_named", scope.history_read())?);
        let table = "temp.scope_named";
        if scope.touches_before {
            let (deal_touches, account_touches) = self.latest_touches_before(scope, table)?;
            before.deal_touches.extend(deal_touches);
            before.account_touches.extend(account_touches);
            return Ok(Vec::new());
        }
        self.latest_rows_before(scope, table)
    }
}

#[cfg(test)]
mod tests {
    use crate::storage::scope::Scope;
    use chrono::{DateTime, TimeZone, Utc};

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).unwrap()
    }

    /// The fields of the history a scope reads, in order.
    fn fields(store: &crate::storage::Store, scope: &Scope) -> Vec<&'static str> {
        let data = store.load_scope(scope).unwrap();
        data.history.iter().map(|h| h.field.as_str()).collect()
    }

    /// A metrics scope reads a deal's stage and amount changes and no
    /// other; a rewind of it, and any scope it joins that reads more, read
    /// every change.
    #[test]
    fn a_metrics_scope_reads_the_stage_and_amount_changes_only() {
        let mut store = crate::storage::Store::open_in_memory().unwrap();
        let tx = store.begin().unwrap();
        tx.raw()
            .execute_batch(
                "INSERT INTO reps (id, name, role) VALUES ('r1', 'R', 'AE');
                 INSERT INTO opportunities (id, name, owner_id, stage, status, created_at)
                 VALUES ('o1', 'O', 'r1', 'Demo', 'open', '2026-03-11T00:00:00Z');
                 INSERT INTO opportunity_history
                   (opportunity_id, changed_at, field, old_value, new_value) VALUES
                   ('o1', '2026-03-12T00:00:00Z', 'stage', 'Discovery', 'Demo'),
                   ('o1', '2026-03-13T00:00:00Z', 'close_date', '2026-04-01', '2026-05-01'),
                   ('o1', '2026-03-14T00:00:00Z', 'amount', '100000', '120000'),
                   ('o1', '2026-03-15T00:00:00Z', 'forecast_category', 'pipeline', 'commit'),
                   ('o1', '2026-03-16T00:00:00Z', 'owner_id', 'r2', 'r1'),
                   ('o1', '2026-03-17T00:00:00Z', 'status', 'lost', 'open');",
            )
            .unwrap();
        tx.commit().unwrap();
        let every = [
            "stage",
            "close_date",
            "amount",
            "forecast_category",
            "owner_id",
            "status",
        ];
        let range = || Scope::new(vec![(day(10), day(20))]);
        assert_eq!(
            fields(&store, &range().with_metric_history(true)),
            ["stage", "amount"]
        );
        assert_eq!(fields(&store, &range()), every);
        assert_eq!(
            fields(
                &store,
                &range().with_metric_history(true).rewound_to(day(18))
            ),
            every
        );
        assert_eq!(
            fields(&store, &range().with_metric_history(true).union(range())),
            every
        );
        assert_eq!(
            fields(
                &store,
                &range()
                    .with_metric_history(true)
                    .union(range().with_metric_history(true))
            ),
            ["stage", "amount"]
        );
    }
}
