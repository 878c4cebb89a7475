package venue_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"ggzy/internal/auth"
	"ggzy/internal/testenv"
	"ggzy/internal/venue"
)

// clientFor signs username in over the API.
func (f *fixture) clientFor(username string) *testenv.Client {
	f.T.Helper()
	jar, _ := cookiejar.New(nil)
	c := &testenv.Client{Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, Base: f.HTTP.URL}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if st := c.JSON("POST", "/api/v1/session", map[string]string{"username": username, "password": testenv.Password}, &out); st != http.StatusOK {
		f.T.Fatalf("sign in %s: %d", username, st)
	}
	c.CSRF = out.CSRF
	return c
}

type problem struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Fields []struct {
		Field, Message string
	} `json:"fields"`
}

func (p problem) has(field string) bool {
	for _, fe := range p.Fields {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// TestVenueAPI walks the venue capability through the JSON API: staff add
// a room and a reservation, a tenderer books and sees the calendar, an
// outsider sees only "已预约", and cancelling frees the time.
func TestVenueAPI(t *testing.T) {
	f := newFixture(t)
	staff, tenderer, outsider := f.Client(auth.Staff), f.Client(auth.Tenderer), f.clientFor("tenderer2")
	otherStaff := f.clientFor("qjstaff")

	// Rooms.
	var room venue.Room
	if st := staff.JSON("POST", "/api/v1/rooms", map[string]any{"name": "第二开标厅", "kind": "opening_hall", "capacity": 40,
		"equipment": "电子开标系统"}, &room); st != http.StatusCreated || room.CentreCode != "530600" {
		t.Fatalf("create room: %d %+v", st, room)
	}
	before := f.counts()
	var p problem
	if st := tenderer.JSON("POST", "/api/v1/rooms", map[string]any{"name": "越权", "kind": "opening_hall", "capacity": 1}, &p); st != http.StatusForbidden {
		t.Errorf("tenderer creates a room: %d", st)
	}
	if st := otherStaff.JSON("PUT", fmt.Sprintf("/api/v1/rooms/%d", room.ID), map[string]any{"name": "改名", "capacity": 1}, &p); st != http.StatusForbidden || !strings.Contains(p.Detail, "本交易中心") {
		t.Errorf("other centre's staff edits a room: %d %s", st, p.Detail)
	}
	f.unchanged(t, before, "refused API calls")
	if st := staff.JSON("PUT", fmt.Sprintf("/api/v1/rooms/%d", room.ID), map[string]any{"name": "第二开标厅", "capacity": 45}, &room); st != http.StatusOK || room.Capacity != 45 || !room.Active {
		t.Errorf("edit room: %d %+v", st, room)
	}
	var rooms struct{ Items []venue.Room }
	if st := tenderer.JSON("GET", "/api/v1/rooms?centre=530600&kind=opening_hall", nil, &rooms); st != http.StatusOK || len(rooms.Items) != 2 {
		t.Errorf("list rooms: %d %+v", st, rooms)
	}

	// A reservation on Tuesdays.
	var rs venue.Reservation
	if st := staff.JSON("POST", fmt.Sprintf("/api/v1/rooms/%d/reserved-slots", room.ID), map[string]any{"weekday": 2,
		"start": "14:00", "end": "17:00", "release_hours": 24}, &rs); st != http.StatusCreated {
		t.Fatalf("reserve: %d", st)
	}

	// Bookings: invalid, fine, clashing.
	if st := tenderer.JSON("POST", "/api/v1/bookings", map[string]any{"project_id": f.project, "room_id": room.ID,
		"purpose": "opening", "starts_at": "2026-11-30 09:15", "ends_at": "2026-11-30 10:45"}, &p); st != http.StatusUnprocessableEntity || !p.has("starts_at") || !p.has("ends_at") {
		t.Errorf("invalid booking: %d %+v", st, p)
	}
	var b venue.Booking
	if st := tenderer.JSON("POST", "/api/v1/bookings", map[string]any{"project_id": f.project, "lot_id": f.lot, "room_id": room.ID,
		"purpose": "opening", "starts_at": "2026-11-30T09:00:00+08:00", "ends_at": "2026-11-30 10:30"}, &b); st != http.StatusCreated || b.ID == 0 {
		t.Fatalf("book: %d %+v", st, b)
	}
	if st := outsider.JSON("POST", "/api/v1/bookings", map[string]any{"project_id": f.project, "room_id": room.ID,
		"purpose": "opening", "starts_at": "2026-12-01 09:00", "ends_at": "2026-12-01 10:00"}, &p); st != http.StatusNotFound {
		t.Errorf("outsider books for someone else's project: %d", st)
	}
	if st := tenderer.JSON("POST", "/api/v1/bookings", map[string]any{"project_id": f.project, "room_id": room.ID,
		"purpose": "opening", "starts_at": "2026-11-30 10:00", "ends_at": "2026-11-30 11:00"}, &p); st != http.StatusConflict ||
		!strings.Contains(p.Detail, "第二开标厅") || !strings.Contains(p.Detail, "09:00–10:30") {
		t.Errorf("clash: %d %s", st, p.Detail)
	}
	if st := tenderer.JSON("POST", "/api/v1/bookings", map[string]any{"project_id": f.project, "room_id": room.ID,
		"purpose": "opening", "starts_at": "2026-12-01 15:00", "ends_at": "2026-12-01 16:00"}, &p); st != http.StatusConflict || !strings.Contains(p.Detail, "绿色通道") {
		t.Errorf("reserved slot: %d %s", st, p.Detail)
	}

	// Calendars: the tenderer sees its project, the outsider only "已预约".
	var wk venue.Week
	if st := tenderer.JSON("GET", "/api/v1/centres/530600/calendar?week=2026-W49", nil, &wk); st != http.StatusOK {
		t.Fatalf("calendar: %d", st)
	}
	if len(wk.Days) != 7 || len(wk.Days[0].Bookings) != 1 || !strings.Contains(wk.Days[0].Bookings[0].Label, "测试工程") ||
		len(wk.Days[1].Reserved) != 1 || wk.Prev != "2026-11-23" || wk.Next != "2026-12-07" {
		t.Errorf("tenderer's week %+v", wk)
	}
	wk = venue.Week{}
	if st := outsider.JSON("GET", fmt.Sprintf("/api/v1/rooms/%d/calendar?week=2026-11-30", room.ID), nil, &wk); st != http.StatusOK {
		t.Fatalf("room calendar: %d", st)
	}
	if e := wk.Days[0].Bookings; len(e) != 1 || e[0].Label != "已预约" || e[0].ProjectCode != "" || e[0].Detailed {
		t.Errorf("outsider's view %+v", e)
	}
	if st := outsider.JSON("GET", fmt.Sprintf("/api/v1/bookings/%d", b.ID), nil, &p); st != http.StatusNotFound {
		t.Errorf("outsider reads the booking: %d", st)
	}
	if st := tenderer.JSON("GET", "/api/v1/centres/530600/calendar?week=next-week", nil, &p); st != http.StatusUnprocessableEntity || !p.has("week") {
		t.Errorf("bad week: %d %+v", st, p)
	}
	if st := f.Client(auth.Bidder).JSON("GET", "/api/v1/centres/530600/calendar", nil, &p); st != http.StatusForbidden {
		t.Errorf("bidder reads the calendar: %d", st)
	}
	var list struct {
		Items []venue.Booking
		Total int
	}
	if st := tenderer.JSON("GET", fmt.Sprintf("/api/v1/bookings?project=%d&state=active", f.project), nil, &list); st != http.StatusOK || list.Total != 1 {
		t.Errorf("list bookings: %d %+v", st, list)
	}

	// Cancel: a reason is needed; then the time is free again.
	if st := tenderer.JSON("POST", fmt.Sprintf("/api/v1/bookings/%d/cancel", b.ID), map[string]any{"reason": " "}, &p); st != http.StatusUnprocessableEntity || !p.has("reason") {
		t.Errorf("cancel without reason: %d", st)
	}
	if st := tenderer.JSON("POST", fmt.Sprintf("/api/v1/bookings/%d/cancel", b.ID), map[string]any{"reason": "招标文件澄清，开标延期"}, &b); st != http.StatusOK || b.State != venue.Cancelled {
		t.Errorf("cancel: %d %+v", st, b)
	}
	if st := outsider.JSON("GET", "/api/v1/centres/530600/calendar?week=2026-11-30", nil, &wk); st != http.StatusOK || len(wk.Days[0].Bookings) != 0 {
		t.Errorf("cancelled booking still on the calendar: %+v", wk.Days[0].Bookings)
	}
	if st := staff.JSON("DELETE", fmt.Sprintf("/api/v1/rooms/%d/reserved-slots/%d", room.ID, rs.ID), nil, nil); st != http.StatusNoContent {
		t.Errorf("unreserve: %d", st)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// postForm submits a page form with the token the page carried.
func postForm(t *testing.T, c *testenv.Client, page, action string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, b := c.Do("GET", page, nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", page, resp.StatusCode)
	}
	m := csrfField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no csrf_token on %s", page)
	}
	form.Set("csrf_token", string(m[1]))
	noHeader := *c
	noHeader.CSRF = ""
	resp, body := noHeader.Do("POST", action, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	return resp, string(body)
}

// TestVenuePages: the pages answer each role as the policy says, and the
// forms book, cancel, add rooms and reserved slots.
func TestVenuePages(t *testing.T) {
	f := newFixture(t)
	roomPage := fmt.Sprintf("/workbench/venues/rooms/%d", f.hall.ID)
	for _, role := range append([]auth.Role{auth.Anonymous}, auth.Roles...) {
		c := f.Client(role)
		for _, pg := range []struct {
			path   string
			action auth.Action
		}{
			{"/workbench/venues", auth.ReadVenues}, {"/workbench/venues?centre=530300&week=2026-W49", auth.ReadVenues},
			{roomPage, auth.ReadVenues}, {"/workbench/venues/book", auth.BookVenue}, {"/workbench/venues/rooms", auth.ManageRooms},
		} {
			resp, b := c.Do("GET", pg.path, nil, "")
			want := http.StatusOK
			switch {
			case role == auth.Anonymous:
				want = http.StatusSeeOther
			case !auth.Can(role, pg.action):
				want = http.StatusForbidden
			}
			if resp.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d: %.300s", role, pg.path, resp.StatusCode, want, b)
			}
		}
	}

	// A tenderer books with the form, sees the booking, and cancels it.
	tenderer := f.Client(auth.Tenderer)
	resp, body := postForm(t, tenderer, "/workbench/venues/book", "/workbench/venues/bookings", url.Values{
		"project": {fmt.Sprintf("%d:%d", f.project, f.lot)}, "room_id": {fmt.Sprint(f.hall.ID)}, "purpose": {"opening"},
		"date": {"2026-11-30"}, "start": {"09:00"}, "end": {"10:00"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "flash=") {
		t.Fatalf("book by form: %d %.500s", resp.StatusCode, body)
	}
	resp, body = postForm(t, tenderer, "/workbench/venues/book", "/workbench/venues/bookings", url.Values{
		"project": {fmt.Sprint(f.project)}, "room_id": {fmt.Sprint(f.hall.ID)}, "purpose": {"opening"},
		"date": {"2026-11-30"}, "start": {"09:30"}, "end": {"10:30"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "第一开标厅") || !strings.Contains(body, "09:00–10:00") {
		t.Errorf("clash by form: %d", resp.StatusCode)
	}
	resp, body = postForm(t, tenderer, "/workbench/venues/book", "/workbench/venues/bookings", url.Values{
		"project": {fmt.Sprint(f.project)}, "room_id": {fmt.Sprint(f.hall.ID)}, "purpose": {"opening"},
		"date": {"2026-12-05"}, "start": {"09:00"}, "end": {"10:00"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不是工作日") {
		t.Errorf("weekend by form: %d", resp.StatusCode)
	}
	_, b := tenderer.Do("GET", roomPage+"?week=2026-11-30", nil, "")
	if !strings.Contains(string(b), "测试工程") || !strings.Contains(string(b), `class="venue-booked"`) {
		t.Errorf("room grid does not show the booking")
	}
	list, _, err := f.Venue.ListBookings(f.Ctx, f.tenderer, venue.BookingFilter{State: venue.Active})
	f.Must(err)
	if len(list) != 1 {
		t.Fatalf("%d active bookings", len(list))
	}
	resp, _ = postForm(t, tenderer, "/workbench/venues/book", fmt.Sprintf("/workbench/venues/bookings/%d/cancel", list[0].ID),
		url.Values{"reason": {"改期"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("cancel by form: %d", resp.StatusCode)
	}

	// Staff add a room and a reservation with the forms.
	staff := f.Client(auth.Staff)
	resp, body = postForm(t, staff, "/workbench/venues/rooms", "/workbench/venues/rooms", url.Values{
		"centre_code": {"530600"}, "name": {"第三评标室"}, "kind": {"evaluation_room"}, "capacity": {"9"}, "equipment": {""}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create room by form: %d %.500s", resp.StatusCode, body)
	}
	resp, body = postForm(t, staff, "/workbench/venues/rooms", "/workbench/venues/rooms", url.Values{
		"centre_code": {"530600"}, "name": {""}, "kind": {"evaluation_room"}, "capacity": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "场地名称不能为空") {
		t.Errorf("invalid room by form: %d", resp.StatusCode)
	}
	resp, _ = postForm(t, staff, roomPage, roomPage+"/reserved-slots", url.Values{
		"weekday": {"5"}, "start": {"09:00"}, "end": {"12:00"}, "release_hours": {"24"}, "note": {"重大项目"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("reserve by form: %d", resp.StatusCode)
	}
	resp, body = postForm(t, staff, roomPage, roomPage+"/reserved-slots", url.Values{
		"weekday": {"5"}, "start": {"10:00"}, "end": {"11:00"}, "release_hours": {"24"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "重叠") {
		t.Errorf("overlapping reservation by form: %d", resp.StatusCode)
	}
	resp, body = postForm(t, staff, roomPage, roomPage, url.Values{"name": {"第一开标厅"}, "capacity": {"50"}, "equipment": {"电子开标系统"}, "active": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("edit room by form: %d %.300s", resp.StatusCode, body)
	}
	r, err := f.Venue.GetRoom(f.Ctx, f.staff, f.hall.ID)
	f.Must(err)
	if r.Capacity != 50 || !r.Active {
		t.Errorf("room after edit %+v", r)
	}
	// A tenderer's page has no management forms.
	_, b = tenderer.Do("GET", roomPage, nil, "")
	if strings.Contains(string(b), `id="venue-room-edit"`) || !strings.Contains(string(b), "重大项目") {
		t.Errorf("tenderer's room page shows management forms or lacks the reservation")
	}
}
