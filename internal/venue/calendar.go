package venue

import (
	"context"
	"fmt"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/clock"
	"ggzy/internal/errs"
)

// CentreWeek is the week calendar of a centre's rooms in service: every
// booking and reserved slot, day by day. week is "" (this week), a date in
// the week, or an ISO week (2026-W48).
func (s *Service) CentreWeek(ctx context.Context, a auth.Actor, centreCode, week string) (Week, error) {
	if err := a.Authorize(auth.ReadVenues); err != nil {
		return Week{}, err
	}
	c, err := centre.ByCode(ctx, s.DB, centreCode)
	if err != nil {
		return Week{}, err
	}
	rooms, err := listRooms(ctx, s.DB, RoomFilter{CentreCode: c.RegionCode})
	if err != nil {
		return Week{}, err
	}
	in := rooms[:0]
	for _, r := range rooms {
		if r.Active {
			in = append(in, r)
		}
	}
	return s.week(ctx, a, CentreRef{ID: c.ID, Code: c.RegionCode, Name: c.Name}, in, week)
}

// RoomWeek is the week calendar of one room.
func (s *Service) RoomWeek(ctx context.Context, a auth.Actor, roomID int64, week string) (Week, error) {
	if err := a.Authorize(auth.ReadVenues); err != nil {
		return Week{}, err
	}
	r, err := getRoom(ctx, s.DB, roomID)
	if err != nil {
		return Week{}, err
	}
	return s.week(ctx, a, CentreRef{ID: r.CentreID, Code: r.CentreCode, Name: r.CentreName}, []Room{r}, week)
}

func (s *Service) week(ctx context.Context, a auth.Actor, c CentreRef, rooms []Room, week string) (Week, error) {
	now := s.Clock.Now()
	start, err := ParseWeek(week, now)
	if err != nil {
		var f errs.Fields
		f.Add("week", "%s", errs.As(err).Message)
		return Week{}, f.Err()
	}
	end := start.Add(7 * 24 * time.Hour)
	local := start.In(clock.Shanghai)
	y, wk := local.ISOWeek()
	last := end.Add(-time.Hour).In(clock.Shanghai)
	w := Week{Key: dateText(start), Prev: dateText(start.Add(-7 * 24 * time.Hour)), Next: dateText(end),
		Label: fmt.Sprintf("%d年第%d周（%d月%d日—%d月%d日）", y, wk, local.Month(), local.Day(), last.Month(), last.Day()),
		Start: start, End: end, Centre: c, Rooms: rooms, OpenAt: clockText(s.cfg.OpenMinute), CloseAt: clockText(s.cfg.CloseMinute)}
	if w.Rooms == nil {
		w.Rooms = []Room{}
	}
	ids := make([]int64, len(rooms))
	names := map[int64]string{}
	for i, r := range rooms {
		ids[i], names[r.ID] = r.ID, r.Name
	}
	bookings, err := activeBetween(ctx, s.DB, ids, start, end)
	if err != nil {
		return Week{}, err
	}
	reservations, err := reservationsOf(ctx, s.DB, ids...)
	if err != nil {
		return Week{}, err
	}
	for i := 0; i < 7; i++ {
		ds := start.Add(time.Duration(i) * 24 * time.Hour)
		working, err := s.Calendar.IsWorkingDay(ds)
		if err != nil { // a year without holiday data: show weekdays as working
			working = isoWeekday(ds) <= 5
		}
		l := ds.In(clock.Shanghai)
		d := Day{Date: dateText(ds), Label: fmt.Sprintf("%d月%d日 %s", l.Month(), l.Day(), weekdayLabel(isoWeekday(ds))),
			Working: working, Start: ds, Bookings: []Entry{}, Reserved: []Reserved{}}
		de := ds.Add(24 * time.Hour)
		for _, b := range bookings {
			if b.StartsAt.Before(de) && b.EndsAt.After(ds) {
				d.Bookings = append(d.Bookings, entryOf(a, b))
			}
		}
		for _, r := range reservations {
			if o, ok := OccurrenceOn(r, ds); ok {
				d.Reserved = append(d.Reserved, Reserved{ReservationID: r.ID, RoomID: r.RoomID, RoomName: names[r.RoomID],
					StartsAt: o.Start, EndsAt: o.End, Time: r.Start + "–" + r.End, ReleaseAt: o.ReleaseAt,
					Released: o.Released(now), Note: r.Note})
			}
		}
		w.Days = append(w.Days, d)
	}
	return w, nil
}

// entryOf shows b to a: in full to those who may know whose booking it
// is, else only that the time is taken.
func entryOf(a auth.Actor, b bookingRow) Entry {
	e := Entry{BookingID: b.ID, RoomID: b.RoomID, RoomName: b.RoomName, StartsAt: b.StartsAt, EndsAt: b.EndsAt,
		Time:  b.StartsAt.In(clock.Shanghai).Format("15:04") + "–" + b.EndsAt.In(clock.Shanghai).Format("15:04"),
		Label: "已预约"}
	if seesBooking(a, b.project, b.roomCentre) {
		e.Detailed, e.Purpose, e.ProjectCode, e.ProjectName, e.Green = true, b.Purpose, b.project.Code, b.project.Name, b.Green
		e.Label = b.project.Code + " " + b.project.Name + " · " + b.Purpose.Label()
		if b.LotName != "" {
			e.Label += "（" + b.LotName + "）"
		}
	}
	return e
}
