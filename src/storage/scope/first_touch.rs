//! Each rep's first touch of each contact a window touches
//! (`Lookback::first_touch`, the metrics' "new contacts engaged").

use super::Scope;
use crate::domain::model::{Activity, ContactId, RepId};
use crate::storage::codec::*;
use crate::storage::{Result, Store};
use chrono::{DateTime, Utc};

impl Store {
    /// Each rep's first touch of each contact touched in `activities`
    /// (`Lookback::first_touch`), from `first_touches` (kept exact by every
    /// write, see `migrations/0008_first_touches.sql`): one range scan per
    /// range gives the pairs first touched in it, exactly; a pair touched
    /// but first touched outside every range reads as first touched just
    /// before the earliest range, which no period the scope answers for
    /// contains. (One seek per pair for its true instant was a fifth of a
    /// quarter's metrics.) A rep's own range reads that rep's pairs: the
    /// rules read only that rep's metrics there.
    pub(super) fn first_touches(
        &self,
        scope: &Scope,
        activities: &[Activity],
    ) -> Result<Vec<(RepId, ContactId, DateTime<Utc>)>> {
        // Rep, then contact: the first touch found, if any.
        type Found<'a> = foldhash::HashMap<&'a str, Option<DateTime<Utc>>>;
        let mut touched: foldhash::HashMap<&str, Found<'_>> = Default::default();
        for a in activities {
            if let Some(c) = &a.contact_id {
                touched
                    .entry(a.rep_id.as_str())
                    .or_default()
                    .insert(c.as_str(), None);
            }
        }
        if touched.is_empty() {
            return Ok(Vec::new());
        }
        // A file of schema 7 or older has no `first_touches`.
        if !self.has_table("first_touches")? {
            return self.first_touches_by_seek(activities);
        }
        let mut keep = |r: &rusqlite::Row<'_>| -> Result<()> {
            let (rep, contact) = (text_at(r, 0)?, text_at(r, 1)?);
            if let Some(at) = touched.get_mut(rep).and_then(|c| c.get_mut(contact)) {
                *at = Some(instant_from_sql(text_at(r, 2)?)?);
            }
            Ok(())
        };
        let conn = self.conn();
        let mut by_time = conn.prepare_cached(
            "SELECT rep_id, contact_id, first_at FROM first_touches
             WHERE first_at >= ?1 AND first_at < ?2",
        )?;
        for (a, b) in &scope.ranges {
            let mut rows = by_time.query([instant_to_sql(*a), instant_to_sql(*b)])?;
            while let Some(r) = rows.next()? {
                keep(r)?;
            }
        }
        // `+first_at`: the rep's pairs by the key, not every rep's by time.
        let mut by_rep = conn.prepare_cached(
            "SELECT rep_id, contact_id, first_at FROM first_touches
             WHERE rep_id = ?1 AND +first_at >= ?2 AND +first_at < ?3",
        )?;
        for (rep, a, b) in &scope.rep_ranges {
            let mut rows = by_rep.query([rep.clone(), instant_to_sql(*a), instant_to_sql(*b)])?;
            while let Some(r) = rows.next()? {
                keep(r)?;
            }
        }
        let earliest = scope
            .ranges
            .iter()
            .map(|r| r.0)
            .chain(scope.rep_ranges.iter().map(|r| r.1))
            .chain(activities.first().map(|a| a.occurred_at))
            .min()
            .expect("a touched pair has an activity");
        let before = earliest - chrono::Duration::seconds(1);
        Ok(touched
            .into_iter()
            .flat_map(|(rep, contacts)| {
                contacts.into_iter().map(move |(contact, at)| {
                    (
                        RepId::from(rep),
                        ContactId::from(contact),
                        at.unwrap_or(before),
                    )
                })
            })
            .collect())
    }

    /// [`Store::first_touches`] on a file of an older schema read as it is
    /// (read-only, so not migrated: no `first_touches` table): one seek per
    /// pair on the activities' (contact, rep, time) index, for its true
    /// first touch.
    fn first_touches_by_seek(
        &self,
        activities: &[Activity],
    ) -> Result<Vec<(RepId, ContactId, DateTime<Utc>)>> {
        let pairs: foldhash::HashSet<(&str, &str)> = activities
            .iter()
            .filter_map(|a| Some((a.rep_id.as_str(), a.contact_id.as_ref()?.as_str())))
            .collect();
        let mut stmt = self.conn().prepare_cached(
            "SELECT MIN(occurred_at) FROM activities WHERE contact_id = ?1 AND rep_id = ?2",
        )?;
        pairs
            .into_iter()
            .map(|(rep, contact)| {
                let at: String = stmt.query_row([contact, rep], |r| r.get(0))?;
                Ok((
                    RepId::from(rep),
                    ContactId::from(contact),
                    instant_from_sql(&at)?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::metrics::tests::{act, t};
    use crate::storage::{Scope, Store};

    /// r1 touched c1 on 10 January and 5 March, c2 on 6 March; the window
    /// is March.
    fn first_touches(store: &Store) -> Vec<(String, String, String)> {
        let scope = Scope::new(vec![(t("2026-03-01"), t("2026-04-01"))]);
        let data = store.load_scope(&scope).unwrap();
        let mut out: Vec<_> = data
            .lookback
            .unwrap()
            .first_touch
            .into_iter()
            .map(|(r, c, at)| (r.0.to_string(), c.0.to_string(), at.to_rfc3339()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn pairs_first_touched_outside_the_window_read_as_before_it_and_an_old_file_seeks() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        tx.raw()
            .execute_batch(
                "INSERT INTO reps (id, name, role) VALUES ('r1', 'Rae', 'AE');
                 INSERT INTO accounts (id, name) VALUES ('a1', 'Acme');
                 INSERT INTO contacts (id, account_id, name) VALUES
                     ('c1', 'a1', 'Cy'), ('c2', 'a1', 'Di');",
            )
            .unwrap();
        for (id, contact, at) in [
            ("x1", "c1", "2026-01-10T09:00:00"),
            ("x2", "c1", "2026-03-05T09:00:00"),
            ("x3", "c2", "2026-03-06T09:00:00"),
        ] {
            tx.upsert_activity(&act(
                id,
                "r1",
                "call",
                at,
                None,
                Some("a1"),
                Some(contact),
                None,
            ))
            .unwrap();
        }
        tx.commit().unwrap();
        let row = |c: &str, at: &str| ("r1".to_string(), c.to_string(), at.to_string());
        // c1 was first touched before March: a second before the window.
        assert_eq!(
            first_touches(&store),
            vec![
                row("c1", "2026-02-28T23:59:59+00:00"),
                row("c2", "2026-03-06T09:00:00+00:00"),
            ]
        );
        // A file of an older schema, read as it is: its true first touch.
        store
            .conn()
            .execute_batch(
                "DROP TRIGGER activities_first_touch_insert;
                 DROP TRIGGER activities_first_touch_update;
                 DROP TRIGGER activities_first_touch_delete;
                 DROP TABLE first_touches;",
            )
            .unwrap();
        assert_eq!(
            first_touches(&store),
            vec![
                row("c1", "2026-01-10T09:00:00+00:00"),
                row("c2", "2026-03-06T09:00:00+00:00"),
            ]
        );
    }
}
