package demo

import (
	"fmt"
	"strings"

	"ggzy/internal/tender"
)

// Places inside each region, for project names: towns (乡镇、街道) and the
// rivers that run through them. The city's own projects are in its
// central district.
var (
	towns = map[string][]string{
		"530602": {"凤凰街道", "龙泉街道", "太平街道", "北闸镇", "永丰镇", "洒渔镇", "乐居镇", "苏家院镇", "靖安镇", "炎山镇", "盘河镇", "守望乡", "田坝乡", "大寨子乡", "布嘎乡", "小龙洞乡"},
		"530621": {"文屏镇", "龙头山镇", "水磨镇", "小寨镇", "江底镇", "火德红镇", "龙树镇", "新街镇", "梭山镇", "乐红镇", "桃源乡", "茨院乡"},
		"530622": {"白鹤滩街道", "大寨镇", "药山镇", "蒙姑镇", "金塘镇", "茂租镇", "东坪镇", "老店镇", "小河镇", "新店镇", "炉房镇", "马树镇", "崇溪镇", "包谷垴乡", "红山乡"},
		"530623": {"盐井镇", "普洱镇", "豆沙镇", "中和镇", "柿子镇", "庙坝镇", "牛寨乡", "兴隆乡", "滩头乡", "落雁乡"},
		"530624": {"翠华镇", "玉碗镇", "吉利镇", "天星镇", "木杆镇", "悦乐镇", "寿山镇", "高桥镇", "上高桥乡"},
		"530625": {"溪洛渡街道", "桧溪镇", "黄华镇", "茂林镇", "大兴镇", "莲峰镇", "务基镇", "码口镇", "细沙乡", "青胜乡", "水竹乡", "马楠乡", "伍寨乡", "墨翰乡"},
		"530626": {"中城镇", "南岸镇", "板栗镇", "新滩镇", "会仪镇"},
		"530627": {"乌峰街道", "南台街道", "旧府街道", "泼机镇", "黑树镇", "母享镇", "大湾镇", "以勒镇", "赤水源镇", "芒部镇", "雨河镇", "罗坎镇", "牛场镇", "五德镇", "坡头镇", "塘房镇", "中屯镇", "场坝镇", "鱼洞乡", "花山乡"},
		"530628": {"角奎街道", "发界街道", "洛泽河镇", "小草坝镇", "牛街镇", "龙海镇", "两河镇", "毛坪镇", "荞山镇", "钟鸣镇", "海子镇", "奎香乡", "树林乡", "龙街乡"},
		"530629": {"扎西镇", "水田镇", "旧城镇", "罗布镇", "麟凤镇", "长安镇", "庙沟镇", "双河乡", "高田乡", "三桃乡"},
		"530681": {"云富街道", "向家坝镇", "太平镇", "两碗镇"},
		"530600": {"凤凰街道", "龙泉街道", "太平街道", "北闸镇", "守望乡", "永丰镇", "洒渔镇"},
	}
	rivers = map[string][]string{
		"530602": {"洒渔河", "利济河", "秃尾河"}, "530621": {"昭鲁大河", "牛栏江", "龙树河"}, "530622": {"金沙江", "小河", "牛栏江"},
		"530623": {"关河", "白水江", "普洱渡河"}, "530624": {"大关河", "木杆河", "洒渔河"}, "530625": {"金沙江", "团结河", "码口河"},
		"530626": {"金沙江", "大汶溪", "板栗河"}, "530627": {"赤水河", "白水江", "铜车河"}, "530628": {"洛泽河", "白水江", "角奎河"},
		"530629": {"扎西河", "罗布河", "长安河"}, "530681": {"横江", "金沙江", "楼坝河"}, "530600": {"昭鲁大河", "利济河", "秀水河"},
	}
	villages = []string{"大坪村", "新田村", "双河村", "黄泥村", "红岩村", "青山村", "岩脚村", "龙洞村", "沙坝村", "水塘村", "银厂村", "松林村", "中寨村", "凉水村", "石门村", "营盘村"}
	streets  = []string{"滨河路", "环城北路", "人民路", "新华路", "迎宾大道", "建设路", "文化路", "东风路"}
	// Land plot prefixes, the regions' initials.
	plotPrefixes = map[string]string{
		"530602": "ZY", "530621": "LD", "530622": "QJ", "530623": "YJ", "530624": "DG", "530625": "YS", "530626": "SJ",
		"530627": "ZX", "530628": "YL", "530629": "WX", "530681": "SF", "530600": "ZT",
	}
	// Short names used in approval references (文号).
	docPrefixes = map[string]string{
		"530602": "昭阳", "530621": "鲁", "530622": "巧", "530623": "盐", "530624": "大", "530625": "永", "530626": "绥",
		"530627": "镇", "530628": "彝", "530629": "威", "530681": "水", "530600": "昭",
	}
)

// template is one kind of project a tenderer of a role puts out. Names
// are patterns: {r} region, {o} the tenderer, {t}/{t2} towns, {v} a
// village, {river}, {street}, {y} the year, {n} a small number.
type template struct {
	kind     tender.TradeKind
	industry string
	role     string
	names    []string
	median   float64 // typical estimated price or starting price, 元
	weight   int     // within its kind
	bidders  string  // bidder class of the main lot
}

var templates = []template{
	// 工程建设
	{tender.Construction, "housing", roleEducation, []string{"{t}中心学校教学综合楼建设项目", "{r}第{cn}中学学生宿舍及食堂建设项目", "{t}九年一贯制学校运动场及附属设施建设项目", "{t}幼儿园建设项目"}, 1.1e7, 14, bidBuilding},
	{tender.Construction, "housing", roleHealth, []string{"{t}卫生院业务用房建设项目", "{r}中医医院住院综合楼建设项目", "{r}疾病预防控制中心业务楼建设项目"}, 1.7e7, 8, bidBuilding},
	{tender.Construction, "housing", roleHousing, []string{"{r}{y}年城镇老旧小区改造项目（{n}期）", "{r}城区{street}提升改造工程", "{r}保障性租赁住房建设项目（{n}期）"}, 3.5e7, 14, bidBuilding},
	{tender.Construction, "housing", roleUrban, []string{"{t}易地扶贫搬迁安置区配套基础设施建设项目", "{r}城区农贸市场提升改造项目", "{r}城市地下综合管廊（{n}期）建设项目"}, 4.2e7, 10, bidBuilding},
	{tender.Construction, "transport", roleTransport, []string{"{t}至{t2}公路改扩建工程", "{r}{y}年农村公路安全生命防护工程", "{t}{v}通村公路硬化工程", "{r}{t}客运站建设项目"}, 4.2e7, 16, bidRoad},
	{tender.Construction, "water", roleWater, []string{"{r}{river}（{t}段）河道综合治理工程", "{t}{v}水库除险加固工程", "{r}农村供水保障工程（{t}片区）", "{r}中小河流治理工程（{river}{t}段）"}, 2.1e7, 14, bidWaterWorks},
	{tender.Construction, "environment", roleHousing, []string{"{r}污水处理厂提标改造工程", "{t}集镇污水处理设施建设项目", "{r}城乡生活垃圾收运体系建设项目", "{t}集镇雨污分流改造工程"}, 2.5e7, 10, bidMunicipal},
	// 政府采购
	{tender.Procurement, "finance", roleEducation, []string{"{r}中小学教学仪器设备采购项目", "{r}学生课桌椅及公寓床采购项目", "{r}{y}年农村义务教育学生营养改善计划食材配送服务采购项目", "{r}智慧校园建设采购项目"}, 2e6, 16, bidGoods},
	{tender.Procurement, "finance", roleHospital, []string{"{o}CT机采购项目", "{o}医用耗材（{y}年度）采购项目", "{o}全自动生化分析仪采购项目", "{o}物业管理服务采购项目"}, 3e6, 14, bidMedical},
	{tender.Procurement, "finance", roleHealth, []string{"{r}乡镇卫生院医疗设备采购项目", "{r}村卫生室标准化建设设备采购项目"}, 1.5e6, 8, bidMedical},
	{tender.Procurement, "finance", roleSchool, []string{"{o}多媒体教室设备采购项目", "{o}学生公寓物业管理服务采购项目", "{o}图书馆图书采购项目"}, 8e5, 6, bidGoods},
	{tender.Procurement, "finance", roleGovService, []string{"{r}政务服务中心物业管理服务采购项目", "{r}电子政务外网运维服务采购项目", "{r}公共资源交易中心开评标场所音视频监控系统升级采购项目"}, 8e5, 8, bidService},
	{tender.Procurement, "finance", roleAgri, []string{"{r}马铃薯脱毒种薯采购项目", "{r}苹果产业有机肥采购项目", "{r}{y}年高标准农田建设监测设备采购项目"}, 1.5e6, 8, bidAgri},
	{tender.Procurement, "finance", rolePolice, []string{"{o}执法执勤车辆采购项目", "{o}视频监控系统建设采购项目"}, 2e6, 6, bidVehicle},
	// 土地使用权
	{tender.Land, "land", roleLand, []string{"{plot}号地块（住宅用地）", "{plot}号地块（商服用地）", "{plot}号地块（住宅兼容商业用地）", "{plot}号地块（工业用地）"}, 4.5e7, 1, bidDeveloper},
	// 国有产权
	{tender.Property, "assets", roleAssets, []string{"{o}所持{r}自来水有限公司{pct}%股权", "{o}{t}临街商铺{n}间（{m}年租赁权）", "{o}报废公务车辆{n}辆", "{o}{t}闲置办公楼房产", "{o}所持{r}旅游开发有限公司{pct}%股权"}, 3e6, 1, bidInvestor},
}

var cnNumbers = []string{"一", "二", "三", "四", "五", "六"}

// fill expands a name pattern.
func (g *gen) fill(pattern string, p place, o *org, year int) string {
	ts := towns[p.code]
	t1 := g.pick(ts)
	t2 := g.pick(ts)
	for t2 == t1 && len(ts) > 1 {
		t2 = g.pick(ts)
	}
	r := strings.NewReplacer(
		"{r}", p.name, "{o}", o.name, "{t}", t1, "{t2}", strings.TrimSuffix(strings.TrimSuffix(t2, "街道"), "镇"),
		"{v}", g.pick(villages), "{river}", g.pick(rivers[p.code]), "{street}", g.pick(streets),
		"{y}", fmt.Sprint(year), "{n}", cnNumbers[g.r.IntN(3)], "{cn}", cnNumbers[g.r.IntN(4)],
		"{plot}", g.plot(p, year),
		"{pct}", fmt.Sprint([]int{10, 20, 30, 35, 49, 51, 100}[g.r.IntN(7)]), "{m}", fmt.Sprint(3+g.r.IntN(3)),
	)
	name := r.Replace(pattern)
	if !strings.HasPrefix(name, p.name) && !strings.HasPrefix(name, o.name) {
		name = p.name + name // a town's project carries its county's name
	}
	return name
}

// plot numbers a region's land plots of a year: 昭阳区ZY2025-07.
func (g *gen) plot(p place, year int) string {
	key := fmt.Sprint(p.code, year)
	g.plots[key] += 1 + g.r.IntN(3)
	return fmt.Sprintf("%s%s%d-%02d", p.name, plotPrefixes[p.code], year, g.plots[key])
}

// approvalRef is the approval reference a project of kind k carries.
func (g *gen) approvalRef(k tender.TradeKind, p place, year int) string {
	d := docPrefixes[p.code]
	n := 1 + g.r.IntN(380)
	switch k {
	case tender.Procurement:
		return fmt.Sprintf("%s-%d-%05d", p.code, year, 1+g.r.IntN(9000))
	case tender.Land:
		return fmt.Sprintf("%s政复〔%d〕%d号", d, year, n)
	case tender.Property:
		return fmt.Sprintf("%s国资复〔%d〕%d号", d, year, n)
	}
	return fmt.Sprintf("%s发改审批〔%d〕%d号", d, year, n)
}

// Reasons and texts the people in the demo type.
var (
	returnReasons = []string{
		"资金落实证明未加盖出资单位公章，请补正后重新提交。",
		"项目审批文件与登记的项目名称不一致，请核对后重新上传。",
		"授权委托书未注明委托期限，请补正。",
		"上传的招标方案核准意见扫描件不清晰，请重新上传清晰的扫描件。",
	}
	rejectNotes = []string{
		"公告中投标人资格要求与招标文件不一致，请核对后重新提交。",
		"请在公告中补充项目联系人及联系方式。",
		"招标文件中的评标办法与登记信息不一致，请修改后重新提交。",
	}
	greenReasons = []string{
		"脱贫攻坚成果巩固项目（易地扶贫搬迁后续扶持）",
		"市级重点建设项目，申请绿色通道优先受理",
		"乡村振兴衔接资金项目，工期紧迫",
	}
	terminationReasons = map[tender.TradeKind][]string{
		tender.Construction: {"因项目建设规划调整，经招标人研究决定终止本次招标。招标人将依法退还已收取的投标保证金及银行同期存款利息。",
			"因上级资金计划调整，项目暂缓实施，经招标人研究决定终止本次招标。"},
		tender.Procurement: {"因采购需求发生重大变化，经采购人研究决定终止本次采购活动。",
			"因预算调整，本项目不再实施，经采购人研究决定终止本次采购活动。"},
		tender.Land:     {"因规划条件调整，经出让人报请批准，终止本次国有建设用地使用权出让活动。"},
		tender.Property: {"因转让方决策调整，经国资监管机构同意，终止本次产权转让。"},
	}
	clarifications = []string{
		"对招标文件第三章“评标办法”中企业业绩的认定口径作出澄清：业绩以合同签订时间为准。",
		"补充发布工程量清单勘误表，投标人应以勘误后的工程量清单编制投标报价。",
		"对招标文件第六章技术标准和要求中的材料品牌参考作出澄清，所列品牌仅供参考，不作为限制条件。",
	}
)

// failureReason says why a round failed (流标, 流拍).
func failureReason(k tender.TradeKind) string {
	switch k {
	case tender.Procurement:
		return "至投标截止时间，提交投标文件的供应商不足三家，本次采购失败。采购人将依法重新组织采购。"
	case tender.Land, tender.Property:
		return "挂牌期限届满，无竞买人报价（或报价低于底价），本次交易未能成交。"
	}
	return "至投标截止时间，递交投标文件的投标人少于3个，依法不得开标，本次招标失败。招标人将依法重新招标。"
}
