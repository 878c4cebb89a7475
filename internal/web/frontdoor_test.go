package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// TestFrontDoorScenario walks one project through the front door over the
// JSON API only: the tenderer registers it and uploads its materials, the
// county centre accepts it, a room is booked for the opening, the tender
// notice is published, a late amendment is refused and a lawful one moves
// the deadline, and the opening booking follows the new deadline.
func TestFrontDoorScenario(t *testing.T) {
	e := testenvWithGuide(t)
	ten := e.Client(auth.Tenderer)
	staff := intakeCentreStaff(t, e, "530602", "zy_staff") // 昭阳区's own centre

	// Register, upload every required material, submit.
	var p tender.Project
	if st := ten.JSON("POST", "/api/v1/projects", intakeInput(), &p); st != http.StatusCreated {
		t.Fatalf("register: %d", st)
	}
	base := fmt.Sprintf("/api/v1/projects/%d", p.ID)
	var c tender.Checklist
	if st := ten.JSON("GET", base+"/materials", nil, &c); st != http.StatusOK {
		t.Fatalf("checklist: %d", st)
	}
	for _, it := range c.Items {
		if it.Material.Required {
			if resp, b := uploadMaterial(ten, p.ID, it.Material.ID, it.Material.Name+".pdf", "%PDF "+it.Material.Name); resp.StatusCode != http.StatusCreated {
				t.Fatalf("upload %s: %d %s", it.Material.Name, resp.StatusCode, b)
			}
		}
	}
	if st := ten.JSON("POST", base+"/submission", nil, &p); st != http.StatusOK || p.State != tender.Submitted {
		t.Fatalf("submit: %d %s", st, p.State)
	}

	// The centre accepts it.
	if st := staff.JSON("POST", base+"/decision", map[string]any{"accept": true}, &p); st != http.StatusOK || p.State != tender.Accepted {
		t.Fatalf("accept: %d %s", st, p.State)
	}

	// The centre has an opening hall; the tenderer books it for the opening.
	var room venue.Room
	if st := staff.JSON("POST", "/api/v1/rooms", venue.NewRoom{Name: "第一开标厅", Kind: venue.OpeningHall, Capacity: 60}, &room); st != http.StatusCreated {
		t.Fatalf("room: %d", st)
	}
	book := func(start, end string) (venue.Booking, int) {
		var b venue.Booking
		st := ten.JSON("POST", "/api/v1/bookings", venue.NewBooking{ProjectID: p.ID, RoomID: room.ID,
			Purpose: venue.Opening, StartsAt: start, EndsAt: end}, &b)
		return b, st
	}
	opening, st := book("2026-12-28 09:30", "2026-12-28 11:30")
	if st != http.StatusCreated {
		t.Fatalf("book the opening: %d", st)
	}
	if _, st := book("2026-12-28 10:00", "2026-12-28 12:00"); st != http.StatusConflict {
		t.Fatalf("overlapping booking: %d, want 409", st)
	}

	// The tender notice: documents from now for 5 days and more, deadline
	// 2026-12-28 09:30 (≥ 20 days, RULES A1).
	in := notice.Input{ProjectID: p.ID, Kind: notice.KindTender, DocsFrom: noticeBJ("2026-11-25 10:00"),
		DocsUntil: noticeBJ("2026-12-02 17:00"), BidDeadline: noticeBJ("2026-12-28 09:30")}
	var n notice.Notice
	if st := ten.JSON("POST", "/api/v1/notices", in, &n); st != http.StatusCreated {
		t.Fatalf("draft: %d", st)
	}
	if st := ten.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/submit", n.ID), nil, &n); st != http.StatusOK {
		t.Fatalf("submit notice: %d", st)
	}
	if st := staff.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/decision", n.ID), notice.Decision{Approve: true}, &n); st != http.StatusOK || n.State != notice.Published {
		t.Fatalf("publish: %d %s", st, n.State)
	}
	if st := ten.JSON("GET", base, nil, &p); st != http.StatusOK || p.State != tender.Tendering {
		t.Fatalf("after publication the project is %s", p.State)
	}

	// 12-15: an amendment that affects bids is too late for 12-28 (A4).
	e.Clock.Set(noticeBJ("2026-12-15 10:00"))
	ten = e.Client(auth.Tenderer)
	staff = intakeClientAs(t, e, "zy_staff")
	amend := notice.Input{ProjectID: p.ID, Kind: notice.KindAmendment, AmendsID: n.ID, AffectsBids: true,
		Body: "澄清：工程量清单第12项修改为……"}
	var a notice.Notice
	if st := ten.JSON("POST", "/api/v1/notices", amend, &a); st != http.StatusCreated {
		t.Fatalf("draft amendment: %d", st)
	}
	ten.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/submit", a.ID), nil, &a)
	resp, b := staff.Do("POST", fmt.Sprintf("/api/v1/notices/%d/decision", a.ID), jsonBody(notice.Decision{Approve: true}), "application/json")
	if pr := readProblem(t, resp, b); resp.StatusCode != http.StatusUnprocessableEntity || pr.Code != "rule" || !pr.hasField("bid_deadline") {
		t.Fatalf("late amendment: %d %s", resp.StatusCode, b)
	}
	staff.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/decision", a.ID), notice.Decision{Note: "请顺延投标截止时间"}, &a)

	// Moved to 12-30 09:30 the amendment is lawful and moves the deadline.
	amend.BidDeadline = noticeBJ("2026-12-30 09:30")
	if st := ten.JSON("PUT", fmt.Sprintf("/api/v1/notices/%d", a.ID), amend, &a); st != http.StatusOK {
		t.Fatalf("move the deadline: %d", st)
	}
	ten.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/submit", a.ID), nil, &a)
	if st := staff.JSON("POST", fmt.Sprintf("/api/v1/notices/%d/decision", a.ID), notice.Decision{Approve: true}, &a); st != http.StatusOK || a.State != notice.Published {
		t.Fatalf("publish the amendment: %d %s", st, a.State)
	}
	ten.JSON("GET", base, nil, &p)
	if !p.Lots[0].BidDeadline.Equal(noticeBJ("2026-12-30 09:30")) {
		t.Fatalf("lot deadline %v", p.Lots[0].BidDeadline)
	}

	// The opening follows: cancel the old booking, book the new time.
	if st := ten.JSON("POST", fmt.Sprintf("/api/v1/bookings/%d/cancel", opening.ID), map[string]string{"reason": "投标截止时间顺延至12月30日"}, nil); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	if _, st := book("2026-12-30 09:30", "2026-12-30 11:30"); st != http.StatusCreated {
		t.Fatalf("book the new opening: %d", st)
	}

	// Every step left its trace.
	for _, action := range []string{"project.register", "project.submit", "project.accept", "booking.create",
		"notice.publish", "booking.cancel"} {
		var n int
		e.Must(e.DB.QueryRow(e.Ctx, "SELECT count(*) FROM audit_events WHERE action = ?", action).Scan(&n))
		if n == 0 {
			t.Errorf("no %s event in the audit trail", action)
		}
	}
}

// testenvWithGuide is the test platform with the service guide seeded, as
// intake needs it.
func testenvWithGuide(t *testing.T) *testenv.Env {
	t.Helper()
	e := testenv.New(t)
	_, err := e.Guide.Seed(e.Ctx, auth.System)
	e.Must(err)
	return e
}

func jsonBody(v any) io.Reader {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(b)
}
