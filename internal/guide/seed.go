package guide

import (
	"context"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// Catalogue is the starting guide a new platform (and the demo) loads: the
// usual matters of a prefecture centre for the four kinds, with the
// materials, modes and promises such centres publish. Centres then adapt
// it in the UI. Legal bases name the law without an article where the
// article could not be checked against the official text.
func Catalogue() []NewMatter {
	req := func(name, note string) MaterialInput { return MaterialInput{Name: name, Required: true, Note: note} }
	opt := func(name, note string) MaterialInput { return MaterialInput{Name: name, Note: note} }
	days := func(n int) Limit { return Limit{Amount: n, Unit: WorkingDays} }
	hours := func(n int) Limit { return Limit{Amount: n, Unit: WorkingHours} }
	matter := func(kind, service, name string, mode Mode, limit, green Limit, basis, desc string, ms ...MaterialInput) NewMatter {
		return NewMatter{TradeKind: kind, Service: service, MatterEdit: MatterEdit{Name: name, Mode: mode, Limit: limit,
			GreenLimit: green, LegalBasis: basis, Description: desc, Active: true, Materials: ms}}
	}
	return []NewMatter{
		// 工程建设
		matter("construction", ServiceIntake, "工程建设项目进场登记", Online, days(1), hours(2),
			"《中华人民共和国招标投标法》第九条、第十二条；《中华人民共和国招标投标法实施条例》第七条；《公共资源交易平台管理暂行办法》",
			"招标人或其委托的招标代理机构在网上登记项目及标段信息并上传材料，交易中心在承诺时限内受理或一次性告知需补正的内容。脱贫攻坚和重大项目可申请绿色通道。",
			req("项目审批、核准或备案文件", "发展改革等项目审批部门出具的批复、核准文件或备案证明"),
			req("招标方案核准意见", "依法必须招标项目的招标范围、招标方式、招标组织形式核准意见"),
			req("资金落实证明", "财政资金批复、银行资信证明或其他资金来源落实的证明"),
			req("招标人授权委托书", "法定代表人授权经办人办理进场交易的委托书，加盖公章"),
			opt("招标代理委托合同", "委托招标代理机构的提供"),
			opt("施工图审查合格书", "施工招标时提供"),
			opt("建设用地规划许可证或不动产权证书", "")),
		matter("construction", ServiceVenue, "开标评标场地预约", Immediate, hours(2), hours(1),
			"《公共资源交易平台管理暂行办法》",
			"已受理项目在网上选择开标室、评标室和时段，系统即时确认；绿色通道项目可使用每周预留时段。",
			req("场地预约申请", "在线填写开标、评标时间和所需场地"),
			req("招标文件中载明开标时间和地点的页面", "")),
		matter("construction", ServiceNotice, "招标公告（资格预审公告）发布", Online, days(1), hours(4),
			"《中华人民共和国招标投标法》第十六条；《中华人民共和国招标投标法实施条例》第十五条；《招标公告和公示信息发布管理办法》（国家发展改革委令第10号）",
			"交易中心核验公告内容与项目登记信息一致、时间安排符合法定期限后发布。",
			req("招标公告或资格预审公告文本", ""),
			req("招标文件或资格预审文件", "电子文件，加盖电子签章"),
			opt("最高投标限价文件", "设有最高投标限价的提供")),
		matter("construction", ServiceRefund, "投标保证金退还", Online, days(3), days(1),
			"《中华人民共和国招标投标法实施条例》第三十五条、第五十七条",
			"中标人和未中标人的投标保证金及同期银行存款利息，在书面合同签订后按原路退还至投标人基本账户。",
			req("书面合同签订情况", "招标人在平台确认合同签订日期"),
			opt("退还申请", "系统按原路自动退还的，无需提交")),
		// 政府采购
		matter("procurement", ServiceIntake, "政府采购项目进场登记", Online, days(1), hours(2),
			"《中华人民共和国政府采购法》第二十六条、第二十七条；《中华人民共和国政府采购法实施条例》；《公共资源交易平台管理暂行办法》",
			"采购人或其委托的采购代理机构登记采购项目及采购包，交易中心在承诺时限内受理或一次性告知需补正的内容。",
			req("政府采购计划或预算批复文件", "财政部门下达的采购计划"),
			req("采购需求", "含技术、商务要求"),
			req("采购人授权委托书", "法定代表人授权经办人办理的委托书，加盖公章"),
			opt("采购代理委托协议", "委托采购代理机构的提供"),
			opt("采购方式变更批准文件", "采用公开招标以外方式的，提供财政部门批准文件"),
			opt("单一来源采购公示材料", "采用单一来源方式的提供")),
		matter("procurement", ServiceVenue, "开标评审场地预约", Immediate, hours(2), hours(1),
			"《公共资源交易平台管理暂行办法》",
			"已受理项目在网上预约开标室和评审室。",
			req("场地预约申请", "在线填写开标、评审时间和所需场地")),
		matter("procurement", ServiceNotice, "采购公告发布", Online, days(1), hours(4),
			"《政府采购货物和服务招标投标管理办法》（财政部令第87号）",
			"交易中心核验采购公告与登记信息一致、期限符合规定后发布。",
			req("采购公告文本", ""),
			req("采购文件", "电子文件，加盖电子签章")),
		matter("procurement", ServiceRefund, "投标（响应）保证金退还", Online, days(3), days(1),
			"《中华人民共和国政府采购法实施条例》第三十三条；《政府采购货物和服务招标投标管理办法》（财政部令第87号）第三十八条",
			"未成交供应商的保证金在成交通知书发出后、成交供应商的保证金在合同签订后退还。",
			req("成交通知书或合同签订情况", "采购人或代理机构在平台确认")),
		// 土地使用权
		matter("land", ServiceIntake, "国有建设用地使用权出让项目进场登记", Once, days(2), days(1),
			"《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）",
			"出让人登记宗地及出让方案，交易中心核验材料后受理；原件核验最多跑一次。",
			req("出让方案批准文件", "市、县人民政府批准的出让方案"),
			req("宗地图及界址点坐标", ""),
			req("规划条件", "规划主管部门出具"),
			req("土地估价报告", "含地价集体决策意见"),
			opt("土地权属证明", "收储土地的提供")),
		matter("land", ServiceNotice, "土地出让公告发布", Online, days(1), hours(4),
			"《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）",
			"出让公告至少在招标拍卖挂牌开始日前20日发布。",
			req("出让公告文本", ""),
			req("出让须知", "")),
		matter("land", ServiceRefund, "竞买保证金退还", Online, days(5), days(2),
			"《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）",
			"未竞得人的竞买保证金在交易活动结束后退还；竞得人的保证金按约定转作出让价款。",
			opt("退还申请", "系统按原路自动退还的，无需提交")),
		// 国有产权
		matter("property", ServiceIntake, "国有产权转让项目登记", Once, days(3), days(1),
			"《企业国有资产交易监督管理办法》（国务院国资委、财政部令第32号）",
			"转让方登记转让项目并提交信息披露材料，交易中心审核后受理；原件核验最多跑一次。",
			req("转让行为批准文件", "国资监管机构或国家出资企业的批准文件"),
			req("转让方决策文件", "董事会、股东会或总经理办公会决议"),
			req("资产评估报告及核准或备案文件", ""),
			req("审计报告", "标的企业最近一年度的审计报告"),
			req("转让方和标的企业主体资格证明", "营业执照等"),
			opt("职工安置方案", "涉及职工安置的提供"),
			opt("法律意见书", "律师事务所出具")),
		matter("property", ServiceNotice, "产权转让信息披露", Online, days(1), hours(4),
			"《企业国有资产交易监督管理办法》（国务院国资委、财政部令第32号）",
			"正式披露信息时间不少于20个工作日。",
			req("信息披露公告文本", ""),
			req("受让方资格条件", "")),
		matter("property", ServiceRefund, "交易保证金退还", Online, days(3), days(1),
			"《企业国有资产交易监督管理办法》（国务院国资委、财政部令第32号）",
			"未受让的意向受让方的交易保证金在交易结束后退还。",
			opt("退还申请", "系统按原路自动退还的，无需提交")),
	}
}

// Seed adds the matters of Catalogue that the guide does not have yet (by
// code), each audited, and reports how many it added. Running it again
// adds nothing, so a centre's own edits are never overwritten.
func (s *Service) Seed(ctx context.Context, a auth.Actor) (int, error) {
	if err := a.Authorize(auth.ManageGuide); err != nil {
		return 0, err
	}
	added := 0
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		added = 0
		for _, n := range Catalogue() {
			if err := validateNew(&n); err != nil {
				return err // a bad catalogue entry is a programming error; the test catches it
			}
			_, err := MatterByCode(ctx, tx, Code(n.TradeKind, n.Service))
			if err == nil {
				continue
			}
			if !errs.Is(err, errs.NotFound) {
				return err
			}
			if _, err := s.create(ctx, tx, a, n); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	return added, err
}
