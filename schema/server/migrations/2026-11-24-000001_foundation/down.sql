DROP TABLE rate_limits;
DROP TABLE outbox;
DROP TABLE audit_events;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE organizations;
DROP TABLE users;
