package auth_test

import (
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/gm"
	"ggzy/internal/testenv"
)

// dbContents returns every byte the database holds that a copy of it would
// give away: for SQLite the main file, its WAL and shared-memory files; for
// PostgreSQL every text-like and bytea column of every table in the test's
// schema.
func dbContents(t *testing.T, e *testenv.Env) []byte {
	t.Helper()
	var out bytes.Buffer
	switch e.DB.Dialect() {
	case db.SQLite:
		var path string
		e.Must(e.DB.QueryRow(e.Ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path))
		if path == "" {
			t.Fatal("no database file")
		}
		read := 0
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(path + suffix)
			if os.IsNotExist(err) {
				continue
			}
			e.Must(err)
			out.Write(b)
			read += len(b)
		}
		if read == 0 {
			t.Fatal("read nothing")
		}
	case db.Postgres:
		rows, err := e.DB.Query(e.Ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND data_type IN ('text', 'bytea', 'character varying', 'json', 'jsonb')
			ORDER BY table_name, column_name`)
		e.Must(err)
		type col struct{ table, name, typ string }
		var cols []col
		for rows.Next() {
			var c col
			e.Must(rows.Scan(&c.table, &c.name, &c.typ))
			cols = append(cols, c)
		}
		e.Must(rows.Err())
		rows.Close()
		seen := map[string]bool{}
		for _, c := range cols {
			seen[c.table] = true
			expr := c.name
			if c.typ != "bytea" {
				expr = "convert_to(" + c.name + "::text, 'UTF8')"
			}
			rs, err := e.DB.Query(e.Ctx, "SELECT "+expr+" FROM "+c.table)
			e.Must(err)
			for rs.Next() {
				var b []byte
				e.Must(rs.Scan(&b))
				out.Write(b)
				out.WriteByte(0)
			}
			e.Must(rs.Err())
			rs.Close()
		}
		for _, table := range []string{"users", "organisations", "sessions", "api_tokens", "audit_events"} {
			if !seen[table] {
				t.Fatalf("table %s not scanned", table)
			}
		}
	default:
		t.Fatalf("dialect %s", e.DB.Dialect())
	}
	return out.Bytes()
}

func TestPersonalDataEncryptedAtRest(t *testing.T) {
	e := testenv.New(t)
	const idNumber = "53060219850615103X" // valid check digit, see below
	const phone, contactPhone = "13987654321", "15812349876"
	if withIDCheck(t, idNumber[:17]) != idNumber {
		t.Fatal("fixture ID number has a wrong check digit")
	}
	r := validReg("pii_owner")
	r.IDNumber, r.Phone, r.ContactPhone = strings.ToLower(idNumber), phone, contactPhone
	org, _ := register(t, e, r)
	_, err := e.Auth.DecideOrg(e.Ctx, auth.System, org.ID, auth.Decision{Approve: true})
	e.Must(err)
	sess, a, err := e.Auth.Login(e.Ctx, "127.0.0.1", "pii_owner", goodPassword)
	e.Must(err)
	secret, _, err := e.Auth.CreateToken(e.Ctx, a, "工具", 30)
	e.Must(err)
	if _, err := e.Audit.Checkpoint(e.Ctx, e.DB); err != nil {
		t.Fatal(err)
	}

	// The service still gives the owner their data back …
	u, o, err := e.Auth.Me(e.Ctx, a)
	e.Must(err)
	if u.Phone != phone || o.ContactPhone != contactPhone || u.IDNumber == "" {
		t.Fatalf("me: %+v %+v", u, o)
	}

	// … but nothing in the database shows it.
	all := dbContents(t, e)
	tokHash := gm.SM3([]byte(sess.Token))
	for _, c := range []struct{ what, s string }{
		{"ID number", idNumber},
		{"ID number (lower case)", strings.ToLower(idNumber)},
		{"ID number without check digit", idNumber[:17]},
		{"phone", phone},
		{"contact phone", contactPhone},
		{"session token", sess.Token},
		{"API token secret", secret},
		{"API token secret body", secret[len("ggzy_"):]},
		{"password", goodPassword},
	} {
		if bytes.Contains(all, []byte(c.s)) {
			t.Errorf("%s %q found in the database", c.what, c.s)
		}
	}
	// The session is there, as its hash only; the positive control shows
	// the scan sees the rows.
	if !bytes.Contains(all, []byte(hex.EncodeToString(tokHash[:]))) {
		t.Error("session token hash not found: the scan misses the sessions table")
	}
	if !bytes.Contains(all, []byte("pii_owner")) {
		t.Error("username not found: the scan misses the users table")
	}
	var sessions int
	e.Must(e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM sessions WHERE token_hash = ?", hex.EncodeToString(tokHash[:])).Scan(&sessions))
	if sessions != 1 {
		t.Fatalf("session rows by hash: %d", sessions)
	}
}
