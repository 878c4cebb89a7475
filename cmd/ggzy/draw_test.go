package main

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/draw"
	"ggzy/internal/expert"
	"ggzy/internal/money"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
)

// envURL is the database URL of a test platform, for the commands.
func envURL(t *testing.T, e *testenv.Env) string {
	t.Helper()
	if !dbtest.Postgres() {
		var seq int
		var name, file string
		e.Must(e.DB.QueryRow(e.Ctx, "PRAGMA database_list").Scan(&seq, &name, &file))
		return "sqlite:" + file
	}
	var schema string
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT current_schema()").Scan(&schema))
	u, err := url.Parse(os.Getenv(dbtest.EnvPostgres))
	e.Must(err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// drawnAndUnsealed runs a draw to its unsealing: five experts with no way
// to reach them (no voice, no mail, no sign-in), so each call fails and
// the next is called until the pool is used up.
func drawnAndUnsealed(t *testing.T, e *testenv.Env) int64 {
	t.Helper()
	c, err := centre.ByCode(e.Ctx, e.DB, "530600")
	e.Must(err)
	now := db.Micros(e.Clock.Now())
	var pid, lot int64
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO projects (code, name, trade_kind, industry, centre_id, region_code, procedure,
		estimated_price, tenderer_org_id, state_funded, state, created_by, created_at, updated_at)
		VALUES ('ZT530600-2026-D001', '昭通市体育馆维修工程', ?, 'housing', ?, '530600', 'open', ?, ?, TRUE, ?, 1, ?, ?) RETURNING id`,
		tender.Construction, c.ID, 300*money.OneWan, e.Orgs[auth.KindTenderer], tender.Tendering, now, now).Scan(&pid))
	e.Must(e.DB.QueryRow(e.Ctx, `INSERT INTO lots (project_id, seq, name, estimated_price, eval_method, state)
		VALUES (?, 1, '施工', ?, 'comprehensive', ?) RETURNING id`, pid, 300*money.OneWan, tender.Tendering).Scan(&lot))
	staff := e.Actor(auth.Staff)
	for i, name := range []string{"赵一鸣", "钱二松", "孙三立", "李四海", "周五岳", "吴六合"} {
		_, err := e.Expert.Create(e.Ctx, staff, expert.Input{Name: name, IDNumber: testenv.IDNumber(),
			Phone: fmt.Sprintf("1380000%04d", i), EmployerName: "某院", EmployerCode: testenv.CreditCode("530600"),
			CentreCode: "530600", Specialties: []string{"A080104"}, Title: "高级工程师", Years: 10})
		e.Must(err)
	}
	d, err := e.Draw.Create(e.Ctx, staff, draw.NewRequest{LotID: lot, EvalStart: "2026-12-03 09:00",
		EvalEnd: "2026-12-03 17:00", Venue: "第三评标室", Quotas: []draw.Quota{{Specialty: "A0801", Formal: 5}}})
	e.Must(err)
	_, err = e.Draw.Commit(e.Ctx, staff, d.ID)
	e.Must(err)
	_, err = e.Draw.Witness(e.Ctx, e.Actor(auth.Supervisor), d.ID, draw.Contribution{Value: strings.Repeat("7e", 24)})
	e.Must(err)
	return d.ID
}

// TestDrawVerifyCommand: `ggzy draw verify` refuses a sealed draw (it
// cannot replay yet), passes an unsealed one, and exits non-zero once the
// stored outcome of a call is changed.
func TestDrawVerifyCommand(t *testing.T) {
	e := testenv.New(t)
	id := drawnAndUnsealed(t, e)
	u := envURL(t, e)
	data := e.DataDir // the platform's keys: the audit checkpoints are checked against its public key
	_, err := e.Audit.Checkpoint(e.Ctx, e.DB)
	e.Must(err)
	args := func(extra ...string) []string {
		return append([]string{"draw", "verify", "--db", u, "--data", data}, extra...)
	}
	code, out, errOut := runCmd(t, args(strconv.FormatInt(id, 10))...)
	if code == 0 || !strings.Contains(errOut, "尚未启封") {
		t.Fatalf("sealed draw: exit %d out %q err %q", code, out, errOut)
	}
	e.Clock.Set(time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC))
	_, err = e.Draw.Tick(e.Ctx)
	e.Must(err)
	_, err = e.Audit.Checkpoint(e.Ctx, e.DB)
	e.Must(err)
	// The id may also come before the flags.
	code, out, errOut = runCmd(t, "draw", "verify", strconv.FormatInt(id, 10), "--db", u, "--data", data)
	if code != 0 || !strings.Contains(out, "核验通过") || !strings.Contains(out, "审计日志完好") {
		t.Fatalf("unsealed draw: exit %d out %q err %q", code, out, errOut)
	}
	if _, err := e.DB.Exec(e.Ctx, "UPDATE draw_calls SET state = 'accepted' WHERE draw_id = ? AND position = 0", id); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, args("--no-audit", strconv.FormatInt(id, 10))...)
	if code == 0 || !strings.Contains(out, "✗") || !strings.Contains(errOut, "不一致") {
		t.Fatalf("tampered outcome: exit %d out %q err %q", code, out, errOut)
	}
	if code, _, errOut = runCmd(t, args("x")...); code == 0 || !strings.Contains(errOut, "正整数") {
		t.Fatalf("bad id: exit %d err %q", code, errOut)
	}
	if code, _, errOut = runCmd(t, args("999")...); code == 0 || !strings.Contains(errOut, "不存在") {
		t.Fatalf("unknown draw: exit %d err %q", code, errOut)
	}
}
