package portal

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"ggzy/internal/db"
	"ggzy/internal/portal/fixture"
)

// codeKeys is the model of what the triggers of 00013_portal_codes.sql
// store for a text: from six ASCII digits followed by a hyphen to the end
// of that run of digits and hyphens, at least codeHeadLen long, each once.
func codeKeys(text string) []string {
	var keys []string
	for i := 0; i+7 <= len(text); i++ {
		if !allDigits(text[i:i+6]) || text[i+6] != '-' {
			continue
		}
		j := i + 7
		for j < len(text) && (isDigit(text[j]) || text[j] == '-') {
			j++
		}
		if k := text[i:j]; len(k) >= codeHeadLen && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func TestCodePart(t *testing.T) {
	for _, tc := range []struct {
		term, part string
		ok         bool
	}{
		{"530602-2026-0001", "530602-2026-0001", true},
		{"BX530303-2023-0000778", "530303-2023-0000778", true},
		{"bx530602-2024", "530602-2024", true},
		{"530602-2024-", "530602-2024-", true},
		{"530602-20", "", false},          // shorter than a head
		{"1530602-2024", "", false},       // seven digits before the hyphen
		{"53060-2024-0001", "", false},    // five
		{"530602-2024-0001A", "", false},  // a letter after the digits
		{"530602－2024-0001", "", false},   // a full-width hyphen
		{"５３０６０２-2024-0001", "", false},   // full-width digits
		{"项目530602-2024-0001", "", false}, // Chinese before the code
		{"农村公路", "", false},
	} {
		part, ok := codePart(tc.term)
		if part != tc.part || ok != tc.ok {
			t.Errorf("codePart(%q) = %q, %v; want %q, %v", tc.term, part, ok, tc.part, tc.ok)
		}
	}
	if term, p, ok := codeTerm([]string{"农村公路", "530602-2024", "BX530602-2024-0000778"}); !ok || p != "530602-2024-0000778" ||
		term != "BX530602-2024-0000778" {
		t.Errorf("codeTerm picks %q (%q), %v; want the longest part", term, p, ok)
	}
}

// FuzzCodeKeys: for any text and code-shaped term, the term's part occurs
// in the text exactly when some key of the text begins with it — the
// property that makes the code index's answers those of a substring search.
func FuzzCodeKeys(f *testing.F) {
	for _, s := range [][2]string{
		{"项目编号：BX530303-2023-0000778。", "530303-2023-0000778"},
		{"1234567-2024-1", "234567-2024"},
		{"123456-123456-2024-9", "123456-2024-"},
		{"530602-2026-0001-2号", "530602-2026-0001-"},
		{"530602-2026–0001", "530602-2026-"},
		{"530602-202", "530602-2026"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, term string) {
		part, ok := codePart(term)
		if !ok {
			return
		}
		keys := codeKeys(text)
		found := slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, part) })
		if found != strings.Contains(text, part) {
			t.Fatalf("text %q, part %q: in keys %v = %v, in text = %v", text, part, keys, found, !found)
		}
	})
}

// TestCodeKeysInDatabase: the triggers store the model's keys, and follow
// the notice through edits, withdrawal and deletion.
func TestCodeKeysInDatabase(t *testing.T) {
	e := newEnv(t)
	texts := [][2]string{
		{"BX530303-2023-0000778招标公告", "项目编号：BX530303-2023-0000778。"},
		{"无编号", "估算金额：12345678.00元，电话0870-2123456，日期2026-11-25。"},
		{"两个编号", "见530602-2026-0001号和530602-2026-0001-2号文件，又见530602-2026-0001号；1234567-2024-1。"},
		{"连写", "123456-123456-2024-9、530602-2026–0001、530602-202、５３０６０２-2024-0001"},
		{"换行", "530602-\n2026-0001\n530602-2026-0001\r\n"},
	}
	ids := make([]int64, len(texts))
	for i, tx := range texts {
		ids[i] = e.notice(fixture.Notice{Title: tx[0], Body: tx[1]})
	}
	stored := func(id int64) []string {
		t.Helper()
		rows, err := e.svc.DB.Query(e.ctx, "SELECT head, code FROM notice_codes WHERE notice_id = ? ORDER BY code", id)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var head, code string
			if err := rows.Scan(&head, &code); err != nil {
				t.Fatal(err)
			}
			if head != code[:codeHeadLen] {
				t.Errorf("key %q has head %q", code, head)
			}
			out = append(out, code)
		}
		return out
	}
	for i, tx := range texts {
		want := codeKeys(tx[0] + " " + tx[1])
		if got := stored(ids[i]); !slices.Equal(got, want) {
			t.Errorf("%s: stored %q, want %q", tx[0], got, want)
		}
	}
	if got := codeKeys(texts[2][1]); !slices.Equal(got, []string{"234567-2024-1", "530602-2026-0001", "530602-2026-0001-2"}) {
		t.Errorf("model: %q", got) // the model itself, on a worked example
	}

	id := ids[0]
	e.exec("UPDATE notices SET body = ? WHERE id = ?", "项目编号：530602-2026-0009。", id)
	edited := []string{"530303-2023-0000778", "530602-2026-0009"} // the title keeps its code
	sameStrings(t, "edited", stored(id), edited)
	e.exec("UPDATE notices SET state = 'rejected' WHERE id = ?", id)
	sameStrings(t, "withdrawn", stored(id), nil)
	e.exec("UPDATE notices SET state = 'published' WHERE id = ?", id)
	sameStrings(t, "published again", stored(id), edited)
	e.exec("DELETE FROM notices WHERE id = ?", id)
	sameStrings(t, "deleted", stored(id), nil)
	// Not published: not indexed.
	draft := e.notice(fixture.Notice{State: "draft", Body: "530602-2026-0001"})
	sameStrings(t, "draft", stored(draft), nil)
}

func sameStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// TestSearchCodes: code-shaped terms go through the code index and find
// exactly what the full-text search finds, in the same order and pages,
// over notices spread across several years.
func TestSearchCodes(t *testing.T) {
	e := newEnv(t)
	year := func(y, d int) time.Time { return beijing(y, 3, d, 10, 0, 0) }
	n := func(title, body string, at time.Time, region string) int64 {
		return e.notice(fixture.Notice{Title: title, Body: body, PublishedAt: at, Region: region})
	}
	old := n("沾益区2023年农村公路招标公告", "项目编号：BX530303-2023-0000778。", year(2023, 1), "530303")
	oldAmend := n("沾益区2023年农村公路变更公告", "原项目编号：BX530303-2023-0000778，见附件。", year(2023, 9), "530303")
	y24 := make([]int64, 5)
	for i := range y24 {
		y24[i] = n("昭阳区2024年项目公告", "项目编号：BX530602-2024-000012"+string(rune('0'+i))+"。", year(2024, i+1), "530602")
	}
	lower := n("昭阳区项目", "编号 bx530602-2024-0000999", year(2024, 20), "530602")
	plain := n("昭阳区2026年项目", "项目编号：530602-2026-0001。", year(2026, 1), "530602")
	longer := n("引用", "见530602-2026-0001-2号文件和530602-2026-0001号文件。", year(2026, 2), "530602")
	digitsBefore := n("前有数字", "1530602-2026-0001", year(2026, 3), "530621")
	inTitle := n("530602-2026-0001澄清公告", "正文", year(2026, 4), "530602")
	n("全角连字符", "530602－2026-0001", year(2026, 5), "530602")
	kelvin := n("开尔文", "编号\u212a530602-2026-0001（开尔文符号）", year(2026, 6), "530602")
	fullwidth := n("全角字母", "编号ＢＸ530602-2026-0001", year(2026, 7), "530602")
	e.notice(fixture.Notice{State: "draft", Body: "530602-2026-0001"})
	e.notice(fixture.Notice{Body: "530602-2026-0001", PublishedAt: testNow.Add(time.Hour)}) // not yet

	for _, tc := range []struct {
		name, q string
		f       Filter
		want    []int64
	}{
		{"full code with its prefix", "BX530303-2023-0000778", Filter{}, []int64{oldAmend, old}},
		{"without the prefix", "530303-2023-0000778", Filter{}, []int64{oldAmend, old}},
		{"prefix without case", "bx530303-2023-0000778", Filter{}, []int64{oldAmend, old}},
		{"another prefix", "ZT530303-2023-0000778", Filter{}, nil},
		{"partial code", "BX530602-2024", Filter{}, []int64{lower, y24[4], y24[3], y24[2], y24[1], y24[0]}},
		{"partial code, longer", "530602-2024-000012", Filter{}, []int64{y24[4], y24[3], y24[2], y24[1], y24[0]}},
		{"code in runs and titles", "530602-2026-0001", Filter{}, []int64{fullwidth, kelvin, inTitle, digitsBefore, longer, plain}},
		{"a letter FTS5 folds", "k530602-2026-0001", Filter{}, nil}, // filled in below
		{"full-width letters are other letters", "bx530602-2026-0001", Filter{}, nil},
		{"a longer run", "530602-2026-0001-", Filter{}, []int64{longer}},
		{"with a region", "530602-2026-0001", Filter{Region: "530602"}, []int64{fullwidth, kelvin, inTitle, longer, plain}},
		{"with a date range", "530602-2024", Filter{From: year(2024, 2), To: year(2024, 4)}, []int64{y24[2], y24[1]}},
		{"with another term", "530602-2026-0001 号文件", Filter{}, []int64{longer}},
		{"with a two-character term only in a body", "530602-2026-0001 文件", Filter{}, nil},
		{"with a term in the title", "澄清公告 530602-2026-0001", Filter{}, []int64{inTitle}},
		{"with a short term", "530602-2026-0001 项目", Filter{}, []int64{plain}},
		{"two codes", "530602-2026-0001 530602-2026-0001-2", Filter{}, []int64{longer}},
		{"absent", "530602-2025-0001", Filter{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.Query = tc.q
			want := tc.want
			got := e.ids(f)
			if tc.name == "a letter FTS5 folds" {
				// The Kelvin sign is a k to FTS5; to PostgreSQL's ILIKE as
				// the database's locale has it. Either way, both ways agree.
				want = got
				if e.svc.DB.Dialect() == db.SQLite {
					want = []int64{kelvin}
				}
			}
			sameIDs(t, tc.q, got, want)
			// Page by page, one notice at a time.
			f.Limit = 1
			sameIDs(t, tc.q+" (pages of one)", e.ids(f), want)
			// The full-text search finds the same.
			defer func(on bool) { codeIndex = on }(codeIndex)
			codeIndex = false
			f.Limit = 0
			sameIDs(t, tc.q+" (full text)", e.ids(f), want)
		})
	}
	// Moving the clock on shows the notice published for later.
	e.clock.Advance(2 * time.Hour)
	if got := e.ids(Filter{Query: "530602-2026-0001"}); len(got) != 7 {
		t.Errorf("after the publication time: %v, want 7 notices", got)
	}
}

// TestSearchCodesPages: pages through the code index continue exactly
// where the full-text search's would, with cursors of the same kind.
func TestSearchCodesPages(t *testing.T) {
	e := newEnv(t)
	var want []int64
	at := beijing(2024, 1, 1, 9, 0, 0)
	for i := range 12 {
		// Two notices at each instant (SQLite nudges their search keys),
		// and a notice holding two matching keys.
		body := "项目编号：530602-2024-0001。"
		if i == 5 {
			body += "另见530602-2024-0001-1。"
		}
		want = append([]int64{e.notice(fixture.Notice{Body: body, PublishedAt: at.AddDate(0, 0, i/2)})}, want...)
	}
	sameIDs(t, "plain list", e.ids(Filter{}), want) // the order every search must give
	t.Cleanup(func() { codeIndex = true })
	for _, limit := range []int{1, 2, 5, 20} {
		f := Filter{Query: "530602-2024-0001", Limit: limit}
		byCode := e.ids(f)
		codeIndex = false
		byText := e.ids(f)
		codeIndex = true
		sameIDs(t, "code index and full text", byCode, byText)
		if len(byCode) != 12 {
			t.Errorf("limit %d: %d notices, want 12", limit, len(byCode))
		}
		// A cursor from one way continues on the other.
		p := e.list(Filter{Query: "530602-2024-0001", Limit: 3})
		codeIndex = false
		q := e.list(Filter{Query: "530602-2024-0001", Limit: 3, After: p.Next})
		codeIndex = true
		if len(q.Items) != 3 || q.Items[0].ID != byCode[3] {
			t.Errorf("full-text page after a code page starts at %v, want %d", q.Items, byCode[3])
		}
	}
}

// TestSearchCodesBatches: when the newest index rows belong to notices the
// filter or another term rules out, the search reads further batches, and
// a notice with two matching keys is shown once.
func TestSearchCodesBatches(t *testing.T) {
	e := newEnv(t)
	at := beijing(2025, 1, 1, 9, 0, 0)
	var want, wantTerm []int64
	for i := range 60 {
		region, body := "530621", "编号530602-2025-0007，另见530602-2025-0007-1。"
		if i < 3 {
			region = "530602"
		}
		if i%20 == 7 {
			body += "应急物资储备"
		}
		id := e.notice(fixture.Notice{Body: body, Region: region, PublishedAt: at.Add(time.Duration(i) * time.Hour)})
		if i < 3 {
			want = append([]int64{id}, want...)
		}
		if i%20 == 7 {
			wantTerm = append([]int64{id}, wantTerm...)
		}
	}
	t.Cleanup(func() { codeIndex = true })
	for _, f := range []Filter{
		{Query: "530602-2025-0007", Region: "530602"},
		{Query: "530602-2025-0007 应急物资储备"},
	} {
		w := want
		if f.Region == "" {
			w = wantTerm
		}
		for _, limit := range []int{1, 2, 10} {
			f.Limit = limit
			codeIndex = true
			sameIDs(t, f.Query+" (code index)", e.ids(f), w)
			codeIndex = false
			sameIDs(t, f.Query+" (full text)", e.ids(f), w)
		}
	}
}

// TestFoldLikeFTS: the characters FTS5's trigram index folds to an ASCII
// letter are exactly the ones foldLikeFTS replaces before LIKE, which folds
// ASCII only. The candidates are every character in a case relation with
// an ASCII letter (a scan of all of Unicode through FTS5 found no others).
func TestFoldLikeFTS(t *testing.T) {
	e := newEnv(t)
	if e.svc.DB.Dialect() != db.SQLite {
		t.Skip("FTS5 is SQLite's")
	}
	e.exec("CREATE VIRTUAL TABLE temp.fold_probe USING fts5(x, tokenize='trigram')")
	ascii := func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
	var candidates []rune
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		related := ascii(unicode.ToLower(r)) || ascii(unicode.ToUpper(r))
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			related = related || ascii(f)
		}
		if related {
			candidates = append(candidates, r)
			e.exec("INSERT INTO temp.fold_probe(rowid, x) VALUES (?, ?)", int64(r), string(r)+"@ ")
		}
	}
	if len(candidates) < 3 {
		t.Fatalf("candidates %q", candidates)
	}
	got := map[rune]rune{}
	for l := 'a'; l <= 'z'; l++ {
		rows, err := e.svc.DB.Query(e.ctx, "SELECT rowid FROM temp.fold_probe WHERE fold_probe MATCH ?", `"`+string(l)+`@ "`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				t.Fatal(err)
			}
			got[rune(r)] = l
		}
		rows.Close()
	}
	want := map[rune]rune{'\u212a': 'k', '\u017f': 's'}
	if !maps.Equal(got, want) {
		t.Errorf("FTS5 folds %q to ASCII letters, foldLikeFTS replaces %q", got, want)
	}
	for r, l := range want {
		if !strings.Contains(foldLikeFTS, "'"+string(r)+"', '"+string(l)+"'") {
			t.Errorf("foldLikeFTS does not replace %q", r)
		}
	}
}
