package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The portal area (交易信息网, the public information website): its API
// routes (api_portal.go) and pages (pages_portal.go). Everything here is
// public: ReadPortal is granted to everyone, the anonymous public included.

func (s *Server) portalRoutes() []route {
	return []route{
		{"GET", "/api/v1/portal/home", auth.ReadPortal, "首页：各交易类别最新公告与主要统计数据", s.apiPortalHome},
		{"GET", "/api/v1/portal/notices", auth.ReadPortal, "已发布公告列表：按交易类别、公告类型、地区、日期筛选与全文检索", s.apiPortalNotices},
		{"GET", "/api/v1/portal/notices/{id}", auth.ReadPortal, "已发布公告详情（含附件与同项目公告）", s.apiPortalNotice},
		{"GET", "/api/v1/portal/stats", auth.ReadPortal, "交易统计：按交易类别、地区、年度实时计算", s.apiPortalStats},
		{"GET", "/api/v1/portal/stats.xlsx", auth.ReadPortal, "交易统计导出为 Excel 工作簿", s.apiPortalStatsExport},
	}
}

func (s *Server) portalPages(mux *http.ServeMux) {
	mux.Handle("GET /centres", s.page(s.centresPage))
	mux.Handle("GET /notices", s.page(s.noticesPage))
	// The public notice page (/notices/{notice}) is the notice area's: it
	// verifies the signature live and lists the portal's related notices.
	mux.Handle("GET /stats", s.page(s.statsPage))
	mux.Handle("GET /stats.xlsx", s.page(s.statsExport))
	mux.Handle("GET /feeds/notices.xml", s.page(s.noticesFeed))
}
