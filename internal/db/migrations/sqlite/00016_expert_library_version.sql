-- +goose Up
-- The expert library's version (issue 5, internal/expert): every write of
-- the library's slowly-changing facts — an expert's record, specialties,
-- past employers, relations, status, leave, penalties — bumps the version
-- in its own transaction and stamps the experts it touched with it
-- (experts.revision). A node keeps those facts in memory for the draw pool
-- and, before using them, reads the version: if it moved, it reloads the
-- experts whose revision is newer (experts_revision). The row lock taken
-- by the bump orders the writers, so versions commit in order on any
-- number of nodes. Engagements (bookings, services) are not part of it:
-- the pool reads them on every draw.
CREATE TABLE expert_library (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO expert_library (id, version) VALUES (1, 1);
ALTER TABLE experts ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX experts_revision ON experts(revision);

-- +goose Down
DROP INDEX experts_revision;
ALTER TABLE experts DROP COLUMN revision;
DROP TABLE expert_library;
