package venue_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/venue"
)

// These tests prove that the database, not a check-then-insert in Go,
// keeps a room from being double-booked: many requests for overlapping
// times race at once (through the service, and through the HTTP API) and
// exactly one wins. They run on SQLite and, with GGZY_TEST_POSTGRES, on
// PostgreSQL, where the transactions really run in parallel.

// racers asks for the opening hall in windows that all share 10:30–11:00
// on Monday: 09:00–11:00, 09:30–11:30, 10:00–12:00, 10:30–12:30.
func racers(n int) [][2]time.Time {
	out := make([][2]time.Time, n)
	for i := range out {
		s := hm(monday, 9, 0).Add(time.Duration(i%4) * venue.SlotLength)
		out[i] = [2]time.Time{s, s.Add(2 * time.Hour)}
	}
	return out
}

// assertOneWinner checks the database after a race: one active booking in
// the room, holding exactly its own slots, no overlaps, one audit event.
func (f *fixture) assertOneWinner(t *testing.T, room int64) {
	t.Helper()
	var active, slots, events int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM bookings WHERE room_id = ? AND state = 'active'", room).Scan(&active))
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM booking_slots WHERE room_id = ?", room).Scan(&slots))
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM audit_events WHERE action = 'booking.create'").Scan(&events))
	if active != 1 || slots != 4 || events != 1 {
		t.Errorf("after the race: %d active bookings, %d slots, %d booking events; want 1, 4, 1", active, slots, events)
	}
	if n := f.overlapping(room); n != 0 {
		t.Errorf("%d overlapping pairs of bookings", n)
	}
	var orphan int
	f.Must(f.DB.QueryRow(f.Ctx, `SELECT count(*) FROM booking_slots s JOIN bookings b ON b.id = s.booking_id
		WHERE b.state <> 'active' OR s.slot_start < b.starts_at OR s.slot_start >= b.ends_at`).Scan(&orphan))
	if orphan != 0 {
		t.Errorf("%d slots held by no active booking", orphan)
	}
}

// TestConcurrentBookingsThroughService: 24 goroutines book overlapping
// times in one room at the same instant.
func TestConcurrentBookingsThroughService(t *testing.T) {
	f := newFixture(t)
	const n = 24
	start := make(chan struct{})
	errsOf := make([]error, n)
	var wg sync.WaitGroup
	for i, w := range racers(n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errsOf[i] = f.book(f.tenderer, f.project, f.hall, venue.Opening, w[0], w[1])
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errsOf {
		switch {
		case err == nil:
			won++
		case errs.CodeOf(err) != errs.Conflict:
			t.Errorf("loser got %v, want a conflict", err)
		case !strings.Contains(errs.As(err).Message, "第一开标厅") || !strings.Contains(errs.As(err).Message, "2026-11-30"):
			t.Errorf("conflict %q does not name the room and time", errs.As(err).Message)
		}
	}
	if won != 1 {
		t.Fatalf("%d bookings won, want exactly 1", won)
	}
	f.assertOneWinner(t, f.hall.ID)
}

// TestConcurrentBookingsThroughAPI: the same race over HTTP, from a
// tenderer's and an agent's sessions at once; besides, requests for a
// different room at the same time all succeed, so the race is per room.
func TestConcurrentBookingsThroughAPI(t *testing.T) {
	f := newFixture(t)
	clients := []interface {
		JSON(method, path string, in, out any) int
	}{f.Client(auth.Tenderer), f.Client(auth.Agent)}
	const n = 20
	start := make(chan struct{})
	statuses := make([]int, n)
	details := make([]string, n)
	var wg sync.WaitGroup
	for i, w := range racers(n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var out struct {
				Detail string `json:"detail"`
			}
			statuses[i] = clients[i%2].JSON("POST", "/api/v1/bookings", map[string]any{"project_id": f.project,
				"room_id": f.hall.ID, "purpose": "opening", "starts_at": at(w[0]), "ends_at": at(w[1])}, &out)
			details[i] = out.Detail
		}()
	}
	// Other rooms are not in the race: one evaluation booking each for
	// the evaluation room and the remote seat, at the same time.
	okOther := make([]int, 2)
	for i, r := range []venue.Room{f.evalRoom, f.seat} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			okOther[i] = clients[0].JSON("POST", "/api/v1/bookings", map[string]any{"project_id": f.project,
				"room_id": r.ID, "purpose": "evaluation", "starts_at": at(hm(monday, 10, 0)), "ends_at": at(hm(monday, 12, 0))}, nil)
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, st := range statuses {
		switch st {
		case http.StatusCreated:
			won++
		case http.StatusConflict:
			if !strings.Contains(details[i], "第一开标厅") {
				t.Errorf("409 detail %q does not name the room", details[i])
			}
		default:
			t.Errorf("request %d: status %d (%s), want 201 or 409", i, st, details[i])
		}
	}
	if won != 1 {
		t.Fatalf("%d bookings won over HTTP, want exactly 1", won)
	}
	if okOther[0] != http.StatusCreated || okOther[1] != http.StatusCreated {
		t.Errorf("bookings of other rooms: %v, want 201 each", okOther)
	}
	var active, slots int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM bookings WHERE room_id = ? AND state = 'active'", f.hall.ID).Scan(&active))
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM booking_slots WHERE room_id = ?", f.hall.ID).Scan(&slots))
	if active != 1 || slots != 4 || f.overlapping(f.hall.ID) != 0 {
		t.Errorf("hall after the race: %d active, %d slots, %d overlaps", active, slots, f.overlapping(f.hall.ID))
	}
}

// TestSlotKeyIsTheGuard: the primary key of booking_slots itself refuses a
// second holder of a slot, whatever code writes to it.
func TestSlotKeyIsTheGuard(t *testing.T) {
	f := newFixture(t)
	_, err := f.book(f.tenderer, f.project, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 10, 0))
	f.Must(err)
	b2, err := f.book(f.tenderer, f.project, f.evalRoom, venue.Evaluation, hm(monday, 9, 0), hm(monday, 10, 0))
	f.Must(err)
	err = f.DB.Transact(f.Ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(f.Ctx, "INSERT INTO booking_slots (room_id, slot_start, booking_id) VALUES (?, ?, ?)",
			f.hall.ID, db.Micros(hm(monday, 9, 30)), b2.ID)
		return err
	})
	wantCode(t, err, errs.Conflict)
}

// TestCancelRaceFreesOnce: two cancellations of one booking at once — one
// succeeds, the other is told it is already cancelled; one event.
func TestCancelRaceFreesOnce(t *testing.T) {
	f := newFixture(t)
	b, err := f.book(f.tenderer, f.project, f.hall, venue.Opening, hm(monday, 9, 0), hm(monday, 10, 0))
	f.Must(err)
	var wg sync.WaitGroup
	results := make([]error, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := f.tenderer
			if i%2 == 1 {
				who = f.staff
			}
			_, results[i] = f.Venue.Cancel(f.Ctx, who, b.ID, "并发取消")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		if err == nil {
			ok++
		} else if errs.CodeOf(err) != errs.Conflict {
			t.Errorf("cancel: %v", err)
		}
	}
	var events int
	f.Must(f.DB.QueryRow(f.Ctx, "SELECT count(*) FROM audit_events WHERE action = 'booking.cancel'").Scan(&events))
	if ok != 1 || events != 1 || f.slotsOf(b.ID) != 0 {
		t.Errorf("%d cancellations succeeded, %d events, %d slots left; want 1, 1, 0", ok, events, f.slotsOf(b.ID))
	}
}
