-- Every windowed report asks which deals the activities of its range
-- touched (issue 10). With the deal beside the time in the index, SQLite
-- answers from the index alone instead of reading each activity's row.
DROP INDEX IF EXISTS activities_occurred;
CREATE INDEX activities_occurred ON activities (occurred_at, opportunity_id);
