package venue_test

import (
	"strings"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/errs"
	"ggzy/internal/venue"
)

// TestBookAndCancel: a tenderer books the opening hall; the booking holds
// one slot row per half hour and is audited; an overlapping request is
// refused naming the room and the clashing time; the next half hour is
// free; cancelling with a reason frees the slots for someone else.
func TestBookAndCancel(t *testing.T) {
	f := newFixture(t)
	b, err := f.Venue.Book(f.Ctx, f.tenderer, venue.NewBooking{ProjectID: f.project, LotID: f.lot, RoomID: f.hall.ID,
		Purpose: venue.Opening, StartsAt: "2026-11-30 09:00", EndsAt: "2026-11-30 11:00"})
	f.Must(err)
	if b.ID == 0 || b.State != venue.Active || b.LotName != "第1标段" || !b.StartsAt.Equal(hm(monday, 9, 0)) || b.Green {
		t.Fatalf("booking %+v", b)
	}
	if n := f.slotsOf(b.ID); n != 4 {
		t.Errorf("%d slot rows, want 4", n)
	}
	if a, obj := f.lastEvent(); a != "booking.create" || obj != itoa(b.ID) {
		t.Errorf("last event %s %s", a, obj)
	}

	other, _ := f.addProject("530600", f.Orgs[auth.KindTenderer], 0, false, "accepted")
	before := f.counts()
	_, err = f.book(f.tenderer, other, f.hall, venue.Opening, hm(monday, 10, 30), hm(monday, 12, 0))
	e := wantCode(t, err, errs.Conflict)
	for _, want := range []string{"第一开标厅", "2026-11-30 09:00–11:00", "2026-11-30 10:30–12:00"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("conflict %q does not name %s", e.Message, want)
		}
	}
	f.unchanged(t, before, "refused overlapping booking")

	// Back to back is fine.
	_, err = f.book(f.tenderer, other, f.hall, venue.Opening, hm(monday, 11, 0), hm(monday, 12, 0))
	f.Must(err)

	// The agent of the project cancels; the time is free again.
	_, err = f.Venue.Cancel(f.Ctx, f.agent, b.ID, "")
	if e := wantCode(t, err, errs.Invalid); !hasField(e, "reason") {
		t.Errorf("cancel without reason: %v", e)
	}
	c, err := f.Venue.Cancel(f.Ctx, f.agent, b.ID, "开标时间调整")
	f.Must(err)
	if c.State != venue.Cancelled || c.CancelReason != "开标时间调整" || f.slotsOf(b.ID) != 0 {
		t.Fatalf("after cancel: %+v, %d slots", c, f.slotsOf(b.ID))
	}
	if a, _ := f.lastEvent(); a != "booking.cancel" {
		t.Errorf("last event %s", a)
	}
	_, err = f.Venue.Cancel(f.Ctx, f.agent, b.ID, "再取消一次")
	wantCode(t, err, errs.Conflict)
	_, err = f.book(f.tenderer, other, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 10, 0))
	f.Must(err)
	if f.overlapping(f.hall.ID) != 0 {
		t.Error("overlapping active bookings")
	}
}

func (f *fixture) slotsOf(booking int64) int {
	var n int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM booking_slots WHERE booking_id = ?", booking).Scan(&n))
	return n
}

// TestBookingValidation: every refused booking names its bad fields in
// Chinese and saves nothing.
func TestBookingValidation(t *testing.T) {
	f := newFixture(t)
	_, otherLot := f.addProject("530600", f.Orgs[auth.KindTenderer], 0, false, "accepted")
	sat := bj(2026, 12, 5, 0, 0)
	ok := venue.NewBooking{ProjectID: f.project, RoomID: f.hall.ID, Purpose: venue.Opening,
		StartsAt: at(hm(monday, 9, 0)), EndsAt: at(hm(monday, 11, 0))}
	before := f.counts()
	for _, tc := range []struct {
		name   string
		change func(*venue.NewBooking)
		fields []string
	}{
		{"everything missing", func(n *venue.NewBooking) { *n = venue.NewBooking{} },
			[]string{"project_id", "purpose", "room_id", "starts_at", "ends_at"}},
		{"misaligned", func(n *venue.NewBooking) { n.StartsAt = "2026-11-30 09:10" }, []string{"starts_at"}},
		{"end before start", func(n *venue.NewBooking) { n.EndsAt = "2026-11-30 08:30" }, []string{"ends_at"}},
		{"outside hours", func(n *venue.NewBooking) { n.EndsAt = "2026-11-30 21:00"; n.StartsAt = "2026-11-30 19:00" }, []string{"starts_at"}},
		{"too long", func(n *venue.NewBooking) { n.StartsAt, n.EndsAt = "2026-11-30 08:00", "2026-11-30 18:00" }, []string{"ends_at"}},
		{"weekend", func(n *venue.NewBooking) { n.StartsAt, n.EndsAt = at(hm(sat, 9, 0)), at(hm(sat, 10, 0)) }, []string{"starts_at"}},
		{"tenderer may not override", func(n *venue.NewBooking) {
			n.StartsAt, n.EndsAt, n.OffDay = at(hm(sat, 9, 0)), at(hm(sat, 10, 0)), true
		}, []string{"off_day", "starts_at"}},
		{"not a time", func(n *venue.NewBooking) { n.StartsAt = "下周一上午" }, []string{"starts_at"}},
		{"unknown purpose", func(n *venue.NewBooking) { n.Purpose = "meeting" }, []string{"purpose"}},
		{"evaluation in the opening hall", func(n *venue.NewBooking) { n.Purpose = venue.Evaluation }, []string{"room_id"}},
		{"opening at a remote seat", func(n *venue.NewBooking) { n.RoomID = f.seat.ID }, []string{"room_id"}},
		{"another centre's hall", func(n *venue.NewBooking) { n.RoomID = f.qjHall.ID }, []string{"room_id"}},
		{"no such room", func(n *venue.NewBooking) { n.RoomID = 99999 }, []string{"room_id"}},
		{"another project's lot", func(n *venue.NewBooking) { n.LotID = otherLot }, []string{"lot_id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := ok
			tc.change(&n)
			_, err := f.Venue.Book(f.Ctx, f.tenderer, n)
			e := wantCode(t, err, errs.Invalid)
			for _, field := range tc.fields {
				if !hasField(e, field) {
					t.Errorf("no reason for %s in %v", field, e.Fields)
				}
			}
			if len(e.Fields) < len(tc.fields) {
				t.Errorf("fields %v, want %v", e.Fields, tc.fields)
			}
		})
	}
	f.unchanged(t, before, "invalid bookings")
}

// TestBookingRules: who may book what, for which project, and when.
func TestBookingRules(t *testing.T) {
	f := newFixture(t)
	draft, _ := f.addProject("530600", f.Orgs[auth.KindTenderer], 0, false, "draft")
	foreign, _ := f.addProject("530600", f.otherTenderer.OrgID, 0, false, "accepted")
	before := f.counts()
	for _, tc := range []struct {
		name string
		a    auth.Actor
		p    int64
		code errs.Code
	}{
		{"another org's tenderer", f.otherTenderer, f.project, errs.NotFound},
		{"tenderer of a project it does not own", f.tenderer, foreign, errs.NotFound},
		{"agent not engaged on the project", f.agent, f.green, errs.NotFound},
		{"staff of another centre", f.otherStaff, f.project, errs.NotFound},
		{"no such project", f.tenderer, 99999, errs.NotFound},
		{"bidder", f.bidder, f.project, errs.Forbidden},
		{"supervisor", f.supervisor, f.project, errs.Forbidden},
		{"admin (not a party)", f.admin, f.project, errs.Forbidden},
		{"project not yet accepted", f.tenderer, draft, errs.Conflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.book(tc.a, tc.p, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 10, 0))
			wantCode(t, err, tc.code)
		})
	}
	f.unchanged(t, before, "refused bookings")

	// Allowed: the agent, centre staff (even on a Saturday with the
	// override), and a remote seat in another centre for evaluation.
	_, err := f.book(f.agent, f.project, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 10, 0))
	f.Must(err)
	sat := bj(2026, 12, 5, 0, 0)
	_, err = f.Venue.Book(f.Ctx, f.staff, venue.NewBooking{ProjectID: f.project, RoomID: f.evalRoom.ID, Purpose: venue.Evaluation,
		StartsAt: at(hm(sat, 9, 0)), EndsAt: at(hm(sat, 17, 0)), OffDay: true})
	f.Must(err)
	_, err = f.book(f.tenderer, f.project, f.qjSeat, venue.Evaluation, hm(monday, 9, 0), hm(monday, 17, 0))
	f.Must(err)
	if a, _ := f.lastEvent(); a != "booking.create" {
		t.Errorf("last event %s", a)
	}
}

// TestCancelRules: only parties and centre staff cancel; tenderers only
// before the booking starts, staff until it ends; nothing changes when
// refused.
func TestCancelRules(t *testing.T) {
	f := newFixture(t)
	b, err := f.book(f.tenderer, f.project, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 11, 0))
	f.Must(err)
	before := f.counts()
	for _, tc := range []struct {
		name string
		a    auth.Actor
		code errs.Code
	}{
		{"another org's tenderer", f.otherTenderer, errs.NotFound},
		{"staff of another centre", f.otherStaff, errs.NotFound},
		{"bidder", f.bidder, errs.Forbidden},
		{"supervisor", f.supervisor, errs.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Venue.Cancel(f.Ctx, tc.a, b.ID, "无权取消")
			wantCode(t, err, tc.code)
		})
	}
	f.Clock.Set(hm(monday, 9, 30))
	_, err = f.Venue.Cancel(f.Ctx, f.tenderer, b.ID, "来不及了")
	if e := wantCode(t, err, errs.Conflict); !strings.Contains(e.Message, "已开始") {
		t.Errorf("message %q", e.Message)
	}
	f.unchanged(t, before, "refused cancellations")
	_, err = f.Venue.Cancel(f.Ctx, f.staff, b.ID, "开标延期")
	f.Must(err)
	f.Clock.Set(hm(monday, 12, 0))
	b2, err := f.Venue.Book(f.Ctx, f.staff, venue.NewBooking{ProjectID: f.project, RoomID: f.hall.ID, Purpose: venue.Opening,
		StartsAt: at(hm(monday, 12, 0)), EndsAt: at(hm(monday, 13, 0))})
	f.Must(err)
	f.Clock.Advance(2 * time.Hour)
	_, err = f.Venue.Cancel(f.Ctx, f.staff, b2.ID, "已结束")
	wantCode(t, err, errs.Conflict)
}

// TestBookingVisibility: whose booking it is, is known to its parties,
// the centre's staff, supervisors of its region and industry and admins.
func TestBookingVisibility(t *testing.T) {
	f := newFixture(t)
	b, err := f.book(f.tenderer, f.project, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 11, 0))
	f.Must(err)
	for _, tc := range []struct {
		name string
		a    auth.Actor
		sees bool
	}{
		{"tenderer", f.tenderer, true}, {"agent", f.agent, true}, {"staff", f.staff, true},
		{"supervisor (住建, 昭通)", f.supervisor, true}, {"admin", f.admin, true},
		{"another tenderer", f.otherTenderer, false}, {"staff of 曲靖", f.otherStaff, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.Venue.GetBooking(f.Ctx, tc.a, b.ID)
			if tc.sees != (err == nil) {
				t.Fatalf("GetBooking: %v, want seen=%v", err, tc.sees)
			}
			if tc.sees && got.ProjectCode == "" {
				t.Error("no project code")
			}
			list, total, err := f.Venue.ListBookings(f.Ctx, tc.a, venue.BookingFilter{})
			f.Must(err)
			if (total == 1 && len(list) == 1) != tc.sees {
				t.Errorf("listed %d of %d, want seen=%v", len(list), total, tc.sees)
			}
			w, err := f.Venue.CentreWeek(f.Ctx, tc.a, "530600", "2026-11-30")
			f.Must(err)
			e := w.Days[0].Bookings
			if len(e) != 1 {
				t.Fatalf("Monday shows %d bookings", len(e))
			}
			if e[0].Detailed != tc.sees || (tc.sees == (e[0].Label == "已预约")) || (!tc.sees && e[0].ProjectCode != "") {
				t.Errorf("entry %+v, want detailed=%v", e[0], tc.sees)
			}
		})
	}
}
