//! The edit API shared by the CLI and the cockpit: deal edits, activity
//! logging, snoozes, stuck-deal tags, action items and review sessions. Each
//! call is one transaction; every deal edit appends opportunity history
//! (never rewrites it) and carries the review session id it is given.

use super::codec::*;
use super::{StorageError, Store};
use crate::domain::edit::{self, ActivityRule, Applied, Edit, EditRule, NewActivity, Stamp};
use crate::domain::model::*;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

/// Why an edit was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("deal {id}: {rule}")]
    Deal { id: String, rule: EditRule },
    #[error("activity: {0}")]
    Activity(#[from] ActivityRule),
    #[error(
        "deal {id}: its history holds a change dated {latest}, after this edit's day ({now}); an edit is recorded after a deal's latest change, so it cannot be made now (a change from the future came with an import, or --today is before it)"
    )]
    AfterLatest {
        id: String,
        latest: String,
        now: String,
    },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "a review session is already open (#{id}, started {started}); end it with `pipedeck review end`"
    )]
    SessionOpen { id: i64, started: String },
    #[error("no review session is open; start one with `pipedeck review start`")]
    NoSession,
    /// The edit was made in a review session that has ended since (another
    /// cockpit or `pipedeck review end` ended it): nothing is attached to
    /// an ended session, so its closing report stays whole.
    #[error(
        "review session #{id} has ended; the edit was not saved (nothing is attached to an ended review)"
    )]
    SessionEnded { id: i64 },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<rusqlite::Error> for EditError {
    fn from(e: rusqlite::Error) -> Self {
        EditError::Storage(StorageError::Sql(e))
    }
}

pub type EditResult<T> = std::result::Result<T, EditError>;

impl Store {
    /// The review session that has started and not ended, if any.
    pub fn open_review_session(&self) -> EditResult<Option<ReviewSession>> {
        let row = self
            .conn()
            .query_row(
                "SELECT id, started_at, facilitator FROM review_sessions
                 WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, started, facilitator)| {
            Ok(ReviewSession {
                id,
                started_at: instant_from_sql(&started)?,
                ended_at: None,
                facilitator,
                report_markdown: None,
            })
        })
        .transpose()
    }

    /// Opens a review session at `now`; refused while another is open.
    pub fn start_review(
        &mut self,
        now: DateTime<Utc>,
        facilitator: Option<&str>,
    ) -> EditResult<ReviewSession> {
        let tx = self.begin_shared()?;
        if let Some(s) = self.open_review_session()? {
            return Err(EditError::SessionOpen {
                id: s.id,
                started: instant_to_sql(s.started_at),
            });
        }
        tx.raw().execute(
            "INSERT INTO review_sessions (started_at, facilitator) VALUES (?1, ?2)",
            params![instant_to_sql(now), facilitator],
        )?;
        let id = tx.raw().last_insert_rowid();
        tx.commit()?;
        Ok(ReviewSession {
            id,
            started_at: now,
            ended_at: None,
            facilitator: facilitator.map(str::to_string),
            report_markdown: None,
        })
    }

    /// Ends the open review session (the one numbered `id` when given) in
    /// one immediate transaction: `close` gets the session and returns
    /// when it ends and its closing report, built under the write lock, so
    /// no edit lands in the session between its report and its end (edits
    /// check their session in their own transaction, [`EditError::SessionEnded`]).
    pub fn end_review_with<F>(
        &mut self,
        id: Option<i64>,
        close: F,
    ) -> EditResult<(i64, DateTime<Utc>, String)>
    where
        F: FnOnce(&Store, &ReviewSession) -> EditResult<(DateTime<Utc>, String)>,
    {
        let tx = self.begin_shared()?;
        let open = match (self.open_review_session()?, id) {
            (Some(s), Some(id)) if s.id != id => return Err(EditError::SessionEnded { id }),
            (Some(s), _) => s,
            (None, Some(id)) => return Err(EditError::SessionEnded { id }),
            (None, None) => return Err(EditError::NoSession),
        };
        let (ended_at, markdown) = close(self, &open)?;
        tx.raw().execute(
            "UPDATE review_sessions SET ended_at = ?2, report_markdown = ?3
             WHERE id = ?1 AND ended_at IS NULL",
            params![open.id, instant_to_sql(ended_at), markdown],
        )?;
        tx.commit()?;
        Ok((open.id, ended_at, markdown))
    }

    /// Ends the open session `id` at `now` and stores its closing report.
    pub fn end_review(
        &mut self,
        id: i64,
        now: DateTime<Utc>,
        report_markdown: &str,
    ) -> EditResult<()> {
        let tx = self.begin()?;
        let n = tx.raw().execute(
            "UPDATE review_sessions SET ended_at = ?2, report_markdown = ?3
             WHERE id = ?1 AND ended_at IS NULL",
            params![id, instant_to_sql(now), report_markdown],
        )?;
        if n == 0 {
            return Err(EditError::NoSession);
        }
        tx.commit()?;
        Ok(())
    }

    /// The seconds session `id` has spent in each box of the agenda, by
    /// box (`0` for a box not timed yet); `boxes` long.
    pub fn review_box_seconds(&self, id: i64, boxes: usize) -> EditResult<Vec<i64>> {
        let mut out = vec![0; boxes];
        let mut stmt = self
            .conn()
            .prepare("SELECT box, seconds FROM review_box_time WHERE session_id = ?1")?;
        let mut rows = stmt.query([id])?;
        while let Some(r) = rows.next()? {
            let (b, secs): (i64, i64) = (r.get(0)?, r.get(1)?);
            if let Some(slot) = usize::try_from(b).ok().and_then(|b| out.get_mut(b)) {
                *slot = secs;
            }
        }
        Ok(out)
    }

    /// Keeps the seconds session `id` has spent in each box (by box), for a
    /// review resumed later; whether it did: a session ended meanwhile (by
    /// `pipedeck review end` or another cockpit) or unknown keeps nothing.
    pub fn save_review_box_seconds(&mut self, id: i64, seconds: &[i64]) -> EditResult<bool> {
        let tx = self.begin()?;
        let open: bool = tx.raw().query_row(
            "SELECT EXISTS (SELECT 1 FROM review_sessions WHERE id = ?1 AND ended_at IS NULL)",
            [id],
            |r| r.get(0),
        )?;
        if !open {
            return Ok(false);
        }
        for (b, secs) in seconds.iter().enumerate() {
            tx.raw().execute(
                "INSERT INTO review_box_time (session_id, box, seconds) VALUES (?1, ?2, ?3)
                 ON CONFLICT (session_id, box) DO UPDATE SET seconds = excluded.seconds",
                params![id, b as i64, (*secs).max(0)],
            )?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Applies one edit to one deal: validates it against the stages in
    /// force, updates the deal and appends one history row per changed field.
    /// An edit that changes nothing writes nothing and returns no history.
    /// The deal is read and written in one immediate transaction, so the old
    /// value of each history row is the value the edit replaced.
    pub fn edit_deal(
        &mut self,
        id: &OppId,
        change: &Edit,
        stages: &[Stage],
        stamp: &Stamp,
    ) -> EditResult<Applied> {
        let mut tx = self.begin_shared()?;
        self.session_open(stamp.session)?;
        let deal = self.deal_or_not_found(id)?;
        // Stamped no earlier than the deal's latest change: an editor whose
        // clock read came before another's write, but who got the lock after
        // it, still lands after it in the history's order.
        let latest: Option<String> = self.conn().query_row(
            "SELECT MAX(changed_at) FROM opportunity_history WHERE opportunity_id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )?;
        let latest = latest
            .as_deref()
            .map(super::codec::instant_from_sql)
            .transpose()?;
        // Not into a later day, though: a change dated after today (a file's
        // row from the future, or `--today` before the data) would carry
        // the edit into a day the reports count it in (a deal won today
        // booked next quarter). Refused, with the change named.
        if let (Some(latest), Some(day_end)) = (latest, stamp.day_end)
            && latest >= day_end
        {
            return Err(EditError::AfterLatest {
                id: id.to_string(),
                latest: latest.format("%Y-%m-%d %H:%M UTC").to_string(),
                now: stamp.now.format("%Y-%m-%d %H:%M UTC").to_string(),
            });
        }
        let stamp = &Stamp {
            now: latest.map_or(stamp.now, |t| stamp.now.max(t)),
            ..stamp.clone()
        };
        let applied =
            edit::apply(&deal, change, stages, stamp).map_err(|rule| EditError::Deal {
                id: id.to_string(),
                rule,
            })?;
        if applied.history.is_empty() {
            return Ok(applied);
        }
        tx.upsert_opportunity(&applied.deal)?;
        for h in &applied.history {
            tx.append_edit_history(h)?;
        }
        tx.record_local_edits(&deal, &applied.deal, stamp.now)?;
        tx.commit()?;
        Ok(applied)
    }

    /// Logs a call, email or meeting (real contact: it clears `untouched`).
    pub fn log_activity(&mut self, new: &NewActivity, stamp: &Stamp) -> EditResult<Activity> {
        let mut tx = self.begin_shared()?;
        self.session_open(stamp.session)?;
        self.exists("reps", new.rep_id.as_str(), "rep")?;
        let deal = match &new.opportunity_id {
            Some(o) => Some(self.deal_or_not_found(o)?),
            None => None,
        };
        if let Some(a) = &new.account_id {
            self.exists("accounts", a.as_str(), "account")?;
        }
        if let Some(c) = &new.contact_id {
            self.exists("contacts", c.as_str(), "contact")?;
        }
        let id = self.next_activity_id()?;
        let activity = edit::activity(new, deal.as_ref(), id, stamp)?;
        tx.upsert_activity(&activity)?;
        tx.commit()?;
        Ok(activity)
    }

    /// Snoozes an open deal until `until` (exclusive: it is back on the to-do
    /// list on that day). Every snooze is kept; the latest one is in force.
    pub fn snooze(
        &mut self,
        id: &OppId,
        reason: &str,
        until: NaiveDate,
        today: NaiveDate,
        stamp: &Stamp,
    ) -> EditResult<Snooze> {
        let tx = self.begin_shared()?;
        self.session_open(stamp.session)?;
        let deal = self.open_deal(id)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(EditError::Invalid(format!(
                "deal {}: a snooze needs a reason",
                deal.id
            )));
        }
        if until <= today {
            return Err(EditError::Invalid(format!(
                "deal {}: snooze until {until} is not after today ({today})",
                deal.id
            )));
        }
        tx.raw().execute(
            "INSERT INTO snoozes (opportunity_id, reason, until, created_at, created_by,
                                  review_session_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id.as_str(),
                reason,
                date_to_sql(until),
                instant_to_sql(stamp.now),
                stamp.by,
                stamp.session
            ],
        )?;
        let sid = tx.raw().last_insert_rowid();
        tx.commit()?;
        Ok(Snooze {
            id: sid,
            opportunity_id: id.clone(),
            reason: reason.to_string(),
            until,
            created_at: stamp.now,
            created_by: stamp.by.clone(),
            review_session_id: stamp.session,
        })
    }

    /// Tags an open deal red (blocker identified), yellow (waiting on the
    /// customer) or green (needs internal help). The latest tag is in force.
    pub fn tag_deal(
        &mut self,
        id: &OppId,
        tag: StuckTag,
        note: Option<&str>,
        stamp: &Stamp,
    ) -> EditResult<DealTag> {
        let tx = self.begin_shared()?;
        self.session_open(stamp.session)?;
        self.open_deal(id)?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        tx.raw().execute(
            "INSERT INTO deal_tags (opportunity_id, tag, note, set_at, review_session_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id.as_str(),
                tag.as_str(),
                note,
                instant_to_sql(stamp.now),
                stamp.session
            ],
        )?;
        tx.commit()?;
        Ok(DealTag {
            opportunity_id: id.clone(),
            tag,
            note: note.map(str::to_string),
            set_at: stamp.now,
            review_session_id: stamp.session,
        })
    }

    /// Records an action item with an owner and an optional due date.
    pub fn add_action_item(
        &mut self,
        deal: Option<&OppId>,
        owner: &RepId,
        text: &str,
        due: Option<NaiveDate>,
        stamp: &Stamp,
    ) -> EditResult<ActionItem> {
        let tx = self.begin_shared()?;
        self.session_open(stamp.session)?;
        self.exists("reps", owner.as_str(), "rep")?;
        if let Some(d) = deal {
            self.deal_or_not_found(d)?;
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(EditError::Invalid("an action item needs a text".into()));
        }
        tx.raw().execute(
            "INSERT INTO action_items (opportunity_id, owner_id, text, due_date, created_at,
                                       review_session_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                deal.map(|d| d.as_str()),
                owner.as_str(),
                text,
                due.map(date_to_sql),
                instant_to_sql(stamp.now),
                stamp.session
            ],
        )?;
        let id = tx.raw().last_insert_rowid();
        tx.commit()?;
        Ok(ActionItem {
            id,
            opportunity_id: deal.cloned(),
            owner_id: owner.clone(),
            text: text.to_string(),
            due_date: due,
            created_at: stamp.now,
            done_at: None,
            review_session_id: stamp.session,
        })
    }

    /// Marks an action item done at `now` (once).
    pub fn complete_action_item(&mut self, id: i64, now: DateTime<Utc>) -> EditResult<()> {
        let tx = self.begin()?;
        let n = tx.raw().execute(
            "UPDATE action_items SET done_at = ?2 WHERE id = ?1 AND done_at IS NULL",
            params![id, instant_to_sql(now)],
        )?;
        if n == 0 {
            return Err(EditError::NotFound(format!("open action item #{id}")));
        }
        tx.commit()?;
        Ok(())
    }

    /// Refuses an edit stamped with a review session that is not open (it
    /// ended, or never was): read inside the edit's own transaction, so a
    /// session ended by another process a moment before is seen.
    fn session_open(&self, session: Option<i64>) -> EditResult<()> {
        let Some(id) = session else {
            return Ok(());
        };
        let open = self
            .conn()
            .prepare_cached("SELECT 1 FROM review_sessions WHERE id = ?1 AND ended_at IS NULL")?
            .exists([id])?;
        if open {
            Ok(())
        } else {
            Err(EditError::SessionEnded { id })
        }
    }

    fn deal_or_not_found(&self, id: &OppId) -> EditResult<Opportunity> {
        match self.opportunity(id) {
            Err(StorageError::NotFound(what)) => Err(EditError::NotFound(what)),
            other => Ok(other?),
        }
    }

    fn open_deal(&self, id: &OppId) -> EditResult<Opportunity> {
        let deal = self.deal_or_not_found(id)?;
        if deal.status.is_closed() {
            return Err(EditError::Deal {
                id: id.to_string(),
                rule: EditRule::Closed(deal.status),
            });
        }
        Ok(deal)
    }

    fn exists(&self, table: &str, id: &str, what: &str) -> EditResult<()> {
        let found = self
            .conn()
            .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
            .exists([id])?;
        if found {
            Ok(())
        } else {
            Err(EditError::NotFound(format!("{what} {id}")))
        }
    }

    /// `log-N`, the first N past the number of activities that is free.
    fn next_activity_id(&self) -> EditResult<ActivityId> {
        let mut n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM activities", [], |r| r.get(0))?;
        loop {
            n += 1;
            let id = format!("log-{n}");
            let taken = self
                .conn()
                .prepare_cached("SELECT 1 FROM activities WHERE id = ?1")?
                .exists([&id])?;
            if !taken {
                return Ok(ActivityId(id.into()));
            }
        }
    }
}
