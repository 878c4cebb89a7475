-- +goose Up
-- The comprehensive expert library (issue 5, internal/expert): experts with
-- their specialties, past employers, declared relations, leave, penalties,
-- the engagements the draw books them for, and ratings.
-- Dates (birth, employment, penalties) are BIGINT microseconds of 00:00
-- Beijing time of the day; periods are [from, to) in microseconds UTC.

CREATE TABLE experts (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    id_number       BLOB NOT NULL,                -- SM4-GCM sealed 身份证号
    id_index        TEXT NOT NULL UNIQUE,         -- keyed SM3 of the ID number: one person, one record
    phone           BLOB NOT NULL,                -- SM4-GCM sealed
    email           TEXT NOT NULL DEFAULT '',
    user_id         INTEGER UNIQUE REFERENCES users(id), -- the expert's own sign-in, if any
    employer_org_id INTEGER REFERENCES organisations(id), -- when the employer is on the platform
    employer_name   TEXT NOT NULL,
    employer_code   TEXT NOT NULL,                -- 统一社会信用代码 of the employer
    centre_id       INTEGER NOT NULL REFERENCES centres(id), -- home centre: where the expert sits
    centre_code     TEXT NOT NULL,                -- its region code (kept with the row for the pool)
    title           TEXT NOT NULL,                -- 职称
    years           INTEGER NOT NULL,             -- years of practice
    birth_date      BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active','suspended','retired')),
    status_reason   TEXT NOT NULL DEFAULT '',
    suspended_from  BIGINT NOT NULL DEFAULT 0,
    suspended_until BIGINT NOT NULL DEFAULT 0,    -- 0 = until reinstated
    dishonest       INTEGER NOT NULL DEFAULT 0,   -- 失信被执行人 (RULES C14)
    dishonest_note  TEXT NOT NULL DEFAULT '',
    created_by      BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX experts_centre ON experts(centre_code, id);
CREATE INDEX experts_name ON experts(name);

-- One row per specialty code of an expert: the draw pool's table. It
-- repeats what the pool decides on without a join — the home centre, the
-- employer, the status and suspension, 失信 and the birth date — kept in step by every
-- write of the expert (internal/expert/store.go), so a pool is read from one
-- covering index: centre_code IN (...) AND code >= 'A08' AND code < 'A09',
-- marking the plainly eligible (ids only) apart from the
-- few that need the rules. Centre first: a request names a few centres,
-- and each is one seek and a short range of its experts' codes.
CREATE TABLE expert_specialties (
    expert_id     INTEGER NOT NULL REFERENCES experts(id),
    code          TEXT NOT NULL,
    centre_code   TEXT NOT NULL,
    employer_code TEXT NOT NULL,
    status        TEXT NOT NULL,
    dishonest     INTEGER NOT NULL DEFAULT 0,
    birth_date    BIGINT NOT NULL,
    suspended_from  BIGINT NOT NULL DEFAULT 0,
    suspended_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (expert_id, code)
);
CREATE INDEX expert_specialties_pool ON expert_specialties(centre_code, code, status, dishonest, birth_date, employer_code,
    suspended_from, suspended_until, expert_id);
CREATE INDEX expert_specialties_code ON expert_specialties(code, expert_id);

CREATE TABLE expert_employments (
    id          INTEGER PRIMARY KEY,
    expert_id   INTEGER NOT NULL REFERENCES experts(id),
    org_name    TEXT NOT NULL,
    credit_code TEXT NOT NULL,
    from_date   BIGINT NOT NULL,
    to_date     BIGINT NOT NULL
);
CREATE INDEX expert_employments_expert ON expert_employments(expert_id);
CREATE INDEX expert_employments_code ON expert_employments(credit_code, to_date);

CREATE TABLE expert_relations (
    id          INTEGER PRIMARY KEY,
    expert_id   INTEGER NOT NULL REFERENCES experts(id),
    credit_code TEXT NOT NULL,
    org_name    TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL CHECK (kind IN ('relative','shareholding','director','interest')),
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX expert_relations_expert ON expert_relations(expert_id);
CREATE INDEX expert_relations_code ON expert_relations(credit_code);

CREATE TABLE expert_leaves (
    id         INTEGER PRIMARY KEY,
    expert_id  INTEGER NOT NULL REFERENCES experts(id),
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX expert_leaves_expert ON expert_leaves(expert_id, starts_at);
CREATE INDEX expert_leaves_ends ON expert_leaves(ends_at, starts_at, expert_id);

CREATE TABLE expert_penalties (
    id           INTEGER PRIMARY KEY,
    expert_id    INTEGER NOT NULL REFERENCES experts(id),
    on_date      BIGINT NOT NULL,
    text         TEXT NOT NULL,
    barred_until BIGINT NOT NULL DEFAULT 0,      -- may not be drawn before this day; 0 = not barred
    created_by   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);
CREATE INDEX expert_penalties_expert ON expert_penalties(expert_id);
CREATE INDEX expert_penalties_barred ON expert_penalties(barred_until);

-- An evaluation an expert was booked for by the draw (internal/draw).
CREATE TABLE expert_engagements (
    id              INTEGER PRIMARY KEY,
    expert_id       INTEGER NOT NULL REFERENCES experts(id),
    tenderer_org_id INTEGER NOT NULL REFERENCES organisations(id),
    lot_id          INTEGER REFERENCES lots(id),
    from_at         BIGINT NOT NULL,
    to_at           BIGINT NOT NULL,
    ref             TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL CHECK (outcome IN ('invited','accepted','declined','no_answer','replaced','served')),
    CHECK (to_at > from_at)
);
CREATE INDEX expert_engagements_expert ON expert_engagements(expert_id, from_at);
-- Covering indexes for the pool: bookings overlapping the evaluation, and
-- services to the tenderer in the window, read without touching the rows.
CREATE INDEX expert_engagements_to ON expert_engagements(to_at, from_at, outcome, expert_id);
CREATE INDEX expert_engagements_tenderer ON expert_engagements(tenderer_org_id, from_at, outcome, expert_id);

-- Ratings after an engagement: one by the tenderer's side (tenderer or its
-- agent) and one by the supervisor.
CREATE TABLE expert_ratings (
    id            INTEGER PRIMARY KEY,
    engagement_id INTEGER NOT NULL REFERENCES expert_engagements(id),
    expert_id     INTEGER NOT NULL REFERENCES experts(id),
    rater         TEXT NOT NULL CHECK (rater IN ('tenderer','supervisor')),
    rater_org_id  BIGINT NOT NULL,
    rater_user_id BIGINT NOT NULL,
    score         INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment       TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    UNIQUE (engagement_id, rater)
);
CREATE INDEX expert_ratings_expert ON expert_ratings(expert_id, created_at);

-- +goose Down
DROP TABLE expert_ratings;
DROP TABLE expert_engagements;
DROP TABLE expert_penalties;
DROP TABLE expert_leaves;
DROP TABLE expert_relations;
DROP TABLE expert_employments;
DROP TABLE expert_specialties;
DROP TABLE experts;
