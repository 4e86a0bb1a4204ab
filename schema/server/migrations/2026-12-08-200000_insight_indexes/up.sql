-- Search at scale: every search filters by organization, but answers_search_idx holds the
-- words of every organization, so a common word made the bitmap of all its matches in
-- all organizations before org_id filtered them (47-52 ms for "deploy" with 10 seeded
-- organizations, growing with their number).
-- One GIN index over (org_id, search) (btree_gin gives uuid a GIN operator class) finds
-- the matches of one organization only.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX answers_org_search_idx ON answers USING gin (org_id, search);
DROP INDEX answers_search_idx;

-- A team lies in one organization, but the planner multiplied the selectivities of
-- `team_id = $x AND org_id = $y` and expected ~10 % of a team's runs; with that it ran
-- the search's index scan once per run of the team (590 ms for a team filter). The
-- functional dependency tells it team_id decides org_id.
CREATE STATISTICS standups_team_org_stats (dependencies) ON team_id, org_id FROM standups;
