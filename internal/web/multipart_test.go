package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
)

// Upload forms carry the CSRF token in their action URL (the body is
// streamed, not parsed, by the middleware); without it they are refused.
func TestMultipartFormsCarryCSRFInTheURL(t *testing.T) {
	e := testenv.New(t)
	c := e.Client(auth.Bidder)
	_, page := c.Do("GET", "/workbench/tokens", nil, "")
	token := formToken(t, page)

	post := func(query string) int {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("name", "上传表单测试")
		mw.WriteField("days", "30")
		mw.Close()
		noHeader := *c
		noHeader.CSRF = ""
		resp, _ := noHeader.Do("POST", "/workbench/tokens"+query, &body, mw.FormDataContentType())
		return resp.StatusCode
	}
	before := countRows(t, e, "api_tokens")
	if st := post(""); st != http.StatusForbidden {
		t.Fatalf("multipart without a token: %d, want 403", st)
	}
	if st := post("?csrf_token=wrong"); st != http.StatusForbidden {
		t.Fatalf("multipart with a wrong token: %d, want 403", st)
	}
	if n := countRows(t, e, "api_tokens"); n != before {
		t.Fatalf("refused uploads created %d tokens", n-before)
	}
	if st := post("?csrf_token=" + url.QueryEscape(token)); st != http.StatusOK {
		t.Fatalf("multipart with the page's token: %d, want 200", st)
	}
	if n := countRows(t, e, "api_tokens"); n != before+1 {
		t.Fatalf("accepted upload created %d tokens, want 1", n-before)
	}
}
