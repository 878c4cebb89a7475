package venue

import (
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

// Who may do what to which object, on top of the role policy
// (auth/policy.go) that every use case asks first.

// managesCentre: a centre's rooms and reserved slots are managed by its own
// staff, and by platform admins anywhere. Staff of another centre — even a
// higher one — do not run someone else's halls.
func managesCentre(a auth.Actor, centreID int64) bool {
	switch a.Role {
	case auth.Admin:
		return true
	case auth.Staff:
		return a.CentreID == centreID
	}
	return false
}

func refuseManage() error { return errs.E(errs.Forbidden, "只能管理本交易中心的场地") }

// booksFor: the project's own tenderer or agent, or staff of the project's
// centre, may book and cancel for it.
func booksFor(a auth.Actor, p tender.Project) bool {
	switch a.Role {
	case auth.Tenderer:
		return p.TendererOrgID == a.OrgID
	case auth.Agent:
		return p.AgentOrgID != 0 && p.AgentOrgID == a.OrgID
	case auth.Staff:
		return a.CentreID == p.CentreID
	}
	return false
}

// seesBooking: who may know which project a booking of a room of centre
// roomCentre is for — the project's own tenderer and agent, staff of the
// hosting centre or whose jurisdiction covers the project, supervisors
// whose region and industry cover it, and admins. Everyone else sees only
// "已预约".
func seesBooking(a auth.Actor, p projectRef, roomCentre int64) bool {
	switch a.Role {
	case auth.Admin:
		return true
	case auth.Staff:
		return a.CentreID == roomCentre || a.CentreID == p.CentreID || centre.Within(p.RegionCode, a.Region)
	case auth.Supervisor:
		return centre.Within(p.RegionCode, a.Region) && string(a.Industry) == p.Industry
	case auth.Tenderer:
		return p.TendererOrgID == a.OrgID
	case auth.Agent:
		return p.AgentOrgID != 0 && p.AgentOrgID == a.OrgID
	}
	return false
}

// projectRef is what access decisions need of a project.
type projectRef struct {
	ID            int64
	Code, Name    string
	CentreID      int64
	RegionCode    string
	Industry      string
	TendererOrgID int64
	AgentOrgID    int64
}

func refOf(p tender.Project) projectRef {
	return projectRef{ID: p.ID, Code: p.Code, Name: p.Name, CentreID: p.CentreID, RegionCode: p.RegionCode,
		Industry: p.Industry, TendererOrgID: p.TendererOrgID, AgentOrgID: p.AgentOrgID}
}

// bookableStates are the project states in which rooms may be booked: from
// acceptance by the centre until the project is decided or abandoned (a
// failed tender may be re-run).
var bookableStates = []tender.State{tender.Accepted, tender.Tendering, tender.Evaluating, tender.Publicity, tender.Failed}

func bookable(s tender.State) bool {
	for _, x := range bookableStates {
		if x == s {
			return true
		}
	}
	return false
}
