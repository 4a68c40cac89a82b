//! History rows, append-only: imported rows and edits alike carry their
//! identity (`import_key`), so a row written once is never written twice
//! by an import, whether an import or an edit wrote it first.

use super::{Outcome, Tx};
use crate::domain::model::HistoryEntry;
use crate::storage::Result;
use crate::storage::codec::instant_to_sql;
use rusqlite::params;

impl Tx<'_> {
    /// Appends one imported history row; a row imported before with the same
    /// deal, instant, field, old and new value (its `import_key`) is left
    /// alone, so re-imports add nothing.
    pub fn append_history(&mut self, h: &HistoryEntry) -> Result<Outcome> {
        self.append_history_nth(h, 1)
    }

    /// The identity of a history row: deal, instant, field, old and new
    /// value (the key of the rows written before migration 0002).
    pub fn history_key(h: &HistoryEntry) -> String {
        [
            h.opportunity_id.0.as_str(),
            &instant_to_sql(h.changed_at),
            h.field.as_str(),
            h.old_value.as_deref().unwrap_or(""),
            h.new_value.as_deref().unwrap_or(""),
        ]
        .join("\u{1f}")
    }

    /// Appends the `n`-th (from 1) of identical imported history rows: each
    /// has its own key, so all land once and a re-import adds none.
    pub fn append_history_nth(&mut self, h: &HistoryEntry, n: u32) -> Result<Outcome> {
        self.append_history_keyed(h, &Tx::history_key(h), n)
    }

    /// [`Tx::append_history_nth`] with the row's [`Tx::history_key`]
    /// already made.
    pub fn append_history_keyed(&mut self, h: &HistoryEntry, key: &str, n: u32) -> Result<Outcome> {
        let outcome = if self.insert_history(h, &nth_key(key, n))? {
            Outcome::New
        } else {
            Outcome::Unchanged
        };
        self.counts.record("opportunity_history", outcome);
        Ok(outcome)
    }

    /// Appends the history row of an edit: always a new row, even when an
    /// identical change was made in the same second (history is an audit
    /// trail). It takes the first free key of its identity, the one an
    /// import of its export gives it (the n-th row alike is `#n`), so a
    /// backup restored into this database brings it back as unchanged.
    pub fn append_edit_history(&mut self, h: &HistoryEntry) -> Result<Outcome> {
        let key = Tx::history_key(h);
        let mut n = 1;
        // Each key taken is a row of this identity: the loop ends.
        while !self.insert_history(h, &nth_key(&key, n))? {
            n += 1;
        }
        self.counts.record("opportunity_history", Outcome::New);
        Ok(Outcome::New)
    }

    /// Inserts the row unless its key is taken; whether it did.
    fn insert_history(&mut self, h: &HistoryEntry, key: &str) -> Result<bool> {
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO opportunity_history
                 (opportunity_id, changed_at, field, old_value, new_value, changed_by,
                  review_session_id, import_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                h.opportunity_id,
                instant_to_sql(h.changed_at),
                h.field.as_str(),
                h.old_value.as_deref(),
                h.new_value.as_deref(),
                h.changed_by.as_deref(),
                h.review_session_id,
                key,
            ])?;
        Ok(inserted == 1)
    }
}

/// The key of the `n`-th (from 1) of the history rows whose identity is
/// `key`: the identity itself, then `#n` after it.
fn nth_key(key: &str, n: u32) -> std::borrow::Cow<'_, str> {
    if n > 1 {
        format!("{key}\u{1f}#{n}").into()
    } else {
        key.into()
    }
}
