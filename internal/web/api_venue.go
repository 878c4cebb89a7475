package web

import (
	"net/http"
	"strconv"

	"ggzy/internal/errs"
	"ggzy/internal/venue"
)

// JSON API of the venue area (场地预约): rooms, weekly green-channel
// reservations, bookings and week calendars. The services authorize.

func (s *Server) apiRooms(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rooms, err := s.Venue.ListRooms(r.Context(), actorOf(r), venue.RoomFilter{CentreCode: q.Get("centre"),
		Kind: venue.RoomKind(q.Get("kind")), IncludeInactive: q.Get("inactive") == "true" || q.Get("inactive") == "1"})
	if err != nil {
		return err
	}
	if rooms == nil {
		rooms = []venue.Room{}
	}
	writeJSON(w, http.StatusOK, list[venue.Room]{Items: rooms, Total: len(rooms)})
	return nil
}

func (s *Server) apiCreateRoom(w http.ResponseWriter, r *http.Request) error {
	var n venue.NewRoom
	if err := decode(w, r, &n); err != nil {
		return err
	}
	room, err := s.Venue.CreateRoom(r.Context(), actorOf(r), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, room)
	return nil
}

func (s *Server) apiRoom(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Venue.GetRoom)
}

func (s *Server) apiUpdateRoom(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusOK, s.Venue.UpdateRoom)
}

func (s *Server) apiRoomCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wk, err := s.Venue.RoomWeek(r.Context(), actorOf(r), id, r.URL.Query().Get("week"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wk)
	return nil
}

func (s *Server) apiCentreCalendar(w http.ResponseWriter, r *http.Request) error {
	wk, err := s.Venue.CentreWeek(r.Context(), actorOf(r), r.PathValue("code"), r.URL.Query().Get("week"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wk)
	return nil
}

func (s *Server) apiReservations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rs, err := s.Venue.Reservations(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []venue.Reservation{}
	}
	writeJSON(w, http.StatusOK, list[venue.Reservation]{Items: rs, Total: len(rs)})
	return nil
}

func (s *Server) apiReserve(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, "id", http.StatusCreated, s.Venue.Reserve)
}

func (s *Server) apiUnreserve(w http.ResponseWriter, r *http.Request) error {
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
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiBookings(w http.ResponseWriter, r *http.Request) error {
	f := venue.BookingFilter{State: venue.BookingState(r.URL.Query().Get("state"))}
	var err error
	if f.Limit, f.Offset, err = paging(r); err != nil {
		return err
	}
	if f.ProjectID, err = venueQueryID(r, "project"); err != nil {
		return err
	}
	if f.RoomID, err = venueQueryID(r, "room"); err != nil {
		return err
	}
	bs, total, err := s.Venue.ListBookings(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	if bs == nil {
		bs = []venue.Booking{}
	}
	writeJSON(w, http.StatusOK, list[venue.Booking]{Items: bs, Total: total, Limit: f.Limit, Offset: f.Offset})
	return nil
}

// venueQueryID reads an optional id query parameter; absent is 0.
func venueQueryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		var f errs.Fields
		f.Add(name, "须为正整数")
		return 0, f.Err()
	}
	return id, nil
}

func (s *Server) apiBook(w http.ResponseWriter, r *http.Request) error {
	var n venue.NewBooking
	if err := decode(w, r, &n); err != nil {
		return err
	}
	b, err := s.Venue.Book(r.Context(), actorOf(r), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) apiBooking(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, "id", http.StatusOK, s.Venue.GetBooking)
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiCancelBooking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req cancelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	b, err := s.Venue.Cancel(r.Context(), actorOf(r), id, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}
