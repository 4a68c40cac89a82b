//! Loading the dataset in a few set-based queries.

use super::codec::*;
use super::{Result, Store};
use crate::domain::model::*;
use crate::domain::period::join_spans;
use rusqlite::Row;

type Instant = chrono::DateTime<chrono::Utc>;

impl Store {
    /// Loads every entity a report needs: one query per table.
    pub fn load_dataset(&self) -> Result<Dataset> {
        Ok(Dataset {
            reps: self.load_reps()?,
            accounts: self.load_accounts()?,
            contacts: self.load_contacts()?,
            opportunities: self.load_opportunities()?,
            history: self.load_history()?,
            activities: self.load_activities()?,
            stages: self.load_stages()?,
            snoozes: self.load_snoozes()?,
            tags: self.load_tags()?,
            action_items: self.load_action_items()?,
            lookback: None,
            crm_last_touch: self.crm_last_touches()?,
        })
    }

    fn collect<T>(&self, sql: &str, map: impl Fn(&Row<'_>) -> Result<T>) -> Result<Vec<T>> {
        let mut stmt = self.conn().prepare(sql)?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(map(row)?);
        }
        Ok(out)
    }

    /// When the first deal was created, if any deal has a creation time.
    pub fn first_deal_created(&self) -> Result<Option<Instant>> {
        Ok(self
            .instant_span("created_at", "opportunities WHERE created_at IS NOT NULL")?
            .map(|(first, _)| first))
    }

    /// The earliest and latest instant of `column` among the rows of
    /// `rows` (a table and its `WHERE`), if any. The stored form
    /// (`YYYY-MM-DDTHH:MM:SSZ`, 20 characters) sorts as text: SQLite finds
    /// its ends. A time another tool wrote in another length
    /// (`instant_from_sql` reads some, such as `2019-1-01T00:00:00Z`) is
    /// read and compared as a time.
    fn instant_span(&self, column: &str, rows: &str) -> Result<Option<(Instant, Instant)>> {
        let found: Vec<String> = self.collect(
            &format!(
                "SELECT {column} FROM {rows} AND length({column}) <> 20
                 UNION ALL
                 SELECT v FROM (SELECT MIN({column}) AS v FROM {rows} AND length({column}) = 20
                                UNION ALL
                                SELECT MAX({column}) FROM {rows} AND length({column}) = 20)
                 WHERE v IS NOT NULL"
            ),
            |r| Ok(r.get(0)?),
        )?;
        let mut span = None;
        for t in found {
            let t = instant_from_sql(&t)?;
            span = join_spans(span, Some((t, t)));
        }
        Ok(span)
    }

    /// Whether the file has table `name` (a file of an older schema read
    /// without migrating may not).
    pub fn has_table(&self, name: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [name],
            |r| r.get(0),
        )?)
    }

    pub fn load_reps(&self) -> Result<Vec<Rep>> {
        self.collect(
            "SELECT id, name, email, role, team, manager_id, start_date, end_date,
                    quota_amount, quota_meetings FROM reps ORDER BY id",
            |r| {
                Ok(Rep {
                    id: r.get::<_, RepId>(0)?,
                    name: r.get(1)?,
                    email: r.get(2)?,
                    role: parse_enum(&r.get::<_, String>(3)?)?,
                    team: r.get(4)?,
                    manager_id: r.get::<_, Option<RepId>>(5)?,
                    start_date: opt_date(r.get(6)?)?,
                    end_date: opt_date(r.get(7)?)?,
                    quota_amount: opt_money(r.get(8)?),
                    quota_meetings: r.get(9)?,
                })
            },
        )
    }

    pub fn load_accounts(&self) -> Result<Vec<Account>> {
        self.collect(
            "SELECT id, name, segment, icp_tier, industry, employees FROM accounts ORDER BY id",
            |r| {
                Ok(Account {
                    id: r.get::<_, AccountId>(0)?,
                    name: r.get(1)?,
                    segment: r.get(2)?,
                    icp_tier: r.get(3)?,
                    industry: r.get(4)?,
                    employees: r.get(5)?,
                })
            },
        )
    }

    pub fn load_contacts(&self) -> Result<Vec<Contact>> {
        self.collect(
            "SELECT id, account_id, name, title FROM contacts ORDER BY id",
            |r| {
                Ok(Contact {
                    id: r.get::<_, ContactId>(0)?,
                    account_id: r.get::<_, Option<AccountId>>(1)?,
                    name: r.get(2)?,
                    title: r.get(3)?,
                })
            },
        )
    }

    pub fn load_opportunities(&self) -> Result<Vec<Opportunity>> {
        self.collect(
            "SELECT id, name, account_id, owner_id, source_rep_id, created_at, stage, amount,
                    close_date, forecast_category, status, closed_at, loss_reason, next_step,
                    next_step_date, channel, list_amount
             FROM opportunities ORDER BY id",
            opportunity_from_row,
        )
    }

    /// The opportunities of `ids` the database holds, each given to `each`
    /// as it is read (a re-import compares every deal it brings).
    pub fn each_opportunity_of<'a>(
        &self,
        ids: impl Iterator<Item = &'a str>,
        mut each: impl FnMut(Opportunity),
    ) -> Result<()> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, account_id, owner_id, source_rep_id, created_at, stage, amount,
                    close_date, forecast_category, status, closed_at, loss_reason, next_step,
                    next_step_date, channel, list_amount
             FROM opportunities WHERE id = ?1",
        )?;
        for id in ids {
            let mut rows = stmt.query([id])?;
            if let Some(row) = rows.next()? {
                each(opportunity_from_row(row)?);
            }
        }
        Ok(())
    }

    /// When each field of a deal last changed, by its history.
    pub fn last_history_instants(
        &self,
        id: &str,
    ) -> Result<std::collections::HashMap<HistoryField, chrono::DateTime<chrono::Utc>>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT field, MAX(changed_at) FROM opportunity_history
             WHERE opportunity_id = ?1 GROUP BY field",
        )?;
        let mut rows = stmt.query([id])?;
        let mut out = std::collections::HashMap::new();
        while let Some(r) = rows.next()? {
            let field = parse_enum(&r.get::<_, String>(0)?)?;
            out.insert(field, instant_from_sql(&r.get::<_, String>(1)?)?);
        }
        Ok(out)
    }

    /// One opportunity by id.
    pub fn opportunity(&self, id: &OppId) -> Result<Opportunity> {
        let mut found = None;
        self.each_opportunity_of(std::iter::once(id.as_str()), |o| found = Some(o))?;
        found.ok_or_else(|| super::StorageError::NotFound(format!("opportunity {id}")))
    }

    pub fn load_history(&self) -> Result<Vec<HistoryEntry>> {
        self.collect(
            "SELECT opportunity_id, changed_at, field, old_value, new_value, changed_by,
                    review_session_id
             FROM opportunity_history ORDER BY changed_at, seq",
            history_from_row,
        )
    }

    pub fn load_activities(&self) -> Result<Vec<Activity>> {
        self.collect(
            "SELECT id, rep_id, kind, meeting_type, label, opportunity_id, account_id,
                    contact_id, occurred_at, outcome, duration_min, direction, review_session_id
             FROM activities ORDER BY occurred_at, id",
            activity_from_row,
        )
    }

    pub fn load_stages(&self) -> Result<Vec<Stage>> {
        self.collect(
            "SELECT name, position, probability, max_days, kind FROM stages ORDER BY position, name",
            |r| {
                Ok(Stage {
                    name: r.get(0)?,
                    position: r.get(1)?,
                    probability: r.get(2)?,
                    max_days: r.get(3)?,
                    kind: parse_enum(&r.get::<_, String>(4)?)?,
                })
            },
        )
    }

    pub fn load_snoozes(&self) -> Result<Vec<Snooze>> {
        self.collect(
            "SELECT id, opportunity_id, reason, until, created_at, created_by, review_session_id
             FROM snoozes ORDER BY id",
            |r| {
                Ok(Snooze {
                    id: r.get(0)?,
                    opportunity_id: r.get::<_, OppId>(1)?,
                    reason: r.get(2)?,
                    until: date_from_sql(&r.get::<_, String>(3)?)?,
                    created_at: instant_from_sql(&r.get::<_, String>(4)?)?,
                    created_by: r.get(5)?,
                    review_session_id: r.get(6)?,
                })
            },
        )
    }

    pub fn load_tags(&self) -> Result<Vec<DealTag>> {
        self.collect(
            "SELECT opportunity_id, tag, note, set_at, review_session_id FROM deal_tags ORDER BY id",
            |r| {
                Ok(DealTag {
                    opportunity_id: r.get::<_, OppId>(0)?,
                    tag: parse_enum(&r.get::<_, String>(1)?)?,
                    note: r.get(2)?,
                    set_at: instant_from_sql(&r.get::<_, String>(3)?)?,
                    review_session_id: r.get(4)?,
                })
            },
        )
    }

    pub fn load_action_items(&self) -> Result<Vec<ActionItem>> {
        self.collect(
            "SELECT id, opportunity_id, owner_id, text, due_date, created_at, done_at,
                    review_session_id
             FROM action_items ORDER BY id",
            |r| {
                Ok(ActionItem {
                    id: r.get(0)?,
                    opportunity_id: r.get::<_, Option<OppId>>(1)?,
                    owner_id: r.get::<_, RepId>(2)?,
                    text: r.get(3)?,
                    due_date: opt_date(r.get(4)?)?,
                    created_at: instant_from_sql(&r.get::<_, String>(5)?)?,
                    done_at: opt_instant(r.get(6)?)?,
                    review_session_id: r.get(7)?,
                })
            },
        )
    }

    /// Every forecast snapshot, oldest first, with its rows.
    pub fn load_snapshots(&self) -> Result<Vec<Snapshot>> {
        let heads = self.snapshot_heads()?;
        self.load_snapshots_of(&heads)
    }

    /// Every stored snapshot's date, without its rows, oldest first (ties
    /// by the order they were taken in).
    pub fn snapshot_heads(&self) -> Result<Vec<SnapshotHead>> {
        self.collect(
            "SELECT id, taken_on, taken_at FROM forecast_snapshots ORDER BY taken_on, id",
            |r| {
                Ok(SnapshotHead {
                    id: r.get(0)?,
                    taken_on: date_from_sql(&r.get::<_, String>(1)?)?,
                    taken_at: instant_from_sql(&r.get::<_, String>(2)?)?,
                })
            },
        )
    }

    /// The snapshots of `heads`, in their order, with their rows: one seek
    /// per snapshot on the rows' key, so a report reads only the snapshots
    /// it uses.
    pub fn load_snapshots_of(&self, heads: &[SnapshotHead]) -> Result<Vec<Snapshot>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT opportunity_id, owner_id, stage, amount, close_date, forecast_category
             FROM snapshot_rows WHERE snapshot_id = ?1 ORDER BY opportunity_id",
        )?;
        heads
            .iter()
            .map(|h| {
                let mut rows = Vec::new();
                let mut q = stmt.query([h.id])?;
                while let Some(r) = q.next()? {
                    rows.push(SnapshotRow {
                        opportunity_id: r.get::<_, OppId>(0)?,
                        owner_id: r.get::<_, RepId>(1)?,
                        stage: r.get(2)?,
                        amount: opt_money(r.get(3)?),
                        close_date: opt_date(r.get(4)?)?,
                        forecast_category: opt_enum(opt_text_at(r, 5)?)?,
                    });
                }
                Ok(Snapshot {
                    taken_on: h.taken_on,
                    taken_at: h.taken_at,
                    rows,
                })
            })
            .collect()
    }

    /// Every owner with a row in the stored snapshot `id`, with the amount
    /// of their rows in category commit closing in the months of `from` to
    /// `to` (inclusive; zero when none), by owner id. Read from the sums
    /// kept beside the rows by month (`snapshot_owner_months`), not the
    /// rows; `None` when a row of the snapshot holds values pipedeck does
    /// not write (its sums cannot say how they read: read the rows).
    pub fn snapshot_owner_commit(
        &self,
        id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Option<Vec<(RepId, crate::domain::money::Money)>>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT MAX(close_month = '?'), owner_id,
                    SUM(CASE WHEN close_month BETWEEN ?2 AND ?3 THEN commit_cents ELSE 0 END)
             FROM snapshot_owner_months WHERE snapshot_id = ?1
             GROUP BY owner_id ORDER BY owner_id",
        )?;
        let mut q = stmt.query(rusqlite::params![id, month_key(from), month_key(to)])?;
        let mut out = Vec::new();
        while let Some(r) = q.next()? {
            // An owner with an odd row (whose id may not even be text).
            if r.get::<_, bool>(0)? {
                return Ok(None);
            }
            out.push((
                r.get::<_, RepId>(1)?,
                crate::domain::money::Money(r.get(2)?),
            ));
        }
        Ok(Some(out))
    }

    /// The first and last instant a deal closed (status not open), where a
    /// replay over every close reads from and to; `None` when none did.
    /// `reopened`: also every closed instant of a deal open now, and every
    /// status change (a deal rewound to an earlier day may have closed
    /// then, at one of those).
    pub fn close_span(&self, reopened: bool) -> Result<Option<(Instant, Instant)>> {
        if !reopened {
            return self.instant_span(
                "closed_at",
                "opportunities WHERE closed_at IS NOT NULL AND status <> 'open'",
            );
        }
        let closed = self.instant_span("closed_at", "opportunities WHERE closed_at IS NOT NULL")?;
        let changed =
            self.instant_span("changed_at", "opportunity_history WHERE field = 'status'")?;
        Ok(join_spans(closed, changed))
    }

    /// Each won deal among the rows of a stored snapshot, with that
    /// snapshot's id, that `keep` takes (given the deal's id and the
    /// snapshot's): a deal won stays in the snapshots taken while it was
    /// open (77k pairs on the large demo), so only those kept are copied.
    /// With `changed_since`, also each deal with a history entry at or
    /// after it (won then perhaps, reopened or lost since), with each
    /// snapshot holding it: a pair may come twice.
    pub fn won_deals_in_snapshots(
        &self,
        changed_since: Option<chrono::DateTime<chrono::Utc>>,
        mut keep: impl FnMut(&str, i64) -> bool,
    ) -> Result<Vec<(OppId, i64)>> {
        let mut out = Vec::new();
        let mut pairs = |sql: &str, params: &[String]| -> Result<()> {
            let mut stmt = self.conn().prepare_cached(sql)?;
            let mut q = stmt.query(rusqlite::params_from_iter(params))?;
            while let Some(r) = q.next()? {
                let (deal, snapshot) = (text_at(r, 0)?, r.get::<_, i64>(1)?);
                if keep(deal, snapshot) {
                    out.push((OppId(deal.into()), snapshot));
                }
            }
            Ok(())
        };
        pairs(
            "SELECT r.opportunity_id, r.snapshot_id
             FROM opportunities o JOIN snapshot_rows r ON r.opportunity_id = o.id
             WHERE o.status = 'won'",
            &[],
        )?;
        if let Some(t) = changed_since {
            // Instants compare as text in the stored form: one another tool
            // wrote unpadded never sorts before `t` when it is at or after
            // it, so this only ever reads more.
            pairs(
                "SELECT r.opportunity_id, r.snapshot_id FROM snapshot_rows r
                 WHERE r.opportunity_id IN (
                     SELECT opportunity_id FROM opportunity_history WHERE changed_at >= ?1)",
                &[instant_to_sql(t)],
            )?;
        }
        Ok(out)
    }

    /// Every activity on one deal, by time (the deal pane's timeline, read
    /// when the deal is opened: one index range).
    pub fn deal_activities(&self, id: &OppId) -> Result<Vec<Activity>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {} FROM activities WHERE opportunity_id = ?1 ORDER BY occurred_at, id",
            super::scope::ACTIVITY_COLUMNS
        ))?;
        let mut q = stmt.query([id])?;
        let mut out = Vec::new();
        while let Some(r) = q.next()? {
            out.push(activity_from_row(r)?);
        }
        Ok(out)
    }

    /// Every history entry of one deal, in history order (the deal pane's,
    /// for a deal the loaded window does not hold).
    pub fn deal_history(&self, id: &OppId) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT opportunity_id, changed_at, field, old_value, new_value, changed_by,
                    review_session_id
             FROM opportunity_history WHERE opportunity_id = ?1 ORDER BY changed_at, seq",
        )?;
        let mut q = stmt.query([id])?;
        let mut out = Vec::new();
        while let Some(r) = q.next()? {
            out.push(history_from_row(r)?);
        }
        Ok(out)
    }

    /// Review sessions, oldest first.
    pub fn load_review_sessions(&self) -> Result<Vec<ReviewSession>> {
        self.collect(
            "SELECT id, started_at, ended_at, facilitator, report_markdown
             FROM review_sessions ORDER BY id",
            |r| {
                Ok(ReviewSession {
                    id: r.get(0)?,
                    started_at: instant_from_sql(&r.get::<_, String>(1)?)?,
                    ended_at: opt_instant(r.get(2)?)?,
                    facilitator: r.get(3)?,
                    report_markdown: r.get(4)?,
                })
            },
        )
    }

    /// Goals stored in the database (config goals are merged by the caller).
    pub fn load_goals(&self) -> Result<Vec<Goal>> {
        self.collect(
            "SELECT role, metric, period, target, direction FROM goals ORDER BY role, metric, period",
            |r| {
                Ok(Goal {
                    role: parse_enum(&r.get::<_, String>(0)?)?,
                    metric: r.get(1)?,
                    period: parse_enum(&r.get::<_, String>(2)?)?,
                    target: r.get(3)?,
                    direction: parse_enum(&r.get::<_, String>(4)?)?,
                })
            },
        )
    }
}

pub(super) fn opportunity_from_row(r: &Row<'_>) -> Result<Opportunity> {
    Ok(Opportunity {
        id: r.get::<_, OppId>(0)?,
        name: r.get(1)?,
        account_id: r.get::<_, Option<AccountId>>(2)?,
        owner_id: r.get::<_, RepId>(3)?,
        source_rep_id: r.get::<_, Option<RepId>>(4)?,
        created_at: opt_instant(r.get(5)?)?,
        stage: r.get(6)?,
        amount: opt_money(r.get(7)?),
        close_date: opt_date(r.get(8)?)?,
        forecast_category: opt_enum(opt_text_at(r, 9)?)?,
        status: parse_enum(&r.get::<_, String>(10)?)?,
        closed_at: opt_instant(r.get(11)?)?,
        loss_reason: r.get(12)?,
        next_step: r.get(13)?,
        next_step_date: opt_date(r.get(14)?)?,
        channel: r.get(15)?,
        list_amount: opt_money(r.get(16)?),
    })
}

pub(super) fn history_from_row(r: &Row<'_>) -> Result<HistoryEntry> {
    Ok(HistoryEntry {
        opportunity_id: r.get::<_, OppId>(0)?,
        changed_at: instant_from_sql(text_at(r, 1)?)?,
        field: parse_enum(text_at(r, 2)?)?,
        old_value: opt_text_at(r, 3)?.map(Into::into),
        new_value: opt_text_at(r, 4)?.map(Into::into),
        changed_by: opt_text_at(r, 5)?.map(Into::into),
        review_session_id: r.get(6)?,
    })
}

pub(super) fn activity_from_row(r: &Row<'_>) -> Result<Activity> {
    Ok(Activity {
        id: r.get::<_, ActivityId>(0)?,
        rep_id: r.get::<_, RepId>(1)?,
        kind: parse_enum(text_at(r, 2)?)?,
        meeting_type: opt_enum(opt_text_at(r, 3)?)?,
        label: r.get(4)?,
        opportunity_id: r.get::<_, Option<OppId>>(5)?,
        account_id: r.get::<_, Option<AccountId>>(6)?,
        contact_id: r.get::<_, Option<ContactId>>(7)?,
        occurred_at: instant_from_sql(text_at(r, 8)?)?,
        outcome: opt_enum(opt_text_at(r, 9)?)?,
        duration_min: r.get(10)?,
        direction: opt_enum(opt_text_at(r, 11)?)?,
        review_session_id: r.get(12)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::storage::Store;
    use crate::storage::codec::instant_from_sql;

    /// The span of closes: SQLite's ends of the stored form, and a time
    /// another tool wrote in another length read as a time (the earliest
    /// here); an open deal's close is no close unless reopenings count,
    /// and then so is every status change.
    #[test]
    fn the_span_of_closes_reads_every_stored_form_as_a_time() {
        let mut store = Store::open_in_memory().unwrap();
        let tx = store.begin().unwrap();
        tx.raw()
            .execute_batch(
                "INSERT INTO reps (id, name, role) VALUES ('sam', 'Sam', 'AE');
                 INSERT INTO opportunities (id, name, owner_id, stage, status, closed_at) VALUES
                   ('o1', 'A', 'sam', 'Closed Won', 'won', '2026-03-10T10:00:00Z'),
                   ('o2', 'B', 'sam', 'Closed Lost', 'lost', '2026-3-05T10:00:00Z'),
                   ('o3', 'C', 'sam', 'Closed Won', 'won', '2026-04-20T10:00:00Z'),
                   ('o4', 'D', 'sam', 'Demo', 'open', '2026-05-01T10:00:00Z');
                 INSERT INTO opportunity_history
                   (opportunity_id, changed_at, field, old_value, new_value) VALUES
                   ('o4', '2026-02-01T09:00:00Z', 'status', 'open', 'won'),
                   ('o4', '2026-05-01T10:00:00Z', 'status', 'won', 'open');",
            )
            .unwrap();
        tx.commit().unwrap();
        let t = |s: &str| instant_from_sql(s).unwrap();
        assert_eq!(
            store.close_span(false).unwrap(),
            Some((t("2026-03-05T10:00:00Z"), t("2026-04-20T10:00:00Z")))
        );
        assert_eq!(
            store.close_span(true).unwrap(),
            Some((t("2026-02-01T09:00:00Z"), t("2026-05-01T10:00:00Z")))
        );
        assert_eq!(
            store.first_deal_created().unwrap(),
            None,
            "no deal has a creation time"
        );
    }
}
