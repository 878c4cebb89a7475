-- +goose Up
-- The public information website's read side (issue 3, internal/portal).
--
-- Lists show published notices newest first, filtered by trading kind,
-- notice kind and region (a prefecture covers its counties: the first four
-- digits of the GB/T 2260 code). Each partial index below serves one filter
-- in publication order, so a page is read from the index and stops after
-- the page instead of sorting every match. The columns after (published_at,
-- id) are there so the other filters are checked on the index entry, before
-- any table row is read, and so a count never reads the table at all.
CREATE INDEX notices_pub_time ON notices(published_at, id, trade_kind, kind, region_code) WHERE state = 'published';
CREATE INDEX notices_pub_trade ON notices(trade_kind, published_at, id, kind, region_code) WHERE state = 'published';
CREATE INDEX notices_pub_kind ON notices(kind, published_at, id, trade_kind, region_code) WHERE state = 'published';
CREATE INDEX notices_pub_trade_kind ON notices(trade_kind, kind, published_at, id, region_code) WHERE state = 'published';
CREATE INDEX notices_pub_trade_kind_region ON notices(trade_kind, kind, region_code, published_at, id) WHERE state = 'published';
CREATE INDEX notices_pub_prefecture ON notices(substr(region_code, 1, 4), published_at, id, trade_kind, kind, region_code)
    WHERE state = 'published';
CREATE INDEX notices_pub_region ON notices(region_code, published_at, id, trade_kind, kind) WHERE state = 'published';

-- Chinese full-text search: pg_trgm's GIN index answers ILIKE '%词%' for
-- any substring of three or more characters without word segmentation.
-- The extension is database-wide; the advisory lock keeps two schemas that
-- migrate at once from both trying to create it. It goes into public and
-- the index names its operator class with the schema the extension really
-- lives in, so the index works whatever the search_path.
SELECT pg_advisory_xact_lock(2260000008);
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;

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

-- A trigram index cannot look up a two-character term, so titles also get
-- an index of their two-character pieces (lower-cased, as ILIKE compares):
-- "title contains 工程" is then "its bigrams include 工程", which GIN answers.
-- +goose StatementBegin
CREATE FUNCTION portal_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT COALESCE(array_agg(DISTINCT lower(substr(t, i, 2))), '{}')
    FROM generate_series(1, char_length(t) - 1) AS i
$$;
-- +goose StatementEnd
CREATE INDEX notices_pub_title_bigrams ON notices USING gin (portal_bigrams(title)) WHERE state = 'published';

-- +goose Down
DROP INDEX notices_pub_title_bigrams;
DROP FUNCTION portal_bigrams(text);
DROP INDEX notices_pub_text;
DROP INDEX notices_pub_region;
DROP INDEX notices_pub_prefecture;
DROP INDEX notices_pub_trade_kind_region;
DROP INDEX notices_pub_trade_kind;
DROP INDEX notices_pub_kind;
DROP INDEX notices_pub_trade;
DROP INDEX notices_pub_time;
