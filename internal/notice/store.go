package notice

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"ggzy/internal/auth"
	"ggzy/internal/centre"
	"ggzy/internal/db"
	"ggzy/internal/errs"
)

const noticeCols = `n.id, n.project_id, p.code, p.name, p.procedure, p.tenderer_org_id, p.agent_org_id, p.industry, n.lot_id, n.kind, n.title, n.body, n.trade_kind,
	n.region_code, n.state, n.amends_id, n.docs_from, n.docs_until, n.bid_deadline, n.opening_at, n.starts_at, n.ends_at,
	n.publish_at, n.published_at, n.amount, n.awardee_org_id, n.affects_bids, n.invitees, n.content_hash, n.signature,
	n.created_by, n.created_at, n.updated_at, n.submitted_at, n.reviewed_by, n.reviewed_at, n.review_note`

const noticeFrom = " FROM notices n JOIN projects p ON p.id = n.project_id"

func scanNotice(row interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	var lot, amends, awardee, agent sql.NullInt64
	var docsFrom, docsUntil, deadline, opening, starts, ends, publishAt, publishedAt, created, updated, submitted, reviewed int64
	var invitees string
	var hash, sig []byte
	err := row.Scan(&n.ID, &n.ProjectID, &n.ProjectCode, &n.ProjectName, &n.Procedure, &n.owner.TendererOrgID, &agent,
		&n.owner.Industry, &lot, &n.Kind, &n.Title, &n.Body,
		&n.TradeKind, &n.RegionCode, &n.State, &amends, &docsFrom, &docsUntil, &deadline, &opening, &starts, &ends,
		&publishAt, &publishedAt, &n.Amount, &awardee, &n.AffectsBids, &invitees, &hash, &sig,
		&n.CreatedBy, &created, &updated, &submitted, &n.ReviewedBy, &reviewed, &n.ReviewNote)
	if err != nil {
		return n, err
	}
	n.ContentHash, n.Signature = hash, sig
	n.owner.ID, n.owner.AgentOrgID, n.owner.RegionCode = n.ProjectID, agent.Int64, n.RegionCode
	n.LotID, n.AmendsID, n.AwardeeID = lot.Int64, amends.Int64, awardee.Int64
	n.DocsFrom, n.DocsUntil, n.BidDeadline, n.OpeningAt = db.Time(docsFrom), db.Time(docsUntil), db.Time(deadline), db.Time(opening)
	n.StartsAt, n.EndsAt, n.PublishAt, n.PublishedAt = db.Time(starts), db.Time(ends), db.Time(publishAt), db.Time(publishedAt)
	n.CreatedAt, n.UpdatedAt, n.SubmittedAt, n.ReviewedAt = db.Time(created), db.Time(updated), db.Time(submitted), db.Time(reviewed)
	if invitees != "" {
		if err := json.Unmarshal([]byte(invitees), &n.Invitees); err != nil {
			return n, err
		}
	}
	n.InviteeCount = len(n.Invitees)
	return n, nil
}

// getNotice reads a notice with its attachments.
func getNotice(ctx context.Context, q db.Querier, id int64) (Notice, error) {
	n, err := scanNotice(q.QueryRow(ctx, "SELECT "+noticeCols+noticeFrom+" WHERE n.id = ?", id))
	if errs.Is(err, errs.NotFound) {
		return n, errs.E(errs.NotFound, "公告不存在")
	}
	if err != nil {
		return n, err
	}
	n.Attachments, err = attachmentsOf(ctx, q, id)
	return n, err
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func inviteesText(ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func insertNotice(ctx context.Context, tx *db.Tx, n Notice) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO notices (project_id, lot_id, kind, title, body, trade_kind, region_code, state,
		amends_id, docs_from, docs_until, bid_deadline, opening_at, starts_at, ends_at, amount, awardee_org_id,
		affects_bids, invitees, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		n.ProjectID, nullID(n.LotID), n.Kind, n.Title, n.Body, n.TradeKind, n.RegionCode, n.State,
		nullID(n.AmendsID), db.Micros(n.DocsFrom), db.Micros(n.DocsUntil), db.Micros(n.BidDeadline), db.Micros(n.OpeningAt),
		db.Micros(n.StartsAt), db.Micros(n.EndsAt), n.Amount, nullID(n.AwardeeID), n.AffectsBids, inviteesText(n.Invitees),
		n.CreatedBy, db.Micros(n.CreatedAt), db.Micros(n.UpdatedAt)).Scan(&id)
	return id, err
}

// updateDraft saves the drafter's fields, only while the notice is still
// editable (the state condition guards against a concurrent submit).
func updateDraft(ctx context.Context, tx *db.Tx, n Notice) error {
	res, err := tx.Exec(ctx, `UPDATE notices SET lot_id = ?, title = ?, body = ?, docs_from = ?, docs_until = ?,
		bid_deadline = ?, opening_at = ?, starts_at = ?, ends_at = ?, amount = ?, awardee_org_id = ?, affects_bids = ?,
		invitees = ?, updated_at = ? WHERE id = ? AND state IN (?, ?)`,
		nullID(n.LotID), n.Title, n.Body, db.Micros(n.DocsFrom), db.Micros(n.DocsUntil), db.Micros(n.BidDeadline),
		db.Micros(n.OpeningAt), db.Micros(n.StartsAt), db.Micros(n.EndsAt), n.Amount, nullID(n.AwardeeID), n.AffectsBids,
		inviteesText(n.Invitees), db.Micros(n.UpdatedAt), n.ID, Draft, Rejected)
	return expectOne(res, err)
}

// setState moves a notice from one state to another; it fails with a
// conflict when someone else moved it first.
func setState(ctx context.Context, tx *db.Tx, id int64, from []State, to State, sets string, args ...any) error {
	q := "UPDATE notices SET state = ?"
	all := []any{to}
	if sets != "" {
		q += ", " + sets
		all = append(all, args...)
	}
	q += " WHERE id = ? AND state IN (" + db.Placeholders(len(from)) + ")"
	all = append(all, id)
	for _, s := range from {
		all = append(all, s)
	}
	res, err := tx.Exec(ctx, q, all...)
	return expectOne(res, err)
}

func expectOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errs.E(errs.Conflict, "公告状态已变化，请刷新后重试")
	}
	return nil
}

const attachmentCols = "id, notice_id, name, size, digest, tender_docs, uploaded_at, blob_key"

func scanAttachment(row interface{ Scan(...any) error }) (Attachment, error) {
	var a Attachment
	var uploaded int64
	err := row.Scan(&a.ID, &a.NoticeID, &a.Name, &a.Size, &a.Digest, &a.TenderDocs, &uploaded, &a.blobKey)
	a.UploadedAt = db.Time(uploaded)
	return a, err
}

func attachmentsOf(ctx context.Context, q db.Querier, noticeID int64) ([]Attachment, error) {
	rows, err := q.Query(ctx, "SELECT "+attachmentCols+" FROM notice_attachments WHERE notice_id = ? ORDER BY id", noticeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func getAttachment(ctx context.Context, q db.Querier, noticeID, id int64) (Attachment, error) {
	a, err := scanAttachment(q.QueryRow(ctx, "SELECT "+attachmentCols+" FROM notice_attachments WHERE id = ? AND notice_id = ?", id, noticeID))
	if errs.Is(err, errs.NotFound) {
		return a, errs.E(errs.NotFound, "附件不存在")
	}
	return a, err
}

// visibility is the SQL condition (over notices n and projects p) for the
// notices a may see: published ones, and the unpublished ones of projects
// it oversees (the SQL form of mayOversee).
func visibility(a auth.Actor) (string, []any) {
	cond, args := "n.state = ?", []any{Published}
	switch a.Role {
	case auth.Admin:
		return "1 = 1", nil
	case auth.Tenderer, auth.Agent:
		if a.OrgID != 0 {
			cond += " OR p.tenderer_org_id = ? OR p.agent_org_id = ?"
			args = append(args, a.OrgID, a.OrgID)
		}
	case auth.Staff:
		if a.Region != "" {
			cond += " OR p.region_code LIKE ?"
			args = append(args, centre.Prefix(a.Region)+"%")
		}
	case auth.Supervisor:
		if a.Region != "" {
			cond += " OR (p.region_code LIKE ? AND p.industry = ?)"
			args = append(args, centre.Prefix(a.Region)+"%", string(a.Industry))
		}
	}
	return "(" + cond + ")", args
}

func listNotices(ctx context.Context, q db.Querier, a auth.Actor, f Filter) ([]Notice, int, error) {
	where, args := visibility(a)
	if f.ProjectID != 0 {
		where += " AND n.project_id = ?"
		args = append(args, f.ProjectID)
	}
	if f.State != "" {
		where += " AND n.state = ?"
		args = append(args, f.State)
	}
	if f.Kind != "" {
		where += " AND n.kind = ?"
		args = append(args, f.Kind)
	}
	var total int
	if err := q.QueryRow(ctx, "SELECT count(*)"+noticeFrom+" WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// The review queue reads oldest submission first; everything else
	// newest first.
	order := " ORDER BY n.id DESC"
	if f.State == Review {
		order = " ORDER BY n.submitted_at, n.id"
	}
	rows, err := q.Query(ctx, "SELECT "+noticeCols+noticeFrom+" WHERE "+where+order+
		" LIMIT "+strconv.Itoa(f.Limit)+" OFFSET "+strconv.Itoa(f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, n)
	}
	return out, total, rows.Err()
}

// orgName is an organisation's name, "" when there is none.
func orgName(ctx context.Context, q db.Querier, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var name string
	err := q.QueryRow(ctx, "SELECT name FROM organisations WHERE id = ?", id).Scan(&name)
	if errs.Is(err, errs.NotFound) {
		return "", nil
	}
	return name, err
}

// bidderOrg checks that id is an approved bidder organisation and returns
// its name.
func bidderOrg(ctx context.Context, q db.Querier, id int64) (string, bool, error) {
	var name, kind, status string
	err := q.QueryRow(ctx, "SELECT name, kind, status FROM organisations WHERE id = ?", id).Scan(&name, &kind, &status)
	if errs.Is(err, errs.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return name, kind == string(auth.KindBidder) && status == string(auth.Approved), nil
}

// deadlineInForce is the bid deadline of a tender or prequalification
// notice as its published amendments left it.
func deadlineInForce(ctx context.Context, q db.Querier, original Notice) (time.Time, error) {
	var us int64
	err := q.QueryRow(ctx, `SELECT bid_deadline FROM notices WHERE amends_id = ? AND state = ? AND bid_deadline > 0
		ORDER BY published_at DESC, id DESC LIMIT 1`, original.ID, Published).Scan(&us)
	if errs.Is(err, errs.NotFound) {
		return original.BidDeadline, nil
	}
	return db.Time(us), err
}
