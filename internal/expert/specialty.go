package expert

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"

	"ggzy/internal/errs"
)

// The specialty taxonomy after 公共资源交易评标专家专业分类标准
// (发改法规〔2018〕316号): a category letter (A 工程, B 货物, C 服务) and
// then two digits per level, A → A08 → A0801 → A080101. It is data, loaded
// from specialties.txt; docs/experts.md says which branches are complete.

//go:embed specialties.txt
var specialtiesFile string

// Specialty is one node of the taxonomy.
type Specialty struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level int    `json:"level,omitempty"` // 0 category, 1 A08, 2 A0801, 3 A080101
}

// Taxonomy is the loaded specialty tree.
type Taxonomy struct {
	list   []Specialty
	byCode map[string]int
}

var taxonomy = mustTaxonomy(specialtiesFile)

// Specialties returns the platform's taxonomy.
func Specialties() *Taxonomy { return taxonomy }

func mustTaxonomy(text string) *Taxonomy {
	t, err := ParseTaxonomy(text)
	if err != nil {
		panic("expert: specialties.txt: " + err.Error())
	}
	return t
}

// ParseTaxonomy reads "code<TAB>name" lines; # starts a comment. Every code
// must be well formed, unique and follow its parent.
func ParseTaxonomy(text string) (*Taxonomy, error) {
	t := &Taxonomy{byCode: map[string]int{}}
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		code, name = strings.TrimSpace(code), strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("line %d: want code<TAB>name", n)
		}
		level, ok := codeLevel(code)
		if !ok {
			return nil, fmt.Errorf("line %d: malformed code %q", n, code)
		}
		if _, dup := t.byCode[code]; dup {
			return nil, fmt.Errorf("line %d: code %s twice", n, code)
		}
		if level > 0 {
			if _, ok := t.byCode[parentCode(code)]; !ok {
				return nil, fmt.Errorf("line %d: %s comes before its parent %s", n, code, parentCode(code))
			}
		}
		t.byCode[code] = len(t.list)
		t.list = append(t.list, Specialty{Code: code, Name: name, Level: level})
	}
	if len(t.list) == 0 {
		return nil, fmt.Errorf("no specialties")
	}
	return t, sc.Err()
}

// codeLevel checks the shape of a code: an upper-case letter then up to
// three pairs of digits.
func codeLevel(code string) (int, bool) {
	if len(code) < 1 || len(code) > 7 || len(code)%2 == 0 || code[0] < 'A' || code[0] > 'Z' {
		return 0, false
	}
	for i := 1; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0, false
		}
	}
	return (len(code) - 1) / 2, true
}

func parentCode(code string) string { return code[:len(code)-2] }

// NormalizeCode upper-cases and trims a code as people type it.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// Get finds a specialty by code.
func (t *Taxonomy) Get(code string) (Specialty, bool) {
	i, ok := t.byCode[code]
	if !ok {
		return Specialty{}, false
	}
	return t.list[i], true
}

// Name is the specialty's name, "" for an unknown code.
func (t *Taxonomy) Name(code string) string {
	s, _ := t.Get(code)
	return s.Name
}

// Path is the code's names from the top, "工程类 / 工程施工 / 建筑工程".
func (t *Taxonomy) Path(code string) string {
	var parts []string
	for c := code; c != ""; {
		s, ok := t.Get(c)
		if !ok {
			break
		}
		parts = append([]string{s.Name}, parts...)
		if len(c) == 1 {
			break
		}
		c = parentCode(c)
	}
	return strings.Join(parts, " / ")
}

// All lists every specialty in file order (parents before children).
func (t *Taxonomy) All() []Specialty { return append([]Specialty(nil), t.list...) }

// Check validates a code an expert holds or a request names: it must be in
// the taxonomy. The error is Invalid with a Chinese reason.
func (t *Taxonomy) Check(code string) error {
	if _, ok := codeLevel(code); !ok {
		return errs.E(errs.Invalid, "专业代码“%s”格式不正确：应为类别字母加2、4或6位数字，如 A080104", code)
	}
	if _, ok := t.Get(code); !ok {
		return errs.E(errs.Invalid, "未知的专业代码 %s", code)
	}
	return nil
}

// Matches reports whether an expert's specialty code falls under the
// requested code: a request for A08 matches A08, A0801, A080101 ….
func Matches(code, request string) bool { return strings.HasPrefix(code, request) }

// prefixRange gives the half-open range [lo, hi) of codes that start with
// prefix, for an index range scan. Codes use only digits and capitals, so
// incrementing the last byte bounds the range.
func prefixRange(prefix string) (lo, hi string) {
	if prefix == "" {
		return "", "\x7f"
	}
	b := []byte(prefix)
	b[len(b)-1]++
	return prefix, string(b)
}
