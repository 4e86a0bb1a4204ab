DROP INDEX IF EXISTS answers_org_user_idx;
DROP INDEX IF EXISTS answers_search_idx;
ALTER TABLE answers DROP COLUMN IF EXISTS search;
