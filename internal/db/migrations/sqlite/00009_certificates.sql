-- +goose Up
-- Bidders' SM2 certificates (issue 4, internal/ca): each certificate is
-- bound by its fingerprint to one bidder organisation, once and for good;
-- revoking keeps the row for the record.
CREATE TABLE org_certs (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    fingerprint   TEXT NOT NULL UNIQUE,         -- SM3 of the DER, lower hex
    serial        TEXT NOT NULL,                -- hex
    subject       TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    not_before    BIGINT NOT NULL,
    not_after     BIGINT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('upload','issued')),
    der           BLOB NOT NULL,
    bound_at      BIGINT NOT NULL,
    bound_by      INTEGER NOT NULL DEFAULT 0,   -- user id; 0 = a server command
    revoked_at    BIGINT NOT NULL DEFAULT 0,
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX org_certs_org ON org_certs(org_id, bound_at);

-- +goose Down
DROP TABLE org_certs;
