-- The job pipeline: idempotency records, dead-lettered jobs, password-reset tokens.

-- A job id recorded in the same transaction as the job's effect: a redelivery finds it
-- and does nothing.
CREATE TABLE processed_jobs (
    job_id       uuid PRIMARY KEY,
    kind         text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);

-- Jobs that kept failing, for admins to inspect and retry.
CREATE TABLE failed_jobs (
    id         uuid PRIMARY KEY,
    org_id     uuid REFERENCES organizations (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    envelope   jsonb NOT NULL,
    error      text NOT NULL,
    attempts   integer NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now(),
    retried_at timestamptz
);
CREATE INDEX failed_jobs_org_id_idx ON failed_jobs (org_id, failed_at DESC, id DESC);

-- Single-use password-reset tokens, stored as SHA-256 hashes.
CREATE TABLE password_resets (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id);
