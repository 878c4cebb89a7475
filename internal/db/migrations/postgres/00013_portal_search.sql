-- +goose Up
-- The public search over a million notices (issue 3, internal/portal): the
-- trigram index searched one time bucket at a time, and project codes
-- through a B-tree.

-- Terms frequent in old notices but absent from recent ones: pg_trgm's GIN
-- index hands back every match unordered, so finding the newest meant
-- fetching and sorting all of them (a third of a million for "2024年").
-- This index adds two buckets of the publication time to the text's
-- trigrams — 30 days and one day, as btree_gin keys — so "the term within
-- bucket B" reads only B's part of the posting lists, and a bucket without
-- the term costs a few index pages. The search looks at the buckets newest
-- first and stops once a page is full (internal/portal/search_postgres.go).
-- It answers searches without a bucket as well, so it replaces
-- notices_pub_text. Like pg_trgm (00008), btree_gin goes into public and the
-- index names the schemas the operator classes really live in. IF NOT EXISTS
-- lets a large database have the index built ahead of the upgrade (it takes
-- minutes over a million notices; CREATE INDEX CONCURRENTLY, same name).
SELECT pg_advisory_xact_lock(2260000008);
CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public;

-- +goose StatementBegin
DO $$
DECLARE
    trgm_schema text;
    btree_schema text;
BEGIN
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    SELECT n.nspname INTO btree_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'btree_gin';
    EXECUTE format('CREATE INDEX IF NOT EXISTS notices_pub_text_time ON notices USING gin ('
        '(published_at / 2592000000000) %1$I.int8_ops, (published_at / 86400000000) %1$I.int8_ops, '
        '(title || '' '' || body) %2$I.gin_trgm_ops) WHERE state = ''published''', btree_schema, trgm_schema);
END
$$;
-- +goose StatementEnd
DROP INDEX notices_pub_text;

-- Project codes in published notices (internal/portal/search_code.go). A
-- code such as 530602-2026-0001 is made of trigrams that occur in nearly
-- every notice, so pg_trgm reads posting lists as long as the table to find
-- it; this table is a B-tree over the codes instead.
--
-- A key starts at six ASCII digits followed by a hyphen and runs to the end
-- of that run of digits and hyphens ("BX530602-2024-0000778" holds the key
-- 530602-2024-0000778; "1234567-2024" holds 234567-2024). Wherever a term
-- of six digits, a hyphen and more digits or hyphens occurs, it starts a
-- key, so a B-tree range finds every notice containing it. Keys shorter
-- than 11 characters are not kept (a code term is at least that long).
-- head is the key's first 11 characters (region and year); sort_key is the
-- notice's published_at, so the index reads a head in the order the search
-- pages in. A trigger keeps the table in step with published notices.
CREATE TABLE notice_codes (
    head      TEXT NOT NULL,
    code      TEXT NOT NULL,
    sort_key  BIGINT NOT NULL,
    notice_id BIGINT NOT NULL
);
CREATE INDEX notice_codes_head ON notice_codes(head, sort_key, notice_id, code);
CREATE INDEX notice_codes_notice ON notice_codes(notice_id);

-- The keys of a text: each run of digits and hyphens that holds six digits,
-- a hyphen and four more, cut at every place where six digits and a hyphen
-- begin.
-- +goose StatementBegin
CREATE FUNCTION portal_code_keys(t text) RETURNS SETOF text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT DISTINCT substr(r.m[1], i)
    FROM regexp_matches(t, '([0-9-]*[0-9]{6}-[0-9-]{4,})', 'g') AS r(m),
         generate_series(1, char_length(r.m[1]) - 10) AS i
    WHERE substr(r.m[1], i, 7) ~ '^[0-9]{6}-$'
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION notice_codes_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM notice_codes WHERE notice_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.state = 'published' THEN
        INSERT INTO notice_codes(head, code, sort_key, notice_id)
        SELECT substr(k, 1, 11), k, NEW.published_at, NEW.id FROM portal_code_keys(NEW.title || ' ' || NEW.body) AS k;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER notice_codes_sync AFTER INSERT OR DELETE OR UPDATE OF state, title, body, published_at ON notices
    FOR EACH ROW EXECUTE FUNCTION notice_codes_sync();

-- The notices already published.
INSERT INTO notice_codes(head, code, sort_key, notice_id)
SELECT substr(k, 1, 11), k, n.published_at, n.id
FROM notices n CROSS JOIN LATERAL portal_code_keys(n.title || ' ' || n.body) AS k
WHERE n.state = 'published';

-- +goose Down
DROP TRIGGER notice_codes_sync ON notices;
DROP FUNCTION notice_codes_sync();
DROP FUNCTION portal_code_keys(text);
DROP TABLE notice_codes;
-- +goose StatementBegin
DO $$
DECLARE
    trgm_schema text;
BEGIN
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    EXECUTE format('CREATE INDEX notices_pub_text ON notices USING gin ((title || '' '' || body) %I.gin_trgm_ops) '
        'WHERE state = ''published''', trgm_schema);
END
$$;
-- +goose StatementEnd
DROP INDEX notices_pub_text_time;
