package notice

import (
	"context"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/clock"
	"ggzy/internal/tender"
)

// localLayouts are the ways a Beijing wall-clock time is typed: an HTML
// datetime-local field, or by hand.
var localLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

// ParseLocalTime reads a Beijing wall-clock time ("2026-12-28T09:30" or
// "2026-12-28 09:30"); blank is the zero time. ok is false for anything
// else.
func ParseLocalTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, clock.Shanghai); err == nil && t.Year() >= 2000 && t.Year() <= 9999 {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// LocalInput formats t for a datetime-local field in Beijing time.
func LocalInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(clock.Shanghai).Format("2006-01-02T15:04")
}

// Project returns a project the actor may draft notices for, with its
// lots, for the drafting form.
func (s *Service) Project(ctx context.Context, a auth.Actor, id int64) (tender.Project, error) {
	if err := a.Authorize(auth.DraftNotice); err != nil {
		return tender.Project{}, err
	}
	p, err := tender.GetProject(ctx, s.DB, id)
	if err != nil {
		return p, err
	}
	if !mayDraft(a, p) {
		return tender.Project{}, errNoProject
	}
	return p, nil
}
