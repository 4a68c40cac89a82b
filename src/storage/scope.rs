//! Loading a window of the database instead of all of it: what a report for
//! one period needs, so its cost follows the window, not the history.
//!
//! A [`Scope`] is a set of half-open instant ranges. [`Store::load_scope`]
//! returns a [`Dataset`] holding:
//! - every rep, account, contact, stage, snooze, tag and action item (small);
//! - the deals alive in some range (created before its end, or at an unknown
//!   time, and not closed before its start; or created or closed in it) or
//!   in a range of deals only (`Scope::with_deal_ranges`), for the metrics
//!   the deals a history entry or an activity in a range names
//!   (`Scope::with_named_deals`), each with its whole history (or none,
//!   when the scope says its report reads none: `Scope::with_history`);
//! - the activities in the ranges, and for each loaded deal and each account
//!   of one its latest activity before each range (so "last touch" and the
//!   gap before the first activity in a range read as on the whole data,
//!   also after a gap between two ranges), or only that activity's instant
//!   (`Scope::with_touches_before`: the review reads last touches only);
//! - in [`Lookback`], what the rules read from all time: the first activity
//!   of the database, and when each rep first touched each contact they touch
//!   in a range (for the metrics only, with the contacts: `Scope::with_contacts`).
//!
//! Reports whose rules look back (the anomaly rules, the drill-down, the
//! untouched rule) name the ranges they read; see `report::scope`.

mod deals;
mod first_touch;
mod lookback;
mod merge;
mod ranges;
mod rep_ranges;
mod window;

use super::codec::*;
use super::{Result, Store};
use crate::domain::model::*;
use chrono::{DateTime, Utc};
use merge::merge_by_time;
use ranges::{alive_in, merged, merged_per_rep, within};

/// Half-open instant ranges `[from, to)`, sorted and merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Ranges of which only the deals alive in them are read (with their
    /// history), not the activities: a rule that reads deal metrics only.
    deal_ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Whether to read activities at all (forecast reports read deals only).
    activities: bool,
    /// Whether every deal open now is read too, whenever it was created
    /// (reports of the pipeline as it stands, which may be asked for a
    /// `--today` earlier than some deals).
    open_now: bool,
    /// Deals read whole whatever the ranges: the deal itself, its history
    /// and every activity on it (the deal card).
    deals: Vec<String>,
    /// Ranges of one rep's own work: their activities (and those on the
    /// deals they sourced) and the deals they own or sourced alive then.
    rep_ranges: Vec<(String, DateTime<Utc>, DateTime<Utc>)>,
    /// Whether the rep ranges are read as all of a rep's metrics read
    /// (`rep_ranges::DEEP_ACTIVITIES`): besides their own work, every activity
    /// on the deals they own and on those deals' accounts, with the latest
    /// before the range on each, and the deals they own moved in it.
    deep_reps: bool,
    /// Whether the deals' history is left unread (a report that reads
    /// none of it: accuracy when every closed quarter has its snapshot).
    skip_history: bool,
    /// Whether only the stage and amount changes are read of the deals'
    /// history ([`deals::METRIC_FIELDS`]): the metrics read no other
    /// (`domain::metrics::index`), and those are about half of a large
    /// org's history. A rewind (`--as-of`) reads every field.
    metric_history: bool,
    /// When set, the deals' history is read from this instant on only
    /// (`Lookback::history_since`): a report that reads it only to rewind
    /// the deals no further back (`app::load::rewinds_to`).
    history_since: Option<DateTime<Utc>>,
    /// Whether the contacts are left unread, with each rep's first touch of
    /// each contact touched: only the metrics read them (an activity's
    /// account through its contact, "new contacts"; 60k contacts on a large
    /// org).
    skip_contacts: bool,
    /// Whether the deals a history entry or an activity in a range names
    /// are read too, alive in it or not (the metrics count a stage move in
    /// the period it was made, and an activity on a deal, whenever the
    /// deal closed; a report over all of history has them all already).
    moved: bool,
    /// Whether only the won deals are read among the deals alive in the
    /// ranges (accuracy's actuals, when no call is rebuilt from history);
    /// the deals read the other ways (named, touched in a range, moved, a
    /// rep range's) are not narrowed.
    won_only: bool,
    /// With `won_only`, also the deals that may have been open at one of
    /// these instants as `domain::asof::Rewind::open_at` rewinds them
    /// (created before it, and open now, or closed at or after it, or
    /// with a history entry at or after it), and the first deal created:
    /// accuracy's quarters rebuilt from history.
    open_at: Vec<DateTime<Utc>>,
    /// Whether what lies before each range is read as the latest activity
    /// instant on each loaded deal and account (`Lookback::deal_touches`,
    /// `account_touches`) rather than as those activities' rows: for rules
    /// that look back for a last touch and nothing else.
    touches_before: bool,
}

impl Scope {
    /// The ranges given, sorted and with overlapping or touching ones merged.
    pub fn new(ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Scope {
        Scope {
            ranges: merged(ranges),
            deal_ranges: Vec::new(),
            activities: true,
            open_now: false,
            deals: Vec::new(),
            rep_ranges: Vec::new(),
            deep_reps: false,
            skip_history: false,
            metric_history: false,
            history_since: None,
            skip_contacts: false,
            moved: false,
            won_only: false,
            open_at: Vec::new(),
            touches_before: false,
        }
    }

    /// What both scopes read: a dataset for several reports at once (each
    /// report reads the same from a wider window, see the module doc).
    pub fn union(self, other: Scope) -> Scope {
        let mut ranges = self.ranges;
        ranges.extend(other.ranges);
        let mut deal_ranges = self.deal_ranges;
        deal_ranges.extend(other.deal_ranges);
        let mut rep_ranges = self.rep_ranges;
        rep_ranges.extend(other.rep_ranges);
        let mut deals = self.deals;
        deals.extend(other.deals);
        deals.sort();
        deals.dedup();
        Scope {
            activities: self.activities || other.activities,
            open_now: self.open_now || other.open_now,
            deep_reps: self.deep_reps || other.deep_reps,
            skip_history: self.skip_history && other.skip_history,
            metric_history: self.metric_history && other.metric_history,
            // One that reads all of it reads it for both.
            history_since: self
                .history_since
                .zip(other.history_since)
                .map(|(a, b)| a.min(b)),
            skip_contacts: self.skip_contacts && other.skip_contacts,
            moved: self.moved || other.moved,
            won_only: self.won_only && other.won_only,
            touches_before: self.touches_before && other.touches_before,
            open_at: {
                let mut open_at = self.open_at;
                open_at.extend(other.open_at);
                open_at.sort();
                open_at.dedup();
                open_at
            },
            deals,
            rep_ranges: merged_per_rep(rep_ranges),
            deal_ranges: merged(deal_ranges),
            ..Scope::new(ranges)
        }
    }

    /// The same ranges, with the deals alive in these read besides (no
    /// activity of them).
    pub fn with_deal_ranges(mut self, ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Scope {
        self.deal_ranges = merged(ranges);
        self
    }

    /// The same ranges, with these ranges of single reps' work read besides.
    pub fn with_rep_ranges(mut self, ranges: Vec<(RepId, DateTime<Utc>, DateTime<Utc>)>) -> Scope {
        self.rep_ranges = merged_per_rep(
            ranges
                .into_iter()
                .map(|(r, a, b)| (r.0.into(), a, b))
                .collect(),
        );
        self
    }

    /// The same ranges, with the rep ranges read deep or not (see the field).
    pub fn with_deep_rep_ranges(mut self, deep: bool) -> Scope {
        self.deep_reps = deep;
        self
    }

    /// The same ranges, with these deals read whole.
    pub fn with_deals(mut self, deals: Vec<OppId>) -> Scope {
        self.deals = deals.into_iter().map(|d| d.0.into()).collect();
        self
    }

    /// The same ranges, with every deal open now or not.
    pub fn with_open_now(mut self, open_now: bool) -> Scope {
        self.open_now = open_now;
        self
    }

    /// The same ranges, with the deals' history read or not.
    pub fn with_history(mut self, history: bool) -> Scope {
        self.skip_history = !history;
        self
    }

    /// The same ranges, with only the changes the metrics read of the
    /// deals' history, or every change (see the field).
    pub fn with_metric_history(mut self, only: bool) -> Scope {
        self.metric_history = only;
        self
    }

    /// The same ranges, with the deals' history read from `since` on only,
    /// or whole (see the field).
    pub fn with_history_since(mut self, since: Option<DateTime<Utc>>) -> Scope {
        self.history_since = since;
        self
    }

    /// The same, with the deals' history read as a rewind to `end` needs
    /// it: whole, or from an instant no later than `end`.
    pub fn rewound_to(mut self, end: DateTime<Utc>) -> Scope {
        self.skip_history = false;
        self.metric_history = false;
        self.history_since = self.history_since.filter(|t| *t <= end);
        self
    }

    /// How the deals' history is read.
    fn history_read(&self) -> deals::HistoryRead {
        match (self.skip_history, self.history_since) {
            (true, _) => deals::HistoryRead::None,
            (false, None) if self.metric_history => deals::HistoryRead::Of(deals::METRIC_FIELDS),
            (false, None) => deals::HistoryRead::Whole,
            (false, Some(t)) => deals::HistoryRead::Since(t),
        }
    }

    /// The same ranges, with the contacts and each rep's first touch of each
    /// contact in them (`Lookback::first_touch`) read or not.
    pub fn with_contacts(mut self, read: bool) -> Scope {
        self.skip_contacts = !read;
        self
    }

    /// The same ranges, with the deals named in them (by a history entry or
    /// an activity in a range) read or not: the review reads the deals
    /// alive in its window (the open ones, those closed or created in it).
    pub fn with_named_deals(mut self, read: bool) -> Scope {
        self.moved = read;
        self
    }

    /// The same ranges, with only the won deals read, or every one.
    pub fn with_won_only(mut self, won_only: bool) -> Scope {
        self.won_only = won_only;
        self
    }

    /// With `won_only`, the deals that may have been open at these
    /// instants read too (see the field).
    pub fn with_open_at(mut self, open_at: Vec<DateTime<Utc>>) -> Scope {
        self.open_at = open_at;
        self
    }

    /// The same ranges, with what lies before each read as last touches
    /// only, or as activity rows (see the field).
    pub fn with_touches_before(mut self, touches: bool) -> Scope {
        self.touches_before = touches;
        self
    }

    /// The same ranges, reading activities or not.
    pub fn with_activities(mut self, activities: bool) -> Scope {
        self.activities = activities;
        self
    }

    /// Whether every activity of the ranges is read with the deals those
    /// touch (`moved`): then a rep range is read only where it lies
    /// outside the ranges (`fill_rep_ranges`), and its rows are apart from
    /// the window's (`scoped_activities`).
    fn window_read_whole(&self) -> bool {
        self.activities && self.moved
    }

    pub fn ranges(&self) -> &[(DateTime<Utc>, DateTime<Utc>)] {
        &self.ranges
    }

    /// `(column >= ?a AND column < ?b) OR …` over the ranges, with its parameters.
    fn predicate(&self, column: &str) -> (String, Vec<String>) {
        within(column, &self.ranges)
    }
}

const OPP_COLUMNS: &str = "id, name, account_id, owner_id, source_rep_id, created_at, stage, \
     amount, close_date, forecast_category, status, closed_at, loss_reason, next_step, \
     next_step_date, channel, list_amount";
pub(super) const ACTIVITY_COLUMNS: &str = "id, rep_id, kind, meeting_type, label, opportunity_id, \
     account_id, contact_id, occurred_at, outcome, duration_min, direction, review_session_id";

impl Store {
    /// The dataset a report over `scope` reads (see the module doc).
    ///
    /// The window's activities are read on a second connection while this
    /// one reads the deals, and by both once this one is done
    /// (`window::Pieces`: the second from the window's start, this one from
    /// its end). The two see the same database when no other
    /// connection committed in between, which `PRAGMA data_version` tells;
    /// when one did, the load runs again (the last time on this connection
    /// alone), so a report never mixes the states before and after an import.
    pub fn load_scope(&self, scope: &Scope) -> Result<Dataset> {
        for attempt in 0..3 {
            let before = self.data_version()?;
            let data = self.load_scope_once(scope, attempt < 2)?;
            if self.data_version()? == before {
                return Ok(data);
            }
        }
        self.load_scope_once(scope, false)
    }

    /// `PRAGMA data_version`: changes when another connection commits.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// A second, read-only connection to the same file, for the window's
    /// activities; none for an in-memory store or when it cannot open.
    fn side_reader(&self) -> Option<rusqlite::Connection> {
        if self.path == ":memory:" {
            return None;
        }
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = rusqlite::Connection::open_with_flags(&self.path, flags).ok()?;
        conn.busy_timeout(super::busy_timeout()).ok()?;
        conn.execute_batch(super::READ_CACHE).ok()?;
        Some(conn)
    }

    fn load_scope_once(&self, scope: &Scope, parallel: bool) -> Result<Dataset> {
        let pieces = window::Pieces::new(&scope.ranges);
        let side = if parallel && scope.activities {
            self.side_reader()
        } else {
            None
        };
        let pieces = &pieces;
        std::thread::scope(|s| {
            // The second connection reads the window from its start while
            // this one reads the rest; this one then reads from its end.
            let beside = side.map(|conn| s.spawn(move || pieces.read_front(&conn)));
            self.load_with(scope, move || {
                pieces.read_back(self.conn(), || match beside {
                    Some(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                    None => Ok(Vec::new()),
                })
            })
        })
    }

    /// The load, with the window's activities from `window` (read beside it
    /// or here).
    fn load_with(
        &self,
        scope: &Scope,
        window: impl FnOnce() -> Result<Vec<Activity>>,
    ) -> Result<Dataset> {
        let conn = self.conn();
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS scope_opps (id TEXT PRIMARY KEY) WITHOUT ROWID;
             DELETE FROM temp.scope_opps;",
        )?;
        // Each range's deals looked up through the indexes when it keeps
        // few of them, else read in one pass (`DealCounts`): the same deals
        // either way.
        let counts = ranges::DealCounts::read(conn)?;
        let (alive, alive_params) =
            scope.alive_insert(&|from| counts.through_indexes(conn, from))?;
        conn.execute(&alive, rusqlite::params_from_iter(alive_params.iter()))?;
        self.fill_rep_ranges(scope)?;
        for who in ["owner_id", "source_rep_id"] {
            conn.execute(
                &format!(
                    "INSERT OR IGNORE INTO temp.scope_opps
                     SELECT o.id FROM temp.scope_rep_ranges r
                     JOIN opportunities o ON o.{who} = r.rep_id
                     WHERE {}",
                    alive_in("o.", "r.from_at", "r.to_at")
                ),
                [],
            )?;
        }
        // The rep ranges' activities, read once: the deals they touch are
        // loaded, and they join the window's (`scoped_activities`).
        let rep_range_rows = match scope.activities && !scope.rep_ranges.is_empty() {
            true => self.rep_range_activities(scope.deep_reps)?,
            false => Default::default(),
        };
        // The deals an activity in range names are read once the window is
        // (`Store::named_by_window`).
        if scope.moved {
            let (changed, changed_params) = scope.changed();
            conn.execute(
                &format!(
                    "INSERT OR IGNORE INTO temp.scope_opps
                     SELECT DISTINCT opportunity_id FROM opportunity_history WHERE {changed}"
                ),
                rusqlite::params_from_iter(changed_params.iter()),
            )?;
        }
        let mut deals = self.deals_of("temp.scope_opps", scope.history_read())?;
        let first_activity_at = conn
            .query_row("SELECT MIN(occurred_at) FROM activities", [], |r| {
                r.get::<_, Option<String>>(0)
            })?
            .map(|s| instant_from_sql(&s))
            .transpose()?;
        let (activities, lookback) = if scope.activities {
            self.scoped_activities(scope, rep_range_rows, window, &mut deals)?
        } else {
            (Vec::new(), Lookback::default())
        };
        let deals::Deals {
            opportunities,
            history,
            crm_last_touch,
            history_earlier,
        } = deals;
        let history_since = match scope.history_read() {
            deals::HistoryRead::Since(at) => Some(at),
            _ => None,
        };
        let history = history.into_iter().map(|(_, h)| h).collect();
        Ok(Dataset {
            reps: self.load_reps()?,
            accounts: self.load_accounts()?,
            contacts: match scope.skip_contacts {
                true => Vec::new(),
                false => self.load_contacts()?,
            },
            opportunities,
            history,
            activities,
            stages: self.load_stages()?,
            snoozes: self.load_snoozes()?,
            tags: self.load_tags()?,
            action_items: self.load_action_items()?,
            lookback: Some(Lookback {
                first_activity_at,
                history_since: history_since.map(|at| HistorySince {
                    at,
                    earlier: history_earlier,
                }),
                ..lookback
            }),
            crm_last_touch,
        })
    }

    /// The activities of the ranges with the latest one before them on each
    /// loaded deal and account (or its instant only, see
    /// `Scope::with_touches_before`), and the first touches of the contacts
    /// touched.
    fn scoped_activities(
        &self,
        scope: &Scope,
        rep_range_rows: rep_ranges::Rows,
        window: impl FnOnce() -> Result<Vec<Activity>>,
        deals: &mut deals::Deals,
    ) -> Result<(Vec<Activity>, Lookback)> {
        // The range's rows in order come from `window` (read beside from
        // the start, see `load_scope`, and asked for here once the others
        // are read: this connection then reads it from its end); the
        // others (the rep ranges' rows, read before the deals, and the few
        // read here) merge in: a UNION of them all made SQLite sort and
        // compare every row of the range.
        // The rep ranges' rows lie outside the window when their ranges
        // were cut to what lies outside it (`fill_rep_ranges`: the same
        // bounds compared the same way in SQL); else they, like the rows
        // read below and those before a deep rep range, may be in it too.
        let rep_ranges::Rows {
            within,
            before: rep_before,
        } = rep_range_rows;
        let (mut others, mut maybe_read) = match scope.window_read_whole() {
            true => (within, rep_before),
            false => (Vec::new(), within.into_iter().chain(rep_before).collect()),
        };
        for d in &scope.deals {
            maybe_read.extend(self.deal_activities(&OppId::from(d.as_str()))?);
        }
        let mut before = Lookback::default();
        if scope.touches_before {
            (before.deal_touches, before.account_touches) =
                self.latest_touches_before(scope, "temp.scope_opps")?;
            maybe_read.extend(self.session_rows_outside(scope)?);
        } else {
            maybe_read.extend(self.latest_rows_before(scope, "temp.scope_opps")?);
        }
        let mut activities = window()?;
        if scope.window_read_whole() {
            maybe_read.extend(self.named_by_window(scope, &activities, deals, &mut before)?);
        }
        if !maybe_read.is_empty() {
            // Those the window holds already, by id (not by instant: the
            // window took them by their stored text).
            let ids: foldhash::HashSet<&str> = maybe_read.iter().map(|a| a.id.0.as_str()).collect();
            let read: foldhash::HashSet<ActivityId> = activities
                .iter()
                .filter(|a| ids.contains(a.id.0.as_str()))
                .map(|a| a.id.clone())
                .collect();
            maybe_read.retain(|a| !read.contains(&a.id));
            others.extend(maybe_read);
        }
        if !others.is_empty() {
            // Some are read twice among them (one row, one instant: they
            // sort side by side); the rest merge in by time.
            others.sort_unstable_by(|a, b| (a.occurred_at, &a.id.0).cmp(&(b.occurred_at, &b.id.0)));
            others.dedup_by(|a, b| a.id == b.id);
            activities = merge_by_time(activities, others);
        }
        if scope.skip_contacts {
            return Ok((activities, before));
        }
        let first_touch = self.first_touches(scope, &activities)?;
        before.first_touch = first_touch;
        before.first_touch_whole = true;
        Ok((activities, before))
    }

    fn collect_params<T>(
        &self,
        sql: &str,
        params: &[String],
        map: impl Fn(&rusqlite::Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        collect_on(self.conn(), sql, params, map)
    }
}

/// Every row of `sql` on `conn`, mapped.
fn collect_on<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[String],
    map: impl Fn(&rusqlite::Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(map(row)?);
    }
    Ok(out)
}
