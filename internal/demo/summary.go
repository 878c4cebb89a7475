package demo

import (
	"context"
	"time"

	"ggzy/internal/bidding"
	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/money"
	"ggzy/internal/notice"
	"ggzy/internal/tender"
)

// Summary counts what the demo holds, read back from the database.
type Summary struct {
	Now           time.Time // the present the demo was loaded for
	Projects      int
	ByKind        map[tender.TradeKind]int
	ByState       map[tender.State]int
	ByRegion      map[string]int
	ByYear        map[int]int // year of registration, Beijing time
	Green         int         // projects on the green channel
	Overdue       int         // submitted and past the promised time
	Notices       int
	NoticeStates  map[notice.State]int
	NoticeKinds   map[notice.Kind]int
	Bookings      int // active
	Upcoming      int // active and not yet started
	GreenBookings int // active, in reserved green-channel slots
	Cancelled     int
	Traded        money.Fen // award and deal prices of awarded lots
	Savings       money.Fen // maximum price (or estimate) less award price, tenders
	Premium       money.Fen // deal price less starting price, land and property
	AuditEvents   int
	Experts       int // in the expert library, every status
	// The online opening (bidding.go).
	Openings     map[bidding.OpeningState]int // lots by opening state
	OpenedBids   int                          // sealed bids opened (any decryption status)
	Certificates int                          // bidders' certificates
}

func summarise(ctx context.Context, d *db.DB, now time.Time) (Summary, error) {
	s := Summary{Now: now, ByKind: map[tender.TradeKind]int{}, ByState: map[tender.State]int{}, ByRegion: map[string]int{},
		ByYear: map[int]int{}, NoticeStates: map[notice.State]int{}, NoticeKinds: map[notice.Kind]int{},
		Openings: map[bidding.OpeningState]int{}}
	rows, err := d.Query(ctx, "SELECT trade_kind, state, region_code, created_at, green_channel, due_at FROM projects")
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var kind, state, region string
		var created, due int64
		var green bool
		if err := rows.Scan(&kind, &state, &region, &created, &green, &due); err != nil {
			rows.Close()
			return s, err
		}
		s.Projects++
		s.ByKind[tender.TradeKind(kind)]++
		s.ByState[tender.State(state)]++
		s.ByRegion[region]++
		s.ByYear[clock.Local(db.Time(created)).Year()]++
		if green {
			s.Green++
		}
		if tender.State(state) == tender.Submitted && due > 0 && !now.Before(db.Time(due)) {
			s.Overdue++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	rows, err = d.Query(ctx, "SELECT kind, state, count(*) FROM notices GROUP BY kind, state")
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var kind, state string
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			rows.Close()
			return s, err
		}
		s.Notices += n
		s.NoticeKinds[notice.Kind(kind)] += n
		s.NoticeStates[notice.State(state)] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	err = d.QueryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 'active' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'active' AND starts_at > ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'active' AND green = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'cancelled' THEN 1 ELSE 0 END), 0)
		FROM bookings`, db.Micros(now), true).Scan(&s.Bookings, &s.Upcoming, &s.GreenBookings, &s.Cancelled)
	if err != nil {
		return s, err
	}
	err = d.QueryRow(ctx, `SELECT
		CAST(COALESCE(SUM(l.award_price), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN p.trade_kind IN ('construction', 'procurement')
			THEN (CASE WHEN l.max_price > 0 THEN l.max_price ELSE l.estimated_price END) - l.award_price ELSE 0 END), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN p.trade_kind IN ('land', 'property') THEN l.award_price - l.estimated_price ELSE 0 END), 0) AS BIGINT)
		FROM lots l JOIN projects p ON p.id = l.project_id WHERE l.award_price > 0`).Scan(&s.Traded, &s.Savings, &s.Premium)
	if err != nil {
		return s, err
	}
	if err := d.QueryRow(ctx, "SELECT count(*) FROM experts").Scan(&s.Experts); err != nil {
		return s, err
	}
	rows, err = d.Query(ctx, "SELECT state, count(*) FROM openings GROUP BY state")
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return s, err
		}
		s.Openings[bidding.OpeningState(state)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	if err := d.QueryRow(ctx, "SELECT (SELECT count(*) FROM opened_bids), (SELECT count(*) FROM org_certs)").
		Scan(&s.OpenedBids, &s.Certificates); err != nil {
		return s, err
	}
	return s, d.QueryRow(ctx, "SELECT count(*) FROM audit_events").Scan(&s.AuditEvents)
}
