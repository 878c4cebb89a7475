package web

import (
	"net/http"
	"strconv"
	"strings"

	"ggzy/internal/errs"
	"ggzy/internal/portal"
	"ggzy/internal/tender"
)

// The public site's pages: home, notice list and detail, statistics,
// feeds, and the list of trading centres.

func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	h, err := s.Portal.Home(r.Context(), actorOf(r), r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	s.render(w, r, "home", map[string]any{"Title": "交易信息网", "Home": h, "Feed": portal.FeedPath(portal.Filter{Region: h.Region})})
	return nil
}

func (s *Server) centresPage(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, "portal_centres", map[string]any{"Title": "交易中心", "Centres": cs})
	return nil
}

// noticesPage lists and searches notices. A filter that does not parse is
// shown back with its errors rather than as an error page.
func (s *Server) noticesPage(w http.ResponseWriter, r *http.Request) error {
	regions, err := s.Portal.Regions(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data := map[string]any{"Title": "公告公示", "Q": q, "Regions": regions, "TradeKinds": tender.TradeKinds,
		"NoticeKinds": portal.NoticeKinds}
	f, err := portal.ParseFilter(q)
	if err == nil {
		var p portal.Page
		if p, err = s.Portal.List(r.Context(), actorOf(r), f); err == nil {
			data["Page"], data["Searching"] = p, strings.TrimSpace(f.Query) != ""
			data["Feed"] = portal.FeedPath(f)
			if p.Next != "" {
				next := f.Values()
				next.Set("after", p.Next)
				if f.Limit != portal.DefaultLimit {
					next.Set("limit", strconv.Itoa(f.Limit))
				}
				data["Next"] = "/notices?" + next.Encode()
			}
			if f.After != "" {
				data["First"] = "/notices?" + f.Values().Encode()
			}
			s.render(w, r, "portal_notices", data)
			return nil
		}
	}
	if c := errs.CodeOf(err); c != errs.Invalid {
		return err
	}
	data["Fields"], data["Error"] = fieldErrors(err)
	s.renderStatus(w, r, http.StatusUnprocessableEntity, "portal_notices", data)
	return nil
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request) error {
	regions, err := s.Portal.Regions(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	f, err := portal.ParseStatsFilter(r.URL.Query().Get)
	if err != nil {
		return err
	}
	st, err := s.Portal.Stats(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	thisYear := s.Clock.Now().In(shanghai()).Year()
	var years []int
	for y := thisYear; y >= thisYear-9; y-- {
		years = append(years, y)
	}
	s.render(w, r, "portal_stats", map[string]any{"Title": "交易统计", "S": st, "Regions": regions, "Years": years,
		"TradeKinds": tender.TradeKinds, "Export": "/stats.xlsx?" + r.URL.Query().Encode()})
	return nil
}

func (s *Server) statsExport(w http.ResponseWriter, r *http.Request) error {
	return s.writeStatsWorkbook(w, r)
}

// noticesFeed is the RSS feed for the filter in the query string.
func (s *Server) noticesFeed(w http.ResponseWriter, r *http.Request) error {
	f, err := portal.ParseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	b, err := s.Portal.Feed(r.Context(), actorOf(r), f, s.siteBase(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write(b)
	return nil
}

// siteBase is the site's address as the client reached it, for the
// absolute links a feed needs. A Host header with anything but host-name
// characters is not trusted.
func (s *Server) siteBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || (s.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	host := r.Host
	if host == "" || strings.IndexFunc(host, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c))
	}) >= 0 {
		host = "localhost"
	}
	return scheme + "://" + host
}
