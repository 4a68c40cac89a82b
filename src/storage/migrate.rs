//! The schema's migrations, applied in order when a file is opened.

use super::{
    APPLICATION_ID, INDEX_BUILD_CACHE, READ_CACHE, Result, SCHEMA_VERSION, Store, classify,
};

/// Ordered migrations; the database's `PRAGMA user_version` is the number applied.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_history_audit.sql"),
    include_str!("migrations/0003_crm_round_trip.sql"),
    include_str!("migrations/0004_list_amount.sql"),
    include_str!("migrations/0005_window_indexes.sql"),
    include_str!("migrations/0006_rep_window_indexes.sql"),
    include_str!("migrations/0007_occurred_deal_index.sql"),
    include_str!("migrations/0008_first_touches.sql"),
    include_str!("migrations/0009_history_time_index.sql"),
    include_str!("migrations/0010_snapshot_owner_months.sql"),
    include_str!("migrations/0011_write_stamp.sql"),
    include_str!("migrations/0012_review_box_time.sql"),
    include_str!("migrations/0013_session_activities.sql"),
    include_str!("migrations/0014_activity_id_in_time_indexes.sql"),
    include_str!("migrations/0015_deal_created_index.sql"),
    include_str!("migrations/0016_edit_history_keys.sql"),
];

impl Store {
    pub(super) fn migrate(&mut self) -> Result<()> {
        let found = self.known_version()?;
        let marked = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0))
            .map_err(|e| self.classify(e))?
            == i64::from(APPLICATION_ID);
        if found == SCHEMA_VERSION && marked {
            return Ok(());
        }
        let path = self.path.clone();
        // A migration may build an index over every row: with the file
        // mapped, every page it read counted in the process's memory (532
        // MB on the large demo); its sorts may use a helper thread.
        self.conn
            .execute_batch(&format!(
                "{INDEX_BUILD_CACHE} PRAGMA mmap_size = 0; PRAGMA threads = 2;"
            ))
            .map_err(|e| classify(&path, e))?;
        let tx = self.conn.transaction().map_err(|e| classify(&path, e))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql).map_err(|e| classify(&path, e))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(|e| classify(&path, e))?;
        }
        if !marked {
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(|e| classify(&path, e))?;
        }
        tx.commit().map_err(|e| classify(&path, e))?;
        self.conn
            .execute_batch(&format!("{READ_CACHE} PRAGMA threads = 0;"))
            .map_err(|e| classify(&path, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::MIGRATIONS;

    /// Migration 0016 gives each edit's row (key NULL) the key an import of
    /// its export would give it: after the keyed rows alike, in order.
    #[test]
    fn edit_rows_take_the_keys_an_import_of_their_export_gives() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..15] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "INSERT INTO reps (id, name, role) VALUES ('r', 'R', 'AE');
             INSERT INTO opportunities (id, name, owner_id, stage, status)
                 VALUES ('o1', 'D', 'r', 'Demo', 'open');
             INSERT INTO opportunity_history
                 (opportunity_id, changed_at, field, old_value, new_value, import_key) VALUES
               ('o1', '2026-11-24T08:00:00Z', 'amount', '100', '200', NULL),
               ('o1', '2026-11-24T08:00:00Z', 'amount', '100', '200',
                'o1' || char(31) || '2026-11-24T08:00:00Z' || char(31) || 'amount'
                || char(31) || '100' || char(31) || '200'),
               ('o1', '2026-11-24T09:00:00Z', 'next_step', NULL, 'Call', NULL),
               ('o1', '2026-11-24T09:00:00Z', 'next_step', NULL, 'Call', NULL),
               ('o1', '2026-11-24T10:00:00Z', 'stage', 'Demo', 'Won', NULL);",
        )
        .unwrap();
        c.execute_batch(MIGRATIONS[15]).unwrap();
        let keys: Vec<String> = c
            .prepare("SELECT import_key FROM opportunity_history ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|k| k.unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "o1\u{1f}2026-11-24T08:00:00Z\u{1f}amount\u{1f}100\u{1f}200\u{1f}#2",
                "o1\u{1f}2026-11-24T08:00:00Z\u{1f}amount\u{1f}100\u{1f}200",
                "o1\u{1f}2026-11-24T09:00:00Z\u{1f}next_step\u{1f}\u{1f}Call",
                "o1\u{1f}2026-11-24T09:00:00Z\u{1f}next_step\u{1f}\u{1f}Call\u{1f}#2",
                "o1\u{1f}2026-11-24T10:00:00Z\u{1f}stage\u{1f}Demo\u{1f}Won",
            ]
        );
        // History stays append-only.
        assert!(
            c.execute("UPDATE opportunity_history SET new_value = 'x'", [])
                .is_err()
        );
    }
}
