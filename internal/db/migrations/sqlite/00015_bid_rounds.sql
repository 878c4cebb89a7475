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

-- SQLite cannot change a primary key or a table constraint in place: the
-- two tables are made again. Nothing refers to them.
CREATE TABLE openings_r (
    lot_id          INTEGER NOT NULL REFERENCES lots(id),
    round           INTEGER NOT NULL DEFAULT 1,
    bid_deadline    BIGINT NOT NULL DEFAULT 0,  -- the deadline this round was opened at
    state           TEXT NOT NULL,          -- decrypting | failed | recorded
    started_at      BIGINT NOT NULL,
    window_ends_at  BIGINT NOT NULL,
    closed_at       BIGINT NOT NULL DEFAULT 0,
    bids_received   INTEGER NOT NULL DEFAULT 0,
    failure_reason  TEXT NOT NULL DEFAULT '',
    commitments     TEXT NOT NULL DEFAULT '[]',
    failure_notice  INTEGER REFERENCES notices(id),
    record_blob     TEXT NOT NULL DEFAULT '',
    record_digest   BLOB,
    record_signature BLOB,
    PRIMARY KEY (lot_id, round)
);
-- The deadline of an existing opening: the lot's, unless the lot has since
-- been given a later deadline still ahead (a re-tender waiting for its own
-- round), when the opening's start stands for it.
INSERT INTO openings_r (lot_id, round, bid_deadline, state, started_at, window_ends_at, closed_at, bids_received,
    failure_reason, commitments, failure_notice, record_blob, record_digest, record_signature)
SELECT o.lot_id, 1,
    CASE WHEN l.bid_deadline > o.started_at
          AND l.bid_deadline > CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
         THEN o.started_at ELSE l.bid_deadline END,
    o.state, o.started_at, o.window_ends_at, o.closed_at, o.bids_received, o.failure_reason, o.commitments,
    o.failure_notice, o.record_blob, o.record_digest, o.record_signature
FROM openings o JOIN lots l ON l.id = o.lot_id;
DROP TABLE openings;
ALTER TABLE openings_r RENAME TO openings;
CREATE INDEX openings_state ON openings(state, window_ends_at);

CREATE TABLE opened_bids_r (
    id             INTEGER PRIMARY KEY,      -- = bids.id
    lot_id         INTEGER NOT NULL REFERENCES lots(id),
    round          INTEGER NOT NULL DEFAULT 1,
    bidder_org_id  INTEGER NOT NULL REFERENCES organisations(id),
    user_id        INTEGER NOT NULL REFERENCES users(id),
    receipt_seq    BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    blob_key       TEXT NOT NULL,
    size           BIGINT NOT NULL,
    cert_fingerprint TEXT NOT NULL,
    wrapped_key    BLOB NOT NULL,
    ip             TEXT NOT NULL DEFAULT '',
    tool_fingerprint TEXT NOT NULL DEFAULT '',
    sealed_at      BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    failure_cause  TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    content_key    BLOB,
    price          BIGINT NOT NULL DEFAULT 0,
    duration_days  INTEGER NOT NULL DEFAULT 0,
    quality        TEXT NOT NULL DEFAULT '',
    manager        TEXT NOT NULL DEFAULT '',
    manager_cert   TEXT NOT NULL DEFAULT '',
    extra          TEXT NOT NULL DEFAULT '{}',
    files          TEXT NOT NULL DEFAULT '[]',
    above_max      INTEGER NOT NULL DEFAULT 0,
    decrypted_at   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (lot_id, round, bidder_org_id)
);
INSERT INTO opened_bids_r (id, lot_id, round, bidder_org_id, user_id, receipt_seq, received_at, blob_key, size,
    cert_fingerprint, wrapped_key, ip, tool_fingerprint, sealed_at, status, failure_cause, attempts, content_key, price,
    duration_days, quality, manager, manager_cert, extra, files, above_max, decrypted_at)
SELECT id, lot_id, 1, bidder_org_id, user_id, receipt_seq, received_at, blob_key, size,
    cert_fingerprint, wrapped_key, ip, tool_fingerprint, sealed_at, status, failure_cause, attempts, content_key, price,
    duration_days, quality, manager, manager_cert, extra, files, above_max, decrypted_at
FROM opened_bids;
DROP TABLE opened_bids;
ALTER TABLE opened_bids_r RENAME TO opened_bids;
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
CREATE TABLE opened_bids_1 (
    id             INTEGER PRIMARY KEY,
    lot_id         INTEGER NOT NULL REFERENCES lots(id),
    bidder_org_id  INTEGER NOT NULL REFERENCES organisations(id),
    user_id        INTEGER NOT NULL REFERENCES users(id),
    receipt_seq    BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    blob_key       TEXT NOT NULL,
    size           BIGINT NOT NULL,
    cert_fingerprint TEXT NOT NULL,
    wrapped_key    BLOB NOT NULL,
    ip             TEXT NOT NULL DEFAULT '',
    tool_fingerprint TEXT NOT NULL DEFAULT '',
    sealed_at      BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    failure_cause  TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    content_key    BLOB,
    price          BIGINT NOT NULL DEFAULT 0,
    duration_days  INTEGER NOT NULL DEFAULT 0,
    quality        TEXT NOT NULL DEFAULT '',
    manager        TEXT NOT NULL DEFAULT '',
    manager_cert   TEXT NOT NULL DEFAULT '',
    extra          TEXT NOT NULL DEFAULT '{}',
    files          TEXT NOT NULL DEFAULT '[]',
    above_max      INTEGER NOT NULL DEFAULT 0,
    decrypted_at   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (lot_id, bidder_org_id)
);
INSERT INTO opened_bids_1 SELECT id, lot_id, bidder_org_id, user_id, receipt_seq, received_at, blob_key, size,
    cert_fingerprint, wrapped_key, ip, tool_fingerprint, sealed_at, status, failure_cause, attempts, content_key, price,
    duration_days, quality, manager, manager_cert, extra, files, above_max, decrypted_at
FROM opened_bids WHERE round = 1;
DROP TABLE opened_bids;
ALTER TABLE opened_bids_1 RENAME TO opened_bids;

CREATE TABLE openings_1 (
    lot_id          INTEGER PRIMARY KEY REFERENCES lots(id),
    state           TEXT NOT NULL,
    started_at      BIGINT NOT NULL,
    window_ends_at  BIGINT NOT NULL,
    closed_at       BIGINT NOT NULL DEFAULT 0,
    bids_received   INTEGER NOT NULL DEFAULT 0,
    failure_reason  TEXT NOT NULL DEFAULT '',
    commitments     TEXT NOT NULL DEFAULT '[]',
    failure_notice  INTEGER REFERENCES notices(id),
    record_blob     TEXT NOT NULL DEFAULT '',
    record_digest   BLOB,
    record_signature BLOB
);
INSERT INTO openings_1 SELECT lot_id, state, started_at, window_ends_at, closed_at, bids_received, failure_reason,
    commitments, failure_notice, record_blob, record_digest, record_signature FROM openings WHERE round = 1;
DROP TABLE openings;
ALTER TABLE openings_1 RENAME TO openings;
CREATE INDEX openings_state ON openings(state, window_ends_at);

DELETE FROM bids WHERE round > 1;
DROP INDEX bids_lot;
CREATE INDEX bids_lot ON bids(lot_id);
DROP INDEX bids_active_slot;
CREATE UNIQUE INDEX bids_active_slot ON bids(lot_id, slot) WHERE state = 'active';
ALTER TABLE bids DROP COLUMN round;
