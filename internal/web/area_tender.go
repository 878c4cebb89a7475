package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The tender area — project registration and intake (项目受理): its API
// routes (api_tender.go), pages (pages_tender.go) and workbench cards.

func (s *Server) tenderRoutes() []route {
	return []route{
		{"GET", "/api/v1/projects", auth.ReadProject, "项目列表（本单位项目；工作人员和监督人员为本辖区项目）", s.apiProjects},
		{"POST", "/api/v1/projects", auth.CreateProject, "登记项目（草稿）及其标段", s.apiRegisterProject},
		{"GET", "/api/v1/projects/{project}", auth.ReadProject, "项目详情及标段", s.apiProject},
		{"PUT", "/api/v1/projects/{project}", auth.CreateProject, "修改草稿或已退回的项目", s.apiUpdateProject},
		{"POST", "/api/v1/projects/{project}/submission", auth.CreateProject, "提交进场登记（核验申请材料）", s.apiSubmitProject},
		{"POST", "/api/v1/projects/{project}/withdrawal", auth.CreateProject, "撤回草稿或已退回的项目", s.apiWithdrawProject},
		{"POST", "/api/v1/projects/{project}/decision", auth.DecideIntake, "受理或退回（须说明理由）", s.apiDecideProject},
		{"POST", "/api/v1/projects/{project}/archive", auth.ArchiveProject, "归档已成交、流标（不再重新招标）或已终止的项目", s.apiArchiveProject},
		{"GET", "/api/v1/projects/{project}/materials", auth.ReadProject, "申请材料核对清单", s.apiChecklist},
		{"POST", "/api/v1/projects/{project}/materials", auth.CreateProject, "上传申请材料（multipart/form-data）", s.apiUploadMaterial},
		{"GET", "/api/v1/projects/{project}/materials/{file}", auth.ReadProject, "下载申请材料文件", s.apiDownloadMaterial},
		{"DELETE", "/api/v1/projects/{project}/materials/{file}", auth.CreateProject, "删除已上传的申请材料文件", s.apiRemoveMaterial},
		{"GET", "/api/v1/intake", auth.ListIntake, "受理队列：待受理项目（绿色通道优先、按到期时间），可只看超期", s.apiIntakeQueue},
	}
}

func (s *Server) tenderPages(mux *http.ServeMux) {
	mux.Handle("GET /workbench/projects", s.page(s.projectsPage))
	mux.Handle("POST /workbench/projects", s.page(s.projectCreateSubmit))
	mux.Handle("GET /workbench/projects/new", s.page(s.projectNewPage))
	mux.Handle("GET /workbench/projects/{project}", s.page(s.projectPage))
	mux.Handle("POST /workbench/projects/{project}", s.page(s.projectEditSubmit))
	mux.Handle("GET /workbench/projects/{project}/edit", s.page(s.projectEditPage))
	mux.Handle("POST /workbench/projects/{project}/materials", s.page(s.projectUploadSubmit))
	mux.Handle("GET /workbench/projects/{project}/materials/{file}", s.page(s.projectMaterialDownload))
	mux.Handle("POST /workbench/projects/{project}/materials/{file}/delete", s.page(s.projectMaterialDelete))
	mux.Handle("POST /workbench/projects/{project}/submit", s.page(s.projectSubmitSubmit))
	mux.Handle("POST /workbench/projects/{project}/withdraw", s.page(s.projectWithdrawSubmit))
	mux.Handle("POST /workbench/projects/{project}/decision", s.page(s.projectDecisionSubmit))
	mux.Handle("POST /workbench/projects/{project}/archive", s.page(s.projectArchiveSubmit))
	mux.Handle("GET /workbench/intake", s.page(s.intakePage))
}

func tenderCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.CreateProject) {
		cs = append(cs,
			card{"登记项目", "登记交易项目及标段（包），上传申请材料，提交进场登记", "/workbench/projects/new"},
			card{"我的项目", "查看本单位登记或代理的项目及受理进度", "/workbench/projects"})
	}
	switch {
	case auth.Can(a.Role, auth.DecideIntake):
		cs = append(cs,
			card{"项目受理", "待受理项目队列：绿色通道优先，超期项目标红；受理或一次性告知退回理由", "/workbench/intake"},
			card{"项目查询", "本辖区已提交的交易项目", "/workbench/projects"})
	case auth.Can(a.Role, auth.ListIntake):
		cs = append(cs,
			card{"超期未受理", "本行业、本辖区内超过承诺时限仍未受理的项目", "/workbench/intake?overdue=1"},
			card{"项目监督", "本行业、本辖区内的交易项目", "/workbench/projects"})
	}
	return cs
}
