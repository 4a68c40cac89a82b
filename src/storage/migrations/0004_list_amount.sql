-- SPEC §15: the list price of a deal before discount, in cents; NULL when unknown.
ALTER TABLE opportunities ADD COLUMN list_amount INTEGER;
