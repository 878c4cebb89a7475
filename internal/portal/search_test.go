package portal

import (
	"testing"
	"time"

	"ggzy/internal/errs"
	"ggzy/internal/portal/fixture"
)

// TestSearch: Chinese substrings of three or more characters anywhere in
// title or body, several terms all required, ASCII letters without case,
// wildcards taken literally; two-character terms in titles only.
func TestSearch(t *testing.T) {
	e := newEnv(t)
	at := func(h int) time.Time { return testNow.Add(-time.Duration(h) * time.Hour) }
	road := e.notice(fixture.Notice{Title: "昭阳区2026年青石坪镇农村公路提升改造工程招标公告",
		Body: "项目位于青石坪镇，建设内容为农村公路路面硬化。", Region: "530602", PublishedAt: at(6)})
	med := e.notice(fixture.Notice{Title: "鲁甸县人民医院医疗设备采购项目采购公告", TradeKind: "procurement",
		Body: "采购内容：彩色多普勒超声诊断仪一台。\n预算金额：120万元。", Region: "530621", PublishedAt: at(5)})
	it := e.notice(fixture.Notice{Title: "水富市ABC数据中心机房改造", TradeKind: "procurement",
		Body: "核心交换机 Network Switch 两台。", Region: "530681", PublishedAt: at(4)})
	upkeep := e.notice(fixture.Notice{Title: "道路养护服务采购", TradeKind: "procurement",
		Body: "本项目不含工程施工。", Region: "530602", PublishedAt: at(3)})
	pct := e.notice(fixture.Notice{Title: "完成率100%的项目", Body: "下划线a_b测试", PublishedAt: at(2)})
	plain := e.notice(fixture.Notice{Title: "完成率1000的项目", Body: "下划线axb测试", PublishedAt: at(1)})

	for _, tc := range []struct {
		name, q string
		region  string
		want    []int64
	}{
		{"title and body", "青石坪", "", []int64{road}},
		{"body only", "超声诊断", "", []int64{med}},
		{"body across a line break is not a match", "诊断仪一台。预算", "", nil},
		{"all terms required", "多普勒 诊断仪", "", []int64{med}},
		{"terms in different notices", "多普勒 青石坪", "", nil},
		{"ASCII without case", "network SWITCH", "", []int64{it}},
		{"ASCII in the title", "abc数据", "", []int64{it}},
		{"absent", "不存在的词语", "", nil},
		{"percent is literal", "100%", "", []int64{pct}},
		{"underscore is literal", "a_b测", "", []int64{pct}},
		{"quotes are literal", `"公路"提升`, "", nil},
		{"with a region filter", "青石坪", "530300", nil},
		{"with the right region", "青石坪", "530600", []int64{road}},
		// Two characters: titles only.
		{"two characters in a title", "道路", "", []int64{upkeep}},
		{"two characters only in a body do not match", "施工", "", nil},
		{"two characters ending a title", "公告", "", []int64{med, road}},
		{"two characters, several titles", "项目", "", []int64{plain, pct, med}},
		{"two characters and a long term", "项目 超声诊断", "", []int64{med}},
		{"two characters with case", "Ab", "", []int64{it}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameIDs(t, tc.q, e.ids(Filter{Query: tc.q, Region: tc.region}), tc.want)
			// The same through each of the other ways a search can go:
			// straight to the index rather than scanning the newest
			// notices first, and (SQLite) reading the index newest first
			// rather than collecting every match.
			budget, limit := recentScanBudget, matchCap
			defer func() { recentScanBudget, matchCap = budget, limit }()
			recentScanBudget = 1
			sameIDs(t, tc.q+" (index)", e.ids(Filter{Query: tc.q, Region: tc.region, Limit: 1}), tc.want)
			matchCap = 0
			sameIDs(t, tc.q+" (index, newest first)", e.ids(Filter{Query: tc.q, Region: tc.region, Limit: 1}), tc.want)
		})
	}

	// The snippet shows where the term is.
	p := e.list(Filter{Query: "超声诊断"})
	sn := p.Items[0].Snippet
	if sn == nil || sn.Match != "超声诊断" || sn.Before != "采购内容：彩色多普勒" || sn.After != "仪一台。 预算金额：120万元。" {
		t.Errorf("snippet %+v", sn)
	}

	// Single characters are refused with a reason; so are too many terms.
	for _, q := range []string{"路", "农村 路", "一二 三四 五六 七八 九十 十一"} {
		if _, err := e.svc.List(e.ctx, public, Filter{Query: q}); !errs.Is(err, errs.Invalid) {
			t.Errorf("%q: got %v, want invalid", q, err)
		}
	}
}

// TestSearchFollowsChanges: the index follows the notices table whoever
// writes it: a changed title, a withdrawn or deleted notice.
func TestSearchFollowsChanges(t *testing.T) {
	e := newEnv(t)
	id := e.notice(fixture.Notice{Title: "旧标题甲乙丙", Body: "正文内容"})
	other := e.notice(fixture.Notice{Title: "另一条公告", Body: "正文内容"})
	e.exec("UPDATE notices SET title = ? WHERE id = ?", "新标题丁戊己", id)
	sameIDs(t, "old title", e.ids(Filter{Query: "甲乙丙"}), nil)
	sameIDs(t, "new title", e.ids(Filter{Query: "丁戊己"}), []int64{id})
	e.exec("UPDATE notices SET state = 'rejected' WHERE id = ?", id)
	sameIDs(t, "withdrawn", e.ids(Filter{Query: "正文内容"}), []int64{other})
	e.exec("UPDATE notices SET state = 'published' WHERE id = ?", id)
	sameIDs(t, "published again", e.ids(Filter{Query: "正文内容"}), []int64{other, id})
	e.exec("DELETE FROM notices WHERE id = ?", other)
	sameIDs(t, "deleted", e.ids(Filter{Query: "正文内容"}), []int64{id})
}

// TestSearchKeysAreUnique: notices published at one instant each get a
// search key of their own (SQLite's triggers nudge the key).
func TestSearchKeysAreUnique(t *testing.T) {
	e := newEnv(t)
	at := testNow.Add(-time.Hour)
	var want []int64
	for range 5 {
		want = append([]int64{e.notice(fixture.Notice{Title: "同一时刻发布", PublishedAt: at})}, want...)
	}
	got := e.ids(Filter{Query: "同一时刻", Limit: 2})
	if len(got) != 5 {
		t.Fatalf("found %v, want the 5 notices", got)
	}
	if e.svc.DB.Dialect() == "postgres" {
		sameIDs(t, "order", got, want)
	}
}

func TestSnippet(t *testing.T) {
	for _, tc := range []struct {
		text  string
		terms []string
		want  Snippet
	}{
		{"甲乙丙丁", []string{"乙丙"}, Snippet{Before: "甲", Match: "乙丙", After: "丁"}},
		{"Hello World", []string{"world"}, Snippet{Before: "Hello ", Match: "World"}},
		{"无匹配", []string{"其他"}, Snippet{Before: "无匹配"}},
		{"先 后  甲", []string{"后", "先"}, Snippet{Match: "先", After: " 后 甲"}},
		{"", []string{"甲"}, Snippet{}},
	} {
		if got := snippetOf(tc.text, tc.terms); *got != tc.want {
			t.Errorf("snippetOf(%q, %q) = %+v, want %+v", tc.text, tc.terms, *got, tc.want)
		}
	}
}

func TestFTSQueryQuotes(t *testing.T) {
	if got := ftsQuery([]string{`a"b`, "c d"}); got != `"a""b" AND "c d"` {
		t.Errorf("ftsQuery = %s", got)
	}
	if got := likePattern(`50%_\`); got != `%50\%\_\\%` {
		t.Errorf("likePattern = %s", got)
	}
}

func TestCaselessCore(t *testing.T) {
	for in, want := range map[string]string{"BX530303-2023-0000778": "530303-2023-0000778", "abc数据": "数据",
		"数据中心": "数据中心", "ab": "", "x1y22z": "22"} {
		if got := caselessCore(in); got != want {
			t.Errorf("caselessCore(%q) = %q, want %q", in, got, want)
		}
	}
}
