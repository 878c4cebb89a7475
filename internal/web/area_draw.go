package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The expert draw area (评标专家抽取): draw requests, the witness's random
// contribution, live progress, the sealed list, verification, the
// expert's invitations and the voice gateway's callback. Handlers are in
// api_draw.go and pages_draw.go.

func (s *Server) drawRoutes() []route {
	return []route{
		{"GET", "/api/v1/draws", auth.ReadDraw, "专家抽取列表（本中心或本监管范围）", s.apiDraws},
		{"POST", "/api/v1/draws", auth.RequestDraw, "申请抽取评标专家（项目所在交易中心工作人员）", s.apiCreateDraw},
		{"GET", "/api/v1/draws/{id}", auth.ReadDraw, "专家抽取详情与进度（启封前只显示脱敏姓名）", s.apiDraw},
		{"POST", "/api/v1/draws/{id}/commit", auth.RequestDraw, "固定专家池并承诺服务器种子", s.apiCommitDraw},
		{"POST", "/api/v1/draws/{id}/witness", auth.WitnessDraw, "监督人提交见证随机数，完成抽取并开始通知", s.apiWitnessDraw},
		{"GET", "/api/v1/draws/{id}/events", auth.ReadDraw, "抽取实时进度（Server-Sent Events，只含脱敏姓名）", s.apiDrawEvents},
		{"POST", "/api/v1/draws/{id}/verify", auth.VerifyDraw, "按审计日志重放核验本次抽取", s.apiVerifyDraw},
		{"GET", "/api/v1/draws/{id}/sealed-list.pdf", auth.PrintDrawList, "打印密封专家名单（PDF；每次打印记入审计日志）", s.apiSealedList},
		{"POST", "/api/v1/draws/{id}/calls/{call}/replace", auth.RequestDraw, "替换已确认参加的专家，依序递补（规则 C15）", s.apiReplaceDrawCall},
		{"GET", "/api/v1/invitations", auth.AnswerDraw, "本人的评标邀请", s.apiInvitations},
		{"GET", "/api/v1/invitations/{token}", auth.AnswerDraw, "本人的一条评标邀请", s.apiInvitation},
		{"POST", "/api/v1/invitations/{token}/answer", auth.AnswerDraw, "答复本人的评标邀请", s.apiAnswerInvitation},
		{"POST", "/api/v1/voice/callback", auth.DrawGatewayCall, "语音网关回调：呼叫结果（HMAC-SM3 签名）", s.apiVoiceCallback},
	}
}

func (s *Server) drawPages(mux *http.ServeMux) {
	mux.Handle("GET /workbench/draws", s.page(s.drawsPage))
	mux.Handle("GET /workbench/draws/new", s.page(s.drawNewPage))
	mux.Handle("POST /workbench/draws", s.page(s.drawCreate))
	mux.Handle("GET /workbench/draws/{id}", s.page(s.drawPage))
	mux.Handle("POST /workbench/draws/{id}/commit", s.page(s.drawCommit))
	mux.Handle("POST /workbench/draws/{id}/witness", s.page(s.drawWitness))
	mux.Handle("POST /workbench/draws/{id}/verify", s.page(s.drawVerify))
	mux.Handle("POST /workbench/draws/{id}/calls/{call}/replace", s.page(s.drawReplace))
	mux.Handle("GET /workbench/draws/{id}/sealed-list.pdf", s.page(s.apiSealedList))
	mux.Handle("GET /workbench/invitations", s.page(s.invitationsPage))
	mux.Handle("GET /workbench/invitations/{token}", s.page(s.invitationPage))
	mux.Handle("POST /workbench/invitations/{token}/answer", s.page(s.invitationAnswer))
}

func drawCards(a auth.Actor) []card {
	var cs []card
	if auth.Can(a.Role, auth.RequestDraw) {
		cs = append(cs, card{"专家抽取", "为标段申请随机抽取评标专家：固定专家池、监督见证、自动语音通知、密封名单", "/workbench/draws"})
	} else if auth.Can(a.Role, auth.ReadDraw) {
		cs = append(cs, card{"专家抽取监督", "见证辖区内的专家抽取，提交见证随机数，打印密封名单，核验抽取过程", "/workbench/draws"})
	}
	if auth.Can(a.Role, auth.AnswerDraw) {
		cs = append(cs, card{"评标邀请", "查看并答复被随机抽取的评标邀请", "/workbench/invitations"})
	}
	return cs
}
