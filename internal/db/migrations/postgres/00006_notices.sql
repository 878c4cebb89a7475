-- +goose Up
-- Notices (issue 3): the facts the legal checks need that 00004 did not
-- hold, and the review queue's order.
--   starts_at      listing / auction start (RULES E1: notice ≥ 20 days before it)
--   affects_bids   an amendment that may affect bid preparation (RULES A4, D4)
--   invitees       invited tendering: JSON array of the invited bidders' organisation ids (RULES A24)
--   awardee_org_id result notices: the awardee (checked by the service; no foreign
--                  key so that SQLite can drop the column again)
ALTER TABLE notices ADD COLUMN starts_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN affects_bids BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE notices ADD COLUMN invitees TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN awardee_org_id BIGINT;
ALTER TABLE notices ADD COLUMN submitted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_attachments ADD COLUMN uploaded_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notice_attachments ADD COLUMN uploaded_by BIGINT NOT NULL DEFAULT 0;
CREATE INDEX notices_review ON notices(state, submitted_at);
CREATE INDEX notices_amends ON notices(amends_id);

-- +goose Down
DROP INDEX notices_amends;
DROP INDEX notices_review;
ALTER TABLE notice_attachments DROP COLUMN uploaded_by;
ALTER TABLE notice_attachments DROP COLUMN uploaded_at;
ALTER TABLE notices DROP COLUMN updated_at;
ALTER TABLE notices DROP COLUMN submitted_at;
ALTER TABLE notices DROP COLUMN awardee_org_id;
ALTER TABLE notices DROP COLUMN invitees;
ALTER TABLE notices DROP COLUMN affects_bids;
ALTER TABLE notices DROP COLUMN starts_at;
