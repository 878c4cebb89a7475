package draw

import (
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/tender"
)

// Who may do what to which draw, on top of the role policy
// (auth/policy_draw.go) that every use case asks first.

// runs: the lot's own centre staff run its draws.
func runs(a auth.Actor, p tender.Project) bool {
	return a.Role == auth.Staff && a.CentreID == p.CentreID
}

// witnesses: a supervisor of the project's industry whose region covers
// it is the draw's witness (监督见证).
func witnesses(a auth.Actor, p tender.Project) bool { return tender.Supervises(a, p) }

// reads: who may follow a draw (masked names only): its staff, staff of a
// centre above, its supervisors, administrators.
func reads(a auth.Actor, p tender.Project) bool {
	switch a.Role {
	case auth.Admin:
		return true
	case auth.Staff:
		return a.CentreID == p.CentreID || centre.Within(p.RegionCode, a.Region)
	case auth.Supervisor:
		return witnesses(a, p)
	}
	return false
}

// seesNames: once the list is unsealed, who of the readers sees names —
// the session's staff and, except for government procurement before the
// result is published (RULES C12), its supervisors. Panel members see the
// list through their own invitations.
func seesNames(a auth.Actor, p tender.Project, unsealed, resultOut bool) bool {
	if !unsealed {
		return false
	}
	switch {
	case runs(a, p):
		return true
	case witnesses(a, p):
		return p.TradeKind != tender.Procurement || resultOut
	case a.Role == auth.Admin:
		return p.TradeKind != tender.Procurement || resultOut
	}
	return false
}
