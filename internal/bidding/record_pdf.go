package bidding

import (
	"fmt"

	"ggzy/internal/clock"
	"ggzy/internal/pdf"
)

// RenderRecord renders the opening record (开标记录表) as a PDF with
// Chinese text. The output depends only on the record, so the signed
// digest can be checked by rendering again.
func RenderRecord(d RecordDoc) ([]byte, error) {
	rows := make([][]string, 0, len(d.Bids))
	for i, b := range d.Bids {
		price, duration, quality, manager := "—", "—", "—", "—"
		if b.Status == Decrypted {
			price = b.Price.Yuan()
			if b.AboveMax {
				price += "\n（超过最高投标限价，否决）"
			}
			duration = fmt.Sprintf("%d 日历天", b.DurationDays)
			quality, manager = b.Quality, b.Manager
			if b.ManagerCert != "" {
				manager += "\n" + b.ManagerCert
			}
		}
		status := b.StatusText
		if b.CauseText != "" {
			status += "\n" + b.CauseText
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), b.BidderName, price, duration, quality, manager, status, b.Deposit})
	}
	lot := d.LotName
	if d.Round > 1 {
		lot += fmt.Sprintf("（第 %d 轮）", d.Round) // a re-tender after 流标
	}
	doc := pdf.Doc{
		Title:    "开标记录表",
		Subtitle: d.CentreName,
		Meta: [][2]string{
			{"项目名称", d.ProjectName}, {"项目编号", d.ProjectCode}, {"标段（包）", lot},
			{"投标截止（开标）时间", clock.Format(d.Deadline)}, {"开标结束时间", clock.Format(d.ClosedAt)},
			{"最高投标限价", d.MaxPrice}, {"递交投标文件", fmt.Sprintf("%d 家", d.Received)},
		},
		Blocks: []pdf.Block{
			pdf.Table{Headers: []string{"序号", "投标人", "投标报价（元）", "工期", "质量承诺", "项目负责人", "解密情况", "保证金"},
				Widths: []float64{0.5, 2.4, 1.5, 1, 1.2, 1.3, 1.4, 0.8}, Rows: rows,
				Align: []pdf.Align{pdf.Center, pdf.Left, pdf.Right}},
			pdf.Para{Small: true, Text: "本记录由公共资源交易平台在不见面开标结束时自动生成，投标人可在线确认或提出异议。" +
				"解密失败由投标人原因造成的视为撤销投标，其他原因造成的视为撤回投标（《电子招标投标办法》第三十一条）。"},
			pdf.Signatures{Labels: []string{"招标人（代理机构）", "监督人"}},
		},
		Footer:    d.CentreName + " · 生成于 " + clock.Format(d.GeneratedAt),
		Verify:    "本文件的 SM3 摘要由平台 SM2 私钥签名，可用平台公钥（/api/v1/receipt-key）核验",
		Landscape: true,
		Created:   d.GeneratedAt,
		Author:    d.CentreName,
	}
	return pdf.Render(doc)
}
