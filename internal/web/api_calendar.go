package web

import (
	"net/http"
	"strconv"
	"time"

	"ggzy/internal/calendar"
	"ggzy/internal/errs"
)

type calendarDay struct {
	Date string        `json:"date"`
	Kind calendar.Kind `json:"kind"`
	Name string        `json:"name"`
}

func (s *Server) apiCalendarYear(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 1900 || year > 2200 {
		var f errs.Fields
		f.Add("year", "年份无效")
		return f.Err()
	}
	days, err := s.Calendar.Holidays(year)
	if err != nil {
		return errs.E(errs.NotFound, "尚未载入 %d 年的节假日安排", year)
	}
	out := make([]calendarDay, len(days))
	for i, d := range days {
		out[i] = calendarDay{Date: d.Date.Format("2006-01-02"), Kind: d.Kind, Name: d.Name}
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": year, "provisional": s.Calendar.Provisional(year), "days": out})
	return nil
}

// apiCalendarPeriod computes a statutory period (RULES C1–C3) from a start
// instant: ?start=RFC3339&days=N[&working=true].
func (s *Server) apiCalendarPeriod(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f errs.Fields
	start, err := time.Parse(time.RFC3339, q.Get("start"))
	if err != nil {
		f.Add("start", "起算时间须为 RFC 3339 格式，例如 2026-09-10T09:00:00+08:00")
	}
	days, err := strconv.Atoi(q.Get("days"))
	if err != nil || days < 1 || days > 3650 {
		f.Add("days", "天数须为 1 至 3650 之间的整数")
	}
	working := q.Get("working") == "true"
	if err := f.Err(); err != nil {
		return err
	}
	var end, earliest time.Time
	if working {
		end, err = s.Calendar.AddWorkingDays(start, days)
		if err == nil {
			earliest, err = s.Calendar.EarliestEndWorking(start, days)
		}
	} else {
		end, err = s.Calendar.AddDays(start, days)
		if err == nil {
			earliest, err = s.Calendar.EarliestEnd(start, days)
		}
	}
	if err != nil {
		return errs.Wrap(errs.Invalid, err, "所涉年份尚无节假日数据，无法按工作日计算")
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"start": start, "days": days, "working_days": working,
		"period_ends":  end.In(shanghai()).Format(time.RFC3339),
		"earliest_end": earliest.In(shanghai()).Format(time.RFC3339),
		"explanation": "period_ends：期间届满时刻（末日24:00，不含），行为须早于此时刻；" +
			"earliest_end：满足“不少于N日”的最早截止时刻。首日不计入，末日为节假日的顺延至其后第一个工作日（RULES C1–C3）。",
	})
	return nil
}
