package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The expert library area (综合评标专家库): its API routes, pages and
// workbench cards. Handlers are in api_expert.go and pages_expert.go. The
// draw (internal/draw) has its own area; there is no route that puts an
// expert on a panel (RULES A16).

func (s *Server) expertRoutes() []route {
	return []route{
		{"GET", "/api/v1/expert-specialties", auth.ReadSpecialties, "评标专家专业分类（发改法规〔2018〕316号）", s.apiSpecialties},
		{"GET", "/api/v1/experts", auth.ReadExperts, "专家库列表（全库共享；本中心工作人员可见完整证件号码）", s.apiExperts},
		{"POST", "/api/v1/experts", auth.ManageExperts, "新增专家（本中心工作人员）", s.apiCreateExpert},
		{"POST", "/api/v1/experts/import", auth.ManageExperts, "从 Excel 或 CSV 导入专家，逐行返回校验结果", s.apiImportExperts},
		{"GET", "/api/v1/experts/export", auth.ExportExperts, "导出本辖区专家（xlsx 或 csv；非本中心专家的证件号码脱敏）", s.apiExportExperts},
		{"GET", "/api/v1/experts/{id}", auth.ReadExperts, "专家详情", s.apiExpert},
		{"PUT", "/api/v1/experts/{id}", auth.ManageExperts, "修改专家信息", s.apiUpdateExpert},
		{"GET", "/api/v1/experts/{id}/history", auth.ReadExperts, "专家的评标记录与评价", s.apiExpertHistory},
		{"POST", "/api/v1/experts/{id}/suspend", auth.ManageExperts, "暂停专家评标资格（须说明原因和期限）", s.apiSuspendExpert},
		{"POST", "/api/v1/experts/{id}/reinstate", auth.ManageExperts, "恢复暂停的专家", s.apiReinstateExpert},
		{"POST", "/api/v1/experts/{id}/retire", auth.ManageExperts, "专家退出专家库", s.apiRetireExpert},
		{"POST", "/api/v1/experts/{id}/leaves", auth.ManageExperts, "登记专家请假", s.apiAddExpertLeave},
		{"DELETE", "/api/v1/experts/{id}/leaves/{leave}", auth.ManageExperts, "撤销尚未开始的请假", s.apiRemoveExpertLeave},
		{"POST", "/api/v1/experts/{id}/penalties", auth.ManageExperts, "记录专家处罚（可设禁止评标期限）", s.apiAddExpertPenalty},
		{"GET", "/api/v1/me/expert", auth.ExpertPortal, "专家本人的信息、请假、评标记录和评价", s.apiMyExpert},
		{"POST", "/api/v1/me/expert/leaves", auth.ExpertPortal, "专家本人登记今后的请假", s.apiAddMyLeave},
		{"DELETE", "/api/v1/me/expert/leaves/{leave}", auth.ExpertPortal, "专家本人撤销尚未开始的请假", s.apiRemoveMyLeave},
		{"GET", "/api/v1/expert-ratings", auth.RateExperts, "本方可评价的评标专家（评标结束后）", s.apiRateable},
		{"POST", "/api/v1/expert-engagements/{id}/ratings", auth.RateExperts, "评价参加评标的专家（每方一次，1–5分）", s.apiRateExpert},
	}
}

func (s *Server) expertPages(mux *http.ServeMux) {
	mux.Handle("GET /workbench/experts", s.page(s.expertsPage))
	mux.Handle("GET /workbench/experts/new", s.page(s.expertNewPage))
	mux.Handle("POST /workbench/experts", s.page(s.expertCreate))
	mux.Handle("POST /workbench/experts/import", s.page(s.expertImport))
	mux.Handle("GET /workbench/experts/export", s.page(s.expertExport))
	mux.Handle("GET /workbench/experts/{id}", s.page(s.expertPage))
	mux.Handle("GET /workbench/experts/{id}/edit", s.page(s.expertEditPage))
	mux.Handle("POST /workbench/experts/{id}", s.page(s.expertUpdate))
	mux.Handle("POST /workbench/experts/{id}/suspend", s.page(s.expertSuspend))
	mux.Handle("POST /workbench/experts/{id}/reinstate", s.page(s.expertReinstate))
	mux.Handle("POST /workbench/experts/{id}/retire", s.page(s.expertRetire))
	mux.Handle("POST /workbench/experts/{id}/leaves", s.page(s.expertAddLeave))
	mux.Handle("POST /workbench/experts/{id}/leaves/{leave}/delete", s.page(s.expertRemoveLeave))
	mux.Handle("POST /workbench/experts/{id}/penalties", s.page(s.expertAddPenalty))
	mux.Handle("GET /workbench/expert-specialties", s.page(s.specialtiesPage))
	mux.Handle("GET /workbench/my-expert", s.page(s.myExpertPage))
	mux.Handle("POST /workbench/my-expert/leaves", s.page(s.myLeaveAdd))
	mux.Handle("POST /workbench/my-expert/leaves/{leave}/delete", s.page(s.myLeaveRemove))
	mux.Handle("GET /workbench/expert-ratings", s.page(s.ratingsPage))
	mux.Handle("POST /workbench/expert-ratings/{id}", s.page(s.ratingSubmit))
}

func expertCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.ReadExperts) {
		text := "查看全市（全省）共享的综合评标专家库，按专业、中心、状态筛选，查看拒绝参加和低评价提示"
		if auth.Can(a.Role, auth.ManageExperts) {
			text = "维护本中心的评标专家：新增、修改、暂停、恢复、退出、请假、处罚，Excel/CSV 批量导入导出"
		}
		cs = append(cs, card{"综合评标专家库", text, "/workbench/experts"})
	}
	if auth.Can(a.Role, auth.ExpertPortal) {
		cs = append(cs, card{"专家个人中心", "查看本人在专家库中的信息，登记请假，查看评标记录和评价", "/workbench/my-expert"})
	}
	if auth.Can(a.Role, auth.RateExperts) {
		cs = append(cs, card{"评标专家评价", "评标结束后对参加评标的专家作出评价（每方一次）", "/workbench/expert-ratings"})
	}
	return cs
}
