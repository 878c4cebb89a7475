package web

import (
	"bytes"
	"net/http"
	"net/url"

	"ggzy/internal/portal"
)

func (s *Server) apiPortalHome(w http.ResponseWriter, r *http.Request) error {
	h, err := s.Portal.Home(r.Context(), actorOf(r), r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func (s *Server) apiPortalNotices(w http.ResponseWriter, r *http.Request) error {
	f, err := portal.ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := s.Portal.List(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	if p.Items == nil {
		p.Items = []portal.Summary{}
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiPortalNotice(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Portal.Notice)
}

func (s *Server) apiPortalStats(w http.ResponseWriter, r *http.Request) error {
	f, err := portal.ParseStatsFilter(r.URL.Query().Get)
	if err != nil {
		return err
	}
	st, err := s.Portal.Stats(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiPortalStatsExport(w http.ResponseWriter, r *http.Request) error {
	return s.writeStatsWorkbook(w, r)
}

// xlsxType is the media type of an Excel workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// writeStatsWorkbook renders the workbook into memory first, so a failure
// still becomes a clean error answer.
func (s *Server) writeStatsWorkbook(w http.ResponseWriter, r *http.Request) error {
	f, err := portal.ParseStatsFilter(r.URL.Query().Get)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.Portal.ExportStats(r.Context(), actorOf(r), f, &buf); err != nil {
		return err
	}
	name := "交易统计.xlsx"
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="stats.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}
