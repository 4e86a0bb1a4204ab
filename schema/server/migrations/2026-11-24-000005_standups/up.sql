-- Standups: one run of a standup config (or an ad-hoc run started by hand), with who is
-- asked (participations), what they answered (answers) and how answers were edited
-- (answer_edits). Every row carries org_id; composite foreign keys over (org_id, ...)
-- keep every row inside its organization, as in the teams migration.

CREATE TABLE standups (
    id                      uuid PRIMARY KEY,
    org_id                  uuid NOT NULL,
    team_id                 uuid NOT NULL,
    -- History outlives a deleted config.
    config_id               uuid REFERENCES standup_configs (id) ON DELETE SET NULL,
    -- Snapshot of the config's name when the standup opened.
    name                    text NOT NULL,
    scheduled_for           timestamptz NOT NULL,
    -- The date the run is for, in the config's zone, and that zone.
    local_date              date NOT NULL,
    timezone                text NOT NULL,
    closes_at               timestamptz NOT NULL,
    -- When to remind those who have not answered; NULL = no reminder.
    remind_at               timestamptz,
    reminded_at             timestamptz,
    state                   text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'CLOSED')),
    -- Snapshot of the questions when opened: [{"id","prompt","kind","required"}].
    questions               jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    delivery                text[] NOT NULL,
    webhook_url             text,
    close_when_all_answered boolean NOT NULL DEFAULT false,
    closed_at               timestamptz,
    -- schema::digest::Digest, compiled after closing.
    digest                  jsonb,
    digest_delivered_at     timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    UNIQUE (org_id, id),
    -- A second scheduler or a retry cannot open the same run twice.
    UNIQUE (config_id, scheduled_for),
    CHECK ((state = 'CLOSED') = (closed_at IS NOT NULL))
);
-- The scheduler's scans: open standups by deadline and by reminder time.
CREATE INDEX standups_state_closes_at_idx ON standups (state, closes_at);
CREATE INDEX standups_state_remind_at_idx ON standups (state, remind_at);
CREATE INDEX standups_team_scheduled_idx ON standups (team_id, scheduled_for DESC);
CREATE INDEX standups_org_idx ON standups (org_id);

-- One participant of one standup.
CREATE TABLE participations (
    standup_id   uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id       uuid NOT NULL,
    state        text NOT NULL DEFAULT 'PENDING'
        CHECK (state IN ('PENDING', 'ANSWERED', 'SKIPPED')),
    skip_reason  text,
    submitted_at timestamptz,
    edited_at    timestamptz,
    -- Set when the "standup is open" e-mail is claimed for sending (once per person).
    notified_at  timestamptz,
    -- Set when the reminder is claimed for sending (once per person).
    reminded_at  timestamptz,
    PRIMARY KEY (standup_id, user_id),
    FOREIGN KEY (org_id, standup_id) REFERENCES standups (org_id, id) ON DELETE CASCADE
);
CREATE INDEX participations_org_user_idx ON participations (org_id, user_id);

-- The current answer of one participant to one question.
CREATE TABLE answers (
    standup_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    question_id uuid NOT NULL,
    org_id      uuid NOT NULL,
    text        text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (standup_id, user_id, question_id),
    FOREIGN KEY (standup_id, user_id) REFERENCES participations (standup_id, user_id)
        ON DELETE CASCADE
);

-- Every edit of an answer after the first submission (old and new text).
CREATE TABLE answer_edits (
    id          bigserial PRIMARY KEY,
    org_id      uuid NOT NULL,
    standup_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    question_id uuid NOT NULL,
    -- NULL when the question had no answer before this edit.
    old_text    text,
    new_text    text NOT NULL,
    edited_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (standup_id, user_id) REFERENCES participations (standup_id, user_id)
        ON DELETE CASCADE
);
CREATE INDEX answer_edits_standup_user_idx ON answer_edits (standup_id, user_id, edited_at);
