package notice

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

// Limits on what a drafter types.
const (
	maxBody     = 20000 // characters
	maxInvitees = 50
)

// stateFor is the project state a kind's publication leads to ("" for
// amendments, which change no state).
func stateFor(k Kind) tender.State {
	switch k {
	case KindTender, KindPrequal, KindListing:
		return tender.Tendering
	case KindCandidates:
		return tender.Publicity
	case KindResult:
		return tender.Awarded
	case KindFailure:
		return tender.Failed
	case KindTermination:
		return tender.Terminated
	}
	return ""
}

// projectAllows reports whether the project's state lets a notice of kind
// k be drafted and published now.
func projectAllows(k Kind, p tender.Project) bool {
	if k == KindAmendment {
		return p.State == tender.Tendering
	}
	to := stateFor(k)
	if k.opensTrading() {
		// A first tender, another lot's tender, or a re-tender after 流标.
		return p.State == tender.Accepted || p.State == tender.Tendering || p.State == tender.Failed
	}
	return p.State == to || tender.CanMove(p.State, to)
}

func containsPlaceholder(body string) bool { return strings.Contains(body, placeholder) }

// prepare validates the drafter's input for notice n of project p, copies
// it in, keeps only the fields the kind uses, and generates the title and,
// if the body is empty, the body.
func (s *Service) prepare(ctx context.Context, q db.Querier, n Notice, p tender.Project, in Input, now time.Time) (Notice, error) {
	if !projectAllows(n.Kind, p) {
		return n, errs.E(errs.Conflict, "项目当前状态为「%s」，不能发布%s", p.State.Label(), n.Kind.Label())
	}
	var f errs.Fields
	n.LotID, n.Body = in.LotID, strings.TrimSpace(in.Body)
	n.DocsFrom, n.DocsUntil, n.BidDeadline, n.OpeningAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	n.StartsAt, n.EndsAt, n.Amount, n.AwardeeID, n.AffectsBids, n.Invitees = time.Time{}, time.Time{}, 0, 0, false, nil

	var lot *tender.Lot
	if in.LotID != 0 {
		if ls := coveredLots(p, in.LotID); len(ls) == 1 {
			lot = &ls[0]
		} else {
			f.Add("lot_id", "所选标段不属于该项目")
		}
	}
	if !utf8.ValidString(n.Body) || strings.ContainsRune(n.Body, 0) {
		f.Add("body", "正文含有无效字符")
	}
	f.MaxLen("body", "正文", n.Body, maxBody)

	var original *Notice
	switch n.Kind {
	case KindTender, KindPrequal:
		if p.TradeKind != tender.Construction && p.TradeKind != tender.Procurement {
			f.Add("kind", "土地使用权和国有产权交易请使用挂牌（出让）公告")
		}
		n.DocsFrom, n.DocsUntil, n.BidDeadline = in.DocsFrom, in.DocsUntil, in.BidDeadline
		required(&f, "docs_from", "招标文件获取开始时间", n.DocsFrom)
		required(&f, "docs_until", "招标文件获取截止时间", n.DocsUntil)
		label := "投标截止时间"
		if n.Kind == KindPrequal {
			label = "资格预审申请文件提交截止时间"
		}
		if required(&f, "bid_deadline", label, n.BidDeadline) && !n.BidDeadline.After(now) {
			f.Add("bid_deadline", "%s须晚于当前时间", label)
		}
		if !n.DocsFrom.IsZero() && !n.DocsUntil.IsZero() && !n.DocsUntil.After(n.DocsFrom) {
			f.Add("docs_until", "获取截止时间须晚于开始时间")
		}
		if !n.DocsUntil.IsZero() && n.DocsUntil.After(n.BidDeadline) && !n.BidDeadline.IsZero() {
			f.Add("docs_until", "获取截止时间不得晚于%s", label)
		}
		if n.Kind == KindTender {
			n.OpeningAt = n.BidDeadline // opening at the deadline (法 34; RULES A13)
		}
		if n.Kind == KindTender && p.Procedure == tender.Invited {
			n.Invitees = s.checkInvitees(ctx, q, &f, in.Invitees)
		} else if len(in.Invitees) > 0 {
			f.Add("invitees", "只有邀请招标的招标公告（投标邀请书）需要列出受邀投标人")
		}
	case KindListing:
		if p.TradeKind != tender.Land && p.TradeKind != tender.Property {
			f.Add("kind", "挂牌（出让）公告仅适用于土地使用权和国有产权交易")
		}
		n.StartsAt, n.EndsAt = in.StartsAt, in.EndsAt
		if required(&f, "starts_at", "挂牌（拍卖）开始时间", n.StartsAt) && !n.StartsAt.After(now) {
			f.Add("starts_at", "开始时间须晚于当前时间")
		}
		if p.Procedure == tender.Listing || p.TradeKind == tender.Property {
			if required(&f, "ends_at", "挂牌（披露）截止时间", n.EndsAt) && !n.EndsAt.After(n.StartsAt) {
				f.Add("ends_at", "截止时间须晚于开始时间")
			}
		}
	case KindAmendment:
		original = s.checkAmendment(ctx, q, &f, &n, p, in, now)
	case KindCandidates:
		n.EndsAt = in.EndsAt
		if required(&f, "ends_at", "公示截止时间", n.EndsAt) && !n.EndsAt.After(now) {
			f.Add("ends_at", "公示截止时间须晚于当前时间")
		}
	case KindResult:
		n.Amount, n.AwardeeID, n.EndsAt = in.Amount, in.AwardeeID, in.EndsAt
		if n.Amount <= 0 {
			f.Add("amount", "请填写中标（成交）价，须大于0")
		}
		if n.AwardeeID <= 0 {
			f.Add("awardee_org_id", "请选择中标（成交）人")
		} else if _, ok, err := bidderOrg(ctx, q, n.AwardeeID); err != nil {
			return n, err
		} else if !ok {
			f.Add("awardee_org_id", "中标（成交）人须为本平台已登记的投标人")
		}
		if len(p.Lots) > 1 && in.LotID == 0 {
			f.Add("lot_id", "项目有多个标段，请选择结果所属的标段")
		}
		if p.TradeKind == tender.Property {
			if required(&f, "ends_at", "结果公示截止时间", n.EndsAt) && !n.EndsAt.After(now) {
				f.Add("ends_at", "公示截止时间须晚于当前时间")
			}
		} else if !n.EndsAt.IsZero() && !n.EndsAt.After(now) {
			f.Add("ends_at", "公示截止时间须晚于当前时间")
		}
	case KindFailure, KindTermination:
		// The reason is in the body.
	}
	if err := f.Err(); err != nil {
		return n, err
	}
	n.Title = title(n, p, lot)
	if n.Body == "" {
		body, err := compose(ctx, q, n, p, coveredLots(p, n.LotID), original)
		if err != nil {
			return n, err
		}
		n.Body = body
	}
	return n, nil
}

// required adds "须填写" for a zero time and reports whether t is set.
func required(f *errs.Fields, field, label string, t time.Time) bool {
	if t.IsZero() {
		f.Add(field, "请填写%s", label)
		return false
	}
	return true
}

// checkInvitees keeps the distinct invited bidders, each an approved
// bidder organisation.
func (s *Service) checkInvitees(ctx context.Context, q db.Querier, f *errs.Fields, ids []int64) []int64 {
	if len(ids) > maxInvitees {
		f.Add("invitees", "受邀投标人不能超过%d个", maxInvitees)
		return nil
	}
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if seen[id] {
			f.Add("invitees", "受邀投标人重复")
			continue
		}
		seen[id] = true
		_, ok, err := bidderOrg(ctx, q, id)
		if err != nil || !ok {
			f.Add("invitees", "受邀投标人（单位编号 %d）须为本平台已登记的投标人", id)
			continue
		}
		out = append(out, id)
	}
	return out
}

// checkAmendment links an amendment to a published tender,
// prequalification or listing notice of the same project; the amendment
// covers the same lots and may only move the deadline later.
func (s *Service) checkAmendment(ctx context.Context, q db.Querier, f *errs.Fields, n *Notice, p tender.Project, in Input, now time.Time) *Notice {
	if n.AmendsID <= 0 {
		f.Add("amends_id", "请选择被澄清（变更）的公告")
		return nil
	}
	orig, err := getNotice(ctx, q, n.AmendsID)
	if err != nil || orig.ProjectID != p.ID || orig.State != Published || !orig.Kind.opensTrading() {
		f.Add("amends_id", "只能澄清（变更）本项目已发布的招标、资格预审或挂牌公告")
		return nil
	}
	n.LotID = orig.LotID
	n.AffectsBids = in.AffectsBids
	if !in.BidDeadline.IsZero() {
		if orig.Kind == KindListing {
			f.Add("bid_deadline", "挂牌公告请变更挂牌截止时间")
			return &orig
		}
		current, err := deadlineInForce(ctx, q, orig)
		if err != nil {
			f.Add("bid_deadline", "无法读取现行截止时间")
			return &orig
		}
		switch {
		case !in.BidDeadline.After(now):
			f.Add("bid_deadline", "截止时间须晚于当前时间")
		case in.BidDeadline.Before(current):
			f.Add("bid_deadline", "变更后的截止时间不得早于现行截止时间 %s", at(current))
		}
		n.BidDeadline = in.BidDeadline
		if orig.Kind == KindTender {
			n.OpeningAt = in.BidDeadline
		}
	}
	if !in.EndsAt.IsZero() {
		if orig.Kind != KindListing {
			f.Add("ends_at", "只有挂牌公告可以变更挂牌截止时间")
			return &orig
		}
		if in.EndsAt.Before(orig.EndsAt) {
			f.Add("ends_at", "变更后的截止时间不得早于原截止时间 %s", at(orig.EndsAt))
		}
		n.EndsAt = in.EndsAt
	}
	return &orig
}
