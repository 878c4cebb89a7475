// Package db wraps database/sql for the two engines ggzy runs on: SQLite
// (modernc.org/sqlite, the zero-setup default) and PostgreSQL (pgx). Stores
// write one SQL text with '?' placeholders; db rebinds it for PostgreSQL,
// runs each use case in one transaction (Transact), retries serialization
// failures, and maps driver errors to errs codes in one place.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"           // registers "sqlite"
)

// Dialect names the engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database.
type DB struct {
	sql     *sql.DB
	dialect Dialect
}

// Open opens a database URL: "sqlite:PATH" (the file and its folder are
// created) or "postgres://…" / "postgresql://…".
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite:"))
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	}
	return nil, fmt.Errorf("数据库地址须以 sqlite: 或 postgres:// 开头，收到 %q", redact(rawURL))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "//")
	if path == "" {
		return nil, errors.New("sqlite: 未给出数据库文件路径")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	// Immediate transactions take the write lock at BEGIN, so two writers
	// queue on busy_timeout instead of failing on lock upgrade.
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	s, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	s.SetMaxOpenConns(8)
	s.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("打开 SQLite 数据库 %s: %w", path, err)
	}
	return &DB{sql: s, dialect: SQLite}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	s, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	s.SetMaxOpenConns(20)
	s.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("连接 PostgreSQL %s: %w", redact(dsn), err)
	}
	return &DB{sql: s, dialect: Postgres}, nil
}

// redact hides a password in a URL so it never reaches a log.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Dialect tells which engine this is.
func (d *DB) Dialect() Dialect { return d.dialect }

// SQL exposes the pool for migrations and tools.
func (d *DB) SQL() *sql.DB { return d.sql }

// Close closes the pool.
func (d *DB) Close() error { return d.sql.Close() }

// Querier is what both DB and Tx offer, so read helpers work in and out of
// a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *Row
	Dialect() Dialect
}

// Exec runs a statement outside a transaction.
func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := d.sql.ExecContext(ctx, Rebind(d.dialect, q), args...)
	return r, mapErr(err)
}

// Query runs a query outside a transaction.
func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r, err := d.sql.QueryContext(ctx, Rebind(d.dialect, q), args...)
	return r, mapErr(err)
}

// QueryRow runs a one-row query outside a transaction.
func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *Row {
	return &Row{r: d.sql.QueryRowContext(ctx, Rebind(d.dialect, q), args...)}
}

// Tx is one use case's transaction.
type Tx struct {
	tx      *sql.Tx
	conn    *sql.Conn // the connection tx runs on (Batch)
	dialect Dialect
	later   []Stmt // deferred statements not yet sent (PostgreSQL)
}

func (t *Tx) Dialect() Dialect { return t.dialect }

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	r, err := t.tx.ExecContext(ctx, Rebind(t.dialect, q), args...)
	return r, mapErr(err)
}

func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	r, err := t.tx.QueryContext(ctx, Rebind(t.dialect, q), args...)
	return r, mapErr(err)
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *Row {
	if err := t.flush(ctx); err != nil {
		// A deferred statement failed: the row reports it.
		return &Row{err: err}
	}
	return &Row{r: t.tx.QueryRowContext(ctx, Rebind(t.dialect, q), args...)}
}

// Rows is what a batched statement's reader gets: the rows of its result,
// in order (Next, then Scan; Err after the last).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Stmt is one statement of a Batch: the SQL text with '?' placeholders,
// its arguments, and the reader of its rows (nil when none are wanted).
type Stmt struct {
	SQL  string
	Args []any
	Read func(Rows) error
}

// Defer runs a statement whose result nobody reads (an UPDATE or INSERT
// whose row count does not matter) as part of the next round trip to the
// database: on PostgreSQL it is queued and sent, in order, with the next
// statement of tx, or before the commit; its error, if any, is that
// statement's (or the commit's). SQLite runs it at once.
func (t *Tx) Defer(ctx context.Context, q string, args ...any) error {
	if t.dialect != Postgres {
		_, err := t.Exec(ctx, q, args...)
		return err
	}
	t.later = append(t.later, Stmt{SQL: q, Args: args})
	return nil
}

// flush sends the deferred statements (one round trip).
func (t *Tx) flush(ctx context.Context) error {
	if len(t.later) == 0 {
		return nil
	}
	return t.Batch(ctx)
}

// Batch runs stmts in order, after any deferred ones: on PostgreSQL in one
// round trip (a pipeline of extended-protocol statements, each still
// executed after the one before it has finished and with a snapshot of its
// own — so a lock taken by one holds for the reads after it), on SQLite one
// after the other. The first statement to fail ends the batch with its
// error; the transaction is then to be rolled back.
func (t *Tx) Batch(ctx context.Context, stmts ...Stmt) error {
	if t.dialect != Postgres {
		for _, st := range stmts {
			if st.Read == nil {
				if _, err := t.Exec(ctx, st.SQL, st.Args...); err != nil {
					return err
				}
				continue
			}
			rows, err := t.Query(ctx, st.SQL, st.Args...)
			if err != nil {
				return err
			}
			err = st.Read(rows)
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				return mapErr(err)
			}
		}
		return nil
	}
	all := stmts
	if len(t.later) > 0 {
		all = append(t.later, stmts...)
		t.later = nil
	}
	if len(all) == 0 {
		return nil
	}
	err := t.conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db: batch on a %T connection", dc)
		}
		var b pgx.Batch
		for _, st := range all {
			b.Queue(Rebind(Postgres, st.SQL), st.Args...)
		}
		br := sc.Conn().SendBatch(ctx, &b)
		for _, st := range all {
			rows, err := br.Query()
			if err != nil {
				br.Close()
				return err
			}
			if st.Read != nil {
				err = st.Read(rows)
			} else {
				for rows.Next() {
				}
			}
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				br.Close()
				return err
			}
		}
		return br.Close()
	})
	return mapErr(err)
}

// Lock serialises transactions that use the same key until commit: a
// PostgreSQL advisory transaction lock. SQLite needs nothing: its immediate
// transactions already run one writer at a time.
func (t *Tx) Lock(ctx context.Context, key int64) error {
	if t.dialect != Postgres {
		return nil
	}
	_, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", key)
	return err
}

// Row wraps *sql.Row so Scan maps "no rows" to errs.NotFound.
type Row struct {
	r   *sql.Row
	err error // a deferred statement's failure
}

// Scan copies the row; a missing row is errs.NotFound.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return mapErr(r.r.Scan(dest...))
}

// maxAttempts bounds retries of a transaction that lost a race.
const maxAttempts = 5

// Transact runs fn in one transaction and commits it, or rolls it back when
// fn fails. A PostgreSQL serialization failure or deadlock reruns fn, so fn
// must have no effects outside tx.
func (d *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = d.transactOnce(ctx, fn)
		if !retryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
	return err
}

func (d *DB) transactOnce(ctx context.Context, fn func(tx *Tx) error) (err error) {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer conn.Close() // back to the pool, after the commit or rollback below
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	tx := &Tx{tx: sqlTx, conn: conn, dialect: d.dialect}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.flush(ctx); err != nil {
		return err
	}
	return mapErr(sqlTx.Commit())
}

// Rebind turns '?' placeholders into $1, $2 … for PostgreSQL, leaving
// question marks inside quoted strings alone.
func Rebind(d Dialect, q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Placeholders returns "?, ?, ?" for n arguments.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
