package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/errs"
	"ggzy/internal/venue"
)

// Pages of the venue area: the centre week calendar, room management with
// the room's own week grid and reserved slots, and the booking form with
// one's bookings. The services authorize; forms re-render with field
// reasons on invalid input or a conflict.

// venueCentreCode picks the centre a page shows: the one asked for, else
// the actor's own, else the first.
func venueCentreCode(r *http.Request, cs []centre.Centre) string {
	if code := r.URL.Query().Get("centre"); code != "" {
		return code
	}
	a := actorOf(r)
	for _, c := range cs {
		if c.ID == a.CentreID {
			return c.RegionCode
		}
	}
	if len(cs) > 0 {
		return cs[0].RegionCode
	}
	return ""
}

func (s *Server) venueCalendarPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	wk, err := s.Venue.CentreWeek(r.Context(), actorOf(r), venueCentreCode(r, cs), r.URL.Query().Get("week"))
	if err != nil {
		return err
	}
	s.render(w, r, "venue_calendar", map[string]any{"Title": wk.Centre.Name + "场地日历", "Week": wk, "Centres": cs,
		"Hours": s.Venue.Config().Hours()})
	return nil
}

// ---- room management ----

func (s *Server) venueRoomsPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	if err := actorOf(r).Authorize(auth.ManageRooms); err != nil {
		return err
	}
	return s.renderVenueRooms(w, r, http.StatusOK, venue.NewRoom{Kind: venue.OpeningHall, Capacity: 20}, nil, "")
}

func (s *Server) renderVenueRooms(w http.ResponseWriter, r *http.Request, code int, form venue.NewRoom, fields map[string]string, msg string) error {
	cs, err := s.Auth.ListCentres(r.Context())
	if err != nil {
		return err
	}
	centreCode := venueCentreCode(r, cs)
	if form.CentreCode == "" {
		form.CentreCode = centreCode
	}
	rooms, err := s.Venue.ListRooms(r.Context(), actorOf(r), venue.RoomFilter{CentreCode: centreCode, IncludeInactive: true})
	if err != nil {
		return err
	}
	a := actorOf(r)
	var manageable []centre.Centre
	for _, c := range cs {
		if venue.Manages(a, c.ID) {
			manageable = append(manageable, c)
		}
	}
	s.renderStatus(w, r, code, "venue_rooms", map[string]any{"Title": "场地管理", "Rooms": rooms, "Centres": cs,
		"Manageable": manageable, "CentreCode": centreCode, "Kinds": venue.RoomKinds, "Form": form, "Fields": fields, "Error": msg})
	return nil
}

func (s *Server) venueRoomCreate(w http.ResponseWriter, r *http.Request) error {
	capacity, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("capacity")))
	n := venue.NewRoom{CentreCode: r.PostFormValue("centre_code"), Name: r.PostFormValue("name"),
		Kind: venue.RoomKind(r.PostFormValue("kind")), Capacity: capacity, Equipment: r.PostFormValue("equipment")}
	room, err := s.Venue.CreateRoom(r.Context(), actorOf(r), n)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderVenueRooms(w, r, status(c), n, fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/venues/rooms/"+strconv.FormatInt(room.ID, 10), "已新增场地："+room.Name)
	return nil
}

func (s *Server) venueRoomPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	return s.renderVenueRoom(w, r, http.StatusOK, nil, nil, "")
}

// venueRoomForms carries what a manager typed back into the room page.
type venueRoomForms struct {
	Room    *venue.RoomChange
	Reserve venue.NewReservation
}

func (s *Server) renderVenueRoom(w http.ResponseWriter, r *http.Request, code int, forms *venueRoomForms, fields map[string]string, msg string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actorOf(r)
	room, err := s.Venue.GetRoom(r.Context(), a, id)
	if err != nil {
		return err
	}
	wk, err := s.Venue.RoomWeek(r.Context(), a, id, r.URL.Query().Get("week"))
	if err != nil {
		return err
	}
	rs, err := s.Venue.Reservations(r.Context(), a, id)
	if err != nil {
		return err
	}
	if forms == nil {
		forms = &venueRoomForms{}
	}
	if forms.Room == nil {
		active := room.Active
		forms.Room = &venue.RoomChange{Name: room.Name, Capacity: room.Capacity, Equipment: room.Equipment, Active: &active}
	}
	if forms.Reserve.Weekday == 0 {
		forms.Reserve = venue.NewReservation{Weekday: 1, Start: "09:00", End: "12:00", ReleaseHours: 24}
	}
	cfg := s.Venue.Config()
	s.renderStatus(w, r, code, "venue_room", map[string]any{"Title": room.Name, "Room": room, "Week": wk,
		"Grid": venueGrid(wk, cfg), "Reservations": rs, "Manages": venue.Manages(a, room.CentreID),
		"CanBook": auth.Can(a.Role, auth.BookVenue), "Forms": forms, "Fields": fields, "Error": msg,
		"Times": venueTimes(cfg), "Weekdays": venueWeekdays, "Hours": cfg.Hours(),
		"FormActive": forms.Room.Active != nil && *forms.Room.Active})
	return nil
}

var venueWeekdays = []struct {
	N     int
	Label string
}{{1, "周一"}, {2, "周二"}, {3, "周三"}, {4, "周四"}, {5, "周五"}, {6, "周六"}, {7, "周日"}}

func (s *Server) venueRoomUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	capacity, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("capacity")))
	active := r.PostFormValue("active") == "1"
	ch := venue.RoomChange{Name: r.PostFormValue("name"), Capacity: capacity, Equipment: r.PostFormValue("equipment"), Active: &active}
	room, err := s.Venue.UpdateRoom(r.Context(), actorOf(r), id, ch)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderVenueRoom(w, r, status(c), &venueRoomForms{Room: &ch}, fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/venues/rooms/"+strconv.FormatInt(id, 10), "已保存场地："+room.Name)
	return nil
}

func (s *Server) venueReserve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	weekday, _ := strconv.Atoi(r.PostFormValue("weekday"))
	release, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("release_hours")))
	if err != nil {
		release = -1 // the service names the field
	}
	n := venue.NewReservation{Weekday: weekday, Start: r.PostFormValue("start"), End: r.PostFormValue("end"),
		ReleaseHours: release, Note: r.PostFormValue("note")}
	res, err := s.Venue.Reserve(r.Context(), actorOf(r), id, n)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			return s.renderVenueRoom(w, r, status(c), &venueRoomForms{Reserve: n}, fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/venues/rooms/"+strconv.FormatInt(id, 10),
		"已设置绿色通道预留时段："+res.WeekdayLabel()+" "+res.Start+"–"+res.End)
	return nil
}

func (s *Server) venueUnreserve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	slot, err := pathID(r, "slot")
	if err != nil {
		return err
	}
	if err := s.Venue.Unreserve(r.Context(), actorOf(r), id, slot); err != nil {
		return err
	}
	redirectFlash(w, r, "/workbench/venues/rooms/"+strconv.FormatInt(id, 10), "已删除预留时段")
	return nil
}

// venueCell is one half hour of one day in a room's week grid.
type venueCell struct {
	Class, Text, Title string
}

// venueRow is one half hour across the seven days.
type venueRow struct {
	Time  string
	Cells []venueCell
}

// venueGrid lays a room's week out as half hours × days within opening
// hours: booked, reserved for the green channel (or released), closed, or
// free. A booking's text shows in its first half hour only.
func venueGrid(wk venue.Week, cfg venue.Config) []venueRow {
	var rows []venueRow
	for m := cfg.OpenMinute; m < cfg.CloseMinute; m += 30 {
		row := venueRow{Time: venueClock(m)}
		for _, d := range wk.Days {
			start := d.Start.Add(time.Duration(m) * time.Minute)
			end := start.Add(venue.SlotLength)
			cell := venueCell{}
			if !d.Working {
				cell = venueCell{Class: "venue-closed", Title: "非工作日"}
			}
			for _, rs := range d.Reserved {
				if !rs.StartsAt.After(start) && !rs.EndsAt.Before(end) {
					cell = venueCell{Class: "venue-reserved", Title: "绿色通道预留 " + rs.Time + "，" + venueClockTime(rs.ReleaseAt) + " 起释放"}
					if rs.Released {
						cell.Class, cell.Title = "venue-released", "绿色通道预留 "+rs.Time+"（已释放，所有项目可预约）"
					}
					if rs.StartsAt.Equal(start) {
						cell.Text = "绿色通道预留"
						if rs.Released {
							cell.Text = "预留已释放"
						}
					}
				}
			}
			for _, b := range d.Bookings {
				if !b.StartsAt.After(start) && !b.EndsAt.Before(end) {
					cell = venueCell{Class: "venue-booked", Title: b.Time + " " + b.Label}
					if b.StartsAt.Equal(start) {
						cell.Text = b.Label
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

func venueClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func venueClockTime(t time.Time) string { return t.In(shanghai()).Format("2006-01-02 15:04") }

// venueTimes are the half hours a booking may start or end at.
func venueTimes(cfg venue.Config) []string {
	var out []string
	for m := cfg.OpenMinute; m <= cfg.CloseMinute; m += 30 {
		out = append(out, venueClock(m))
	}
	return out
}

// ---- booking ----

// venueBookForm is the booking form as typed.
type venueBookForm struct {
	Project, Room, Purpose, Date, Start, End string
	OffDay                                   bool
}

func (s *Server) venueBookPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireSignIn(r); err != nil {
		return err
	}
	q := r.URL.Query()
	form := venueBookForm{Room: q.Get("room"), Purpose: string(venue.Opening), Date: q.Get("date"), Start: "09:00", End: "11:00"}
	if form.Date == "" {
		form.Date = s.Clock.Now().AddDate(0, 0, 1).In(shanghai()).Format("2006-01-02")
	}
	return s.renderVenueBook(w, r, http.StatusOK, form, nil, "")
}

func (s *Server) renderVenueBook(w http.ResponseWriter, r *http.Request, code int, form venueBookForm, fields map[string]string, msg string) error {
	a := actorOf(r)
	projects, err := s.Venue.BookableProjects(r.Context(), a)
	if err != nil {
		return err
	}
	rooms, err := s.Venue.ListRooms(r.Context(), a, venue.RoomFilter{})
	if err != nil {
		return err
	}
	// The rooms of the projects' own centres come first; remote seats
	// elsewhere follow.
	home := map[int64]bool{a.CentreID: true}
	for _, p := range projects {
		home[p.CentreID] = true
	}
	sort.SliceStable(rooms, func(i, j int) bool { return home[rooms[i].CentreID] && !home[rooms[j].CentreID] })
	bookings, _, err := s.Venue.ListBookings(r.Context(), a, venue.BookingFilter{State: venue.Active, Limit: 100})
	if err != nil {
		return err
	}
	s.renderStatus(w, r, code, "venue_book", map[string]any{"Title": "场地预约", "Projects": projects, "Rooms": rooms,
		"Bookings": bookings, "Purposes": venue.Purposes, "Times": venueTimes(s.Venue.Config()), "Form": form,
		"Fields": fields, "Error": msg, "IsStaff": a.Role == auth.Staff, "Hours": s.Venue.Config().Hours()})
	return nil
}

func (s *Server) venueBook(w http.ResponseWriter, r *http.Request) error {
	form := venueBookForm{Project: r.PostFormValue("project"), Room: r.PostFormValue("room_id"),
		Purpose: r.PostFormValue("purpose"), Date: strings.TrimSpace(r.PostFormValue("date")), Start: r.PostFormValue("start"),
		End: r.PostFormValue("end"), OffDay: r.PostFormValue("off_day") == "1"}
	n := venue.NewBooking{Purpose: venue.Purpose(form.Purpose), OffDay: form.OffDay}
	// The project select's value is "project" or "project:lot".
	p, l, hasLot := strings.Cut(form.Project, ":")
	n.ProjectID, _ = strconv.ParseInt(p, 10, 64)
	if hasLot {
		if n.LotID, _ = strconv.ParseInt(l, 10, 64); n.LotID == 0 {
			n.LotID = -1 // named by the service as an invalid lot
		}
	}
	n.RoomID, _ = strconv.ParseInt(form.Room, 10, 64)
	if form.Date != "" {
		n.StartsAt, n.EndsAt = form.Date+" "+form.Start, form.Date+" "+form.End
	}
	b, err := s.Venue.Book(r.Context(), actorOf(r), n)
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			fields, msg := fieldErrors(err)
			if form.Date == "" {
				fields["date"] = "请选择日期"
			}
			return s.renderVenueBook(w, r, status(c), form, fields, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/venues/book", "预约成功："+b.RoomName+" "+venueClockTime(b.StartsAt)+"–"+
		b.EndsAt.In(shanghai()).Format("15:04")+" "+b.PurposeLabel)
	return nil
}

func (s *Server) venueCancel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.Venue.Cancel(r.Context(), actorOf(r), id, r.PostFormValue("reason"))
	if err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			_, msg := fieldErrors(err)
			return s.renderVenueBook(w, r, status(c), venueBookForm{Purpose: string(venue.Opening), Start: "09:00", End: "11:00"}, nil, msg)
		}
		return err
	}
	redirectFlash(w, r, "/workbench/venues/book", "已取消预约："+b.RoomName+" "+venueClockTime(b.StartsAt))
	return nil
}
