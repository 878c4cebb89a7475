package db

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"ggzy/internal/errs"
)

// mapErr turns driver errors into errs codes: the only place that knows
// SQLite's and PostgreSQL's error numbers.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Wrap(errs.NotFound, err, "记录不存在")
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return errs.Wrap(errs.Conflict, err, duplicateMessage(pg.ConstraintName))
		case "23503":
			return errs.Wrap(errs.Conflict, err, "关联的记录不存在或仍被引用")
		case "23514", "23502":
			return errs.Wrap(errs.Invalid, err, "数据不符合约束")
		case "40001", "40P01":
			return &retryErr{err}
		}
		return err
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errs.Wrap(errs.Conflict, err, duplicateMessage(sqliteConstraint(lite.Error())))
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errs.Wrap(errs.Conflict, err, "关联的记录不存在或仍被引用")
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return errs.Wrap(errs.Invalid, err, "数据不符合约束")
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &retryErr{err}
		}
	}
	return err
}

// sqliteConstraint pulls "table.column" out of SQLite's message.
func sqliteConstraint(msg string) string {
	if i := strings.LastIndex(msg, "failed: "); i >= 0 {
		return strings.TrimSuffix(msg[i+len("failed: "):], ")")
	}
	return ""
}

// duplicateMessage says in Chinese which value is taken; the constraint or
// column name tells which.
func duplicateMessage(constraint string) string {
	for key, label := range duplicateLabels {
		if strings.Contains(constraint, key) {
			return label + "已存在"
		}
	}
	return "记录已存在"
}

// duplicateLabels names unique columns for users. Keys match both SQLite's
// "table.column" and PostgreSQL's constraint names.
var duplicateLabels = map[string]string{
	"credit_code": "统一社会信用代码",
	"username":    "用户名",
	"id_index":    "身份证号",
	"token_hash":  "令牌",
}

// retryErr marks a transaction that lost a race and may run again.
type retryErr struct{ err error }

func (r *retryErr) Error() string { return "事务冲突，请重试: " + r.err.Error() }
func (r *retryErr) Unwrap() error { return r.err }

func retryable(err error) bool {
	var r *retryErr
	return errors.As(err, &r)
}
