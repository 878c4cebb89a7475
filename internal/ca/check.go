package ca

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/clock"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// Reasons Check refuses a certificate. The *errs.Error it returns wraps one
// of them, so callers can tell them apart with errors.Is; users read the
// Chinese message.
var (
	ErrUntrusted   = errors.New("ca: certificate not trusted")
	ErrExpired     = errors.New("ca: certificate expired")
	ErrNotYetValid = errors.New("ca: certificate not yet valid")
	ErrUnbound     = errors.New("ca: certificate not bound to the organisation")
	ErrRevoked     = errors.New("ca: certificate revoked")
)

func refuse(reason error, format string, args ...any) error {
	e := errs.E(errs.Invalid, format, args...)
	e.Err = reason
	return e
}

func timeText(t time.Time) string { return clock.Format(t) }

// Check is what the bidding service calls (inside its transaction q)
// before accepting a sealed bid or a decryption: the certificate is an SM2
// end-entity certificate, chains to a trusted root, is valid at `at`, is
// bound to organisation orgID and was not revoked at `at`. The error is an
// *errs.Error (code invalid) whose message names the reason — 不受信任,
// 已过期 / 尚未生效, 未绑定, 已吊销 — and which wraps ErrUntrusted,
// ErrExpired, ErrNotYetValid, ErrUnbound or ErrRevoked.
func (s *Service) Check(ctx context.Context, q db.Querier, orgID int64, c *smx509.Certificate, at time.Time) error {
	if err := s.verify(c, at); err != nil {
		return err
	}
	fp := Fingerprint(c)
	var owner, revoked int64
	var reason string
	err := q.QueryRow(ctx, "SELECT org_id, revoked_at, revoke_reason FROM org_certs WHERE fingerprint = ?", fp).
		Scan(&owner, &revoked, &reason)
	switch {
	case errs.Is(err, errs.NotFound):
		return refuse(ErrUnbound, "证书未绑定：该证书（指纹 %s）未绑定到任何单位，请先在工作台绑定", fp)
	case err != nil:
		return err
	case owner != orgID:
		return refuse(ErrUnbound, "证书未绑定到本单位：该证书（指纹 %s）不属于本单位", fp)
	case revoked != 0 && !at.Before(db.Time(revoked)):
		return refuse(ErrRevoked, "证书已吊销：该证书（指纹 %s）已于 %s 吊销，原因：%s", fp, timeText(db.Time(revoked)), reason)
	}
	return nil
}

// verify checks what needs no database: an SM2 end-entity certificate,
// valid at `at`, chaining to a trusted root through known intermediates.
func (s *Service) verify(c *smx509.Certificate, at time.Time) error {
	if c == nil || len(c.Raw) == 0 {
		return refuse(ErrUntrusted, "证书不受信任：未提供证书")
	}
	if pub, ok := c.PublicKey.(*ecdsa.PublicKey); !ok || !sm2.IsSM2PublicKey(pub) || c.SignatureAlgorithm != smx509.SM2WithSM3 {
		return refuse(ErrUntrusted, "证书不受信任：不是 SM2 国密证书（须为 SM2 公钥、SM2-SM3 签名）")
	}
	if c.IsCA {
		return refuse(ErrUntrusted, "证书不受信任：这是 CA 证书，不能作为单位证书")
	}
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return refuse(ErrUntrusted, "证书不受信任：证书的密钥用途不含数字签名")
	}
	switch {
	case at.Before(c.NotBefore):
		return refuse(ErrNotYetValid, "证书尚未生效：生效时间为 %s", timeText(c.NotBefore))
	case at.After(c.NotAfter):
		return refuse(ErrExpired, "证书已过期：有效期至 %s", timeText(c.NotAfter))
	}
	_, err := c.Verify(smx509.VerifyOptions{Roots: s.Roots, Intermediates: s.Intermediates, CurrentTime: at,
		KeyUsages: []smx509.ExtKeyUsage{smx509.ExtKeyUsageAny}})
	if err == nil {
		return nil
	}
	var inv smx509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == smx509.Expired {
		return refuse(ErrExpired, "证书已过期：签发它的 CA 证书在 %s 不在有效期内", timeText(at))
	}
	return refuse(ErrUntrusted, "证书不受信任：不是由平台信任的证书颁发机构签发（签发者：%s）", c.Issuer.String())
}
