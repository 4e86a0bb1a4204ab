-- Mood on a 1-5 scale. A MOOD question's answer keeps its optional comment in `text` and
-- the number in `mood` (NULL for every other kind, and for answers from before this
-- migration, which were free text only).
ALTER TABLE answers
    ADD COLUMN mood smallint CHECK (mood BETWEEN 1 AND 5);

-- An anonymous-mood config shows moods only as aggregates, and only over 3 or more
-- answers. A run keeps the setting it was opened with (like its questions), so turning
-- it off later does not reveal the moods given under it.
ALTER TABLE standup_configs
    ADD COLUMN anonymous_mood boolean NOT NULL DEFAULT false;
ALTER TABLE standups
    ADD COLUMN anonymous_mood boolean NOT NULL DEFAULT false;

-- Mood trend per team by week: a range scan of the team's runs (standups_team_local_date_idx)
-- then the answers that carry a mood.
CREATE INDEX answers_mood_idx ON answers (standup_id) WHERE mood IS NOT NULL;
