-- +goose Up
-- The verifiable expert draw (issue 5, internal/draw): draw requests, the
-- fixed pool and the committed seed, the calls of the call-out, alerts.
-- Times are BIGINT microseconds UTC.
--
-- Nothing here names a drawn expert in clear before unsealing: each call
-- row holds the expert id sealed (SM4-GCM, platform PII key), and the seed
-- that fixes the order is sealed too until the evaluation starts. The pool
-- (everyone eligible) and the exclusions are not secret.

CREATE TABLE draws (
    id                INTEGER PRIMARY KEY,
    project_id        INTEGER NOT NULL REFERENCES projects(id),
    lot_id            INTEGER NOT NULL REFERENCES lots(id),
    centre_id         INTEGER NOT NULL REFERENCES centres(id),
    eval_start        BIGINT NOT NULL,
    eval_end          BIGINT NOT NULL,
    venue             TEXT NOT NULL,
    booking_id        INTEGER REFERENCES bookings(id),
    request           TEXT NOT NULL,            -- JSON: quotas, centres, panel, avoidance options, named exclusions
    panel_size        INTEGER NOT NULL,
    answer_minutes    INTEGER NOT NULL,
    state             TEXT NOT NULL,            -- requested | committed | calling | complete | short
    pool              BLOB,                     -- canonical pool encoding, fixed at commit
    pool_digest       BLOB,                     -- SM3 of pool
    exclusions        BLOB,                     -- canonical encoding of the exclusions (expert ids and reasons)
    exclusions_digest BLOB,
    commitment        BLOB,                     -- SM3(seed)
    seed_sealed       BLOB,                     -- the server seed, sealed until unsealing
    contribution      BLOB,                     -- the witness's random value
    witness_id        BIGINT NOT NULL DEFAULT 0,
    seed              BLOB,                     -- revealed at unsealing
    version           BIGINT NOT NULL DEFAULT 0, -- bumped on every change (live progress)
    created_by        BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    committed_at      BIGINT NOT NULL DEFAULT 0,
    witnessed_at      BIGINT NOT NULL DEFAULT 0,
    unsealed_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX draws_lot ON draws(lot_id);
CREATE INDEX draws_centre ON draws(centre_id, created_at);
CREATE INDEX draws_unseal ON draws(unsealed_at, eval_start);

CREATE TABLE draw_calls (
    id            INTEGER PRIMARY KEY,
    draw_id       INTEGER NOT NULL REFERENCES draws(id),
    specialty     TEXT NOT NULL,
    position      INTEGER NOT NULL,             -- place in the specialty's sequence
    token         TEXT NOT NULL UNIQUE,         -- random call id (voice gateway, in-app link)
    expert_sealed BLOB NOT NULL,                -- the expert id, SM4-GCM sealed
    expert_index  TEXT NOT NULL,                -- keyed SM3 of the expert id: finds an expert's invitations, reveals nothing without the key
    expert_id     BIGINT NOT NULL DEFAULT 0,    -- in clear only once unsealed
    channel       TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,                -- queued | sent | accepted | declined | no_answer | busy | failed | replaced
    queued_at     BIGINT NOT NULL,
    sent_at       BIGINT NOT NULL DEFAULT 0,
    deadline      BIGINT NOT NULL,
    answered_at   BIGINT NOT NULL DEFAULT 0,
    engagement_id BIGINT NOT NULL DEFAULT 0,
    note          TEXT NOT NULL DEFAULT '',
    UNIQUE (draw_id, specialty, position)
);
CREATE INDEX draw_calls_open ON draw_calls(state, deadline);
CREATE INDEX draw_calls_expert ON draw_calls(expert_index);

CREATE TABLE draw_alerts (
    id        INTEGER PRIMARY KEY,
    draw_id   INTEGER NOT NULL REFERENCES draws(id),
    at        BIGINT NOT NULL,
    specialty TEXT NOT NULL,
    missing   INTEGER NOT NULL,
    message   TEXT NOT NULL
);
CREATE INDEX draw_alerts_draw ON draw_alerts(draw_id);

-- +goose Down
DROP TABLE draw_alerts;
DROP TABLE draw_calls;
DROP TABLE draws;
