-- +goose Up
-- Times are BIGINT microseconds since the Unix epoch (UTC) on both engines.
CREATE TABLE centres (
    id          INTEGER PRIMARY KEY,
    region_code TEXT NOT NULL UNIQUE,           -- GB/T 2260
    name        TEXT NOT NULL,                  -- 昭通市公共资源交易中心
    region_name TEXT NOT NULL,                  -- 昭通市
    level       TEXT NOT NULL CHECK (level IN ('province','prefecture','county')),
    parent_id   INTEGER REFERENCES centres(id),
    created_at  BIGINT NOT NULL
);

CREATE TABLE organisations (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('tenderer','agent','bidder','supervisor','bank','centre','expert_employer','platform')),
    credit_code   TEXT NOT NULL UNIQUE,
    centre_id     INTEGER NOT NULL REFERENCES centres(id),
    region_code   TEXT NOT NULL,                -- jurisdiction region for supervisors
    industry      TEXT NOT NULL DEFAULT '',     -- jurisdiction industry for supervisors
    legal_rep     TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    contact_phone BLOB,                         -- SM4-GCM sealed
    status        TEXT NOT NULL CHECK (status IN ('pending','approved','rejected','disabled')),
    status_reason TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    decided_at    BIGINT,
    decided_by    INTEGER
);
CREATE INDEX organisations_status ON organisations(status, centre_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('tenderer','agent','bidder','expert','staff','supervisor','admin')),
    id_number     BLOB,                         -- SM4-GCM sealed 身份证号
    id_index      TEXT UNIQUE,                  -- keyed SM3 of the ID number, for uniqueness
    phone         BLOB,                         -- SM4-GCM sealed
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('active','pending','disabled')),
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    last_login_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,                -- SM3 of the cookie value
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,                 -- first characters, to recognise a token
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE audit_events (
    seq         BIGINT PRIMARY KEY,             -- 0-based record index in the Merkle tree
    at          BIGINT NOT NULL,
    actor_id    BIGINT NOT NULL DEFAULT 0,
    actor_name  TEXT NOT NULL DEFAULT '',
    org_id      BIGINT NOT NULL DEFAULT 0,
    ip          TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    region_code TEXT NOT NULL DEFAULT '',
    industry    TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '{}',
    prev_hash   BLOB NOT NULL,
    hash        BLOB NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id, seq);

CREATE TABLE audit_hashes (
    idx  BIGINT PRIMARY KEY,                    -- tlog stored hash index
    hash BLOB NOT NULL
);

CREATE TABLE audit_checkpoints (
    size     BIGINT PRIMARY KEY,
    root     BLOB NOT NULL,
    note     TEXT NOT NULL,                     -- signed note (SM2)
    at       BIGINT NOT NULL
);

CREATE TABLE platform_keys (
    name       TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE platform_keys;
DROP TABLE audit_checkpoints;
DROP TABLE audit_hashes;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organisations;
DROP TABLE centres;
