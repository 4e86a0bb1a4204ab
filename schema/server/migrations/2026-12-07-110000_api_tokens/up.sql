-- Personal API tokens: a member's credential for scripts and the CLI, in one organization.
-- The secret (`ast_` + 256 random bits) is kept only as its SHA-256. A token acts as its
-- member; it stops working when revoked, expired, or when the membership is no longer
-- ACTIVE (checked on every request) and goes when the membership goes.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    org_id       uuid NOT NULL,
    user_id      uuid NOT NULL,
    name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    scope        text NOT NULL CHECK (scope IN ('READ', 'READ_WRITE')),
    token_hash   bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_member_idx ON api_tokens (org_id, user_id) WHERE revoked_at IS NULL;
