package auth

// Bidders' SM2 certificates (internal/ca): who may see, bind, revoke and
// issue them. Jurisdiction (own organisation; staff and supervisors their
// region) is applied by the ca service on top.
const (
	ReadCerts   Action = "cert.read"   // own organisation's; staff, supervisors in their region; admins all
	BindCert    Action = "cert.bind"   // bind an uploaded certificate to one's own bidder organisation
	RevokeCert  Action = "cert.revoke" // own organisation's; staff for bidders of their region; admins any
	IssueCert   Action = "cert.issue"  // the built-in CA issues for a bidder (demo, tests, no external CA)
	ReadCARoots Action = "cert.roots"  // the trusted CA certificates are public
)

var certPolicy = map[Action][]Role{
	ReadCerts:   {Bidder, Staff, Supervisor, Admin},
	BindCert:    {Bidder},
	RevokeCert:  {Bidder, Staff, Admin},
	IssueCert:   {Staff, Admin},
	ReadCARoots: everyone,
}

func init() {
	for a, r := range certPolicy {
		policy[a] = r
	}
}
