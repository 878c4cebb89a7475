package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The notice area (公告公示): its API routes (api_notice.go), pages
// (pages_notice.go) and workbench cards.

func (s *Server) noticeRoutes() []route {
	return []route{
		{"GET", "/api/v1/notices", auth.ReadNotice, "公告列表：已发布的公告，以及本人项目或本辖区未发布的公告（含待审核队列）", s.apiNotices},
		{"POST", "/api/v1/notices", auth.DraftNotice, "依项目数据起草公告", s.apiDraftNotice},
		{"GET", "/api/v1/notices/{notice}", auth.ReadNotice, "公告详情", s.apiNotice},
		{"PUT", "/api/v1/notices/{notice}", auth.DraftNotice, "修改公告草稿（发布后不得修改）", s.apiUpdateNotice},
		{"POST", "/api/v1/notices/{notice}/submit", auth.DraftNotice, "提交公告审核", s.apiSubmitNotice},
		{"POST", "/api/v1/notices/{notice}/decision", auth.ReviewNotice, "审核公告：批准（定时发布）或退回", s.apiDecideNotice},
		{"GET", "/api/v1/notices/{notice}/checks", auth.ReadNotice, "按发布时间进行法定期限、金额等合规检查（含最早合法截止时间）", s.apiCheckNotice},
		{"GET", "/api/v1/notices/{notice}/verification", auth.ReadNotice, "验证已发布公告的平台签名与内容摘要", s.apiVerifyNotice},
		{"POST", "/api/v1/notices/{notice}/attachments", auth.DraftNotice, "上传公告附件或招标文件（multipart/form-data）", s.apiAttachNotice},
		{"GET", "/api/v1/notices/{notice}/attachments/{file}", auth.ReadNotice, "下载公告附件", s.apiNoticeAttachment},
		{"DELETE", "/api/v1/notices/{notice}/attachments/{file}", auth.DraftNotice, "删除公告草稿的附件", s.apiDetachNotice},
		{"GET", "/api/v1/notices/{notice}/documents/{file}", auth.DownloadDocs, "投标人下载招标文件（免费、无前置条件；下载记录在投标截止前保密）", s.apiDownloadDocs},
		{"GET", "/api/v1/notices/{notice}/downloads", auth.ReadDownloads, "招标文件下载记录（投标截止后方可查看）", s.apiNoticeDownloads},
	}
}

func (s *Server) noticePages(mux *http.ServeMux) {
	mux.Handle("GET /notices/{notice}", s.page(s.noticePublicPage))
	mux.Handle("GET /workbench/notices", s.page(s.noticeListPage))
	mux.Handle("GET /workbench/notices/new", s.page(s.noticeNewPage))
	mux.Handle("POST /workbench/notices", s.page(s.noticeCreateSubmit))
	mux.Handle("GET /workbench/notices/{notice}", s.page(s.noticeWorkPage))
	mux.Handle("POST /workbench/notices/{notice}", s.page(s.noticeEditSubmit))
	mux.Handle("POST /workbench/notices/{notice}/submit", s.page(s.noticeSubmitSubmit))
	mux.Handle("POST /workbench/notices/{notice}/decision", s.page(s.noticeDecisionSubmit))
	mux.Handle("POST /workbench/notices/{notice}/attachments", s.page(s.noticeAttachSubmit))
	mux.Handle("POST /workbench/notices/{notice}/attachments/{file}/delete", s.page(s.noticeDetachSubmit))
	mux.Handle("GET /workbench/notices/{notice}/downloads", s.page(s.noticeDownloadsPage))
}

func noticeCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.DraftNotice) {
		cs = append(cs, card{"公告公示", "依项目数据起草招标公告、澄清变更、候选人公示和结果公告，提交审核，查看发布进度", "/workbench/notices"})
	}
	if auth.Can(a.Role, auth.ReviewNotice) {
		cs = append(cs, card{"公告审核", "审核辖区内提交的公告：合规检查通过后批准定时发布，或退回并说明理由", "/workbench/notices?state=review"})
	}
	if auth.Can(a.Role, auth.DownloadDocs) {
		cs = append(cs, card{"获取招标文件", "浏览已发布的招标公告，免费下载招标文件；投标截止前任何人无法查看下载记录", "/workbench/notices?state=published"})
	}
	if a.Role == auth.Supervisor {
		cs = append(cs, card{"公告监督", "查看辖区本行业项目的公告及其审核、发布情况；投标截止后可查看招标文件下载记录", "/workbench/notices"})
	}
	return cs
}
