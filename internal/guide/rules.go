package guide

import (
	"strings"
	"unicode"

	"ggzy/internal/errs"
)

// Bounds on a matter: a guide is read by people, so entries stay short.
const (
	maxMaterials   = 50
	maxHours       = 40 // a promise in hours beyond a working week should be stated in days
	maxDays        = 60
	maxNameLen     = 50
	maxTextLen     = 2000
	maxMaterialLen = 100
	maxNoteLen     = 200
)

// normalise trims the text fields so that "  进场登记 " and "进场登记" are
// the same entry.
func (e *MatterEdit) normalise() {
	e.Name = strings.TrimSpace(e.Name)
	e.LegalBasis = strings.TrimSpace(e.LegalBasis)
	e.Description = strings.TrimSpace(e.Description)
	for i := range e.Materials {
		m := &e.Materials[i]
		m.Name = strings.Join(strings.Fields(m.Name), " ")
		m.Note = strings.TrimSpace(m.Note)
	}
}

// validServiceKey: lower-case letters, digits and '_', starting with a
// letter, 2–32 long, so codes stay readable in URLs and logs.
func validServiceKey(s string) bool {
	if len(s) < 2 || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func validateNew(n *NewMatter) error {
	n.TradeKind = strings.TrimSpace(n.TradeKind)
	n.Service = strings.TrimSpace(n.Service)
	n.normalise()
	var f errs.Fields
	if f.Required("trade_kind", "交易类型", n.TradeKind) && KindLabel(n.TradeKind) == "" {
		f.Add("trade_kind", "交易类型无效，应为工程建设、政府采购、土地使用权或国有产权之一")
	}
	if f.Required("service", "事项代码", n.Service) && !validServiceKey(n.Service) {
		f.Add("service", "事项代码须为2至32位小写字母、数字或下划线，且以字母开头（如 intake）")
	}
	validateEdit(&f, &n.MatterEdit)
	return f.Err()
}

// validateEdit checks the editable fields, adding every problem to f.
func validateEdit(f *errs.Fields, e *MatterEdit) {
	if f.Required("name", "事项名称", e.Name) {
		f.MaxLen("name", "事项名称", e.Name, maxNameLen)
	}
	if e.Mode.Label() == "" {
		f.Add("mode", "办理方式无效，应为马上办、网上办或一次办")
	}
	validateLimit(f, "limit", "承诺时限", e.Limit)
	if e.GreenLimit.Amount != 0 {
		if e.GreenLimit.Unit == "" {
			e.GreenLimit.Unit = e.Limit.Unit
		}
		validateLimit(f, "green_limit", "绿色通道时限", e.GreenLimit)
		if e.Limit.Unit.Label() != "" && e.GreenLimit.Unit.Label() != "" &&
			e.GreenLimit.nominalMinutes() >= e.Limit.nominalMinutes() {
			f.Add("green_limit", "绿色通道时限须短于承诺时限（%s）", e.Limit)
		}
	} else {
		e.GreenLimit = Limit{}
	}
	f.MaxLen("legal_basis", "办理依据", e.LegalBasis, maxTextLen)
	f.MaxLen("description", "办理说明", e.Description, maxTextLen)
	validateText(f, "legal_basis", "办理依据", e.LegalBasis)
	validateText(f, "description", "办理说明", e.Description)
	validateText(f, "name", "事项名称", e.Name)
	if len(e.Materials) > maxMaterials {
		f.Add("materials", "申请材料不能超过%d项", maxMaterials)
	}
	seen := map[string]bool{}
	for i, m := range e.Materials {
		field := "materials[" + itoa(int64(i)) + "]"
		label := "第" + itoa(int64(i+1)) + "项申请材料"
		if !f.Required(field+".name", label+"名称", m.Name) {
			continue
		}
		f.MaxLen(field+".name", label+"名称", m.Name, maxMaterialLen)
		f.MaxLen(field+".note", label+"说明", m.Note, maxNoteLen)
		validateText(f, field+".name", label+"名称", m.Name)
		validateText(f, field+".note", label+"说明", m.Note)
		if seen[m.Name] {
			f.Add(field+".name", "申请材料“%s”重复", m.Name)
		}
		seen[m.Name] = true
		if m.ID < 0 {
			f.Add(field+".id", "%s编号无效", label)
		}
	}
}

func validateLimit(f *errs.Fields, field, label string, l Limit) {
	switch l.Unit {
	case WorkingHours:
		if l.Amount < 1 || l.Amount > maxHours {
			f.Add(field, "%s须为1至%d个工作小时", label, maxHours)
		}
	case WorkingDays:
		if l.Amount < 1 || l.Amount > maxDays {
			f.Add(field, "%s须为1至%d个工作日", label, maxDays)
		}
	default:
		f.Add(field, "%s的单位无效，应为工作日或工作小时", label)
	}
}

// validateText refuses control characters (and so NUL, which PostgreSQL
// TEXT rejects) except line breaks and tabs in long texts.
func validateText(f *errs.Fields, field, label, s string) {
	for _, r := range s {
		if r == unicode.ReplacementChar || unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			f.Add(field, "%s含有无效字符", label)
			return
		}
	}
}
