package notice

import (
	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/tender"
)

// Who may do what with a project's notices, on top of the role policy
// (auth/policy.go). Objects outside these rules answer "not found", so the
// existence of an unpublished notice is not revealed.

// party reports whether a is the project's tenderer or its agent.
func party(a auth.Actor, p tender.Project) bool {
	if a.Role != auth.Tenderer && a.Role != auth.Agent {
		return false
	}
	return a.OrgID != 0 && (a.OrgID == p.TendererOrgID || a.OrgID == p.AgentOrgID)
}

// centreStaff reports whether a is staff of a centre whose region covers
// the project.
func centreStaff(a auth.Actor, p tender.Project) bool {
	return a.Role == auth.Staff && centre.Within(p.RegionCode, a.Region)
}

// supervises reports whether a is a supervisor of the project's industry
// in a region covering it.
func supervises(a auth.Actor, p tender.Project) bool {
	return a.Role == auth.Supervisor && centre.Within(p.RegionCode, a.Region) && string(a.Industry) == p.Industry
}

// mayDraft: the tenderer or agent of the project, or centre staff of its
// region.
func mayDraft(a auth.Actor, p tender.Project) bool { return party(a, p) || centreStaff(a, p) }

// mayReview: centre staff of the project's region, or an admin.
func mayReview(a auth.Actor, p tender.Project) bool { return a.Role == auth.Admin || centreStaff(a, p) }

// mayOversee: who may see the project's unpublished notices and, after the
// bid deadline, who obtained its documents.
func mayOversee(a auth.Actor, p tender.Project) bool {
	return party(a, p) || centreStaff(a, p) || supervises(a, p) || a.Role == auth.Admin
}
