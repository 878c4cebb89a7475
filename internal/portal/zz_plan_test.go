package portal

import (
	"context"
	"os"
	"testing"
	"time"

	"ggzy/internal/portal/fixture"
)

func TestZZPlan(t *testing.T) {
	u := os.Getenv("ZZ_DB")
	if u == "" {
		t.Skip()
	}
	ctx := context.Background()
	d, err := fixture.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT n.id FROM (SELECT n.id, n.title, n.body FROM notices n WHERE n.id IN (SELECT notice_id FROM notice_codes WHERE head = '530602-2024' ORDER BY sort_key DESC LIMIT 41) AND n.state='published' LIMIT 41) n WHERE EXISTS (SELECT 1 FROM notice_search WHERE notice_search MATCH '"BX530602-2024"' AND notice_search.rowid = (SELECT k.key FROM notice_search_keys k WHERE k.notice_id = n.id))`,
		`SELECT n.id FROM (SELECT n.id, n.title, n.body FROM notices n WHERE n.id IN (SELECT notice_id FROM notice_codes WHERE head = '530602-2024' ORDER BY sort_key DESC LIMIT 41) AND n.state='published' LIMIT 41) n CROSS JOIN notice_search_keys k ON k.notice_id = n.id WHERE EXISTS (SELECT 1 FROM notice_search WHERE notice_search MATCH '"BX530602-2024"' AND notice_search.rowid = k.key)`,
		`SELECT k.notice_id FROM notice_search_keys k WHERE k.key IN (SELECT sort_key FROM notice_codes WHERE head = '530602-2024' ORDER BY sort_key DESC LIMIT 41) AND EXISTS (SELECT 1 FROM notice_search WHERE notice_search MATCH '"BX530602-2024"' AND notice_search.rowid = k.key)`,
	} {
		rows, err := d.Query(ctx, "EXPLAIN QUERY PLAN "+q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c int
			var s string
			rows.Scan(&a, &b, &c, &s)
			t.Log(s)
		}
		rows.Close()
		for i := 0; i < 2; i++ {
			began := time.Now()
			rows, err = d.Query(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			t.Logf("%d rows in %v", n, time.Since(began))
		}
	}
}
