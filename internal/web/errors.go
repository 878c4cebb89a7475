package web

import (
	"encoding/json"
	"net/http"

	"ggzy/internal/errs"
)

// status maps an error code to an HTTP status: the only place that does.
func status(code errs.Code) int {
	switch code {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Conflict:
		return http.StatusConflict
	case errs.Rule:
		return http.StatusUnprocessableEntity
	case errs.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// problem is an RFC 9457 problem-details body, with the rule id and the
// per-field reasons ggzy adds.
type problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Code      errs.Code         `json:"code"`
	Rule      string            `json:"rule,omitempty"`
	Fields    []errs.FieldError `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

var titles = map[errs.Code]string{
	errs.Invalid: "输入有误", errs.NotFound: "未找到", errs.Unauthenticated: "未登录",
	errs.Forbidden: "无权操作", errs.Conflict: "状态冲突", errs.Rule: "违反规则",
	errs.TooMany: "请求过于频繁", errs.Internal: "系统错误",
}

// problemOf turns err into what the user may see; internal causes are
// logged by the caller and replaced by a generic message.
func problemOf(err error, requestID string) problem {
	e := errs.As(err)
	p := problem{Type: "about:blank", Title: titles[e.Code], Status: status(e.Code), Detail: e.Message,
		Code: e.Code, Rule: e.RuleID, Fields: e.Fields, RequestID: requestID}
	if e.Code == errs.Internal {
		p.Detail = "系统内部错误，请稍后重试；如持续出现，请联系交易中心并提供请求编号 " + requestID
	}
	if p.Code == "" {
		p.Code = errs.Internal
	}
	return p
}

func writeProblem(w http.ResponseWriter, p problem) {
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
