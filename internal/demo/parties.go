package demo

import (
	"context"
	"fmt"

	"ggzy/internal/auth"
)

// department is a supervisory department with its jurisdiction.
type department struct {
	region   place
	name     string
	industry auth.Industry
	username string // "" = no listed account
}

var departments = []department{
	{zhaotong, "昭通市住房和城乡建设局", "housing", "zt_housing"},
	{zhaotong, "昭通市交通运输局", "transport", "zt_transport"},
	{zhaotong, "昭通市水利局", "water", "zt_water"},
	{zhaotong, "昭通市生态环境局", "environment", "zt_environment"},
	{zhaotong, "昭通市财政局", "finance", "zt_finance"},
	{zhaotong, "昭通市自然资源和规划局", "land", ""},
	{zhaotong, "昭通市人民政府国有资产监督管理委员会", "assets", ""},
	{place{"530621", "鲁甸县"}, "鲁甸县住房和城乡建设局", "housing", "ld_housing"},
	{place{"530623", "盐津县"}, "盐津县水利局", "water", ""},
	{province, "云南省住房和城乡建设厅", "housing", ""},
	{qujing, "曲靖市住房和城乡建设局", "housing", ""},
}

func (l *loader) supervisors(ctx context.Context) error {
	for i, d := range departments {
		org, err := l.svc.Auth.CreateOrg(ctx, auth.System, auth.NewOrg{Name: d.name, Kind: auth.KindSupervisor,
			CreditCode: l.g.creditCode("11", d.region.code), CentreCode: d.region.code, Industry: d.industry,
			LegalRep: l.g.name(), ContactName: l.g.name(), ContactPhone: l.g.phone()})
		if err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		username := d.username
		if username == "" {
			username = fmt.Sprintf("sup%02d", i)
		}
		if err := l.user(ctx, org.ID, org.Name, d.region.code, username, auth.Supervisor, d.username != ""); err != nil {
			return err
		}
	}
	return nil
}

// Name parts for companies and public bodies of the region.
var (
	bidderStems  = []string{"乌蒙", "金沙江", "昭鲁", "龙腾", "盛安", "鼎鑫", "宏远", "恒通", "云岭", "滇东北", "德泽", "凤凰山", "大山包", "朱提", "秀峰", "华辰", "建丰", "润城", "安康", "通达"}
	bidderTrades = []string{"建筑工程有限公司", "路桥工程有限责任公司", "水利水电建设有限公司", "市政工程有限公司", "环保科技有限公司", "建设集团有限公司", "园林绿化工程有限公司", "信息技术有限公司", "医疗设备有限公司", "物业服务有限公司"}
	tenderers    = []string{"教育体育局", "卫生健康局", "交通运输局公路建设管理处", "水务局", "住房和城乡建设局", "第一人民医院", "城市建设投资有限公司", "农业农村局", "自然资源局土地储备中心", "第一中学"}
	agentStems   = []string{"云南建诚", "昭通正信", "云南中和", "滇信", "云南华昆", "昭通明达", "云南永信", "滇东"}
)

// registered is an organisation the parties step registered, for the
// trading steps.
type registered struct {
	kind    auth.OrgKind
	name    string
	region  place
	pending bool
	org     *org
}

// party is one registered organisation of the demo.
type party struct {
	kind     auth.OrgKind
	name     string
	region   place
	username string
	pending  bool // left awaiting the centre's review
	list     bool
}

func (l *loader) parties(ctx context.Context) error {
	var ps []party
	counties := zhaotongCo
	for i, t := range tenderers {
		p := counties[i%len(counties)]
		ps = append(ps, party{auth.KindTenderer, p.name + t, p, fmt.Sprintf("tenderer%02d", i), false, i == 0})
	}
	for i, a := range agentStems {
		ps = append(ps, party{auth.KindAgent, a + "工程咨询有限公司", zhaotong, fmt.Sprintf("agent%02d", i), false, i == 0})
	}
	for i := 0; i < 40; i++ {
		p := counties[i%len(counties)]
		name := "昭通" + bidderStems[i%len(bidderStems)] + bidderTrades[(i/2+i)%len(bidderTrades)]
		if i >= len(bidderStems) {
			// A county prefix (昭阳, 鲁甸 …) keeps the names unique.
			name = p.name[:len(p.name)-len("区")] + bidderStems[i%len(bidderStems)] + bidderTrades[(i/2+i)%len(bidderTrades)]
		}
		ps = append(ps, party{auth.KindBidder, name, p, fmt.Sprintf("bidder%02d", i), i >= 37, i < 3 || i == 37})
	}
	for _, p := range ps {
		if err := l.party(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// party registers through the public self-service path (as a real firm
// would) and, unless left pending, is approved by the centre.
func (l *loader) party(ctx context.Context, p party) error {
	centreCode := zhaotong.code
	if p.region.code != zhaotong.code {
		centreCode = p.region.code
	}
	name := l.g.name()
	o, _, err := l.svc.Auth.Register(ctx, auth.Public("127.0.0.1"), auth.Registration{
		OrgName: p.name, Kind: p.kind, CreditCode: l.g.creditCode("91", p.region.code), CentreCode: centreCode,
		LegalRep: l.g.name(), ContactName: name, ContactPhone: l.g.phone(), Username: p.username,
		DisplayName: name, IDNumber: l.g.idNumber(p.region.code), Phone: l.g.phone(), Password: Password,
	})
	if err != nil {
		return fmt.Errorf("注册 %s: %w", p.name, err)
	}
	if !p.pending {
		if _, err := l.svc.Auth.DecideOrg(ctx, auth.System, o.ID, auth.Decision{Approve: true, Reason: "材料齐全，准予注册"}); err != nil {
			return fmt.Errorf("审核 %s: %w", p.name, err)
		}
	}
	l.registered = append(l.registered, registered{kind: p.kind, name: p.name, region: p.region, pending: p.pending,
		org: &org{id: o.ID, name: o.Name, region: p.region, user: p.username}})
	if p.list {
		role := auth.Role(p.kind)
		note := p.name
		if p.pending {
			note += "（待审核，审核通过前不能登录）"
		}
		l.accounts = append(l.accounts, Account{Role: role, Username: p.username, Name: name, Org: note})
	}
	return nil
}
