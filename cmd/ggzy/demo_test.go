package main

import (
	"strings"
	"testing"
)

// `ggzy demo --load-only` loads a (small) demo through the real services,
// prints the summary and the accounts, and leaves an intact audit trail;
// a second run loads nothing.
func TestDemoLoadOnly(t *testing.T) {
	s := sqliteSite(t)
	code, out, errOut := runCmd(t, s.args("demo", "--load-only", "--projects", "40", "--now", "2026-11-25 09:00")...)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	for _, want := range []string{"交易项目 40 个", "工程建设", "公告", "场地预约", "节约资金", "演示账户", "zt_staff", "zy_staff", "tenderer00", "agent00",
		"不见面开标", "解密中", "/workbench/lots/", "bidder00", "demo-keys"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, msg := verify(t, s); code != 0 {
		t.Fatalf("audit verify after demo: %d %s", code, msg)
	}
	code, out, _ = runCmd(t, s.args("demo", "--load-only")...)
	if code != 0 || !strings.Contains(out, "不再载入") {
		t.Fatalf("second run: %d %s", code, out)
	}
}

// Past the holiday data the demo still loads, ending where the calendar
// ends, and says so.
func TestDemoAfterTheHolidayDataRunsOut(t *testing.T) {
	s := sqliteSite(t)
	code, out, errOut := runCmd(t, s.args("demo", "--load-only", "--projects", "40", "--now", "2031-03-01 09:00")...)
	if code != 0 || !strings.Contains(out, "演示数据的时间线截至") || !strings.Contains(out, "交易项目 40 个") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
}
