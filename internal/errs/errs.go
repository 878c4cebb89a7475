// Package errs is ggzy's one error type: a code for the program, a Chinese
// message for the user, the statutory rule id where a rule was broken, and
// per-field reasons for bad input. Handlers map the code to an HTTP status in
// one place (internal/web); internal details stay in the wrapped error.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Code says what kind of failure happened.
type Code string

const (
	Invalid         Code = "invalid"         // bad input; Fields says which
	NotFound        Code = "not_found"       // no such object (or not visible to the caller)
	Unauthenticated Code = "unauthenticated" // no or expired credentials
	Forbidden       Code = "forbidden"       // authenticated but not allowed
	Conflict        Code = "conflict"        // duplicate or stale state
	Rule            Code = "rule"            // a statutory rule (RULES.md) forbids it
	TooMany         Code = "too_many"        // throttled or locked out
	Internal        Code = "internal"        // anything else; never shown in detail
)

// FieldError names one bad field and why, in Chinese.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type used across ggzy.
type Error struct {
	Code    Code
	Message string       // shown to the user, Chinese
	RuleID  string       // RULES.md id, for Code Rule
	Fields  []FieldError // for Code Invalid
	Err     error        // internal cause, logged only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.RuleID != "" {
		b.WriteString(" [" + e.RuleID + "]")
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E makes an error with a code and a user message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap keeps cause for the log while showing msg to the user.
func Wrap(code Code, cause error, msg string) *Error {
	return &Error{Code: code, Message: msg, Err: cause}
}

// Violation reports a broken statutory rule; source is the law's text,
// e.g. "《招标投标法》第二十四条".
func Violation(ruleID, source, msg string) *Error {
	return &Error{Code: Rule, RuleID: ruleID, Message: "违反" + source + "（规则 " + ruleID + "）：" + msg}
}

// Forbid is the standard refusal.
func Forbid() *Error { return E(Forbidden, "您无权执行此操作") }

// CodeOf returns the code of err, Internal for foreign errors, "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// As returns the *Error inside err, or an Internal one.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "系统内部错误，请稍后重试", Err: err}
}

// Fields collects per-field problems while validating a whole input, so the
// user sees every bad field at once.
type Fields []FieldError

// Add records that field is bad for the given reason.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Required adds "不能为空" when value is blank.
func (f *Fields) Required(field, label, value string) bool {
	if strings.TrimSpace(value) == "" {
		f.Add(field, "%s不能为空", label)
		return false
	}
	return true
}

// MaxLen adds a message when value has more than n characters.
func (f *Fields) MaxLen(field, label, value string, n int) bool {
	if len([]rune(value)) > n {
		f.Add(field, "%s不能超过%d个字符", label, n)
		return false
	}
	return true
}

// Err returns nil when nothing was added, else an Invalid error.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	msgs := make([]string, len(f))
	for i, fe := range f {
		msgs[i] = fe.Message
	}
	return &Error{Code: Invalid, Message: "输入有误：" + strings.Join(msgs, "；"), Fields: f}
}
