package expert

import (
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/errs"
)

// Who may do what to which expert, on top of the role policy
// (auth/policy_expert.go) that every use case asks first. The library is
// one for all centres: every centre's staff read it (to see who could sit
// for them remotely), each centre's staff manage their own experts.

// managesCentre: a centre's own staff, or an admin.
func managesCentre(a auth.Actor, centreID int64) bool {
	switch a.Role {
	case auth.Admin:
		return true
	case auth.Staff:
		return a.CentreID == centreID
	}
	return false
}

func refuseManage() error { return errs.E(errs.Forbidden, "只能管理本交易中心的专家") }

// Manages reports whether a may manage the experts of centre centreID (for
// pages deciding whether to show the forms; the use cases check again).
func Manages(a auth.Actor, centreID int64) bool {
	return auth.Can(a.Role, auth.ManageExperts) && managesCentre(a, centreID)
}

// seesPII: ID numbers and phones are shown only to staff of the expert's
// own centre; everyone else who may read the record sees them masked.
func seesPII(a auth.Actor, centreID int64) bool {
	return a.Role == auth.Staff && a.CentreID == centreID
}

// readsExpert: staff and admins read the whole library; supervisors the
// experts of centres in their region.
func readsExpert(a auth.Actor, centreCode string) bool {
	switch a.Role {
	case auth.Admin, auth.Staff:
		return true
	case auth.Supervisor:
		return centre.Within(centreCode, a.Region)
	}
	return false
}

// readPrefix is the region prefix a list is limited to ("" = all).
func readPrefix(a auth.Actor) string {
	if a.Role == auth.Supervisor {
		return regionPrefix(a)
	}
	return ""
}

// regionPrefix is the actor's region as a code prefix; an actor without a
// region matches nothing.
func regionPrefix(a auth.Actor) string {
	if a.Region == "" {
		return "-"
	}
	return centre.Prefix(a.Region)
}

// exportPrefix: an export covers the caller's jurisdiction — a centre's
// staff the centres in its region, supervisors theirs, admins all.
func exportPrefix(a auth.Actor) string {
	if a.Role == auth.Admin {
		return ""
	}
	return regionPrefix(a)
}

func notFound() error { return errs.E(errs.NotFound, "专家不存在") }
