package portal

import (
	"context"
	"os"
	"testing"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/platform"
	"ggzy/internal/portal/fixture"
)

func TestZZProbe(t *testing.T) {
	u := os.Getenv("GGZY_BENCH_DB")
	if u == "" {
		t.Skip()
	}
	ctx := context.Background()
	d, err := fixture.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	s := New(platform.Base{DB: d, Clock: clock.NewFake(benchNow)})
	for _, sc := range benchScenarios(t, s) {
		for _, f := range sc.filters {
			for _, counted := range []bool{false, true} {
				var best time.Duration
				for i := 0; i < 5; i++ {
					t0 := time.Now()
					if f.Limit == 0 {
						f.Limit = 20
					}
					if _, err := s.list(ctx, f, counted); err != nil {
						t.Fatal(err)
					}
					if el := time.Since(t0); i == 0 || el < best {
						best = el
					}
				}
				if best > 5*time.Millisecond {
					t.Logf("%s counted=%v %+v: %v", sc.name, counted, f, best)
				}
			}
		}
	}
}
