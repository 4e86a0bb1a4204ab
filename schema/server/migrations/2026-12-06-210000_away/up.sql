-- Out-of-office periods and organization holiday calendars.

-- A member is away from first_day to last_day inclusive. The days are calendar dates;
-- a run is judged by its local date (standups.local_date, in the standup's zone). While
-- away, a member's participation in a run is OUT_OF_OFFICE: not asked, not reminded,
-- not counted in participation rates.
CREATE TABLE out_of_office (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL,
    user_id    uuid NOT NULL,
    first_day  date NOT NULL,
    last_day   date NOT NULL,
    note       text CHECK (char_length(note) <= 200),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE,
    CHECK (last_day >= first_day AND last_day - first_day < 366)
);
CREATE INDEX out_of_office_member_idx ON out_of_office (org_id, user_id, last_day);

-- A participant away on the run's date. For this state skip_reason holds the note of
-- the out-of-office period, copied when the run opened (history keeps it).
ALTER TABLE participations DROP CONSTRAINT participations_state_check;
ALTER TABLE participations ADD CONSTRAINT participations_state_check
    CHECK (state IN ('PENDING', 'ANSWERED', 'SKIPPED', 'OUT_OF_OFFICE'));

-- Holiday calendars of an organization, each a set of named dates, assigned to teams.
-- No standup of a team opens on a date of one of its calendars.
CREATE TABLE holiday_calendars (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name       text NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX holiday_calendars_org_name_idx ON holiday_calendars (org_id, lower(name));

CREATE TABLE holidays (
    org_id      uuid NOT NULL,
    calendar_id uuid NOT NULL,
    day         date NOT NULL,
    name        text NOT NULL,
    PRIMARY KEY (calendar_id, day),
    FOREIGN KEY (org_id, calendar_id) REFERENCES holiday_calendars (org_id, id) ON DELETE CASCADE
);

CREATE TABLE team_holiday_calendars (
    org_id      uuid NOT NULL,
    team_id     uuid NOT NULL,
    calendar_id uuid NOT NULL,
    PRIMARY KEY (team_id, calendar_id),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, calendar_id) REFERENCES holiday_calendars (org_id, id) ON DELETE CASCADE
);
CREATE INDEX team_holiday_calendars_calendar_idx ON team_holiday_calendars (calendar_id);
