-- +goose Up
-- PostgreSQL stores the draw's pool and exclusions without TOAST
-- compression from here on (see the postgres migration); SQLite never
-- compresses them: nothing to change.
SELECT 1;

-- +goose Down
SELECT 1;
