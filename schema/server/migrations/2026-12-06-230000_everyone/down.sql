ALTER TABLE standup_configs DROP COLUMN everyone;
