package ca

import (
	"context"
	"crypto/ecdsa"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/gm"
	"ggzy/internal/platform"
)

// Service binds, lists, revokes and issues bidders' certificates and checks
// them for the bidding service.
type Service struct {
	platform.Base
	Authority *Authority
	// Roots are the trust anchors: the built-in root and every self-signed
	// external CA certificate. Intermediates are the external CA
	// certificates that are not self-signed.
	Roots         *smx509.CertPool
	Intermediates *smx509.CertPool
	trusted       []Root
}

// New wires the service over the built-in authority and the external CA
// certificates a deployment trusts (LoadRoots; may be empty).
func New(b platform.Base, a *Authority, external []*smx509.Certificate) *Service {
	s := &Service{Base: b, Authority: a, Roots: smx509.NewCertPool(), Intermediates: smx509.NewCertPool()}
	s.Roots.AddCert(a.Cert)
	s.trusted = append(s.trusted, rootOf(a.Cert, true))
	for _, c := range external {
		if selfSigned(c) {
			s.Roots.AddCert(c)
		} else {
			s.Intermediates.AddCert(c)
		}
		s.trusted = append(s.trusted, rootOf(c, false))
	}
	return s
}

func rootOf(c *smx509.Certificate, builtin bool) Root {
	return Root{Subject: c.Subject.String(), Fingerprint: Fingerprint(c), NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		Builtin: builtin, SelfSigned: selfSigned(c), PEM: string(EncodeCertPEM(c))}
}

// Trusted lists the CA certificates the platform trusts, the built-in root
// first. They are public: anyone may fetch them to check a certificate.
func (s *Service) Trusted(a auth.Actor) ([]Root, error) {
	if err := a.Authorize(auth.ReadCARoots); err != nil {
		return nil, err
	}
	return append([]Root(nil), s.trusted...), nil
}

// ---- who sees what ----

// oversees: a bidder its own organisation's certificates; staff and
// supervisors those of organisations in their region; admins all.
func oversees(a auth.Actor, orgID int64, region string) bool {
	switch a.Role {
	case auth.Admin:
		return true
	case auth.Staff, auth.Supervisor:
		return centre.Within(region, a.Region)
	case auth.Bidder:
		return a.OrgID == orgID
	}
	return false
}

// managesOrg: staff may issue and revoke for bidders of their region,
// admins for any.
func managesOrg(a auth.Actor, region string) bool {
	switch a.Role {
	case auth.Admin:
		return true
	case auth.Staff:
		return centre.Within(region, a.Region)
	}
	return false
}

func notFound() error { return errs.E(errs.NotFound, "证书不存在") }

// ---- use cases ----

// Bind binds an uploaded certificate (PEM) to the caller's own bidder
// organisation. The certificate must be SM2, chain to a trusted CA, be
// valid now, and name the organisation's credit code in its subject
// (SERIALNUMBER, OU or CN), so no one can bind — and so block — another
// organisation's certificate. A fingerprint can be bound once, ever.
func (s *Service) Bind(ctx context.Context, a auth.Actor, pemText string) (Cert, error) {
	if err := a.Authorize(auth.BindCert); err != nil {
		return Cert{}, err
	}
	var f errs.Fields
	if strings.TrimSpace(pemText) == "" {
		f.Add("pem", "请粘贴或上传 PEM 格式的证书")
		return Cert{}, f.Err()
	}
	if len(pemText) > maxPEM {
		f.Add("pem", "证书过长（不超过 %d 字节）", maxPEM)
		return Cert{}, f.Err()
	}
	certs, err := ParseCertsPEM([]byte(pemText))
	if err != nil {
		f.Add("pem", "不是 PEM 格式的证书（应以 -----BEGIN CERTIFICATE----- 开头）")
		return Cert{}, f.Err()
	}
	if len(certs) > 1 {
		f.Add("pem", "请只上传本单位的证书一张；中级 CA 证书由平台管理员配置为信任证书")
		return Cert{}, f.Err()
	}
	c := certs[0]
	now := s.Clock.Now()
	if err := s.verify(c, now); err != nil {
		f.Add("pem", "%s", errs.As(err).Message)
		return Cert{}, &errs.Error{Code: errs.Invalid, Message: errs.As(err).Message, Fields: f, Err: err}
	}
	var out Cert
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		org, err := orgByID(ctx, tx, a.OrgID)
		if err != nil {
			return err
		}
		if org.Kind != auth.KindBidder {
			return errs.E(errs.Forbidden, "只有投标人单位可以绑定证书")
		}
		if !namesOrg(c, org.CreditCode) {
			var f errs.Fields
			f.Add("pem", "证书主题中没有本单位的统一社会信用代码 %s，不能绑定到本单位", org.CreditCode)
			return f.Err()
		}
		id, err := s.bindTx(ctx, tx, a, org, c, Uploaded, now)
		if err != nil {
			return err
		}
		if out, err = getCert(ctx, tx, id); err != nil {
			return err
		}
		return s.Record(ctx, tx, a, "cert.bind", "org_cert", itoa(id), org.Region, "", details(out))
	})
	out.stateAt(now)
	return out, err
}

// maxPEM bounds an uploaded certificate.
const maxPEM = 16 << 10

// namesOrg reports whether the certificate's subject carries the credit
// code in any attribute (SERIALNUMBER, OU, CN "单位名称(代码)" …).
func namesOrg(c *smx509.Certificate, creditCode string) bool {
	if creditCode == "" {
		return false
	}
	for _, atv := range c.Subject.Names {
		if v, ok := atv.Value.(string); ok && strings.Contains(strings.ToUpper(v), creditCode) {
			return true
		}
	}
	return false
}

// bindTx inserts the binding, turning a duplicate fingerprint into a clear
// refusal.
func (s *Service) bindTx(ctx context.Context, tx *db.Tx, a auth.Actor, org orgRef, c *smx509.Certificate, src Source, now time.Time) (int64, error) {
	fp := Fingerprint(c)
	if old, err := certByFingerprint(ctx, tx, fp); err == nil {
		return 0, duplicate(old, org.ID)
	} else if !errs.Is(err, errs.NotFound) {
		return 0, err
	}
	id, err := insertCert(ctx, tx, org, c, src, a, db.Micros(now))
	if errs.Is(err, errs.Conflict) {
		// Bound by a concurrent request between the look-up and the insert.
		return 0, errs.E(errs.Conflict, "该证书（指纹 %s）已经绑定，不能重复绑定", fp)
	}
	return id, err
}

func duplicate(old Cert, orgID int64) error {
	switch {
	case !old.RevokedAt.IsZero():
		return errs.E(errs.Conflict, "该证书（指纹 %s）已于 %s 吊销，不能再次绑定", old.Fingerprint, timeText(old.RevokedAt))
	case old.OrgID == orgID:
		return errs.E(errs.Conflict, "该证书（指纹 %s）已绑定到本单位，无需重复绑定", old.Fingerprint)
	}
	return errs.E(errs.Conflict, "该证书（指纹 %s）已被其他单位绑定，不能重复绑定", old.Fingerprint)
}

// details is what the trail records of a binding.
func details(c Cert) map[string]any {
	return map[string]any{"org_id": c.OrgID, "fingerprint": c.Fingerprint, "serial": c.Serial, "subject": c.Subject,
		"issuer": c.Issuer, "not_before": c.NotBefore.Format(time.RFC3339), "not_after": c.NotAfter.Format(time.RFC3339),
		"source": string(c.Source)}
}

// List lists certificates: a bidder its own organisation's; staff and
// supervisors those of organisations in their region; admins all.
func (s *Service) List(ctx context.Context, a auth.Actor, f Filter) ([]Cert, int, error) {
	if err := a.Authorize(auth.ReadCerts); err != nil {
		return nil, 0, err
	}
	prefix := ""
	switch a.Role {
	case auth.Bidder:
		f.OrgID = a.OrgID
	case auth.Staff, auth.Supervisor:
		if a.Region == "" {
			return nil, 0, nil
		}
		prefix = centre.Prefix(a.Region)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	cs, total, err := listCerts(ctx, s.DB, f, prefix)
	now := s.Clock.Now()
	for i := range cs {
		cs[i].stateAt(now)
	}
	return cs, total, err
}

// Get shows one certificate to those who may see its organisation's
// certificates; to anyone else it does not exist.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (Cert, error) {
	if err := a.Authorize(auth.ReadCerts); err != nil {
		return Cert{}, err
	}
	c, err := getCert(ctx, s.DB, id)
	if err != nil {
		return Cert{}, err
	}
	if !oversees(a, c.OrgID, c.region) {
		return Cert{}, notFound()
	}
	c.stateAt(s.Clock.Now())
	return c, nil
}

// Revoke revokes a certificate for good, with a reason: a bidder its own
// organisation's, staff those of bidders in their region, admins any. From
// then on Check refuses it; the binding stays for the record.
func (s *Service) Revoke(ctx context.Context, a auth.Actor, id int64, reason string) (Cert, error) {
	if err := a.Authorize(auth.RevokeCert); err != nil {
		return Cert{}, err
	}
	reason = strings.TrimSpace(reason)
	var out Cert
	now := s.Clock.Now()
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		c, err := getCert(ctx, tx, id)
		if err != nil {
			return err
		}
		switch {
		case a.Role == auth.Bidder && c.OrgID == a.OrgID:
		case a.Role != auth.Bidder && managesOrg(a, c.region):
		case oversees(a, c.OrgID, c.region):
			return errs.E(errs.Forbidden, "只能吊销本单位或本辖区投标人的证书")
		default:
			return notFound()
		}
		var f errs.Fields
		if f.Required("reason", "吊销原因", reason) {
			f.MaxLen("reason", "吊销原因", reason, 200)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if !c.RevokedAt.IsZero() {
			return errs.E(errs.Conflict, "该证书已于 %s 吊销", timeText(c.RevokedAt))
		}
		res, err := tx.Exec(ctx, "UPDATE org_certs SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at = 0",
			db.Micros(now), reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, "该证书已被吊销")
		}
		c.RevokedAt, c.RevokeReason = db.Time(db.Micros(now)), reason
		out = c
		return s.Record(ctx, tx, a, "cert.revoke", "org_cert", itoa(id), c.region, "", map[string]any{
			"org_id": c.OrgID, "fingerprint": c.Fingerprint, "serial": c.Serial, "reason": reason})
	})
	out.stateAt(now)
	return out, err
}

// Issue has the built-in CA issue a certificate for a bidder organisation
// (named by id or credit code) and the SM2 public key its tool generated,
// and binds it to the organisation. Staff issue for bidders of their
// region, admins for any.
func (s *Service) Issue(ctx context.Context, a auth.Actor, n NewCert) (Cert, error) {
	if err := a.Authorize(auth.IssueCert); err != nil {
		return Cert{}, err
	}
	var f errs.Fields
	if n.OrgID == 0 && strings.TrimSpace(n.CreditCode) == "" {
		f.Add("org_id", "请指定投标人单位（单位编号或统一社会信用代码）")
	}
	var pub *ecdsa.PublicKey
	if strings.TrimSpace(n.PublicKey) == "" {
		f.Add("public_key", "请提供 PEM 格式的 SM2 公钥")
	} else if p, err := gm.ParsePublicKeyPEM([]byte(n.PublicKey)); err != nil {
		f.Add("public_key", "不是 PEM 格式的 SM2 公钥（应以 -----BEGIN PUBLIC KEY----- 开头）")
	} else {
		pub = p
	}
	validity := DefaultValidity
	switch {
	case n.Days < 0 || n.Days > MaxDays:
		f.Add("valid_days", "有效期须为1至%d天，缺省为两年", MaxDays)
	case n.Days > 0:
		validity = time.Duration(n.Days) * 24 * time.Hour
	}
	if err := f.Err(); err != nil {
		return Cert{}, err
	}
	var out Cert
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var org orgRef
		var err error
		if n.OrgID != 0 {
			org, err = orgByID(ctx, tx, n.OrgID)
		} else {
			org, err = orgByCreditCode(ctx, tx, n.CreditCode)
		}
		if err != nil {
			return err
		}
		id, err := s.issueTx(ctx, tx, a, org, pub, validity)
		if err != nil {
			return err
		}
		out, err = getCert(ctx, tx, id)
		return err
	})
	out.stateAt(s.Clock.Now())
	return out, err
}

// IssueFor issues and binds a certificate for bidder organisation orgID
// and pub, valid two years from now (the demo and `ggzy cert issue` use it;
// the access rules are Issue's).
func (s *Service) IssueFor(ctx context.Context, a auth.Actor, orgID int64, pub *ecdsa.PublicKey) (*smx509.Certificate, error) {
	if err := a.Authorize(auth.IssueCert); err != nil {
		return nil, err
	}
	if pub == nil || !sm2.IsSM2PublicKey(pub) {
		var f errs.Fields
		f.Add("public_key", "公钥不是 SM2 公钥")
		return nil, f.Err()
	}
	var out *smx509.Certificate
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		org, err := orgByID(ctx, tx, orgID)
		if err != nil {
			return err
		}
		id, err := s.issueTx(ctx, tx, a, org, pub, DefaultValidity)
		if err != nil {
			return err
		}
		var der []byte
		if err := tx.QueryRow(ctx, "SELECT der FROM org_certs WHERE id = ?", id).Scan(&der); err != nil {
			return err
		}
		out, err = smx509.ParseCertificate(der)
		return err
	})
	return out, err
}

// issueTx checks the organisation, issues and binds, and records it.
func (s *Service) issueTx(ctx context.Context, tx *db.Tx, a auth.Actor, org orgRef, pub *ecdsa.PublicKey, validity time.Duration) (int64, error) {
	if !managesOrg(a, org.Region) {
		if a.Role == auth.Staff {
			return 0, errs.E(errs.Forbidden, "只能为本辖区的投标人签发证书")
		}
		return 0, errs.Forbid()
	}
	if org.Kind != auth.KindBidder {
		return 0, errs.E(errs.Invalid, "只能为投标人单位签发证书，%s是%s", org.Name, org.Kind.Label())
	}
	if org.Status != auth.Approved {
		return 0, errs.E(errs.Invalid, "%s的注册尚未审核通过（%s），不能签发证书", org.Name, org.Status.Label())
	}
	now := s.Clock.Now()
	c, err := s.Authority.Issue(Subject{OrgName: org.Name, CreditCode: org.CreditCode}, pub, now, now.Add(validity))
	if err != nil {
		return 0, errs.Wrap(errs.Internal, err, "签发证书失败")
	}
	id, err := s.bindTx(ctx, tx, a, org, c, Issued, now)
	if err != nil {
		return 0, err
	}
	return id, s.Record(ctx, tx, a, "cert.issue", "org_cert", itoa(id), org.Region, "", map[string]any{
		"org_id": org.ID, "fingerprint": Fingerprint(c), "serial": SerialHex(c), "subject": c.Subject.String(),
		"not_before": c.NotBefore.Format(time.RFC3339), "not_after": c.NotAfter.Format(time.RFC3339)})
}

// Manages reports whether a may issue for and revoke the certificates of
// organisations in region (for pages deciding which forms to show).
func Manages(a auth.Actor, region string) bool {
	return auth.Can(a.Role, auth.IssueCert) && managesOrg(a, region)
}
