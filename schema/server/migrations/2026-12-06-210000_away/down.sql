DROP TABLE team_holiday_calendars;
DROP TABLE holidays;
DROP TABLE holiday_calendars;
UPDATE participations SET state = 'SKIPPED' WHERE state = 'OUT_OF_OFFICE';
ALTER TABLE participations DROP CONSTRAINT participations_state_check;
ALTER TABLE participations ADD CONSTRAINT participations_state_check
    CHECK (state IN ('PENDING', 'ANSWERED', 'SKIPPED'));
DROP TABLE out_of_office;
