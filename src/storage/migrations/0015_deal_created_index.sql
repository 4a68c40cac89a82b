-- Every load finds the deals alive in its ranges (`storage::scope`): open,
-- or created or closed in a range, or created before one and closed after
-- its start. The test of "created in it" had no index, so each load read
-- every deal ever (200k on a large org, 60-80 ms a report). With one on the
-- creation instant, each term of the test is served by an index, and a
-- load that keeps few deals reads those alone (`scope::ranges::alive_in`).
CREATE INDEX opportunities_created ON opportunities (created_at);
