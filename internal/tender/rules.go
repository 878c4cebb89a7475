package tender

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"ggzy/internal/auth"
	"ggzy/internal/calendar"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/guide"
	"ggzy/internal/money"
)

// industriesOf says which supervisory lines a kind's projects may fall
// under; the industry decides the supervising department (行政监督部门),
// whose supervisors see the project in their region.
var industriesOf = map[TradeKind][]auth.Industry{
	Construction: {"housing", "transport", "water", "environment", "development"},
	Procurement:  {"finance"},
	Land:         {"land"},
	Property:     {"assets"},
}

// Industries lists the industries a kind allows, in display order.
func (k TradeKind) Industries() []auth.Industry { return industriesOf[k] }

// AllowsIndustry reports whether a project of kind k may be in industry i.
func (k TradeKind) AllowsIndustry(i string) bool {
	for _, x := range industriesOf[k] {
		if string(x) == i {
			return true
		}
	}
	return false
}

// Procedures lists the procedures kind k allows.
func (k TradeKind) Procedures() []Procedure { return proceduresOf[k] }

// evalMethodsOf: tendering and procurement compare prices and offers; land
// and property go to the highest price.
var evalMethodsOf = map[TradeKind][]EvalMethod{
	Construction: {LowestPrice, Comprehensive},
	Procurement:  {LowestPrice, Comprehensive},
	Land:         {HighestPrice},
	Property:     {HighestPrice},
}

// EvalMethods lists the evaluation methods kind k allows.
func (k TradeKind) EvalMethods() []EvalMethod { return evalMethodsOf[k] }

func (k TradeKind) allowsMethod(m EvalMethod) bool {
	for _, x := range evalMethodsOf[k] {
		if x == m {
			return true
		}
	}
	return false
}

// ApprovalLabel names the approval reference a kind's projects carry.
func (k TradeKind) ApprovalLabel() string {
	switch k {
	case Procurement:
		return "采购计划编号"
	case Land:
		return "出让方案批准文号"
	case Property:
		return "转让行为批准文号"
	}
	return "项目审批/核准/备案文号"
}

// IndustryLabel is the Chinese name of the project's supervisory line.
func (p Project) IndustryLabel() string { return auth.Industries[auth.Industry(p.Industry)] }

// MaxAmount bounds every amount (10 万亿元), far above any real project
// and far below int64 overflow in sums of many lots.
const MaxAmount money.Fen = 1_000_000_000_000_000

const (
	maxLots        = 100
	maxNameLen     = 200
	maxLotNameLen  = 100
	maxApprovalLen = 100
	maxReasonLen   = 500
)

// depositRate is the statutory cap on a bid deposit: 2% of the estimated
// price (RULES A6, 条例 26) or of the budget (RULES D5, 采条 33).
var depositRate = money.MustRate("2%")

// DepositCap is the largest lawful bid deposit for a lot of kind k with
// the given estimated price, and the rule that sets it; ok is false when
// no statutory cap applies (land and property deposits are set by the
// listing terms).
func DepositCap(k TradeKind, estimated money.Fen) (limit money.Fen, ruleID, source string, ok bool) {
	switch k {
	case Construction:
		return money.Percent(estimated, depositRate), "A6", "《招标投标法实施条例》第二十六条", true
	case Procurement:
		return money.Percent(estimated, depositRate), "D5", "《政府采购法实施条例》第三十三条", true
	}
	return 0, "", "", false
}

// LotInput is one 标段/包 as the applicant fills it in; amounts in fen.
type LotInput struct {
	Name           string     `json:"name"`
	EstimatedPrice money.Fen  `json:"estimated_price"`
	MaxPrice       money.Fen  `json:"max_price"` // 0 = no maximum price
	Deposit        money.Fen  `json:"deposit"`
	EvalMethod     EvalMethod `json:"eval_method"`
}

// ProjectInput is a project as the tenderer or its agent registers or
// edits it. Amounts are fen. The tenderer names its agent (if any); an
// agent names the tenderer it acts for. Parties cannot change after
// registration.
type ProjectInput struct {
	Name           string    `json:"name"`
	TradeKind      TradeKind `json:"trade_kind"`
	Industry       string    `json:"industry"`
	RegionCode     string    `json:"region_code"` // the centre that handles it
	Procedure      Procedure `json:"procedure"`
	StateFunded    bool      `json:"state_funded"`
	ApprovalRef    string    `json:"approval_ref"`
	EstimatedPrice money.Fen `json:"estimated_price"` // 0 = the sum of the lots
	TendererOrgID  int64     `json:"tenderer_org_id,omitempty"`
	AgentOrgID     int64     `json:"agent_org_id,omitempty"`
	// The parties may be named by 统一社会信用代码 instead of id.
	TendererCreditCode string     `json:"tenderer_credit_code,omitempty"`
	AgentCreditCode    string     `json:"agent_credit_code,omitempty"`
	GreenChannel       bool       `json:"green_channel"`
	GreenReason        string     `json:"green_reason"` // 脱贫攻坚 / 重大项目 …, required on the green channel
	Lots               []LotInput `json:"lots"`
}

func (in *ProjectInput) normalise() {
	in.Name = strings.TrimSpace(in.Name)
	in.Industry = strings.TrimSpace(in.Industry)
	in.RegionCode = strings.TrimSpace(in.RegionCode)
	in.ApprovalRef = strings.TrimSpace(in.ApprovalRef)
	in.GreenReason = strings.TrimSpace(in.GreenReason)
	in.TendererCreditCode = strings.ToUpper(strings.TrimSpace(in.TendererCreditCode))
	in.AgentCreditCode = strings.ToUpper(strings.TrimSpace(in.AgentCreditCode))
	if !in.GreenChannel {
		in.GreenReason = ""
	}
	for i := range in.Lots {
		in.Lots[i].Name = strings.TrimSpace(in.Lots[i].Name)
	}
}

// validate checks everything that needs no database, naming each bad field
// in Chinese. It fills in the project's estimated price from the lots when
// it is 0.
func (in *ProjectInput) validate() error {
	in.normalise()
	var f errs.Fields
	if f.Required("name", "项目名称", in.Name) {
		f.MaxLen("name", "项目名称", in.Name, maxNameLen)
		checkText(&f, "name", "项目名称", in.Name)
	}
	kindOK := in.TradeKind.Label() != ""
	if !kindOK {
		f.Add("trade_kind", "交易类型无效，应为工程建设、政府采购、土地使用权或国有产权之一")
	}
	if f.Required("industry", "所属行业", in.Industry) && kindOK && !in.TradeKind.AllowsIndustry(in.Industry) {
		f.Add("industry", "%s项目的所属行业应为：%s", in.TradeKind.Label(), industryNames(in.TradeKind))
	}
	if f.Required("region_code", "交易中心（行政区划代码）", in.RegionCode) {
		if err := centre.ValidateCode(in.RegionCode); err != nil {
			f.Add("region_code", "%s", errs.As(err).Message)
		}
	}
	switch {
	case in.Procedure.Label() == "":
		f.Add("procedure", "交易方式无效")
	case kindOK && !in.TradeKind.Allows(in.Procedure):
		f.Add("procedure", "%s项目不能采用%s方式，可选：%s", in.TradeKind.Label(), in.Procedure.Label(), procedureNames(in.TradeKind))
	}
	label := in.TradeKind.ApprovalLabel()
	if f.Required("approval_ref", label, in.ApprovalRef) {
		f.MaxLen("approval_ref", label, in.ApprovalRef, maxApprovalLen)
		checkText(&f, "approval_ref", label, in.ApprovalRef)
	}
	if in.GreenChannel && f.Required("green_reason", "绿色通道理由", in.GreenReason) {
		f.MaxLen("green_reason", "绿色通道理由", in.GreenReason, maxReasonLen)
		checkText(&f, "green_reason", "绿色通道理由", in.GreenReason)
	}
	if in.TendererOrgID < 0 {
		f.Add("tenderer_org_id", "招标人编号无效")
	}
	if in.AgentOrgID < 0 {
		f.Add("agent_org_id", "代理机构编号无效")
	}
	f.MaxLen("tenderer_credit_code", "招标人统一社会信用代码", in.TendererCreditCode, 18)
	f.MaxLen("agent_credit_code", "代理机构统一社会信用代码", in.AgentCreditCode, 18)
	sum, sumOK := in.validateLots(&f, kindOK)
	switch {
	case in.EstimatedPrice < 0 || in.EstimatedPrice > MaxAmount:
		f.Add("estimated_price", "项目估算价须在0至%s元之间", MaxAmount.Yuan())
	case sumOK && in.EstimatedPrice == 0:
		in.EstimatedPrice = sum
	case sumOK && in.EstimatedPrice != sum:
		f.Add("estimated_price", "项目估算价（%s元）须等于各标段估算价之和（%s元）", in.EstimatedPrice.Yuan(), sum.Yuan())
	}
	return f.Err()
}

// validateLots checks the lots and returns the sum of their estimated
// prices (ok false when it cannot be trusted).
func (in *ProjectInput) validateLots(f *errs.Fields, kindOK bool) (sum money.Fen, ok bool) {
	if len(in.Lots) == 0 {
		f.Add("lots", "至少须有一个标段（包）")
		return 0, false
	}
	if len(in.Lots) > maxLots {
		f.Add("lots", "标段（包）不能超过%d个", maxLots)
		return 0, false
	}
	ok = true
	names := map[string]bool{}
	for i, l := range in.Lots {
		field := "lots[" + strconv.Itoa(i) + "]"
		label := "第" + strconv.Itoa(i+1) + "标段（包）"
		if f.Required(field+".name", label+"名称", l.Name) {
			f.MaxLen(field+".name", label+"名称", l.Name, maxLotNameLen)
			checkText(f, field+".name", label+"名称", l.Name)
			if names[l.Name] {
				f.Add(field+".name", "%s名称“%s”与其他标段重复", label, l.Name)
			}
			names[l.Name] = true
		}
		if l.EstimatedPrice <= 0 || l.EstimatedPrice > MaxAmount {
			f.Add(field+".estimated_price", "%s估算价须大于0且不超过%s元", label, MaxAmount.Yuan())
			ok = false
		} else {
			sum += l.EstimatedPrice
		}
		if l.Deposit < 0 || l.Deposit > MaxAmount {
			f.Add(field+".deposit", "%s保证金不能为负数或超过%s元", label, MaxAmount.Yuan())
		} else if limit, rule, source, capped := DepositCap(in.TradeKind, l.EstimatedPrice); capped && l.EstimatedPrice > 0 && l.Deposit > limit {
			f.Add(field+".deposit", "违反%s（规则 %s）：%s保证金%s元超过估算价的2%%（上限%s元）",
				source, rule, label, l.Deposit.Yuan(), limit.Yuan())
		}
		switch {
		case l.MaxPrice < 0 || l.MaxPrice > MaxAmount:
			f.Add(field+".max_price", "%s最高限价不能为负数或超过%s元", label, MaxAmount.Yuan())
		case l.MaxPrice > 0 && (in.TradeKind == Land || in.TradeKind == Property):
			f.Add(field+".max_price", "%s：%s交易价高者得，不设最高限价", label, in.TradeKind.Label())
		case l.MaxPrice > 0 && l.EstimatedPrice > 0 && l.MaxPrice > l.EstimatedPrice:
			f.Add(field+".max_price", "%s最高限价（%s元）不得超过其估算价（预算）%s元", label, l.MaxPrice.Yuan(), l.EstimatedPrice.Yuan())
		}
		switch {
		case l.EvalMethod.Label() == "":
			f.Add(field+".eval_method", "%s评标（成交）方法无效", label)
		case kindOK && !in.TradeKind.allowsMethod(l.EvalMethod):
			f.Add(field+".eval_method", "%s项目不能采用%s", in.TradeKind.Label(), l.EvalMethod.Label())
		}
	}
	return sum, ok
}

func industryNames(k TradeKind) string {
	var out []string
	for _, i := range industriesOf[k] {
		out = append(out, auth.Industries[i])
	}
	return strings.Join(out, "、")
}

func procedureNames(k TradeKind) string {
	var out []string
	for _, p := range proceduresOf[k] {
		out = append(out, p.Label())
	}
	return strings.Join(out, "、")
}

// checkText refuses control characters and invalid UTF-8 (PostgreSQL TEXT
// rejects NUL; SQLite would keep it), the same on both engines.
func checkText(f *errs.Fields, field, label, s string) {
	for _, r := range s {
		if r == unicode.ReplacementChar || unicode.IsControl(r) {
			f.Add(field, "%s含有无效字符", label)
			return
		}
	}
}

// checkLongText is checkText for texts that may have several lines.
func checkLongText(f *errs.Fields, field, label, s string) {
	checkText(f, field, label, strings.NewReplacer("\n", " ", "\r", " ", "\t", " ").Replace(s))
}

// DueAt is when the centre must have answered an intake submitted at
// submitted under the promised limit: working days count whole working
// days after the day of submission and end at 24:00 of the last one (RULES
// C1, C3; calendar.AddWorkingDays); working hours count office hours of
// working days only (calendar.AddWorkingHours). The answer is in time iff
// it comes before the due instant.
func DueAt(cal *calendar.Calendar, office calendar.OfficeHours, submitted time.Time, l guide.Limit) (time.Time, error) {
	switch l.Unit {
	case guide.WorkingHours:
		return cal.AddWorkingHours(submitted, l.Amount, office)
	case guide.WorkingDays:
		return cal.AddWorkingDays(submitted, l.Amount)
	}
	return time.Time{}, errs.E(errs.Conflict, "办事指南的承诺时限单位无效，请联系交易中心")
}

// DueText shows the due time in Beijing time for people. A due instant at
// 00:00 is the end of the day before (a period ends at 24:00 of its last
// day, RULES C1) and is shown that way: "2026-11-30 24:00".
func (p Project) DueText() string {
	if p.DueAt.IsZero() {
		return ""
	}
	t := clock.Local(p.DueAt)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.AddDate(0, 0, -1).Format("2006-01-02") + " 24:00"
	}
	return t.Format("2006-01-02 15:04")
}

// Overdue reports whether a submitted project has waited past its due time.
func (p Project) Overdue(now time.Time) bool {
	return p.State == Submitted && !p.DueAt.IsZero() && !now.Before(p.DueAt)
}

// DecidedLate reports whether the centre answered after the due time.
func (p Project) DecidedLate() bool {
	return !p.DecidedAt.IsZero() && !p.DueAt.IsZero() && !p.DecidedAt.Before(p.DueAt)
}

// Editable reports whether the applicant may still change the project and
// its materials: while it is a draft or has been returned.
func (p Project) Editable() bool { return p.State == Draft || p.State == Returned }

// Owns reports whether the actor's organisation is the project's tenderer
// or its agent (who edit and submit it).
func Owns(a auth.Actor, p Project) bool {
	return (a.Role == auth.Tenderer || a.Role == auth.Agent) && a.OrgID != 0 &&
		(p.TendererOrgID == a.OrgID || p.AgentOrgID == a.OrgID)
}

// Oversees reports whether the actor runs the project's intake: centre
// staff of the project's region or a region above it, and administrators.
// Drafts are the applicant's own work and visible to nobody else.
func Oversees(a auth.Actor, p Project) bool {
	if p.State == Draft {
		return false
	}
	switch a.Role {
	case auth.Admin:
		return true
	case auth.Staff:
		return centre.Within(p.RegionCode, a.Region)
	}
	return false
}

// Supervises reports whether the actor is a supervisor of the project's
// industry in its region or above (行政监督: industry × region).
func Supervises(a auth.Actor, p Project) bool {
	return a.Role == auth.Supervisor && p.State != Draft && string(a.Industry) == p.Industry &&
		centre.Within(p.RegionCode, a.Region)
}

// Visible reports whether the actor may see the project at all.
func Visible(a auth.Actor, p Project) bool { return Owns(a, p) || Oversees(a, p) || Supervises(a, p) }
