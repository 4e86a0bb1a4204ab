-- "Everyone in the team": the config's participants follow the team's members (a person
-- added to the team joins its future runs). Existing configs keep their chosen people.
ALTER TABLE standup_configs ADD COLUMN everyone boolean NOT NULL DEFAULT false;
