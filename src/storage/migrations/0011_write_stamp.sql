-- The write stamp (docs/storage.md, "Kept results"): one random number,
-- drawn anew by every write to a table a report reads, whoever writes (this
-- program, another, SQLite's own shell), in the transaction of the write.
-- A report's result kept beside the database names the stamp it was made
-- under; a stamp that moved means the result is made again. Random, not
-- counted: a file put back from a backup and then written differently
-- does not come back to a number an old result names.
-- Not stamped: first_touches and snapshot_owner_months (kept by triggers
-- from activities and snapshot_rows, in the same writes) and SQLite's own.

CREATE TABLE write_stamp (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    stamp INTEGER NOT NULL
);
INSERT INTO write_stamp (id, stamp) VALUES (1, random());

CREATE TRIGGER accounts_stamp_insert AFTER INSERT ON accounts
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER accounts_stamp_update AFTER UPDATE ON accounts
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER accounts_stamp_delete AFTER DELETE ON accounts
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER action_items_stamp_insert AFTER INSERT ON action_items
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER action_items_stamp_update AFTER UPDATE ON action_items
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER action_items_stamp_delete AFTER DELETE ON action_items
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER activities_stamp_insert AFTER INSERT ON activities
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER activities_stamp_update AFTER UPDATE ON activities
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER activities_stamp_delete AFTER DELETE ON activities
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER contacts_stamp_insert AFTER INSERT ON contacts
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER contacts_stamp_update AFTER UPDATE ON contacts
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER contacts_stamp_delete AFTER DELETE ON contacts
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER crm_last_touch_stamp_insert AFTER INSERT ON crm_last_touch
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER crm_last_touch_stamp_update AFTER UPDATE ON crm_last_touch
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER crm_last_touch_stamp_delete AFTER DELETE ON crm_last_touch
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER crm_records_stamp_insert AFTER INSERT ON crm_records
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER crm_records_stamp_update AFTER UPDATE ON crm_records
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER crm_records_stamp_delete AFTER DELETE ON crm_records
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER deal_tags_stamp_insert AFTER INSERT ON deal_tags
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER deal_tags_stamp_update AFTER UPDATE ON deal_tags
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER deal_tags_stamp_delete AFTER DELETE ON deal_tags
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER forecast_snapshots_stamp_insert AFTER INSERT ON forecast_snapshots
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER forecast_snapshots_stamp_update AFTER UPDATE ON forecast_snapshots
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER forecast_snapshots_stamp_delete AFTER DELETE ON forecast_snapshots
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER goals_stamp_insert AFTER INSERT ON goals
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER goals_stamp_update AFTER UPDATE ON goals
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER goals_stamp_delete AFTER DELETE ON goals
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER local_edits_stamp_insert AFTER INSERT ON local_edits
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER local_edits_stamp_update AFTER UPDATE ON local_edits
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER local_edits_stamp_delete AFTER DELETE ON local_edits
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER meta_stamp_insert AFTER INSERT ON meta
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER meta_stamp_update AFTER UPDATE ON meta
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER meta_stamp_delete AFTER DELETE ON meta
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER opportunities_stamp_insert AFTER INSERT ON opportunities
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER opportunities_stamp_update AFTER UPDATE ON opportunities
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER opportunities_stamp_delete AFTER DELETE ON opportunities
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER opportunity_history_stamp_insert AFTER INSERT ON opportunity_history
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER opportunity_history_stamp_update AFTER UPDATE ON opportunity_history
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER opportunity_history_stamp_delete AFTER DELETE ON opportunity_history
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER reps_stamp_insert AFTER INSERT ON reps
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER reps_stamp_update AFTER UPDATE ON reps
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER reps_stamp_delete AFTER DELETE ON reps
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER review_sessions_stamp_insert AFTER INSERT ON review_sessions
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER review_sessions_stamp_update AFTER UPDATE ON review_sessions
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER review_sessions_stamp_delete AFTER DELETE ON review_sessions
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER snapshot_rows_stamp_insert AFTER INSERT ON snapshot_rows
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER snapshot_rows_stamp_update AFTER UPDATE ON snapshot_rows
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER snapshot_rows_stamp_delete AFTER DELETE ON snapshot_rows
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER snoozes_stamp_insert AFTER INSERT ON snoozes
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER snoozes_stamp_update AFTER UPDATE ON snoozes
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER snoozes_stamp_delete AFTER DELETE ON snoozes
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER stages_stamp_insert AFTER INSERT ON stages
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER stages_stamp_update AFTER UPDATE ON stages
BEGIN UPDATE write_stamp SET stamp = random(); END;
CREATE TRIGGER stages_stamp_delete AFTER DELETE ON stages
BEGIN UPDATE write_stamp SET stamp = random(); END;
