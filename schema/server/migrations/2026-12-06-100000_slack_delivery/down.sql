ALTER TABLE standup_configs DROP COLUMN slack_channel_name;
ALTER TABLE standup_configs DROP COLUMN slack_channel_id;
DROP TABLE slack_messages;
DROP INDEX slack_workspaces_team;
ALTER TABLE slack_workspaces DROP COLUMN users_synced_at;
DROP TABLE slack_users;
