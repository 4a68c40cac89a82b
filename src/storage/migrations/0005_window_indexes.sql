-- Indexes for reading a window of the database (issue 10, SPEC §14): the
-- latest activity before a window per deal and per account, a rep's first
-- touch of a contact, deals by close time and status. The old index on
-- activities (opportunity_id) is a prefix of the new one.
DROP INDEX IF EXISTS activities_opportunity;
CREATE INDEX activities_opportunity_time ON activities (opportunity_id, occurred_at);
CREATE INDEX activities_account_time ON activities (account_id, occurred_at);
CREATE INDEX activities_contact_rep_time ON activities (contact_id, rep_id, occurred_at);
CREATE INDEX opportunities_closed ON opportunities (closed_at);
CREATE INDEX opportunities_status ON opportunities (status);
