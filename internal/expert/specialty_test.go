package expert_test

import (
	"strings"
	"testing"

	"ggzy/internal/errs"
	"ggzy/internal/expert"
)

func TestTaxonomy(t *testing.T) {
	tx := expert.Specialties()
	all := tx.All()
	if len(all) < 300 {
		t.Fatalf("%d specialties", len(all))
	}
	levels := map[int]int{}
	for _, s := range all {
		levels[s.Level]++
		if s.Level > 0 {
			if _, ok := tx.Get(s.Code[:len(s.Code)-2]); !ok {
				t.Errorf("%s has no parent", s.Code)
			}
		}
	}
	if levels[0] != 3 || levels[1] < 10 || levels[3] < 200 {
		t.Fatalf("levels %v", levels)
	}
	for code, want := range map[string]string{"A": "工程类", "A08": "工程施工", "A0801": "建筑工程", "A080104": "土建工程",
		"A0808": "水利工程", "A0901": "环境工程", "B01": "机械、设备类", "C": "服务类"} {
		if got := tx.Name(code); got != want {
			t.Errorf("%s = %q, want %q", code, got, want)
		}
	}
	if p := tx.Path("A080104"); p != "工程类 / 工程施工 / 建筑工程 / 土建工程" {
		t.Errorf("path %q", p)
	}
	for _, c := range []struct {
		code, request string
		want          bool
	}{{"A080104", "A08", true}, {"A080104", "A0801", true}, {"A080104", "A080104", true}, {"A0801", "A08", true},
		{"A080104", "A0802", false}, {"A08", "A0801", false}, {"A090101", "A08", false}} {
		if got := expert.Matches(c.code, c.request); got != c.want {
			t.Errorf("Matches(%s, %s) = %v", c.code, c.request, got)
		}
	}
	for code, want := range map[string]string{"A08": "", "A0899": "未知", "A8": "格式", "a08": "格式", "A0801010": "格式", "": "格式"} {
		err := tx.Check(code)
		if want == "" && err != nil || want != "" && (errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), want)) {
			t.Errorf("Check(%q) = %v", code, err)
		}
	}
}

func TestParseTaxonomyRefusesBadFiles(t *testing.T) {
	for name, text := range map[string]string{
		"empty":          "# nothing\n",
		"orphan":         "A\t工程类\nA0801\t建筑工程\n",
		"duplicate":      "A\t工程类\nA08\t施工\nA08\t施工\n",
		"malformed":      "A\t工程类\nA8\t施工\n",
		"no name":        "A\t\n",
		"no tab":         "A 工程类\n",
		"lower-case":     "a\t工程类\n",
		"too deep":       "A\tx\nA08\tx\nA0801\tx\nA080101\tx\nA08010101\tx\n",
		"parent missing": "B\t货物类\nA01\t规划\n",
	} {
		if _, err := expert.ParseTaxonomy(text); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if tx, err := expert.ParseTaxonomy("# c\nA\t工程类\n\nA08\t工程施工\n"); err != nil || len(tx.All()) != 2 {
		t.Fatalf("%v %v", tx, err)
	}
}
