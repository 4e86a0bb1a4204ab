-- Addresses that were sent the welcome e-mail, so no address gets it twice (a second
-- job for the same person, or a new account with an address that had one). Written in
-- the transaction of the job that sends it. The address is kept only as the SHA-256 of
-- its lower-cased form.
CREATE TABLE welcome_emails (
    email_sha256 bytea PRIMARY KEY,
    job_id       uuid NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now()
);
