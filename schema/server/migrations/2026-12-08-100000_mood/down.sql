DROP INDEX answers_mood_idx;
ALTER TABLE standups DROP COLUMN anonymous_mood;
ALTER TABLE standup_configs DROP COLUMN anonymous_mood;
ALTER TABLE answers DROP COLUMN mood;
