package venue_test

import (
	"strings"
	"testing"

	"ggzy/internal/errs"
	"ggzy/internal/venue"
)

// TestGreenChannelReservation: staff keep Monday 09:00–12:00 of the
// evaluation room for green-channel projects, released 48 hours ahead.
// Until Saturday 09:00 (by the fake clock) only green projects may book
// into it; from then on, everyone.
func TestGreenChannelReservation(t *testing.T) {
	f := newFixture(t)
	r, err := f.Venue.Reserve(f.Ctx, f.staff, f.evalRoom.ID, venue.NewReservation{Weekday: 1, Start: "9:00", End: "12:00",
		ReleaseHours: 48, Note: "脱贫攻坚项目"})
	f.Must(err)
	if r.Start != "09:00" || r.StartMinute != 540 || r.EndMinute != 720 {
		t.Fatalf("reservation %+v", r)
	}
	if a, _ := f.lastEvent(); a != "reserved_slot.create" {
		t.Errorf("last event %s", a)
	}

	before := f.counts()
	_, err = f.book(f.tenderer, f.project, f.evalRoom, venue.Evaluation, hm(monday, 10, 0), hm(monday, 11, 0))
	e := wantCode(t, err, errs.Conflict)
	for _, want := range []string{"第一评标室", "绿色通道", "2026-11-28 09:00"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not say %s", e.Message, want)
		}
	}
	// Outside the reserved range the room is open as usual.
	_, err = f.book(f.tenderer, f.project, f.evalRoom, venue.Evaluation, hm(monday, 12, 0), hm(monday, 13, 0))
	f.Must(err)
	before = f.counts()

	// A green-channel project may use the reserved time.
	g, err := f.book(f.tenderer, f.green, f.evalRoom, venue.Evaluation, hm(monday, 9, 0), hm(monday, 10, 0))
	f.Must(err)
	if !g.Green {
		t.Error("booking in a reserved slot by a green project is not marked green")
	}
	before = f.counts()

	w, err := f.Venue.RoomWeek(f.Ctx, f.tenderer, f.evalRoom.ID, "2026-W49")
	f.Must(err)
	if len(w.Days[0].Reserved) != 1 || w.Days[0].Reserved[0].Released || w.Days[0].Reserved[0].Time != "09:00–12:00" {
		t.Fatalf("Monday reserved %+v", w.Days[0].Reserved)
	}

	f.Clock.Set(bj(2026, 11, 28, 8, 59))
	_, err = f.book(f.tenderer, f.project, f.evalRoom, venue.Evaluation, hm(monday, 10, 0), hm(monday, 11, 0))
	wantCode(t, err, errs.Conflict)
	f.unchanged(t, before, "refused bookings in a reserved slot")

	f.Clock.Set(bj(2026, 11, 28, 9, 0))
	b, err := f.book(f.tenderer, f.project, f.evalRoom, venue.Evaluation, hm(monday, 10, 0), hm(monday, 11, 0))
	f.Must(err)
	if b.Green {
		t.Error("an ordinary project's booking is marked green")
	}
	w, err = f.Venue.RoomWeek(f.Ctx, f.tenderer, f.evalRoom.ID, "2026-11-30")
	f.Must(err)
	if !w.Days[0].Reserved[0].Released || len(w.Days[0].Bookings) != 3 {
		t.Errorf("Monday after release: %+v", w.Days[0])
	}
	// The reservation comes back every week: the next Monday is closed again.
	next := monday.AddDate(0, 0, 7)
	_, err = f.book(f.tenderer, f.project, f.evalRoom, venue.Evaluation, hm(next, 10, 0), hm(next, 11, 0))
	wantCode(t, err, errs.Conflict)

	f.Must(f.Venue.Unreserve(f.Ctx, f.staff, f.evalRoom.ID, r.ID))
	if a, _ := f.lastEvent(); a != "reserved_slot.delete" {
		t.Errorf("last event %s", a)
	}
	_, err = f.book(f.tenderer, f.project, f.evalRoom, venue.Evaluation, hm(next, 10, 0), hm(next, 11, 0))
	f.Must(err)
}

// TestReservationValidation: bad reservations name their fields; an
// overlapping one conflicts; refused ones change nothing.
func TestReservationValidation(t *testing.T) {
	f := newFixture(t)
	wed, err := f.Venue.Reserve(f.Ctx, f.staff, f.hall.ID, venue.NewReservation{Weekday: 3, Start: "14:00", End: "17:00", ReleaseHours: 24})
	f.Must(err)
	before := f.counts()
	for _, tc := range []struct {
		name   string
		n      venue.NewReservation
		fields []string
		code   errs.Code
	}{
		{"weekday 8", venue.NewReservation{Weekday: 8, Start: "09:00", End: "10:00"}, []string{"weekday"}, errs.Invalid},
		{"missing times", venue.NewReservation{Weekday: 1}, []string{"start", "end"}, errs.Invalid},
		{"not a clock time", venue.NewReservation{Weekday: 1, Start: "9点", End: "10:00"}, []string{"start"}, errs.Invalid},
		{"misaligned", venue.NewReservation{Weekday: 1, Start: "09:15", End: "10:00"}, []string{"start"}, errs.Invalid},
		{"end before start", venue.NewReservation{Weekday: 1, Start: "10:00", End: "09:00"}, []string{"end"}, errs.Invalid},
		{"outside hours", venue.NewReservation{Weekday: 1, Start: "07:00", End: "09:00"}, []string{"start"}, errs.Invalid},
		{"release too far", venue.NewReservation{Weekday: 1, Start: "09:00", End: "10:00", ReleaseHours: 200}, []string{"release_hours"}, errs.Invalid},
		{"overlaps Wednesday's", venue.NewReservation{Weekday: 3, Start: "16:30", End: "18:00"}, nil, errs.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Venue.Reserve(f.Ctx, f.staff, f.hall.ID, tc.n)
			e := wantCode(t, err, tc.code)
			for _, field := range tc.fields {
				if !hasField(e, field) {
					t.Errorf("no reason for %s in %v", field, e.Fields)
				}
			}
		})
	}
	wantCode(t, f.Venue.Unreserve(f.Ctx, f.otherStaff, f.hall.ID, wed.ID), errs.Forbidden)
	wantCode(t, f.Venue.Unreserve(f.Ctx, f.staff, f.evalRoom.ID, wed.ID), errs.NotFound)
	wantCode(t, f.Venue.Unreserve(f.Ctx, f.tenderer, f.hall.ID, wed.ID), errs.Forbidden)
	f.unchanged(t, before, "refused reservations")
	rs, err := f.Venue.Reservations(f.Ctx, f.tenderer, f.hall.ID)
	f.Must(err)
	if len(rs) != 1 || rs[0].WeekdayLabel() != "周三" {
		t.Errorf("reservations %+v", rs)
	}
}
