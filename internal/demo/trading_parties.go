package demo

import (
	"context"
	"fmt"
	"strings"

	"ggzy/internal/auth"
)

// org is an approved organisation the trading steps use. user is the
// username of its one user ("" when it has none: its projects are then
// registered by an agent, as most are).
type org struct {
	id     int64
	name   string
	region place
	user   string
}

// Tenderer roles: what kind of public body a tenderer is, which decides
// the projects it puts out (trading_names.go).
const (
	roleEducation  = "education"
	roleHealth     = "health"
	roleHospital   = "hospital"
	roleSchool     = "school"
	roleHousing    = "housing"
	roleUrban      = "urban"
	roleTransport  = "transport"
	roleWater      = "water"
	roleAgri       = "agri"
	roleGovService = "govservice"
	rolePolice     = "police"
	roleLand       = "land"
	roleAssets     = "assets"
)

// roleNames are the names of each role's body in a county, and where the
// city's differ (its bureaus of housing and water are also supervisors,
// so its own projects come from the centres under them).
var (
	roleNames = map[string]string{
		roleEducation: "教育体育局", roleHealth: "卫生健康局", roleHospital: "人民医院", roleSchool: "第一中学",
		roleHousing: "住房和城乡建设局", roleUrban: "城市建设投资有限公司", roleTransport: "交通运输局",
		roleWater: "水务局", roleAgri: "农业农村局", roleGovService: "政务服务管理局", rolePolice: "公安局",
		roleLand: "土地储备中心", roleAssets: "国有资本投资运营有限公司",
	}
	cityRoleNames = map[string]string{
		roleHealth: "卫生健康委员会", roleHospital: "第一人民医院", roleHousing: "城市更新和住房保障服务中心",
		roleTransport: "公路事业发展中心", roleWater: "水利工程建设管理中心", roleUrban: "城市建设投资开发有限公司",
		roleAssets: "国有资本投资运营集团有限公司",
	}
	// The tenderers the parties step registers (with a user each) take
	// the role their name says.
	registeredRoles = map[string]string{
		"教育体育局": roleEducation, "卫生健康局": roleHealth, "交通运输局公路建设管理处": roleTransport, "水务局": roleWater,
		"住房和城乡建设局": roleHousing, "第一人民医院": roleHospital, "城市建设投资有限公司": roleUrban,
		"农业农村局": roleAgri, "自然资源局土地储备中心": roleLand, "第一中学": roleSchool,
	}
	roleOrder = []string{roleEducation, roleHealth, roleHospital, roleSchool, roleHousing, roleUrban, roleTransport,
		roleWater, roleAgri, roleGovService, rolePolice, roleLand, roleAssets}
)

// creditKind is the first two characters of a body's 统一社会信用代码:
// 11 government bodies, 12 public institutions, 91 companies.
func creditKind(role, name string) string {
	switch {
	case strings.HasSuffix(name, "公司"):
		return "91"
	case strings.HasSuffix(name, "局") || strings.HasSuffix(name, "委员会"):
		return "11"
	}
	return "12"
}

// Bidder classes: which bidders can win which lots.
const (
	bidBuilding    = "building"
	bidRoad        = "road"
	bidWaterWorks  = "waterworks"
	bidMunicipal   = "municipal"
	bidSupervision = "supervision"
	bidDesign      = "design"
	bidIT          = "it"
	bidMedical     = "medical"
	bidService     = "service"
	bidGoods       = "goods"
	bidAgri        = "agri"
	bidVehicle     = "vehicle"
	bidDeveloper   = "developer"
	bidIndustry    = "industry"
	bidInvestor    = "investor"
)

// bidderClasses classifies a bidder by the end of its name.
var bidderClasses = []struct{ suffix, class string }{
	{"建筑工程有限公司", bidBuilding}, {"建设集团有限公司", bidBuilding}, {"路桥工程有限责任公司", bidRoad},
	{"水利水电建设有限公司", bidWaterWorks}, {"市政工程有限公司", bidMunicipal}, {"环保科技有限公司", bidMunicipal},
	{"园林绿化工程有限公司", bidMunicipal}, {"工程监理有限公司", bidSupervision}, {"工程咨询监理有限公司", bidSupervision},
	{"勘察设计研究院有限公司", bidDesign}, {"规划设计有限公司", bidDesign}, {"信息技术有限公司", bidIT},
	{"智能科技有限公司", bidIT}, {"医疗设备有限公司", bidMedical}, {"医药有限公司", bidMedical},
	{"物业服务有限公司", bidService}, {"物业管理有限公司", bidService}, {"教学设备有限公司", bidGoods},
	{"家具制造有限公司", bidGoods}, {"商贸有限公司", bidGoods}, {"农业科技有限公司", bidAgri}, {"种业有限公司", bidAgri},
	{"汽车销售服务有限公司", bidVehicle}, {"房地产开发有限公司", bidDeveloper}, {"置业有限公司", bidDeveloper},
	{"实业有限公司", bidIndustry}, {"新材料有限公司", bidIndustry}, {"投资有限公司", bidInvestor},
	{"资产管理有限公司", bidInvestor},
}

func bidderClass(name string) string {
	for _, c := range bidderClasses {
		if strings.HasSuffix(name, c.suffix) {
			return c.class
		}
	}
	return ""
}

// moreBidders are the firms (without users) added for trading: the
// parties step's 40 bidders are mostly contractors; land, property and
// most procurement need others. City is where each is registered.
var moreBidders = []struct {
	name string
	city place
}{
	{"昭通诚信工程监理有限公司", zhaotong}, {"云南华通工程咨询监理有限公司", zhaotong}, {"昭通恒基工程监理有限公司", zhaotong},
	{"云南滇东北勘察设计研究院有限公司", zhaotong}, {"昭通市城乡规划设计有限公司", zhaotong}, {"云南云岭勘察设计研究院有限公司", zhaotong},
	{"昭通数智信息技术有限公司", zhaotong}, {"云南卓远智能科技有限公司", zhaotong}, {"曲靖华腾信息技术有限公司", qujing},
	{"昭通康泰医疗设备有限公司", zhaotong}, {"云南普济医药有限公司", zhaotong}, {"曲靖仁和医疗设备有限公司", qujing},
	{"昭通安居物业管理有限公司", zhaotong}, {"昭通博学教学设备有限公司", zhaotong}, {"云南启明教学设备有限公司", zhaotong},
	{"昭通木森家具制造有限公司", zhaotong}, {"昭通万家商贸有限公司", zhaotong}, {"曲靖宏运商贸有限公司", qujing},
	{"昭通乌蒙农业科技有限公司", zhaotong}, {"云南高原马铃薯种业有限公司", zhaotong}, {"昭通金果农业科技有限公司", zhaotong},
	{"昭通通达汽车销售服务有限公司", zhaotong}, {"云南驰远汽车销售服务有限公司", zhaotong},
	{"昭通凤凰山房地产开发有限公司", zhaotong}, {"昭通锦城置业有限公司", zhaotong}, {"云南滇泰房地产开发有限公司", zhaotong},
	{"昭通鸿源置业有限公司", zhaotong}, {"曲靖珠江源房地产开发有限公司", qujing}, {"昭通秀峰房地产开发有限公司", zhaotong},
	{"昭通金江实业有限公司", zhaotong}, {"昭通绿能新材料有限公司", zhaotong}, {"云南乌蒙山实业有限公司", zhaotong},
	{"昭通德信投资有限公司", zhaotong}, {"云南华瑞资产管理有限公司", zhaotong}, {"昭通聚丰投资有限公司", zhaotong},
	{"曲靖信达投资有限公司", qujing}, {"昭通永和商贸有限公司", zhaotong},
	{"昭通宏图市政工程有限公司", zhaotong}, {"云南滇川路桥工程有限责任公司", zhaotong}, {"昭通金沙水利水电建设有限公司", zhaotong},
}

// tradingParties gives every region the public bodies that put projects
// out, and adds the firms that bid for them. The tenderers the parties
// step registered are kept in their roles; the others are created by the
// platform administrator without users.
func (l *loader) tradingParties(ctx context.Context) error {
	l.tenderers = map[string]map[string]*org{}
	l.bidders = map[string][]*org{}
	for _, r := range l.registered {
		switch r.kind {
		case auth.KindTenderer:
			role := registeredRoles[strings.TrimPrefix(r.name, r.region.name)]
			if role == "" {
				return fmt.Errorf("演示招标人 %s 没有对应的类别", r.name)
			}
			l.tendererFor(r.region.code)[role] = r.org
		case auth.KindAgent:
			l.agents = append(l.agents, r.org)
		case auth.KindBidder:
			if !r.pending {
				l.addBidder(r.org)
			}
		}
	}
	for _, p := range append([]place{zhaotong}, zhaotongCo...) {
		byRole := l.tendererFor(p.code)
		for _, role := range roleOrder {
			if byRole[role] != nil {
				continue
			}
			name := p.name + roleNames[role]
			if p == zhaotong && cityRoleNames[role] != "" {
				name = p.name + cityRoleNames[role]
			}
			o, err := l.createOrg(ctx, name, auth.KindTenderer, p, creditKind(role, name))
			if err != nil {
				return err
			}
			byRole[role] = o
		}
	}
	for _, b := range moreBidders {
		o, err := l.createOrg(ctx, b.name, auth.KindBidder, b.city, "91")
		if err != nil {
			return err
		}
		l.addBidder(o)
	}
	return nil
}

func (l *loader) tendererFor(region string) map[string]*org {
	if l.tenderers[region] == nil {
		l.tenderers[region] = map[string]*org{}
	}
	return l.tenderers[region]
}

func (l *loader) addBidder(o *org) {
	c := bidderClass(o.name)
	l.bidders[c] = append(l.bidders[c], o)
}

func (l *loader) createOrg(ctx context.Context, name string, kind auth.OrgKind, p place, credit string) (*org, error) {
	o, err := l.svc.Auth.CreateOrg(ctx, l.admin, auth.NewOrg{Name: name, Kind: kind, CreditCode: l.g.creditCode(credit, p.code),
		CentreCode: p.code, LegalRep: l.g.name(), ContactName: l.g.name(), ContactPhone: l.g.phone()})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &org{id: o.ID, name: o.Name, region: p}, nil
}
