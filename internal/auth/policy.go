package auth

import "ggzy/internal/errs"

// Action is something a service does on someone's behalf. Every service
// method names its action and asks Authorize first.
type Action string

const (
	ReadCentres   Action = "centre.read"
	CreateCentre  Action = "centre.create"
	RegisterOrg   Action = "org.register"
	ListOrgs      Action = "org.list"
	ReadOrg       Action = "org.read"
	DecideOrg     Action = "org.decide"
	ReadSelf      Action = "me.read"
	ListUsers     Action = "user.list"
	CreateUser    Action = "user.create"
	ManageTokens  Action = "token.manage"
	ReadAudit     Action = "audit.read"
	ProveAudit    Action = "audit.prove"
	ReadCalendar  Action = "calendar.read"
	ViewWorkbench Action = "workbench.view"

	// The front door (service guide, intake, notices, venues, portal).
	ReadGuide      Action = "guide.read"
	ManageGuide    Action = "guide.manage"
	CreateProject  Action = "project.create"   // register and edit one's own project, submit it
	ReadProject    Action = "project.read"     // own projects; staff/supervisors in jurisdiction
	DecideIntake   Action = "project.decide"   // accept or return a submitted project
	ListIntake     Action = "project.list"     // the intake queue and overdue items
	ArchiveProject Action = "project.archive"  // archive an awarded, failed or terminated project (归档)
	DraftNotice    Action = "notice.draft"     // draft and submit a notice for review
	ReviewNotice   Action = "notice.review"    // approve (schedule) or reject a notice
	ReadNotice     Action = "notice.read"      // published notices and their attachments
	DownloadDocs   Action = "notice.download"  // tender documents (free, no precondition: RULES B2)
	ReadDownloads  Action = "notice.downloads" // who obtained documents: only after the bid deadline (B3)
	ReadVenues     Action = "venue.read"
	ManageRooms    Action = "venue.rooms"
	BookVenue      Action = "venue.book" // book or cancel opening / evaluation slots
	ReadPortal     Action = "portal.read"
)

var everyone = []Role{Anonymous, Tenderer, Agent, Bidder, Expert, Staff, Supervisor, Admin}
var signedIn = []Role{Tenderer, Agent, Bidder, Expert, Staff, Supervisor, Admin}

// policy is the whole access table: an action not listed, or a role not
// listed for it, is refused.
var policy = map[Action][]Role{
	ReadCentres:    everyone,
	ReadCalendar:   everyone,
	RegisterOrg:    {Anonymous}, // free self-service registration (RULES B2)
	CreateCentre:   {Admin},
	ListOrgs:       {Staff, Supervisor, Admin},
	ReadOrg:        signedIn, // own organisation; staff/supervisor/admin within jurisdiction
	DecideOrg:      {Staff, Admin},
	ReadSelf:       signedIn,
	ListUsers:      {Staff, Admin},
	CreateUser:     {Admin},
	ManageTokens:   {Tenderer, Agent, Bidder, Staff, Admin},
	ReadAudit:      {Supervisor, Admin},
	ProveAudit:     {Supervisor, Admin, Staff},
	ViewWorkbench:  signedIn,
	ReadGuide:      everyone,
	ManageGuide:    {Staff, Admin},
	CreateProject:  {Tenderer, Agent},
	ReadProject:    {Tenderer, Agent, Staff, Supervisor, Admin},
	DecideIntake:   {Staff, Admin},
	ListIntake:     {Staff, Supervisor, Admin},
	ArchiveProject: {Staff, Admin},
	DraftNotice:    {Tenderer, Agent, Staff},
	ReviewNotice:   {Staff, Admin},
	ReadNotice:     everyone,
	DownloadDocs:   {Bidder},
	ReadDownloads:  {Tenderer, Agent, Staff, Supervisor, Admin},
	ReadVenues:     {Tenderer, Agent, Staff, Supervisor, Admin},
	ManageRooms:    {Staff, Admin},
	BookVenue:      {Tenderer, Agent, Staff},
	ReadPortal:     everyone,
}

// Can reports whether role r may perform a.
func Can(r Role, a Action) bool {
	for _, x := range policy[a] {
		if x == r {
			return true
		}
	}
	return false
}

// Actions lists every action in the policy.
func Actions() []Action {
	out := make([]Action, 0, len(policy))
	for a := range policy {
		out = append(out, a)
	}
	return out
}

// Authorize refuses an actor whose role may not perform a: anonymous
// callers are asked to sign in, signed-in ones are forbidden.
func (a Actor) Authorize(act Action) error {
	if Can(a.Role, act) {
		return nil
	}
	if !a.SignedIn() {
		return errs.E(errs.Unauthenticated, "请先登录")
	}
	return errs.Forbid()
}
