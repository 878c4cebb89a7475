package ca

import (
	"context"
	"strconv"
	"strings"

	"github.com/emmansun/gmsm/smx509"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

// SQL for org_certs. Nothing here checks access: the use cases do, before
// they call it. Organisations are read, never written.

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// orgRef is what the use cases need of an organisation.
type orgRef struct {
	ID         int64
	Name       string
	Kind       auth.OrgKind
	CreditCode string
	Region     string
	Status     auth.Status
}

func scanOrg(row *db.Row) (orgRef, error) {
	var o orgRef
	err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.CreditCode, &o.Region, &o.Status)
	if errs.Is(err, errs.NotFound) {
		return o, errs.E(errs.NotFound, "单位不存在")
	}
	return o, err
}

const orgCols = "SELECT id, name, kind, credit_code, region_code, status FROM organisations "

func orgByID(ctx context.Context, q db.Querier, id int64) (orgRef, error) {
	return scanOrg(q.QueryRow(ctx, orgCols+"WHERE id = ?", id))
}

func orgByCreditCode(ctx context.Context, q db.Querier, code string) (orgRef, error) {
	o, err := scanOrg(q.QueryRow(ctx, orgCols+"WHERE credit_code = ?", strings.ToUpper(strings.TrimSpace(code))))
	if errs.Is(err, errs.NotFound) {
		return o, errs.E(errs.NotFound, "没有统一社会信用代码为 %s 的单位", code)
	}
	return o, err
}

const certCols = `k.id, k.org_id, o.name, o.credit_code, o.region_code, k.fingerprint, k.serial, k.subject, k.issuer,
	k.not_before, k.not_after, k.source, k.der, k.bound_at, k.bound_by, k.revoked_at, k.revoke_reason`
const certFrom = ` FROM org_certs k JOIN organisations o ON o.id = k.org_id`

func scanCert(row interface{ Scan(...any) error }) (Cert, error) {
	var c Cert
	var nb, na, bound, revoked int64
	var der []byte
	err := row.Scan(&c.ID, &c.OrgID, &c.OrgName, &c.CreditCode, &c.region, &c.Fingerprint, &c.Serial, &c.Subject,
		&c.Issuer, &nb, &na, &c.Source, &der, &bound, &c.BoundBy, &revoked, &c.RevokeReason)
	c.NotBefore, c.NotAfter, c.BoundAt, c.RevokedAt = db.Time(nb), db.Time(na), db.Time(bound), db.Time(revoked)
	if len(der) > 0 {
		c.PEM = string(EncodeCertPEM(&smx509.Certificate{Raw: der}))
	}
	return c, err
}

func getCert(ctx context.Context, q db.Querier, id int64) (Cert, error) {
	c, err := scanCert(q.QueryRow(ctx, "SELECT "+certCols+certFrom+" WHERE k.id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return c, errs.E(errs.NotFound, "证书不存在")
	}
	return c, err
}

func certByFingerprint(ctx context.Context, q db.Querier, fp string) (Cert, error) {
	c, err := scanCert(q.QueryRow(ctx, "SELECT "+certCols+certFrom+" WHERE k.fingerprint = ?", fp))
	if errs.Is(err, errs.NotFound) {
		return c, errs.E(errs.NotFound, "证书不存在")
	}
	return c, err
}

// listCerts lists bindings newest first; regionPrefix "" = every region.
func listCerts(ctx context.Context, q db.Querier, f Filter, regionPrefix string) ([]Cert, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.OrgID != 0 {
		where, args = append(where, "k.org_id = ?"), append(args, f.OrgID)
	}
	if f.Fingerprint != "" {
		where, args = append(where, "k.fingerprint = ?"), append(args, strings.ToLower(strings.TrimSpace(f.Fingerprint)))
	}
	if regionPrefix != "" {
		where, args = append(where, "o.region_code LIKE ?"), append(args, regionPrefix+"%")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := q.QueryRow(ctx, "SELECT count(*)"+certFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.Query(ctx, "SELECT "+certCols+certFrom+cond+" ORDER BY k.bound_at DESC, k.id DESC LIMIT ? OFFSET ?",
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Cert
	for rows.Next() {
		c, err := scanCert(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// insertCert binds c to org; a fingerprint bound before (to anyone, revoked
// or not) is a conflict.
func insertCert(ctx context.Context, tx *db.Tx, org orgRef, c *smx509.Certificate, src Source, a auth.Actor, now int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO org_certs (org_id, fingerprint, serial, subject, issuer, not_before, not_after,
		source, der, bound_at, bound_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		org.ID, Fingerprint(c), SerialHex(c), c.Subject.String(), c.Issuer.String(), db.Micros(c.NotBefore),
		db.Micros(c.NotAfter), string(src), c.Raw, now, a.UserID).Scan(&id)
	return id, err
}
