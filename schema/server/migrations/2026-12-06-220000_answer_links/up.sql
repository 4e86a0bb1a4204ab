-- One-click answer links, late answers and per-kind e-mail preferences.

-- An answer link: the worker issues one with each "standup is open" and reminder e-mail.
-- The token (256 random bits) is kept only as its SHA-256; it names one participation
-- and goes when that participation goes.
CREATE TABLE answer_links (
    token_hash bytea PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    standup_id uuid NOT NULL,
    user_id    uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (standup_id, user_id)
        REFERENCES participations (standup_id, user_id) ON DELETE CASCADE
);
CREATE INDEX answer_links_participation ON answer_links (standup_id, user_id);

-- Late answers: minutes after the close during which answers are still taken (0 = off,
-- at most 7 days), set on the config and snapshotted on each run.
ALTER TABLE standup_configs
    ADD COLUMN late_answers_minutes integer NOT NULL DEFAULT 0
        CHECK (late_answers_minutes BETWEEN 0 AND 10080);
ALTER TABLE standups
    ADD COLUMN late_answers_minutes integer NOT NULL DEFAULT 0
        CHECK (late_answers_minutes BETWEEN 0 AND 10080);
-- When the participant first answered or skipped after the standup had closed.
ALTER TABLE participations ADD COLUMN late_at timestamptz;

-- E-mail kinds a person turned off (a row = off): 'standup_asked', 'reminder', 'digest'.
CREATE TABLE mail_opt_outs (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('standup_asked', 'reminder', 'digest')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind)
);

-- RFC 8058 one-click unsubscribe: each standup e-mail carries a token (256 random bits,
-- kept as its SHA-256) that turns that kind of e-mail off for its recipient.
CREATE TABLE unsubscribe_links (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('standup_asked', 'reminder', 'digest')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unsubscribe_links_created ON unsubscribe_links (created_at);
