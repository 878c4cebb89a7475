package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ggzy/internal/audit"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/db/dbtest"
	"ggzy/internal/gm"
	"ggzy/internal/ident"
)

// runCmd runs the command line and returns its exit status and both outputs.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

var han = regexp.MustCompile(`\p{Han}`)

func TestHelp(t *testing.T) {
	cases := [][]string{{}, {"help"}, {"--help"}, {"-h"}}
	for _, c := range commands() {
		cases = append(cases, []string{c.name, "--help"}, []string{c.name, "-h"})
	}
	cases = append(cases,
		[]string{"audit"}, []string{"user"}, []string{"centre"},
		[]string{"audit", "verify", "--help"}, []string{"user", "create", "--help"}, []string{"centre", "create", "--help"})
	for _, args := range cases {
		code, out, errOut := runCmd(t, args...)
		if code != 0 || !han.MatchString(out) || errOut != "" {
			t.Errorf("ggzy %v: exit %d, out %q, err %q", args, code, out, errOut)
		}
	}
	// The overall help names every command.
	_, out, _ := runCmd(t)
	for _, c := range commands() {
		if !strings.Contains(out, c.name) {
			t.Errorf("usage does not list %s", c.name)
		}
	}
	// Flag help documents the options in Chinese.
	_, out, _ = runCmd(t, "user", "create", "--help")
	for _, flag := range []string{"-username", "-role", "-centre", "-id-number", "-db", "-data"} {
		if !strings.Contains(out, flag) {
			t.Errorf("user create help lacks %s", flag)
		}
	}
	// Nothing was created by asking for help.
	if _, err := os.Stat("ggzy-data"); err == nil {
		t.Error("help created ./ggzy-data")
	}
}

func TestUnknownCommandAndSubcommand(t *testing.T) {
	code, out, errOut := runCmd(t, "frobnicate")
	if code != 2 || out != "" || !strings.Contains(errOut, "未知命令") || !strings.Contains(errOut, "serve") {
		t.Fatalf("exit %d out %q err %q", code, out, errOut)
	}
	for _, cmd := range []string{"audit", "user", "centre"} {
		code, _, errOut := runCmd(t, cmd, "explode")
		if code != 1 || !strings.Contains(errOut, "未知子命令") {
			t.Errorf("%s explode: exit %d err %q", cmd, code, errOut)
		}
	}
	code, _, errOut = runCmd(t, "version", "--no-such-flag")
	if code == 0 || !strings.Contains(errOut, "no-such-flag") {
		t.Fatalf("bad flag: exit %d err %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "version")
	if code != 0 || strings.TrimSpace(out) != "ggzy "+version {
		t.Fatalf("exit %d out %q", code, out)
	}
}

// site is a database URL and a data directory for one test.
type site struct{ url, data string }

func (s site) args(args ...string) []string {
	return append(args, "--db", s.url, "--data", s.data)
}

func sqliteSite(t *testing.T) site {
	dir := t.TempDir()
	return site{url: "sqlite:" + filepath.Join(dir, "ggzy.db"), data: filepath.Join(dir, "data")}
}

// sites is SQLite always, plus PostgreSQL when GGZY_TEST_POSTGRES is set.
func sites(t *testing.T) map[string]func(t *testing.T) site {
	m := map[string]func(t *testing.T) site{"sqlite": sqliteSite}
	if dbtest.Postgres() {
		m["postgres"] = func(t *testing.T) site {
			return site{url: dbtest.URL(t), data: filepath.Join(t.TempDir(), "data")}
		}
	}
	return m
}

func creditCode(t *testing.T, prefix string) string {
	c, err := ident.CreditCodeCheck(prefix)
	if err != nil {
		t.Fatal(err)
	}
	return prefix + string(c)
}

func idNumber(t *testing.T, first17 string) string {
	c, err := ident.IDCheck(first17)
	if err != nil {
		t.Fatal(err)
	}
	return first17 + string(c)
}

// setUp creates the province and Zhaotong centres and an administrator
// through the commands: five audit events (seq 0–4).
func setUp(t *testing.T, s site) {
	t.Helper()
	for _, c := range []struct{ code, region, credit string }{
		{"530000", "云南省", creditCode(t, "12530000MB0000001")},
		{"530600", "昭通市", creditCode(t, "12530600MB0000002")},
	} {
		code, out, errOut := runCmd(t, s.args("centre", "create", "--code", c.code, "--region", c.region,
			"--name", c.region+"公共资源交易中心", "--credit-code", c.credit, "--legal-rep", "张三",
			"--contact", "李四", "--phone", "13800000000")...)
		if code != 0 || !strings.Contains(out, "已建立"+c.region+"公共资源交易中心") {
			t.Fatalf("centre create %s: exit %d out %q err %q", c.code, code, out, errOut)
		}
	}
	code, out, errOut := runCmd(t, s.args("user", "create", "--username", "admin", "--name", "管理员", "--role", "admin",
		"--centre", "530600", "--id-number", idNumber(t, "53060219800101001"), "--phone", "13700000000",
		"--password", "Admin-pass-2026")...)
	if code != 0 || !strings.Contains(out, "admin") {
		t.Fatalf("user create: exit %d out %q err %q", code, out, errOut)
	}
}

func verify(t *testing.T, s site) (int, string) {
	t.Helper()
	code, out, errOut := runCmd(t, s.args("audit", "verify")...)
	return code, out + errOut
}

func openDB(t *testing.T, s site) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), s.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestCentreUserAndVerify(t *testing.T) {
	s := sqliteSite(t)
	setUp(t, s)
	code, out := verify(t, s)
	if code != 0 || !strings.Contains(out, "审计事件 5 条") || !strings.Contains(out, "校验通过") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	// The commands refuse bad input with the field named.
	code, _, errOut := runCmd(t, s.args("centre", "create", "--code", "530602", "--region", "昭阳区",
		"--name", "昭阳区公共资源交易中心", "--credit-code", "123", "--legal-rep", "张三", "--contact", "李四", "--phone", "13800000000")...)
	if code != 1 || !strings.Contains(errOut, "--credit-code") {
		t.Fatalf("bad credit code: exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, s.args("centre", "create", "--code", "530300", "--region", "曲靖市",
		"--name", "曲靖市公共资源交易中心", "--credit-code", creditCode(t, "12530000MB0000001"), "--legal-rep", "张三",
		"--contact", "李四", "--phone", "13800000000")...)
	if code != 1 || !strings.Contains(errOut, "--credit-code") || !strings.Contains(errOut, "已注册") {
		t.Fatalf("duplicate credit code: exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, s.args("user", "create", "--username", "boss", "--name", "老板", "--role", "supervisor",
		"--centre", "530600", "--id-number", idNumber(t, "53060219800101002"), "--phone", "13700000001", "--password", "Admin-pass-2026")...)
	if code != 1 || !strings.Contains(errOut, "--role") {
		t.Fatalf("supervisor via CLI: exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, s.args("user", "create", "--username", "staff2", "--name", "员工", "--role", "staff",
		"--centre", "530600", "--id-number", "123", "--phone", "13700000001", "--password", "weak")...)
	if code != 1 || !strings.Contains(errOut, "--id-number") || !strings.Contains(errOut, "--password") {
		t.Fatalf("bad user: exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, s.args("user", "create", "--username", "staff3", "--name", "员工", "--role", "staff",
		"--centre", "539999", "--id-number", idNumber(t, "53060219800101003"), "--phone", "13700000001", "--password", "Admin-pass-2026")...)
	if code != 1 || errOut == "" {
		t.Fatalf("unknown centre: exit %d err %q", code, errOut)
	}
	// Refused commands left no trace; the log still verifies.
	code, out = verify(t, s)
	if code != 0 || !strings.Contains(out, "审计事件 5 条") {
		t.Fatalf("verify after refusals: exit %d\n%s", code, out)
	}
}

// eventRow is every column of an audit_events row but seq.
type eventRow struct {
	at, actorID, orgID                                               int64
	actorName, ip, action, objType, objID, region, industry, details string
	prev, hash                                                       []byte
}

func readEvent(t *testing.T, d *db.DB, seq int64) eventRow {
	t.Helper()
	var r eventRow
	err := d.QueryRow(context.Background(), `SELECT at, actor_id, org_id, actor_name, ip, action, object_type, object_id,
		region_code, industry, details, prev_hash, hash FROM audit_events WHERE seq = ?`, seq).Scan(
		&r.at, &r.actorID, &r.orgID, &r.actorName, &r.ip, &r.action, &r.objType, &r.objID, &r.region, &r.industry,
		&r.details, &r.prev, &r.hash)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func writeEvent(t *testing.T, d *db.DB, seq int64, r eventRow) {
	t.Helper()
	res, err := d.Exec(context.Background(), `UPDATE audit_events SET at = ?, actor_id = ?, org_id = ?, actor_name = ?, ip = ?,
		action = ?, object_type = ?, object_id = ?, region_code = ?, industry = ?, details = ?, prev_hash = ?, hash = ?
		WHERE seq = ?`, r.at, r.actorID, r.orgID, r.actorName, r.ip, r.action, r.objType, r.objID, r.region, r.industry,
		r.details, r.prev, r.hash, seq)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("updated %d rows", n)
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) sql.Result {
	t.Helper()
	res, err := d.Exec(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed nothing", q)
	}
	return res
}

var firstBad = regexp.MustCompile(`第一个问题在事件 #(\d+)`)

func TestVerifyFindsTampering(t *testing.T) {
	for name, newSite := range sites(t) {
		t.Run(name, func(t *testing.T) {
			for _, c := range []struct {
				name   string
				tamper func(t *testing.T, d *db.DB)
				bad    int64
			}{
				{"details edited", func(t *testing.T, d *db.DB) {
					exec(t, d, `UPDATE audit_events SET details = '{"name":"伪造中心"}' WHERE seq = 2`)
				}, 2},
				{"actor edited", func(t *testing.T, d *db.DB) {
					exec(t, d, `UPDATE audit_events SET actor_name = 'someone' WHERE seq = 3`)
				}, 3},
				{"middle row deleted", func(t *testing.T, d *db.DB) {
					exec(t, d, `DELETE FROM audit_events WHERE seq = 1`)
				}, 1},
				{"last row deleted", func(t *testing.T, d *db.DB) {
					exec(t, d, `DELETE FROM audit_events WHERE seq = 4`)
				}, 4},
				{"two rows swapped", func(t *testing.T, d *db.DB) {
					r1, r3 := readEvent(t, d, 1), readEvent(t, d, 3)
					writeEvent(t, d, 1, r3)
					writeEvent(t, d, 3, r1)
				}, 1},
				{"row rewritten with its hash", func(t *testing.T, d *db.DB) {
					// Re-chaining one row is not enough: the next link breaks.
					r := readEvent(t, d, 2)
					r.hash = bytes.Repeat([]byte{7}, len(r.hash))
					writeEvent(t, d, 2, r)
				}, 2},
			} {
				t.Run(c.name, func(t *testing.T) {
					s := newSite(t)
					setUp(t, s)
					if code, out := verify(t, s); code != 0 {
						t.Fatalf("untouched log fails: %s", out)
					}
					c.tamper(t, openDB(t, s))
					code, out := verify(t, s)
					if code == 0 {
						t.Fatalf("tampering not detected:\n%s", out)
					}
					m := firstBad.FindStringSubmatch(out)
					if m == nil {
						t.Fatalf("no first bad event named:\n%s", out)
					}
					if got, _ := strconv.ParseInt(m[1], 10, 64); got != c.bad {
						t.Fatalf("first bad event #%d, want #%d:\n%s", got, c.bad, out)
					}
				})
			}
		})
	}
}

// With a signed checkpoint, even a consistent rewrite of the tail is found,
// and a checkpoint signed by another key is refused.
func TestVerifyWithCheckpoint(t *testing.T) {
	for name, newSite := range sites(t) {
		t.Run(name, func(t *testing.T) {
			s := newSite(t)
			setUp(t, s)
			d := openDB(t, s)
			keys, err := gm.LoadOrCreateKeys(s.data)
			if err != nil {
				t.Fatal(err)
			}
			log := audit.New(clock.System{}, keys.NoteSigner, keys.VerifierKey)
			if _, err := log.Checkpoint(context.Background(), d); err != nil {
				t.Fatal(err)
			}
			code, out := verify(t, s)
			if code != 0 || !strings.Contains(out, "签名检查点 1 个") {
				t.Fatalf("exit %d\n%s", code, out)
			}
			// Remove the last event and its tree hashes: only the checkpoint tells.
			exec(t, d, "DELETE FROM audit_events WHERE seq = 4")
			exec(t, d, "DELETE FROM audit_hashes WHERE idx >= ?", int64(4*2-1)) // tlog.StoredHashIndex(0, 4) = 7
			code, out = verify(t, s)
			if code == 0 || !strings.Contains(out, "检查点") {
				t.Fatalf("truncation after checkpoint not detected: exit %d\n%s", code, out)
			}
		})
	}
}

func TestBadDatabaseURL(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, c := range []struct {
		url, want string
	}{
		{"mysql://root@localhost/ggzy", "数据库地址须以 sqlite: 或 postgres:// 开头"},
		{"ggzy.db", "数据库地址须以 sqlite: 或 postgres:// 开头"},
		{"sqlite:", "未给出数据库文件路径"},
		{"postgres://ggzy:s3cret-pw@127.0.0.1:1/ggzy?connect_timeout=2", "连接 PostgreSQL"},
	} {
		for _, cmd := range [][]string{{"migrate"}, {"audit", "verify"}} {
			args := append(cmd, "--db", c.url, "--data", data)
			code, out, errOut := runCmd(t, args...)
			if code != 1 || !strings.Contains(errOut, c.want) || out != "" && strings.Contains(out, "校验通过") {
				t.Errorf("%v: exit %d out %q err %q", args, code, out, errOut)
			}
			if strings.Contains(errOut, "s3cret-pw") {
				t.Errorf("%v: password shown: %q", args, errOut)
			}
		}
	}
}

func TestMigrate(t *testing.T) {
	for name, newSite := range sites(t) {
		t.Run(name, func(t *testing.T) {
			s := newSite(t)
			code, out, errOut := runCmd(t, s.args("migrate")...)
			m := regexp.MustCompile(`数据库（(\w+)）结构版本：(\d+)`).FindStringSubmatch(out)
			if code != 0 || m == nil {
				t.Fatalf("exit %d out %q err %q", code, out, errOut)
			}
			d := openDB(t, s)
			v, err := d.SchemaVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if m[1] != string(d.Dialect()) || m[2] != strconv.FormatInt(v, 10) || v < 2 {
				t.Fatalf("printed %q, database is %s at %d", m[0], d.Dialect(), v)
			}
			// Idempotent.
			code, out2, _ := runCmd(t, s.args("migrate")...)
			if code != 0 || out2 != out {
				t.Fatalf("second migrate: exit %d %q", code, out2)
			}
		})
	}
}

// Verifying a database that is not there must fail, and must not create it.
func TestVerifyDoesNotCreateADatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "typo.db")
	code, _, errOut := runCmd(t, "audit", "verify", "--db", "sqlite:"+path, "--data", filepath.Join(dir, "data"))
	if code != 1 || !strings.Contains(errOut, "不存在") {
		t.Fatalf("exit %d err %q", code, errOut)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("verify created %s", path)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "keys")); !os.IsNotExist(err) {
		t.Fatal("verify generated platform keys")
	}
}
