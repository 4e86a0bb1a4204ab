DROP INDEX participations_remind_due_idx;
DROP INDEX participations_ask_due_idx;
ALTER TABLE participations
    DROP COLUMN remind_due_at,
    DROP COLUMN ask_due_at,
    DROP COLUMN closes_at,
    DROP COLUMN remind_at,
    DROP COLUMN ask_at;
ALTER TABLE standup_configs
    DROP COLUMN next_local_date,
    DROP COLUMN digest_time,
    DROP COLUMN ask_at;
ALTER TABLE users DROP COLUMN work_days;
ALTER TABLE users DROP COLUMN timezone;
