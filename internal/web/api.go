package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
)

// route is one JSON API endpoint. Action is the policy action the service
// checks; the access-matrix test and the OpenAPI test read this table.
type route struct {
	Method  string
	Pattern string
	Action  auth.Action // "" for sign-in/out, which any caller may attempt
	Summary string
	handle  func(w http.ResponseWriter, r *http.Request) error
}

// Routes exposes the API table for tests and documentation.
func (s *Server) Routes() []route { return s.routes }

// apiRoutes gathers every area's routes; each area keeps its own table in
// its own file (api_<area>.go) and its OpenAPI paths in openapi/<area>.json.
func (s *Server) apiRoutes() []route {
	var all []route
	for _, area := range [][]route{s.identityRoutes(), s.guideRoutes(), s.tenderRoutes(), s.noticeRoutes(),
		s.venueRoutes(), s.portalRoutes(), s.biddingRoutes(), s.certRoutes(), s.drawRoutes(), s.expertRoutes()} {
		all = append(all, area...)
	}
	return all
}

func (s *Server) identityRoutes() []route {
	return []route{
		{"GET", "/api/v1/openapi.json", auth.ReadCentres, "本接口的 OpenAPI 3 描述", s.apiOpenAPI},
		{"GET", "/api/v1/time", auth.ReadCalendar, "服务器标准时间", s.apiTime},
		{"GET", "/api/v1/calendar/{year}", auth.ReadCalendar, "某年法定节假日与调休工作日", s.apiCalendarYear},
		{"GET", "/api/v1/calendar/period", auth.ReadCalendar, "按 C1–C3 计算法定期间的届满时间", s.apiCalendarPeriod},
		{"GET", "/api/v1/centres", auth.ReadCentres, "交易中心列表", s.apiCentres},
		{"POST", "/api/v1/centres", auth.CreateCentre, "新建交易中心", s.apiCreateCentre},
		{"POST", "/api/v1/registrations", auth.RegisterOrg, "单位自助注册（免费、无前置条件）", s.apiRegister},
		{"POST", "/api/v1/session", "", "登录", s.apiLogin},
		{"DELETE", "/api/v1/session", "", "退出登录", s.apiLogout},
		{"GET", "/api/v1/me", auth.ReadSelf, "当前用户及其单位", s.apiMe},
		{"GET", "/api/v1/organisations", auth.ListOrgs, "单位列表（本辖区）", s.apiOrgs},
		{"POST", "/api/v1/organisations", auth.CreateUser, "新建单位（监督部门、银行等）", s.apiCreateOrg},
		{"GET", "/api/v1/organisations/{id}", auth.ReadOrg, "单位详情", s.apiOrg},
		{"POST", "/api/v1/organisations/{id}/decision", auth.DecideOrg, "审核单位注册", s.apiDecideOrg},
		{"GET", "/api/v1/organisations/{id}/users", auth.ListUsers, "单位的用户", s.apiOrgUsers},
		{"POST", "/api/v1/users", auth.CreateUser, "新建用户", s.apiCreateUser},
		{"GET", "/api/v1/tokens", auth.ManageTokens, "本单位的 API 令牌", s.apiTokens},
		{"POST", "/api/v1/tokens", auth.ManageTokens, "签发 API 令牌", s.apiCreateToken},
		{"DELETE", "/api/v1/tokens/{id}", auth.ManageTokens, "吊销 API 令牌", s.apiRevokeToken},
		{"GET", "/api/v1/audit/events", auth.ReadAudit, "审计事件（本监管范围）", s.apiAuditEvents},
		{"GET", "/api/v1/audit/events/{seq}", auth.ReadAudit, "单个审计事件", s.apiAuditEvent},
		{"GET", "/api/v1/audit/events/{seq}/proof", auth.ProveAudit, "审计事件的默克尔包含证明", s.apiAuditProof},
	}
}

// api turns a handler's error into a problem response.
func (s *Server) api(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := rt.handle(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// decode reads a JSON body into v, refusing anything that is not a single
// JSON object of bounded size with known fields.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return errs.E(errs.Invalid, "请求体须为 JSON（Content-Type: application/json）")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return errs.E(errs.Invalid, "请求体为空")
		case errors.As(err, &tooBig):
			return errs.E(errs.Invalid, "请求体过大（上限 1 MB）")
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return errs.E(errs.Invalid, "请求体须为一个 JSON 对象")
		case errors.As(err, &typeErr):
			var f errs.Fields
			f.Add(typeErr.Field, "字段类型不正确，应为%s", jsonKind(typeErr.Type.Kind()))
			return f.Err()
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &errs.Error{Code: errs.Invalid, Message: "请求体含有未知字段：" + name,
				Fields: []errs.FieldError{{Field: name, Message: "本接口没有这个字段"}}}
		}
		return errs.E(errs.Invalid, "请求体不是有效的 JSON")
	}
	if dec.More() {
		return errs.E(errs.Invalid, "请求体只能包含一个 JSON 对象")
	}
	return nil
}

// jsonKind names a JSON type in Chinese, so errors do not show Go types.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "字符串"
	case reflect.Bool:
		return "布尔值（true/false）"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.Slice, reflect.Array:
		return "数组"
	}
	return "对象"
}

// pathID reads a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id < 0 {
		var f errs.Fields
		f.Add(name, "须为非负整数")
		return 0, f.Err()
	}
	return id, nil
}

// queryInt reads an optional integer query parameter within [min, max].
func queryInt(r *http.Request, name string, def, min, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		var f errs.Fields
		f.Add(name, "须为 %d 至 %d 之间的整数", min, max)
		return 0, f.Err()
	}
	return n, nil
}

// withBody serves a call on one object that takes a JSON body: it reads
// the id from the path parameter, decodes the body, calls the service and
// answers with its result.
func withBody[In, Out any](w http.ResponseWriter, r *http.Request, param string, status int,
	call func(context.Context, auth.Actor, int64, In) (Out, error)) error {
	id, err := pathID(r, param)
	if err != nil {
		return err
	}
	var in In
	if err := decode(w, r, &in); err != nil {
		return err
	}
	out, err := call(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// withID serves a call on one object without a body.
func withID[Out any](w http.ResponseWriter, r *http.Request, param string, status int,
	call func(context.Context, auth.Actor, int64) (Out, error)) error {
	id, err := pathID(r, param)
	if err != nil {
		return err
	}
	out, err := call(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// paging reads ?limit= (1–200, default 50) and ?offset=.
func paging(r *http.Request) (limit, offset int, err error) {
	if limit, err = queryInt(r, "limit", 50, 1, 200); err != nil {
		return 0, 0, err
	}
	offset, err = queryInt(r, "offset", 0, 0, 1<<30)
	return limit, offset, err
}

// list is the envelope of paged lists.
type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total,omitempty"`
	Limit  int `json:"limit,omitempty"`
	Offset int `json:"offset,omitempty"`
}
