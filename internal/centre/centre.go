// Package centre holds the trading centres (交易中心) in their hierarchy
// province → prefecture (州市) → county (县区), keyed by GB/T 2260 region
// codes. A centre's region decides whose data its staff and supervisors see.
package centre

import (
	"strings"
	"time"

	"ggzy/internal/errs"
)

// Level is a centre's place in the hierarchy.
type Level string

const (
	Province   Level = "province"
	Prefecture Level = "prefecture"
	County     Level = "county"
)

// Label is the Chinese name of the level.
func (l Level) Label() string {
	switch l {
	case Province:
		return "省级"
	case Prefecture:
		return "州市级"
	case County:
		return "县区级"
	}
	return string(l)
}

// Centre is one trading centre.
type Centre struct {
	ID         int64     `json:"id"`
	RegionCode string    `json:"region_code"`
	Name       string    `json:"name"`
	RegionName string    `json:"region_name"`
	Level      Level     `json:"level"`
	ParentID   int64     `json:"parent_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// LevelOf derives the level from a GB/T 2260 code: "530000" is a province,
// "530600" a prefecture, anything else a county-level division.
func LevelOf(code string) Level {
	switch {
	case strings.HasSuffix(code, "0000"):
		return Province
	case strings.HasSuffix(code, "00"):
		return Prefecture
	}
	return County
}

// Prefix is the part of a region code that all regions inside it share:
// 530000 → "53", 530600 → "5306", 530602 → "530602". A jurisdiction over
// a region covers every code that starts with its prefix.
func Prefix(code string) string {
	switch LevelOf(code) {
	case Province:
		return code[:2]
	case Prefecture:
		return code[:4]
	}
	return code
}

// Within reports whether region code lies inside the jurisdiction region.
func Within(code, jurisdiction string) bool {
	if jurisdiction == "" || code == "" {
		return false
	}
	return strings.HasPrefix(code, Prefix(jurisdiction))
}

// ValidateCode checks the shape of a GB/T 2260 code: six digits, a real
// province part, and a parent that can be derived.
func ValidateCode(code string) error {
	if len(code) != 6 {
		return errs.E(errs.Invalid, "行政区划代码须为6位数字")
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return errs.E(errs.Invalid, "行政区划代码须为6位数字")
		}
	}
	if code[:2] < "11" || code[:2] > "82" {
		return errs.E(errs.Invalid, "行政区划代码的省级部分无效")
	}
	return nil
}

// ParentCode is the code of the region that contains code, "" for a province.
func ParentCode(code string) string {
	switch LevelOf(code) {
	case Prefecture:
		return code[:2] + "0000"
	case County:
		return code[:4] + "00"
	}
	return ""
}
