-- +goose Up
-- Sealed bids and online opening (issue 4). See internal/bidding.
--
-- Before a lot's deadline a bid is one row of `bids` whose every fact but
-- the lot, the state and the day is sealed under the platform data key
-- (who, which file, when, from where), plus decoy rows so counting rows
-- does not count bidders (RULES B3). `slot` is a keyed SM3 of (lot,
-- bidder): it keeps one active bid per bidder without naming the bidder.
CREATE TABLE bids (
    id         INTEGER PRIMARY KEY,
    lot_id     INTEGER NOT NULL REFERENCES lots(id),
    slot       TEXT NOT NULL,
    state      TEXT NOT NULL,              -- active | replaced | withdrawn | decoy
    sealed     BLOB NOT NULL,
    created_at BIGINT NOT NULL              -- day only
);
CREATE UNIQUE INDEX bids_active_slot ON bids(lot_id, slot) WHERE state = 'active';
CREATE INDEX bids_lot ON bids(lot_id);

-- Receipt numbers: one platform-wide sequence, so a receipt does not tell
-- a bidder how many others bid on its lot.
CREATE TABLE receipt_numbers (
    id         INTEGER PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- One row per lot whose deadline has passed: inserting it is what starts
-- the opening, so several nodes start it once (the primary key).
CREATE TABLE openings (
    lot_id          INTEGER PRIMARY KEY REFERENCES lots(id),
    state           TEXT NOT NULL,          -- decrypting | failed | recorded
    started_at      BIGINT NOT NULL,
    window_ends_at  BIGINT NOT NULL,
    closed_at       BIGINT NOT NULL DEFAULT 0,
    bids_received   INTEGER NOT NULL DEFAULT 0,
    failure_reason  TEXT NOT NULL DEFAULT '',
    commitments     TEXT NOT NULL DEFAULT '[]', -- JSON: the commitments of every submission and withdrawal
    failure_notice  INTEGER REFERENCES notices(id),
    record_blob     TEXT NOT NULL DEFAULT '', -- the signed PDF of the opening record
    record_digest   BLOB,                     -- SM3 of the PDF
    record_signature BLOB                     -- platform SM2 over record_digest
);
CREATE INDEX openings_state ON openings(state, window_ends_at);

-- The opened bids: written when the opening starts, from the sealed rows.
CREATE TABLE opened_bids (
    id             INTEGER PRIMARY KEY,      -- = bids.id
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
    status         TEXT NOT NULL,            -- pending | decrypted | revoked | withdrawn
    failure_cause  TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    content_key    BLOB,                     -- sealed under the platform key, after decryption only
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

-- Bidders confirm the opening record or object to it; the tenderer answers.
CREATE TABLE opening_responses (
    id            INTEGER PRIMARY KEY,
    lot_id        INTEGER NOT NULL REFERENCES lots(id),
    bidder_org_id INTEGER NOT NULL REFERENCES organisations(id),
    kind          TEXT NOT NULL,             -- confirm | objection
    text          TEXT NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    answer        TEXT NOT NULL DEFAULT '',
    answered_by   INTEGER REFERENCES users(id),
    answered_at   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX opening_responses_lot ON opening_responses(lot_id);
CREATE UNIQUE INDEX opening_responses_confirm ON opening_responses(lot_id, bidder_org_id) WHERE kind = 'confirm';

-- The decryption window per lot (minutes; 0 = the platform default of 30).
ALTER TABLE lots ADD COLUMN decrypt_minutes INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE lots DROP COLUMN decrypt_minutes;
DROP TABLE opening_responses;
DROP TABLE opened_bids;
DROP TABLE openings;
DROP TABLE receipt_numbers;
DROP TABLE bids;
