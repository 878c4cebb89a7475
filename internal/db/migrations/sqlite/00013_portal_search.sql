-- +goose Up
-- Project codes in published notices, for the public search (issue 3,
-- internal/portal/search_code.go). A code such as 530602-2026-0001 is made
-- of trigrams that occur in nearly every notice, so the trigram index is a
-- poor way to find it; this table is a B-tree over the codes instead.
--
-- A key starts at six ASCII digits followed by a hyphen and runs to the end
-- of that run of digits and hyphens ("BX530602-2024-0000778" holds the key
-- 530602-2024-0000778; "1234567-2024" holds 234567-2024). Wherever a term
-- of six digits, a hyphen and more digits or hyphens occurs, it starts a
-- key, so a B-tree range finds every notice containing it. Keys shorter
-- than 11 characters are not kept (a code term is at least that long).
-- head is the key's first 11 characters (region and year); sort_key is the
-- notice's search key (notice_search_keys), so the index reads a head in
-- the order the search pages in.
--
-- The table follows notice_search_keys, which holds exactly the published
-- notices and is rewritten by its triggers whenever a notice's state, text
-- or publication time changes.
CREATE TABLE notice_codes (
    head      TEXT NOT NULL,
    code      TEXT NOT NULL,
    sort_key  INTEGER NOT NULL,
    notice_id INTEGER NOT NULL
);
CREATE INDEX notice_codes_head ON notice_codes(head, sort_key, notice_id, code);
CREATE INDEX notice_codes_notice ON notice_codes(notice_id);

-- +goose StatementBegin
CREATE TRIGGER notice_codes_insert AFTER INSERT ON notice_search_keys
BEGIN
    INSERT INTO notice_codes(head, code, sort_key, notice_id)
    SELECT DISTINCT substr(j.value, 1, 11), j.value, k.key, k.notice_id
    FROM notice_search_keys k CROSS JOIN notices n ON n.id = k.notice_id CROSS JOIN json_each((
            -- From the six digits before each hyphen to the end of that run of
            -- digits and hyphens (ltrim strips the run).
            SELECT json_group_array(substr(s, 1, length(s) - length(ltrim(s, '0123456789-')))) FROM (
                WITH RECURSIVE dash(at) AS (
                    SELECT instr(n.title || ' ' || n.body, '-')
                    UNION ALL
                    SELECT at + instr(substr(n.title || ' ' || n.body, at + 1), '-') FROM dash
                    WHERE instr(substr(n.title || ' ' || n.body, at + 1), '-') > 0
                )
                SELECT substr(n.title || ' ' || n.body, at - 6) AS s FROM dash
                WHERE at > 6 AND substr(n.title || ' ' || n.body, at - 6, 6) GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]'
            ))) j
    WHERE k.key = new.key AND length(j.value) >= 11;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notice_codes_delete AFTER DELETE ON notice_search_keys
BEGIN
    DELETE FROM notice_codes WHERE notice_id = old.notice_id;
END;
-- +goose StatementEnd

-- The notices already published (the same statement as the trigger's).
INSERT INTO notice_codes(head, code, sort_key, notice_id)
SELECT DISTINCT substr(j.value, 1, 11), j.value, k.key, k.notice_id
FROM notice_search_keys k CROSS JOIN notices n ON n.id = k.notice_id CROSS JOIN json_each((
        -- From the six digits before each hyphen to the end of that run of
        -- digits and hyphens (ltrim strips the run).
        SELECT json_group_array(substr(s, 1, length(s) - length(ltrim(s, '0123456789-')))) FROM (
            WITH RECURSIVE dash(at) AS (
                SELECT instr(n.title || ' ' || n.body, '-')
                UNION ALL
                SELECT at + instr(substr(n.title || ' ' || n.body, at + 1), '-') FROM dash
                WHERE instr(substr(n.title || ' ' || n.body, at + 1), '-') > 0
            )
            SELECT substr(n.title || ' ' || n.body, at - 6) AS s FROM dash
            WHERE at > 6 AND substr(n.title || ' ' || n.body, at - 6, 6) GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]'
        ))) j
WHERE length(j.value) >= 11;

-- +goose Down
DROP TRIGGER notice_codes_delete;
DROP TRIGGER notice_codes_insert;
DROP TABLE notice_codes;
