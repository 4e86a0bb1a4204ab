DROP TABLE standup_config_participants;
DROP TABLE standup_configs;
DROP TABLE team_members;
DROP TABLE teams;
