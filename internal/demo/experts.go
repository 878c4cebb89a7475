package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/expert"
	"ggzy/internal/ident"
)

// The comprehensive expert library (issue 5): the seed account's 743
// experts of Zhaotong's 住建, 交通, 水利 and 环保 lines across the city and
// its counties, plus experts of the province centre and of Qujing for
// cross-region (remote) draws. The experts are generated from a seed of
// their own, written as a CSV file and loaded through the library's real
// import, so the import path is what the demo exercises; then a few are
// suspended, retired, penalised or given leave through the service, and
// three get their own sign-in for the expert portal.

// expertSeed fixes the experts independently of the rest of the demo.
const expertSeed = 5306_0743

// Library sizes: the seed account's 743 for Zhaotong, and the others.
const (
	zhaotongExperts = 743
	provinceExperts = 120
	qujingExperts   = 90
)

// expertLine is one of the four lines the Zhaotong library merged.
type expertLine struct {
	industry    auth.Industry
	share       int      // of the 743
	specialties []string // codes an expert of the line holds (the first ones more often)
	employers   []string // employer name endings for firms and bodies off the platform
}

var expertLines = []expertLine{
	{"housing", 320, []string{"A080104", "A080105", "A080106", "A080109", "A080113", "A080111", "A080107", "A080201",
		"A080202", "A080204", "A080205", "A083001", "A083002", "A060101", "A060102", "A060201", "A040102", "A040103", "A070101"},
		[]string{"建设工程质量检测中心", "工程造价咨询有限公司", "工程监理有限公司", "建筑设计有限公司", "城市建设投资有限公司"}},
	{"transport", 170, []string{"A080301", "A080302", "A080303", "A080304", "A080305", "A080306", "A030302", "A030101", "A060102"},
		[]string{"公路管理局", "交通建设工程质量监督站", "公路工程监理咨询有限公司", "交通勘察设计有限公司"}},
	{"water", 150, []string{"A080802", "A080803", "A080804", "A080801", "A080807", "A080808", "A080809", "A080902", "A060111",
		"A060211"}, []string{"水务局", "水利工程质量监督站", "水利工程咨询有限公司", "水利水电勘察设计有限公司"}},
	{"environment", 103, []string{"A090102", "A090101", "A090103", "A090105", "A090106", "A090104", "A090107", "A080212",
		"A060123"}, []string{"生态环境监测站", "环境科学研究院有限公司", "环境工程咨询有限公司", "环保科技有限公司"}},
}

// platformEmployers are expert employers registered on the platform (the
// experts with their own sign-in work there).
var platformEmployers = []struct {
	name     string
	region   place
	industry auth.Industry
}{
	{"昭通学院", zhaotong, ""},
	{"昭通市建筑设计研究院", zhaotong, "housing"},
	{"昭通市公路规划勘察设计院", zhaotong, "transport"},
	{"昭通市水利水电勘测设计研究院", zhaotong, "water"},
	{"昭通市生态环境科学研究所", zhaotong, "environment"},
	{"云南省建筑工程设计研究院", province, "housing"},
	{"云南省交通规划勘察设计研究院", province, "transport"},
	{"云南省水利水电勘察设计研究院", province, "water"},
	{"曲靖市建筑设计研究院", qujing, "housing"},
	{"曲靖师范学院", qujing, ""},
}

var expertTitles = []string{"高级工程师", "高级工程师", "高级工程师", "高级工程师", "正高级工程师", "正高级工程师", "高级经济师"}
var collegeTitles = []string{"教授", "副教授", "副教授", "正高级工程师"}

// employer is where an expert works.
type employer struct {
	orgID    int64
	name     string
	code     string
	region   string
	industry auth.Industry
}

// expertsDemo carries the step's state.
type expertsDemo struct {
	l          *loader
	g          *gen
	now        time.Time // the demo's present
	registered []employer
	bidders    []employer
	agents     []employer
	depts      []employer
	local      map[string][]employer // region + industry → firms and bodies off the platform
	accounts   map[int]string        // row index → username
	rows       [][]string
}

// experts loads the library. It runs before the trading timeline, so the
// library exists when the first evaluations are drawn.
func (l *loader) experts(ctx context.Context) error {
	d := &expertsDemo{l: l, g: newGen(expertSeed), now: l.opt.Now, local: map[string][]employer{}, accounts: map[int]string{}}
	if err := d.employers(ctx); err != nil {
		return err
	}
	centresOf := d.homeCentres()
	n := 0
	for _, line := range expertLines {
		for i := 0; i < line.share; i++ {
			d.row(line, centresOf[n])
			n++
		}
	}
	for i := 0; i < provinceExperts; i++ {
		d.row(expertLines[i%len(expertLines)], province.code)
	}
	for i := 0; i < qujingExperts; i++ {
		d.row(expertLines[i%2*2], qujing.code) // Qujing's library: 住建 and 水利
	}
	if err := d.users(ctx); err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(expert.Headers())
	w.WriteAll(d.rows)
	if err := w.Error(); err != nil {
		return err
	}
	rep, err := l.svc.Expert.Import(ctx, l.admin, expert.CSV, buf.Bytes())
	if err != nil {
		return fmt.Errorf("专家库导入: %w", err)
	}
	if rep.Failed > 0 || rep.Created != len(d.rows) {
		return fmt.Errorf("专家库导入: %d 行中 %d 行有误，例如 %+v", rep.Rows, rep.Failed, rep.Errors[:min(3, len(rep.Errors))])
	}
	return d.standing(ctx, rep.CreatedIDs)
}

// employers registers the platform's expert employers and reads the
// organisations the experts may be tied to: bidders, agents and the
// supervisory departments.
func (d *expertsDemo) employers(ctx context.Context) error {
	for _, e := range platformEmployers {
		o, err := d.l.svc.Auth.CreateOrg(ctx, auth.System, auth.NewOrg{Name: e.name, Kind: auth.KindEmployer,
			CreditCode: d.g.creditCode("12", e.region.code), CentreCode: e.region.code, LegalRep: d.g.name(),
			ContactName: d.g.name(), ContactPhone: d.g.phone()})
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		d.registered = append(d.registered, employer{orgID: o.ID, name: o.Name, code: o.CreditCode, region: e.region.code,
			industry: e.industry})
	}
	rows, err := d.l.q.Query(ctx, `SELECT id, name, credit_code, region_code, kind, industry FROM organisations
		WHERE kind IN ('bidder', 'agent', 'supervisor') AND status = 'approved' ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e employer
		var kind string
		if err := rows.Scan(&e.orgID, &e.name, &e.code, &e.region, &kind, &e.industry); err != nil {
			return err
		}
		switch kind {
		case "bidder":
			d.bidders = append(d.bidders, e)
		case "agent":
			d.agents = append(d.agents, e)
		case "supervisor":
			d.depts = append(d.depts, e)
		}
	}
	return rows.Err()
}

// homeCentres spreads the 743 over the city (two in five) and its
// counties, the bigger counties getting more.
func (d *expertsDemo) homeCentres() []string {
	weights := map[string]int{"530602": 14, "530621": 7, "530622": 6, "530623": 6, "530624": 4, "530625": 6, "530626": 3,
		"530627": 12, "530628": 6, "530629": 4, "530681": 4}
	var counties []string
	for _, p := range zhaotongCo {
		for i := 0; i < weights[p.code]; i++ {
			counties = append(counties, p.code)
		}
	}
	out := make([]string, zhaotongExperts)
	for i := range out {
		if d.g.r.IntN(5) < 2 {
			out[i] = zhaotong.code
		} else {
			out[i] = counties[d.g.r.IntN(len(counties))]
		}
	}
	return out
}

// regionName names a region of the demo.
func regionName(code string) string {
	for _, p := range append([]place{province, zhaotong, qujing}, zhaotongCo...) {
		if p.code == code {
			return p.name
		}
	}
	return ""
}

// localEmployer is a firm or public body off the platform in the region
// and line; each region keeps a handful, shared by its experts.
func (d *expertsDemo) localEmployer(region string, line expertLine) employer {
	key := region + string(line.industry)
	if list := d.local[key]; len(list) >= 4 || (len(list) > 0 && d.g.r.IntN(3) > 0) {
		return list[d.g.r.IntN(len(list))]
	}
	ending := line.employers[len(d.local[key])%len(line.employers)]
	kind := "91"
	switch {
	case strings.HasSuffix(ending, "局"):
		kind = "11"
	case strings.HasSuffix(ending, "站") || strings.HasSuffix(ending, "中心"):
		kind = "12"
	}
	name := regionName(region) + ending
	if kind == "91" {
		name = regionName(region) + bidderStems[d.g.r.IntN(len(bidderStems))] + ending
	}
	e := employer{name: name, code: d.g.creditCode(kind, region), region: region, industry: line.industry}
	d.local[key] = append(d.local[key], e)
	return e
}

// row generates one expert of line whose home centre is region.
func (d *expertsDemo) row(line expertLine, region string) {
	g := d.g
	present := clock.Local(d.now).Year()
	years := 8 + g.r.IntN(26)
	birthYear := present - years - 22 - g.r.IntN(9)
	if g.r.IntN(150) == 0 {
		birthYear = 1953 + g.r.IntN(3) // still in the library at 70: the draw leaves them out (C13)
	}
	birth := time.Date(birthYear, time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC)
	idNumber := d.idNumber(region, birth)

	// Where the expert works: a registered employer, a firm that bids on
	// the platform, a supervisory department, or a local body.
	var emp employer
	title := expertTitles[g.r.IntN(len(expertTitles))]
	switch k := g.r.IntN(100); {
	case k < 30 && len(d.registeredFor(region, line.industry)) > 0:
		fit := d.registeredFor(region, line.industry)
		emp = fit[g.r.IntN(len(fit))]
		if emp.industry == "" {
			title = collegeTitles[g.r.IntN(len(collegeTitles))]
		}
	case k < 37 && len(d.bidders) > 0 && line.industry != "environment":
		emp = d.bidders[g.r.IntN(len(d.bidders))]
	case k < 39 && len(d.depts) > 0:
		emp = d.deptFor(line.industry)
	default:
		emp = d.localEmployer(region, line)
	}

	// One to three specialties, the line's first ones more often.
	n := 1 + g.r.IntN(3)
	seen := map[string]bool{}
	var codes []string
	for len(codes) < n {
		i := g.r.IntN(len(line.specialties))
		if g.r.IntN(2) == 0 {
			i = g.r.IntN(min(4, len(line.specialties)))
		}
		if c := line.specialties[i]; !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	if strings.HasPrefix(codes[0], "A06") {
		title = "高级经济师"
	}

	// A quarter changed jobs; some left a firm that bids on the platform
	// less than three years before the present.
	var jobs []string
	if g.r.IntN(4) == 0 {
		start := time.Date(birthYear+23+g.r.IntN(3), time.Month(1+g.r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		end := time.Date(2018+g.r.IntN(5), time.Month(1+g.r.IntN(12)), 28, 0, 0, 0, 0, time.UTC)
		var past employer
		if len(d.bidders) > 0 && g.r.IntN(3) == 0 {
			past = d.bidders[g.r.IntN(len(d.bidders))]
			end = time.Date(2023, time.Month(6+g.r.IntN(6)), 30, 0, 0, 0, 0, time.UTC)
		} else {
			past = d.localEmployer(region, line)
		}
		if past.code != emp.code && start.Before(end) {
			jobs = append(jobs, strings.Join([]string{past.name, past.code, start.Format("2006-01-02"), end.Format("2006-01-02")}, "|"))
		}
	}
	var rels []string
	if g.r.IntN(25) == 0 {
		switch {
		case len(d.bidders) > 0 && g.r.IntN(3) > 0:
			b := d.bidders[g.r.IntN(len(d.bidders))]
			kind, note := "近亲属任职", "配偶在该公司任项目经理"
			if g.r.IntN(2) == 0 {
				kind, note = "持股", "持有该公司股份"
			}
			rels = append(rels, strings.Join([]string{b.code, kind, b.name, note}, "|"))
		case len(d.agents) > 0:
			a := d.agents[g.r.IntN(len(d.agents))]
			rels = append(rels, strings.Join([]string{a.code, "近亲属任职", a.name, "子女在该代理机构工作"}, "|"))
		}
	}
	dishonest, note := "否", ""
	if g.r.IntN(140) == 0 {
		dishonest, note = "是", "经“信用中国”核查列入失信被执行人名单"
	}
	email := ""
	if g.r.IntN(5) < 2 {
		email = fmt.Sprintf("zj%s%04d@%s", region[2:4], len(d.rows)+1, g.pick([]string{"163.com", "qq.com", "126.com", "ztxy.edu.cn"}))
	}
	d.rows = append(d.rows, []string{g.name(), idNumber, g.phone(), email, emp.name, emp.code, region, strings.Join(codes, "、"),
		title, strconv.Itoa(years), birth.Format("2006-01-02"), strings.Join(jobs, "；"), strings.Join(rels, "；"), dishonest, note, ""})
}

// registeredFor lists the registered employers of the line (or colleges)
// in the expert's area: the province, Qujing, or Zhaotong and its counties.
func (d *expertsDemo) registeredFor(region string, industry auth.Industry) []employer {
	area := zhaotong.code
	switch {
	case region == province.code:
		area = province.code
	case strings.HasPrefix(region, "5303"):
		area = qujing.code
	}
	var fit []employer
	for _, e := range d.registered {
		if e.region == area && (e.industry == industry || e.industry == "") {
			fit = append(fit, e)
		}
	}
	return fit
}

// deptFor picks a supervisory department of the line, else any.
func (d *expertsDemo) deptFor(industry auth.Industry) employer {
	var fit []employer
	for _, e := range d.depts {
		if e.industry == industry {
			fit = append(fit, e)
		}
	}
	if len(fit) == 0 {
		fit = d.depts
	}
	return fit[d.g.r.IntN(len(fit))]
}

// idNumber makes a 身份证号 registered in region with the birth date and a
// correct check digit (RULES G2), never repeated.
func (d *expertsDemo) idNumber(region string, birth time.Time) string {
	for {
		first17 := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), d.g.r.IntN(1000))
		c, err := ident.IDCheck(first17)
		if err != nil {
			panic(err)
		}
		if id := first17 + string(c); !d.g.seen[id] {
			d.g.seen[id] = true
			return id
		}
	}
}

// expertAccounts are the experts who sign in to the portal: in each place,
// the first expert working at a registered expert employer (an expert's
// account belongs to the employer's organisation).
var expertAccounts = []struct {
	username string
	region   string
	list     bool
}{
	{"zt_expert", zhaotong.code, true},
	{"ld_expert", "530621", false},
	{"qj_expert", qujing.code, false},
}

// users gives three experts at registered employers their own sign-in,
// named in the import's 关联账户 column.
func (d *expertsDemo) users(ctx context.Context) error {
	orgOf := map[string]employer{}
	for _, e := range d.registered {
		orgOf[e.code] = e
	}
	taken := map[int]bool{}
	for _, acc := range expertAccounts {
		for i, r := range d.rows {
			emp, ok := orgOf[r[5]]
			if !ok || taken[i] || r[6] != acc.region {
				continue
			}
			if r[13] == "是" || len(r[10]) == 10 && r[10] < "1956" {
				continue
			}
			_, err := d.l.svc.Auth.CreateUser(ctx, auth.System, auth.NewUser{OrgID: emp.orgID, Username: acc.username,
				DisplayName: r[0], Role: auth.Expert, IDNumber: r[1], Phone: r[2], Password: Password})
			if err != nil {
				return fmt.Errorf("专家账户 %s: %w", acc.username, err)
			}
			r[15], taken[i] = acc.username, true
			if acc.list {
				d.l.accounts = append(d.l.accounts, Account{Role: auth.Expert, Username: acc.username, Name: r[0], Org: emp.name})
			}
			break
		}
	}
	return nil
}

// standing suspends, retires, penalises and gives leave to a few experts,
// through the service, relative to the present.
func (d *expertsDemo) standing(ctx context.Context, ids []int64) error {
	svc, admin, g := d.l.svc.Expert, d.l.admin, d.g
	present := clock.Local(d.now)
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	for i, id := range ids {
		var err error
		switch k := g.r.IntN(200); {
		case k < 3:
			_, err = svc.Suspend(ctx, admin, id, expert.Suspension{Reason: "年度考核不合格，暂停评标资格一年",
				From: day(present.AddDate(0, -2, 0)), Until: day(present.AddDate(0, 10, 0))})
		case k < 5:
			_, err = svc.Retire(ctx, admin, id, expert.Retirement{Reason: g.pick([]string{"本人申请退出专家库", "调离专业技术岗位"})})
		case k < 7:
			_, err = svc.AddPenalty(ctx, admin, id, expert.PenaltyInput{Date: "2023-09-15",
				Text: "评标中未按招标文件规定的评标标准评审，被行政监督部门通报批评", BarredUntil: day(present.AddDate(0, 3, 0))})
		case k < 13:
			from := present.AddDate(0, 0, 2+g.r.IntN(40))
			_, err = svc.AddLeave(ctx, admin, id, expert.LeaveInput{From: day(from), To: day(from.AddDate(0, 0, g.r.IntN(10))),
				Reason: g.pick([]string{"外出培训", "出差", "身体原因", "参加工程验收"})})
		}
		if err != nil {
			return fmt.Errorf("专家 %d（第 %d 位）: %w", id, i+1, err)
		}
	}
	return nil
}
