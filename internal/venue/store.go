package venue

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// SQL for rooms, bookings and reserved slots. Nothing here checks access:
// the use cases do, before they call it.

const roomCols = `r.id, r.centre_id, c.region_code, c.name, r.name, r.kind, r.capacity, r.equipment, r.active`
const roomFrom = ` FROM rooms r JOIN centres c ON c.id = r.centre_id`

func scanRoom(row interface{ Scan(...any) error }) (Room, error) {
	var r Room
	err := row.Scan(&r.ID, &r.CentreID, &r.CentreCode, &r.CentreName, &r.Name, &r.Kind, &r.Capacity, &r.Equipment, &r.Active)
	r.KindLabel = r.Kind.Label()
	return r, err
}

func getRoom(ctx context.Context, q db.Querier, id int64) (Room, error) {
	r, err := scanRoom(q.QueryRow(ctx, "SELECT "+roomCols+roomFrom+" WHERE r.id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return r, errs.E(errs.NotFound, "场地不存在")
	}
	return r, err
}

// RoomFilter narrows ListRooms.
type RoomFilter struct {
	CentreCode      string   // "" = every centre
	Kind            RoomKind // "" = every kind
	IncludeInactive bool     // honoured for rooms the caller manages
}

func listRooms(ctx context.Context, q db.Querier, f RoomFilter) ([]Room, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.CentreCode != "" {
		where, args = append(where, "c.region_code = ?"), append(args, f.CentreCode)
	}
	if f.Kind != "" {
		where, args = append(where, "r.kind = ?"), append(args, f.Kind)
	}
	rows, err := q.Query(ctx, "SELECT "+roomCols+roomFrom+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY c.region_code, CASE r.kind WHEN 'opening_hall' THEN 1 WHEN 'evaluation_room' THEN 2 ELSE 3 END, r.name", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Room
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// bookingRow is a booking with what access decisions need.
type bookingRow struct {
	Booking
	project    projectRef
	roomCentre int64
}

const bookingCols = `b.id, b.room_id, r.name, r.centre_id, c.region_code, b.project_id, p.code, p.name, p.centre_id,
	p.region_code, p.industry, p.tenderer_org_id, p.agent_org_id, b.lot_id, l.name, b.purpose, b.starts_at, b.ends_at,
	b.state, b.cancel_reason, b.green, b.created_by, b.created_at`
const bookingFrom = ` FROM bookings b JOIN rooms r ON r.id = b.room_id JOIN centres c ON c.id = r.centre_id
	JOIN projects p ON p.id = b.project_id LEFT JOIN lots l ON l.id = b.lot_id`

func scanBooking(row interface{ Scan(...any) error }) (bookingRow, error) {
	var b bookingRow
	var agent, lot sql.NullInt64
	var lotName sql.NullString
	var starts, ends, created int64
	err := row.Scan(&b.ID, &b.RoomID, &b.RoomName, &b.roomCentre, &b.CentreCode, &b.project.ID, &b.project.Code,
		&b.project.Name, &b.project.CentreID, &b.project.RegionCode, &b.project.Industry, &b.project.TendererOrgID,
		&agent, &lot, &lotName, &b.Purpose, &starts, &ends, &b.State, &b.CancelReason, &b.Green, &b.CreatedBy, &created)
	b.project.AgentOrgID = agent.Int64
	b.ProjectID, b.ProjectCode, b.ProjectName = b.project.ID, b.project.Code, b.project.Name
	b.LotID, b.LotName = lot.Int64, lotName.String
	b.PurposeLabel = b.Purpose.Label()
	b.StartsAt, b.EndsAt, b.CreatedAt = db.Time(starts), db.Time(ends), db.Time(created)
	return b, err
}

func getBooking(ctx context.Context, q db.Querier, id int64) (bookingRow, error) {
	b, err := scanBooking(q.QueryRow(ctx, "SELECT "+bookingCols+bookingFrom+" WHERE b.id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return b, errs.E(errs.NotFound, "预约不存在")
	}
	return b, err
}

func queryBookings(ctx context.Context, q db.Querier, where string, args ...any) ([]bookingRow, error) {
	rows, err := q.Query(ctx, "SELECT "+bookingCols+bookingFrom+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bookingRow
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// activeBetween lists the active bookings of the rooms that overlap
// [from, to), in time order.
func activeBetween(ctx context.Context, q db.Querier, roomIDs []int64, from, to time.Time) ([]bookingRow, error) {
	if len(roomIDs) == 0 {
		return nil, nil
	}
	args := []any{string(Active), db.Micros(to), db.Micros(from)}
	for _, id := range roomIDs {
		args = append(args, id)
	}
	return queryBookings(ctx, q, "b.state = ? AND b.starts_at < ? AND b.ends_at > ? AND b.room_id IN ("+
		db.Placeholders(len(roomIDs))+") ORDER BY b.starts_at, r.name", args...)
}

// insertBooking stores the booking and then one booking_slots row per half
// hour, in ascending order, in one statement. A duplicate key on the slots
// means another booking holds one of them: errClash.
func insertBooking(ctx context.Context, tx *db.Tx, b *Booking) error {
	var lot any
	if b.LotID != 0 {
		lot = b.LotID
	}
	err := tx.QueryRow(ctx, `INSERT INTO bookings (room_id, project_id, lot_id, purpose, starts_at, ends_at, state,
		green, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		b.RoomID, b.ProjectID, lot, b.Purpose, db.Micros(b.StartsAt), db.Micros(b.EndsAt), b.State, b.Green,
		b.CreatedBy, db.Micros(b.CreatedAt)).Scan(&b.ID)
	if err != nil {
		return err
	}
	slots := Slots(b.StartsAt, b.EndsAt)
	values := make([]string, len(slots))
	args := make([]any, 0, 3*len(slots))
	for i, s := range slots {
		values[i] = "(?, ?, ?)"
		args = append(args, b.RoomID, db.Micros(s), b.ID)
	}
	_, err = tx.Exec(ctx, "INSERT INTO booking_slots (room_id, slot_start, booking_id) VALUES "+strings.Join(values, ", "), args...)
	if errs.Is(err, errs.Conflict) {
		return errClash
	}
	return err
}

// errClash marks a booking that lost its slots to another one.
var errClash = errs.E(errs.Conflict, "场地所选时间已被预约")

// releaseSlots deletes a booking's slots, walking the primary key.
func releaseSlots(ctx context.Context, tx *db.Tx, b Booking) error {
	_, err := tx.Exec(ctx, "DELETE FROM booking_slots WHERE room_id = ? AND slot_start >= ? AND slot_start < ? AND booking_id = ?",
		b.RoomID, db.Micros(b.StartsAt), db.Micros(b.EndsAt), b.ID)
	return err
}

const reservationCols = "id, room_id, weekday, start_minute, end_minute, release_hours, note"

func scanReservation(row interface{ Scan(...any) error }) (Reservation, error) {
	var r Reservation
	err := row.Scan(&r.ID, &r.RoomID, &r.Weekday, &r.StartMinute, &r.EndMinute, &r.ReleaseHours, &r.Note)
	r.Start, r.End = clockText(r.StartMinute), clockText(r.EndMinute)
	return r, err
}

// reservationsOf lists the weekly reservations of the rooms, by weekday
// and time.
func reservationsOf(ctx context.Context, q db.Querier, roomIDs ...int64) ([]Reservation, error) {
	if len(roomIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(roomIDs))
	for i, id := range roomIDs {
		args[i] = id
	}
	rows, err := q.Query(ctx, "SELECT "+reservationCols+" FROM reserved_slots WHERE room_id IN ("+
		db.Placeholders(len(roomIDs))+") ORDER BY weekday, start_minute, room_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reservation
	for rows.Next() {
		r, err := scanReservation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func getReservation(ctx context.Context, q db.Querier, id int64) (Reservation, error) {
	r, err := scanReservation(q.QueryRow(ctx, "SELECT "+reservationCols+" FROM reserved_slots WHERE id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return r, errs.E(errs.NotFound, "预留时段不存在")
	}
	return r, err
}

// Advisory lock keys (PostgreSQL; SQLite runs one writer at a time anyway).
// A booking holds its room's key shared, so bookings never wait on each
// other — their race is settled by the booking_slots primary key — while
// deactivating a room holds it exclusively and so sees every booking that
// was made before it.
const (
	roomLockSpace        = int64(0x56454e55) << 32 // "VENU"
	reservationLockSpace = int64(0x56454e52) << 32 // "VENR"
)

func lockRoomShared(ctx context.Context, tx *db.Tx, roomID int64) error {
	if tx.Dialect() != db.Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock_shared(?)", roomLockSpace|roomID)
	return err
}

func lockRoomExclusive(ctx context.Context, tx *db.Tx, roomID int64) error {
	return tx.Lock(ctx, roomLockSpace|roomID)
}

// regionLike is the LIKE pattern for a jurisdiction, or "" when the actor
// has no region (which must then match nothing, not everything).
func regionLike(region string) string {
	if region == "" {
		return ""
	}
	return centre.Prefix(region) + "%"
}
