-- Webhook secrets are stored sealed (AES-256-GCM, `v1:` + base64; see schema::secrets).
-- Rotating a secret keeps the previous one signing beside it for a while, so receivers
-- can switch without dropping deliveries.
COMMENT ON COLUMN standup_configs.webhook_secret IS
    'Signs webhook deliveries; sealed with SECRETS_KEY, never returned by the API';
ALTER TABLE standup_configs
    ADD COLUMN webhook_secret_previous text,
    ADD COLUMN webhook_secret_previous_until timestamptz,
    ADD CONSTRAINT standup_configs_previous_secret_has_an_end
        CHECK ((webhook_secret_previous IS NULL) = (webhook_secret_previous_until IS NULL));
