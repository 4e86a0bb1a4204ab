-- Blockers as tracked objects. An answer to a BLOCKER question that says something other
-- than "none" opens one; the person, a teammate or an owner/admin resolves it. One row
-- per source answer (standup, owner, question): editing the answer updates the open
-- blocker of that source instead of opening a second one.
CREATE TABLE blockers (
    id              uuid PRIMARY KEY,
    org_id          uuid NOT NULL,
    team_id         uuid NOT NULL,
    owner_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    standup_id      uuid NOT NULL,
    question_id     uuid NOT NULL,
    text            text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 5000),
    status          text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'RESOLVED')),
    opened_at       timestamptz NOT NULL DEFAULT now(),
    resolved_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    resolved_at     timestamptz,
    resolution_note text CHECK (char_length(resolution_note) <= 500),
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, standup_id) REFERENCES standups (org_id, id) ON DELETE CASCADE,
    UNIQUE (standup_id, owner_id, question_id),
    CHECK ((status = 'RESOLVED') = (resolved_at IS NOT NULL))
);
-- A team's list by status, oldest first (the cursor is (opened_at, id)).
CREATE INDEX blockers_team_status_idx ON blockers (org_id, team_id, status, opened_at, id);
-- A person's open blockers, shown in their next standup.
CREATE INDEX blockers_owner_open_idx ON blockers (org_id, owner_id, opened_at) WHERE status = 'OPEN';
