package demo

import (
	"context"
	"fmt"
	"time"

	"ggzy/internal/clock"
	"ggzy/internal/venue"
)

// venues keeps the demo's rooms and which half hours its own bookings
// hold, so it asks the venue service only for times that are free (the
// service still decides: a clash there is a bug in the demo).
type venues struct {
	rooms    map[string][]*room // centre region code → rooms in creation order
	occupied map[int64]map[int64]bool
}

type room struct {
	venue.Room
	reserved []venue.Reservation
}

// roomPlan is what each centre gets: the city centre is the biggest; every
// county has an opening hall, two evaluation rooms and a remote-evaluation
// room (市县互联), the larger counties a second hall; Qujing has a remote
// room for evaluations across prefectures (州市横向远程异地评标).
func roomPlan(code string) []venue.NewRoom {
	hall := func(name string, cap int) venue.NewRoom {
		return venue.NewRoom{CentreCode: code, Name: name, Kind: venue.OpeningHall, Capacity: cap,
			Equipment: "开标大屏、电子开标系统、音视频监控、身份识别终端"}
	}
	eval := func(name string, cap int) venue.NewRoom {
		return venue.NewRoom{CentreCode: code, Name: name, Kind: venue.EvaluationRoom, Capacity: cap,
			Equipment: "评标终端、隔离门禁、通讯设备屏蔽、音视频监控"}
	}
	remote := func(name string) venue.NewRoom {
		return venue.NewRoom{CentreCode: code, Name: name, Kind: venue.RemoteSeat, Capacity: 7,
			Equipment: "远程异地评标终端、视频会议系统、音视频监控"}
	}
	switch code {
	case zhaotong.code:
		return []venue.NewRoom{hall("第一开标厅", 80), hall("第二开标厅", 60), eval("第一评标室", 15), eval("第二评标室", 11),
			eval("第三评标室", 9), eval("第四评标室", 9), remote("远程异地评标室一"), remote("远程异地评标室二")}
	case qujing.code:
		return []venue.NewRoom{remote("远程异地评标室")}
	case "530602", "530627", "530628":
		return []venue.NewRoom{hall("第一开标厅", 60), hall("第二开标厅", 40), eval("第一评标室", 9), eval("第二评标室", 9),
			remote("远程异地评标室")}
	}
	return []venue.NewRoom{hall("开标厅", 50), eval("第一评标室", 9), eval("第二评标室", 7), remote("远程异地评标室")}
}

// Every Zhaotong centre keeps Tuesday for the green channel (脱贫攻坚 and
// major projects, as the seed account says): the first opening hall in the
// morning, the first evaluation room in the afternoon, released 48 hours
// ahead when unused.
var greenSlots = []struct {
	kind       venue.RoomKind
	start, end string
}{{venue.OpeningHall, "09:00", "12:00"}, {venue.EvaluationRoom, "14:30", "18:00"}}

const greenWeekday = 2 // Tuesday

// rooms has each centre's staff add its rooms and the green-channel
// reservations.
func (l *loader) rooms(ctx context.Context) error {
	l.venues = &venues{rooms: map[string][]*room{}, occupied: map[int64]map[int64]bool{}}
	l.svc.Clock.Advance(20 * time.Minute)
	for _, c := range append([]place{zhaotong, qujing}, zhaotongCo...) {
		staff := l.actors[l.staff[c.code][0]]
		for _, n := range roomPlan(c.code) {
			r, err := l.svc.Venue.CreateRoom(ctx, staff, n)
			if err != nil {
				return fmt.Errorf("%s%s: %w", c.name, n.Name, err)
			}
			l.venues.rooms[c.code] = append(l.venues.rooms[c.code], &room{Room: r})
		}
		if c == qujing {
			continue
		}
		for _, g := range greenSlots {
			r := l.venues.first(c.code, g.kind)
			res, err := l.svc.Venue.Reserve(ctx, staff, r.ID, venue.NewReservation{Weekday: greenWeekday, Start: g.start,
				End: g.end, ReleaseHours: 48, Note: "绿色通道（脱贫攻坚、重大项目）每周预留"})
			if err != nil {
				return fmt.Errorf("%s预留时段: %w", r.Name, err)
			}
			r.reserved = append(r.reserved, res)
		}
	}
	return nil
}

func (v *venues) first(code string, k venue.RoomKind) *room {
	for _, r := range v.rooms[code] {
		if r.Kind == k {
			return r
		}
	}
	return nil
}

func (v *venues) of(code string, k venue.RoomKind) []*room {
	var out []*room
	for _, r := range v.rooms[code] {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

// span is a booking asked for: a room and a time.
type span struct {
	room       *room
	start, end time.Time
	purpose    venue.Purpose
}

func (v *venues) slots(s span, f func(int64)) {
	for t := s.start; t.Before(s.end); t = t.Add(venue.SlotLength) {
		f(t.Unix())
	}
}

// free reports whether a project (green or not) may have the room at that
// time: none of the demo's bookings holds it, and for others than the
// green channel no unreleased reservation covers it.
func (v *venues) free(s span, green bool, now time.Time) bool {
	taken := false
	v.slots(s, func(k int64) { taken = taken || v.occupied[s.room.ID][k] })
	if taken {
		return false
	}
	if green {
		return true
	}
	_, _, blocked := venue.Blocking(s.room.reserved, venue.Interval{Start: s.start, End: s.end}, now)
	return !blocked
}

func (v *venues) hold(s span, held bool) {
	if v.occupied[s.room.ID] == nil {
		v.occupied[s.room.ID] = map[int64]bool{}
	}
	v.slots(s, func(k int64) {
		if held {
			v.occupied[s.room.ID][k] = true
		} else {
			delete(v.occupied[s.room.ID], k)
		}
	})
}

// booking is one booking a project made.
type booking struct {
	id int64
	span
}

// book holds a span for the project through the venue service.
func (p *project) book(ctx context.Context, s span, lotID int64) error {
	l := p.l
	b, err := l.svc.Venue.Book(ctx, p.owner, venue.NewBooking{ProjectID: p.id, LotID: lotID, RoomID: s.room.ID,
		Purpose: s.purpose, StartsAt: s.start.Format(time.RFC3339), EndsAt: s.end.Format(time.RFC3339)})
	if err != nil {
		return fmt.Errorf("%s 预约%s %s: %w", p.code, s.room.Name, clock.Format(s.start), err)
	}
	l.venues.hold(s, true)
	p.bookings = append(p.bookings, booking{id: b.ID, span: s})
	return nil
}

// cancelFuture cancels the project's bookings that have not started.
func (p *project) cancelFuture(ctx context.Context, reason string) error {
	now := p.l.tl.now()
	var future []booking
	for _, b := range p.bookings {
		if b.start.After(now) {
			future = append(future, b)
		}
	}
	return p.cancel(ctx, future, reason)
}

// openingTimes are when bid deadlines (and so openings, RULES A13) are
// set; the green channel opens in its Tuesday morning slot.
var openingTimes = [][2]int{{9, 0}, {9, 30}, {10, 0}, {14, 30}, {15, 0}}

// sitting is the rooms of one deadline: the opening hall (if the
// procedure opens bids in public), the evaluation room and perhaps a
// remote seat elsewhere.
type sitting struct {
	deadline time.Time
	spans    []span
}

// findSitting looks for the first working day at or after earliest with an
// opening time whose rooms are all free. opening says whether bids are
// opened in a hall; evaluation says whether an evaluation room is needed.
func (p *project) findSitting(earliest time.Time, opening, evaluation bool) (sitting, bool) {
	l := p.l
	now := l.tl.now()
	day := l.days.workday(earliest, 0)
	for tries := 0; tries < 40 && l.days.err == nil; tries++ {
		if p.plan.green && isoWeekday(day) != greenWeekday {
			day = l.days.workday(day, 1)
			continue
		}
		times := openingTimes
		if p.plan.green {
			times = [][2]int{{9, 30}}
		}
		offset := l.g.r.IntN(len(times))
		for i := range times {
			hm := times[(i+offset)%len(times)]
			t := at(day, hm[0], hm[1])
			if t.Before(earliest) {
				continue
			}
			if s, ok := p.roomsAt(t, opening, evaluation, now); ok {
				return s, true
			}
		}
		day = l.days.workday(day, 1)
	}
	return sitting{}, false
}

// roomsAt picks free rooms for a deadline at t.
func (p *project) roomsAt(t time.Time, opening, evaluation bool, now time.Time) (sitting, bool) {
	l := p.l
	v := l.venues
	code := p.plan.region.code
	green := p.plan.green
	s := sitting{deadline: t}
	if opening {
		ok := false
		for _, r := range v.of(code, venue.OpeningHall) {
			sp := span{room: r, start: t, end: t.Add(90 * time.Minute), purpose: venue.Opening}
			if v.free(sp, green, now) {
				s.spans, ok = append(s.spans, sp), true
				break
			}
		}
		if !ok {
			return s, false
		}
	}
	if evaluation {
		es, ee := at(t, 14, 30), at(t, 18, 0)
		switch {
		case !opening:
			es, ee = t, t.Add(3*time.Hour) // 磋商、谈判、询价: the responses are reviewed at the deadline
		case clock.Local(t).Hour() >= 12:
			next := l.days.workday(t, 1)
			es, ee = at(next, 9, 0), at(next, 12, 0)
		}
		ok := false
		for _, r := range v.of(code, venue.EvaluationRoom) {
			sp := span{room: r, start: es, end: ee, purpose: venue.Evaluation}
			if v.free(sp, green, now) {
				s.spans, ok = append(s.spans, sp), true
				break
			}
		}
		if !ok {
			return s, false
		}
		if p.plan.remote {
			// 远程异地评标: part of the panel sits at another centre.
			other := zhaotong.code
			if code == zhaotong.code {
				other = qujing.code
			}
			for _, r := range v.of(other, venue.RemoteSeat) {
				sp := span{room: r, start: es, end: ee, purpose: venue.Evaluation}
				if v.free(sp, false, now) {
					s.spans = append(s.spans, sp)
					break
				}
			}
		}
	}
	return s, true
}

// isoWeekday is 1 (Monday) … 7 (Sunday) of t's Beijing day.
func isoWeekday(t time.Time) int {
	w := int(clock.Local(t).Weekday())
	if w == 0 {
		return 7
	}
	return w
}
