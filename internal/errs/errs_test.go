package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"ggzy/internal/errs"
)

func TestFieldsCollectEveryProblem(t *testing.T) {
	var f errs.Fields
	if f.Err() != nil {
		t.Fatal("no problems must be no error")
	}
	f.Required("name", "单位名称", "  ")
	f.MaxLen("legal_rep", "法定代表人", "一二三四五六", 5)
	f.MaxLen("contact", "联系人", "一二三", 5)
	err := f.Err()
	e := errs.As(err)
	if e.Code != errs.Invalid || len(e.Fields) != 2 {
		t.Fatalf("got %+v", e)
	}
	if e.Fields[0] != (errs.FieldError{Field: "name", Message: "单位名称不能为空"}) ||
		e.Fields[1] != (errs.FieldError{Field: "legal_rep", Message: "法定代表人不能超过5个字符"}) {
		t.Fatalf("fields %+v", e.Fields)
	}
	if e.Message != "输入有误：单位名称不能为空；法定代表人不能超过5个字符" {
		t.Fatalf("message %q", e.Message)
	}
}

func TestCodesSurviveWrapping(t *testing.T) {
	base := errs.Violation("A1", "《招标投标法》第二十四条", "自招标文件开始发出之日起至投标截止之日止，不得少于二十日")
	wrapped := fmt.Errorf("publish notice: %w", base)
	if errs.CodeOf(wrapped) != errs.Rule || errs.As(wrapped).RuleID != "A1" {
		t.Fatalf("lost the rule: %v", wrapped)
	}
	if errs.CodeOf(nil) != "" || errs.CodeOf(errors.New("x")) != errs.Internal {
		t.Fatal("foreign errors are internal, nil has no code")
	}
	in := errs.As(errors.New("disk on fire"))
	if in.Code != errs.Internal || in.Message == "disk on fire" {
		t.Fatalf("internal detail leaked into the user message: %+v", in)
	}
}
