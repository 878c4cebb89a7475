package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/calendar"
	"ggzy/internal/clock"
	"ggzy/internal/guide"
	"ggzy/internal/tender"
)

// timelineStart is when the demo platform opens: the first working
// morning of 2024 (元旦 is a holiday). Centres, users, the guide and the
// rooms are set up then; projects follow from the next day.
var timelineStart = time.Date(2024, 1, 2, 8, 30, 0, 0, clock.Shanghai).UTC()

// settle is how long before the present the last step may start, so that
// the few minutes a step takes never stamp anything in the future.
const settle = 15 * time.Minute

func checkServices(s Services) error {
	if s.Auth == nil || s.Guide == nil || s.Tender == nil || s.Notice == nil || s.Venue == nil || s.Expert == nil ||
		s.CA == nil || s.Bidding == nil || s.Clock == nil {
		return errors.New("demo: every service and the fake clock they run on are needed")
	}
	return nil
}

// checkNow refuses a present the calendar cannot serve: every legal
// period is computed with holiday data, which exists for 2024–2027, and
// the timeline needs room both behind the present (two and a half years
// of trading) and ahead of it (deadlines and bookings up to half a year).
func checkNow(now time.Time) error {
	cal := calendar.Default()
	ahead := now.AddDate(0, 7, 0)
	if now.Before(time.Date(2024, 7, 1, 0, 0, 0, 0, clock.Shanghai)) || !cal.Covers(clock.Local(ahead).Year()) {
		return fmt.Errorf("演示数据的时间线从2024年初到当前时间（%s），其后半年内的法定期限须有节假日数据（已有：%v）；请在 internal/calendar/holidays 中补充后再载入",
			clock.Format(now), cal.Years())
	}
	return nil
}

// signIn signs in the people who act in the trading steps, each from an
// address of their own (the audit trail records it).
func (l *loader) signIn(ctx context.Context) error {
	l.actors = map[string]auth.Actor{}
	var names []string
	for _, s := range platformStaff {
		names = append(names, s.username)
	}
	for _, r := range l.registered {
		if (r.kind == auth.KindTenderer || r.kind == auth.KindAgent) && !r.pending {
			names = append(names, r.org.user)
		}
	}
	for i, name := range names {
		_, a, err := l.svc.Auth.Login(ctx, fmt.Sprintf("10.53.%d.%d", 6+i/200, 10+i%200), name, Password)
		if err != nil {
			return fmt.Errorf("登录 %s: %w", name, err)
		}
		l.actors[name] = a
	}
	l.admin = l.actors["admin"]
	return nil
}

// guide loads the service guide's catalogue, as an administrator does on
// a new platform, and keeps the intake matters for the material uploads.
func (l *loader) guide(ctx context.Context) error {
	l.svc.Clock.Advance(10 * time.Minute)
	if _, err := l.svc.Guide.Seed(ctx, l.admin); err != nil {
		return fmt.Errorf("办事指南: %w", err)
	}
	l.intake = map[tender.TradeKind]guide.Matter{}
	for _, k := range tender.TradeKinds {
		m, err := guide.Intake(ctx, l.q, string(k))
		if err != nil {
			return fmt.Errorf("办事指南 %s: %w", k.Label(), err)
		}
		l.intake[k] = m
	}
	return nil
}

// trading generates the projects and runs their lives on the timeline up
// to the present.
func (l *loader) trading(ctx context.Context) error {
	l.days = &days{cal: l.svc.Tender.Calendar}
	l.tl = &timeline{clk: l.svc.Clock, end: l.opt.Now.Add(-settle)}
	l.online = newOnline(l)
	defer l.online.cleanup()
	plans, err := l.plans()
	if err != nil {
		return err
	}
	for _, pl := range plans {
		p := l.newProject(pl)
		l.projects = append(l.projects, p)
		l.tl.at(pl.start, p.register)
	}
	l.tl.at(l.online.certsAt, l.issueCerts)
	err = l.tl.run(ctx)
	if err == nil {
		err = l.days.err
	}
	if err != nil {
		return err
	}
	if l.svc.Clock.Now().Before(l.opt.Now) {
		l.svc.Clock.Set(l.opt.Now)
	}
	l.showcase, err = l.finishOnline(ctx)
	return err
}

// ServablePresent is the present the demo can load up to: now itself when
// the calendar covers the half year after it, otherwise midday on 31 May
// of the last covered year, so that `ggzy demo` keeps working (with its
// data ending then) after the holiday files run out.
func ServablePresent(now time.Time) time.Time {
	if checkNow(now) == nil {
		return now
	}
	years := calendar.Default().Years()
	if len(years) == 0 {
		return now
	}
	last := years[len(years)-1].Year
	clamped := time.Date(last, time.May, 31, 12, 0, 0, 0, clock.Shanghai).UTC()
	if clamped.After(now) || checkNow(clamped) != nil {
		return now
	}
	return clamped
}
