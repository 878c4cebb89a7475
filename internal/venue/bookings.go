package venue

import (
	"context"
	"strings"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

// NewBooking asks for a room for a project's opening or evaluation.
// Times are Beijing wall-clock ("2026-11-30 09:00") or RFC 3339.
type NewBooking struct {
	ProjectID int64   `json:"project_id"`
	LotID     int64   `json:"lot_id,omitempty"` // 0 = every lot of the project
	RoomID    int64   `json:"room_id"`
	Purpose   Purpose `json:"purpose"`
	StartsAt  string  `json:"starts_at"`
	EndsAt    string  `json:"ends_at"`
	// OffDay lets centre staff book a weekend or holiday.
	OffDay bool `json:"off_day,omitempty"`
}

// Book holds a room for a project. The database decides races: the
// booking's half-hour slots go into booking_slots, whose primary key
// (room_id, slot_start) admits one booking per slot, so of two overlapping
// requests — on any number of servers — exactly one commits; the other gets
// a conflict naming the room and the time it clashes with.
func (s *Service) Book(ctx context.Context, a auth.Actor, n NewBooking) (Booking, error) {
	if err := a.Authorize(auth.BookVenue); err != nil {
		return Booking{}, err
	}
	var b Booking
	var room Room
	var iv Interval
	clashed := false
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		clashed = false
		var p tender.Project
		var err error
		if n.ProjectID > 0 {
			if p, err = tender.GetProject(ctx, tx, n.ProjectID); err != nil {
				return err
			}
			if !booksFor(a, p) {
				return errs.E(errs.NotFound, "项目不存在")
			}
		}
		if room, iv, err = s.checkBooking(ctx, tx, a, n, p); err != nil {
			return err
		}
		if !bookable(p.State) {
			return errs.E(errs.Conflict, "项目「%s」当前状态为%s，受理后、成交或终止前才能预约场地", p.Name, p.State.Label())
		}
		rs, err := reservationsOf(ctx, tx, room.ID)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if r, o, blocked := Blocking(rs, iv, now); blocked && !p.GreenChannel {
			return errs.E(errs.Conflict, "「%s」%s 为绿色通道项目预留（每%s %s–%s），将于 %s 起向所有项目开放；非绿色通道项目届时方可预约",
				room.Name, spanText(o.Start, o.End), weekdayLabel(r.Weekday), r.Start, r.End, minuteText(o.ReleaseAt))
		}
		if err := lockRoomShared(ctx, tx, room.ID); err != nil {
			return err
		}
		// A room deactivated since it was read above (the lock waits for
		// that to commit) can no longer be booked.
		var active bool
		if err := tx.QueryRow(ctx, "SELECT active FROM rooms WHERE id = ?", room.ID).Scan(&active); err != nil {
			return err
		}
		if !active {
			return errs.E(errs.Conflict, "「%s」已停用，不能预约", room.Name)
		}
		b = Booking{RoomID: room.ID, RoomName: room.Name, CentreCode: room.CentreCode, ProjectID: p.ID,
			ProjectCode: p.Code, ProjectName: p.Name, LotID: n.LotID, Purpose: n.Purpose, PurposeLabel: n.Purpose.Label(),
			StartsAt: iv.Start, EndsAt: iv.End, State: Active, Green: p.GreenChannel && Touches(rs, iv),
			CreatedBy: a.UserID, CreatedAt: now}
		for _, l := range p.Lots {
			if l.ID == n.LotID {
				b.LotName = l.Name
			}
		}
		if err := insertBooking(ctx, tx, &b); err != nil {
			clashed = err == errClash
			return err
		}
		return s.Record(ctx, tx, a, "booking.create", "booking", itoa(b.ID), p.RegionCode, p.Industry, map[string]any{
			"room_id": room.ID, "room": room.Name, "centre": room.CentreCode, "project_id": p.ID, "project_code": p.Code,
			"lot_id": n.LotID, "purpose": string(n.Purpose), "starts_at": minuteText(iv.Start), "ends_at": minuteText(iv.End),
			"green": b.Green, "off_day": iv.Override})
	})
	if clashed {
		return Booking{}, s.clash(ctx, room, iv)
	}
	return b, err
}

// checkBooking validates every field of n for project p (zero when not
// given) and returns the room and the time asked for.
func (s *Service) checkBooking(ctx context.Context, tx *db.Tx, a auth.Actor, n NewBooking, p tender.Project) (Room, Interval, error) {
	var f errs.Fields
	if n.ProjectID <= 0 {
		f.Add("project_id", "请选择项目")
	}
	if n.Purpose.Label() == "" {
		f.Add("purpose", "用途须为开标或评标")
	}
	if n.LotID < 0 {
		f.Add("lot_id", "标段无效")
	} else if n.LotID > 0 && p.ID != 0 && !hasLot(p, n.LotID) {
		f.Add("lot_id", "该标段不属于项目「%s」", p.Name)
	}
	var room Room
	if n.RoomID <= 0 {
		f.Add("room_id", "请选择场地")
	} else {
		var err error
		room, err = getRoom(ctx, tx, n.RoomID)
		switch {
		case errs.Is(err, errs.NotFound):
			f.Add("room_id", "场地不存在")
		case err != nil:
			return room, Interval{}, err
		case !room.Active:
			f.Add("room_id", "「%s」已停用，不能预约", room.Name)
		default:
			if n.Purpose.Label() != "" && !n.Purpose.Fits(room.Kind) {
				f.Add("room_id", "「%s」是%s，不能用于%s（开标须在开标厅，评标须在评标室或远程异地评标席位）",
					room.Name, room.Kind.Label(), n.Purpose.Label())
			}
			// Remote evaluation (远程异地评标) seats anywhere may be booked;
			// every other room only in the project's own centre.
			if p.ID != 0 && room.Kind != RemoteSeat && room.CentreID != p.CentreID {
				f.Add("room_id", "「%s」属于%s，只能预约本项目所在交易中心的开标厅和评标室（异地席位除外）", room.Name, room.CentreName)
			}
		}
	}
	if n.OffDay && a.Role != auth.Staff {
		f.Add("off_day", "只有交易中心工作人员可以安排非工作日的场地")
	}
	iv := Interval{Override: n.OffDay && a.Role == auth.Staff}
	var err1, err2 error
	if iv.Start, err1 = ParseTime(n.StartsAt); err1 != nil {
		f.Add("starts_at", "开始时间%s", errs.As(err1).Message)
	}
	if iv.End, err2 = ParseTime(n.EndsAt); err2 != nil {
		f.Add("ends_at", "结束时间%s", errs.As(err2).Message)
	}
	if err1 == nil && err2 == nil {
		s.cfg.CheckInterval(&f, iv, s.Clock.Now(), s.Calendar.IsWorkingDay)
	}
	return room, iv, f.Err()
}

func hasLot(p tender.Project, lotID int64) bool {
	for _, l := range p.Lots {
		if l.ID == lotID {
			return true
		}
	}
	return false
}

// clash explains a lost race or a taken time: which room, and which of its
// bookings holds the time asked for. Whose booking it is stays unsaid.
func (s *Service) clash(ctx context.Context, room Room, iv Interval) error {
	held, err := activeBetween(ctx, s.DB, []int64{room.ID}, iv.Start, iv.End)
	if err != nil || len(held) == 0 {
		return errs.E(errs.Conflict, "「%s」%s 已被预约，请刷新后另选时间或场地", room.Name, spanText(iv.Start, iv.End))
	}
	spans := make([]string, len(held))
	for i, h := range held {
		spans[i] = spanText(h.StartsAt, h.EndsAt)
	}
	return errs.E(errs.Conflict, "「%s」在 %s 已被预约，与所选时间 %s 冲突，请另选时间或场地",
		room.Name, strings.Join(spans, "、"), spanText(iv.Start, iv.End))
}

// Cancel gives a booking up, with a reason: the booking is kept, marked
// cancelled, and its slots are freed for others. The project's tenderer or
// agent may cancel before the booking starts; staff of the project's or the
// room's centre until it ends.
func (s *Service) Cancel(ctx context.Context, a auth.Actor, id int64, reason string) (Booking, error) {
	if err := a.Authorize(auth.BookVenue); err != nil {
		return Booking{}, err
	}
	reason = strings.TrimSpace(reason)
	var b bookingRow
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var err error
		if b, err = getBooking(ctx, tx, id); err != nil {
			return err
		}
		if !cancelsFor(a, b) {
			if seesBooking(a, b.project, b.roomCentre) {
				return errs.E(errs.Forbidden, "只有本项目的招标人、代理机构或交易中心工作人员可以取消该预约")
			}
			return errs.E(errs.NotFound, "预约不存在")
		}
		var f errs.Fields
		if f.Required("reason", "取消原因", reason) {
			f.MaxLen("reason", "取消原因", reason, 200)
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.Clock.Now()
		switch {
		case b.State != Active:
			return errs.E(errs.Conflict, "该预约已取消")
		case !now.Before(b.EndsAt):
			return errs.E(errs.Conflict, "该预约已结束，不能取消")
		case !now.Before(b.StartsAt) && a.Role != auth.Staff:
			return errs.E(errs.Conflict, "该预约已开始，只能由交易中心工作人员取消")
		}
		res, err := tx.Exec(ctx, "UPDATE bookings SET state = ?, cancel_reason = ? WHERE id = ? AND state = ?",
			string(Cancelled), reason, id, string(Active))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "该预约已取消")
		}
		if err := releaseSlots(ctx, tx, b.Booking); err != nil {
			return err
		}
		b.State, b.CancelReason = Cancelled, reason
		return s.Record(ctx, tx, a, "booking.cancel", "booking", itoa(id), b.project.RegionCode, b.project.Industry,
			map[string]any{"room_id": b.RoomID, "room": b.RoomName, "project_id": b.ProjectID, "reason": reason,
				"starts_at": minuteText(b.StartsAt), "ends_at": minuteText(b.EndsAt)})
	})
	return b.Booking, err
}

// cancelsFor: those who book for the project, and staff of the centre that
// hosts the room (a remote seat's own centre may need it back).
func cancelsFor(a auth.Actor, b bookingRow) bool {
	p := tender.Project{TendererOrgID: b.project.TendererOrgID, AgentOrgID: b.project.AgentOrgID, CentreID: b.project.CentreID}
	return booksFor(a, p) || (a.Role == auth.Staff && a.CentreID == b.roomCentre)
}

// GetBooking shows a booking to those who may know whose it is.
func (s *Service) GetBooking(ctx context.Context, a auth.Actor, id int64) (Booking, error) {
	if err := a.Authorize(auth.ReadVenues); err != nil {
		return Booking{}, err
	}
	b, err := getBooking(ctx, s.DB, id)
	if err != nil {
		return Booking{}, err
	}
	if !seesBooking(a, b.project, b.roomCentre) {
		return Booking{}, errs.E(errs.NotFound, "预约不存在")
	}
	return b.Booking, nil
}

// BookingFilter narrows ListBookings.
type BookingFilter struct {
	ProjectID int64
	RoomID    int64
	State     BookingState // "" = any
	Limit     int          // default 50, at most 200
	Offset    int
}

// ListBookings lists the bookings the actor may see in full, newest start
// first: its own projects' for tenderers and agents; its centre's and
// jurisdiction's for staff; region × industry for supervisors.
func (s *Service) ListBookings(ctx context.Context, a auth.Actor, f BookingFilter) ([]Booking, int, error) {
	if err := a.Authorize(auth.ReadVenues); err != nil {
		return nil, 0, err
	}
	if f.State != "" && f.State != Active && f.State != Cancelled {
		var fe errs.Fields
		fe.Add("state", "状态须为 active 或 cancelled")
		return nil, 0, fe.Err()
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	where, args := scopeOf(a)
	if f.ProjectID != 0 {
		where, args = where+" AND b.project_id = ?", append(args, f.ProjectID)
	}
	if f.RoomID != 0 {
		where, args = where+" AND b.room_id = ?", append(args, f.RoomID)
	}
	if f.State != "" {
		where, args = where+" AND b.state = ?", append(args, string(f.State))
	}
	var total int
	if err := s.DB.QueryRow(ctx, "SELECT count(*)"+bookingFrom+" WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := queryBookings(ctx, s.DB, where+" ORDER BY b.starts_at DESC, b.id DESC LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Booking, len(rows))
	for i, r := range rows {
		out[i] = r.Booking
	}
	return out, total, nil
}

// scopeOf is seesBooking as SQL.
func scopeOf(a auth.Actor) (string, []any) {
	switch a.Role {
	case auth.Admin:
		return "1 = 1", nil
	case auth.Tenderer:
		return "p.tenderer_org_id = ?", []any{a.OrgID}
	case auth.Agent:
		return "p.agent_org_id = ?", []any{a.OrgID}
	case auth.Staff:
		if like := regionLike(a.Region); like != "" {
			return "(r.centre_id = ? OR p.centre_id = ? OR p.region_code LIKE ?)", []any{a.CentreID, a.CentreID, like}
		}
		return "(r.centre_id = ? OR p.centre_id = ?)", []any{a.CentreID, a.CentreID}
	case auth.Supervisor:
		if like := regionLike(a.Region); like != "" {
			return "p.region_code LIKE ? AND p.industry = ?", []any{like, string(a.Industry)}
		}
	}
	return "1 = 0", nil
}

// BookableProjects lists the projects a may book rooms for now, with their
// lots, for the booking form.
func (s *Service) BookableProjects(ctx context.Context, a auth.Actor) ([]BookableProject, error) {
	if err := a.Authorize(auth.BookVenue); err != nil {
		return nil, err
	}
	var where string
	var args []any
	switch a.Role {
	case auth.Tenderer:
		where, args = "tenderer_org_id = ?", []any{a.OrgID}
	case auth.Agent:
		where, args = "agent_org_id = ?", []any{a.OrgID}
	case auth.Staff:
		where, args = "centre_id = ?", []any{a.CentreID}
	default:
		return nil, nil
	}
	states := make([]any, len(bookableStates))
	for i, st := range bookableStates {
		states[i] = string(st)
	}
	rows, err := s.DB.Query(ctx, "SELECT id, code, name, centre_id, green_channel FROM projects WHERE "+where+
		" AND state IN ("+db.Placeholders(len(states))+") ORDER BY created_at DESC, id DESC LIMIT 200", append(args, states...)...)
	if err != nil {
		return nil, err
	}
	var out []BookableProject
	for rows.Next() {
		var p BookableProject
		if err := rows.Scan(&p.ID, &p.Code, &p.Name, &p.CentreID, &p.GreenChannel); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		lots, err := tender.LotsOf(ctx, s.DB, out[i].ID)
		if err != nil {
			return nil, err
		}
		for _, l := range lots {
			out[i].Lots = append(out[i].Lots, BookableLot{ID: l.ID, Seq: l.Seq, Name: l.Name})
		}
	}
	return out, nil
}
