package expert

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/ident"
)

// Input is what staff fill in (or an import row holds) for an expert. On
// an update, an empty IDNumber or Phone keeps the stored one.
type Input struct {
	Name          string       `json:"name"`
	IDNumber      string       `json:"id_number"`
	Phone         string       `json:"phone"`
	Email         string       `json:"email"`
	UserID        int64        `json:"user_id"`  // the expert's own account (role expert), 0 = none
	Username      string       `json:"username"` // or that account's username (import)
	EmployerName  string       `json:"employer_name"`
	EmployerCode  string       `json:"employer_code"` // 统一社会信用代码
	CentreCode    string       `json:"centre_code"`   // home centre; staff may leave it empty for their own
	Specialties   []string     `json:"specialties"`
	Title         string       `json:"title"`
	Years         int          `json:"years"`
	BirthDate     string       `json:"birth_date"` // optional; must agree with the ID number
	PastEmployers []Employment `json:"past_employers"`
	Relations     []Relation   `json:"relations"`
	Dishonest     bool         `json:"dishonest"`
	DishonestNote string       `json:"dishonest_note"`
}

// Limits on lists an expert record holds.
const (
	MaxSpecialties   = 10
	MaxPastEmployers = 20
	MaxRelations     = 50
)

// prepared is an Input checked and normalised, with its dates parsed.
type prepared struct {
	in          Input
	birth       time.Time
	specialties []string
	jobs        []job
}

type job struct {
	Employment
	from, to time.Time
}

// prepare normalises in and checks every field that needs no database,
// adding a Chinese reason per bad field to f. create says whether the ID
// number and phone are required.
func (s *Service) prepare(f *errs.Fields, in Input, now time.Time, create bool) prepared {
	p := prepared{}
	in.Name = strings.TrimSpace(in.Name)
	in.IDNumber = ident.NormalizeID(in.IDNumber)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Email = strings.TrimSpace(in.Email)
	in.EmployerName = strings.TrimSpace(in.EmployerName)
	in.EmployerCode = ident.NormalizeCreditCode(in.EmployerCode)
	in.CentreCode = strings.TrimSpace(in.CentreCode)
	in.Title = strings.TrimSpace(in.Title)
	in.BirthDate = strings.TrimSpace(in.BirthDate)
	in.DishonestNote = strings.TrimSpace(in.DishonestNote)
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	f.MaxLen("username", "关联账户", in.Username, 64)

	if f.Required("name", "姓名", in.Name) && f.MaxLen("name", "姓名", in.Name, 20) {
		for _, r := range in.Name {
			if unicode.IsDigit(r) || unicode.IsPunct(r) && r != '·' {
				f.Add("name", "姓名不能含数字或标点（少数民族姓名的间隔号“·”除外）")
				break
			}
		}
	}
	if in.IDNumber != "" || create {
		if err := ident.IDNumber(in.IDNumber, now); err != nil {
			f.Add("id_number", "%s", errs.As(err).Message)
		} else {
			p.birth, _ = ident.BirthDate(in.IDNumber)
		}
	}
	if in.Phone != "" || create {
		if err := ident.Phone(in.Phone); err != nil {
			f.Add("phone", "%s", errs.As(err).Message)
		}
	}
	if in.Email != "" && !validEmail(in.Email) {
		f.Add("email", "电子邮箱格式不正确")
	}
	if f.Required("employer_name", "工作单位", in.EmployerName) {
		f.MaxLen("employer_name", "工作单位", in.EmployerName, 100)
	}
	if err := ident.CreditCode(in.EmployerCode); err != nil {
		f.Add("employer_code", "工作单位%s", errs.As(err).Message)
	}
	if f.Required("title", "职称", in.Title) {
		f.MaxLen("title", "职称", in.Title, 30)
	}
	switch {
	case in.Years < s.cfg.MinYears:
		f.Add("years", "从业年限须满%d年（《评标专家和评标专家库管理暂行办法》第七条）", s.cfg.MinYears)
	case in.Years > 60:
		f.Add("years", "从业年限不能超过60年")
	}
	if in.BirthDate != "" {
		b, err := ParseDate(in.BirthDate)
		switch {
		case err != nil:
			f.Add("birth_date", "出生日期%s", errs.As(err).Message)
		case !p.birth.IsZero() && !b.Equal(p.birth):
			f.Add("birth_date", "出生日期 %s 与身份证号中的 %s 不一致", dateText(b), dateText(p.birth))
		case p.birth.IsZero():
			p.birth = b
		}
	}
	if !p.birth.IsZero() && Age(p.birth, now) < 18+in.Years {
		f.Add("years", "从业年限 %d 年与年龄 %d 岁不符", in.Years, Age(p.birth, now))
	}
	p.specialties = checkSpecialties(f, in.Specialties)
	in.Specialties = p.specialties
	p.jobs = checkJobs(f, in.PastEmployers, now)
	in.PastEmployers = nil
	for _, j := range p.jobs {
		in.PastEmployers = append(in.PastEmployers, j.Employment)
	}
	in.Relations = checkRelations(f, in.Relations)
	f.MaxLen("dishonest_note", "失信说明", in.DishonestNote, 200)
	p.in = in
	return p
}

func checkSpecialties(f *errs.Fields, codes []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range codes {
		c = NormalizeCode(c)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		if err := taxonomy.Check(c); err != nil {
			f.Add("specialties", "%s", errs.As(err).Message)
			continue
		}
		if len(c) < 3 {
			f.Add("specialties", "专业代码 %s 只是大类，请选到一级类别以下（如 A08、A0801）", c)
			continue
		}
		out = append(out, c)
	}
	switch {
	case len(seen) == 0:
		f.Add("specialties", "至少填写一个专业代码")
	case len(seen) > MaxSpecialties:
		f.Add("specialties", "专业代码不能超过%d个", MaxSpecialties)
	}
	return out
}

func checkJobs(f *errs.Fields, in []Employment, now time.Time) []job {
	if len(in) > MaxPastEmployers {
		f.Add("past_employers", "曾任职单位不能超过%d个", MaxPastEmployers)
		return nil
	}
	today := day(now)
	var out []job
	for i, e := range in {
		n := i + 1
		j := job{Employment: Employment{OrgName: strings.TrimSpace(e.OrgName), CreditCode: ident.NormalizeCreditCode(e.CreditCode),
			From: strings.TrimSpace(e.From), To: strings.TrimSpace(e.To)}}
		ok := true
		if j.OrgName == "" || len([]rune(j.OrgName)) > 100 {
			f.Add("past_employers", "第%d项曾任职单位的名称不能为空，且不超过100个字符", n)
			ok = false
		}
		if err := ident.CreditCode(j.CreditCode); err != nil {
			f.Add("past_employers", "第%d项曾任职单位的%s", n, errs.As(err).Message)
			ok = false
		}
		var err error
		if j.from, err = ParseDate(j.From); err != nil {
			f.Add("past_employers", "第%d项曾任职单位的起始日期%s", n, errs.As(err).Message)
			ok = false
		}
		if j.to, err = ParseDate(j.To); err != nil {
			f.Add("past_employers", "第%d项曾任职单位的结束日期%s", n, errs.As(err).Message)
			ok = false
		}
		if ok && j.to.Before(j.from) {
			f.Add("past_employers", "第%d项曾任职单位的结束日期早于起始日期", n)
			ok = false
		}
		if ok && j.to.After(today) {
			f.Add("past_employers", "第%d项曾任职单位的结束日期晚于今天（现工作单位请填在“工作单位”）", n)
			ok = false
		}
		if ok {
			j.From, j.To = dateText(j.from), dateText(j.to)
			out = append(out, j)
		}
	}
	return out
}

func checkRelations(f *errs.Fields, in []Relation) []Relation {
	if len(in) > MaxRelations {
		f.Add("relations", "申报关系不能超过%d项", MaxRelations)
		return nil
	}
	var out []Relation
	for i, r := range in {
		n := i + 1
		r.CreditCode = ident.NormalizeCreditCode(r.CreditCode)
		r.OrgName, r.Note = strings.TrimSpace(r.OrgName), strings.TrimSpace(r.Note)
		ok := true
		if err := ident.CreditCode(r.CreditCode); err != nil {
			f.Add("relations", "第%d项申报关系的单位%s", n, errs.As(err).Message)
			ok = false
		}
		if r.Kind.Label() == "" {
			f.Add("relations", "第%d项申报关系的类型须为近亲属任职、持股、董事监事或其他利害关系", n)
			ok = false
		}
		if len([]rune(r.OrgName)) > 100 || len([]rune(r.Note)) > 200 {
			f.Add("relations", "第%d项申报关系的单位名称不超过100个字符、说明不超过200个字符", n)
			ok = false
		}
		if ok {
			r.KindLabel = r.Kind.Label()
			out = append(out, r)
		}
	}
	return out
}

func validEmail(s string) bool {
	if len(s) > 100 || strings.ContainsAny(s, " \t\r\n,;<>\"") {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.Contains(domain, "@") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// ParseDate reads a day as people write it: 2026-03-01, 2026/3/1,
// 2026.3.1, 20260301 or 2026年3月1日. The result is 00:00 Beijing time.
// Years outside 1900–2100 are refused.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errs.E(errs.Invalid, "不能为空")
	}
	var y, m, d int
	var err error
	switch {
	case len(s) == 8 && isDigits(s):
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
	default:
		t := strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
		parts := strings.Split(t, "-")
		if len(parts) != 3 {
			return time.Time{}, badDate(s)
		}
		nums := make([]int, 3)
		for i, p := range parts {
			if p == "" || len(p) > 4 || !isDigits(p) {
				return time.Time{}, badDate(s)
			}
			if nums[i], err = strconv.Atoi(p); err != nil {
				return time.Time{}, badDate(s)
			}
		}
		y, m, d = nums[0], nums[1], nums[2]
	}
	if y < 1900 || y > 2100 {
		return time.Time{}, badDate(s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, clock.Shanghai)
	if ty, tm, td := t.Date(); ty != y || int(tm) != m || td != d {
		return time.Time{}, badDate(s)
	}
	return t, nil
}

func badDate(s string) error {
	return errs.E(errs.Invalid, "“%s”不是有效日期（应为 2006-01-02）", clip(s, 20))
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// ParseMoment reads a leave or suspension bound: a day (2026-12-01) or a
// day and time (2026-12-01 09:00), Beijing time. endOfDay makes a bare
// day mean the end of that day (the next day's 00:00), for "to" bounds.
func ParseMoment(s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := ParseDate(s); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errs.E(errs.Invalid, "“%s”不是有效时间（应为 2006-01-02 或 2006-01-02 15:04）", clip(s, 30))
}

// fieldOf strips an index from a field key: "past_employers" stays.
func fieldOf(key string) string {
	if i := strings.IndexAny(key, "[."); i >= 0 {
		return key[:i]
	}
	return key
}
