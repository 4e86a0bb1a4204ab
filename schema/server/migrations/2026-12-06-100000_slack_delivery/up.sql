-- Members matched to Slack users by e-mail (`users.list`), per organization, and the DM
-- channel the bot opened with each (`conversations.open`, kept so it is opened once).
CREATE TABLE slack_users (
    org_id        uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slack_user_id text NOT NULL,
    dm_channel    text,
    matched_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE UNIQUE INDEX slack_users_slack_user ON slack_users (org_id, slack_user_id);

-- When the members were last matched (at install, by syncSlackUsers, daily).
ALTER TABLE slack_workspaces ADD COLUMN users_synced_at timestamptz;
CREATE INDEX slack_workspaces_team ON slack_workspaces (team_id);

-- Every message the bot posted for a standup: a participant's DM when it opened (`open`),
-- its reminder reply (`remind`), the digest's parts in the channel (`digest`, user_id
-- NULL). A redelivered job finds what it already posted here and never posts it twice;
-- `closed_state` records the DM's update at close.
CREATE TABLE slack_messages (
    standup_id   uuid NOT NULL REFERENCES standups (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('open', 'remind', 'digest')),
    user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
    part         integer NOT NULL DEFAULT 0,
    channel      text NOT NULL,
    ts           text NOT NULL,
    closed_state text,
    posted_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX slack_messages_once
    ON slack_messages (standup_id, kind, user_id, part) NULLS NOT DISTINCT;

-- The channel a config's SLACK_CHANNEL delivery posts the digest to (picked in the config
-- editor from conversations.list); its name is kept for display.
ALTER TABLE standup_configs ADD COLUMN slack_channel_id text;
ALTER TABLE standup_configs ADD COLUMN slack_channel_name text;
