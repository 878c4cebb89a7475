-- +goose Up
-- Tendering rounds (轮次) of the online opening (internal/bidding,
-- docs/bidding.md). After a 流标 (RULES A12) a lot may be tendered again
-- with a new tender notice and a new deadline: each round has its own bids,
-- opening, opened bids, record and responses. A lot's current round is one
-- more than the number of its openings held at an earlier deadline, so the
-- notice that sets a new deadline is what starts a new round. Existing rows
-- are round 1.
ALTER TABLE bids ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
DROP INDEX bids_active_slot;
CREATE UNIQUE INDEX bids_active_slot ON bids(lot_id, round, slot) WHERE state = 'active';
DROP INDEX bids_lot;
CREATE INDEX bids_lot ON bids(lot_id, round);

ALTER TABLE openings ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE openings ADD COLUMN bid_deadline BIGINT NOT NULL DEFAULT 0; -- the deadline this round was opened at
-- The deadline of an existing opening: the lot's, unless the lot has since
-- been given a later deadline still ahead (a re-tender waiting for its own
-- round), when the opening's start stands for it.
UPDATE openings o SET bid_deadline = CASE
    WHEN l.bid_deadline > o.started_at AND l.bid_deadline > (EXTRACT(EPOCH FROM now()) * 1000000)::BIGINT
    THEN o.started_at ELSE l.bid_deadline END
FROM lots l WHERE l.id = o.lot_id;
ALTER TABLE openings DROP CONSTRAINT openings_pkey;
ALTER TABLE openings ADD PRIMARY KEY (lot_id, round);

ALTER TABLE opened_bids ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE opened_bids DROP CONSTRAINT opened_bids_lot_id_bidder_org_id_key;
ALTER TABLE opened_bids ADD CONSTRAINT opened_bids_lot_round_bidder UNIQUE (lot_id, round, bidder_org_id);
CREATE INDEX opened_bids_blob ON opened_bids(blob_key);

ALTER TABLE opening_responses ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
DROP INDEX opening_responses_lot;
CREATE INDEX opening_responses_lot ON opening_responses(lot_id, round);
DROP INDEX opening_responses_confirm;
CREATE UNIQUE INDEX opening_responses_confirm ON opening_responses(lot_id, round, bidder_org_id) WHERE kind = 'confirm';

-- +goose Down
-- Later rounds have no place in the one-opening schema: they are dropped.
DELETE FROM opening_responses WHERE round > 1;
DROP INDEX opening_responses_confirm;
CREATE UNIQUE INDEX opening_responses_confirm ON opening_responses(lot_id, bidder_org_id) WHERE kind = 'confirm';
DROP INDEX opening_responses_lot;
CREATE INDEX opening_responses_lot ON opening_responses(lot_id);
ALTER TABLE opening_responses DROP COLUMN round;

DROP INDEX opened_bids_blob;
DELETE FROM opened_bids WHERE round > 1;
ALTER TABLE opened_bids DROP CONSTRAINT opened_bids_lot_round_bidder;
ALTER TABLE opened_bids ADD CONSTRAINT opened_bids_lot_id_bidder_org_id_key UNIQUE (lot_id, bidder_org_id);
ALTER TABLE opened_bids DROP COLUMN round;

DELETE FROM openings WHERE round > 1;
ALTER TABLE openings DROP CONSTRAINT openings_pkey;
ALTER TABLE openings ADD PRIMARY KEY (lot_id);
ALTER TABLE openings DROP COLUMN bid_deadline;
ALTER TABLE openings DROP COLUMN round;

DELETE FROM bids WHERE round > 1;
DROP INDEX bids_lot;
CREATE INDEX bids_lot ON bids(lot_id);
DROP INDEX bids_active_slot;
CREATE UNIQUE INDEX bids_active_slot ON bids(lot_id, slot) WHERE state = 'active';
ALTER TABLE bids DROP COLUMN round;
