package auth

// The expert library (issue 5). Which experts a caller may read or manage
// is decided by the expert service: every centre's staff read the shared
// library and manage their own centre's experts; supervisors read the
// experts of their region with personal numbers masked; admins manage all.
const (
	ReadSpecialties Action = "expert.specialties" // the specialty taxonomy (public standard)
	ReadExperts     Action = "expert.read"        // the library: list, records, history, flags
	ManageExperts   Action = "expert.manage"      // create, edit, suspend, reinstate, retire, leave, penalties, import
	ExportExperts   Action = "expert.export"      // Excel/CSV export of the caller's jurisdiction
	ExpertPortal    Action = "expert.portal"      // an expert's own record, leave and history
	RateExperts     Action = "expert.rate"        // rate an expert after an evaluation, once per side
)

var expertPolicy = map[Action][]Role{
	ReadSpecialties: everyone,
	ReadExperts:     {Staff, Supervisor, Admin},
	ManageExperts:   {Staff, Admin},
	ExportExperts:   {Staff, Supervisor, Admin},
	ExpertPortal:    {Expert},
	RateExperts:     {Tenderer, Agent, Supervisor},
}

func init() {
	for a, r := range expertPolicy {
		policy[a] = r
	}
}
