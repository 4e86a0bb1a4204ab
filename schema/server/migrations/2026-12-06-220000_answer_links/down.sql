DROP TABLE unsubscribe_links;
DROP TABLE mail_opt_outs;
ALTER TABLE participations DROP COLUMN late_at;
ALTER TABLE standups DROP COLUMN late_answers_minutes;
ALTER TABLE standup_configs DROP COLUMN late_answers_minutes;
DROP TABLE answer_links;
