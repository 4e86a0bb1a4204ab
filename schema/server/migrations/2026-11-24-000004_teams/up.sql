-- Teams inside an organization, their members, and the standup configs that run for
-- them. Every row carries org_id; composite foreign keys over (org_id, ...) make a row
-- that points into another organization impossible, not merely unlikely.

CREATE TABLE teams (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        text NOT NULL,
    timezone    text NOT NULL,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
-- Team names are unique per organization, ignoring case.
CREATE UNIQUE INDEX teams_org_name_idx ON teams (org_id, lower(name));

-- A team's members are active members of the same organization; leaving the
-- organization (membership deleted) leaves its teams too.
CREATE TABLE team_members (
    org_id   uuid NOT NULL,
    team_id  uuid NOT NULL,
    user_id  uuid NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_org_user_idx ON team_members (org_id, user_id);

-- A standup schedule of one team. Deleting the team deletes its configs; standups
-- (later) reference standup_configs (id) with ON DELETE SET NULL so their history
-- outlives a deleted config. `next_run_at` is NULL while paused.
CREATE TABLE standup_configs (
    id                      uuid PRIMARY KEY,
    org_id                  uuid NOT NULL,
    team_id                 uuid NOT NULL,
    name                    text NOT NULL,
    -- [{"id": uuid, "prompt": text, "kind": "TEXT"|"BLOCKER"|"MOOD", "required": bool}]
    questions               jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    weekdays                text[] NOT NULL CHECK (cardinality(weekdays) >= 1),
    time_of_day             text NOT NULL CHECK (time_of_day ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
    timezone                text NOT NULL,
    response_window_minutes integer NOT NULL CHECK (response_window_minutes BETWEEN 15 AND 10080),
    reminder_minutes_before integer NOT NULL DEFAULT 0
        CHECK (reminder_minutes_before >= 0 AND reminder_minutes_before < response_window_minutes),
    delivery                text[] NOT NULL CHECK (cardinality(delivery) >= 1),
    webhook_url             text,
    -- Signs webhook deliveries; never returned by the API (to be encrypted at rest).
    webhook_secret          text,
    active                  boolean NOT NULL DEFAULT true,
    close_when_all_answered boolean NOT NULL DEFAULT false,
    next_run_at             timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    UNIQUE (id, team_id)
);
CREATE INDEX standup_configs_team_idx ON standup_configs (team_id, created_at);
-- The scheduler's scan: active configs by their next run.
CREATE INDEX standup_configs_next_run_idx ON standup_configs (next_run_at) WHERE active;

-- Who is asked. Participants are members of the config's team: removing someone from
-- the team removes them from its configs (the foreign key cascades).
CREATE TABLE standup_config_participants (
    org_id    uuid NOT NULL,
    config_id uuid NOT NULL,
    team_id   uuid NOT NULL,
    user_id   uuid NOT NULL,
    PRIMARY KEY (config_id, user_id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (config_id, team_id) REFERENCES standup_configs (id, team_id) ON DELETE CASCADE,
    FOREIGN KEY (team_id, user_id) REFERENCES team_members (team_id, user_id) ON DELETE CASCADE
);
CREATE INDEX standup_config_participants_team_user_idx
    ON standup_config_participants (team_id, user_id);
