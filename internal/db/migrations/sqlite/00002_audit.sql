-- +goose Up
-- Indexes for the audit trail reading paths: supervisors browse by time and
-- by operator, newest first. (Region filters are prefix matches on the
-- GB/T 2260 code and scan newest-first by seq.)
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_actor ON audit_events(actor_id, seq);

-- +goose Down
DROP INDEX audit_events_actor;
DROP INDEX audit_events_at;
