-- +goose Up
-- The sign-in before the current one, shown on the workbench so a user can
-- notice a sign-in that was not theirs.
ALTER TABLE users ADD COLUMN prev_login_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN prev_login_at;
