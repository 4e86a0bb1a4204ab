-- Invitations to join an organization. The api writes the row; the worker issues the
-- token (32 random bytes, base64url), stores only its SHA-256 and mails the link.
-- A resend issues a new token and a new 7-day expiry; the old link stops working.
CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (email = lower(email)),
    role        text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    token_hash  bytea UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  timestamptz
);
CREATE INDEX invitations_org_id_idx ON invitations (org_id, created_at DESC);
-- One pending invitation per address and organization.
CREATE UNIQUE INDEX invitations_pending_idx ON invitations (org_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
