package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The guide area (办事指南): its API routes (api_guide.go), pages
// (pages_guide.go) and workbench cards.

func (s *Server) guideRoutes() []route {
	return []route{
		{"GET", "/api/v1/guide", auth.ReadGuide, "办事指南：各交易类型的办事事项、申请材料和承诺时限", s.apiGuide},
		{"POST", "/api/v1/guide", auth.ManageGuide, "新建办事事项", s.apiCreateMatter},
		{"GET", "/api/v1/guide/{matter}", auth.ReadGuide, "办事事项详情", s.apiMatter},
		{"PUT", "/api/v1/guide/{matter}", auth.ManageGuide, "修改办事事项及其申请材料", s.apiUpdateMatter},
	}
}

func (s *Server) guidePages(mux *http.ServeMux) {
	mux.Handle("GET /guide", s.page(s.guidePublicPage))
	mux.Handle("GET /workbench/guide", s.page(s.guideAdminPage))
	mux.Handle("POST /workbench/guide", s.page(s.guideCreateSubmit))
	mux.Handle("GET /workbench/guide/new", s.page(s.guideNewPage))
	mux.Handle("POST /workbench/guide/seed", s.page(s.guideSeedSubmit))
	mux.Handle("GET /workbench/guide/{matter}", s.page(s.guideEditPage))
	mux.Handle("POST /workbench/guide/{matter}", s.page(s.guideEditSubmit))
}

func guideCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.ManageGuide) {
		cs = append(cs, card{"办事指南维护", "维护各交易类型的办事事项、申请材料、办理方式和承诺时限", "/workbench/guide"})
	}
	if auth.Can(a.Role, auth.CreateProject) {
		cs = append(cs, card{"办事指南", "查看进场登记等事项需要的材料和承诺办理时限", "/guide"})
	}
	return cs
}
