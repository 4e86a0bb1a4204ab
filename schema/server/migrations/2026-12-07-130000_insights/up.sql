-- Insights count a team's runs by their local date (weeks of participation and times
-- to answer): a range scan per team instead of a walk over all its runs.
CREATE INDEX standups_team_local_date_idx ON standups (team_id, local_date);
