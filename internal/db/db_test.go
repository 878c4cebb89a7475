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
