package portal

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"

	"ggzy/internal/auth"
	"ggzy/internal/db"
	"ggzy/internal/errs"
	"ggzy/internal/tender"
)

// errNoNotice is the one answer for a notice that does not exist, is not
// published or is published for later: the public must not learn which.
func errNoNotice() error { return errs.E(errs.NotFound, "公告不存在或尚未发布") }

// Notice returns one published notice with its attachments and the
// project's other published notices.
func (s *Service) Notice(ctx context.Context, a auth.Actor, id int64) (Detail, error) {
	if err := a.Authorize(auth.ReadPortal); err != nil {
		return Detail{}, err
	}
	now := db.Micros(s.Clock.Now())
	var d Detail
	var lotID, amendsID sql.NullInt64
	var lotName sql.NullString
	var hash, sig []byte
	var published, ends, docsFrom, docsUntil, deadline, opening int64
	err := s.DB.QueryRow(ctx, `SELECT n.id, n.kind, n.trade_kind, n.title, n.region_code, n.project_id, n.published_at,
		n.ends_at, n.amount, n.body, p.code, p.name, p.procedure, n.lot_id, l.name, n.amends_id, n.docs_from, n.docs_until,
		n.bid_deadline, n.opening_at, n.content_hash, n.signature
		FROM notices n JOIN projects p ON p.id = n.project_id LEFT JOIN lots l ON l.id = n.lot_id
		WHERE n.id = ? AND n.state = 'published' AND n.published_at <= ?`, id, now).Scan(
		&d.ID, &d.Kind, &d.TradeKind, &d.Title, &d.RegionCode, &d.ProjectID, &published, &ends, &d.Amount, &d.Body,
		&d.ProjectCode, &d.ProjectName, &d.Procedure, &lotID, &lotName, &amendsID, &docsFrom, &docsUntil, &deadline,
		&opening, &hash, &sig)
	if errs.Is(err, errs.NotFound) {
		return Detail{}, errNoNotice()
	}
	if err != nil {
		return Detail{}, err
	}
	d.PublishedAt, d.EndsAt = db.Time(published), db.Time(ends)
	d.DocsFrom, d.DocsUntil, d.BidDeadline, d.OpeningAt = db.Time(docsFrom), db.Time(docsUntil), db.Time(deadline), db.Time(opening)
	d.LotID, d.LotName, d.AmendsID = lotID.Int64, lotName.String, amendsID.Int64
	d.ProcLabel = tender.Procedure(d.Procedure).Label()
	d.ContentHash, d.Signature = hex.EncodeToString(hash), hex.EncodeToString(sig)
	names, err := s.regionNames(ctx)
	if err != nil {
		return Detail{}, err
	}
	label(&d.Summary, names)
	if d.Attachments, err = s.attachments(ctx, id); err != nil {
		return Detail{}, err
	}
	d.Related, _, err = s.readSummaries(ctx, "SELECT "+summaryCols+` FROM notices n
		WHERE n.project_id = ? AND n.id <> ? AND n.state = 'published' AND n.published_at <= ?
		ORDER BY n.published_at, n.id LIMIT 50`, []any{d.ProjectID, id, now}, false, false)
	if err != nil {
		return Detail{}, err
	}
	for i := range d.Related {
		label(&d.Related[i], names)
	}
	if d.Related == nil {
		d.Related = []Summary{}
	}
	return d, nil
}

func (s *Service) attachments(ctx context.Context, noticeID int64) ([]Attachment, error) {
	rows, err := s.DB.Query(ctx, `SELECT id, name, size, digest, tender_docs FROM notice_attachments
		WHERE notice_id = ? ORDER BY id`, noticeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.Name, &a.Size, &a.Digest, &a.TenderDocs); err != nil {
			return nil, err
		}
		route := "attachments"
		if a.TenderDocs {
			route = "documents"
		}
		a.Href = fmt.Sprintf("/api/v1/notices/%d/%s/%d", noticeID, route, a.ID)
		out = append(out, a)
	}
	return out, rows.Err()
}
