-- Every read of activities breaks a tie between two at one instant by id
-- (issue 10): a window in `(occurred_at, id)` order, and the latest activity
-- before a window on each deal and account (`occurred_at DESC, id DESC`).
-- With the id in the index after the instant, SQLite walks the index in
-- that order: the window's rows no longer pass through a sorter, and the
-- latest activity before an instant is one index seek, not a look at the
-- rows of its instant. The deal beside the instant (0007) is no longer
-- read from the index: a window's deals are found in its rows.
DROP INDEX IF EXISTS activities_occurred;
CREATE INDEX activities_occurred ON activities (occurred_at, id);
DROP INDEX IF EXISTS activities_opportunity_time;
CREATE INDEX activities_opportunity_time ON activities (opportunity_id, occurred_at, id);
DROP INDEX IF EXISTS activities_account_time;
CREATE INDEX activities_account_time ON activities (account_id, occurred_at, id);
