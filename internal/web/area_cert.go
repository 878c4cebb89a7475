package web

import (
	"net/http"

	"ggzy/internal/auth"
)

// The certificate area (数字证书): bidders bind, see and revoke their SM2
// certificates; centre staff issue certificates from the platform's
// built-in CA. Handlers are in api_cert.go and pages_cert.go.

func (s *Server) certRoutes() []route {
	return []route{
		{"GET", "/api/v1/certificates", auth.ReadCerts, "数字证书列表（本单位；工作人员、监督人员为本辖区）", s.apiCerts},
		{"POST", "/api/v1/certificates", auth.BindCert, "绑定本单位的 SM2 数字证书（PEM）", s.apiBindCert},
		{"GET", "/api/v1/certificates/{id}", auth.ReadCerts, "数字证书详情", s.apiCert},
		{"POST", "/api/v1/certificates/{id}/revoke", auth.RevokeCert, "吊销数字证书（须说明原因）", s.apiRevokeCert},
		{"POST", "/api/v1/organisations/{id}/certificates", auth.IssueCert, "由平台内置 CA 为投标人单位签发证书（提交 SM2 公钥）", s.apiIssueCert},
		{"GET", "/api/v1/ca/roots", auth.ReadCARoots, "平台信任的 CA 证书（公开）", s.apiCARoots},
	}
}

func (s *Server) certPages(mux *http.ServeMux) {
	mux.Handle("GET /workbench/certificates", s.page(s.certsPage))
	mux.Handle("POST /workbench/certificates", s.page(s.certBind))
	mux.Handle("POST /workbench/certificates/issue", s.page(s.certIssue))
	mux.Handle("POST /workbench/certificates/{id}/revoke", s.page(s.certRevoke))
}

func certCards(a auth.Actor) []card {
	switch {
	case auth.Can(a.Role, auth.BindCert):
		return []card{{"数字证书", "绑定、查看和吊销本单位投标用的 SM2 数字证书", "/workbench/certificates"}}
	case auth.Can(a.Role, auth.IssueCert):
		return []card{{"数字证书管理", "为辖区内投标人签发平台 CA 证书，查看和吊销投标人的数字证书", "/workbench/certificates"}}
	case auth.Can(a.Role, auth.ReadCerts):
		return []card{{"数字证书查询", "查看辖区内投标人绑定的数字证书及其状态", "/workbench/certificates"}}
	}
	return nil
}
