package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
)

//go:embed templates static
var assets embed.FS

func shanghai() *time.Location { return clock.Shanghai }

var funcs = template.FuncMap{
	"time":          func(t time.Time) string { return clock.Format(t) },
	"roleLabel":     func(r auth.Role) string { return r.Label() },
	"kindLabel":     func(k auth.OrgKind) string { return k.Label() },
	"statusLabel":   func(s auth.Status) string { return s.Label() },
	"industryLabel": func(i auth.Industry) string { return auth.Industries[i] },
	"can":           func(a auth.Actor, act string) bool { return auth.Can(a.Role, auth.Action(act)) },
	"hex": func(b []byte) string {
		const digits = "0123456789abcdef"
		var sb strings.Builder
		for _, c := range b {
			sb.WriteByte(digits[c>>4])
			sb.WriteByte(digits[c&15])
		}
		return sb.String()
	},
	"add": func(a, b int) int { return a + b },
}

// parseTemplates pairs the layout with each page so every page can define
// its own "content" block.
func parseTemplates() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

func staticFiles() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	return http.FileServer(http.FS(sub))
}

// view is what every page gets besides its own data.
type view struct {
	Actor   auth.Actor
	CSRF    string
	Now     time.Time
	NowUnix int64
	Title   string
	Flash   string
	Data    map[string]any
	Version string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, data map[string]any) {
	s.renderStatus(w, r, http.StatusOK, page, data)
}

// renderStatus renders into a buffer first, so a template error becomes a
// clean 500 rather than half a page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, page string, data map[string]any) {
	t, ok := s.pages[page]
	if !ok {
		http.Error(w, "page not found: "+page, http.StatusInternalServerError)
		return
	}
	now := s.Clock.Now()
	v := view{Actor: actorOf(r), CSRF: csrfOf(r), Now: now, NowUnix: now.UnixMilli(), Data: data,
		Flash: r.URL.Query().Get("flash"), Version: s.Version}
	if title, ok := data["Title"].(string); ok {
		v.Title = title
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.Log.Error("template", "page", page, "request_id", requestIDOf(r), "err", err)
		http.Error(w, "系统内部错误", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}
