DROP TABLE slack_install_states;
DROP TABLE slack_workspaces;
