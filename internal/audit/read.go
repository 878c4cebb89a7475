package audit

import (
	"context"
	"strings"

	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// eventCols is the column list scanEvent expects.
const eventCols = `seq, at, actor_id, actor_name, org_id, ip, action, object_type, object_id,
	region_code, industry, details, prev_hash, hash`

// scanner is *sql.Rows or *db.Row.
type scanner interface{ Scan(dest ...any) error }

// scanEvent reads one row; raw is the stored details text, which is what
// the hashes cover.
func scanEvent(s scanner) (e Event, raw string, err error) {
	var at int64
	err = s.Scan(&e.Seq, &at, &e.ActorID, &e.ActorName, &e.OrgID, &e.IP, &e.Action,
		&e.ObjectType, &e.ObjectID, &e.Region, &e.Industry, &raw, &e.PrevHash, &e.Hash)
	if err != nil {
		return Event{}, "", err
	}
	e.At = db.Time(at)
	e.Details = decodeDetails(raw)
	return e, raw, nil
}

// Get returns the event with sequence number seq.
func Get(ctx context.Context, q db.Querier, seq int64) (Event, error) {
	e, _, err := getRaw(ctx, q, seq)
	return e, err
}

func getRaw(ctx context.Context, q db.Querier, seq int64) (Event, string, error) {
	e, raw, err := scanEvent(q.QueryRow(ctx, "SELECT "+eventCols+" FROM audit_events WHERE seq = ?", seq))
	if errs.Is(err, errs.NotFound) {
		return Event{}, "", errs.E(errs.NotFound, "审计事件 #%d 不存在", seq)
	}
	return e, raw, err
}

// Page size bounds for List.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

// List returns the events matching f, newest first.
func List(ctx context.Context, q db.Querier, f Filter) ([]Event, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.ObjectType != "" {
		add("object_type = ?", f.ObjectType)
		if f.ObjectID != "" {
			add("object_id = ?", f.ObjectID)
		}
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.RegionPrefix != "" {
		// Region codes are digits, so the prefix needs no LIKE escaping
		// once it is known to be digits.
		if strings.Trim(f.RegionPrefix, "0123456789") != "" || len(f.RegionPrefix) > 12 {
			return nil, errs.E(errs.Invalid, "行政区划代码前缀只能是数字")
		}
		add("region_code LIKE ?", f.RegionPrefix+"%")
	}
	if f.Industry != "" {
		add("industry = ?", f.Industry)
	}
	if len(f.Industries) > 0 {
		add("industry IN ("+db.Placeholders(len(f.Industries))+")", anys(f.Industries)...)
	}
	if !f.From.IsZero() {
		add("at >= ?", db.Micros(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", db.Micros(f.To))
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	query := "SELECT " + eventCols + " FROM audit_events"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY seq DESC LIMIT ? OFFSET ?"
	args = append(args, limit, max(f.Offset, 0))

	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, _, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
