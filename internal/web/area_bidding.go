package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The bidding area (投标与开标): sealed bid upload, receipts, withdrawal,
// decryption and the online opening hall. Handlers are in api_bidding.go
// and pages_bidding.go.

func (s *Server) biddingRoutes() []route {
	return []route{
		{"PUT", "/api/v1/lots/{lot}/bid", auth.SubmitBid, "上传（或替换）加密投标文件，返回平台签名的回执", s.apiSubmitBid},
		{"GET", "/api/v1/lots/{lot}/bid", auth.SubmitBid, "本单位在该标段的投标文件、回执和解密状态", s.apiMyBid},
		{"DELETE", "/api/v1/lots/{lot}/bid", auth.SubmitBid, "撤回投标文件（投标截止前），返回回执", s.apiWithdrawBid},
		{"POST", "/api/v1/lots/{lot}/bid/decrypt", auth.DecryptBid, "提交内容密钥，解密本单位的投标文件（解密时限内）", s.apiDecryptBid},
		{"GET", "/api/v1/lots/{lot}/opening", auth.ViewOpening, "开标大厅：服务器时间、倒计时、解密情况和开标记录", s.apiHall},
		{"GET", "/api/v1/lots/{lot}/opening/events", auth.ViewOpening, "开标大厅实时推送（Server-Sent Events）", s.apiHallEvents},
		{"GET", "/api/v1/lots/{lot}/opening/record", auth.ViewOpening, "开标记录（含 PDF 的 SM3 与平台签名）", s.apiRecord},
		{"GET", "/api/v1/lots/{lot}/opening/record.pdf", auth.ViewOpening, "开标记录表 PDF", s.apiRecordPDF},
		{"POST", "/api/v1/lots/{lot}/opening/responses", auth.RespondOpening, "投标人确认开标记录或提出异议", s.apiRespond},
		{"POST", "/api/v1/lots/{lot}/opening/responses/{response}/answer", auth.AnswerOpening, "招标人答复开标异议", s.apiAnswer},
		{"GET", "/api/v1/lots/{lot}/opening/commitments", auth.ViewOpening, "开标揭示的投标承诺值（与审计日志中保密的递交事件逐一对应）", s.apiCommitments},
		{"GET", "/api/v1/lots/{lot}/opening/signals", auth.ReadSignals, "投标文件上传信息（IP、制作机器、摘要；开标后供监督）", s.apiSignals},
		{"PUT", "/api/v1/lots/{lot}/opening/settings", auth.ManageOpening, "设置标段的解密时限（投标截止前）", s.apiOpeningSettings},
		{"GET", "/api/v1/receipt-key", auth.ReadReceiptKey, "平台公钥（PEM），用于离线验证回执和开标记录", s.apiReceiptKey},
	}
}

func (s *Server) biddingPages(mux *http.ServeMux) {
	mux.Handle("GET /workbench/bids", s.page(s.bidsPage))
	mux.Handle("GET /workbench/lots/{lot}/bid", s.page(s.bidPage))
	mux.Handle("POST /workbench/lots/{lot}/bid", s.page(s.bidUpload))
	mux.Handle("GET /workbench/lots/{lot}/bid/receipt.json", s.page(s.bidReceipt))
	mux.Handle("POST /workbench/lots/{lot}/bid/withdraw", s.page(s.bidWithdraw))
	mux.Handle("POST /workbench/lots/{lot}/bid/decrypt", s.page(s.bidDecrypt))
	mux.Handle("GET /workbench/lots/{lot}/opening", s.page(s.openingPage))
	mux.Handle("POST /workbench/lots/{lot}/opening/responses", s.page(s.openingRespond))
	mux.Handle("POST /workbench/lots/{lot}/opening/responses/{response}/answer", s.page(s.openingAnswer))
	mux.Handle("POST /workbench/lots/{lot}/opening/settings", s.page(s.openingSettings))
}

func biddingCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.SubmitBid) {
		cs = append(cs, card{"投标与开标", "上传加密投标文件、查看回执、撤回投标，开标时在线解密", "/workbench/bids"})
	} else if auth.Can(a.Role, auth.ViewOpening) {
		cs = append(cs, card{"开标大厅", "不见面开标：实时查看开标进度和开标记录", "/workbench/bids"})
	}
	return cs
}
