package auth

// The verifiable expert draw (issue 5, internal/draw). Which draw a caller
// may act on is decided by the draw service: the lot's centre staff run it,
// a supervisor of the project's industry and region witnesses it, the
// expert answers only their own invitations. Nobody may name an expert for
// a panel (RULES A16): there is no action for it.
const (
	RequestDraw     Action = "draw.request"  // create a draw request, fix the pool, release an accepted member
	ReadDraw        Action = "draw.read"     // draw pages, live progress (masked names)
	WitnessDraw     Action = "draw.witness"  // contribute the witness's random value
	PrintDrawList   Action = "draw.print"    // print the sealed list for the evaluation room
	VerifyDraw      Action = "draw.verify"   // replay a draw from the audit log
	AnswerDraw      Action = "draw.answer"   // an expert's own invitations and answers
	DrawGatewayCall Action = "draw.callback" // the voice gateway's signed callback (authenticated by its signature)
)

var drawPolicy = map[Action][]Role{
	RequestDraw:     {Staff},
	ReadDraw:        {Staff, Supervisor, Admin},
	WitnessDraw:     {Supervisor},
	PrintDrawList:   {Supervisor},
	VerifyDraw:      {Staff, Supervisor, Admin},
	AnswerDraw:      {Expert},
	DrawGatewayCall: everyone,
}

func init() {
	for a, r := range drawPolicy {
		policy[a] = r
	}
}
