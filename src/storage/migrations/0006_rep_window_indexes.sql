-- Indexes for reading single reps' windows (the anomaly rules' new-hire
-- first weeks, issue 10): a rep's activities by time, and the deals a rep
-- sourced.
CREATE INDEX activities_rep_time ON activities (rep_id, occurred_at);
CREATE INDEX opportunities_source ON opportunities (source_rep_id);
