-- +goose Up
-- Service guide and project intake (issue 3).
-- A guide material removed from the catalogue stays as a row (active =
-- FALSE): projects' uploaded files keep pointing at it.
ALTER TABLE guide_materials ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
-- The green channel may promise in another unit than the normal limit
-- (1 working day, green channel 2 working hours); '' = limit_unit.
ALTER TABLE guide_services ADD COLUMN green_unit TEXT NOT NULL DEFAULT '';
-- The intake queue: submitted projects by due time.
CREATE INDEX projects_queue ON projects(state, due_at);

-- +goose Down
DROP INDEX projects_queue;
ALTER TABLE guide_services DROP COLUMN green_unit;
ALTER TABLE guide_materials DROP COLUMN active;
