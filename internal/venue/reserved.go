package venue

import (
	"context"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// NewReservation keeps a weekly time range of a room for green-channel
// projects (绿色通道), released to every project ReleaseHours before each
// occurrence starts.
type NewReservation struct {
	Weekday      int    `json:"weekday"` // 1 = Monday … 7 = Sunday
	Start        string `json:"start"`   // "HH:MM" Beijing time
	End          string `json:"end"`
	ReleaseHours int    `json:"release_hours"`
	Note         string `json:"note,omitempty"`
}

// Reservations lists a room's weekly reserved slots.
func (s *Service) Reservations(ctx context.Context, a auth.Actor, roomID int64) ([]Reservation, error) {
	if err := a.Authorize(auth.ReadVenues); err != nil {
		return nil, err
	}
	if _, err := getRoom(ctx, s.DB, roomID); err != nil {
		return nil, err
	}
	return reservationsOf(ctx, s.DB, roomID)
}

// Reserve adds a weekly reserved slot to a room of the actor's centre. It
// must not overlap another reservation of the same room.
func (s *Service) Reserve(ctx context.Context, a auth.Actor, roomID int64, n NewReservation) (Reservation, error) {
	if err := a.Authorize(auth.ManageRooms); err != nil {
		return Reservation{}, err
	}
	r := Reservation{RoomID: roomID, Weekday: n.Weekday, Start: strings.TrimSpace(n.Start), End: strings.TrimSpace(n.End),
		ReleaseHours: n.ReleaseHours, Note: strings.TrimSpace(n.Note)}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		room, err := getRoom(ctx, tx, roomID)
		if err != nil {
			return err
		}
		if !managesCentre(a, room.CentreID) {
			return refuseManage()
		}
		var f errs.Fields
		s.cfg.checkReservation(&f, r)
		if !room.Active {
			f.Add("room_id", "「%s」已停用，不能设置预留时段", room.Name)
		}
		if err := f.Err(); err != nil {
			return err
		}
		r.StartMinute, _ = ParseClock(r.Start)
		r.EndMinute, _ = ParseClock(r.End)
		r.Start, r.End = clockText(r.StartMinute), clockText(r.EndMinute)
		// Two reservations of one room are compared under a lock, so two
		// staff adding overlapping ones at once cannot both succeed.
		if err := tx.Lock(ctx, reservationLockSpace|roomID); err != nil {
			return err
		}
		existing, err := reservationsOf(ctx, tx, roomID)
		if err != nil {
			return err
		}
		for _, x := range existing {
			if x.Weekday == r.Weekday && x.StartMinute < r.EndMinute && r.StartMinute < x.EndMinute {
				return errs.E(errs.Conflict, "与「%s」已有的预留时段 %s %s–%s 重叠", room.Name, weekdayLabel(x.Weekday), x.Start, x.End)
			}
		}
		err = tx.QueryRow(ctx, `INSERT INTO reserved_slots (room_id, weekday, start_minute, end_minute, release_hours, note)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, roomID, r.Weekday, r.StartMinute, r.EndMinute, r.ReleaseHours, r.Note).Scan(&r.ID)
		if err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "reserved_slot.create", "reserved_slot", itoa(r.ID), room.CentreCode, "", map[string]any{
			"room_id": roomID, "room": room.Name, "weekday": r.Weekday, "start": r.Start, "end": r.End,
			"release_hours": r.ReleaseHours, "note": r.Note})
	})
	return r, err
}

// Unreserve removes a weekly reserved slot of a room of the actor's centre.
// Bookings already made in it stay.
func (s *Service) Unreserve(ctx context.Context, a auth.Actor, roomID, id int64) error {
	if err := a.Authorize(auth.ManageRooms); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		room, err := getRoom(ctx, tx, roomID)
		if err != nil {
			return err
		}
		if !managesCentre(a, room.CentreID) {
			return refuseManage()
		}
		r, err := getReservation(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.RoomID != roomID {
			return errs.E(errs.NotFound, "预留时段不存在")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM reserved_slots WHERE id = ?", id); err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "reserved_slot.delete", "reserved_slot", itoa(id), room.CentreCode, "", map[string]any{
			"room_id": roomID, "room": room.Name, "weekday": r.Weekday, "start": r.Start, "end": r.End})
	})
}
