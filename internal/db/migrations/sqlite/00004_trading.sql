-- +goose Up
-- The front door (issue 3): service guide, projects and lots with intake,
-- notices with attachments and secret download records, venues and bookings.
-- Money is BIGINT fen; times BIGINT microseconds UTC; flags INTEGER 0/1.

CREATE TABLE guide_services (
    id            INTEGER PRIMARY KEY,
    trade_kind    TEXT NOT NULL,              -- construction | procurement | land | property
    code          TEXT NOT NULL UNIQUE,       -- e.g. construction.intake
    name          TEXT NOT NULL,              -- 进场登记
    mode          TEXT NOT NULL,              -- immediate 马上办 | online 网上办 | once 一次办
    limit_amount  INTEGER NOT NULL,           -- promised time limit
    limit_unit    TEXT NOT NULL,              -- working_hours | working_days
    green_amount  INTEGER NOT NULL DEFAULT 0, -- shorter limit for the green channel, 0 = same
    legal_basis   TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    updated_at    BIGINT NOT NULL,
    updated_by    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE guide_materials (
    id          INTEGER PRIMARY KEY,
    service_id  INTEGER NOT NULL REFERENCES guide_services(id),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    required    INTEGER NOT NULL DEFAULT 1,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX guide_materials_service ON guide_materials(service_id, position);

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,     -- 项目编号, e.g. ZT530602-2026-0001
    name            TEXT NOT NULL,
    trade_kind      TEXT NOT NULL,            -- construction | procurement | land | property
    industry        TEXT NOT NULL,            -- decides the supervisory department
    centre_id       INTEGER NOT NULL REFERENCES centres(id),
    region_code     TEXT NOT NULL,
    procedure       TEXT NOT NULL,            -- open | invited | negotiation | consultation | inquiry | single_source | listing | auction
    state_funded    INTEGER NOT NULL DEFAULT 0,
    approval_ref    TEXT NOT NULL DEFAULT '',
    estimated_price BIGINT NOT NULL DEFAULT 0,
    tenderer_org_id INTEGER NOT NULL REFERENCES organisations(id),
    agent_org_id    INTEGER REFERENCES organisations(id),
    green_channel   INTEGER NOT NULL DEFAULT 0,
    green_reason    TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    submitted_at    BIGINT NOT NULL DEFAULT 0,
    due_at          BIGINT NOT NULL DEFAULT 0, -- when the centre must have answered the intake
    decided_at      BIGINT NOT NULL DEFAULT 0,
    decided_by      BIGINT NOT NULL DEFAULT 0,
    return_reason   TEXT NOT NULL DEFAULT '',
    created_by      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX projects_state ON projects(state, centre_id);
CREATE INDEX projects_region ON projects(region_code, trade_kind);
CREATE INDEX projects_tenderer ON projects(tenderer_org_id);

CREATE TABLE lots (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    seq             INTEGER NOT NULL,          -- 标段(包) number within the project
    name            TEXT NOT NULL,
    estimated_price BIGINT NOT NULL DEFAULT 0, -- 估算价/预算/挂牌底价 (fen)
    max_price       BIGINT NOT NULL DEFAULT 0, -- 最高投标限价, 0 = none
    deposit         BIGINT NOT NULL DEFAULT 0, -- 投标保证金 (fen)
    eval_method     TEXT NOT NULL,
    bid_deadline    BIGINT NOT NULL DEFAULT 0, -- set by the tender notice
    opening_at      BIGINT NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    award_price     BIGINT NOT NULL DEFAULT 0, -- 中标/成交价 (fen), 0 = not awarded
    awardee_org_id  INTEGER REFERENCES organisations(id),
    awarded_at      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (project_id, seq)
);

CREATE TABLE project_materials (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    material_id  INTEGER REFERENCES guide_materials(id),
    name         TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    size         BIGINT NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    uploaded_by  BIGINT NOT NULL
);
CREATE INDEX project_materials_project ON project_materials(project_id);

CREATE TABLE notices (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects(id),
    lot_id         INTEGER REFERENCES lots(id),   -- NULL = every lot of the project
    kind           TEXT NOT NULL,   -- tender | prequalification | amendment | candidates | result | termination | failure | listing
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    trade_kind     TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    state          TEXT NOT NULL,   -- draft | review | scheduled | published | rejected
    amends_id      INTEGER REFERENCES notices(id),
    docs_from      BIGINT NOT NULL DEFAULT 0,   -- tender documents available from
    docs_until     BIGINT NOT NULL DEFAULT 0,   -- … until
    bid_deadline   BIGINT NOT NULL DEFAULT 0,
    opening_at     BIGINT NOT NULL DEFAULT 0,
    publish_at     BIGINT NOT NULL DEFAULT 0,   -- scheduled publication
    published_at   BIGINT NOT NULL DEFAULT 0,
    ends_at        BIGINT NOT NULL DEFAULT 0,   -- end of a publicity / listing period
    amount         BIGINT NOT NULL DEFAULT 0,   -- award / deal price on result notices (fen)
    content_hash   BLOB,                        -- SM3 of the canonical published content
    signature      BLOB,                        -- platform SM2 signature over content_hash
    created_by     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    reviewed_by    BIGINT NOT NULL DEFAULT 0,
    reviewed_at    BIGINT NOT NULL DEFAULT 0,
    review_note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notices_public ON notices(state, published_at);
CREATE INDEX notices_project ON notices(project_id);
CREATE INDEX notices_filter ON notices(trade_kind, kind, region_code, published_at);

CREATE TABLE notice_attachments (
    id          INTEGER PRIMARY KEY,
    notice_id   INTEGER NOT NULL REFERENCES notices(id),
    name        TEXT NOT NULL,
    blob_key    TEXT NOT NULL,
    size        BIGINT NOT NULL,
    digest      TEXT NOT NULL,                  -- SM3 hex
    tender_docs INTEGER NOT NULL DEFAULT 0      -- 1 = tender documents: download recorded and secret (B3)
);
CREATE INDEX notice_attachments_notice ON notice_attachments(notice_id);

-- Who obtained tender documents is secret until the bid deadline (RULES B3):
-- the row holds only the lot and a sealed (SM4-GCM) record of who and when.
CREATE TABLE document_downloads (
    id         INTEGER PRIMARY KEY,
    lot_id     INTEGER NOT NULL REFERENCES lots(id),
    sealed     BLOB NOT NULL,
    created_at BIGINT NOT NULL                  -- coarse (day) so order does not reveal who
);
CREATE INDEX document_downloads_lot ON document_downloads(lot_id);

CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY,
    centre_id  INTEGER NOT NULL REFERENCES centres(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,                   -- opening_hall | evaluation_room | remote_seat
    capacity   INTEGER NOT NULL,
    equipment  TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (centre_id, name)
);

CREATE TABLE bookings (
    id            INTEGER PRIMARY KEY,
    room_id       INTEGER NOT NULL REFERENCES rooms(id),
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    lot_id        INTEGER REFERENCES lots(id),
    purpose       TEXT NOT NULL,                -- opening | evaluation
    starts_at     BIGINT NOT NULL,
    ends_at       BIGINT NOT NULL,
    state         TEXT NOT NULL,                -- active | cancelled
    cancel_reason TEXT NOT NULL DEFAULT '',
    green         INTEGER NOT NULL DEFAULT 0,   -- made in a reserved green-channel slot
    created_by    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX bookings_room ON bookings(room_id, starts_at);
CREATE INDEX bookings_project ON bookings(project_id);

-- One row per room and 30-minute slot an active booking holds: the primary
-- key makes double booking impossible on both engines, whatever the race.
CREATE TABLE booking_slots (
    room_id    INTEGER NOT NULL REFERENCES rooms(id),
    slot_start BIGINT NOT NULL,
    booking_id INTEGER NOT NULL REFERENCES bookings(id),
    PRIMARY KEY (room_id, slot_start)
);

-- Weekly slots kept for green-channel projects, released to everyone when
-- unused by release_hours before they start.
CREATE TABLE reserved_slots (
    id            INTEGER PRIMARY KEY,
    room_id       INTEGER NOT NULL REFERENCES rooms(id),
    weekday       INTEGER NOT NULL,             -- 1 = Monday … 7 = Sunday
    start_minute  INTEGER NOT NULL,             -- minutes after 00:00 Beijing time
    end_minute    INTEGER NOT NULL,
    release_hours INTEGER NOT NULL DEFAULT 24,
    note          TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE reserved_slots;
DROP TABLE booking_slots;
DROP TABLE bookings;
DROP TABLE rooms;
DROP TABLE document_downloads;
DROP TABLE notice_attachments;
DROP TABLE notices;
DROP TABLE project_materials;
DROP TABLE lots;
DROP TABLE projects;
DROP TABLE guide_materials;
DROP TABLE guide_services;
