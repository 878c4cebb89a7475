package db_test

import (
	"context"
	"sync"
	"testing"

	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/errs"
)

func TestRebind(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' , ? FROM t", "SELECT '?' , $1 FROM t"},
		{`SELECT "a?b", ?`, `SELECT "a?b", $1`},
	}
	for _, c := range cases {
		if got := db.Rebind(db.Postgres, c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := db.Rebind(db.SQLite, c.in); got != c.in {
			t.Errorf("SQLite must keep %q, got %q", c.in, got)
		}
	}
}

func FuzzRebind(f *testing.F) {
	f.Add("SELECT ? FROM t WHERE x = '?'")
	f.Fuzz(func(t *testing.T, q string) {
		out := db.Rebind(db.Postgres, q)
		if len(out) < len(q) {
			t.Fatalf("rebind shortened %q to %q", q, out)
		}
	})
}

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	n, err := d.Migrate(ctx)
	if err != nil || n != 0 {
		t.Fatalf("second migrate applied %d, err %v", n, err)
	}
	v, err := d.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("version %d, err %v", v, err)
	}
}

func insertCentre(ctx context.Context, tx db.Querier, code string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO centres (region_code, name, region_name, level, created_at)
		VALUES (?, ?, ?, 'county', 1) RETURNING id`, code, "中心"+code, "区"+code).Scan(&id)
	return id, err
}

func TestErrorMappingAndRollback(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	if err := d.Transact(ctx, func(tx *db.Tx) error {
		_, err := insertCentre(ctx, tx, "530602")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A duplicate is a Conflict, and the whole transaction is rolled back.
	err := d.Transact(ctx, func(tx *db.Tx) error {
		if _, err := insertCentre(ctx, tx, "530621"); err != nil {
			return err
		}
		_, err := insertCentre(ctx, tx, "530602")
		return err
	})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("duplicate region code: got %v, want conflict", err)
	}
	var n int
	if err := d.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after rollback %d centres (err %v), want 1", n, err)
	}
	var name string
	err = d.QueryRow(ctx, "SELECT name FROM centres WHERE region_code = ?", "999999").Scan(&name)
	if !errs.Is(err, errs.NotFound) {
		t.Fatalf("missing row: got %v, want not found", err)
	}
	// A foreign key violation is refused.
	err = d.Transact(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO centres (region_code, name, region_name, level, parent_id, created_at)
			VALUES ('530622', 'x', 'x', 'county', 12345, 1)`)
		return err
	})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("foreign key: got %v, want conflict", err)
	}
}

func TestConcurrentWritersAllCommit(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errc := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errc <- d.Transact(ctx, func(tx *db.Tx) error {
				if err := tx.Lock(ctx, 42); err != nil {
					return err
				}
				var n int
				if err := tx.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n); err != nil {
					return err
				}
				_, err := insertCentre(ctx, tx, "c"+string(rune('a'+n)))
				return err
			})
		}(i)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	d.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n)
	if n != 20 {
		t.Fatalf("%d rows, want 20 (serialised read-then-write)", n)
	}
}

// A batch's statements run in order, each after the one before it: a read
// after the lock in the same batch sees what the lock's previous holder
// committed (the read's snapshot is taken once the lock is held), so the
// batched read-then-write is serialised as the one above.
func TestBatchLockThenReadIsSerialised(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errc := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- d.Transact(ctx, func(tx *db.Tx) error {
				var stmts []db.Stmt
				if tx.Dialect() == db.Postgres {
					stmts = append(stmts, db.Stmt{SQL: "SELECT pg_advisory_xact_lock(?)", Args: []any{int64(43)}})
				}
				n := -1
				stmts = append(stmts, db.Stmt{SQL: "SELECT count(*) FROM centres", Read: func(rows db.Rows) error {
					for rows.Next() {
						if err := rows.Scan(&n); err != nil {
							return err
						}
					}
					return nil
				}})
				if err := tx.Batch(ctx, stmts...); err != nil {
					return err
				}
				if n < 0 {
					t.Error("the count was not read")
				}
				_, err := insertCentre(ctx, tx, "c"+string(rune('a'+n)))
				return err
			})
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	d.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n)
	if n != 20 {
		t.Fatalf("%d rows, want 20 (serialised read-then-write)", n)
	}
}

// A deferred statement takes effect before the next statement of the
// transaction (which sees it) and its failure is reported by that
// statement, or by the commit, and rolls the transaction back.
func TestDeferRunsInOrderAndReportsFailure(t *testing.T) {
	d := dbtest.Open(t)
	ctx := context.Background()
	err := d.Transact(ctx, func(tx *db.Tx) error {
		if _, err := insertCentre(ctx, tx, "530602"); err != nil {
			return err
		}
		if err := tx.Defer(ctx, "UPDATE centres SET name = ? WHERE region_code = ?", "改名", "530602"); err != nil {
			return err
		}
		var names []string
		if err := tx.Batch(ctx, db.Stmt{SQL: "SELECT name FROM centres WHERE region_code = ?", Args: []any{"530602"},
			Read: func(rows db.Rows) error {
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						return err
					}
					names = append(names, s)
				}
				return nil
			}}); err != nil {
			return err
		}
		if len(names) != 1 || names[0] != "改名" {
			t.Errorf("batch after the deferred update read %q, want [改名]", names)
		}
		// Deferred, then read with QueryRow: the same.
		if err := tx.Defer(ctx, "UPDATE centres SET name = ? WHERE region_code = ?", "再改", "530602"); err != nil {
			return err
		}
		var name string
		if err := tx.QueryRow(ctx, "SELECT name FROM centres WHERE region_code = ?", "530602").Scan(&name); err != nil {
			return err
		}
		if name != "再改" {
			t.Errorf("read after the deferred update %q, want 再改", name)
		}
		// Deferred last: sent before the commit.
		return tx.Defer(ctx, "UPDATE centres SET name = ? WHERE region_code = ?", "三改", "530602")
	})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := d.QueryRow(ctx, "SELECT name FROM centres WHERE region_code = ?", "530602").Scan(&name); err != nil ||
		name != "三改" {
		t.Fatalf("committed name %q (err %v), want 三改", name, err)
	}
	// A deferred duplicate is a Conflict, reported by the next statement,
	// and nothing of the transaction stays.
	for _, next := range []string{"query", "commit"} {
		err = d.Transact(ctx, func(tx *db.Tx) error {
			if _, err := insertCentre(ctx, tx, "530621"); err != nil {
				return err
			}
			if err := tx.Defer(ctx, `INSERT INTO centres (region_code, name, region_name, level, created_at)
				VALUES ('530602', 'x', 'x', 'county', 1)`); err != nil {
				return err
			}
			if next == "query" {
				var n int
				return tx.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n)
			}
			return nil
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("deferred duplicate, reported by the %s: got %v, want conflict", next, err)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT count(*) FROM centres").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after the rollback (%s) %d centres (err %v), want 1", next, n, err)
		}
	}
}
