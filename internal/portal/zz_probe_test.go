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
	u := os.Getenv("ZZ_DB")
	if u == "" {
		t.Skip()
	}
	ctx := context.Background()
	d, err := fixture.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	s := New(platform.Base{DB: d, Clock: clock.NewFake(benchNow)})
	for _, q := range []string{"2024年", "BX530602-2024", "青石坪镇", "鹰鹤湾村", "BX530303-2023-0000778", "兰竹坝乡", "不存在的词语", "数据中心机房"} {
		for i := 0; i < 3; i++ {
			began := time.Now()
			p, err := s.List(ctx, public, Filter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d items in %v", q, len(p.Items), time.Since(began))
		}
	}
}
