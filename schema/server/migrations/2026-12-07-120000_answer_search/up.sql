-- Full-text search over answers: a stored tsvector of each answer's text (English
-- stemming, so "deploy" finds "deployed") kept by PostgreSQL itself, and a GIN index for
-- `search @@ websearch_to_tsquery('english', …)`. Every search also filters by org_id.
ALTER TABLE answers
    ADD COLUMN search tsvector
        GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED;
CREATE INDEX answers_search_idx ON answers USING gin (search);
-- Exports and searches of one person's answers in an organization.
CREATE INDEX answers_org_user_idx ON answers (org_id, user_id);
