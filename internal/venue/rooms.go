package venue

import (
	"context"
	"strconv"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// NewRoom is what centre staff fill in to add a room.
type NewRoom struct {
	CentreCode string   `json:"centre_code"` // region code of the centre; staff may leave it empty for their own
	Name       string   `json:"name"`
	Kind       RoomKind `json:"kind"`
	Capacity   int      `json:"capacity"`
	Equipment  string   `json:"equipment"`
}

// RoomChange edits a room. Active nil leaves it as it is; false takes the
// room out of service (refused while it has bookings that have not ended).
type RoomChange struct {
	Name      string `json:"name"`
	Capacity  int    `json:"capacity"`
	Equipment string `json:"equipment"`
	Active    *bool  `json:"active,omitempty"`
}

func checkRoomFields(f *errs.Fields, name string, capacity int, equipment string) {
	if f.Required("name", "场地名称", name) {
		f.MaxLen("name", "场地名称", name, 50)
	}
	if capacity < 1 || capacity > 1000 {
		f.Add("capacity", "容纳人数须为1至1000之间的整数")
	}
	f.MaxLen("equipment", "设备", equipment, 300)
}

// CreateRoom adds a room to a centre; only that centre's staff (or an
// admin) may.
func (s *Service) CreateRoom(ctx context.Context, a auth.Actor, n NewRoom) (Room, error) {
	if err := a.Authorize(auth.ManageRooms); err != nil {
		return Room{}, err
	}
	n.CentreCode, n.Name, n.Equipment = strings.TrimSpace(n.CentreCode), strings.TrimSpace(n.Name), strings.TrimSpace(n.Equipment)
	var room Room
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var c centre.Centre
		var err error
		switch {
		case n.CentreCode != "":
			c, err = centre.ByCode(ctx, tx, n.CentreCode)
		case a.Role == auth.Staff:
			c, err = centre.Get(ctx, tx, a.CentreID)
		default:
			var f errs.Fields
			f.Add("centre_code", "请选择交易中心")
			return f.Err()
		}
		if errs.Is(err, errs.NotFound) {
			var f errs.Fields
			f.Add("centre_code", "没有行政区划代码为 %s 的交易中心", n.CentreCode)
			return f.Err()
		}
		if err != nil {
			return err
		}
		if !managesCentre(a, c.ID) {
			return refuseManage()
		}
		var f errs.Fields
		checkRoomFields(&f, n.Name, n.Capacity, n.Equipment)
		if n.Kind.Label() == "" {
			f.Add("kind", "场地类型须为开标厅、评标室或远程异地评标席位")
		}
		if err := f.Err(); err != nil {
			return err
		}
		room = Room{CentreID: c.ID, CentreCode: c.RegionCode, CentreName: c.Name, Name: n.Name, Kind: n.Kind,
			KindLabel: n.Kind.Label(), Capacity: n.Capacity, Equipment: n.Equipment, Active: true}
		err = tx.QueryRow(ctx, `INSERT INTO rooms (centre_id, name, kind, capacity, equipment, active)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, room.Name, room.Kind, room.Capacity, room.Equipment, true).Scan(&room.ID)
		if errs.Is(err, errs.Conflict) {
			return errs.E(errs.Conflict, "%s已有名为「%s」的场地", c.Name, room.Name)
		}
		if err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "room.create", "room", itoa(room.ID), c.RegionCode, "", map[string]any{
			"name": room.Name, "kind": string(room.Kind), "capacity": room.Capacity, "equipment": room.Equipment})
	})
	return room, err
}

// UpdateRoom edits a room of the actor's centre and may take it out of
// service or back into it.
func (s *Service) UpdateRoom(ctx context.Context, a auth.Actor, id int64, ch RoomChange) (Room, error) {
	if err := a.Authorize(auth.ManageRooms); err != nil {
		return Room{}, err
	}
	ch.Name, ch.Equipment = strings.TrimSpace(ch.Name), strings.TrimSpace(ch.Equipment)
	var room Room
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		old, err := getRoom(ctx, tx, id)
		if err != nil {
			return err
		}
		if !managesCentre(a, old.CentreID) {
			return refuseManage()
		}
		var f errs.Fields
		checkRoomFields(&f, ch.Name, ch.Capacity, ch.Equipment)
		if err := f.Err(); err != nil {
			return err
		}
		room = old
		room.Name, room.Capacity, room.Equipment = ch.Name, ch.Capacity, ch.Equipment
		if ch.Active != nil {
			room.Active = *ch.Active
		}
		action := "room.update"
		switch {
		case old.Active && !room.Active:
			action = "room.deactivate"
			if err := s.refuseIfBooked(ctx, tx, old); err != nil {
				return err
			}
		case !old.Active && room.Active:
			action = "room.activate"
		}
		_, err = tx.Exec(ctx, "UPDATE rooms SET name = ?, capacity = ?, equipment = ?, active = ? WHERE id = ?",
			room.Name, room.Capacity, room.Equipment, room.Active, id)
		if errs.Is(err, errs.Conflict) {
			return errs.E(errs.Conflict, "%s已有名为「%s」的场地", room.CentreName, room.Name)
		}
		if err != nil {
			return err
		}
		return s.Record(ctx, tx, a, action, "room", itoa(id), room.CentreCode, "", map[string]any{
			"name": room.Name, "capacity": room.Capacity, "equipment": room.Equipment, "active": room.Active,
			"previous": map[string]any{"name": old.Name, "capacity": old.Capacity, "equipment": old.Equipment, "active": old.Active}})
	})
	return room, err
}

// refuseIfBooked keeps a room in service while any booking of it has not
// ended: those projects were promised the room. The exclusive room lock
// waits for bookings in flight (which hold it shared) to commit first.
func (s *Service) refuseIfBooked(ctx context.Context, tx *db.Tx, r Room) error {
	if err := lockRoomExclusive(ctx, tx, r.ID); err != nil {
		return err
	}
	var n int
	var first int64
	err := tx.QueryRow(ctx, "SELECT count(*), COALESCE(MIN(starts_at), 0) FROM bookings WHERE room_id = ? AND state = ? AND ends_at > ?",
		r.ID, string(Active), db.Micros(s.Clock.Now())).Scan(&n, &first)
	if err != nil {
		return err
	}
	if n > 0 {
		return errs.E(errs.Conflict, "「%s」尚有%d个未结束的预约（最早 %s），请先取消这些预约再停用", r.Name, n, minuteText(db.Time(first)))
	}
	return nil
}

// ListRooms lists rooms, active ones for everybody and inactive ones too
// for those who manage them.
func (s *Service) ListRooms(ctx context.Context, a auth.Actor, f RoomFilter) ([]Room, error) {
	if err := a.Authorize(auth.ReadVenues); err != nil {
		return nil, err
	}
	all, err := listRooms(ctx, s.DB, f)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if r.Active || (f.IncludeInactive && managesCentre(a, r.CentreID)) {
			out = append(out, r)
		}
	}
	return out, nil
}

// GetRoom shows one room.
func (s *Service) GetRoom(ctx context.Context, a auth.Actor, id int64) (Room, error) {
	if err := a.Authorize(auth.ReadVenues); err != nil {
		return Room{}, err
	}
	return getRoom(ctx, s.DB, id)
}

// Manages reports whether a may manage the rooms of centre centreID (for
// pages deciding whether to show the forms; the use cases check again).
func Manages(a auth.Actor, centreID int64) bool {
	return auth.Can(a.Role, auth.ManageRooms) && managesCentre(a, centreID)
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
