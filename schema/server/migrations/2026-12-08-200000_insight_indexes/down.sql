DROP STATISTICS IF EXISTS standups_team_org_stats;
CREATE INDEX answers_search_idx ON answers USING gin (search);
DROP INDEX answers_org_search_idx;
-- btree_gin stays: it may have been there before, and it costs nothing unused.
