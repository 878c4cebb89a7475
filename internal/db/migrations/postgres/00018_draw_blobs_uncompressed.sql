-- +goose Up
-- The expert draw's pool and exclusions (issue 5, internal/draw) are
-- written once per draw, at commit: the pool's canonical encoding is about
-- 8 bytes per eligible expert (30 KB for a pool of 3,700). PostgreSQL's
-- default TOAST compression (pglz) spent 1.5–4 ms of CPU on every commit
-- compressing them, about a quarter of the draw's own time; stored out of
-- line without compression they cost a few more kilobytes per draw and
-- nothing on the way. Only the storage of future values changes; the
-- values and their digests are the same.
ALTER TABLE draws ALTER COLUMN pool SET STORAGE EXTERNAL, ALTER COLUMN exclusions SET STORAGE EXTERNAL;

-- +goose Down
ALTER TABLE draws ALTER COLUMN pool SET STORAGE EXTENDED, ALTER COLUMN exclusions SET STORAGE EXTENDED;
