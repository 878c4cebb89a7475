package web

import (
	"net/http"
	"net/url"
	"testing"

	"ggzy/internal/errs"
	"ggzy/internal/money"
)

// FuzzProjectWan: the edit form shows saved amounts in 万元 exactly, so
// reading the text back gives the same fen.
func FuzzProjectWan(f *testing.F) {
	for _, v := range []int64{0, 1, 100, 505000_00, 123 * 1000000, -7, 1 << 50} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		if v == 0 || v < -int64(1e17) || v > int64(1e17) {
			return
		}
		s := projectWan(money.Fen(v))
		got, err := money.ParseWan(s)
		if err != nil || got != money.Fen(v) {
			t.Fatalf("%d → %q → %d, %v", v, s, got, err)
		}
	})
}

// FuzzReadProjectForm: whatever a browser posts, the form reader never
// panics, reports bad amounts as invalid input naming a field, and keeps
// one service lot per non-blank row.
func FuzzReadProjectForm(f *testing.F) {
	f.Add("100", "1,23", "１０１００", "一标段", "")
	f.Add("", "", "", "", "")
	f.Add("-5", "1e3", "0.0000001", "x", "9999999999999999999")
	f.Fuzz(func(t *testing.T, est, lotEst, deposit, name, max string) {
		r := &http.Request{Method: "POST", PostForm: url.Values{
			"estimated_price": {est}, "lot_name": {name, ""}, "lot_estimated": {lotEst, ""},
			"lot_deposit": {deposit, ""}, "lot_max": {max}, "lot_method": {"lowest_price"},
		}}
		r.Form = r.PostForm
		form, in, bad := readProjectForm(r)
		if len(form.Lots) != len(in.Lots) {
			t.Fatalf("%d form rows, %d lots", len(form.Lots), len(in.Lots))
		}
		if err := bad.Err(); err != nil {
			e := errs.As(err)
			if e.Code != errs.Invalid || len(e.Fields) == 0 || e.Fields[0].Field == "" {
				t.Fatalf("bad form error %v", err)
			}
		}
	})
}
