package draw

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// The statutory rules of the draw as pure functions.

// Sources cited in rule errors.
const (
	srcA15 = "《招标投标法》第三十七条"
	srcA16 = "《招标投标法实施条例》第四十六条"
	srcC12 = "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第四十七条"
	srcC13 = "《政府采购评审专家管理办法》（财库〔2016〕198号）"
)

// Panel is what the size rules look at.
type Panel struct {
	Kind         tender.TradeKind
	Budget       money.Fen // the lot's budget (政府采购预算)
	Complex      bool      // technically complex, special requirements
	Experts      int       // drawn formal members
	TendererReps int       // 招标人/采购人代表
}

// LargeProcurement is the budget from which a government procurement panel
// needs at least seven members (RULES C12: 1000万元).
const LargeProcurement = 1000 * money.OneWan

// MinMembers is the smallest lawful panel for p.
func (p Panel) MinMembers() int {
	if p.Kind == tender.Procurement && (p.Budget >= LargeProcurement || p.Complex) {
		return 7
	}
	return 5
}

// CheckPanel enforces RULES A15 (construction and the other kinds) and C12
// (government procurement): at least five members (seven for large or
// complex procurement), an odd number, and drawn experts at least two
// thirds of the panel.
func CheckPanel(p Panel) error {
	rule, src := "A15", srcA15
	if p.Kind == tender.Procurement {
		rule, src = "C12", srcC12
	}
	total := p.Experts + p.TendererReps
	if p.Experts <= 0 {
		return errs.Violation(rule, src, "评标委员会须有随机抽取的专家")
	}
	if p.TendererReps < 0 {
		return errs.Violation(rule, src, "招标人代表人数不能为负")
	}
	if min := p.MinMembers(); total < min {
		why := ""
		if min == 7 {
			if p.Complex {
				why = "（技术复杂、专业性强的项目）"
			} else {
				why = "（预算金额 1000 万元以上）"
			}
		}
		return errs.Violation(rule, src, fmt.Sprintf("评标委员会成员须为 %d 人以上单数%s，现为 %d 人（专家 %d 人、招标人代表 %d 人）",
			min, why, total, p.Experts, p.TendererReps))
	}
	if total%2 == 0 {
		return errs.Violation(rule, src, fmt.Sprintf("评标委员会成员须为单数，现为 %d 人（专家 %d 人、招标人代表 %d 人）",
			total, p.Experts, p.TendererReps))
	}
	if 3*p.Experts < 2*total {
		return errs.Violation(rule, src, fmt.Sprintf("技术、经济等方面的专家不得少于成员总数的三分之二，现为专家 %d 人、成员共 %d 人",
			p.Experts, total))
	}
	return nil
}

// DefaultLeadDays is RULES C13's lead time: a government procurement draw
// happens no earlier than 2 working days before the evaluation. It is a
// figure from a secondary copy (?), so Config can change it.
const DefaultLeadDays = 2

// CheckTiming refuses a draw at now for an evaluation starting at start:
// never once the evaluation has begun, and for government procurement not
// earlier than leadDays working days before it (RULES C13).
func CheckTiming(cal *calendar.Calendar, kind tender.TradeKind, now, start time.Time, leadDays int) error {
	if !start.After(now) {
		return errs.E(errs.Conflict, "评标开始时间（%s）已过，不能再抽取专家", clock.Format(start))
	}
	if kind != tender.Procurement {
		return nil
	}
	n, err := cal.WorkingDaysBetween(now, start)
	if err != nil {
		return errs.Wrap(errs.Conflict, err, "法定节假日数据未覆盖评标日期，无法计算工作日")
	}
	if n > leadDays {
		return errs.Violation("C13", srcC13, fmt.Sprintf("政府采购项目的评审专家抽取不得早于评审活动开始前 %d 个工作日；评标于 %s 开始，现在距其还有 %d 个工作日",
			leadDays, clock.Format(start), n))
	}
	return nil
}

// Contribution bounds: the witness gives 16 to 64 random bytes as hex.
const (
	MinContribution = 16
	MaxContribution = 64
)

// ParseContribution reads the witness's value: hex (spaces, dashes and a
// 0x prefix allowed, any case), 16 to 64 bytes.
func ParseContribution(s string) ([]byte, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	s = strings.TrimPrefix(s, "0x")
	s = strings.NewReplacer(" ", "", "-", "", "\t", "", "\n", "", "\r", "").Replace(s)
	var f errs.Fields
	if len(s) > 4*MaxContribution {
		f.Add("value", "随机数过长（至多 %d 字节，%d 个十六进制字符）", MaxContribution, 2*MaxContribution)
		return nil, f.Err()
	}
	b, err := hex.DecodeString(s)
	switch {
	case err != nil:
		f.Add("value", "随机数须为十六进制（0–9、a–f）")
	case len(b) < MinContribution:
		f.Add("value", "随机数太短：至少 %d 字节（%d 个十六进制字符）", MinContribution, 2*MinContribution)
	case len(b) > MaxContribution:
		f.Add("value", "随机数过长（至多 %d 字节，%d 个十六进制字符）", MaxContribution, 2*MaxContribution)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// InvitationText is what the expert is told, by voice, mail or on the
// page: the time, the place and the specialty, and how to answer. It never
// names the project, the lot or the tenderer: the expert needs none of it
// to decide, and a call can be overheard.
func InvitationText(start, end time.Time, venue, specialty, specialtyName string, answerWithin time.Duration) string {
	spec := specialty
	if specialtyName != "" {
		spec += " " + specialtyName
	}
	return fmt.Sprintf("您好，这里是公共资源交易平台。您已被随机抽取为评标专家。评标时间：%s 至 %s；地点：%s；专业：%s。"+
		"请在 %d 分钟内答复是否参加：接听语音时按 1 确认、按 2 拒绝，或登录平台在“评标邀请”中答复。评标前请勿向任何人透露本次邀请。",
		timeText(start), timeText(end), venue, spec, int(answerWithin.Minutes()))
}

func timeText(t time.Time) string {
	return clock.Local(t).Format("2006年1月2日 15:04")
}
