package notice

import (
	"context"
	"fmt"
	"strings"

	"ggzy/internal/db"
	"ggzy/internal/tender"
)

// placeholder marks the parts of a generated body the drafter must fill
// in; a notice still containing it cannot be submitted.
const placeholder = "（请填写"

// title is generated from the project and never typed, so the public
// lists read uniformly.
func title(n Notice, p tender.Project, lot *tender.Lot) string {
	name := p.Name
	if lot != nil && len(p.Lots) > 1 {
		name += lot.Name
	}
	switch n.Kind {
	case KindTender:
		switch {
		case p.Procedure == tender.Invited:
			return name + "投标邀请书"
		case p.TradeKind == tender.Procurement:
			return name + p.Procedure.Label() + "公告"
		}
		return name + "招标公告"
	case KindListing:
		switch {
		case p.TradeKind == tender.Property:
			return name + "产权转让公告"
		case p.Procedure == tender.Auction:
			return name + "国有建设用地使用权拍卖出让公告"
		}
		return name + "国有建设用地使用权" + p.Procedure.Label() + "出让公告"
	case KindAmendment:
		return name + "澄清（变更）公告"
	}
	return name + n.Kind.Label()
}

// compose writes the body of a new notice from the project's data; the
// drafter edits it afterwards.
func compose(ctx context.Context, q db.Querier, n Notice, p tender.Project, lots []tender.Lot, original *Notice) (string, error) {
	tendererName, err := orgName(ctx, q, p.TendererOrgID)
	if err != nil {
		return "", err
	}
	agentName, err := orgName(ctx, q, p.AgentOrgID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("一、项目概况")
	line("项目编号：%s", p.Code)
	line("项目名称：%s", p.Name)
	line("交易类型：%s；交易方式：%s", p.TradeKind.Label(), p.Procedure.Label())
	line("%s：%s", ownerTitle(p.TradeKind), tendererName)
	if agentName != "" {
		line("代理机构：%s", agentName)
	}
	if p.ApprovalRef != "" {
		line("项目审批（核准、备案）文号：%s", p.ApprovalRef)
	}
	line("")

	switch n.Kind {
	case KindTender, KindPrequal, KindListing:
		line("二、标段（包）划分")
		for _, l := range lots {
			parts := []string{"估算价（预算、起始价）" + l.EstimatedPrice.Yuan() + " 元"}
			if l.MaxPrice > 0 {
				// RULES A14: a maximum price, if used, is published.
				parts = append(parts, "最高投标限价 "+l.MaxPrice.Yuan()+" 元")
			}
			if l.Deposit > 0 {
				parts = append(parts, "保证金 "+l.Deposit.Yuan()+" 元")
			}
			if l.EvalMethod != "" {
				parts = append(parts, "评审（成交）办法："+l.EvalMethod.Label())
			}
			line("第%d标段（包）%s：%s", l.Seq, l.Name, strings.Join(parts, "；"))
		}
		line("")
		if n.Kind == KindListing {
			line("三、挂牌（拍卖）时间")
			line("开始时间：%s", at(n.StartsAt))
			if !n.EndsAt.IsZero() {
				line("截止时间：%s", at(n.EndsAt))
			}
			line("")
			line("四、竞买文件的获取")
			line("竞买文件在本平台免费下载，无需报名或其他前置条件；下载记录在截止前对任何人保密。")
			break
		}
		line("三、招标（资格预审）文件的获取")
		line("获取时间：%s 至 %s（北京时间）", at(n.DocsFrom), at(n.DocsUntil))
		line("获取方式：登录本平台免费下载，无需报名、购买或其他前置条件（《电子招标投标办法》第二十条）；下载记录在投标截止前对任何人保密。")
		line("")
		if n.Kind == KindPrequal {
			line("四、资格预审申请文件的提交")
			line("提交截止时间：%s（北京时间），通过本平台在线提交。", at(n.BidDeadline))
		} else {
			line("四、投标截止时间与开标")
			line("投标截止时间（开标时间）：%s（北京时间）", at(n.BidDeadline))
			line("开标方式：网上开标（不见面开标），投标人在线解密投标文件。")
		}
		if len(n.Invitees) > 0 {
			// The names are potential bidders': secret (法 22).
			line("")
			line("五、邀请对象")
			line("本项目采用邀请招标，已向%d个具备承担招标项目能力、资信良好的潜在投标人发出投标邀请书（名单依法保密）。", len(n.Invitees))
		}
	case KindAmendment:
		if original != nil {
			line("二、原公告")
			line("《%s》，发布于 %s。", original.Title, at(original.PublishedAt))
			line("")
		}
		line("三、澄清（变更）内容")
		line("%s澄清或变更的具体内容）", placeholder)
		if !n.BidDeadline.IsZero() && original != nil {
			line("")
			line("四、时间变更")
			line("投标（申请）截止时间变更为：%s（北京时间），开标时间相应顺延。", at(n.BidDeadline))
		}
		if !n.EndsAt.IsZero() {
			line("挂牌（披露）截止时间变更为：%s（北京时间）。", at(n.EndsAt))
		}
	case KindCandidates:
		line("二、公示期")
		line("%s 至 %s（北京时间）。投标人或者其他利害关系人对评标结果有异议的，应当在公示期间提出。", "发布之日起", at(n.EndsAt))
		line("")
		line("三、中标候选人")
		for _, l := range lots {
			line("第%d标段（包）%s：%s排序、名称、投标报价）", l.Seq, l.Name, placeholder)
		}
	case KindResult:
		awardee, err := orgName(ctx, q, n.AwardeeID)
		if err != nil {
			return "", err
		}
		line("二、中标（成交）结果")
		for _, l := range lots {
			line("第%d标段（包）%s：中标（成交）人 %s，中标（成交）价 %s 元", l.Seq, l.Name, awardee, n.Amount.Yuan())
		}
		if !n.EndsAt.IsZero() {
			line("公示期至：%s（北京时间）", at(n.EndsAt))
		}
	case KindFailure:
		line("二、流标原因")
		line("%s流标原因，例如递交投标文件的投标人少于3个）", placeholder)
		line("")
		line("三、后续安排")
		line("%s将依法另行组织%s。", ownerTitle(p.TradeKind), retradeWord(p.TradeKind))
	case KindTermination:
		line("二、终止原因")
		line("%s终止原因）", placeholder)
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// ownerTitle is what the law calls the project's owner in each kind of
// trading: 招标人 (法), 采购人 (采法), 出让人 (土地), 转让方 (产权).
func ownerTitle(k tender.TradeKind) string {
	switch k {
	case tender.Procurement:
		return "采购人"
	case tender.Land:
		return "出让人"
	case tender.Property:
		return "转让方"
	}
	return "招标人"
}

// retradeWord is what follows a failed round in each kind of trading.
func retradeWord(k tender.TradeKind) string {
	switch k {
	case tender.Procurement:
		return "采购"
	case tender.Land, tender.Property:
		return "交易"
	}
	return "招标"
}
