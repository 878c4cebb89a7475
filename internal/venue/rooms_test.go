package venue_test

import (
	"strconv"
	"strings"
	"testing"

	"ggzy/internal/errs"
	"ggzy/internal/venue"
)

// TestRoomLifecycle: centre staff add, edit, deactivate and reactivate a
// room; each step is one audit event.
func TestRoomLifecycle(t *testing.T) {
	f := newFixture(t)
	r, err := f.Venue.CreateRoom(f.Ctx, f.staff, venue.NewRoom{Name: " 第二评标室 ", Kind: venue.EvaluationRoom, Capacity: 12,
		Equipment: "评标终端12台"})
	f.Must(err)
	if r.CentreCode != "530600" || r.Name != "第二评标室" || !r.Active || r.KindLabel != "评标室" {
		t.Fatalf("room %+v", r)
	}
	if a, obj := f.lastEvent(); a != "room.create" || obj != itoa(r.ID) {
		t.Errorf("last event %s %s", a, obj)
	}

	off := false
	r, err = f.Venue.UpdateRoom(f.Ctx, f.staff, r.ID, venue.RoomChange{Name: "第二评标室", Capacity: 15, Equipment: "评标终端15台", Active: &off})
	f.Must(err)
	if r.Active || r.Capacity != 15 {
		t.Fatalf("room %+v", r)
	}
	if a, _ := f.lastEvent(); a != "room.deactivate" {
		t.Errorf("last event %s", a)
	}
	// Out of service: not listed for others, not bookable.
	rooms, err := f.Venue.ListRooms(f.Ctx, f.tenderer, venue.RoomFilter{CentreCode: "530600", IncludeInactive: true})
	f.Must(err)
	for _, x := range rooms {
		if x.ID == r.ID {
			t.Error("a tenderer sees the inactive room")
		}
	}
	rooms, err = f.Venue.ListRooms(f.Ctx, f.staff, venue.RoomFilter{CentreCode: "530600", IncludeInactive: true})
	f.Must(err)
	if len(rooms) != 4 {
		t.Errorf("staff see %d rooms, want 4 (one inactive)", len(rooms))
	}
	_, err = f.book(f.tenderer, f.project, r, venue.Evaluation, hm(monday, 9, 0), hm(monday, 11, 0))
	if e := wantCode(t, err, errs.Invalid); !strings.Contains(e.Message, "已停用") {
		t.Errorf("message %q", e.Message)
	}

	// Edit without Active keeps it as it is.
	r, err = f.Venue.UpdateRoom(f.Ctx, f.staff, r.ID, venue.RoomChange{Name: "第二评标室", Capacity: 15})
	f.Must(err)
	if r.Active {
		t.Error("edit without active reactivated the room")
	}
	on := true
	r, err = f.Venue.UpdateRoom(f.Ctx, f.admin, r.ID, venue.RoomChange{Name: "第二评标室", Capacity: 15, Active: &on})
	f.Must(err)
	if a, _ := f.lastEvent(); a != "room.activate" || !r.Active {
		t.Errorf("last event %s, active %v", a, r.Active)
	}
}

// TestRoomValidation: every bad field is named at once; duplicate names
// in one centre conflict; nothing is saved.
func TestRoomValidation(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	_, err := f.Venue.CreateRoom(f.Ctx, f.staff, venue.NewRoom{Kind: "hall", Capacity: 0, Equipment: strings.Repeat("投", 301)})
	e := wantCode(t, err, errs.Invalid)
	for _, field := range []string{"name", "kind", "capacity", "equipment"} {
		if !hasField(e, field) {
			t.Errorf("no reason for %s in %v", field, e.Fields)
		}
	}
	_, err = f.Venue.CreateRoom(f.Ctx, f.staff, venue.NewRoom{Name: "第一开标厅", Kind: venue.OpeningHall, Capacity: 10})
	if e := wantCode(t, err, errs.Conflict); !strings.Contains(e.Message, "第一开标厅") {
		t.Errorf("message %q", e.Message)
	}
	_, err = f.Venue.CreateRoom(f.Ctx, f.admin, venue.NewRoom{Name: "无中心", Kind: venue.OpeningHall, Capacity: 10})
	if e := wantCode(t, err, errs.Invalid); !hasField(e, "centre_code") {
		t.Errorf("admin without centre: %v", e)
	}
	_, err = f.Venue.CreateRoom(f.Ctx, f.admin, venue.NewRoom{CentreCode: "999999", Name: "无中心", Kind: venue.OpeningHall, Capacity: 10})
	wantCode(t, err, errs.Invalid)
	f.unchanged(t, before, "invalid room")
}

// TestRoomAuthorization: only a centre's own staff (and admins) manage its
// rooms; staff of another centre, tenderers and supervisors are refused,
// and a refused request changes nothing.
func TestRoomAuthorization(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	off := false
	for _, tc := range []struct {
		name string
		try  func() error
		code errs.Code
	}{
		{"other centre's staff edits", func() error {
			_, err := f.Venue.UpdateRoom(f.Ctx, f.otherStaff, f.hall.ID, venue.RoomChange{Name: "改名", Capacity: 1, Active: &off})
			return err
		}, errs.Forbidden},
		{"other centre's staff creates here", func() error {
			_, err := f.Venue.CreateRoom(f.Ctx, f.otherStaff, venue.NewRoom{CentreCode: "530600", Name: "越权", Kind: venue.OpeningHall, Capacity: 5})
			return err
		}, errs.Forbidden},
		{"prefecture staff create in the county centre", func() error {
			_, err := f.Venue.CreateRoom(f.Ctx, f.staff, venue.NewRoom{CentreCode: "530602", Name: "越权", Kind: venue.OpeningHall, Capacity: 5})
			return err
		}, errs.Forbidden},
		{"other centre's staff reserves", func() error {
			_, err := f.Venue.Reserve(f.Ctx, f.otherStaff, f.hall.ID, venue.NewReservation{Weekday: 1, Start: "09:00", End: "12:00", ReleaseHours: 24})
			return err
		}, errs.Forbidden},
		{"tenderer creates", func() error {
			_, err := f.Venue.CreateRoom(f.Ctx, f.tenderer, venue.NewRoom{Name: "越权", Kind: venue.OpeningHall, Capacity: 5})
			return err
		}, errs.Forbidden},
		{"supervisor edits", func() error {
			_, err := f.Venue.UpdateRoom(f.Ctx, f.supervisor, f.hall.ID, venue.RoomChange{Name: "改名", Capacity: 1})
			return err
		}, errs.Forbidden},
		{"bidder lists rooms", func() error {
			_, err := f.Venue.ListRooms(f.Ctx, f.bidder, venue.RoomFilter{})
			return err
		}, errs.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.try(), tc.code) })
	}
	f.unchanged(t, before, "refused room management")
	r, err := f.Venue.GetRoom(f.Ctx, f.tenderer, f.hall.ID)
	f.Must(err)
	if r.Name != "第一开标厅" || !r.Active {
		t.Errorf("room changed: %+v", r)
	}
}

// TestDeactivateRefusedWhileBooked: a room keeps its promises — it cannot
// go out of service while a booking of it has not ended, and can once the
// booking is cancelled.
func TestDeactivateRefusedWhileBooked(t *testing.T) {
	f := newFixture(t)
	_, err := f.book(f.tenderer, f.project, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 10, 0))
	f.Must(err)
	before := f.counts()
	off := false
	_, err = f.Venue.UpdateRoom(f.Ctx, f.staff, f.hall.ID, venue.RoomChange{Name: "第一开标厅", Capacity: 30, Active: &off})
	if e := wantCode(t, err, errs.Conflict); !strings.Contains(e.Message, "1个未结束的预约") || !strings.Contains(e.Message, "2026-11-30 09:00") {
		t.Errorf("message %q", e.Message)
	}
	f.unchanged(t, before, "refused deactivation")
	list, _, err := f.Venue.ListBookings(f.Ctx, f.staff, venue.BookingFilter{RoomID: f.hall.ID})
	f.Must(err)
	_, err = f.Venue.Cancel(f.Ctx, f.staff, list[0].ID, "场地检修")
	f.Must(err)
	_, err = f.Venue.UpdateRoom(f.Ctx, f.staff, f.hall.ID, venue.RoomChange{Name: "第一开标厅", Capacity: 30, Active: &off})
	f.Must(err)
}

func hasField(e *errs.Error, field string) bool {
	for _, fe := range e.Fields {
		if fe.Field == field && hasHan(fe.Message) {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
