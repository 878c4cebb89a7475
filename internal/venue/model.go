package venue

import "time"

// RoomKind is what a room is used for.
type RoomKind string

const (
	OpeningHall    RoomKind = "opening_hall"    // 开标厅
	EvaluationRoom RoomKind = "evaluation_room" // 评标室
	RemoteSeat     RoomKind = "remote_seat"     // 远程异地评标席位
)

// RoomKinds in display order.
var RoomKinds = []RoomKind{OpeningHall, EvaluationRoom, RemoteSeat}

var roomKindLabels = map[RoomKind]string{
	OpeningHall: "开标厅", EvaluationRoom: "评标室", RemoteSeat: "远程异地评标席位",
}

// Label is the kind's Chinese name; "" for an unknown kind.
func (k RoomKind) Label() string { return roomKindLabels[k] }

// Purpose is what a booking is for.
type Purpose string

const (
	Opening    Purpose = "opening"    // 开标
	Evaluation Purpose = "evaluation" // 评标
)

// Purposes in display order.
var Purposes = []Purpose{Opening, Evaluation}

var purposeLabels = map[Purpose]string{Opening: "开标", Evaluation: "评标"}

// Label is the purpose's Chinese name; "" for an unknown purpose.
func (p Purpose) Label() string { return purposeLabels[p] }

// Fits reports whether a room of kind k may be booked for p: openings
// happen in an opening hall, evaluations in an evaluation room or at a
// remote-evaluation seat.
func (p Purpose) Fits(k RoomKind) bool {
	switch p {
	case Opening:
		return k == OpeningHall
	case Evaluation:
		return k == EvaluationRoom || k == RemoteSeat
	}
	return false
}

// BookingState is where a booking is in its short life.
type BookingState string

const (
	Active    BookingState = "active"
	Cancelled BookingState = "cancelled"
)

// Label is the state's Chinese name.
func (s BookingState) Label() string {
	switch s {
	case Active:
		return "有效"
	case Cancelled:
		return "已取消"
	}
	return string(s)
}

// Room is an opening hall, an evaluation room or a remote-evaluation seat
// of a centre.
type Room struct {
	ID         int64    `json:"id"`
	CentreID   int64    `json:"centre_id"`
	CentreCode string   `json:"centre_code"`
	CentreName string   `json:"centre_name"`
	Name       string   `json:"name"`
	Kind       RoomKind `json:"kind"`
	KindLabel  string   `json:"kind_label"`
	Capacity   int      `json:"capacity"`
	Equipment  string   `json:"equipment"`
	Active     bool     `json:"active"`
}

// Booking holds a room for a project's opening or evaluation. Project
// fields are empty when the caller may not see whose booking it is.
type Booking struct {
	ID           int64        `json:"id"`
	RoomID       int64        `json:"room_id"`
	RoomName     string       `json:"room_name"`
	CentreCode   string       `json:"centre_code"`
	ProjectID    int64        `json:"project_id,omitempty"`
	ProjectCode  string       `json:"project_code,omitempty"`
	ProjectName  string       `json:"project_name,omitempty"`
	LotID        int64        `json:"lot_id,omitempty"` // 0 = every lot of the project
	LotName      string       `json:"lot_name,omitempty"`
	Purpose      Purpose      `json:"purpose"`
	PurposeLabel string       `json:"purpose_label"`
	StartsAt     time.Time    `json:"starts_at"`
	EndsAt       time.Time    `json:"ends_at"`
	State        BookingState `json:"state"`
	CancelReason string       `json:"cancel_reason,omitempty"`
	Green        bool         `json:"green"` // made in a slot reserved for the green channel
	CreatedBy    int64        `json:"created_by,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
}

// Reservation keeps a weekly time range of a room for green-channel
// projects until ReleaseHours before each occurrence starts.
type Reservation struct {
	ID           int64  `json:"id"`
	RoomID       int64  `json:"room_id"`
	Weekday      int    `json:"weekday"`      // 1 = Monday … 7 = Sunday
	Start        string `json:"start"`        // "HH:MM" Beijing time
	End          string `json:"end"`          // "HH:MM"
	StartMinute  int    `json:"start_minute"` // minutes after 00:00 Beijing time
	EndMinute    int    `json:"end_minute"`
	ReleaseHours int    `json:"release_hours"`
	Note         string `json:"note"`
}

// WeekdayLabel is the reservation's weekday in Chinese (周一 …).
func (r Reservation) WeekdayLabel() string { return weekdayLabel(r.Weekday) }

// Week is the calendar of a centre (or one of its rooms) for the seven
// days from Monday 00:00 Beijing time.
type Week struct {
	Key     string    `json:"week"`  // Monday's date, 2006-01-02
	Label   string    `json:"label"` // 2026年第48周（11月23日—11月29日）
	Prev    string    `json:"prev"`
	Next    string    `json:"next"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Centre  CentreRef `json:"centre"`
	Rooms   []Room    `json:"rooms"`
	Days    []Day     `json:"days"`
	OpenAt  string    `json:"open_at"`  // opening hours, HH:MM
	CloseAt string    `json:"close_at"` // HH:MM
}

// CentreRef names a centre.
type CentreRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// Day is one day of a Week with its bookings and reserved slots in time
// order.
type Day struct {
	Date     string     `json:"date"`  // 2006-01-02
	Label    string     `json:"label"` // 11月23日 周一
	Working  bool       `json:"working"`
	Start    time.Time  `json:"start"`
	Bookings []Entry    `json:"bookings"`
	Reserved []Reserved `json:"reserved"`
}

// Entry is a booking as a calendar shows it: with the project and purpose
// to those who may know (staff, supervisors in their jurisdiction, the
// project's own tenderer and agent), otherwise only "已预约".
type Entry struct {
	BookingID   int64     `json:"booking_id"`
	RoomID      int64     `json:"room_id"`
	RoomName    string    `json:"room_name"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Time        string    `json:"time"`  // 09:00–11:00
	Label       string    `json:"label"` // 项目编号 项目名称 · 开标, or 已预约
	Detailed    bool      `json:"detailed"`
	Purpose     Purpose   `json:"purpose,omitempty"`
	ProjectCode string    `json:"project_code,omitempty"`
	ProjectName string    `json:"project_name,omitempty"`
	Green       bool      `json:"green,omitempty"`
}

// Reserved is one weekly reservation's occurrence on a day.
type Reserved struct {
	ReservationID int64     `json:"reservation_id"`
	RoomID        int64     `json:"room_id"`
	RoomName      string    `json:"room_name"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	Time          string    `json:"time"`
	ReleaseAt     time.Time `json:"release_at"`
	Released      bool      `json:"released"` // open to every project from ReleaseAt
	Note          string    `json:"note,omitempty"`
}

// BookableProject is a project the caller may book rooms for, with its lots.
type BookableProject struct {
	ID           int64         `json:"id"`
	Code         string        `json:"code"`
	Name         string        `json:"name"`
	CentreID     int64         `json:"centre_id"`
	GreenChannel bool          `json:"green_channel"`
	Lots         []BookableLot `json:"lots"`
}

// BookableLot is one lot of a BookableProject.
type BookableLot struct {
	ID   int64  `json:"id"`
	Seq  int    `json:"seq"`
	Name string `json:"name"`
}
