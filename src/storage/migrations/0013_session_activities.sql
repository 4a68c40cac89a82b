-- The activities logged during a review session, found without reading
-- the others: the review's window holds those of its own days, and reads
-- these besides (`log --at` may date one long before the session), so its
-- closing report counts every activity logged in it. Few rows have a
-- session: the index holds only those.
CREATE INDEX activities_session ON activities (review_session_id)
    WHERE review_session_id IS NOT NULL;
