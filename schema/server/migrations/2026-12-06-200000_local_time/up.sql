-- Each person's own day: a member's time zone and work days, a config's choice between
-- asking everyone at the team's time or each participant at the time of day in their
-- own zone, and the per-person ask, reminder and window times that choice needs.

-- IANA zone name; NULL = not set (the team's zone is used for them).
ALTER TABLE users ADD COLUMN timezone text
    CHECK (timezone IS NULL OR length(timezone) BETWEEN 1 AND 64);
-- The weekdays the person works, spelled like standup_configs.weekdays.
ALTER TABLE users ADD COLUMN work_days text[] NOT NULL
    DEFAULT ARRAY['MON', 'TUE', 'WED', 'THU', 'FRI']
    CHECK (cardinality(work_days) BETWEEN 1 AND 7
           AND work_days <@ ARRAY['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']);

ALTER TABLE standup_configs ADD COLUMN ask_at text NOT NULL DEFAULT 'TEAM_TIME'
    CHECK (ask_at IN ('TEAM_TIME', 'MEMBER_LOCAL_TIME'));
-- HH:MM in the config's zone: in MEMBER_LOCAL_TIME the standup closes then at the latest.
ALTER TABLE standup_configs ADD COLUMN digest_time text
    CHECK (digest_time IS NULL OR digest_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');
-- MEMBER_LOCAL_TIME: the team-local date `next_run_at` (its earliest ask) belongs to;
-- NULL = not planned yet (the scheduler plans the first date whose earliest ask is ahead).
ALTER TABLE standup_configs ADD COLUMN next_local_date date;

-- MEMBER_LOCAL_TIME participations: when this person is asked, reminded and their window
-- ends (NULL in TEAM_TIME standups: the standup's own times apply), and when the
-- scheduler queued their ask and reminder.
ALTER TABLE participations
    ADD COLUMN ask_at timestamptz,
    ADD COLUMN remind_at timestamptz,
    ADD COLUMN closes_at timestamptz,
    ADD COLUMN ask_due_at timestamptz,
    ADD COLUMN remind_due_at timestamptz;

-- The scheduler's per-person steps scan only the rows still to do.
CREATE INDEX participations_ask_due_idx ON participations (ask_at)
    WHERE ask_at IS NOT NULL AND ask_due_at IS NULL;
CREATE INDEX participations_remind_due_idx ON participations (remind_at)
    WHERE remind_at IS NOT NULL AND remind_due_at IS NULL;
