ALTER TABLE standup_configs
    DROP CONSTRAINT standup_configs_previous_secret_has_an_end,
    DROP COLUMN webhook_secret_previous_until,
    DROP COLUMN webhook_secret_previous;
COMMENT ON COLUMN standup_configs.webhook_secret IS NULL;
