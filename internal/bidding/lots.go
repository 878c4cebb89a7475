package bidding

import (
	"context"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/money"
	"ggzy/internal/tender"
)

// LotEntry is a lot as the bidding workbench lists it. It never carries a
// count of bids or a bidder's name: a bidder sees only its own bid.
type LotEntry struct {
	LotID       int64        `json:"lot_id"`
	ProjectID   int64        `json:"project_id"`
	ProjectCode string       `json:"project_code"`
	ProjectName string       `json:"project_name"`
	LotName     string       `json:"lot_name"`
	Round       int          `json:"round"` // 轮次 (1 unless the lot was tendered again)
	CentreName  string       `json:"centre_name"`
	MaxPrice    money.Fen    `json:"max_price"`
	Deadline    time.Time    `json:"bid_deadline"`
	State       OpeningState `json:"state"`
	StateText   string       `json:"state_text"`
	// The caller's own bid (bidders only).
	MyBid        bool   `json:"my_bid,omitempty"`
	MyStatus     Status `json:"my_status,omitempty"`
	MyStatusText string `json:"my_status_text,omitempty"`
}

const lotEntryCols = `l.id, p.id, p.code, p.name, l.name, c.name, l.max_price, l.bid_deadline, ` + roundSQL

const lotEntryFrom = ` FROM lots l JOIN projects p ON p.id = l.project_id JOIN centres c ON c.id = p.centre_id`

// scanLotEntry reads lotEntryCols and then extra.
func scanLotEntry(row interface{ Scan(...any) error }, extra ...any) (LotEntry, error) {
	var e LotEntry
	var deadline int64
	err := row.Scan(append([]any{&e.LotID, &e.ProjectID, &e.ProjectCode, &e.ProjectName, &e.LotName, &e.CentreName,
		&e.MaxPrice, &deadline, &e.Round}, extra...)...)
	e.Deadline = db.Time(deadline)
	return e, err
}

// Taking lists the lots taking sealed bids now: projects whose tender
// notice is published (公告中) with a bid deadline still ahead and an
// opening time (listings and auctions have none), as the public notices
// show them, single-source purchases excepted (not opened online). For a
// bidder each lot says whether it holds an active bid of its own in the
// lot's current round.
func (s *Service) Taking(ctx context.Context, a auth.Actor) ([]LotEntry, error) {
	if err := a.Authorize(auth.ViewOpening); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+lotEntryCols+lotEntryFrom+` WHERE p.state = 'tendering' AND l.bid_deadline > ?
		AND l.opening_at > 0 AND p.procedure <> ? ORDER BY l.bid_deadline, l.id LIMIT 200`, db.Micros(s.now()), tender.SingleSource)
	if err != nil {
		return nil, err
	}
	out := []LotEntry{}
	for rows.Next() {
		e, err := scanLotEntry(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The slots are read after the rows are closed: one connection may
	// not hold two result sets (SQLite in a transaction, PostgreSQL).
	for i := range out {
		out[i].State, out[i].StateText = Waiting, Waiting.Label()
		if a.Role == auth.Bidder && a.OrgID != 0 {
			_, found, err := s.activeBid(ctx, s.DB, out[i].LotID, out[i].Round, s.slotOf(out[i].LotID, out[i].Round, a.OrgID))
			if err != nil {
				return nil, err
			}
			out[i].MyBid = found
		}
	}
	return out, nil
}

// MyOpened lists the rounds of lots whose opening has started in which
// the bidder's organisation had a bid, newest first, with the bid's status
// (Round and Deadline are the opened round's).
func (s *Service) MyOpened(ctx context.Context, a auth.Actor) ([]LotEntry, error) {
	if err := a.Authorize(auth.SubmitBid); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+lotEntryCols+", o.state, ob.status, o.round, o.bid_deadline"+lotEntryFrom+
		` JOIN opened_bids ob ON ob.lot_id = l.id JOIN openings o ON o.lot_id = l.id AND o.round = ob.round
		WHERE ob.bidder_org_id = ? ORDER BY o.bid_deadline DESC, l.id LIMIT 100`, a.OrgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LotEntry{}
	for rows.Next() {
		var state OpeningState
		var status Status
		var round int
		var deadline int64
		e, err := scanLotEntry(rows, &state, &status, &round, &deadline)
		if err != nil {
			return nil, err
		}
		e.Round, e.Deadline = round, db.Time(deadline)
		e.State, e.StateText, e.MyBid, e.MyStatus, e.MyStatusText = state, state.Label(), true, status, status.Label()
		out = append(out, e)
	}
	return out, rows.Err()
}

// HallLots lists, for the project's side, centre staff, supervisors and
// administrators, the lots with a bid deadline of the projects they may
// see (their own; their jurisdiction), latest deadline first, with where
// the opening of each lot's current round stands.
func (s *Service) HallLots(ctx context.Context, a auth.Actor) ([]LotEntry, error) {
	if err := a.Authorize(auth.ViewOpening); err != nil {
		return nil, err
	}
	where := "l.bid_deadline > 0 AND l.opening_at > 0 AND p.state <> 'draft'"
	var args []any
	switch a.Role {
	case auth.Tenderer, auth.Agent:
		if a.OrgID == 0 {
			return []LotEntry{}, nil
		}
		where += " AND (p.tenderer_org_id = ? OR p.agent_org_id = ?)"
		args = append(args, a.OrgID, a.OrgID)
	case auth.Staff:
		if a.Region == "" {
			return []LotEntry{}, nil
		}
		where += " AND p.region_code LIKE ?"
		args = append(args, centre.Prefix(a.Region)+"%")
	case auth.Supervisor:
		if a.Region == "" || a.Industry == "" {
			return []LotEntry{}, nil
		}
		where += " AND p.region_code LIKE ? AND p.industry = ?"
		args = append(args, centre.Prefix(a.Region)+"%", string(a.Industry))
	case auth.Admin:
	default:
		return nil, errs.E(errs.Forbidden, "投标人请在“投标与开标”中查看正在接受投标的标段")
	}
	rows, err := s.DB.Query(ctx, "SELECT "+lotEntryCols+", COALESCE(o.state, '')"+lotEntryFrom+
		" LEFT JOIN openings o ON o.lot_id = l.id AND o.bid_deadline >= l.bid_deadline WHERE "+where+
		" ORDER BY l.bid_deadline DESC, l.id LIMIT 200", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LotEntry{}
	for rows.Next() {
		var state OpeningState
		e, err := scanLotEntry(rows, &state)
		if err != nil {
			return nil, err
		}
		if state == "" {
			state = Waiting
		}
		e.State, e.StateText = state, state.Label()
		out = append(out, e)
	}
	return out, rows.Err()
}
