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

-- Chinese full-text search: FTS5 with the trigram tokenizer matches any
-- substring of three or more characters, which needs no word segmentation.
-- The index is contentless (the text stays only in notices) and its rowid
-- is a search key that sorts like published_at: the publication time in
-- microseconds, moved up by a microsecond or two when another notice holds
-- that instant. FTS5 then streams matches newest first and a search stops
-- after one page however common the term is. notice_search_keys maps a key
-- back to its notice. Only published notices are indexed; the triggers keep
-- the index in step with whatever writes notices.
CREATE TABLE notice_search_keys (
    key       INTEGER PRIMARY KEY,
    notice_id INTEGER NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE notice_search USING fts5(title, body, content='', contentless_delete=1, tokenize='trigram');
-- The index's terms (trigrams), so that a two-character term can be looked
-- up as every trigram that begins with it (portal/search.go).
CREATE VIRTUAL TABLE notice_search_terms USING fts5vocab(notice_search, 'col');

-- +goose StatementBegin
CREATE TRIGGER notice_search_insert AFTER INSERT ON notices WHEN new.state = 'published'
BEGIN
    INSERT INTO notice_search_keys(key, notice_id) VALUES (
        CASE WHEN NOT EXISTS (SELECT 1 FROM notice_search_keys WHERE key = new.published_at) THEN new.published_at
        ELSE (SELECT k.key + 1 FROM notice_search_keys k WHERE k.key >= new.published_at
              AND NOT EXISTS (SELECT 1 FROM notice_search_keys g WHERE g.key = k.key + 1)
              ORDER BY k.key LIMIT 1) END,
        new.id);
    INSERT INTO notice_search(rowid, title, body)
        SELECT key, new.title || ' ', new.body || ' ' FROM notice_search_keys WHERE notice_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_search_update AFTER UPDATE OF state, title, body, published_at ON notices
BEGIN
    DELETE FROM notice_search WHERE rowid = (SELECT key FROM notice_search_keys WHERE notice_id = old.id);
    DELETE FROM notice_search_keys WHERE notice_id = old.id;
    INSERT INTO notice_search_keys(key, notice_id) SELECT
        CASE WHEN NOT EXISTS (SELECT 1 FROM notice_search_keys WHERE key = new.published_at) THEN new.published_at
        ELSE (SELECT k.key + 1 FROM notice_search_keys k WHERE k.key >= new.published_at
              AND NOT EXISTS (SELECT 1 FROM notice_search_keys g WHERE g.key = k.key + 1)
              ORDER BY k.key LIMIT 1) END,
        new.id
        WHERE new.state = 'published';
    INSERT INTO notice_search(rowid, title, body)
        SELECT key, new.title || ' ', new.body || ' ' FROM notice_search_keys WHERE notice_id = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_search_delete AFTER DELETE ON notices
BEGIN
    DELETE FROM notice_search WHERE rowid = (SELECT key FROM notice_search_keys WHERE notice_id = old.id);
    DELETE FROM notice_search_keys WHERE notice_id = old.id;
END;
-- +goose StatementEnd

-- Index what is already published (the update trigger does the work).
UPDATE notices SET title = title WHERE state = 'published';

-- +goose Down
DROP TRIGGER notice_search_delete;
DROP TRIGGER notice_search_update;
DROP TRIGGER notice_search_insert;
DROP TABLE notice_search_terms;
DROP TABLE notice_search;
DROP TABLE notice_search_keys;
DROP INDEX notices_pub_region;
DROP INDEX notices_pub_prefecture;
DROP INDEX notices_pub_trade_kind_region;
DROP INDEX notices_pub_trade_kind;
DROP INDEX notices_pub_kind;
DROP INDEX notices_pub_trade;
DROP INDEX notices_pub_time;
