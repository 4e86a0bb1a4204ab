-- The Slack workspace an organization installed the app in (one per organization). The bot
-- token is sealed at rest like webhook secrets (SECRETS_KEY, the organization id as
-- context); it is never returned or logged.
CREATE TABLE slack_workspaces (
    org_id       uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    team_id      text NOT NULL,
    team_name    text NOT NULL,
    bot_user_id  text NOT NULL,
    bot_token    text NOT NULL,
    connected_by uuid REFERENCES users (id) ON DELETE SET NULL,
    connected_at timestamptz NOT NULL DEFAULT now()
);

-- The OAuth `state` of an install in progress: single use, 10 minutes, bound to the
-- session and organization that asked for it. Only its SHA-256 is kept.
CREATE TABLE slack_install_states (
    state_sha256 bytea PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id   uuid NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX slack_install_states_expires_at ON slack_install_states (expires_at);
